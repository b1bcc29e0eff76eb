// Dense (layers/dense.cpp): PyTorch float64 references (tests/data/basic_layer_fixtures.json,
// written by scripts/gen_basic_layer_fixtures.py) for 2-D to 4-D inputs and every activation,
// hand-computed values, gradients, tf.keras 2.x's config, and every invalid argument and shape.

#include <catch2/catch.hpp>
#include <iostream>

#include <minidl/minidl.hpp>

#include "fixture_support.hpp"
#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/dense.hpp"
#include "minidl/layers/registry.hpp"
#include "test_support.hpp"

using namespace minidl;
using layers::Dense;
using minidl::testing::FixtureJson;

namespace {

std::vector<std::string> keys_of(const Json& object) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : object.items()) {
        (void)value;
        keys.push_back(key);
    }
    return keys;
}

}  // namespace

TEST_CASE("Dense matches PyTorch float64 references in output and gradients", "[dense]") {
    const FixtureJson cases = testing::load_fixture_cases("basic_layer_fixtures.json");
    testing::WorstErrors worst;
    int checked = 0;
    for (const FixtureJson& fixture : cases) {
        if (fixture.at("class_name") != "Dense") continue;
        const FixtureJson& config = fixture.at("config");
        Dense layer({.units = config.at("units").get<int64_t>(),
                     .activation = config.at("activation").get<std::string>(),
                     .use_bias = config.at("use_bias").get<bool>()});
        testing::check_layer_against_fixture(layer, fixture, worst);
        ++checked;
    }
    CHECK(checked >= 36);
    std::cout << worst.summary("Dense (" + std::to_string(checked) + " cases)") << "\n";
}

TEST_CASE("Dense computes x·kernel + bias over the last axis", "[dense]") {
    Dense dense({.units = 2});
    const Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
    dense.build(x.shape());
    dense.set_weights({tensor({1, 0, 0, 1, 1, -1}, {3, 2}), tensor({0.5f, -0.5f}, {2})});
    // Row [1, 2, 3]: [1 + 3, 2 - 3] + bias; row [4, 5, 6]: [4 + 6, 5 - 6] + bias.
    testing::check_close(dense(x), tensor({4.5f, -1.5f, 10.5f, -1.5f}, {2, 2}));

    SECTION("a rank-3 input is a product per step, as Keras's tensordot") {
        const Tensor steps = x.reshape({1, 2, 3});
        testing::check_close(dense(steps), tensor({4.5f, -1.5f, 10.5f, -1.5f}, {1, 2, 2}));
    }
    SECTION("the activation follows the bias") {
        Dense relu({.units = 2, .activation = "relu"});
        relu.build(x.shape());
        relu.set_weights(dense.get_weights());
        testing::check_close(relu(x), tensor({4.5f, 0, 10.5f, 0}, {2, 2}));
    }
}

TEST_CASE("Dense gives the same bits for any leading axes", "[dense]") {
    Dense dense({.units = 5, .activation = "tanh"});
    const Tensor x = testing::seeded_randn({2, 3, 4, 7}, 11);
    const std::vector<float> rows = dense(x.reshape({24, 7})).to_vector();
    const Tensor y = dense(x);
    CHECK(y.shape() == Shape{2, 3, 4, 5});
    CHECK(y.to_vector() == rows);
    CHECK(dense.compute_output_shape({9, 1, 7}) == Shape{9, 1, 5});
}

TEST_CASE("Dense weights: kernel (C, units) then bias (units), Keras's defaults", "[dense]") {
    reset_layer_names();
    Dense dense({.units = 3});
    CHECK(dense.name() == "dense");
    CHECK(Dense({.units = 1}).name() == "dense_1");
    CHECK_FALSE(dense.built());
    CHECK(dense.weights().empty());
    dense.build({4, 6});
    REQUIRE(dense.weights().size() == 2);
    CHECK(dense.kernel().name() == "dense/kernel");
    CHECK(dense.kernel().shape() == Shape{6, 3});
    CHECK(dense.bias().name() == "dense/bias");
    CHECK(dense.bias().shape() == Shape{3});
    CHECK(dense.count_params() == 21);
    // glorot_uniform: |w| <= sqrt(6 / (6 + 3)); zeros for the bias.
    for (float w : dense.kernel().to_vector()) CHECK(std::abs(w) <= std::sqrt(6.0f / 9.0f));
    for (float b : dense.bias().to_vector()) CHECK(b == 0.0f);

    Dense no_bias({.units = 3, .use_bias = false});
    no_bias.build({4, 6});
    CHECK(no_bias.weights().size() == 1);
    CHECK_FALSE(no_bias.bias().defined());

    Dense frozen({.units = 3, .trainable = false});
    frozen.build({1, 2});
    CHECK(frozen.trainable_weights().empty());
    CHECK(frozen.non_trainable_weights().size() == 2);
}

