// Normalization (layers/normalization.cpp): adapt()'s statistics, outputs and input gradients
// against PyTorch float64 references of tf.keras 2.13's rules
// (tests/data/normalization_fixtures.json, written by scripts/gen_normalization_fixtures.py),
// tf.keras's documented examples, a finite-difference check, batched adapt, frozen weights under
// fit, configs, a saved model and every error.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>

#include "fixture_support.hpp"
#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/normalization.hpp"
#include "minidl/serialization/saved_model.hpp"
#include "test_support.hpp"

using namespace minidl;
using minidl::testing::FixtureJson;

namespace {

/// A fixture case's layer, made from its Keras config through the layer registry.
std::unique_ptr<layers::Normalization> layer_of(const FixtureJson& fixture) {
    const Json wrapper = {{"class_name", "Normalization"},
                          {"config", Json::parse(fixture.at("config").dump())}};
    std::unique_ptr<Layer> layer = layers::from_config(wrapper);
    REQUIRE(dynamic_cast<layers::Normalization*>(layer.get()) != nullptr);
    return std::unique_ptr<layers::Normalization>(
        static_cast<layers::Normalization*>(layer.release()));
}

std::vector<float> values(const Tensor& t) { return t.to_vector(); }

}  // namespace

TEST_CASE("Normalization matches PyTorch float64 references in statistics, output and gradient") {
    const FixtureJson cases = testing::load_fixture_cases("normalization_fixtures.json");
    REQUIRE(cases.size() >= 10);
    testing::WorstErrors worst;
    for (const FixtureJson& fixture : cases) {
        const std::string name = fixture.at("name").get<std::string>();
        INFO("case " << name << " " << fixture.at("config").dump());
        auto layer = layer_of(fixture);
        Tensor x = testing::fixture_tensor(fixture.at("input")).requires_grad_();
        if (fixture.at("adapt").is_null()) {
            layer->build(x.shape());
            CHECK(layer->weights().empty());
        } else {
            layer->adapt(testing::fixture_tensor(fixture.at("adapt")));
            CHECK(layer->count().item() == fixture.at("count").get<float>());
        }
        testing::check_fixture_quantity("mean", layer->mean(), fixture.at("mean"), name, worst,
                                        1e-6);
        testing::check_fixture_quantity("variance", layer->variance(), fixture.at("variance"), name,
                                        worst, 1e-6);
        const Tensor y = (*layer)(x);
        testing::check_fixture_quantity("output", y, fixture.at("output"), name, worst, 1e-5);
        y.backward(testing::fixture_tensor(fixture.at("cotangent")));
        testing::check_fixture_quantity("d input", x.grad(), fixture.at("gradients").at("input"),
                                        name, worst, 1e-5);
        for (const Parameter& weight : layer->weights()) CHECK_FALSE(weight.grad().defined());
    }
    std::cout << worst.summary("Normalization (" + std::to_string(cases.size()) + " cases)")
              << "\n";
}

TEST_CASE("Normalization reproduces tf.keras's documented examples") {
    layers::Normalization global({.axis = {}});
    global.adapt(tensor({1, 2, 3, 4, 5}, {5}));
    testing::check_close(global(tensor({1, 2, 3}, {3})), tensor({-1.4142135f, -0.70710677f, 0}));

    const Tensor adapt_data = tensor({0, 7, 4, 2, 9, 6, 0, 7, 4, 2, 9, 6}, {4, 3});
    layers::Normalization per_feature;
    per_feature.adapt(adapt_data);
    testing::check_close(per_feature(tensor({0, 7, 4}, {1, 3})), tensor({-1, -1, -1}, {1, 3}));

    layers::Normalization given({.mean = {{3.0}}, .variance = {{2.0}}});
    testing::check_close(given(tensor({1, 2, 3}, {3, 1})),
                         tensor({-1.4142135f, -0.70710677f, 0}, {3, 1}));

    layers::Normalization inverse({.invert = true});
    inverse.adapt(adapt_data);
    testing::check_close(inverse(tensor({1, 2, 3}, {1, 3})), tensor({2, 10, 8}, {1, 3}));
}

