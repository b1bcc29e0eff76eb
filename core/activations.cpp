// Keras activations (KERAS_SEMANTICS.md §7, tf.keras 2.x formulas). The elementwise ones are
// single Eigen expressions with hand-derived backward expressions; softmax and log_softmax share
// one kernel over an (outer, n, inner) view of the tensor.
#include <unsupported/Eigen/SpecialFunctions>

#include <algorithm>
#include <string>
#include <type_traits>

#include "minidl/core/error.hpp"
#include "minidl/core/op_helpers.hpp"

namespace minidl {
namespace {

using detail::unary_op;
using kernels::ArrayMap;

// SELU's constants, as in Keras (Klambauer et al. 2017).
constexpr float kSeluAlpha = 1.6732632423543772f;
constexpr float kSeluScale = 1.0507009873554805f;
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;   // the standard normal density at 0
constexpr float kSqrt2OverPi = 0.79788456080286536f;  // of GELU's tanh approximation
constexpr float kGeluCubic = 0.044715f;

// The helpers below return lazy Eigen expressions. Eigen nests sub-expressions by value, so the
// returned expression stays valid after the helper's locals are gone.
//
// Speed: Eigen 3.4's select() has no vectorised path, so an expression containing a select is
// evaluated one scalar at a time, and a scalar exp/log/tanh costs about ten vectorised ones.
// Selects therefore only appear in expressions of plain arithmetic (which GCC vectorises
// itself); branches around transcendental functions are written with min/max instead.

// 1 / (1 + e^-x). Stable as it stands in IEEE arithmetic: for x << 0, e^-x is huge (exact to an
// ulp) or +inf, giving a tiny value or 0; for x >> 0 it is 1.
template <class X>
auto sigmoid_expr(const X& x) {
    return (1.0f + (-x).exp()).inverse();
}

// ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): the direct form overflows for large x and loses
// every digit for x << 0.
template <class X>
auto softplus_expr(const X& x) {
    return x.max(0.0f) + (-x.abs()).exp().log1p();
}

// The standard normal CDF, Phi(x) = (1 + erf(x / sqrt 2)) / 2.
template <class X>
auto normal_cdf_expr(const X& x) {
    return 0.5f * (1.0f + (x * kInvSqrt2).erf());
}

// GELU's tanh approximation 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), equals
// x sigmoid(2u): the sigmoid form keeps full precision where tanh(u) rounds to -1 (x < -4).
// Returns 2u.
template <class X>
auto gelu_tanh_argument(const X& x) {
    return (2.0f * kSqrt2OverPi) * (x + kGeluCubic * x.cube());
}

// x > 0 ? scale x : scale alpha (e^x - 1), the shared form of elu and selu, written as
// scale (max(x, 0) + alpha expm1(min(x, 0))) to stay vectorised. The negative side's derivative
// scale alpha e^x is y + scale alpha (exact to an ulp of scale alpha, with no exp).
Tensor scaled_elu(const Tensor& a, const char* name, float alpha, float scale) {
    return unary_op(
        a, name, [=](const auto& x) { return scale * (x.max(0.0f) + alpha * x.min(0.0f).expm1()); },
        [=](const auto& x, const auto& y, const auto& g) {
            return (x > 0.0f).select(scale * g, g * (y + scale * alpha));
        });
}

// ---- softmax / log_softmax ----

// The tensor seen as [outer, n, inner] with n the softmax axis.
struct AxisLayout {
    int64_t outer = 1;
    int64_t n = 1;
    int64_t inner = 1;
};

AxisLayout axis_layout(const Tensor& a, int64_t axis, const char* op) {
    const Shape& shape = a.shape();
    if (shape.rank() == 0) {
        throw ShapeError(std::string(op) + ": needs a tensor of rank >= 1 (a softmax axis), got " +
                         shape.to_string());
    }
    const int k = shape.normalize_axis(axis, op);
    AxisLayout layout;
    for (int i = 0; i < k; ++i) layout.outer *= shape[i];
    layout.n = shape[k];
    for (int i = k + 1; i < shape.rank(); ++i) layout.inner *= shape[i];
    return layout;
}

template <int Order>
using ConstColumns = Eigen::Map<const Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Order>>;
template <int Order>
using Columns = Eigen::Map<Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Order>>;
using RowScratch = Eigen::Map<Eigen::Array<float, 1, Eigen::Dynamic>>;

using ColMajor = std::integral_constant<int, Eigen::ColMajor>;
using RowMajor = std::integral_constant<int, Eigen::RowMajor>;

// Splits the tensor into (n x k) blocks whose columns are independent softmax vectors and calls
// block(order, offset, k, scratch) for each, where `order` (ColMajor/RowMajor) is the block's
// storage order and `scratch` holds 2k floats. With inner == 1 a run of consecutive rows forms
// one column-major block; otherwise each [n, inner] slice is a row-major block whose columns
// are the inner lanes, so the reductions are vectorised across lanes. The chunks depend only
// on the shape, never on the thread count.
template <class Block>
void for_each_block(const AxisLayout& layout, const Block& block) {
    const int64_t slice = layout.n * layout.inner;
    if (layout.outer == 0 || slice == 0) return;
    const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / slice);
    parallel_for(layout.outer, grain, [&](int64_t begin, int64_t end) {
        if (layout.inner == 1) {
            Eigen::ArrayXf scratch(2 * (end - begin));
            block(ColMajor{}, begin * layout.n, end - begin, scratch.data());
            return;
        }
        Eigen::ArrayXf scratch(2 * layout.inner);  // one per chunk, reused by its slices
        for (int64_t o = begin; o < end; ++o) {
            block(RowMajor{}, o * slice, layout.inner, scratch.data());
        }
    });
}

// e^v for every value of a block, over its contiguous storage: vectorised even when the columns
// are short (a few classes), where a per-column exp would run scalar.
template <class Block>
void exp_in_place(Block& v) {
    ArrayMap flat(v.data(), v.size());
    flat = flat.exp();
}

// Softmax (or log-softmax) down each column of x, with the column maximum subtracted first.
// `max` and `sum` are scratch rows of x.cols() floats.
template <class In, class Out>
void softmax_columns(const In& x, Out& y, RowScratch max, RowScratch sum, bool log_space) {
    max = x.colwise().maxCoeff();
    y = x.rowwise() - max;
    exp_in_place(y);
    sum = y.colwise().sum();
    if (log_space) {
        max += sum.log();  // the logsumexp of each column
        y = x.rowwise() - max;
    } else {
        sum = sum.inverse();
        y.rowwise() *= sum;
    }
}

// dx from the output y and its gradient g: softmax: y (g - sum(g y)); log-softmax:
// g - e^y sum(g).
template <class In, class Out>
void softmax_backward_columns(const In& y, const In& g, Out& dx, RowScratch sum, bool log_space) {
    if (log_space) {
        sum = g.colwise().sum();
        dx = y;
        exp_in_place(dx);
        dx = g - (dx.rowwise() * sum);
    } else {
        sum = (g * y).colwise().sum();
        dx = y * (g.rowwise() - sum);
    }
}

Tensor softmax_op(const Tensor& a, int64_t axis, const char* name, bool log_space) {
    const AxisLayout layout = axis_layout(a, axis, name);
    Tensor out = empty(a.shape());
    const float* x = a.data();
    float* y = out.data();
    for_each_block(layout, [&](auto order, int64_t offset, int64_t k, float* scratch) {
        constexpr int kOrder = decltype(order)::value;
        const ConstColumns<kOrder> in(x + offset, layout.n, k);
        Columns<kOrder> result(y + offset, layout.n, k);
        softmax_columns(in, result, RowScratch(scratch, k), RowScratch(scratch + k, k), log_space);
    });
    return record(out, name, {a}, [layout, log_space](const GradContext& c) {
        Tensor dx = empty(c.output.shape());
        const float* y = c.output.data();
        const float* g = c.grad.data();
        float* d = dx.data();
        for_each_block(layout, [&](auto order, int64_t offset, int64_t k, float* scratch) {
            constexpr int kOrder = decltype(order)::value;
            const ConstColumns<kOrder> out(y + offset, layout.n, k);
            const ConstColumns<kOrder> grad(g + offset, layout.n, k);
            Columns<kOrder> result(d + offset, layout.n, k);
            softmax_backward_columns(out, grad, result, RowScratch(scratch, k), log_space);
        });
        c.add(0, dx);
    });
}

}  // namespace

