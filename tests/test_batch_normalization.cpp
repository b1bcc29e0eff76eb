// BatchNormalization (layers/batch_normalization.cpp): training and inference outputs and
// gradients against PyTorch float64 references of tf.keras 2.x's formulas
// (tests/data/norm_layer_fixtures.json, scripts/gen_norm_layer_fixtures.py), the moving
// statistics over several training calls, frozen layers, thread-count independence, configs and
// every error.

#include <catch2/catch.hpp>
#include <iostream>

#include "fixture_support.hpp"
#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/batch_normalization.hpp"
#include "test_support.hpp"

using namespace minidl;
using minidl::testing::FixtureJson;

namespace {

layers::BatchNormalizationOptions options_of(const FixtureJson& config) {
    return {.axis = config.at("axis").get<int64_t>(),
            .momentum = config.at("momentum").get<double>(),
            .epsilon = config.at("epsilon").get<double>(),
            .center = config.at("center").get<bool>(),
            .scale = config.at("scale").get<bool>()};
}

/// A layer built for the case's input, holding the case's weights.
std::unique_ptr<layers::BatchNormalization> layer_for(const FixtureJson& fixture) {
    auto layer = std::make_unique<layers::BatchNormalization>(options_of(fixture.at("config")));
    layer->build(testing::fixture_shape(fixture.at("input")));
    std::vector<Tensor> values;
    const std::vector<Parameter> weights = layer->weights();
    REQUIRE(weights.size() == fixture.at("weights").size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const FixtureJson& entry = fixture.at("weights")[i];
        const std::string& name = weights[i].name();
        CHECK(name.substr(name.rfind('/') + 1) == entry.at("name").get<std::string>());
        values.push_back(testing::fixture_tensor(entry));
    }
    layer->set_weights(values);
    return layer;
}

/// Runs the layer in one mode and checks the output and the trainable weights' gradients.
void check_mode(layers::BatchNormalization& layer, const FixtureJson& fixture, bool training,
                testing::WorstErrors& worst) {
    const std::string case_name = fixture.at("name").get<std::string>();
    const FixtureJson& expected = fixture.at(training ? "training" : "inference");
    const std::string mode = training ? "training " : "inference ";
    Tensor x = testing::fixture_tensor(fixture.at("input")).requires_grad_();
    const Tensor y = layer(x, training);
    testing::check_fixture_quantity(mode + "output", y, expected.at("output"), case_name, worst,
                                    1e-5);
    y.backward(testing::fixture_tensor(fixture.at("cotangent")));
    const FixtureJson& gradients = expected.at("gradients");
    testing::check_fixture_quantity(mode + "d input", x.grad(), gradients.at("input"), case_name,
                                    worst, 1e-5);
    if (layer.gamma().defined()) {
        testing::check_fixture_quantity(mode + "d gamma", layer.gamma().grad(),
                                        gradients.at("gamma"), case_name, worst, 1e-5);
    }
    if (layer.beta().defined()) {
        testing::check_fixture_quantity(mode + "d beta", layer.beta().grad(), gradients.at("beta"),
                                        case_name, worst, 1e-5);
    }
}

void check_moving_statistics(const layers::BatchNormalization& layer, const FixtureJson& step,
                             const std::string& case_name, testing::WorstErrors& worst) {
    testing::check_fixture_quantity("moving_mean", layer.moving_mean(), step.at("moving_mean"),
                                    case_name, worst, 1e-6);
    testing::check_fixture_quantity("moving_variance", layer.moving_variance(),
                                    step.at("moving_variance"), case_name, worst, 1e-6);
}

}  // namespace

TEST_CASE("BatchNormalization matches PyTorch float64 references in training and inference") {
    const FixtureJson cases =
        testing::load_fixture_cases("norm_layer_fixtures.json").at("batch_normalization");
    REQUIRE(cases.size() >= 10);
    testing::WorstErrors worst;
    for (const FixtureJson& fixture : cases) {
        const std::string case_name = fixture.at("name").get<std::string>();
        INFO("case " << case_name << " " << fixture.at("config").dump());
        {
            auto layer = layer_for(fixture);
            check_mode(*layer, fixture, true, worst);
            const FixtureJson& history = fixture.at("moving_history");
            check_moving_statistics(*layer, history[0], case_name, worst);
            NoGradGuard no_grad;
            const Tensor x = testing::fixture_tensor(fixture.at("input"));
            for (std::size_t step = 1; step < history.size(); ++step) {
                (*layer)(x, true);
                check_moving_statistics(*layer, history[step], case_name, worst);
            }
        }
        auto layer = layer_for(fixture);
        const std::vector<Tensor> before = layer->get_weights();
        check_mode(*layer, fixture, false, worst);
        const std::vector<Tensor> after = layer->get_weights();
        for (std::size_t i = 0; i < before.size(); ++i)
            CHECK(before[i].to_vector() == after[i].to_vector());
    }
    std::cout << worst.summary("BatchNormalization (" + std::to_string(cases.size()) + " cases)")
              << "\n";
}

