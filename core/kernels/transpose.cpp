#include "minidl/core/kernels/transpose.hpp"

#ifdef __AVX512F__
#include <immintrin.h>
#endif

#include <algorithm>

#include "minidl/core/kernels/prefetch.hpp"

namespace minidl::kernels {
namespace {

#ifdef __AVX512F__
/// Transposes the 16x16 block held in r (row i in r[i]): the usual 4 rounds of in-lane unpacks
/// and shuffles, then 128-bit lane shuffles, 64 shuffles in all.
inline void transpose_registers(__m512 (&r)[kTransposeBlock]) {
    __m512 t[kTransposeBlock];
#pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) {
        t[2 * k] = _mm512_unpacklo_ps(r[2 * k], r[2 * k + 1]);
        t[2 * k + 1] = _mm512_unpackhi_ps(r[2 * k], r[2 * k + 1]);
    }
#pragma GCC unroll 4
    for (int q = 0; q < 16; q += 4) {
        r[q] = _mm512_shuffle_ps(t[q], t[q + 2], 0x44);
        r[q + 1] = _mm512_shuffle_ps(t[q], t[q + 2], 0xEE);
        r[q + 2] = _mm512_shuffle_ps(t[q + 1], t[q + 3], 0x44);
        r[q + 3] = _mm512_shuffle_ps(t[q + 1], t[q + 3], 0xEE);
    }
#pragma GCC unroll 2
    for (int h = 0; h < 16; h += 8) {
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
            t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0x88);
            t[h + 4 + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0xDD);
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
        r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xDD);
    }
}

/// One block of copy_transposed, rows, cols <= 16: masked loads and stores, so edge blocks take
/// the same path.
inline void transpose_block(const float* src, int64_t src_stride, int64_t rows, int64_t cols,
                            float* dst, int64_t dst_stride) {
    const auto mask = [](int64_t n) { return static_cast<__mmask16>((1u << n) - 1); };
    __m512 r[kTransposeBlock];
#pragma GCC unroll 16
    for (int i = 0; i < kTransposeBlock; ++i) {
        r[i] = i < rows ? _mm512_maskz_loadu_ps(mask(cols), src + i * src_stride)
                        : _mm512_setzero_ps();
    }
    transpose_registers(r);
#pragma GCC unroll 16
    for (int j = 0; j < kTransposeBlock; ++j) {
        if (j < cols) _mm512_mask_storeu_ps(dst + j * dst_stride, mask(rows), r[j]);
    }
}
#else
inline void transpose_block(const float* src, int64_t src_stride, int64_t rows, int64_t cols,
                            float* dst, int64_t dst_stride) {
    for (int64_t j = 0; j < cols; ++j) {
        for (int64_t i = 0; i < rows; ++i) dst[j * dst_stride + i] = src[i * src_stride + j];
    }
}
#endif

}  // namespace

void copy_transposed(const float* src, int64_t src_stride, int64_t rows, int64_t cols, float* dst,
                     int64_t dst_stride) {
    for (int64_t i0 = 0; i0 < rows; i0 += kTransposeBlock) {
        for (int64_t j0 = 0; j0 < cols; j0 += kTransposeBlock) {
            // The lines that the next block of rows writes in these columns: when dst's rows lie
            // a page or more apart ([C, L] sequences), no hardware prefetcher fetches them.
            for (int64_t j = j0; j < std::min(j0 + kTransposeBlock, cols); ++j) {
                prefetch<true>(dst, j * dst_stride + i0 + kTransposeBlock);
            }
            transpose_block(
                src + i0 * src_stride + j0, src_stride, std::min(kTransposeBlock, rows - i0),
                std::min(kTransposeBlock, cols - j0), dst + j0 * dst_stride + i0, dst_stride);
        }
    }
}

}  // namespace minidl::kernels
