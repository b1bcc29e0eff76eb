// UpSampling1D, ZeroPadding1D and Cropping1D (layers/padding_layers1d.cpp): PyTorch float64
// references (tests/data/pool_layer_fixtures.json, scripts/gen_pool_layer_fixtures.py),
// hand-computed examples from Keras's docstrings, gradients, config round trips (int or pair),
// thread-count independence and every error.
#include <catch2/catch.hpp>

#include <minidl/minidl.hpp>

#include "fixture_support.hpp"
#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/padding_layers1d.hpp"
#include "minidl/layers/registry.hpp"
#include "test_support.hpp"

using namespace minidl;
using layers::Cropping1D;
using layers::UpSampling1D;
using layers::ZeroPadding1D;

namespace {

/// Keras's docstring input: np.arange(12).reshape(2, 2, 3) (or `shape`).
Tensor arange_input(const Shape& shape = {2, 2, 3}) {
    return reshape(arange(shape.numel()), shape);
}

}  // namespace

TEST_CASE("UpSampling1D, ZeroPadding1D and Cropping1D match PyTorch float64 references") {
    for (const char* class_name : {"UpSampling1D", "ZeroPadding1D", "Cropping1D"}) {
        testing::check_registered_layer_fixtures("pool_layer_fixtures.json", class_name, 4);
    }
}

TEST_CASE("resampling options default to Keras's") {
    reset_layer_names();
    CHECK(UpSampling1D().options().size == 2);
    CHECK(ZeroPadding1D().options().padding == layers::StepPair(1, 1));
    CHECK(Cropping1D().options().cropping == layers::StepPair(1, 1));
    CHECK(UpSampling1D().name() == "up_sampling1d_1");
    CHECK(ZeroPadding1D().name() == "zero_padding1d_1");
    CHECK(Cropping1D().name() == "cropping1d_1");
    CHECK(ZeroPadding1D({.padding = 2}).options().padding == layers::StepPair(2, 2));
    CHECK(Cropping1D({.cropping = {0, 3}}).options().cropping == layers::StepPair(0, 3));
}

TEST_CASE("the three layers on Keras's docstring examples") {
    UpSampling1D up;
    CHECK(up(arange_input()).to_vector() == std::vector<float>{0, 1, 2, 0,  1,  2, 3,  4,
                                                               5, 3, 4, 5,  6,  7, 8,  6,
                                                               7, 8, 9, 10, 11, 9, 10, 11});
    CHECK(up(arange_input()).shape() == Shape{2, 4, 3});

    ZeroPadding1D padding({.padding = 2});
    const Tensor padded = padding(arange_input());
    CHECK(padded.shape() == Shape{2, 6, 3});
    CHECK(slice(padded, 1, 2, 4).to_vector() == arange_input().to_vector());
    CHECK(sum(abs(slice(padded, 1, 0, 2))).item() == 0);
    CHECK(sum(abs(slice(padded, 1, 4, 6))).item() == 0);

    Cropping1D cropping({.cropping = 1});
    const Tensor cropped = cropping(arange_input({2, 3, 2}));
    CHECK(cropped.shape() == Shape{2, 1, 2});
    CHECK(cropped.to_vector() == std::vector<float>{2, 3, 8, 9});
}

TEST_CASE("asymmetric padding and cropping, and output shapes") {
    ZeroPadding1D padding({.padding = {0, 2}});
    CHECK(padding.compute_output_shape({3, 5, 4}) == Shape{3, 7, 4});
    CHECK(padding(ones({1, 2, 1})).to_vector() == std::vector<float>{1, 1, 0, 0});
    Cropping1D cropping({.cropping = {2, 0}});
    CHECK(cropping.compute_output_shape({3, 5, 4}) == Shape{3, 3, 4});
    CHECK(cropping(arange_input({1, 4, 1})).to_vector() == std::vector<float>{2, 3});
    CHECK(UpSampling1D({.size = 3}).compute_output_shape({3, 5, 4}) == Shape{3, 15, 4});
}

TEST_CASE("resampling gradients") {
    const Tensor x = testing::seeded_randn({2, 5, 3}, 13);
    UpSampling1D up({.size = 3});
    ZeroPadding1D padding({.padding = {1, 2}});
    Cropping1D cropping({.cropping = {2, 1}});
    CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return up(in[0]); }, {x});
    CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return padding(in[0]); }, {x});
    CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return cropping(in[0]); }, {x});
}

