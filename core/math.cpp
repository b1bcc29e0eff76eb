// Elementwise math functions.
#include "minidl/core/op_helpers.hpp"

namespace minidl {

using detail::unary_op;

Tensor exp(const Tensor& a) {
    return unary_op(
        a, "exp", [](const auto& x) { return x.exp(); },
        [](const auto&, const auto& y, const auto& g) { return g * y; });
}

Tensor log(const Tensor& a) {
    return unary_op(
        a, "log", [](const auto& x) { return x.log(); },
        [](const auto& x, const auto&, const auto& g) { return g / x; });
}

Tensor sqrt(const Tensor& a) {
    return unary_op(
        a, "sqrt", [](const auto& x) { return x.sqrt(); },
        [](const auto&, const auto& y, const auto& g) { return g * 0.5f / y; });
}

Tensor abs(const Tensor& a) {
    // The subgradient at 0 is 0, as in PyTorch and TensorFlow.
    return unary_op(
        a, "abs", [](const auto& x) { return x.abs(); },
        [](const auto& x, const auto&, const auto& g) { return g * x.sign(); });
}

Tensor square(const Tensor& a) {
    return unary_op(
        a, "square", [](const auto& x) { return x.square(); },
        [](const auto& x, const auto&, const auto& g) { return 2.0f * g * x; });
}

Tensor clamp(const Tensor& a, float min_value, float max_value) {
    return unary_op(
        a, "clamp", [=](const auto& x) { return x.max(min_value).min(max_value); },
        [=](const auto& x, const auto&, const auto& g) {
            return ((x >= min_value) && (x <= max_value)).select(g, 0.0f);
        });
}

}  // namespace minidl
