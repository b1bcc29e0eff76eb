// GlobalAveragePooling1D and GlobalMaxPooling1D (layers/global_pooling1d.cpp): PyTorch float64
// references (tests/data/pool_layer_fixtures.json, scripts/gen_pool_layer_fixtures.py), shapes
// with keepdims, TensorFlow's tie rule, one graph node, config round trips, thread-count
// independence and every error.
#include <catch2/catch.hpp>

#include <minidl/minidl.hpp>

#include "fixture_support.hpp"
#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/global_pooling1d.hpp"
#include "minidl/layers/registry.hpp"
#include "test_support.hpp"

using namespace minidl;
using layers::GlobalAveragePooling1D;
using layers::GlobalMaxPooling1D;

TEST_CASE("global poolings match PyTorch float64 references, tied maxima included") {
    testing::check_registered_layer_fixtures("pool_layer_fixtures.json", "GlobalAveragePooling1D",
                                             12);
    testing::check_registered_layer_fixtures("pool_layer_fixtures.json", "GlobalMaxPooling1D", 12);
}

TEST_CASE("global pooling options default to Keras's") {
    reset_layer_names();
    const GlobalAveragePooling1D average;
    CHECK(average.options().data_format == DataFormat::ChannelsLast);
    CHECK_FALSE(average.options().keepdims);
    CHECK(average.name() == "global_average_pooling1d");
    CHECK(GlobalMaxPooling1D().name() == "global_max_pooling1d");
}

TEST_CASE("global pooling output shapes, with and without keepdims") {
    CHECK(GlobalAveragePooling1D().compute_output_shape({4, 7, 3}) == Shape{4, 3});
    CHECK(GlobalMaxPooling1D({.keepdims = true}).compute_output_shape({4, 7, 3}) == Shape{4, 1, 3});
    CHECK(GlobalMaxPooling1D({.data_format = "channels_first"}).compute_output_shape({4, 7, 3}) ==
          Shape{4, 7});
    CHECK(GlobalAveragePooling1D({.data_format = "channels_first", .keepdims = true})
              .compute_output_shape({4, 7, 3}) == Shape{4, 7, 1});
}

TEST_CASE("global pooling on a hand-computed example in both data formats") {
    // Two steps of three channels, channels_last.
    const Tensor x = tensor({1, 6, -2, 3, 2, -4}, {1, 2, 3});
    GlobalAveragePooling1D average;
    GlobalMaxPooling1D maximum;
    CHECK(average(x).to_vector() == std::vector<float>{2, 4, -3});
    CHECK(maximum(x).to_vector() == std::vector<float>{3, 6, -2});
    GlobalAveragePooling1D average_first({.data_format = "channels_first", .keepdims = true});
    GlobalMaxPooling1D maximum_first({.data_format = "channels_first"});
    const Tensor x_first = transpose(x, 1, 2);  // [1, 3, 2]
    CHECK(average_first(x_first).shape() == Shape{1, 3, 1});
    CHECK(average_first(x_first).to_vector() == std::vector<float>{2, 4, -3});
    CHECK(maximum_first(x_first).to_vector() == std::vector<float>{3, 6, -2});
}

TEST_CASE("GlobalMaxPooling1D shares the gradient of tied maxima, as tf.reduce_max") {
    GlobalMaxPooling1D maximum;
    Tensor x = tensor({5, 5, 1, 5}, {1, 4, 1}).requires_grad_();
    maximum(x).backward(tensor({6}, {1, 1}));
    CHECK(x.grad().to_vector() == std::vector<float>{2, 2, 0, 2});
}

TEST_CASE("GlobalAveragePooling1D is one graph node for channels_last input") {
    GlobalAveragePooling1D average;
    const Tensor x = ones({2, 5, 3}).requires_grad_();
    CHECK(average(x).grad_fn_name() == "global_avg_pool1d");
    CHECK(GlobalMaxPooling1D()(x).grad_fn_name() == "global_max_pool1d");
}