TEST_CASE("resampling configs have tf.keras 2.x's keys and round-trip") {
    const ZeroPadding1D padding({.padding = {1, 3}, .name = "pad"});
    CHECK(padding.config() == Json::parse(R"({"name": "pad", "trainable": true,
        "dtype": "float32", "padding": [1, 3]})"));
    const Cropping1D cropping({.cropping = 2, .name = "crop"});
    CHECK(cropping.config() == Json::parse(R"({"name": "crop", "trainable": true,
        "dtype": "float32", "cropping": [2, 2]})"));
    const UpSampling1D up({.size = 4, .name = "up"});
    CHECK(up.config() ==
          Json::parse(R"({"name": "up", "trainable": true, "dtype": "float32", "size": 4})"));
    for (const Layer* layer :
         {static_cast<const Layer*>(&padding), static_cast<const Layer*>(&cropping),
          static_cast<const Layer*>(&up)}) {
        INFO(layer->class_name());
        CHECK(layers::from_config(layer->to_json())->config() == layer->config());
    }
}

TEST_CASE("resampling configs accept an int for a pair and take Keras's defaults") {
    CHECK(ZeroPadding1D::from_config(Json::parse(R"({"padding": 3})"))->options().padding ==
          layers::StepPair(3, 3));
    CHECK(Cropping1D::from_config(Json::parse(R"({"cropping": [0, 4]})"))->options().cropping ==
          layers::StepPair(0, 4));
    CHECK(Cropping1D::from_config(Json::object())->options().cropping == layers::StepPair(1, 1));
    CHECK(ZeroPadding1D::from_config(Json::object())->options().padding == layers::StepPair(1, 1));
    CHECK(UpSampling1D::from_config(Json::object())->options().size == 2);
}

TEST_CASE("resampling layers are bit-identical on 1 and 2 threads") {
    const Tensor x = testing::seeded_randn({16, 600, 16}, 17);
    std::vector<std::vector<float>> results[2];
    for (const int threads : {1, 2}) {
        const testing::ThreadCount count(threads);
        UpSampling1D up({.size = 3});
        ZeroPadding1D padding({.padding = {2, 5}});
        Cropping1D cropping({.cropping = {3, 1}});
        Tensor variable = x.detach().clone().requires_grad_();
        const Tensor y = cropping(padding(up(variable)));
        sum(y * testing::seeded_randn(y.shape(), 18)).backward();
        results[threads - 1] = {y.to_vector(), variable.grad().to_vector()};
    }
    CHECK(results[0] == results[1]);
}

TEST_CASE("bad resampling arguments are ValueErrors naming the layer and argument") {
    CHECK_THROWS_WITH(UpSampling1D({.size = 0, .name = "up"}),
                      Catch::Contains("up: 'size' must be a positive integer, got 0"));
    CHECK_THROWS_WITH(ZeroPadding1D({.padding = {-1, 2}, .name = "pad"}),
                      Catch::Contains("pad: 'padding' must be non-negative integers, got (-1, "
                                      "2)"));
    CHECK_THROWS_WITH(Cropping1D({.cropping = -1, .name = "crop"}),
                      Catch::Contains("crop: 'cropping' must be non-negative integers, got (-1, "
                                      "-1)"));
}

TEST_CASE("bad resampling configs are ValueErrors naming the key") {
    CHECK_THROWS_WITH(ZeroPadding1D::from_config(Json::parse(R"({"padding": [1, 2, 3]})")),
                      Catch::Contains("ZeroPadding1D config: 'padding' must be an integer or a "
                                      "list of 2 integers, got [1,2,3]"));
    CHECK_THROWS_WITH(Cropping1D::from_config(Json::parse(R"({"cropping": "1"})")),
                      Catch::Contains("Cropping1D config: 'cropping' must be an integer"));
    CHECK_THROWS_WITH(UpSampling1D::from_config(Json::parse(R"({"size": 1.5})")),
                      Catch::Contains("UpSampling1D config: 'size' must be an integer"));
    CHECK_THROWS_WITH(UpSampling1D::from_config(Json::parse(R"({"sizes": 2})")),
                      Catch::Contains("UpSampling1D config: unknown key 'sizes'"));
    CHECK_THROWS_AS(ZeroPadding1D::from_config(Json::parse(R"({"padding": [-1, 0]})")), ValueError);
}

TEST_CASE("bad resampling inputs are ShapeErrors naming the layer") {
    UpSampling1D up({.name = "up"});
    CHECK_THROWS_WITH(up(ones({3, 4})),
                      Catch::Contains("up: expected an input of rank 3 (batch, steps, channels), "
                                      "got shape [3, 4]"));
    CHECK_THROWS_AS(ZeroPadding1D()(ones({1, 2, 3, 4})), ShapeError);
    Cropping1D cropping({.cropping = {2, 1}, .name = "crop"});
    CHECK_THROWS_WITH(cropping(ones({1, 3, 2})),
                      Catch::Contains("crop: cropping (2, 1) leaves no steps of input [1, 3, 2] "
                                      "(it must remove fewer than its 3 steps)"));
    CHECK_THROWS_AS(cropping.compute_output_shape({1, 2, 2}), ShapeError);
    CHECK(cropping(ones({1, 4, 2})).shape() == Shape{1, 1, 2});
}
