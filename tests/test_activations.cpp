// Keras activations (core/activations.cpp): values and gradients against PyTorch float64
// references (tests/data/activations.json, written by scripts/make_activation_fixtures.py),
// gradient checks, numerical stability, Keras-specific definitions and errors.

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gradcheck.hpp"
#include "test_support.hpp"

using namespace minidl;
using FixtureJson = nlohmann::json;

namespace {

using ActivationFn = std::function<Tensor(const Tensor&)>;
using Function = minidl::testing::Function;

/// Every elementwise activation with Keras's default arguments, by name.
const std::vector<std::pair<std::string, ActivationFn>>& elementwise_activations() {
    static const std::vector<std::pair<std::string, ActivationFn>> activations = {
        {"linear", [](const Tensor& x) { return linear(x); }},
        {"relu", [](const Tensor& x) { return relu(x); }},
        {"relu6", [](const Tensor& x) { return relu6(x); }},
        {"leaky_relu", [](const Tensor& x) { return leaky_relu(x); }},
        {"elu", [](const Tensor& x) { return elu(x); }},
        {"selu", [](const Tensor& x) { return selu(x); }},
        {"softplus", [](const Tensor& x) { return softplus(x); }},
        {"softsign", [](const Tensor& x) { return softsign(x); }},
        {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
        {"hard_sigmoid", [](const Tensor& x) { return hard_sigmoid(x); }},
        {"tanh", [](const Tensor& x) { return minidl::tanh(x); }},
        {"swish", [](const Tensor& x) { return swish(x); }},
        {"silu", [](const Tensor& x) { return silu(x); }},
        {"gelu", [](const Tensor& x) { return gelu(x); }},
        {"gelu_approximate", [](const Tensor& x) { return gelu(x, /*approximate=*/true); }},
        {"exponential", [](const Tensor& x) { return minidl::exponential(x); }},
        {"mish", [](const Tensor& x) { return mish(x); }},
    };
    return activations;
}

/// The op a fixture case names, applied with the case's parameters.
Tensor apply_fixture_op(const std::string& op, const FixtureJson& params, const Tensor& x) {
    if (op == "softmax") return softmax(x, params.at("axis").get<int64_t>());
    if (op == "log_softmax") return log_softmax(x, params.at("axis").get<int64_t>());
    if (op == "leaky_relu") return leaky_relu(x, params.value("alpha", 0.2f));
    if (op == "elu") return elu(x, params.value("alpha", 1.0f));
    if (op == "gelu") return gelu(x, params.value("approximate", false));
    for (const auto& [name, activation] : elementwise_activations()) {
        if (name == op) return activation(x);
    }
    throw std::runtime_error("activations.json names an unknown op: " + op);
}

FixtureJson load_fixtures() {
    const std::string path = std::string(MINIDL_TEST_DATA_DIR) + "/activations.json";
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot open " + path);
    return FixtureJson::parse(file);
}

Tensor tensor_from_json(const FixtureJson& values, const Shape& shape) {
    return tensor(values.get<std::vector<float>>(), shape);
}

/// The first mismatches of `actual` against float64 `expected` beyond |a - e| <= atol + rtol |e|;
/// empty when all match.
std::string mismatches(const Tensor& actual, const FixtureJson& expected, double rtol = 1e-5,
                       double atol = 1e-6) {
    std::ostringstream report;
    const std::vector<float> values = actual.to_vector();
    if (values.size() != expected.size()) return "size differs from the reference";
    int count = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double want = expected[i].get<double>();
        const double error = std::abs(static_cast<double>(values[i]) - want);
        if (!(error <= atol + rtol * std::abs(want)) && count++ < 5) {
            report << "element " << i << ": got " << values[i] << ", expected " << want << "\n";
        }
    }
    return report.str();
}

Shape shape_from_json(const FixtureJson& sizes) { return Shape(sizes.get<std::vector<int64_t>>()); }

Function on_first(const ActivationFn& activation) {
    return [activation](const std::vector<Tensor>& in) { return activation(in[0]); };
}

/// Inputs away from every kink: 0 (relu family), +-2.5 (hard_sigmoid), 6 (relu6).
Tensor gradcheck_input() {
    return tensor({-3.7f, -2.9f, -1.7f, -0.6f, -0.2f, 0.3f, 0.8f, 1.6f, 2.2f, 2.9f, 4.1f, 7.0f},
                  {2, 6});
}

bool all_finite(const Tensor& t) {
    for (float v : t.to_vector()) {
        if (!std::isfinite(v)) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("activations match PyTorch float64 references in value and gradient") {
    const FixtureJson fixtures = load_fixtures();
    REQUIRE(fixtures.at("cases").size() >= 30);
    for (const FixtureJson& c : fixtures.at("cases")) {
        const std::string name = c.at("name").get<std::string>();
        INFO("case " << name);
        const Shape shape = shape_from_json(c.at("shape"));
        Tensor x = tensor_from_json(c.at("input"), shape).requires_grad_();
        const Tensor y = apply_fixture_op(c.at("op").get<std::string>(), c.at("params"), x);
        REQUIRE(y.shape() == shape);
        y.backward(tensor_from_json(c.at("weight"), shape));
        const std::string output_report = mismatches(y, c.at("output"));
        INFO("output:\n" << output_report);
        CHECK(output_report.empty());
        REQUIRE(x.grad().defined());
        const std::string grad_report = mismatches(x.grad(), c.at("grad"));
        INFO("gradient:\n" << grad_report);
        CHECK(grad_report.empty());
    }
}

TEST_CASE("every elementwise activation passes the gradient check") {
    for (const auto& [name, activation] : elementwise_activations()) {
        INFO("activation " << name);
        CHECK_GRADIENTS(on_first(activation), {gradcheck_input()});
    }
    // Non-default slopes.
    CHECK_GRADIENTS([](const std::vector<Tensor>& in) { return leaky_relu(in[0], 0.05f); },
                    {gradcheck_input()});
    CHECK_GRADIENTS([](const std::vector<Tensor>& in) { return elu(in[0], 0.5f); },
                    {gradcheck_input()});
}

TEST_CASE("softmax and log_softmax pass the gradient check along every axis") {
    Generator gen(7);
    const Tensor x = randn({2, 3, 4}, gen) * 2.0f;
    for (int64_t axis : {0, 1, 2, -1, -2}) {
        INFO("axis " << axis);
        CHECK_GRADIENTS([axis](const std::vector<Tensor>& in) { return softmax(in[0], axis); },
                        {x});
        CHECK_GRADIENTS([axis](const std::vector<Tensor>& in) { return log_softmax(in[0], axis); },
                        {x});
    }
    const Tensor vector = tensor({0.3f, -1.2f, 2.0f, 0.7f});
    CHECK_GRADIENTS([](const std::vector<Tensor>& in) { return softmax(in[0]); }, {vector});
    CHECK_GRADIENTS([](const std::vector<Tensor>& in) { return log_softmax(in[0]); }, {vector});
}

TEST_CASE("softmax sums to 1 along its axis and log_softmax is its logarithm") {
    Generator gen(11);
    const Tensor x = randn({3, 4, 5}, gen) * 3.0f;
    for (int64_t axis : {0, 1, 2}) {
        INFO("axis " << axis);
        const Tensor totals = sum(softmax(x, axis), {axis});
        for (float total : totals.to_vector()) CHECK(total == Approx(1.0f).margin(1e-6));
        const std::vector<float> p = softmax(x, axis).to_vector();
        const std::vector<float> log_p = log_softmax(x, axis).to_vector();
        for (std::size_t i = 0; i < p.size(); ++i) {
            CHECK(std::exp(log_p[i]) == Approx(p[i]).epsilon(1e-5).margin(1e-7));
        }
    }
    CHECK(softmax(x).to_vector() == softmax(x, 2).to_vector());  // the default is the last axis
}

TEST_CASE("softmax and log_softmax are stable for huge logits") {
    Tensor x = tensor({1000.0f, 0.0f}).requires_grad_();
    const Tensor p = softmax(x);
    CHECK(p.to_vector() == std::vector<float>{1.0f, 0.0f});
    p.backward(tensor({1.0f, -1.0f}));
    CHECK(all_finite(x.grad()));

    const Tensor log_p = log_softmax(tensor({1000.0f, 0.0f, -1000.0f}));
    CHECK(log_p.to_vector() == std::vector<float>{0.0f, -1000.0f, -2000.0f});
}

TEST_CASE("elementwise activations stay finite for huge inputs") {
    const Tensor big = tensor({-1e30f, -1e4f, -88.0f, 88.0f, 1e4f, 1e30f});
    for (const auto& [name, activation] : elementwise_activations()) {
        if (name == "exponential") continue;  // e^x overflows by definition
        INFO("activation " << name);
        Tensor x = big.detach().clone().requires_grad_();
        const Tensor y = activation(x);
        CHECK(all_finite(y));
        y.backward(ones(y.shape()));
        CHECK(all_finite(x.grad()));
    }
    // The stable forms are exact at the extremes.
    CHECK(softplus(tensor({-1000.0f, 1000.0f})).to_vector() == std::vector<float>{0.0f, 1000.0f});
    CHECK(sigmoid(tensor({-1000.0f, 1000.0f})).to_vector() == std::vector<float>{0.0f, 1.0f});
    CHECK(sigmoid(tensor({-80.0f})).item() == Approx(1.8048513878e-35f).epsilon(1e-6));
}

TEST_CASE("Keras definitions: hard_sigmoid, leaky_relu, selu, linear") {
    // Keras 2's hard_sigmoid, not Keras 3's relu6(x + 3) / 6 (which gives 2/3 at 1).
    CHECK(hard_sigmoid(tensor({-3.0f, -1.0f, 0.0f, 1.0f, 3.0f})).to_vector() ==
          std::vector<float>{0.0f, 0.3f, 0.5f, 0.7f, 1.0f});
    CHECK(leaky_relu(tensor({-1.0f, 2.0f})).to_vector() == std::vector<float>{-0.2f, 2.0f});
    CHECK(relu6(tensor({-1.0f, 3.0f, 9.0f})).to_vector() == std::vector<float>{0.0f, 3.0f, 6.0f});
    CHECK(selu(tensor({1.0f})).item() == Approx(1.0507009873554805f));
    CHECK(selu(tensor({-1000.0f})).item() == Approx(-1.0507009873554805f * 1.6732632423543772f));

    // linear is the identity and hands back the input itself, as in Keras.
    Tensor x = tensor({1.0f, -2.0f}).requires_grad_();
    const Tensor y = linear(x);
    CHECK(y.is_same(x));
    sum(y * 3.0f).backward();
    CHECK(x.grad().to_vector() == std::vector<float>{3.0f, 3.0f});
}

TEST_CASE("gelu: the tanh approximation is close to, but not, the exact erf form") {
    const Tensor x = tensor({-2.0f, -1.0f, 0.5f, 1.0f, 2.0f});
    const std::vector<float> exact = gelu(x).to_vector();
    const std::vector<float> approximate = gelu(x, /*approximate=*/true).to_vector();
    for (std::size_t i = 0; i < exact.size(); ++i) {
        const float difference = std::abs(exact[i] - approximate[i]);
        CHECK(difference > 1e-5f);
        CHECK(difference < 1e-2f);
    }
    CHECK(exact[3] == Approx(0.8413447460685429f).epsilon(1e-6));        // x Phi(x) at 1
    CHECK(approximate[3] == Approx(0.8411919906082768f).epsilon(1e-6));  // tanh form at 1
}

TEST_CASE("swish and silu are the same function") {
    Tensor a = gradcheck_input().requires_grad_();
    Tensor b = gradcheck_input().requires_grad_();
    const Tensor ya = swish(a);
    const Tensor yb = silu(b);
    CHECK(ya.to_vector() == yb.to_vector());
    sum(ya).backward();
    sum(yb).backward();
    CHECK(a.grad().to_vector() == b.grad().to_vector());
}

TEST_CASE("activations handle empty tensors") {
    const Tensor empty_rows = zeros({0, 3});
    CHECK(softmax(empty_rows).shape() == Shape{0, 3});
    CHECK(log_softmax(empty_rows, 0).shape() == Shape{0, 3});
    CHECK(softmax(zeros({2, 0})).shape() == Shape{2, 0});
    CHECK(gelu(empty_rows).shape() == Shape{0, 3});
}

TEST_CASE("softmax rejects a scalar and an axis out of range") {
    CHECK_THROWS_AS(softmax(scalar(1.0f)), ShapeError);
    CHECK_THROWS_WITH(softmax(scalar(1.0f)), Catch::Contains("softmax") && Catch::Contains("[]"));
    CHECK_THROWS_WITH(log_softmax(scalar(1.0f)), Catch::Contains("log_softmax"));
    const Tensor x = zeros({2, 3});
    CHECK_THROWS_AS(softmax(x, 2), IndexError);
    CHECK_THROWS_WITH(softmax(x, 2),
                      Catch::Contains("softmax: axis 2") && Catch::Contains("[2, 3]"));
    CHECK_THROWS_AS(log_softmax(x, -3), IndexError);
}

TEST_CASE("activation results do not depend on the thread count") {
    Generator gen(3);
    // Big enough that every kernel splits its work into several chunks.
    const Tensor rows = randn({10000, 10}, gen);    // softmax over contiguous rows
    const Tensor lanes = randn({60, 40, 30}, gen);  // softmax over a middle axis
    const Tensor weight_rows = randn(rows.shape(), gen);
    const Tensor weight_lanes = randn(lanes.shape(), gen);
    const auto run = [&](int threads) {
        const testing::ThreadCount scoped_threads(threads);
        std::vector<std::vector<float>> results;
        const auto record_op = [&](const Tensor& input, const Tensor& weight,
                                   const ActivationFn& f) {
            Tensor x = input.detach().clone().requires_grad_();
            const Tensor y = f(x);
            y.backward(weight);
            results.push_back(y.to_vector());
            results.push_back(x.grad().to_vector());
        };
        record_op(rows, weight_rows, [](const Tensor& t) { return softmax(t); });
        record_op(rows, weight_rows, [](const Tensor& t) { return log_softmax(t); });
        record_op(lanes, weight_lanes, [](const Tensor& t) { return softmax(t, 1); });
        record_op(lanes, weight_lanes, [](const Tensor& t) { return log_softmax(t, 0); });
        record_op(rows, weight_rows, [](const Tensor& t) { return gelu(t); });
        record_op(rows, weight_rows, [](const Tensor& t) { return mish(t); });
        return results;
    };
    const auto one_thread = run(1);
    const auto two_threads = run(2);
    CHECK(one_thread == two_threads);
}
