// Kernels of the 1-D convolution ops (core/conv.cpp), on raw channels_last float arrays whose
// shapes the caller has checked.
//
// Every loop is split by parallel_for into chunks fixed by the sizes alone, and the weight
// gradients, which sum over the batch, add per-chunk partial sums in chunk order: results are
// bit-identical for any OpenMP thread count.
#pragma once

#include <cstdint>

#include "minidl/core/ops.hpp"

namespace minidl::kernels {

/// One convolution's sizes: input [batch, length, channels], output steps [batch, out_length]
/// where the taps fall as `geometry` says.
struct Conv1DSizes {
    int64_t batch = 0;
    int64_t length = 0;
    int64_t channels = 0;
    int64_t out_length = 0;
    Conv1DGeometry geometry;
};

// ---- depthwise: kernel [k, C, M], output [B, Lout, C * M] -------------------------------------

void depthwise_conv1d_forward(const Conv1DSizes& sizes, int64_t multiplier, const float* x,
                              const float* kernel, float* out);
/// grad_x = dLoss/dx [B, L, C] from grad [B, Lout, C * M] (overwritten, not accumulated).
void depthwise_conv1d_backward_input(const Conv1DSizes& sizes, int64_t multiplier,
                                     const float* grad, const float* kernel, float* grad_x);
/// grad_kernel = dLoss/dkernel [k, C, M] (overwritten).
void depthwise_conv1d_backward_kernel(const Conv1DSizes& sizes, int64_t multiplier,
                                      const float* grad, const float* x, float* grad_kernel);
/// Both gradients (each overwritten, each null when not wanted); with multiplier 1 and stride 1,
/// in one pass over grad.
void depthwise_conv1d_backward(const Conv1DSizes& sizes, int64_t multiplier, const float* grad,
                               const float* x, const float* kernel, float* grad_x,
                               float* grad_kernel);

// ---- grouped: kernel [k, C / groups, F], output [B, Lout, F] ----------------------------------

void conv1d_forward(const Conv1DSizes& sizes, int64_t filters, int64_t groups, const float* x,
                    const float* kernel, float* out);
/// grad_x [B, L, C] and grad_kernel [k, C / groups, F] (overwritten); either may be null when
/// that gradient is not wanted.
void conv1d_backward(const Conv1DSizes& sizes, int64_t filters, int64_t groups, const float* grad,
                     const float* x, const float* kernel, float* grad_x, float* grad_kernel);

}  // namespace minidl::kernels
