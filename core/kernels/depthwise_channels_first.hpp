// Kernels of depthwise_conv1d on channels_first tensors (core/conv.cpp, DepthwiseOptions::
// channels_first): x [batch, channels, length] in, [batch, channels * multiplier, out_length]
// out, the layout SeparableConv1D's channels_first pointwise stage reads. Each works on whole
// [length] rows of one channel (core/kernels/depthwise_channels_first.cpp); no tensor or tile is
// transposed. Results are bit-identical for any OpenMP thread count.
#pragma once

#include <cstdint>

#include "minidl/core/kernels/conv1d.hpp"

namespace minidl::kernels {

/// out [B, C * M, Lout] from x [B, C, L]; `sizes` as for the channels_last kernels (length L,
/// channels C). Output row c * M + m is the correlation of x's row c with kernel[:, c, m].
void depthwise_conv1d_channels_first_forward(const Conv1DSizes& sizes, int64_t multiplier,
                                             const float* x, const float* kernel, float* out);

/// grad_x = dLoss/dx [B, C, L] and grad_kernel = dLoss/dkernel [k, C, M] (each overwritten, each
/// null when not wanted) from grad [B, C * M, Lout], x [B, C, L] and the kernel, in one pass over
/// grad.
void depthwise_conv1d_channels_first_backward(const Conv1DSizes& sizes, int64_t multiplier,
                                              const float* grad, const float* x,
                                              const float* kernel, float* grad_x,
                                              float* grad_kernel);

}  // namespace minidl::kernels
