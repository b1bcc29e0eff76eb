// Elementwise math: exp, log, sqrt, abs, square, clamp. Forward values against <cmath>,
// gradients away from kinks, the subgradients chosen at the kinks, and IEEE edge values.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>

#include <minidl/core/parallel.hpp>

#include "gradcheck.hpp"

using namespace minidl;

namespace {

/// An elementwise function, its <cmath> reference, and a range where it is smooth.
struct UnaryFunction {
    const char* name;
    std::function<Tensor(const Tensor&)> op;
    std::function<float(float)> reference;
    float low, high;
};

const std::vector<UnaryFunction>& unary_functions() {
    static const std::vector<UnaryFunction> functions{
        {"exp", [](auto& x) { return exp(x); }, [](float v) { return std::exp(v); }, -3.0f, 3.0f},
        {"log", [](auto& x) { return log(x); }, [](float v) { return std::log(v); }, 0.2f, 5.0f},
        {"sqrt", [](auto& x) { return sqrt(x); }, [](float v) { return std::sqrt(v); }, 0.2f, 5.0f},
        {"abs", [](auto& x) { return abs(x); }, [](float v) { return std::abs(v); }, -3.0f, 3.0f},
        {"square", [](auto& x) { return square(x); }, [](float v) { return v * v; }, -3.0f, 3.0f},
        {"clamp", [](auto& x) { return clamp(x, -1.0f, 1.5f); },
         [](float v) { return std::min(std::max(v, -1.0f), 1.5f); }, -3.0f, 3.0f},
    };
    return functions;
}

/// Values in [low, high] that keep at least `margin` away from each of `kinks`, so that
/// central differences do not straddle a kink.
Tensor away_from(const std::vector<float>& kinks, const Shape& shape, float low, float high,
                 Generator& gen, float margin = 0.05f) {
    std::vector<float> values = uniform(shape, low, high, gen).to_vector();
    for (float& v : values) {
        for (float kink : kinks) {
            if (std::abs(v - kink) < margin) v = kink + (v < kink ? -margin : margin);
        }
    }
    return tensor(values, shape);
}

}  // namespace

TEST_CASE("elementwise functions match <cmath>") {
    Generator gen(3);
    for (const UnaryFunction& fn : unary_functions()) {
        INFO(fn.name);
        const Tensor x = uniform({5, 7}, fn.low, fn.high, gen);
        const Tensor y = fn.op(x);
        CHECK(y.shape() == x.shape());
        std::vector<float> expected = x.to_vector();
        for (float& v : expected) v = fn.reference(v);
        CHECK_THAT(y.to_vector(), Catch::Matchers::Approx(expected).epsilon(1e-6));
    }
}

TEST_CASE("elementwise functions are correct across several parallel chunks") {
    Generator gen(4);
    for (const UnaryFunction& fn : unary_functions()) {
        INFO(fn.name);
        const Tensor x = uniform({3 * kElementwiseGrain + 5}, fn.low, fn.high, gen);
        const std::vector<float> y = fn.op(x).to_vector();
        const std::vector<float> xs = x.to_vector();
        for (std::size_t i : {std::size_t{0}, std::size_t(kElementwiseGrain),
                              std::size_t(2 * kElementwiseGrain + 1), xs.size() - 1}) {
            CHECK(y[i] == Approx(fn.reference(xs[i])).epsilon(1e-6));
        }
    }
}

TEST_CASE("elementwise functions, hand-computed") {
    CHECK_THAT(exp(tensor({0, 1})).to_vector(),
               Catch::Matchers::Approx(std::vector<float>{1, 2.7182818f}).epsilon(1e-6));
    CHECK(log(tensor({1, std::exp(2.0f)})).at({0}) == 0.0f);
    CHECK(log(tensor({1, std::exp(2.0f)})).at({1}) == Approx(2.0f));
    CHECK(sqrt(tensor({4, 9, 0})).to_vector() == std::vector<float>{2, 3, 0});
    CHECK(abs(tensor({-2, 0, 3})).to_vector() == std::vector<float>{2, 0, 3});
    CHECK(square(tensor({-3, 0.5f})).to_vector() == std::vector<float>{9, 0.25f});
    CHECK(clamp(tensor({-5, 0.25f, 5}), -1.0f, 1.0f).to_vector() ==
          std::vector<float>{-1, 0.25f, 1});
    CHECK(exp(scalar(0.0f)).rank() == 0);
}

TEST_CASE("elementwise functions follow IEEE at the edges of their domains") {
    CHECK(std::isnan(log(tensor({-1.0f})).item()));
    CHECK(log(tensor({0.0f})).item() == -INFINITY);
    CHECK(std::isnan(sqrt(tensor({-1.0f})).item()));
    CHECK(exp(tensor({-INFINITY})).item() == 0.0f);
    CHECK(exp(tensor({100.0f})).item() == INFINITY);
}

TEST_CASE("elementwise functions have correct gradients away from kinks") {
    Generator gen(5);
    for (const UnaryFunction& fn : unary_functions()) {
        INFO(fn.name);
        const auto f = [&fn](const std::vector<Tensor>& in) { return fn.op(in[0]); };
        // Kinks of abs (0) and clamp (-1, 1.5); harmless for the smooth functions.
        const std::vector<float> kinks{0.0f, -1.0f, 1.5f};
        const bool has_kinks = std::string(fn.name) == "abs" || std::string(fn.name) == "clamp";
        const std::vector<float> avoid = has_kinks ? kinks : std::vector<float>{};
        CHECK_GRADIENTS(f, {away_from(avoid, {3, 4}, fn.low, fn.high, gen)});
        CHECK_GRADIENTS(f, {away_from(avoid, {}, fn.low, fn.high, gen)});
    }
}

TEST_CASE("elementwise functions record their names") {
    Tensor x = tensor({0.5f}).requires_grad_();
    for (const UnaryFunction& fn : unary_functions()) CHECK(fn.op(x).grad_fn_name() == fn.name);
}

TEST_CASE("abs has the subgradient 0 at 0") {
    Tensor x = tensor({-2, 0, 3}).requires_grad_();
    sum(abs(x)).backward();
    CHECK(x.grad().to_vector() == std::vector<float>{-1, 0, 1});
}

TEST_CASE("clamp passes the gradient inside [min, max], bounds included, and blocks it outside") {
    Tensor x = tensor({-3, -1, 0, 1, 4}).requires_grad_();
    sum(clamp(x, -1.0f, 1.0f) * tensor({1, 2, 3, 4, 5})).backward();
    CHECK(x.grad().to_vector() == std::vector<float>{0, 2, 3, 4, 0});
}

TEST_CASE("composite expressions of math functions have correct gradients") {
    Generator gen(6);
    const auto softplus_like = [](const std::vector<Tensor>& in) {
        return log(exp(in[0]) + 1.0f) + sqrt(square(in[1]) + 1.0f);
    };
    CHECK_GRADIENTS(softplus_like, {randn({2, 3}, gen), randn({3}, gen)});
}
