// Building blocks for writing ops (internal): a kernel plus its autograd record in one call.
#pragma once

#include <vector>

#include "minidl/core/autograd.hpp"
#include "minidl/core/kernels/elementwise.hpp"
#include "minidl/core/ops.hpp"

namespace minidl::detail {

/// An elementwise op y = forward(x) with dx = backward(x, y, g), both Eigen array expressions:
///   unary_op(x, "exp", [](const auto& x) { return x.exp(); },
///            [](const auto&, const auto& y, const auto& g) { return g * y; });
template <class Forward, class Backward>
Tensor unary_op(const Tensor& x, const char* name, const Forward& forward,
                const Backward& backward) {
    Tensor y = empty(x.shape());
    kernels::map_unary(x.data(), y.data(), x.numel(), forward);
    return record(y, name, {x}, [backward](const GradContext& c) {
        const Tensor& input = c.inputs[0];
        Tensor dx = empty(input.shape());
        kernels::map_ternary(input.data(), c.output.data(), c.grad.data(), dx.data(), input.numel(),
                             backward);
        c.add(0, dx);
    });
}

/// Adds a gradient computed at the broadcast (output) shape to input `i`, summed down to the
/// input's own shape.
inline void add_unbroadcast(const GradContext& c, std::size_t i, const Tensor& g) {
    c.add(i, sum_to(g, c.inputs[i].shape()));
}

/// A broadcasting binary op: out = f(a, b) with a scalar f; `backward` receives the
/// GradContext (inputs a, b) and adds both gradients.
template <class F, class Backward>
Tensor binary_op(const Tensor& a, const Tensor& b, const char* name, const F& f,
                 Backward backward) {
    Tensor out = empty(broadcast_shapes(a.shape(), b.shape(), name));
    kernels::broadcast_binary(a, b, out, f);
    return record(out, name, {a, b}, std::move(backward));
}

/// Which axes of `shape` a reduction runs over, as a mask; an empty list means every axis.
/// Throws IndexError for an axis out of range and ValueError for a repeated one (core/reduce.cpp).
std::vector<bool> reduction_mask(const Shape& shape, const Axes& axes, const char* op);

/// The permutation that undoes `order` (result[order[i]] = i).
template <class Order>
Axes inverse_permutation(const Order& order) {
    Axes inverse(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) inverse[order[i]] = static_cast<int64_t>(i);
    return inverse;
}

}  // namespace minidl::detail