// Keras returns its input unchanged; so does minidl (no copy, no graph node).
Tensor linear(const Tensor& a) { return a; }

Tensor relu(const Tensor& a) {
    return unary_op(
        a, "relu", [](const auto& x) { return x.max(0.0f); },
        [](const auto& x, const auto&, const auto& g) { return (x > 0.0f).select(g, 0.0f); });
}

Tensor relu6(const Tensor& a) {
    return unary_op(
        a, "relu6", [](const auto& x) { return x.max(0.0f).min(6.0f); },
        [](const auto& x, const auto&, const auto& g) {
            return ((x > 0.0f) && (x < 6.0f)).select(g, 0.0f);
        });
}

Tensor leaky_relu(const Tensor& a, float alpha) {
    return unary_op(
        a, "leaky_relu", [alpha](const auto& x) { return (x >= 0.0f).select(x, alpha * x); },
        [alpha](const auto& x, const auto&, const auto& g) {
            return (x >= 0.0f).select(g, alpha * g);
        });
}

Tensor elu(const Tensor& a, float alpha) { return scaled_elu(a, "elu", alpha, 1.0f); }

Tensor selu(const Tensor& a) { return scaled_elu(a, "selu", kSeluAlpha, kSeluScale); }

Tensor softplus(const Tensor& a) {
    return unary_op(
        a, "softplus", [](const auto& x) { return softplus_expr(x); },
        [](const auto& x, const auto&, const auto& g) { return g * sigmoid_expr(x); });
}

