// The differentiable ops. Each records itself for autograd (see autograd.hpp) and has a
// gradient check in tests/. Binary elementwise ops broadcast under NumPy's rules; a shape
// mismatch throws ShapeError naming the op and both shapes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "minidl/core/tensor.hpp"

namespace minidl {

using Axes = std::vector<int64_t>;

// ---- arithmetic (core/arithmetic.cpp) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, float b);
Tensor sub(const Tensor& a, float b);
Tensor sub(float a, const Tensor& b);
Tensor mul(const Tensor& a, float b);
Tensor div(const Tensor& a, float b);
Tensor div(float a, const Tensor& b);
Tensor neg(const Tensor& a);
/// Elementwise max/min; where both are equal the gradient goes to `a`.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
/// a^b elementwise, differentiable in both (d/db needs a > 0).
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, float exponent);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator+(const Tensor& a, float b) { return add(a, b); }
inline Tensor operator+(float a, const Tensor& b) { return add(b, a); }
inline Tensor operator-(const Tensor& a, float b) { return sub(a, b); }
inline Tensor operator-(float a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, float b) { return mul(a, b); }
inline Tensor operator*(float a, const Tensor& b) { return mul(b, a); }
inline Tensor operator/(const Tensor& a, float b) { return div(a, b); }
inline Tensor operator/(float a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }

// ---- elementwise math (core/math.cpp) ----
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor abs(const Tensor& a);
Tensor square(const Tensor& a);
/// Limits values to [min_value, max_value]; the gradient is 1 inside, 0 outside.
Tensor clamp(const Tensor& a, float min_value, float max_value);

// ---- comparisons and selection (core/arithmetic.cpp); results are 0/1, not differentiable ----
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Tensor& b);
Tensor less(const Tensor& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Tensor& b);
Tensor equal(const Tensor& a, const Tensor& b);
/// mask != 0 ? a : b, broadcasting all three; differentiable in a and b.
Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b);

// ---- reductions (core/reduce.cpp; max/min/argmax in core/extrema.cpp) ----
// Sums run over a fixed partition of the data, so results do not depend on the thread count.
Tensor sum(const Tensor& a);
Tensor sum(const Tensor& a, const Axes& axes, bool keepdims = false);
Tensor mean(const Tensor& a);
Tensor mean(const Tensor& a, const Axes& axes, bool keepdims = false);
/// Maximum; the gradient goes to the first maximal element of each reduced group.
Tensor max(const Tensor& a);
Tensor max(const Tensor& a, const Axes& axes, bool keepdims = false);
Tensor min(const Tensor& a);
Tensor min(const Tensor& a, const Axes& axes, bool keepdims = false);
/// Sums `a` down to `shape`, which `a` must broadcast from (the adjoint of broadcasting).
Tensor sum_to(const Tensor& a, const Shape& shape);
/// Repeats `a` along broadcast axes to `shape`.
Tensor broadcast_to(const Tensor& a, const Shape& shape);
/// Index of the maximum along `axis` (first one on ties), as float values; not differentiable.
Tensor argmax(const Tensor& a, int64_t axis = -1);

// ---- linear algebra (core/matmul.cpp) ----
/// Matrix product of [.., n, k] by [.., k, m]; leading (batch) axes broadcast, and a 2-D
/// operand is shared by every batch. Both operands must have rank >= 2.
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- views (core/view_ops.cpp): share the input's storage ----
/// The same values seen with another shape of the same element count.
Tensor reshape(const Tensor& a, const Shape& shape);
/// As above; one size may be -1, inferred from the others: reshape(x, {batch, -1}).
Tensor reshape(const Tensor& a, std::initializer_list<int64_t> sizes);
/// A 1-D view of all elements.
Tensor flatten(const Tensor& a);
/// Inserts a size-1 axis at `axis` (-1 appends one).
Tensor unsqueeze(const Tensor& a, int64_t axis);
/// Removes the size-1 axis at `axis`.
Tensor squeeze(const Tensor& a, int64_t axis);

