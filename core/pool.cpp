// The 1-D pooling ops: argument checks and autograd records around the kernels of
// core/kernels/pool1d.cpp. Each op is one graph node whose backward calls a hand-written kernel.
#include <string>
#include <utility>

#include "minidl/core/autograd.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/kernels/pool1d.hpp"
#include "minidl/core/ops.hpp"

namespace minidl {

int64_t Pool1DGeometry::output_length(int64_t length) const {
    return Conv1DGeometry{
        .kernel_size = pool_size, .stride = stride, .pad_left = pad_left, .pad_right = pad_right}
        .output_length(length);
}

namespace {

void check_rank3(const char* op, const Tensor& x) {
    if (x.rank() != 3) {
        throw ShapeError(std::string(op) + ": input must have rank 3 [batch, length, channels], " +
                         "got " + x.shape().to_string());
    }
}

void check_geometry(const char* op, const Pool1DGeometry& g) {
    for (const auto& [argument, value] :
         {std::pair{"pool_size", g.pool_size}, std::pair{"stride", g.stride}}) {
        if (value < 1) {
            throw ValueError(std::string(op) + ": " + argument + " must be >= 1, got " +
                             std::to_string(value));
        }
    }
    const auto inside = [&](int64_t pad) { return pad >= 0 && pad < g.pool_size; };
    if (!inside(g.pad_left) || !inside(g.pad_right)) {
        throw ValueError(std::string(op) +
                         ": pads must be in [0, pool_size = " + std::to_string(g.pool_size) +
                         "), got pad_left " + std::to_string(g.pad_left) + " and pad_right " +
                         std::to_string(g.pad_right));
    }
}

kernels::Pool1DSizes checked_sizes(const char* op, const Tensor& x, const Pool1DGeometry& g) {
    check_geometry(op, g);
    check_rank3(op, x);
    const kernels::Pool1DSizes sizes{x.size(0), x.size(1), x.size(2), g.output_length(x.size(1)),
                                     g};
    if (sizes.out_length < 1) {
        throw ShapeError(std::string(op) + ": input " + x.shape().to_string() +
                         " is too short for a pool_size of " + std::to_string(g.pool_size) +
                         " with pads " + std::to_string(g.pad_left) + "+" +
                         std::to_string(g.pad_right));
    }
    return sizes;
}

kernels::GlobalPool1DSizes checked_global_sizes(const char* op, const Tensor& x) {
    check_rank3(op, x);
    if (x.size(1) < 1) {
        throw ShapeError(std::string(op) + ": input " + x.shape().to_string() +
                         " has no steps to pool over");
    }
    return {x.size(0), x.size(1), x.size(2)};
}

/// Records `out` as op(x), one graph node whose backward has `write_grad_x(c, grad_x)` write the
/// whole gradient of x into a fresh tensor, then adds it.
template <class WriteGradX>
Tensor record_pool(Tensor out, const char* op, const Tensor& x, WriteGradX write_grad_x) {
    return record(std::move(out), op, {x}, [write_grad_x](const GradContext& c) {
        Tensor grad_x = empty(c.inputs[0].shape());
        write_grad_x(c, grad_x.data());
        c.add(0, grad_x);
    });
}

}  // namespace

Tensor max_pool1d(const Tensor& x, const Pool1DGeometry& geometry) {
    constexpr const char* op = "max_pool1d";
    const kernels::Pool1DSizes sizes = checked_sizes(op, x, geometry);
    Tensor out = empty({sizes.batch, sizes.out_length, sizes.channels});
    // The winners are kept only when backward may need them.
    const Tensor winners = grad_enabled() && x.requires_grad() ? empty(out.shape()) : Tensor();
    kernels::max_pool1d_forward(sizes, x.data(), out.data(),
                                winners.defined() ? winners.data() : nullptr);
    return record_pool(out, op, x, [sizes, winners](const GradContext& c, float* grad_x) {
        kernels::max_pool1d_backward(sizes, c.grad.data(), winners.data(), grad_x);
    });
}

Tensor avg_pool1d(const Tensor& x, const Pool1DGeometry& geometry) {
    constexpr const char* op = "avg_pool1d";
    const kernels::Pool1DSizes sizes = checked_sizes(op, x, geometry);
    Tensor out = empty({sizes.batch, sizes.out_length, sizes.channels});
    kernels::avg_pool1d_forward(sizes, x.data(), out.data());
    return record_pool(out, op, x, [sizes](const GradContext& c, float* grad_x) {
        kernels::avg_pool1d_backward(sizes, c.grad.data(), grad_x);
    });
}

Tensor global_avg_pool1d(const Tensor& x) {
    constexpr const char* op = "global_avg_pool1d";
    const kernels::GlobalPool1DSizes sizes = checked_global_sizes(op, x);
    Tensor out = empty({sizes.batch, sizes.channels});
    kernels::global_avg_pool1d_forward(sizes, x.data(), out.data());
    return record_pool(out, op, x, [sizes](const GradContext& c, float* grad_x) {
        kernels::global_avg_pool1d_backward(sizes, c.grad.data(), grad_x);
    });
}

Tensor global_max_pool1d(const Tensor& x) {
    constexpr const char* op = "global_max_pool1d";
    const kernels::GlobalPool1DSizes sizes = checked_global_sizes(op, x);
    Tensor out = empty({sizes.batch, sizes.channels});
    kernels::global_max_pool1d_forward(sizes, x.data(), out.data());
    return record_pool(out, op, x, [sizes](const GradContext& c, float* grad_x) {
        kernels::global_max_pool1d_backward(sizes, c.inputs[0].data(), c.output.data(),
                                            c.grad.data(), grad_x);
    });
}

}  // namespace minidl
