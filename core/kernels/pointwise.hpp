// Kernels of the fused pointwise (1x1) convolution op pointwise_conv1d (core/conv.cpp):
// out = act(x W + bias) over tiles of kPointwiseTileSteps time steps of one sequence.
//
// A tile's product, bias and activation run while the tile is in cache, instead of three passes
// over [B, L, F] tensors; the backward takes relu's mask from
// the output, so the op keeps no pre-activation tensor. Tiles are fixed by the sizes, and the
// weight and bias gradients add per-chunk partial sums in chunk order: results are
// bit-identical for any OpenMP thread count.
#pragma once

#include <cstdint>

namespace minidl::kernels {

/// Time steps per tile: a [256, 128] tile of floats is 128 KB, inside L2 with its input tile.
inline constexpr int64_t kPointwiseTileSteps = 256;

/// Sizes and options of one pointwise convolution: x [batch, length, in_channels] (channels_last),
/// kernel [in_channels, filters], output [batch, length, filters]; with channels_first, x
/// [batch, in_channels, length] and output [batch, filters, length].
struct PointwiseSizes {
    int64_t batch = 0;
    int64_t length = 0;
    int64_t in_channels = 0;
    int64_t filters = 0;
    bool relu = false;
    bool channels_first = false;
};

/// out = act(x kernel + bias); `bias` [filters] may be null (no bias).
void pointwise_conv1d_forward(const PointwiseSizes& sizes, const float* x, const float* kernel,
                              const float* bias, float* out);

/// The gradients from grad (the output's layout) and the forward's output `out` (relu's mask):
/// grad_x (x's layout), grad_kernel [in_channels, filters] and grad_bias
/// [filters], each overwritten, each null when not wanted.
void pointwise_conv1d_backward(const PointwiseSizes& sizes, const float* grad, const float* out,
                               const float* x, const float* kernel, float* grad_x,
                               float* grad_kernel, float* grad_bias);

}  // namespace minidl::kernels
