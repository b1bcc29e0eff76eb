// MaxPooling1D and AveragePooling1D (layers/pooling1d.cpp): PyTorch float64 references
// (tests/data/pool_layer_fixtures.json, written by scripts/gen_pool_layer_fixtures.py), Keras's
// defaults, output shapes, config round trips, thread-count independence and every error.
#include <catch2/catch.hpp>

#include <minidl/minidl.hpp>

#include "fixture_support.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/pooling1d.hpp"
#include "minidl/layers/registry.hpp"
#include "test_support.hpp"

using namespace minidl;
using layers::AveragePooling1D;
using layers::MaxPooling1D;

TEST_CASE("MaxPooling1D and AveragePooling1D match PyTorch float64 references") {
    testing::check_registered_layer_fixtures("pool_layer_fixtures.json", "MaxPooling1D", 40);
    testing::check_registered_layer_fixtures("pool_layer_fixtures.json", "AveragePooling1D", 40);
}

TEST_CASE("pooling options default to Keras's") {
    reset_layer_names();
    const MaxPooling1D pool;
    CHECK(pool.options().pool_size == 2);
    CHECK_FALSE(pool.options().strides.has_value());
    CHECK(pool.strides() == 2);  // strides=None means pool_size
    CHECK(pool.options().padding == Padding::Valid);
    CHECK(pool.options().data_format == DataFormat::ChannelsLast);
    CHECK(pool.name() == "max_pooling1d");
    CHECK(AveragePooling1D().name() == "average_pooling1d");
    CHECK(MaxPooling1D({.pool_size = 3}).strides() == 3);
    CHECK(MaxPooling1D({.pool_size = 3, .strides = 1}).strides() == 1);
}

TEST_CASE("pooling output shapes follow TensorFlow's window rules") {
    struct Row {
        int64_t pool_size, strides;
        const char* padding;
        int64_t length, expected;
    };
    // valid: ceil((L - k + 1) / s); same: ceil(L / s).
    const Row rows[] = {{2, 2, "valid", 5, 2}, {2, 2, "same", 5, 3},  {3, 1, "valid", 7, 5},
                        {3, 1, "same", 7, 7},  {3, 2, "valid", 8, 3}, {3, 2, "same", 8, 4},
                        {4, 3, "valid", 4, 1}, {4, 3, "same", 1, 1},  {1, 4, "valid", 9, 3}};
    for (const Row& row : rows) {
        INFO(row.pool_size << " " << row.strides << " " << row.padding << " L=" << row.length);
        const MaxPooling1D last(
            {.pool_size = row.pool_size, .strides = row.strides, .padding = row.padding});
        CHECK(last.compute_output_shape({2, row.length, 3}) == Shape{2, row.expected, 3});
        const AveragePooling1D first({.pool_size = row.pool_size,
                                      .strides = row.strides,
                                      .padding = row.padding,
                                      .data_format = "channels_first"});
        CHECK(first.compute_output_shape({2, 3, row.length}) == Shape{2, 3, row.expected});
    }
}

TEST_CASE("pooling layers accept any channel count and length on every call (no weights)") {
    MaxPooling1D pool;
    CHECK(pool(ones({1, 4, 3})).shape() == Shape{1, 2, 3});
    CHECK(pool(ones({2, 6, 5})).shape() == Shape{2, 3, 5});
    CHECK(pool.weights().empty());
    CHECK(pool.count_params() == 0);
}

TEST_CASE("pooling config has tf.keras 2.x's keys in order and round-trips") {
    const MaxPooling1D pool(
        {.pool_size = 3, .padding = "same", .data_format = "channels_first", .name = "pool"});
    const Json expected = Json::parse(R"({"name": "pool", "trainable": true, "dtype": "float32",
        "strides": [3], "pool_size": [3], "padding": "same", "data_format": "channels_first"})");
    CHECK(pool.config() == expected);
    CHECK(pool.to_json().at("class_name") == "MaxPooling1D");

    const AveragePooling1D average({.pool_size = 4, .strides = 1, .trainable = false});
    const std::unique_ptr<Layer> again = layers::from_config(average.to_json());
    REQUIRE(dynamic_cast<AveragePooling1D*>(again.get()) != nullptr);
    CHECK(again->config() == average.config());
    CHECK(again->config().at("trainable") == false);
}

TEST_CASE("pooling configs take Keras's defaults and strides=null") {
    const auto layer =
        MaxPooling1D::from_config(Json::parse(R"({"pool_size": 4, "strides": null})"));
    CHECK(layer->strides() == 4);
    CHECK(layer->options().padding == Padding::Valid);
    const auto defaults = AveragePooling1D::from_config(Json::object());
    CHECK(defaults->options().pool_size == 2);
    CHECK(defaults->strides() == 2);
    const auto shaped = MaxPooling1D::from_config(
        Json::parse(R"({"batch_input_shape": [null, 8, 2], "padding": "SAME"})"));
    REQUIRE(shaped->batch_input_shape().has_value());
    CHECK(*shaped->batch_input_shape() == std::vector<int64_t>{-1, 8, 2});
    CHECK(shaped->options().padding == Padding::Same);
}

