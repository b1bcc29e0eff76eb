// Flatten, Reshape and Permute (layers/flatten.cpp, reshape.cpp, permute.cpp): PyTorch float64
// references (tests/data/basic_layer_fixtures.json), hand-worked orders, gradients, tf.keras
// 2.x's configs, and every invalid argument and shape.

#include <catch2/catch.hpp>
#include <iostream>

#include <minidl/minidl.hpp>

#include "fixture_support.hpp"
#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/flatten.hpp"
#include "minidl/layers/permute.hpp"
#include "minidl/layers/registry.hpp"
#include "minidl/layers/reshape.hpp"
#include "test_support.hpp"

using namespace minidl;
using Catch::Contains;
using layers::Flatten;
using layers::Permute;
using layers::Reshape;
using minidl::testing::FixtureJson;

namespace {

std::unique_ptr<Layer> layer_for(const FixtureJson& fixture) {
    const FixtureJson& config = fixture.at("config");
    const std::string class_name = fixture.at("class_name");
    if (class_name == "Flatten")
        return std::make_unique<Flatten>(
            layers::FlattenOptions{.data_format = config.at("data_format").get<std::string>()});
    if (class_name == "Reshape")
        return std::make_unique<Reshape>(layers::ReshapeOptions{
            .target_shape = config.at("target_shape").get<std::vector<int64_t>>()});
    if (class_name == "Permute")
        return std::make_unique<Permute>(
            layers::PermuteOptions{.dims = config.at("dims").get<std::vector<int64_t>>()});
    return nullptr;
}

/// Checks the input gradient of `layer` by central differences.
void check_input_gradient(Layer& layer, const Shape& shape) {
    CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return layer(in[0]); },
                    {testing::seeded_randn(shape, 9)});
}

/// config() -> from_config -> the same config, directly and through the registry.
template <class L>
void check_round_trip(const L& layer, const Json& expected) {
    CHECK(layer.config() == expected);
    CHECK(L::from_config(expected)->config() == expected);
    CHECK(layers::from_config(layer.to_json())->config() == expected);
}

}  // namespace

TEST_CASE("Flatten, Reshape and Permute match PyTorch float64 references", "[reshaping]") {
    const FixtureJson cases = testing::load_fixture_cases("basic_layer_fixtures.json");
    testing::WorstErrors worst;
    std::map<std::string, int> checked;
    for (const FixtureJson& fixture : cases) {
        const std::unique_ptr<Layer> layer = layer_for(fixture);
        if (!layer) continue;
        testing::check_layer_against_fixture(*layer, fixture, worst);
        ++checked[fixture.at("class_name")];
    }
    CHECK(checked["Flatten"] == 8);
    CHECK(checked["Reshape"] == 7);
    CHECK(checked["Permute"] == 5);
    std::cout << worst.summary("Flatten/Reshape/Permute") << "\n";
}

// ---- Flatten ----

TEST_CASE("Flatten keeps the batch axis and the value order", "[reshaping]") {
    Flatten flatten;
    const Tensor x = testing::ramp({2, 3, 2});
    const Tensor y = flatten(x);
    CHECK(y.shape() == Shape{2, 6});
    CHECK(y.to_vector() == x.to_vector());
    CHECK(flatten(ones({4})).shape() == Shape{4, 1});
    CHECK(flatten.compute_output_shape({5, 2, 3, 4}) == Shape{5, 24});
    CHECK(flatten.compute_output_shape({5, 0, 3}) == Shape{5, 0});

    SECTION("channels_first moves the channels last first, as Keras") {
        // x[b, c, t] = 10 c + t: channels_last order lists both channels of a step together.
        Flatten first({.data_format = "channels_first"});
        const Tensor cf = tensor({0, 1, 2, 10, 11, 12}, {1, 2, 3});
        CHECK(first(cf).to_vector() == std::vector<float>{0, 10, 1, 11, 2, 12});
        CHECK(first(ones({3, 4})).shape() == Shape{3, 4});
        CHECK(first.compute_output_shape({2, 3, 4, 5}) == Shape{2, 60});
    }
}