TEST_CASE("Dense gradients reach the input and both weights", "[dense]") {
    for (const Shape& shape : {Shape{3, 4}, Shape{2, 3, 4}}) {
        INFO("input " << shape);
        Dense dense({.units = 3, .activation = "tanh", .bias_initializer = "random_normal"});
        const Tensor x = testing::seeded_randn(shape, 5);
        testing::check_weight_gradients(dense, x);
        CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return dense(in[0]); }, {x});
    }
}

TEST_CASE("Dense regularizers and constraints reach its weights and losses", "[dense]") {
    Dense dense({.units = 2,
                 .kernel_initializer = "ones",
                 .bias_initializer = "ones",
                 .kernel_regularizer = regularizers::L2(0.5),
                 .bias_regularizer = regularizers::L1(0.25),
                 .activity_regularizer = regularizers::L1(1.0),
                 .kernel_constraint = constraints::NonNeg()});
    const Tensor y = dense(ones({2, 3}));  // every output is 3 + 1 = 4
    const std::vector<Tensor> losses = dense.losses();
    REQUIRE(losses.size() == 3);
    CHECK(losses[0].item() == Approx(0.5 * 6));      // kernel: 0.5 · Σ 1²
    CHECK(losses[1].item() == Approx(0.25 * 2));     // bias: 0.25 · Σ |1|
    CHECK(losses[2].item() == Approx(4.0 * 4 / 2));  // activity: Σ|y| / batch
    CHECK(dense.kernel().constraint());
    CHECK_FALSE(dense.bias().constraint());
    (void)y;
}

TEST_CASE("Dense config has tf.keras 2.x's keys and round-trips", "[dense]") {
    Dense dense({.units = 4,
                 .activation = "relu",
                 .use_bias = false,
                 .kernel_initializer = "he_normal",
                 .kernel_regularizer = regularizers::L2(1e-4),
                 .activity_regularizer = regularizers::L1(0.01),
                 .bias_constraint = constraints::MaxNorm(3.0),
                 .name = "head"});
    const Json config = dense.config();
    CHECK(keys_of(config) ==
          std::vector<std::string>{"name", "trainable", "dtype", "units", "activation", "use_bias",
                                   "kernel_initializer", "bias_initializer", "kernel_regularizer",
                                   "bias_regularizer", "activity_regularizer", "kernel_constraint",
                                   "bias_constraint"});
    CHECK(config["name"] == "head");
    CHECK(config["dtype"] == "float32");
    CHECK(config["units"] == 4);
    CHECK(config["activation"] == "relu");
    CHECK(config["use_bias"] == false);
    CHECK(config["kernel_initializer"]["class_name"] == "HeNormal");
    CHECK(config["bias_initializer"]["class_name"] == "Zeros");
    CHECK(config["kernel_regularizer"]["class_name"] == "L2");
    CHECK(config["bias_regularizer"].is_null());
    CHECK(config["kernel_constraint"].is_null());
    CHECK(config["bias_constraint"]["class_name"] == "MaxNorm");

    const std::unique_ptr<Dense> again = Dense::from_config(config);
    CHECK(again->config() == config);
    const std::unique_ptr<Layer> registered = layers::from_config(dense.to_json());
    CHECK(registered->class_name() == "Dense");
    CHECK(registered->config() == config);
}

