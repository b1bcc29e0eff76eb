// Kernels of the 1-D pooling ops (core/pool.cpp), on raw channels_last float arrays whose shapes
// the caller has checked. Each loop runs over rows of `channels` contiguous floats (vectorised)
// inside parallel_for chunks fixed by the sizes alone; every output or gradient row is written
// by one chunk, summing its terms in a fixed order, so results are bit-identical for any OpenMP
// thread count.
#pragma once

#include <cstdint>

#include "minidl/core/ops.hpp"

namespace minidl::kernels {

/// One windowed pooling's sizes: input [batch, length, channels], output [batch, out_length,
/// channels], windows placed by `geometry`.
struct Pool1DSizes {
    int64_t batch = 0;
    int64_t length = 0;
    int64_t channels = 0;
    int64_t out_length = 0;
    Pool1DGeometry geometry;
};

/// out = the window maxima. When `winners` is not null it receives, per output element, the
/// window tap (0 .. pool_size - 1, as a float) of the first maximal input, for the backward.
void max_pool1d_forward(const Pool1DSizes& sizes, const float* x, float* out, float* winners);
/// grad_x (overwritten) = each output gradient routed to its winner.
void max_pool1d_backward(const Pool1DSizes& sizes, const float* grad, const float* winners,
                         float* grad_x);

/// out = the window means over the input positions inside [0, length).
void avg_pool1d_forward(const Pool1DSizes& sizes, const float* x, float* out);
/// grad_x (overwritten) = the sum over the windows holding each position of grad / count.
void avg_pool1d_backward(const Pool1DSizes& sizes, const float* grad, float* grad_x);

/// The global poolings: x [batch, length, channels] to out [batch, channels].
struct GlobalPool1DSizes {
    int64_t batch = 0;
    int64_t length = 0;
    int64_t channels = 0;
};

void global_avg_pool1d_forward(const GlobalPool1DSizes& sizes, const float* x, float* out);
/// grad_x (overwritten) = grad / length at every step.
void global_avg_pool1d_backward(const GlobalPool1DSizes& sizes, const float* grad, float* grad_x);

void global_max_pool1d_forward(const GlobalPool1DSizes& sizes, const float* x, float* out);
/// grad_x (overwritten) = [x == out] / (number of steps equal to out) * grad, TensorFlow's
/// reduce_max gradient (a NaN maximum matches nothing and gives NaN, as there).
void global_max_pool1d_backward(const GlobalPool1DSizes& sizes, const float* x, const float* out,
                                const float* grad, float* grad_x);

}  // namespace minidl::kernels