TEST_CASE("Flatten passes gradients and round-trips its config", "[reshaping]") {
    Flatten flatten;
    check_input_gradient(flatten, {2, 3, 4});
    Flatten first({.data_format = DataFormat::ChannelsFirst, .name = "flat"});
    check_input_gradient(first, {2, 3, 2, 2});
    check_round_trip(first, Json::parse(R"({"name": "flat", "trainable": true,
        "dtype": "float32", "data_format": "channels_first"})"));
    reset_layer_names();
    CHECK(Flatten().name() == "flatten");
    // Keras's None data_format is channels_last.
    CHECK(Flatten::from_config(Json::parse(R"({"data_format": null})"))->config()["data_format"] ==
          "channels_last");
}

TEST_CASE("Flatten rejects bad arguments and inputs", "[reshaping]") {
    CHECK_THROWS_WITH(Flatten({.data_format = "channels_middle"}), Contains("channels_middle"));
    CHECK_THROWS_WITH(Flatten::from_config(Json::parse(R"({"data_format": "nhwc"})")),
                      Contains("Flatten config: data_format") && Contains("nhwc"));
    CHECK_THROWS_WITH(Flatten::from_config(Json::parse(R"({"data_format": 1})")),
                      Contains("Flatten config: 'data_format' must be a string"));
    CHECK_THROWS_WITH(Flatten::from_config(Json::parse(R"({"axis": 1})")),
                      Contains("Flatten config: unknown key 'axis'"));
    Flatten flatten({.name = "flat"});
    CHECK_THROWS_AS(flatten(tensor({1}, {})), ShapeError);
    CHECK_THROWS_WITH(flatten.compute_output_shape({}),
                      Contains("flat: expected an input with a batch axis (rank >= 1), got "
                               "shape []"));
}

// ---- Reshape ----

TEST_CASE("Reshape keeps the batch axis and infers one -1", "[reshaping]") {
    Reshape reshape({.target_shape = {3, -1}});
    const Tensor x = testing::ramp({2, 12});
    const Tensor y = reshape(x);
    CHECK(y.shape() == Shape{2, 3, 4});
    CHECK(y.to_vector() == x.to_vector());
    CHECK(reshape.compute_output_shape({5, 2, 3, 2}) == Shape{5, 3, 4});
    CHECK(Reshape({.target_shape = {}}).compute_output_shape({4, 1, 1}) == Shape{4});
    CHECK(Reshape({.target_shape = {2, 0}}).compute_output_shape({3, 0}) == Shape{3, 2, 0});
    check_input_gradient(reshape, {2, 6});
}

TEST_CASE("Reshape round-trips its config", "[reshaping]") {
    reset_layer_names();
    Reshape reshape({.target_shape = {-1, 2}});
    check_round_trip(reshape, Json::parse(R"({"name": "reshape", "trainable": true,
        "dtype": "float32", "target_shape": [-1, 2]})"));
    const std::unique_ptr<Layer> keras = layers::from_config(Json::parse(
        R"({"module": "keras.layers", "class_name": "Reshape", "config": {"name": "r",
            "trainable": true, "dtype": "float32", "batch_input_shape": [null, 12],
            "target_shape": [3, 4]}, "registered_name": null,
            "build_config": {"input_shape": [null, 12]}})"));
    CHECK(keras->compute_output_shape({2, 12}) == Shape{2, 3, 4});
}

