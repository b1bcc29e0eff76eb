#include "minidl/core/kernels/small_gemm.hpp"

#ifdef __AVX512F__
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>
#else
#include <Eigen/Core>
#endif

namespace minidl::kernels {

#ifdef __AVX512F__
namespace {

/// Rows of C per register block: 12 x 2 accumulator vectors + 2 vectors of B + 1 broadcast of
/// A use 27 of the 32 zmm registers.
constexpr int64_t kBlockRows = 12;
/// Columns of C per register block: two vectors of 16 floats.
constexpr int64_t kBlockCols = 32;
constexpr int64_t kLanes = 16;

/// The block C[0..Rows, 0..16*Vectors) (the last vector limited to the columns in `last`):
/// sums A[i, p] * B[p, :] over p in registers, then stores (or adds) once. The loops over i and
/// v are unrolled by pragma, so that GCC's scalar replacement keeps acc in registers: left to
/// its heuristics, GCC 12 stored all 24 accumulators to the stack on every step.
template <int Rows, int Vectors>
void block(int64_t k, StridedMatrix a, const float* b, int64_t ldb, float* c, int64_t ldc,
           __mmask16 last, bool accumulate) {
    const auto mask = [&](int v) { return v == Vectors - 1 ? last : __mmask16(0xFFFF); };
    __m512 acc[Rows][Vectors];
#pragma GCC unroll 12
    for (int i = 0; i < Rows; ++i) {
#pragma GCC unroll 2
        for (int v = 0; v < Vectors; ++v) acc[i][v] = _mm512_setzero_ps();
    }
    for (int64_t p = 0; p < k; ++p) {
        __m512 row[Vectors];
#pragma GCC unroll 2
        for (int v = 0; v < Vectors; ++v) {
            row[v] = _mm512_maskz_loadu_ps(mask(v), b + p * ldb + v * kLanes);
        }
        const float* column = a.data + p * a.col_stride;
#pragma GCC unroll 12
        for (int i = 0; i < Rows; ++i) {
            const __m512 value = _mm512_set1_ps(column[i * a.row_stride]);
#pragma GCC unroll 2
            for (int v = 0; v < Vectors; ++v) {
                acc[i][v] = _mm512_fmadd_ps(value, row[v], acc[i][v]);
            }
        }
    }
#pragma GCC unroll 12
    for (int i = 0; i < Rows; ++i) {
#pragma GCC unroll 2
        for (int v = 0; v < Vectors; ++v) {
            float* out = c + i * ldc + v * kLanes;
            __m512 result = acc[i][v];
            if (accumulate) result = _mm512_add_ps(_mm512_maskz_loadu_ps(mask(v), out), result);
            _mm512_mask_storeu_ps(out, mask(v), result);
        }
    }
}

using BlockFn = void (*)(int64_t, StridedMatrix, const float*, int64_t, float*, int64_t, __mmask16,
                         bool);

/// kBlocks[rows - 1][vectors - 1]: the block kernels for 1..12 rows and 1..2 vectors.
template <std::size_t... R>
constexpr auto make_blocks(std::index_sequence<R...>) {
    return std::array<std::array<BlockFn, 2>, sizeof...(R)>{
        {{&block<int(R) + 1, 1>, &block<int(R) + 1, 2>}...}};
}
constexpr auto kBlocks = make_blocks(std::make_index_sequence<kBlockRows>{});

}  // namespace

void small_gemm(int64_t m, int64_t n, int64_t k, StridedMatrix a, const float* b, int64_t ldb,
                float* c, int64_t ldc, bool accumulate) {
    // Column panels outside, so that a [k, 32] panel of B stays in L1 while A streams past it.
    for (int64_t j = 0; j < n; j += kBlockCols) {
        const int64_t cols = std::min(kBlockCols, n - j);
        const int64_t vectors = (cols + kLanes - 1) / kLanes;
        const int64_t tail = cols - (vectors - 1) * kLanes;
        const auto last = static_cast<__mmask16>((1u << tail) - 1u);
        for (int64_t i = 0; i < m; i += kBlockRows) {
            const int64_t rows = std::min(kBlockRows, m - i);
            const StridedMatrix block_a{a.data + i * a.row_stride, a.row_stride, a.col_stride};
            kBlocks[rows - 1][vectors - 1](k, block_a, b + j, ldb, c + i * ldc + j, ldc, last,
                                           accumulate);
        }
    }
}

#else

void small_gemm(int64_t m, int64_t n, int64_t k, StridedMatrix a, const float* b, int64_t ldb,
                float* c, int64_t ldc, bool accumulate) {
    using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using Strided = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
    const Eigen::Map<const Matrix, Eigen::Unaligned, Strided> lhs(
        a.data, m, k, Strided(a.row_stride, a.col_stride));
    const Eigen::Map<const Matrix, Eigen::Unaligned, Eigen::OuterStride<>> rhs(
        b, k, n, Eigen::OuterStride<>(ldb));
    Eigen::Map<Matrix, Eigen::Unaligned, Eigen::OuterStride<>> out(c, m, n,
                                                                   Eigen::OuterStride<>(ldc));
    if (accumulate) {
        out.noalias() += lhs * rhs;
    } else {
        out.noalias() = lhs * rhs;
    }
}

#endif

}  // namespace minidl::kernels
