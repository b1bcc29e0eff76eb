// Activation (layers/activation.cpp): Keras names mapped to the core ops, custom functions, and
// the JSON form of a layer's `activation` key.

#include <catch2/catch.hpp>
#include <cctype>
#include <functional>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "minidl/layers/activation.hpp"
#include "test_support.hpp"

using namespace minidl;

namespace {

struct Expected {
    const char* name;
    std::function<Tensor(const Tensor&)> op;
};

// Each Keras name with the core op (and Keras's default arguments) it must apply.
std::vector<Expected> expected_activations() {
    return {
        {"linear", [](const Tensor& x) { return x; }},
        {"relu", [](const Tensor& x) { return relu(x); }},
        {"relu6", [](const Tensor& x) { return relu6(x); }},
        {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2f); }},
        {"elu", [](const Tensor& x) { return elu(x, 1.0f); }},
        {"selu", [](const Tensor& x) { return selu(x); }},
        {"softplus", [](const Tensor& x) { return softplus(x); }},
        {"softsign", [](const Tensor& x) { return softsign(x); }},
        {"swish", [](const Tensor& x) { return swish(x); }},
        {"silu", [](const Tensor& x) { return silu(x); }},
        {"gelu", [](const Tensor& x) { return gelu(x, false); }},
        {"exponential", [](const Tensor& x) { return exponential(x); }},
        {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
        {"hard_sigmoid", [](const Tensor& x) { return hard_sigmoid(x); }},
        {"tanh", [](const Tensor& x) { return minidl::tanh(x); }},
        {"mish", [](const Tensor& x) { return mish(x); }},
        {"softmax", [](const Tensor& x) { return softmax(x, -1); }},
        {"log_softmax", [](const Tensor& x) { return log_softmax(x, -1); }},
    };
}

// Values on both sides of every kink (0, +-2.5 for hard_sigmoid, 6 for relu6).
Tensor probe() {
    return tensor({-7.0f, -3.0f, -2.5f, -0.5f, 0.0f, 0.25f, 1.0f, 2.5f, 5.9f, 6.5f}, {2, 5});
}

std::string upper(std::string text) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

TEST_CASE("each activation name applies its core op", "[activation]") {
    const Tensor x = probe();
    for (const Expected& expected : expected_activations()) {
        INFO(expected.name);
        const Activation activation(expected.name);
        CHECK(activation.name() == expected.name);
        CHECK(activation.is_linear() == (std::string(expected.name) == "linear"));
        CHECK(activation(x).to_vector() == expected.op(x).to_vector());
    }
}

TEST_CASE("activation names are case-insensitive and serialize lower-case", "[activation]") {
    const Tensor x = probe();
    for (const Expected& expected : expected_activations()) {
        INFO(expected.name);
        const Activation activation(upper(expected.name));
        CHECK(activation.name() == expected.name);
        CHECK(activation.to_json() == Json(expected.name));
        CHECK(activation(x).to_vector() == expected.op(x).to_vector());
    }
    CHECK(Activation("ReLU").name() == "relu");
    CHECK(Activation(std::string("Hard_Sigmoid")).name() == "hard_sigmoid");
}

TEST_CASE("the default activation is linear", "[activation]") {
    const Activation activation;
    CHECK(activation.name() == "linear");
    CHECK(activation.is_linear());
    CHECK(activation.to_json() == Json("linear"));
    const Tensor x = probe();
    CHECK(activation(x).to_vector() == x.to_vector());
}

TEST_CASE("a custom activation is any callable with a name", "[activation]") {
    const Activation doubled([](const Tensor& x) { return x * 2.0f; }, "doubled");
    CHECK(doubled.name() == "doubled");
    CHECK_FALSE(doubled.is_linear());
    CHECK(doubled.to_json() == Json("doubled"));
    CHECK(doubled(tensor({1.0f, -3.0f})).to_vector() == std::vector<float>{2.0f, -6.0f});

    const Activation unnamed([](const Tensor& x) { return x; });
    CHECK(unnamed.name() == "custom");

    CHECK_THROWS_AS(Activation(Activation::Function(), "empty"), ValueError);
    CHECK_THROWS_WITH(Activation(Activation::Function(), "empty"), Catch::Contains("empty"));
}

TEST_CASE("an unknown activation name is an error naming it", "[activation]") {
    CHECK_THROWS_AS(Activation("relu7"), ValueError);
    CHECK_THROWS_WITH(Activation("relu7"), Catch::Contains("'relu7'") && Catch::Contains("relu6"));
    CHECK_THROWS_AS(Activation(""), ValueError);
}

TEST_CASE("Activation::from_json", "[activation]") {
    CHECK(Activation::from_json(Json(nullptr), "activation").is_linear());
    CHECK(Activation::from_json(Json("Tanh"), "activation").name() == "tanh");
    CHECK(Activation::from_json(Json("softmax"), "activation").name() == "softmax");

    CHECK_THROWS_AS(Activation::from_json(Json(3), "activation"), ValueError);
    CHECK_THROWS_WITH(Activation::from_json(Json(3), "activation"),
                      Catch::Contains("'activation'") && Catch::Contains("3"));
    CHECK_THROWS_AS(Activation::from_json(Json::object(), "activation"), ValueError);
    CHECK_THROWS_WITH(Activation::from_json(Json("swish2"), "activation"),
                      Catch::Contains("'activation'") && Catch::Contains("'swish2'"));
    CHECK_THROWS_AS(Activation::from_json(Json("swish2"), "activation"), ValueError);
}