TEST_CASE("Normalization divides by at least 1e-7") {
    layers::Normalization layer({.mean = {{1.0}}, .variance = {{0.0, 1e-16, 4.0}}});
    const Tensor y = layer(tensor({1.5f, 1.5f, 1.5f}, {1, 3}));
    CHECK(values(y) == std::vector<float>{0.5f / 1e-7f, 0.5f / 1e-7f, 0.25f});
    layers::Normalization inverse(
        {.mean = {{1.0}}, .variance = {{0.0, 4.0}}, .invert = true, .name = "inverse"});
    testing::check_close(inverse(tensor({3.0f, 3.0f}, {1, 2})), tensor({1.0000003f, 7.0f}, {1, 2}));
}

TEST_CASE("Normalization's input gradient passes a finite-difference check") {
    for (const bool invert : {false, true}) {
        for (const Axes& axis : {Axes{-1}, Axes{0, 2}, Axes{}}) {
            INFO("invert " << invert << ", " << axis.size() << " kept axes");
            layers::Normalization layer({.axis = axis, .invert = invert});
            layer.adapt(testing::seeded_randn({3, 4, 5}, 31) * 2.0f + 1.0f);
            const Tensor x = testing::seeded_randn({3, 4, 5}, 32);
            CHECK_GRADIENTS([&](const std::vector<Tensor>& v) { return layer(v[0]); }, {x},
                            {.eps = 1e-2, .atol = 2e-3, .rtol = 1e-2});
        }
    }
}

TEST_CASE("Normalization's weights are non-trainable mean, variance and count") {
    layers::Normalization layer({.axis = {1, -1}, .name = "norm"});
    layer.build({2, 3, 4, 5});
    CHECK(testing::names_of(layer.weights()) ==
          std::vector<std::string>{"norm/mean", "norm/variance", "norm/count"});
    CHECK(layer.trainable_weights().empty());
    CHECK(layer.non_trainable_weights().size() == 3);
    CHECK(layer.mean().shape() == Shape({3, 5}));
    CHECK(layer.variance().shape() == Shape({3, 5}));
    CHECK(layer.count().shape() == Shape{});
    CHECK(values(layer.mean()) == std::vector<float>(15, 0.0f));
    CHECK(values(layer.variance()) == std::vector<float>(15, 1.0f));
    CHECK(layer.count().item() == 0.0f);
    layer.set_trainable(true);
    CHECK(layer.trainable_weights().empty());
    CHECK(layer.compute_output_shape({7, 3, 1, 5}) == Shape({7, 3, 1, 5}));

    layers::Normalization given({.axis = {}, .mean = {{0.5}}, .variance = {{2.0}}});
    given.build({2, 3});
    CHECK(given.weights().empty());
    CHECK(given.mean().shape() == Shape{});
    CHECK_FALSE(given.count().defined());
}

TEST_CASE("Normalization's adapt merges batches to the one-pass statistics and starts afresh") {
    const Tensor data = testing::seeded_randn({53, 6, 3}, 41) * 3.0f + 2.0f;
    layers::Normalization whole;
    whole.adapt(data, 1000);
    CHECK(whole.count().item() == 53.0f * 6.0f);
    for (const int64_t batch_size : {1, 7, 32, 53}) {
        INFO("batch_size " << batch_size);
        layers::Normalization batched;
        batched.adapt(data, batch_size);
        testing::check_close(batched.mean(), whole.mean(), 1e-6);
        testing::check_close(batched.variance(), whole.variance(), 1e-6);
        CHECK(batched.count().item() == whole.count().item());
    }
    // A kept batch axis is never split: the statistics have one entry per example.
    layers::Normalization per_example({.axis = {0}});
    per_example.adapt(data, 5);
    CHECK(per_example.mean().shape() == Shape({53}));
    CHECK(per_example.count().item() == 18.0f);

    // A second adapt replaces the statistics; other sizes of the reduced axes are fine.
    layers::Normalization again;
    again.adapt(ones({4, 2, 3}) * 100.0f);
    again.adapt(data);
    testing::check_close(again.mean(), whole.mean(), 1e-6);
    testing::check_close(again.variance(), whole.variance(), 1e-6);
    CHECK(again.count().item() == whole.count().item());
}