// ---- shape ops (core/shape_ops.cpp): copy the values ----
/// Swaps two axes (copies the values).
Tensor transpose(const Tensor& a, int64_t axis0, int64_t axis1);
/// Reorders the axes: result axis i is input axis dims[i] (copies the values).
Tensor permute(const Tensor& a, const Axes& dims);
/// Elements start, start+step, ... (< end) along `axis`; negative start/end count from the end
/// and are clipped to the axis, as in Python. step >= 1.
Tensor slice(const Tensor& a, int64_t axis, int64_t start, int64_t end, int64_t step = 1);
/// Joins tensors along an existing axis; all other sizes must match.
Tensor concat(const std::vector<Tensor>& tensors, int64_t axis);
/// Joins equally shaped tensors along a new axis.
Tensor stack(const std::vector<Tensor>& tensors, int64_t axis);
/// Pads `axis` with `before` values in front and `after` behind, all equal to `value`.
Tensor pad(const Tensor& a, int64_t axis, int64_t before, int64_t after, float value = 0.0f);
/// One-hot rows: result shape indices.shape + [num_classes]. Indices must be integral values in
/// [0, num_classes); not differentiable.
Tensor one_hot(const Tensor& indices, int64_t num_classes);

// ---- embedding lookup (core/embedding.cpp) ----
/// Rows of `weights` [N, D] picked by `indices` (integral values in [0, N), any shape): the
/// result has shape indices.shape + [D], row i of the result being weights[indices[i]].
/// Differentiable in `weights`: a row's gradient is the sum of its picks' gradients, added in
/// the picks' order (the same bits for any thread count); `indices` gets no gradient. Throws
/// ShapeError unless weights has rank 2, and IndexError "embedding: index <v> at position <i>
/// is not an integer in [0, N)" for the first bad index.
Tensor embedding(const Tensor& weights, const Tensor& indices);

// ---- 1-D convolution (core/conv.cpp, kernels in core/kernels/: conv1d.*, pointwise.*,
// depthwise_channels_first.*) ----
// The ops take channels_last input x of shape [batch, length, channels] (depthwise_conv1d also
// channels_first). The layers in layers/ turn Keras's padding names and data formats into these
// arguments.

/// Where a 1-D convolution's taps fall: output step t, tap j reads input position
/// t * stride + j * dilation - pad_left; positions outside [0, length) read zeros.
struct Conv1DGeometry {
    int64_t kernel_size = 1;
    int64_t stride = 1;
    int64_t dilation = 1;
    int64_t pad_left = 0;
    int64_t pad_right = 0;

    /// The dilated kernel's extent, (kernel_size - 1) * dilation + 1.
    int64_t dilated_kernel_size() const { return (kernel_size - 1) * dilation + 1; }
    /// Output steps for an input of `length`: (length + pads - dilated) / stride + 1, floored;
    /// 0 or less when the padded input is shorter than the dilated kernel.
    int64_t output_length(int64_t length) const;
};

/// The layout of depthwise_conv1d's input and output.
struct DepthwiseOptions {
    /// x is [B, C, L] and the output [B, C * M, Lout] (channels_first): computed row by row,
    /// vectorised over time, with no transpose (core/kernels/depthwise_channels_first.hpp).
    bool channels_first = false;
};

/// Depthwise convolution: x [B, L, C] and kernel [k, C, M] give [B, Lout, C * M], where output
/// channel c * M + m is sum_j x[b, pos(t, j), c] * kernel[j, c, m] (Keras's channel order).
/// With options.channels_first, x is [B, C, L] and the output [B, C * M, Lout].
/// Differentiable in x and kernel. Throws ShapeError for ranks, channel counts or an output of
/// no steps, and ValueError for sizes, strides or dilations below 1 or negative pads.
Tensor depthwise_conv1d(const Tensor& x, const Tensor& kernel, const Conv1DGeometry& geometry,
                        const DepthwiseOptions& options = {});

/// Convolution: x [B, L, C] and kernel [k, C / groups, F] give [B, Lout, F]; output channel f
/// belongs to group f / (F / groups), which reads input channels of that group only (Keras's
/// Conv1D `groups`). Differentiable in x and kernel. Errors as depthwise_conv1d, plus
/// ShapeError when groups does not divide C and F.
Tensor conv1d(const Tensor& x, const Tensor& kernel, const Conv1DGeometry& geometry,
              int64_t groups = 1);

/// What pointwise_conv1d does after the product, and its layout.
struct PointwiseOptions {
    bool relu = false;            ///< relu(x W + bias) instead of x W + bias
    bool channels_first = false;  ///< x [B, C, L] and output [B, F, L] instead of [B, L, *]
};

