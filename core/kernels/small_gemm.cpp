#include "minidl/core/kernels/small_gemm.hpp"

#ifdef __AVX512F__
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>

#include "minidl/core/kernels/prefetch.hpp"
#else
#include <Eigen/Core>
#endif

namespace minidl::kernels {

#ifdef __AVX512F__
namespace {

constexpr int64_t kLanes = 16;

/// The two register-block shapes. Each keeps up to 24 accumulator vectors of 16 floats in
/// registers, plus the B vectors of one step and a broadcast of A: at most 29 of the 32 zmm
/// registers. Wide blocks (6 rows x 4 vectors) serve products of more than 32 columns: a block
/// then writes whole 256-byte runs of each C row, and loads fewer values per multiply-add (10
/// per 24 against 14). Narrow blocks (12 x 2) serve 32 columns or fewer, where wide blocks
/// would leave vector slots empty. (With 12 x 2 blocks the medium SepNet pointwise op,
/// forward + backward on one thread, took 13.3 ms; with 6 x 4 blocks 11.8 ms, and with C's
/// lines prefetched as well 8.8 ms: before, the stores to C rows out of cache stalled the
/// kernel for 16% of the op's time. Best of 5 alternated runs, Intel Xeon, 2026-12-02.)
constexpr int64_t kWideRows = 6;
constexpr int64_t kWideVectors = 4;
constexpr int64_t kNarrowRows = 12;
constexpr int64_t kNarrowVectors = 2;

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
#pragma GCC unroll 4
        for (int v = 0; v < Vectors; ++v) {
            acc[i][v] = _mm512_setzero_ps();
            // Fetched for writing while the block computes (not only when the stores come).
            prefetch<true>(c, i * ldc + v * kLanes);
        }
    }
    for (int64_t p = 0; p < k; ++p) {
        __m512 row[Vectors];
#pragma GCC unroll 4
        for (int v = 0; v < Vectors; ++v) {
            row[v] = _mm512_maskz_loadu_ps(mask(v), b + p * ldb + v * kLanes);
        }
        const float* column = a.data + p * a.col_stride;
#pragma GCC unroll 12
        for (int i = 0; i < Rows; ++i) {
            const __m512 value = _mm512_set1_ps(column[i * a.row_stride]);
#pragma GCC unroll 4
            for (int v = 0; v < Vectors; ++v) {
                acc[i][v] = _mm512_fmadd_ps(value, row[v], acc[i][v]);
            }
        }
    }
#pragma GCC unroll 12
    for (int i = 0; i < Rows; ++i) {
#pragma GCC unroll 4
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

/// The block kernels for `Rows` rows and 1..Vectors vectors, indexed [vectors - 1].
template <int Rows, std::size_t... V>
constexpr std::array<BlockFn, sizeof...(V)> row_of_blocks(std::index_sequence<V...>) {
    return {&block<Rows, int(V) + 1>...};
}

/// The block kernels of one shape, indexed [rows - 1][vectors - 1] for 1..Rows rows and
/// 1..Vectors vectors.
template <std::size_t Vectors, std::size_t... R>
constexpr auto make_blocks(std::index_sequence<R...>) {
    return std::array<std::array<BlockFn, Vectors>, sizeof...(R)>{
        {row_of_blocks<int(R) + 1>(std::make_index_sequence<Vectors>{})...}};
}
constexpr auto kWideBlocks = make_blocks<kWideVectors>(std::make_index_sequence<kWideRows>{});
constexpr auto kNarrowBlocks = make_blocks<kNarrowVectors>(std::make_index_sequence<kNarrowRows>{});

/// small_gemm with blocks of up to Rows x Vectors vectors, from `blocks`.
template <int64_t Rows, int64_t Vectors, class Blocks>
void blocked_gemm(const Blocks& blocks, int64_t m, int64_t n, int64_t k, StridedMatrix a,
                  const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
    constexpr int64_t panel_cols = Vectors * kLanes;
    // Column panels outside, so that a [k, panel_cols] panel of B stays in L1 while A streams
    // past it.
    for (int64_t j = 0; j < n; j += panel_cols) {
        const int64_t cols = std::min(panel_cols, n - j);
        const int64_t vectors = (cols + kLanes - 1) / kLanes;
        const int64_t tail = cols - (vectors - 1) * kLanes;
        const auto last = static_cast<__mmask16>((1u << tail) - 1u);
        for (int64_t i = 0; i < m; i += Rows) {
            const int64_t rows = std::min(Rows, m - i);
            // The next block's rows of A, when each is contiguous: in the forward product they
            // come from memory, and each block's first loads waited for them (17% of the block
            // kernel's time in the medium SepNet step).
            if (j == 0 && a.col_stride == 1) {
                for (int64_t r = i + Rows; r < std::min(i + 2 * Rows, m); ++r) {
                    for (int64_t p = 0; p < k; p += kLanes) prefetch(a.data, r * a.row_stride + p);
                }
            }
            const StridedMatrix block_a{a.data + i * a.row_stride, a.row_stride, a.col_stride};
            blocks[rows - 1][vectors - 1](k, block_a, b + j, ldb, c + i * ldc + j, ldc, last,
                                          accumulate);
        }
    }
}

}  // namespace

void small_gemm(int64_t m, int64_t n, int64_t k, StridedMatrix a, const float* b, int64_t ldb,
                float* c, int64_t ldc, bool accumulate) {
    if (n > kNarrowVectors * kLanes) {
        blocked_gemm<kWideRows, kWideVectors>(kWideBlocks, m, n, k, a, b, ldb, c, ldc, accumulate);
    } else {
        blocked_gemm<kNarrowRows, kNarrowVectors>(kNarrowBlocks, m, n, k, a, b, ldb, c, ldc,
                                                  accumulate);
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
