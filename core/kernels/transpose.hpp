// A blocked transpose for the channels_first kernels: copies a row-major [rows, cols] array into
// its transpose in 16x16 blocks (on AVX-512, loaded into registers, shuffled and stored), so that
// each cache line of either side is read or written whole, once.
#pragma once

#include <cstdint>

namespace minidl::kernels {

/// Rows and columns of one transpose block: 16 floats, one 64-byte cache line of each row read
/// and of each row written. The rows of a [C, L] sequence lie L floats apart, for L a multiple
/// of 1024 all in one L1 set; a block reads (or writes) each of its 16 lines once, whole, so the
/// set's 12 ways need not hold them all.
constexpr int64_t kTransposeBlock = 16;

/// dst[j * dst_stride + i] = src[i * src_stride + j] for i < rows, j < cols.
void copy_transposed(const float* src, int64_t src_stride, int64_t rows, int64_t cols, float* dst,
                     int64_t dst_stride);

}  // namespace minidl::kernels