TEST_CASE("BatchNormalization's training gradient passes a finite-difference check") {
    for (int64_t axis : {int64_t{-1}, int64_t{1}}) {
        INFO("axis " << axis);
        layers::BatchNormalization layer({.axis = axis});
        const Tensor x = testing::seeded_randn({3, 4, 5}, 11);
        layer.build(x.shape());
        layer.set_weights({testing::ramp({x.size(axis)}, 0.5f, 0.25f),
                           testing::ramp({x.size(axis)}, -0.5f, 0.5f), zeros({x.size(axis)}),
                           ones({x.size(axis)})});
        CHECK_GRADIENTS([&](const std::vector<Tensor>& v) { return layer(v[0], true); }, {x},
                        {.eps = 1e-2, .atol = 2e-3, .rtol = 1e-2});
    }
}

TEST_CASE("BatchNormalization's inference weight gradients pass a finite-difference check") {
    layers::BatchNormalization layer;
    const Tensor x = testing::seeded_randn({4, 3, 2}, 5);
    layer.build(x.shape());
    layer.set_weights({tensor({1.5f, 0.5f}), tensor({0.25f, -1.0f}), tensor({0.1f, -0.2f}),
                       tensor({0.5f, 2.0f})});
    testing::check_weight_gradients(layer, x);
}

TEST_CASE("BatchNormalization has Keras's weights, in Keras's order") {
    layers::BatchNormalization layer({.name = "bn"});
    const Tensor y = layer(ones({2, 5, 3}), true);
    const std::vector<Parameter> weights = layer.weights();
    REQUIRE(weights.size() == 4);
    CHECK(weights[0].name() == "bn/gamma");
    CHECK(weights[1].name() == "bn/beta");
    CHECK(weights[2].name() == "bn/moving_mean");
    CHECK(weights[3].name() == "bn/moving_variance");
    CHECK(layer.trainable_weights().size() == 2);
    CHECK(layer.non_trainable_weights().size() == 2);
    CHECK_FALSE(layer.moving_mean().requires_grad());
    CHECK(layer.gamma().to_vector() == std::vector<float>{1, 1, 1});
    // A batch of ones: mean 1, variance 0, so the moving statistics step 1% towards them.
    for (float v : layer.moving_mean().to_vector()) CHECK(v == Approx(0.01));
    for (float v : layer.moving_variance().to_vector()) CHECK(v == Approx(0.99));
    CHECK(layer.count_params() == 12);
    CHECK(y.shape() == Shape({2, 5, 3}));

    layers::BatchNormalization bare({.center = false, .scale = false});
    bare.build({2, 3});
    CHECK(bare.weights().size() == 2);
    CHECK(bare.trainable_weights().empty());
    CHECK_FALSE(bare.gamma().defined());
}

TEST_CASE("A frozen BatchNormalization runs in inference mode and keeps its statistics") {
    layers::BatchNormalization layer;
    const Tensor x = testing::seeded_randn({6, 4, 3}, 2) * 3.0f + 1.0f;
    layer.build(x.shape());
    layer.set_weights({tensor({1.0f, 2.0f, 0.5f}), tensor({0.0f, 1.0f, -1.0f}),
                       tensor({0.5f, -0.5f, 1.0f}), tensor({2.0f, 0.5f, 1.5f})});
    const std::vector<float> inference = layer(x, false).to_vector();
    layer.set_trainable(false);
    const std::vector<float> frozen = layer(x, true).to_vector();
    CHECK(frozen == inference);
    CHECK(layer.moving_mean().to_vector() == std::vector<float>{0.5f, -0.5f, 1.0f});
    layer.set_trainable(true);
    CHECK(layer(x, true).to_vector() != inference);
    CHECK(layer.moving_mean().to_vector() != std::vector<float>{0.5f, -0.5f, 1.0f});
}

TEST_CASE("BatchNormalization's training statistics need no graph and ignore NoGradGuard") {
    layers::BatchNormalization layer({.momentum = 0.5});
    const Tensor x = tensor({1, 2, 3, 5}, {4, 1});
    {
        NoGradGuard no_grad;
        const Tensor y = layer(x, true);
        CHECK(y.grad_fn_name().empty());
    }
    // mean 2.75, biased variance 2.1875 (the plain path, rank 2).
    CHECK(layer.moving_mean().item() == Approx(0.5 * 0 + 0.5 * 2.75));
    CHECK(layer.moving_variance().item() == Approx(0.5 * 1 + 0.5 * 2.1875));
    CHECK_FALSE(layer.moving_mean().requires_grad());
}