Tensor softsign(const Tensor& a) {
    return unary_op(
        a, "softsign", [](const auto& x) { return x / (1.0f + x.abs()); },
        [](const auto& x, const auto&, const auto& g) { return g / (1.0f + x.abs()).square(); });
}

Tensor sigmoid(const Tensor& a) {
    return unary_op(
        a, "sigmoid", [](const auto& x) { return sigmoid_expr(x); },
        [](const auto&, const auto& y, const auto& g) { return g * y * (1.0f - y); });
}

Tensor hard_sigmoid(const Tensor& a) {
    return unary_op(
        a, "hard_sigmoid", [](const auto& x) { return (0.2f * x + 0.5f).max(0.0f).min(1.0f); },
        [](const auto& x, const auto&, const auto& g) {
            return ((x > -2.5f) && (x < 2.5f)).select(0.2f * g, 0.0f);
        });
}

Tensor tanh(const Tensor& a) {
    return unary_op(
        a, "tanh", [](const auto& x) { return x.tanh(); },
        [](const auto&, const auto& y, const auto& g) { return g * (1.0f - y.square()); });
}

Tensor swish(const Tensor& a) {
    // d/dx x s(x) = s + x s (1 - s) = s + y (1 - s).
    return unary_op(
        a, "swish", [](const auto& x) { return x * sigmoid_expr(x); },
        [](const auto& x, const auto& y, const auto& g) {
            const auto s = sigmoid_expr(x);
            return g * (s + y * (1.0f - s));
        });
}

Tensor silu(const Tensor& a) { return swish(a); }

Tensor gelu(const Tensor& a, bool approximate) {
    if (approximate) {
        // d/dx x s(v) = s + x s (1 - s) v', with v = 2u and s = sigmoid(v).
        return unary_op(
            a, "gelu", [](const auto& x) { return x * sigmoid_expr(gelu_tanh_argument(x)); },
            [](const auto& x, const auto&, const auto& g) {
                // Beyond |x| = 10 the slope is 0 or 1 to float precision; clamping gives the same
                // slope there and keeps x^2 from overflowing into 0 * inf = NaN.
                const auto xc = x.max(-10.0f).min(10.0f);
                const auto s = sigmoid_expr(gelu_tanh_argument(xc));
                const auto v_slope =
                    (2.0f * kSqrt2OverPi) * (1.0f + 3.0f * kGeluCubic * xc.square());
                return g * (s + xc * s * (1.0f - s) * v_slope);
            });
    }
    // d/dx x Phi(x) = Phi(x) + x phi(x).
    return unary_op(
        a, "gelu", [](const auto& x) { return x * normal_cdf_expr(x); },
        [](const auto& x, const auto&, const auto& g) {
            return g * (normal_cdf_expr(x) + x * (kInvSqrt2Pi * (-0.5f * x.square()).exp()));
        });
}

Tensor exponential(const Tensor& a) {
    return unary_op(
        a, "exponential", [](const auto& x) { return x.exp(); },
        [](const auto&, const auto& y, const auto& g) { return g * y; });
}

Tensor mish(const Tensor& a) {
    // d/dx x tanh(sp(x)) = t + x (1 - t^2) sigmoid(x), as sp'(x) = sigmoid(x).
    return unary_op(
        a, "mish", [](const auto& x) { return x * softplus_expr(x).tanh(); },
        [](const auto& x, const auto&, const auto& g) {
            const auto t = softplus_expr(x).tanh();
            return g * (t + x * (1.0f - t.square()) * sigmoid_expr(x));
        });
}

Tensor softmax(const Tensor& a, int64_t axis) { return softmax_op(a, axis, "softmax", false); }

Tensor log_softmax(const Tensor& a, int64_t axis) {
    return softmax_op(a, axis, "log_softmax", true);
}

}  // namespace minidl