TEST_CASE("Reshape rejects bad targets and inputs that do not fit", "[reshaping]") {
    CHECK_THROWS_AS(Reshape({.target_shape = {-1, -1}}), ValueError);
    CHECK_THROWS_WITH(Reshape({.target_shape = {-1, 2, -1}, .name = "r"}),
                      Contains("r: 'target_shape' may have at most one unknown (-1) size, got "
                               "target_shape [-1, 2, -1]"));
    CHECK_THROWS_WITH(Reshape({.target_shape = {3, -2}, .name = "r"}),
                      Contains("r: 'target_shape' sizes must be >= 0 or -1, got target_shape "
                               "[3, -2]"));
    CHECK_THROWS_WITH(Reshape({.target_shape = {1, 1, 1, 1, 1, 1, 1, 1}, .name = "r"}),
                      Contains("r: 'target_shape' may have at most 7 sizes"));
    CHECK_THROWS_WITH(Reshape::from_config(Json::parse(R"({"name": "r"})")),
                      Contains("Reshape config: 'target_shape' is required"));
    CHECK_THROWS_WITH(Reshape::from_config(Json::parse(R"({"target_shape": [2, "3"]})")),
                      Contains("Reshape config: 'target_shape' must be a list of integers, got "
                               "[2,\"3\"]"));
    CHECK_THROWS_WITH(Reshape::from_config(Json::parse(R"({"target_shape": 6})")),
                      Contains("'target_shape' must be a list of integers"));
    CHECK_THROWS_WITH(Reshape::from_config(Json::parse(R"({"target_shape": [-1, -1]})")),
                      Contains("at most one unknown"));

    Reshape reshape({.target_shape = {4, -1}, .name = "r"});
    CHECK_THROWS_AS(reshape(ones({2, 6})), ShapeError);
    CHECK_THROWS_WITH(reshape(ones({2, 6})),
                      Contains("r: cannot reshape an input of shape [2, 6] (6 values per sample) "
                               "to target_shape [4, -1]"));
    CHECK_THROWS_AS(Reshape({.target_shape = {5}}).compute_output_shape({2, 6}), ShapeError);
    CHECK_THROWS_AS(Reshape({.target_shape = {0, -1}}).compute_output_shape({2, 0}), ShapeError);
    CHECK_THROWS_AS(reshape(tensor({1}, {})), ShapeError);
    CHECK_FALSE(reshape.built());
}

// ---- Permute ----

TEST_CASE("Permute reorders the non-batch axes (1-based dims)", "[reshaping]") {
    Permute permute({.dims = {2, 1}});
    // x[b, i, j] = 10 i + j; y[b, j, i] = x[b, i, j].
    const Tensor x = tensor({0, 1, 2, 10, 11, 12}, {1, 2, 3});
    const Tensor y = permute(x);
    CHECK(y.shape() == Shape{1, 3, 2});
    CHECK(y.to_vector() == std::vector<float>{0, 10, 1, 11, 2, 12});
    CHECK(Permute({.dims = {3, 1, 2}}).compute_output_shape({7, 2, 3, 4}) == Shape{7, 4, 2, 3});
    check_input_gradient(permute, {2, 3, 4});
    Permute rotate({.dims = {2, 3, 1}});
    check_input_gradient(rotate, {2, 2, 3, 2});
}

TEST_CASE("Permute round-trips its config", "[reshaping]") {
    reset_layer_names();
    Permute permute({.dims = {2, 1}});
    check_round_trip(permute, Json::parse(R"({"name": "permute", "trainable": true,
        "dtype": "float32", "dims": [2, 1]})"));
}

TEST_CASE("Permute rejects dims that are not a permutation and inputs of another rank",
          "[reshaping]") {
    for (const std::vector<int64_t>& dims :
         std::vector<std::vector<int64_t>>{{0, 1}, {1, 1}, {1, 3}, {2}, {-1, 1}}) {
        INFO(layers::int_list_to_string(dims));
        CHECK_THROWS_AS(Permute({.dims = dims}), ValueError);
    }
    CHECK_THROWS_WITH(Permute({.dims = {1, 3}, .name = "p"}),
                      Contains("p: invalid permutation 'dims': the indices must be consecutive "
                               "and start from 1, got dims=[1, 3]"));
    CHECK_THROWS_WITH(Permute({.dims = {1, 2, 3, 4, 5, 6, 7, 8}, .name = "p"}),
                      Contains("p: 'dims' may have at most 7 axes"));
    CHECK_THROWS_WITH(Permute::from_config(Json::parse(R"({"dims": [2, 2]})")),
                      Contains("invalid permutation"));
    CHECK_THROWS_WITH(Permute::from_config(Json::parse(R"({})")),
                      Contains("Permute config: 'dims' is required"));
    CHECK_THROWS_WITH(Permute::from_config(Json::parse(R"({"dims": [2, 1.5]})")),
                      Contains("Permute config: 'dims' must be a list of integers"));

    Permute permute({.dims = {2, 1}, .name = "p"});
    CHECK_THROWS_AS(permute(ones({2, 3})), ShapeError);
    CHECK_THROWS_WITH(permute.compute_output_shape({2, 3, 4, 5}),
                      Contains("p: expected an input of rank 3 (the batch axis plus one per "
                               "entry of dims=[2, 1]), got shape [2, 3, 4, 5]"));
    CHECK_FALSE(permute.built());
}
