// The 1-D convolution ops: argument checks and autograd records around the kernels of
// core/kernels/conv1d.cpp. Each op is one graph node whose backward calls a hand-written kernel.
#include <string>

#include "minidl/core/autograd.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/kernels/conv1d.hpp"
#include "minidl/core/kernels/depthwise_channels_first.hpp"
#include "minidl/core/kernels/pointwise.hpp"
#include "minidl/core/ops.hpp"

namespace minidl {

int64_t Conv1DGeometry::output_length(int64_t length) const {
    if (stride < 1) return 0;  // no valid geometry; avoids a division by zero
    const int64_t span = length + pad_left + pad_right - dilated_kernel_size();
    // Floored division: a span of -1 with stride 2 is no output step, not one.
    const int64_t steps_after_first = span >= 0 ? span / stride : -((-span + stride - 1) / stride);
    return steps_after_first + 1;
}

namespace {

void check_at_least_one(const char* op, const char* argument, int64_t value) {
    if (value < 1) {
        throw ValueError(std::string(op) + ": " + argument + " must be >= 1, got " +
                         std::to_string(value));
    }
}

void check_geometry(const char* op, const Conv1DGeometry& g) {
    check_at_least_one(op, "kernel_size", g.kernel_size);
    check_at_least_one(op, "stride", g.stride);
    check_at_least_one(op, "dilation", g.dilation);
    if (g.pad_left < 0 || g.pad_right < 0) {
        throw ValueError(std::string(op) + ": pads must be >= 0, got pad_left " +
                         std::to_string(g.pad_left) + " and pad_right " +
                         std::to_string(g.pad_right));
    }
}

void check_rank3(const char* op, const char* what, const Tensor& t, const char* layout) {
    if (t.rank() != 3) {
        throw ShapeError(std::string(op) + ": " + what + " must have rank 3 " + layout + ", got " +
                         t.shape().to_string());
    }
}

/// Where a conv op's input keeps its length and channels.
struct InputLayout {
    int length_axis = 1;
    int channel_axis = 2;
    const char* name = "[batch, length, channels]";
};

constexpr InputLayout kChannelsLast{};
constexpr InputLayout kChannelsFirst{2, 1, "[batch, channels, length]"};

/// What the ops check: the geometry, x of rank 3 in `layout`, a rank-3 kernel with
/// geometry.kernel_size taps, and at least one output step. `kernel_layout` names the kernel's
/// axes for errors.
kernels::Conv1DSizes checked_sizes(const char* op, const Tensor& x, const Tensor& kernel,
                                   const Conv1DGeometry& geometry, const char* kernel_layout,
                                   const InputLayout& layout = kChannelsLast) {
    check_geometry(op, geometry);
    check_rank3(op, "input", x, layout.name);
    check_rank3(op, "kernel", kernel, kernel_layout);
    if (kernel.size(0) != geometry.kernel_size) {
        throw ShapeError(std::string(op) + ": kernel " + kernel.shape().to_string() + " has " +
                         std::to_string(kernel.size(0)) + " taps but geometry.kernel_size is " +
                         std::to_string(geometry.kernel_size));
    }
    const int64_t length = x.size(layout.length_axis);
    const kernels::Conv1DSizes sizes{x.size(0), length, x.size(layout.channel_axis),
                                     geometry.output_length(length), geometry};
    if (sizes.out_length < 1) {
        throw ShapeError(std::string(op) + ": input " + x.shape().to_string() +
                         " is too short for a kernel of dilated size " +
                         std::to_string(geometry.dilated_kernel_size()) + " with pads " +
                         std::to_string(geometry.pad_left) + "+" +
                         std::to_string(geometry.pad_right));
    }
    return sizes;
}

std::string shapes_of(const Tensor& x, const Tensor& kernel) {
    return "input " + x.shape().to_string() + " and kernel " + kernel.shape().to_string();
}

}  // namespace

Tensor depthwise_conv1d(const Tensor& x, const Tensor& kernel, const Conv1DGeometry& geometry,
                        const DepthwiseOptions& options) {
    constexpr const char* op = "depthwise_conv1d";
    const bool channels_first = options.channels_first;
    const InputLayout& layout = channels_first ? kChannelsFirst : kChannelsLast;
    const kernels::Conv1DSizes sizes =
        checked_sizes(op, x, kernel, geometry, "[kernel_size, channels, depth_multiplier]", layout);
    if (kernel.size(1) != sizes.channels) {
        throw ShapeError(std::string(op) + ": the kernel's channels (axis 1) must equal the " +
                         "input's channels (axis " + std::to_string(layout.channel_axis) +
                         "), got " + shapes_of(x, kernel));
    }
    const int64_t multiplier = kernel.size(2);
    const int64_t depth = sizes.channels * multiplier;
    Tensor out = empty(channels_first ? Shape{sizes.batch, depth, sizes.out_length}
                                      : Shape{sizes.batch, sizes.out_length, depth});
    const auto forward = channels_first ? kernels::depthwise_conv1d_channels_first_forward
                                        : kernels::depthwise_conv1d_forward;
    forward(sizes, multiplier, x.data(), kernel.data(), out.data());
    return record(out, op, {x, kernel}, [sizes, multiplier, channels_first](const GradContext& c) {
        const Tensor& x = c.inputs[0];
        const Tensor& kernel = c.inputs[1];
        const Tensor grad_x = c.needs(0) ? empty(x.shape()) : Tensor();
        const Tensor grad_kernel = c.needs(1) ? empty(kernel.shape()) : Tensor();
        const auto backward = channels_first ? kernels::depthwise_conv1d_channels_first_backward
                                             : kernels::depthwise_conv1d_backward;
        backward(sizes, multiplier, c.grad.data(), x.data(), kernel.data(),
                 grad_x.defined() ? grad_x.data() : nullptr,
                 grad_kernel.defined() ? grad_kernel.data() : nullptr);
        if (grad_x.defined()) c.add(0, grad_x);
        if (grad_kernel.defined()) c.add(1, grad_kernel);
    });
}

Tensor conv1d(const Tensor& x, const Tensor& kernel, const Conv1DGeometry& geometry,
              int64_t groups) {
    constexpr const char* op = "conv1d";
    const kernels::Conv1DSizes sizes =
        checked_sizes(op, x, kernel, geometry, "[kernel_size, channels / groups, filters]");
    check_at_least_one(op, "groups", groups);
    const int64_t filters = kernel.size(2);
    if (sizes.channels % groups != 0 || filters % groups != 0) {
        throw ShapeError(std::string(op) + ": groups " + std::to_string(groups) +
                         " must divide the input channels (" + std::to_string(sizes.channels) +
                         ") and the filters (" + std::to_string(filters) + "), got " +
                         shapes_of(x, kernel));
    }
    if (kernel.size(1) * groups != sizes.channels) {
        throw ShapeError(std::string(op) + ": the kernel's axis 1 must be channels / groups = " +
                         std::to_string(sizes.channels / groups) + ", got " + shapes_of(x, kernel) +
                         " with groups " + std::to_string(groups));
    }
    Tensor out = empty({sizes.batch, sizes.out_length, filters});
    kernels::conv1d_forward(sizes, filters, groups, x.data(), kernel.data(), out.data());
    return record(out, op, {x, kernel}, [sizes, filters, groups](const GradContext& c) {
        const Tensor& x = c.inputs[0];
        const Tensor& kernel = c.inputs[1];
        const Tensor grad_x = c.needs(0) ? empty(x.shape()) : Tensor();
        const Tensor grad_kernel = c.needs(1) ? empty(kernel.shape()) : Tensor();
        kernels::conv1d_backward(sizes, filters, groups, c.grad.data(), x.data(), kernel.data(),
                                 grad_x.defined() ? grad_x.data() : nullptr,
                                 grad_kernel.defined() ? grad_kernel.data() : nullptr);
        if (grad_x.defined()) c.add(0, grad_x);
        if (grad_kernel.defined()) c.add(1, grad_kernel);
    });
}

Tensor pointwise_conv1d(const Tensor& x, const Tensor& kernel, const Tensor& bias,
                        const PointwiseOptions& options) {
    constexpr const char* op = "pointwise_conv1d";
    const InputLayout& layout = options.channels_first ? kChannelsFirst : kChannelsLast;
    check_rank3(op, "input", x, layout.name);
    check_rank3(op, "kernel", kernel, "[1, channels, filters]");
    if (kernel.size(0) != 1 || kernel.size(1) != x.size(layout.channel_axis)) {
        throw ShapeError(std::string(op) + ": the kernel must be [1, channels, filters] with the " +
                         "input's channels, got " + shapes_of(x, kernel));
    }
    const kernels::PointwiseSizes sizes{x.size(0),      x.size(layout.length_axis),
                                        kernel.size(1), kernel.size(2),
                                        options.relu,   options.channels_first};
    if (bias.defined() && bias.shape() != Shape{sizes.filters}) {
        throw ShapeError(std::string(op) + ": the bias must be [" + std::to_string(sizes.filters) +
                         "], got " + bias.shape().to_string());
    }
    Tensor out = empty(sizes.channels_first ? Shape{sizes.batch, sizes.filters, sizes.length}
                                            : Shape{sizes.batch, sizes.length, sizes.filters});
    kernels::pointwise_conv1d_forward(sizes, x.data(), kernel.data(),
                                      bias.defined() ? bias.data() : nullptr, out.data());
    auto backward = [sizes](const GradContext& c) {
        const Tensor& x = c.inputs[0];
        const Tensor& kernel = c.inputs[1];
        const bool bias_wanted = c.inputs.size() > 2 && c.needs(2);
        const Tensor grad_x = c.needs(0) ? empty(x.shape()) : Tensor();
        const Tensor grad_kernel = c.needs(1) ? empty(kernel.shape()) : Tensor();
        const Tensor grad_bias = bias_wanted ? empty(c.inputs[2].shape()) : Tensor();
        kernels::pointwise_conv1d_backward(sizes, c.grad.data(), c.output.data(), x.data(),
                                           kernel.data(),
                                           grad_x.defined() ? grad_x.data() : nullptr,
                                           grad_kernel.defined() ? grad_kernel.data() : nullptr,
                                           grad_bias.defined() ? grad_bias.data() : nullptr);
        if (grad_x.defined()) c.add(0, grad_x);
        if (grad_kernel.defined()) c.add(1, grad_kernel);
        if (grad_bias.defined()) c.add(2, grad_bias);
    };
    if (bias.defined()) return record(out, op, {x, kernel, bias}, std::move(backward));
    return record(out, op, {x, kernel}, std::move(backward));
}

}  // namespace minidl
