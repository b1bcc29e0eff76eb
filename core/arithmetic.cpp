// Broadcasting arithmetic, comparisons and selection.
#include <cmath>

#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/op_helpers.hpp"

namespace minidl {

using detail::add_unbroadcast;
using detail::binary_op;
using detail::unary_op;

Tensor add(const Tensor& a, const Tensor& b) {
    return binary_op(
        a, b, "add", [](float x, float y) { return x + y; },
        [](const GradContext& c) {
            if (c.needs(0)) add_unbroadcast(c, 0, c.grad);
            if (c.needs(1)) add_unbroadcast(c, 1, c.grad);
        });
}

Tensor sub(const Tensor& a, const Tensor& b) {
    return binary_op(
        a, b, "sub", [](float x, float y) { return x - y; },
        [](const GradContext& c) {
            if (c.needs(0)) add_unbroadcast(c, 0, c.grad);
            if (c.needs(1)) add_unbroadcast(c, 1, neg(c.grad));
        });
}

Tensor mul(const Tensor& a, const Tensor& b) {
    return binary_op(
        a, b, "mul", [](float x, float y) { return x * y; },
        [](const GradContext& c) {
            if (c.needs(0)) add_unbroadcast(c, 0, c.grad * c.inputs[1]);
            if (c.needs(1)) add_unbroadcast(c, 1, c.grad * c.inputs[0]);
        });
}

Tensor div(const Tensor& a, const Tensor& b) {
    return binary_op(
        a, b, "div", [](float x, float y) { return x / y; },
        [](const GradContext& c) {
            if (c.needs(0)) add_unbroadcast(c, 0, c.grad / c.inputs[1]);
            // d(a/b)/db = -(a/b)/b
            if (c.needs(1)) add_unbroadcast(c, 1, neg(c.grad * c.output / c.inputs[1]));
        });
}

// NaN propagates from either side, as in NumPy and PyTorch.
Tensor maximum(const Tensor& a, const Tensor& b) {
    return binary_op(
        a, b, "maximum", [](float x, float y) { return x >= y || std::isnan(x) ? x : y; },
        [](const GradContext& c) {
            const Tensor a_wins = greater_equal(c.inputs[0], c.inputs[1]);
            if (c.needs(0)) add_unbroadcast(c, 0, c.grad * a_wins);
            if (c.needs(1)) add_unbroadcast(c, 1, c.grad * (1.0f - a_wins));
        });
}

Tensor minimum(const Tensor& a, const Tensor& b) {
    return binary_op(
        a, b, "minimum", [](float x, float y) { return x <= y || std::isnan(x) ? x : y; },
        [](const GradContext& c) {
            const Tensor a_wins = less_equal(c.inputs[0], c.inputs[1]);
            if (c.needs(0)) add_unbroadcast(c, 0, c.grad * a_wins);
            if (c.needs(1)) add_unbroadcast(c, 1, c.grad * (1.0f - a_wins));
        });
}

Tensor pow(const Tensor& a, const Tensor& b) {
    return binary_op(
        a, b, "pow", [](float x, float y) { return std::pow(x, y); },
        [](const GradContext& c) {
            const Tensor& base = c.inputs[0];
            const Tensor& exponent = c.inputs[1];
            if (c.needs(0)) {
                add_unbroadcast(c, 0, c.grad * exponent * pow(base, exponent - 1.0f));
            }
            if (c.needs(1)) add_unbroadcast(c, 1, c.grad * c.output * log(base));
        });
}

Tensor pow(const Tensor& a, float exponent) {
    if (exponent == 0.0f) {
        // x^0 = 1 everywhere; the general derivative would give 0 * 0^-1 = NaN at x = 0.
        return unary_op(
            a, "pow", [](const auto& x) { return x.pow(0.0f); },
            [](const auto&, const auto&, const auto& g) { return g * 0.0f; });
    }
    return unary_op(
        a, "pow", [exponent](const auto& x) { return x.pow(exponent); },
        [exponent](const auto& x, const auto&, const auto& g) {
            return g * exponent * x.pow(exponent - 1.0f);
        });
}

namespace {

// a + b for a scalar b, recorded as `name` ("add", or "sub" for a - (-b)).
Tensor shift(const Tensor& a, float b, const char* name) {
    return unary_op(
        a, name, [b](const auto& x) { return x + b; },
        [](const auto&, const auto&, const auto& g) { return g; });
}

}  // namespace

Tensor add(const Tensor& a, float b) { return shift(a, b, "add"); }
Tensor sub(const Tensor& a, float b) { return shift(a, -b, "sub"); }

Tensor sub(float a, const Tensor& b) {
    return unary_op(
        b, "sub", [a](const auto& x) { return a - x; },
        [](const auto&, const auto&, const auto& g) { return -g; });
}

Tensor mul(const Tensor& a, float b) {
    return unary_op(
        a, "mul", [b](const auto& x) { return x * b; },
        [b](const auto&, const auto&, const auto& g) { return g * b; });
}

Tensor div(const Tensor& a, float b) {
    return unary_op(
        a, "div", [b](const auto& x) { return x / b; },
        [b](const auto&, const auto&, const auto& g) { return g / b; });
}

Tensor div(float a, const Tensor& b) {
    return unary_op(
        b, "div", [a](const auto& x) { return a / x; },
        [](const auto& x, const auto& y, const auto& g) { return -g * y / x; });
}

Tensor neg(const Tensor& a) {
    return unary_op(
        a, "neg", [](const auto& x) { return -x; },
        [](const auto&, const auto&, const auto& g) { return -g; });
}

namespace {

template <class Predicate>
Tensor compare(const Tensor& a, const Tensor& b, const char* name, const Predicate& predicate) {
    Tensor out = empty(broadcast_shapes(a.shape(), b.shape(), name));
    kernels::broadcast_binary(a, b, out,
                              [&](float x, float y) { return predicate(x, y) ? 1.0f : 0.0f; });
    return out;
}

}  // namespace

Tensor greater(const Tensor& a, const Tensor& b) {
    return compare(a, b, "greater", [](float x, float y) { return x > y; });
}
Tensor greater_equal(const Tensor& a, const Tensor& b) {
    return compare(a, b, "greater_equal", [](float x, float y) { return x >= y; });
}
Tensor less(const Tensor& a, const Tensor& b) {
    return compare(a, b, "less", [](float x, float y) { return x < y; });
}
Tensor less_equal(const Tensor& a, const Tensor& b) {
    return compare(a, b, "less_equal", [](float x, float y) { return x <= y; });
}
Tensor equal(const Tensor& a, const Tensor& b) {
    return compare(a, b, "equal", [](float x, float y) { return x == y; });
}

Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b) {
    const Shape shape =
        broadcast_shapes(mask.shape(), broadcast_shapes(a.shape(), b.shape(), "where"), "where");
    const Tensor m = broadcast_to(mask.detach(), shape);
    const Tensor x = broadcast_to(a.detach(), shape);
    const Tensor y = broadcast_to(b.detach(), shape);
    Tensor out = empty(shape);
    const float *pm = m.data(), *px = x.data(), *py = y.data();
    float* po = out.data();
    parallel_for(out.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) po[i] = pm[i] != 0.0f ? px[i] : py[i];
    });
    return record(out, "where", {mask, a, b}, [](const GradContext& c) {
        const Tensor zero = zeros({});
        if (c.needs(1)) add_unbroadcast(c, 1, where(c.inputs[0], c.grad, zero));
        if (c.needs(2)) add_unbroadcast(c, 2, where(c.inputs[0], zero, c.grad));
    });
}

}  // namespace minidl
