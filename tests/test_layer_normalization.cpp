// LayerNormalization (layers/layer_normalization.cpp): outputs and gradients against PyTorch
// float64 references of tf.keras 2.x's formula (tests/data/norm_layer_fixtures.json, written by
// scripts/gen_norm_layer_fixtures.py), including several and unsorted axes, a finite-difference
// check, thread-count independence, configs and every error.

#include <catch2/catch.hpp>
#include <iostream>

#include "fixture_support.hpp"
#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/layer_normalization.hpp"
#include "test_support.hpp"

using namespace minidl;
using minidl::testing::FixtureJson;

namespace {

layers::LayerNormalizationOptions options_of(const FixtureJson& config) {
    const FixtureJson& axis = config.at("axis");
    return {.axis = axis.is_array() ? axis.get<Axes>() : Axes{axis.get<int64_t>()},
            .epsilon = config.at("epsilon").get<double>(),
            .center = config.at("center").get<bool>(),
            .scale = config.at("scale").get<bool>()};
}

}  // namespace

TEST_CASE("LayerNormalization matches PyTorch float64 references in output and gradients") {
    const FixtureJson cases =
        testing::load_fixture_cases("norm_layer_fixtures.json").at("layer_normalization");
    REQUIRE(cases.size() >= 9);
    testing::WorstErrors worst;
    for (const FixtureJson& fixture : cases) {
        layers::LayerNormalization layer(options_of(fixture.at("config")));
        testing::check_layer_against_fixture(layer, fixture, worst);
    }
    std::cout << worst.summary("LayerNormalization (" + std::to_string(cases.size()) + " cases)")
              << "\n";
}

TEST_CASE("LayerNormalization's gradients pass a finite-difference check") {
    for (const Axes& axis : {Axes{-1}, Axes{1}, Axes{2, 0}}) {
        INFO("axis " << axis.size() << " axes, first " << axis.front());
        layers::LayerNormalization layer({.axis = axis});
        const Tensor x = testing::seeded_randn({3, 4, 5}, 21);
        layer.build(x.shape());
        std::vector<Tensor> values;
        for (const Parameter& weight : layer.weights())
            values.push_back(testing::seeded_randn(weight.shape(), 22) * 0.5f + 1.0f);
        layer.set_weights(values);
        CHECK_GRADIENTS([&](const std::vector<Tensor>& v) { return layer(v[0]); }, {x},
                        {.eps = 1e-2, .atol = 2e-3, .rtol = 1e-2});
        testing::check_weight_gradients(layer, x);
    }
}

TEST_CASE("LayerNormalization is the same in training and inference") {
    layers::LayerNormalization layer;
    const Tensor x = testing::seeded_randn({2, 3, 4}, 3);
    CHECK(layer(x, true).to_vector() == layer(x, false).to_vector());
    CHECK(layer.weights().size() == 2);
    CHECK(layer.weights()[0].name().ends_with("/gamma"));
    CHECK(layer.weights()[1].name().ends_with("/beta"));
}

TEST_CASE("LayerNormalization's weights have the normalised axes' sizes in axis order") {
    layers::LayerNormalization layer({.axis = {2, 1}});
    layer.build({2, 3, 4});
    CHECK(layer.gamma().shape() == Shape({4, 3}));
    CHECK(layer.beta().shape() == Shape({4, 3}));
    layers::LayerNormalization bare({.center = false, .scale = false});
    bare.build({2, 3});
    CHECK(bare.weights().empty());
}

TEST_CASE("LayerNormalization gives the same bits on 1 and 2 threads") {
    // 20,000 rows of 8: several fixed chunks for the rows and for gamma's gradient.
    const Tensor x = testing::seeded_randn({100, 200, 8}, 4);
    const Tensor cotangent = testing::seeded_randn(x.shape(), 5);
    auto run = [&](int threads) {
        testing::ThreadCount count(threads);
        layers::LayerNormalization layer;
        Tensor input = x.detach().clone().requires_grad_();
        const Tensor y = layer(input);
        y.backward(cotangent);
        std::vector<std::vector<float>> results = {y.to_vector(), input.grad().to_vector(),
                                                   layer.gamma().grad().to_vector(),
                                                   layer.beta().grad().to_vector()};
        return results;
    };
    CHECK(run(1) == run(2));
}

TEST_CASE("LayerNormalization writes tf.keras's config and reads it back") {
    layers::LayerNormalization layer({.epsilon = 1e-5, .beta_regularizer = "l2", .name = "ln"});
    const Json config = layer.config();
    std::vector<std::string> keys;
    for (const auto& [key, value] : config.items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{
                      "name", "trainable", "dtype", "axis", "epsilon", "center", "scale",
                      "beta_initializer", "gamma_initializer", "beta_regularizer",
                      "gamma_regularizer", "beta_constraint", "gamma_constraint"});
    CHECK(config["axis"] == -1);
    CHECK(config["epsilon"] == 1e-5);
    CHECK(config["gamma_initializer"]["class_name"] == "Ones");
    CHECK(config["beta_regularizer"]["class_name"] == "L2");
    layer.build({2, 3, 4});
    CHECK(layer.config()["axis"] == Json::array({2}));
    CHECK(layers::LayerNormalization({.axis = {1, 2}}).config()["axis"] == Json::array({1, 2}));

    const auto again = layers::from_config(layer.to_json());
    again->build({2, 3, 4});
    CHECK(again->config() == layer.config());

    Json bad = layer.config();
    bad["axis"] = "last";
    CHECK_THROWS_WITH(layers::LayerNormalization::from_config(bad),
                      Catch::Contains("'axis' must be an integer or a list of integers"));
    bad = layer.config();
    bad["groups"] = 2;
    CHECK_THROWS_WITH(layers::LayerNormalization::from_config(bad), Catch::Contains("groups"));
}

TEST_CASE("LayerNormalization rejects bad arguments and inputs") {
    using Catch::Contains;
    CHECK_THROWS_WITH(layers::LayerNormalization({.axis = {}, .name = "ln"}),
                      Contains("ln: 'axis' must be a non-empty list of distinct axes, got []"));
    CHECK_THROWS_AS(layers::LayerNormalization({.axis = {1, 1}}), ValueError);
    CHECK_THROWS_WITH(layers::LayerNormalization({.epsilon = -1.0, .name = "ln"}),
                      Contains("ln: 'epsilon' must be a finite number > 0, got -1"));

    layers::LayerNormalization far({.axis = {1, 3}, .name = "far"});
    CHECK_THROWS_WITH(far(ones({2, 3, 4})), Contains("far: axis [1, 3] is out of range for an "
                                                     "input of shape [2, 3, 4] (rank 3)"));
    CHECK_FALSE(far.built());
    layers::LayerNormalization twice({.axis = {-1, 2}, .name = "twice"});
    CHECK_THROWS_WITH(twice(ones({2, 3, 4})), Contains("twice: axis [-1, 2] names an axis twice"));

    layers::LayerNormalization layer({.name = "ln"});
    layer(ones({2, 3, 4}));
    CHECK_THROWS_WITH(layer(ones({2, 3, 5})),
                      Contains("ln: the layer was built for inputs of shape [2, 3, 4]") &&
                          Contains("got shape [2, 3, 5]"));
    CHECK_THROWS_AS(layer(ones({2, 4})), ShapeError);
    CHECK(layer.compute_output_shape({9, 1, 4}) == Shape({9, 1, 4}));
}