TEST_CASE("global pooling gradients in both data formats and with keepdims") {
    const Tensor x = testing::seeded_randn({2, 5, 3}, 3);
    for (const char* data_format : {"channels_last", "channels_first"}) {
        for (const bool keepdims : {false, true}) {
            INFO(data_format << " keepdims=" << keepdims);
            GlobalAveragePooling1D average({.data_format = data_format, .keepdims = keepdims});
            GlobalMaxPooling1D maximum({.data_format = data_format, .keepdims = keepdims});
            CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return average(in[0]); }, {x});
            CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return maximum(in[0]); }, {x});
        }
    }
}

TEST_CASE("global pooling config has tf.keras 2.x's keys in order and round-trips") {
    const GlobalAveragePooling1D average(
        {.data_format = "channels_first", .keepdims = true, .name = "gap"});
    CHECK(average.config() == Json::parse(R"({"name": "gap", "trainable": true,
        "dtype": "float32", "data_format": "channels_first", "keepdims": true})"));
    const std::unique_ptr<Layer> again = layers::from_config(average.to_json());
    REQUIRE(dynamic_cast<GlobalAveragePooling1D*>(again.get()) != nullptr);
    CHECK(again->config() == average.config());
    const auto maximum = GlobalMaxPooling1D::from_config(Json::object());
    CHECK(maximum->options().data_format == DataFormat::ChannelsLast);
    CHECK_FALSE(maximum->options().keepdims);
    CHECK(layers::from_config(maximum->to_json())->config() == maximum->config());
}

TEST_CASE("global poolings are bit-identical on 1 and 2 threads") {
    const Tensor x = testing::seeded_randn({64, 300, 32}, 5);
    for (const char* data_format : {"channels_last", "channels_first"}) {
        INFO(data_format);
        std::vector<std::vector<float>> results[2];
        for (const int threads : {1, 2}) {
            const testing::ThreadCount count(threads);
            GlobalAveragePooling1D average({.data_format = data_format});
            GlobalMaxPooling1D maximum({.data_format = data_format});
            Tensor variable = x.detach().clone().requires_grad_();
            const Tensor means = average(variable);
            const Tensor maxima = maximum(variable);
            (sum(means * testing::seeded_randn(means.shape(), 6)) +
             sum(maxima * testing::seeded_randn(maxima.shape(), 7)))
                .backward();
            results[threads - 1] = {means.to_vector(), maxima.to_vector(),
                                    variable.grad().to_vector()};
        }
        CHECK(results[0] == results[1]);
    }
}

TEST_CASE("bad global pooling arguments, configs and inputs are errors naming what is wrong") {
    CHECK_THROWS_WITH(GlobalAveragePooling1D({.data_format = "channels_middle"}),
                      Catch::Contains("data_format: expected 'channels_last' or "
                                      "'channels_first', got 'channels_middle'"));
    CHECK_THROWS_WITH(GlobalMaxPooling1D::from_config(Json::parse(R"({"keepdim": true})")),
                      Catch::Contains("GlobalMaxPooling1D config: unknown key 'keepdim'"));
    CHECK_THROWS_WITH(GlobalAveragePooling1D::from_config(Json::parse(R"({"keepdims": 1})")),
                      Catch::Contains("'keepdims' must be true or false, got 1"));
    CHECK_THROWS_WITH(GlobalAveragePooling1D::from_config(Json::parse(R"({"data_format": "nwc"})")),
                      Catch::Contains("GlobalAveragePooling1D config: data_format: expected"));

    GlobalAveragePooling1D average({.name = "gap"});
    CHECK_THROWS_WITH(average(ones({4, 3})),
                      Catch::Contains("gap: expected an input of rank 3 (batch, steps, "
                                      "channels), got shape [4, 3]"));
    CHECK_THROWS_WITH(average(ones({4, 0, 3})),
                      Catch::Contains("gap: input [4, 0, 3] (batch, steps, channels) has no "
                                      "steps to pool over"));
    GlobalMaxPooling1D first({.data_format = "channels_first", .name = "gmp"});
    CHECK_THROWS_WITH(first.compute_output_shape({4, 3, 0}),
                      Catch::Contains("gmp: input [4, 3, 0] (batch, channels, steps) has no "
                                      "steps"));
    CHECK_THROWS_AS(first(ones({1, 2, 3, 4})), ShapeError);
}