TEST_CASE("BatchNormalization gives the same bits on 1 and 2 threads") {
    // 12,800 rows of 4 channels: several fixed chunks for the statistics and the gradients.
    const Tensor x = testing::seeded_randn({64, 200, 4}, 9);
    const Tensor cotangent = testing::seeded_randn(x.shape(), 10);
    auto run = [&](int threads) {
        testing::ThreadCount count(threads);
        layers::BatchNormalization layer({.name = "bn"});
        Tensor input = x.detach().clone().requires_grad_();
        const Tensor y = layer(input, true);
        y.backward(cotangent);
        std::vector<std::vector<float>> results = {y.to_vector(), input.grad().to_vector(),
                                                   layer.gamma().grad().to_vector(),
                                                   layer.moving_variance().to_vector()};
        return results;
    };
    CHECK(run(1) == run(2));
}

TEST_CASE("BatchNormalization writes tf.keras's config and reads it back") {
    layers::BatchNormalization layer({.momentum = 0.9,
                                      .gamma_regularizer = regularizers::L2(0.5),
                                      .beta_constraint = constraints::NonNeg(),
                                      .name = "bn"});
    Json config = layer.config();
    std::vector<std::string> keys;
    for (const auto& [key, value] : config.items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{
                      "name", "trainable", "dtype", "axis", "momentum", "epsilon", "center",
                      "scale", "beta_initializer", "gamma_initializer", "moving_mean_initializer",
                      "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
                      "beta_constraint", "gamma_constraint"});
    CHECK(config["axis"] == -1);
    CHECK(config["momentum"] == 0.9);
    CHECK(config["epsilon"] == 1e-3);
    CHECK(config["moving_variance_initializer"]["class_name"] == "Ones");
    layer.build({2, 7, 3});
    CHECK(layer.config()["axis"] == Json::array({2}));  // as tf.keras after build

    const auto again = layers::BatchNormalization::from_config(layer.config());
    CHECK(again->config() != layer.config());  // unbuilt: axis [2] reads back as 2
    again->build({2, 7, 3});
    CHECK(again->config() == layer.config());
    const auto via_registry = layers::from_config(layer.to_json());
    CHECK(via_registry->class_name() == "BatchNormalization");

    Json renorm = layer.config();
    renorm["renorm"] = true;
    CHECK_THROWS_WITH(layers::BatchNormalization::from_config(renorm),
                      Catch::Contains("'renorm'") && Catch::Contains("not supported"));
    Json multi = layer.config();
    multi["axis"] = Json::array({1, 2});
    CHECK_THROWS_AS(layers::BatchNormalization::from_config(multi), ValueError);
    Json unknown = layer.config();
    unknown["momentun"] = 0.5;
    CHECK_THROWS_WITH(layers::BatchNormalization::from_config(unknown),
                      Catch::Contains("momentun"));
}

TEST_CASE("BatchNormalization's penalties follow its regularizers") {
    layers::BatchNormalization layer({.gamma_regularizer = regularizers::L2(0.5)});
    layer.build({2, 4});
    const std::vector<Tensor> losses = layer.losses();
    REQUIRE(losses.size() == 1);
    CHECK(losses[0].item() == Approx(0.5 * 4));
}

TEST_CASE("BatchNormalization rejects bad arguments and inputs") {
    using Catch::Contains;
    CHECK_THROWS_WITH(layers::BatchNormalization({.momentum = 1.5, .name = "bn"}),
                      Contains("bn: 'momentum' must be in [0, 1], got 1.5"));
    CHECK_THROWS_AS(layers::BatchNormalization({.momentum = -0.1}), ValueError);
    CHECK_THROWS_WITH(layers::BatchNormalization({.epsilon = 0.0, .name = "bn"}),
                      Contains("bn: 'epsilon' must be a finite number > 0, got 0"));

    layers::BatchNormalization far({.axis = 3, .name = "far"});
    CHECK_THROWS_WITH(far(ones({2, 3, 4})),
                      Contains("far: axis 3 is out of range for an input of shape [2, 3, 4]"));
    CHECK_THROWS_AS(far.compute_output_shape({2, 3}), ShapeError);
    CHECK_FALSE(far.built());

    layers::BatchNormalization layer({.name = "bn"});
    layer(ones({2, 3, 4}));
    CHECK_THROWS_WITH(layer(ones({2, 3, 5})),
                      Contains("bn: the layer was built for inputs of rank 3 with 4 channels") &&
                          Contains("got shape [2, 3, 5]"));
    CHECK_THROWS_AS(layer(ones({2, 4})), ShapeError);
    CHECK(layer.compute_output_shape({7, 1, 4}) == Shape({7, 1, 4}));
}