TEST_CASE("Dense reads the JSON tf.keras 2.15 writes", "[dense]") {
    const Json keras = Json::parse(R"({"module": "keras.layers", "class_name": "Dense",
        "config": {"name": "dense_7", "trainable": true, "dtype": "float32",
          "batch_input_shape": [null, 8], "units": 4, "activation": "softmax", "use_bias": true,
          "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                 "config": {"seed": null}, "registered_name": null},
          "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                               "config": {}, "registered_name": null},
          "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2",
                                 "config": {"l2": 0.009999999776482582}, "registered_name": null},
          "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
          "bias_constraint": null},
        "registered_name": null, "build_config": {"input_shape": [null, 8]}})");
    const std::unique_ptr<Layer> layer = layers::from_config(keras);
    const Json config = layer->config();
    CHECK(config["name"] == "dense_7");
    CHECK(config["batch_input_shape"] == Json::parse("[null, 8]"));
    CHECK(config["units"] == 4);
    CHECK(config["activation"] == "softmax");
    CHECK(config["kernel_regularizer"]["config"]["l2"].get<double>() ==
          Approx(0.009999999776482582));
    CHECK(layer->compute_output_shape({2, 8}) == Shape{2, 4});
}

TEST_CASE("Dense rejects invalid arguments, configs and shapes", "[dense]") {
    using Catch::Contains;
    CHECK_THROWS_WITH(Dense({.units = 0, .name = "d"}),
                      Contains("d: 'units' must be a positive integer, got 0"));
    CHECK_THROWS_AS(Dense({.units = -3}), ValueError);
    CHECK_THROWS_WITH(Dense({.units = 2, .activation = "relux"}), Contains("relux"));

    CHECK_THROWS_WITH(Dense::from_config(Json::parse(R"({"activation": "relu"})")),
                      Contains("Dense config: 'units' is required"));
    CHECK_THROWS_WITH(Dense::from_config(Json::parse(R"({"units": 2, "unit": 3})")),
                      Contains("Dense config: unknown key 'unit'"));
    CHECK_THROWS_WITH(Dense::from_config(Json::parse(R"({"units": "2"})")),
                      Contains("Dense config: 'units' must be an integer"));
    CHECK_THROWS_WITH(Dense::from_config(Json::parse(R"({"units": 0})")),
                      Contains("'units' must be a positive integer, got 0"));
    CHECK_THROWS_WITH(Dense::from_config(Json::parse(R"({"units": 2, "use_bias": "yes"})")),
                      Contains("Dense config: 'use_bias' must be true or false"));
    CHECK_THROWS_WITH(
        Dense::from_config(Json::parse(R"({"units": 2, "kernel_regularizer": "l3"})")),
        Contains("'kernel_regularizer'"));

    Dense dense({.units = 3, .name = "head"});
    CHECK_THROWS_AS(dense(ones({4})), ShapeError);
    CHECK_THROWS_WITH(dense(ones({4})),
                      Contains("head: expected an input of rank >= 2 (batch, ..., features), "
                               "got shape [4]"));
    CHECK_THROWS_AS(dense.compute_output_shape({5}), ShapeError);
    CHECK_FALSE(dense.built());
    CHECK(dense.weights().empty());

    dense(ones({2, 4}));
    CHECK_THROWS_AS(dense(ones({2, 5})), ShapeError);
    CHECK_THROWS_WITH(dense(ones({2, 3, 5})),
                      Contains("head: the layer was built for inputs with 4 features (last "
                               "axis) but got an input of shape [2, 3, 5]"));
    CHECK_THROWS_AS(dense.compute_output_shape({1, 5}), ShapeError);
    CHECK(dense.kernel().shape() == Shape{4, 3});
}

TEST_CASE("a Dense build that fails leaves no weights behind", "[dense]") {
    // MaxNorm over axis 2 does not fit the rank-2 kernel: add_weight throws before creating it.
    Dense dense({.units = 3, .kernel_constraint = constraints::MaxNorm(2.0, {2})});
    CHECK_THROWS_AS(dense.build({2, 4}), ValueError);
    CHECK_FALSE(dense.built());
    CHECK(dense.weights().empty());
    CHECK_FALSE(dense.kernel().defined());

    Dense bad_bias({.units = 3, .bias_constraint = constraints::MaxNorm(2.0, {1})});
    CHECK_THROWS_AS(bad_bias.build({2, 4}), ValueError);
    CHECK(bad_bias.weights().empty());
    CHECK_FALSE(bad_bias.kernel().defined());
}
