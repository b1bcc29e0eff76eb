// Kernels of depthwise_conv1d on channels_first input (core/conv.cpp, DepthwiseOptions::
// channels_first_input): x [batch, channels, length] in, the channels_last output
// [batch, out_length, channels * multiplier] out, which is what SeparableConv1D's pointwise stage
// reads, and the input gradient written as [batch, channels, length].
//
// No [B, C, L] <-> [B, L, C] transpose of whole tensors: per tile of a sequence the input window
// is copied transposed into a small scratch tile (padding as zero rows), the channels_last
// kernels of core/kernels/conv1d.hpp run on it with "valid" geometry while it is in L1, and the
// input gradient is computed per tile of input positions (from the run of gradient rows that
// reach them) and written back transposed. Tiles are fixed by the sizes and never write the same
// element; the kernel gradient adds per-chunk partial sums in chunk order, so results are
// bit-identical for any OpenMP thread count.
#pragma once

#include <cstdint>

#include "minidl/core/kernels/conv1d.hpp"

namespace minidl::kernels {

/// Output steps (forward, kernel gradient) or input positions (input gradient) per tile: a
/// window of 128 + 8 steps of 64 channels is 35 KB, inside L1 with the kernel.
inline constexpr int64_t kDepthwiseTileSteps = 128;

/// out [B, Lout, C * M] from x [B, C, L]; `sizes` as for the channels_last kernels (length L,
/// channels C).
void depthwise_conv1d_channels_first_forward(const Conv1DSizes& sizes, int64_t multiplier,
                                             const float* x, const float* kernel, float* out);

/// grad_x = dLoss/dx [B, C, L] from grad [B, Lout, C * M] (overwritten, not accumulated).
void depthwise_conv1d_channels_first_backward_input(const Conv1DSizes& sizes, int64_t multiplier,
                                                    const float* grad, const float* kernel,
                                                    float* grad_x);

/// grad_kernel = dLoss/dkernel [k, C, M] (overwritten) from grad [B, Lout, C * M] and x
/// [B, C, L].
void depthwise_conv1d_channels_first_backward_kernel(const Conv1DSizes& sizes, int64_t multiplier,
                                                     const float* grad, const float* x,
                                                     float* grad_kernel);

}  // namespace minidl::kernels