/// The fused 1x1 convolution of SeparableConv1D's pointwise stage (and Conv1D with kernel_size
/// 1): x [B, L, C] and kernel [1, C, F], plus bias [F] when it is defined, then relu when
/// asked, give [B, L, F] (with channels_first, x [B, C, L] gives [B, F, L]). One graph node that
/// keeps only its inputs and output (relu's mask is output > 0), computed in cache-sized tiles
/// of time steps (core/kernels/pointwise.hpp). Differentiable in x, kernel and bias. Throws
/// ShapeError for ranks or sizes that do not match.
Tensor pointwise_conv1d(const Tensor& x, const Tensor& kernel, const Tensor& bias,
                        const PointwiseOptions& options = {});

// ---- 1-D pooling (core/pool.cpp, kernels in core/kernels/pool1d.*) ----
// Channels_last input x [batch, length, channels]; the pooling layers turn Keras's padding names
// and data formats into these arguments. Padding is never a candidate for the maximum and never
// counted in a mean (TensorFlow's MaxPool and AvgPool).

/// Where a pooling window falls: output step t covers input positions
/// [t * stride - pad_left, t * stride - pad_left + pool_size), clipped to [0, length).
struct Pool1DGeometry {
    int64_t pool_size = 1;
    int64_t stride = 1;
    /// Each pad must be < pool_size, so that every window holds at least one input position.
    int64_t pad_left = 0;
    int64_t pad_right = 0;

    /// Output steps for an input of `length`: (length + pads - pool_size) / stride + 1, floored.
    int64_t output_length(int64_t length) const;
};

/// [B, L, C] -> [B, Lout, C], the maximum of each window per channel. The gradient goes to the
/// first maximal element of each window, as TensorFlow's MaxPoolGrad does. Throws ShapeError for
/// a rank other than 3 or an output of no steps, ValueError for a pool_size or stride below 1 or
/// a pad outside [0, pool_size).
Tensor max_pool1d(const Tensor& x, const Pool1DGeometry& geometry);
/// [B, L, C] -> [B, Lout, C], the mean of each window's input positions (pads excluded from the
/// count). Errors as max_pool1d.
Tensor avg_pool1d(const Tensor& x, const Pool1DGeometry& geometry);
/// [B, L, C] -> [B, C], the mean over the steps, in one graph node. ShapeError for a rank other
/// than 3 or no steps.
Tensor global_avg_pool1d(const Tensor& x);
/// [B, L, C] -> [B, C], the maximum over the steps. Tied maxima share the gradient equally, as
/// TensorFlow's reduce_max gradient does. Errors as global_avg_pool1d.
Tensor global_max_pool1d(const Tensor& x);

// ---- activations (core/activations.cpp), named and defined as in Keras ----
Tensor linear(const Tensor& a);
Tensor relu(const Tensor& a);
Tensor relu6(const Tensor& a);
/// x >= 0 ? x : alpha x (Keras's activation default alpha is 0.2).
Tensor leaky_relu(const Tensor& a, float alpha = 0.2f);
/// x > 0 ? x : alpha (e^x - 1).
Tensor elu(const Tensor& a, float alpha = 1.0f);
Tensor selu(const Tensor& a);
Tensor softplus(const Tensor& a);
Tensor softsign(const Tensor& a);
Tensor sigmoid(const Tensor& a);
/// Keras 2: clip(0.2 x + 0.5, 0, 1).
Tensor hard_sigmoid(const Tensor& a);
Tensor tanh(const Tensor& a);
/// x sigmoid(x); `silu` is the same function.
Tensor swish(const Tensor& a);
Tensor silu(const Tensor& a);
/// 0.5 x (1 + erf(x / sqrt 2)), or with `approximate` the tanh form.
Tensor gelu(const Tensor& a, bool approximate = false);
Tensor exponential(const Tensor& a);
/// x tanh(softplus(x)).
Tensor mish(const Tensor& a);
/// Numerically stable (max subtracted) along `axis`.
Tensor softmax(const Tensor& a, int64_t axis = -1);
Tensor log_softmax(const Tensor& a, int64_t axis = -1);

}  // namespace minidl
