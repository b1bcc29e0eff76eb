// A single-threaded matrix product for the small, cache-resident tiles of the fused pointwise
// convolution (core/kernels/pointwise.cpp): [256, Cin] x [Cin, F] and its two gradients, with
// Cin and F of 8 to a few hundred.
//
// On an AVX-512 build (__AVX512F__, i.e. -march=native on such a CPU) it is a register-blocked
// kernel: 24 accumulators of 16 floats stay in registers for the whole inner sum, in blocks of
// 6 rows x 64 columns (or 12 x 32 for products of 32 columns or fewer); each step loads the
// block's vectors of B and broadcasts one value of A per row. No packing: the tiles are in L1/L2
// already, and a [k, 64] panel of B stays in L1. C's lines are prefetched for writing when a
// block starts, so the stores at its end do not wait for C rows that are not in cache. On
// SepNet's tile shapes it runs at 1.5-1.6x Eigen's GEMM on an AMD Zen 5 and at 1.0-1.2x on an
// Intel Xeon (bench_micro's BM_TileGemm, docs/performance.md); its gain in the pointwise op is
// larger, since Eigen's product is not tuned for C rows out of cache. Elsewhere it is Eigen's
// product. Either way each element of C is computed by the same instructions in the same order
// on every call, so callers that split work by size alone get the same bits on any thread count.
#pragma once

#include <cstdint>

namespace minidl::kernels {

/// A read-only matrix whose element (i, j) is at data[i * row_stride + j * col_stride], so
/// that a row-major block and its transpose are both views.
struct StridedMatrix {
    const float* data;
    int64_t row_stride;
    int64_t col_stride;
};

/// C = A B (or C += A B when `accumulate`) for A [m, k], B [k, n] row-major with row stride
/// ldb, and C [m, n] row-major with row stride ldc. With k = 0, C is zeroed (or unchanged).
void small_gemm(int64_t m, int64_t n, int64_t k, StridedMatrix a, const float* b, int64_t ldb,
                float* c, int64_t ldc, bool accumulate);

}  // namespace minidl::kernels
