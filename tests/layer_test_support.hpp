// Helpers shared by the layer tests (test_layer*.cpp, test_separable_conv1d.cpp).
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

namespace minidl::testing {

/// Distinct, exactly representable values start, start + step, ... in `shape`.
inline Tensor ramp(const Shape& shape, float start = 0.5f, float step = 0.25f) {
    std::vector<float> values(static_cast<std::size_t>(shape.numel()));
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = start + step * static_cast<float>(i);
    return tensor(values, shape);
}

/// The names of `weights`, in order.
inline std::vector<std::string> names_of(const std::vector<Parameter>& weights) {
    std::vector<std::string> names;
    for (const Parameter& weight : weights) names.push_back(weight.name());
    return names;
}

/// sum of squares in double, for hand-computed L2 penalties.
inline double sum_of_squares(const Tensor& t) {
    double total = 0.0;
    for (float v : t.to_vector()) total += static_cast<double>(v) * v;
    return total;
}

/// Every element of `actual` equals `expected` up to float rounding.
inline void check_close(const Tensor& actual, const Tensor& expected, double epsilon = 1e-5) {
    REQUIRE(actual.shape() == expected.shape());
    const std::vector<float> a = actual.to_vector();
    const std::vector<float> e = expected.to_vector();
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("element " << i);
        CHECK(a[i] == Approx(e[i]).epsilon(epsilon).margin(1e-6));
    }
}

/// Compares the gradient backward() leaves on each of `layer`'s trainable weights with central
/// differences of sum(layer(x) * r), r a fixed random weighting (as gradcheck.hpp does for ops).
inline void check_weight_gradients(Layer& layer, const Tensor& x, double eps = 1e-3,
                                   double tolerance = 5e-3) {
    const Tensor y = layer(x);
    for (const Parameter& weight : layer.weights()) weight.zero_grad();
    Generator gen(77);
    const Tensor r = uniform(y.shape(), -1.0f, 1.0f, gen);
    sum(y * r).backward();
    auto objective = [&] {
        NoGradGuard no_grad;
        double total = 0.0;
        const std::vector<float> out = layer(x).to_vector();
        const std::vector<float> weights = r.to_vector();
        for (std::size_t i = 0; i < out.size(); ++i)
            total += static_cast<double>(out[i]) * weights[i];
        return total;
    };
    for (const Parameter& weight : layer.trainable_weights()) {
        INFO(weight.name());
        const Tensor grad = weight.grad();
        REQUIRE(grad.defined());
        float* values = weight.data();
        for (int64_t j = 0; j < weight.numel(); ++j) {
            const float saved = values[j];
            values[j] = static_cast<float>(saved + eps);
            const double plus = objective();
            values[j] = static_cast<float>(saved - eps);
            const double minus = objective();
            values[j] = saved;
            const double numeric = (plus - minus) / (2.0 * eps);
            INFO("element " << j);
            CHECK(grad.data()[j] == Approx(numeric).margin(tolerance).epsilon(1e-2));
        }
    }
}

}  // namespace minidl::testing