TEST_CASE("channels_first pooling is the transposed channels_last pooling") {
    const Tensor x = testing::seeded_randn({2, 9, 4}, 7);
    for (const char* padding : {"valid", "same"}) {
        INFO(padding);
        MaxPooling1D last({.pool_size = 3, .strides = 2, .padding = padding});
        AveragePooling1D average_last({.pool_size = 3, .strides = 2, .padding = padding});
        MaxPooling1D first(
            {.pool_size = 3, .strides = 2, .padding = padding, .data_format = "channels_first"});
        AveragePooling1D average_first(
            {.pool_size = 3, .strides = 2, .padding = padding, .data_format = "channels_first"});
        testing::check_close(first(transpose(x, 1, 2)), transpose(last(x), 1, 2));
        testing::check_close(average_first(transpose(x, 1, 2)), transpose(average_last(x), 1, 2));
    }
}

TEST_CASE("pooling layers are bit-identical on 1 and 2 threads") {
    const Tensor x = testing::seeded_randn({16, 500, 32}, 9);
    for (const char* padding : {"valid", "same"}) {
        INFO(padding);
        std::vector<std::vector<float>> results[2];
        for (const int threads : {1, 2}) {
            const testing::ThreadCount count(threads);
            MaxPooling1D max_pool({.pool_size = 3, .strides = 2, .padding = padding});
            AveragePooling1D average({.pool_size = 4, .strides = 3, .padding = padding});
            Tensor variable = x.detach().clone().requires_grad_();
            const Tensor maxima = max_pool(variable);
            const Tensor means = average(variable);
            (sum(maxima * testing::seeded_randn(maxima.shape(), 10)) +
             sum(means * testing::seeded_randn(means.shape(), 11)))
                .backward();
            results[threads - 1] = {maxima.to_vector(), means.to_vector(),
                                    variable.grad().to_vector()};
        }
        CHECK(results[0] == results[1]);
    }
}

TEST_CASE("invalid pooling arguments are ValueErrors naming the layer and argument") {
    CHECK_THROWS_WITH(MaxPooling1D({.pool_size = 0, .name = "p"}),
                      Catch::Contains("p: 'pool_size' must be a positive integer, got 0"));
    CHECK_THROWS_WITH(AveragePooling1D({.strides = 0, .name = "p"}),
                      Catch::Contains("p: 'strides' must be a positive integer, got 0"));
    CHECK_THROWS_AS(MaxPooling1D({.strides = -2}), ValueError);
    CHECK_THROWS_WITH(MaxPooling1D({.padding = "causal", .name = "p"}),
                      Catch::Contains("p: 'padding' must be 'valid' or 'same' for pooling, got "
                                      "'causal'"));
    CHECK_THROWS_WITH(AveragePooling1D({.padding = "full"}),
                      Catch::Contains("padding: expected one of 'valid', 'same', 'causal', got "
                                      "'full'"));
    CHECK_THROWS_AS(AveragePooling1D({.data_format = "channels_middle"}), ValueError);
}

TEST_CASE("bad pooling configs are ValueErrors naming the key") {
    CHECK_THROWS_WITH(MaxPooling1D::from_config(Json::parse(R"({"pool_sise": 2})")),
                      Catch::Contains("MaxPooling1D config: unknown key 'pool_sise'"));
    CHECK_THROWS_WITH(AveragePooling1D::from_config(Json::parse(R"({"padding": "full"})")),
                      Catch::Contains("AveragePooling1D config: padding: expected one of"));
    CHECK_THROWS_WITH(MaxPooling1D::from_config(Json::parse(R"({"strides": "2"})")),
                      Catch::Contains("MaxPooling1D config: 'strides' must be an integer"));
    CHECK_THROWS_WITH(MaxPooling1D::from_config(Json::parse(R"({"data_format": 1})")),
                      Catch::Contains("'data_format' must be a string"));
    CHECK_THROWS_AS(MaxPooling1D::from_config(Json::parse(R"({"padding": "causal"})")), ValueError);
}

TEST_CASE("bad pooling inputs are ShapeErrors naming the layer") {
    MaxPooling1D pool({.pool_size = 3, .name = "pool"});
    CHECK_THROWS_WITH(pool(ones({4, 3})), Catch::Contains("pool: expected an input of rank 3 "
                                                          "(batch, steps, channels), got shape "
                                                          "[4, 3]"));
    CHECK_THROWS_WITH(pool(ones({1, 2, 3})),
                      Catch::Contains("pool: input [1, 2, 3] has 2 steps, too few for pool_size "
                                      "3 with padding 'valid' (the output would have 0 steps)"));
    CHECK_THROWS_AS(pool.compute_output_shape({1, 2, 3}), ShapeError);
    CHECK_FALSE(pool.built());
    AveragePooling1D first({.padding = "same", .data_format = "channels_first", .name = "avg"});
    CHECK_THROWS_WITH(first(ones({1, 3, 0})),
                      Catch::Contains("avg: input [1, 3, 0] has 0 steps, too few for pool_size "
                                      "2 with padding 'same'"));
    CHECK_THROWS_WITH(first(ones({1, 0, 4})),
                      Catch::Contains("avg: the input's channel axis must not be empty"));
}
