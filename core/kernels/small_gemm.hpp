// A single-threaded matrix product for the small, cache-resident tiles of the fused pointwise
// convolution (core/kernels/pointwise.cpp): [256, Cin] x [Cin, F] and its two gradients, with
// Cin and F of 8 to a few hundred.
//
// On an AVX-512 build (__AVX512F__, i.e. -march=native on such a CPU) it is a 12x32
// register-blocked kernel: 24 accumulators of 16 floats stay in registers for the whole inner
// sum, each step loads two vectors of B and broadcasts 12 values of A. No packing: the tiles are
// in L1/L2 already, and a [k, 32] panel of B stays in L1. On SepNet's tile shapes it runs at
// 1.5-1.6x Eigen's GEMM (181-187 against 109-125 GFLOP/s per core at C = 64 and 128, 1.2x at
// C = 16; bench_micro's BM_TileGemm, docs/performance.md). Elsewhere it is Eigen's product. Either
// way each element of C is computed by the same instructions in the same order on every call, so
// callers that split work by size alone get the same bits on any thread count.
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
