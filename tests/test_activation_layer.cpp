// The Activation layer (layers/activation_layer.cpp): PyTorch float64 references for every
// activation (tests/data/basic_layer_fixtures.json), gradients, config, names and errors.

#include <catch2/catch.hpp>
#include <iostream>

#include <minidl/minidl.hpp>

#include "fixture_support.hpp"
#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/activation_layer.hpp"
#include "minidl/layers/registry.hpp"
#include "test_support.hpp"

using namespace minidl;
using minidl::testing::FixtureJson;

TEST_CASE("Activation matches PyTorch float64 references for every activation",
          "[activation_layer]") {
    const FixtureJson cases = testing::load_fixture_cases("basic_layer_fixtures.json");
    testing::WorstErrors worst;
    int checked = 0;
    for (const FixtureJson& fixture : cases) {
        if (fixture.at("class_name") != "Activation") continue;
        layers::Activation layer(fixture.at("config").at("activation").get<std::string>());
        testing::check_layer_against_fixture(layer, fixture, worst);
        ++checked;
    }
    CHECK(checked == 18);
    std::cout << worst.summary("Activation (" + std::to_string(checked) + " cases)") << "\n";
}

TEST_CASE("Activation applies its function to any shape", "[activation_layer]") {
    layers::Activation relu("relu");
    const Tensor x = tensor({-3, -1, 0, 2}, {2, 2});
    testing::check_close(relu(x), tensor({0, 0, 0, 2}, {2, 2}));
    CHECK(relu.compute_output_shape({7, 2, 3}) == Shape{7, 2, 3});
    CHECK(relu(ones({3})).shape() == Shape{3});
    CHECK(relu.weights().empty());

    SECTION("from an options struct or any callable") {
        layers::Activation options({.activation = "tanh", .name = "squash"});
        CHECK(options.name() == "squash");
        CHECK(options.activation().name() == "tanh");
        layers::Activation twice(
            minidl::Activation([](const Tensor& t) { return t * 2.0f; }, "twice"));
        testing::check_close(twice(x), tensor({-6, -2, 0, 4}, {2, 2}));
        CHECK(twice.config()["activation"] == "twice");
    }
    SECTION("softmax runs over the last axis") {
        layers::Activation softmax("softmax");
        const Tensor y = softmax(tensor({0, 0, 1, 1, 2, 3}, {2, 3}));
        CHECK(y.at({0, 0}) == Approx(1.0 / (2.0 + std::exp(1.0))));
        CHECK(y.at({1, 2}) ==
              Approx(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0))));
    }
}

TEST_CASE("Activation passes gradients to its input", "[activation_layer]") {
    for (const char* name : {"tanh", "softmax", "gelu", "elu"}) {
        INFO(name);
        layers::Activation layer(name);
        CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return layer(in[0]); },
                        {testing::seeded_randn({2, 3, 4}, 3)});
    }
}

TEST_CASE("Activation config has tf.keras 2.x's keys and round-trips", "[activation_layer]") {
    reset_layer_names();
    layers::Activation layer("Relu6");
    CHECK(layer.name() == "activation");
    CHECK(layers::Activation("relu").name() == "activation_1");
    const Json config = layer.config();
    CHECK(config == Json::parse(R"({"name": "activation", "trainable": true, "dtype": "float32",
                                    "activation": "relu6"})"));
    CHECK(layers::Activation::from_config(config)->config() == config);
    CHECK(layers::from_config(layer.to_json())->config() == config);

    const std::unique_ptr<Layer> keras = layers::from_config(Json::parse(
        R"({"module": "keras.layers", "class_name": "Activation", "config": {"name": "act",
            "trainable": false, "dtype": "float32", "batch_input_shape": [null, 5],
            "activation": "swish"}, "registered_name": null,
            "build_config": {"input_shape": [null, 5]}})"));
    CHECK(keras->name() == "act");
    CHECK_FALSE(keras->trainable());
    CHECK(keras->config()["activation"] == "swish");
    CHECK(keras->config()["batch_input_shape"] == Json::parse("[null, 5]"));
    // null is Keras's None: linear.
    CHECK(layers::Activation::from_config(Json::parse(R"({"activation": null})"))
              ->activation()
              .is_linear());
}

TEST_CASE("Activation rejects unknown activations and bad configs", "[activation_layer]") {
    using Catch::Contains;
    CHECK_THROWS_AS(layers::Activation("rleu"), ValueError);
    CHECK_THROWS_WITH(layers::Activation("rleu"), Contains("rleu"));
    CHECK_THROWS_WITH(layers::Activation::from_config(Json::parse(R"({"name": "a"})")),
                      Contains("Activation config: 'activation' is required"));
    CHECK_THROWS_WITH(
        layers::Activation::from_config(Json::parse(R"({"activation": "relu", "alpha": 1})")),
        Contains("Activation config: unknown key 'alpha'"));
    CHECK_THROWS_WITH(layers::Activation::from_config(Json::parse(R"({"activation": 3})")),
                      Contains("Activation config: 'activation'"));
    CHECK_THROWS_WITH(layers::Activation::from_config(Json::parse(R"({"activation": "mish2"})")),
                      Contains("mish2"));
    layers::Activation layer("relu");
    CHECK_THROWS_AS(layer(Tensor()), ValueError);
}