TEST_CASE("fit leaves an adapted Normalization's statistics alone") {
    reset_layer_names();
    Generator generator(3);
    const Tensor x = randn({32, 4}, generator) * 5.0f + 3.0f;
    const Tensor y = randn({32, 1}, generator);
    auto normalization = std::make_shared<layers::Normalization>();
    normalization->adapt(x);
    const std::vector<Tensor> statistics = normalization->get_weights();
    Sequential model({normalization, layers::Dense({.units = 1})});
    model.compile(optim::Adam({.learning_rate = 0.1}), "mse");
    model.fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0});
    const std::vector<Tensor> after = normalization->get_weights();
    for (std::size_t i = 0; i < statistics.size(); ++i)
        CHECK(values(after[i]) == values(statistics[i]));
    CHECK(model.trainable_weights().size() == 2);
}

TEST_CASE(
    "a Sequential with an adapted Normalization saves and reloads with the same predictions") {
    reset_layer_names();
    Generator generator(4);
    const Tensor data = randn({20, 6, 2}, generator) * 4.0f - 1.0f;
    auto normalization = std::make_shared<layers::Normalization>(
        layers::NormalizationOptions{.axis = {-1}, .invert = false});
    normalization->adapt(data);
    Sequential model({layers::InputLayer({.input_shape = {6, 2}}), normalization, layers::Flatten(),
                      layers::Dense({.units = 3})});
    const testing::TemporaryFolder folder("minidl_normalization_saved_model");
    const std::filesystem::path path = folder.path / "model.json";
    serialization::save_model(model, path);

    auto loaded = serialization::load_model(path);
    const Tensor x = randn({5, 6, 2}, generator);
    CHECK(values(loaded->predict_on_batch(x)) == values(model.predict_on_batch(x)));
    CHECK(testing::names_of(loaded->weights()) == testing::names_of(model.weights()));
    const layers::Normalization* reloaded = nullptr;
    for (const auto& sublayer : loaded->sublayers()) {
        if (const auto* found = dynamic_cast<const layers::Normalization*>(sublayer.get()))
            reloaded = found;
    }
    REQUIRE(reloaded != nullptr);
    CHECK(values(reloaded->mean()) == values(normalization->mean()));
    CHECK(values(reloaded->variance()) == values(normalization->variance()));
    CHECK(reloaded->count().item() == 120.0f);
}

TEST_CASE("Normalization writes tf.keras 2.13's config and reads it back") {
    layers::Normalization layer({.name = "norm"});
    const Json config = layer.config();
    std::vector<std::string> keys;
    for (const auto& [key, value] : config.items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "axis", "invert", "mean",
                                           "variance"});
    CHECK(config["axis"] == Json::array({-1}));
    CHECK(config["invert"] == false);
    CHECK(config["mean"].is_null());
    CHECK(config["variance"].is_null());
    CHECK(layers::Normalization({.axis = {}}).config()["axis"] == Json::array());

    layers::Normalization given(
        {.axis = {1, 2}, .mean = {{1.0, 2.0}}, .variance = {{0.5, 4.0}}, .invert = true});
    CHECK(given.config()["mean"] == Json::array({1.0, 2.0}));
    CHECK(given.config()["variance"] == Json::array({0.5, 4.0}));
    for (const Layer* original : std::vector<const Layer*>{&layer, &given}) {
        const auto again = layers::from_config(original->to_json());
        CHECK(again->config() == original->config());
    }

    // tf.keras also writes an int axis (older versions), None, and scalars or nested lists.
    Json keras = layer.config();
    keras["axis"] = 2;
    keras["mean"] = 3;
    keras["variance"] = Json::array({Json::array({1, 2}), Json::array({3, 4})});
    auto read = layers::Normalization::from_config(keras);
    CHECK(read->options().axis == Axes{2});
    CHECK(read->options().mean == std::vector<double>{3.0});
    CHECK(read->options().variance == std::vector<double>{1, 2, 3, 4});
    keras["axis"] = nullptr;
    CHECK(layers::Normalization::from_config(keras)->options().axis.empty());
    keras.erase("axis");
    CHECK(layers::Normalization::from_config(keras)->options().axis == Axes{-1});

    using Catch::Contains;
    Json bad = layer.config();
    bad["axis"] = "last";
    CHECK_THROWS_WITH(layers::Normalization::from_config(bad),
                      Contains("'axis' must be an integer, a list of integers or null"));
    bad = layer.config();
    bad["mean"] = Json::array({1, "two"});
    bad["variance"] = 1;
    CHECK_THROWS_WITH(layers::Normalization::from_config(bad),
                      Contains("'mean' must be a number or a list of numbers"));
    bad = layer.config();
    bad["mean"] = 1;
    CHECK_THROWS_WITH(layers::Normalization::from_config(bad),
                      Contains("'mean' and 'variance' must be given together"));
    bad = layer.config();
    bad["epsilon"] = 1e-3;
    CHECK_THROWS_WITH(layers::Normalization::from_config(bad), Contains("epsilon"));
}

TEST_CASE("Normalization rejects bad arguments, inputs and data") {
    using Catch::Contains;
    CHECK_THROWS_WITH(layers::Normalization({.axis = {1, 1}, .name = "n"}),
                      Contains("n: 'axis' must not name an axis twice, got [1,1]"));
    CHECK_THROWS_WITH(layers::Normalization({.mean = {{1.0}}, .name = "n"}),
                      Contains("n: 'mean' and 'variance' must be given together, got only 'mean'"));
    CHECK_THROWS_WITH(layers::Normalization({.variance = {{1.0}}, .name = "n"}),
                      Contains("got only 'variance'"));
    CHECK_THROWS_WITH(
        layers::Normalization({.mean = {{0.0}}, .variance = {{1.0, -1.0}}, .name = "n"}),
        Contains("n: 'variance' must hold finite values >= 0, got -1"));
    CHECK_THROWS_AS(layers::Normalization({.mean = {{NAN}}, .variance = {{1.0}}}), ValueError);
    CHECK_THROWS_WITH(
        layers::Normalization({.mean = std::vector<double>{}, .variance = {{1.0}}, .name = "n"}),
        Contains("n: 'mean' has no values"));

    layers::Normalization far({.axis = {3}, .name = "far"});
    CHECK_THROWS_WITH(far(ones({2, 3, 4})),
                      Contains("far: 'axis' [3] is out of range for an input of shape [2, 3, 4]"));
    CHECK_FALSE(far.built());
    CHECK_THROWS_AS(far.adapt(ones({2, 3, 4})), ShapeError);
    layers::Normalization twice({.axis = {-1, 2}, .name = "twice"});
    CHECK_THROWS_WITH(twice(ones({2, 3, 4})), Contains("twice: 'axis' [-1,2] names an axis twice"));

    layers::Normalization misfit({.mean = {{1.0, 2.0}}, .variance = {{1.0}}, .name = "misfit"});
    CHECK_THROWS_WITH(misfit(ones({2, 3})),
                      Contains("misfit: 'mean' has 2 values, which do not broadcast to the kept "
                               "axes' shape [3]"));
    CHECK_FALSE(misfit.built());

    layers::Normalization given({.mean = {{1.0}}, .variance = {{1.0}}, .name = "given"});
    CHECK_THROWS_WITH(given.adapt(ones({2, 3})),
                      Contains("given: cannot adapt a layer given 'mean' and 'variance'"));

    layers::Normalization layer({.name = "norm"});
    CHECK_THROWS_WITH(layer.adapt(zeros({0, 3})),
                      Contains("norm: cannot adapt to empty 'data' of shape [0, 3]"));
    CHECK_THROWS_AS(layer.adapt(ones({4, 3}), 0), ValueError);
    CHECK_FALSE(layer.built());
    layer.adapt(ones({4, 3}));
    CHECK_THROWS_WITH(layer.adapt(ones({4, 5})),
                      Contains("norm: adapt: the layer was built for inputs of shape [4, 3]") &&
                          Contains("got shape [4, 5]"));
    CHECK_THROWS_AS(layer.adapt(ones({4, 1, 3})), ValueError);
    CHECK_THROWS_WITH(layer(ones({2, 5})), Contains("norm: the layer was built for inputs"));
    CHECK_THROWS_AS(layer(ones({2, 5})), ShapeError);
    CHECK(values(layer(ones({9, 3}))) == std::vector<float>(27, 0.0f));
}
