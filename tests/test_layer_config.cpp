// Layer configs (config() and layers::from_config) against the JSON tf.keras 2.x writes: key order
// and values, committed fixtures in both nested-object styles (tf.keras <= 2.12 and >= 2.13),
// round trips, and Keras's defaults for absent keys.

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "keras_config_support.hpp"

#include "minidl/layers/conv1d.hpp"
#include "minidl/layers/depthwise_conv1d.hpp"
#include "minidl/layers/registry.hpp"
#include "minidl/layers/separable_conv1d.hpp"

using namespace minidl;
using namespace minidl::testing;
using layers::Conv1D;
using layers::DepthwiseConv1D;
using layers::SeparableConv1D;

namespace {

void check_round_trip(const Layer& layer) {
    const std::unique_ptr<Layer> again = layers::from_config(layer.to_json());
    REQUIRE(again);
    CHECK(again->class_name() == layer.class_name());
    check_same_config(again->config(), layer.config());
}

}  // namespace

TEST_CASE("SeparableConv1D config has tf.keras 2.x's keys in order", "[layer_config]") {
    const SeparableConv1D layer({.filters = 8,
                                 .kernel_size = 5,
                                 .padding = "causal",
                                 .dilation_rate = 2,
                                 .depth_multiplier = 2,
                                 .activation = "relu",
                                 .depthwise_regularizer = regularizers::L2(1e-4),
                                 .pointwise_constraint = constraints::MaxNorm(3.0),
                                 .name = "separable_conv1d_7"});
    const Json expected = Json::parse(R"({
        "name": "separable_conv1d_7",
        "trainable": true,
        "dtype": "float32",
        "filters": 8,
        "kernel_size": [5],
        "strides": [1],
        "padding": "causal",
        "data_format": "channels_last",
        "dilation_rate": [2],
        "groups": 1,
        "activation": "relu",
        "use_bias": true,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": null,
        "bias_regularizer": null,
        "activity_regularizer": null,
        "kernel_constraint": null,
        "bias_constraint": null,
        "depth_multiplier": 2,
        "depthwise_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
        "pointwise_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
        "depthwise_regularizer": {"class_name": "L2", "config": {"l2": 9.999999747378752e-05}},
        "pointwise_regularizer": null,
        "depthwise_constraint": null,
        "pointwise_constraint": {"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 0}}
    })");
    check_same_config(layer.config(), expected);
    // The factor is the float32 nearest 1e-4, written as the double it converts to.
    CHECK(layer.config()["depthwise_regularizer"]["config"]["l2"].get<double>() ==
          static_cast<double>(1e-4f));
    CHECK(layer.config()["pointwise_constraint"]["config"]["max_value"].is_number_integer());
}

TEST_CASE("the config does not change when the layer is built or called", "[layer_config]") {
    SeparableConv1D layer({.filters = 3, .kernel_size = 2, .name = "sep"});
    const Json before = layer.config();
    layer(zeros({1, 4, 2}));
    check_same_config(layer.config(), before);
    layer.set_trainable(false);
    CHECK(layer.config()["trainable"] == false);
}

TEST_CASE("batch_input_shape sits between trainable and dtype", "[layer_config]") {
    SeparableConv1D layer({.filters = 3, .kernel_size = 2, .name = "sep"});
    layer.set_batch_input_shape({-1, 16, 3});
    const Json config = layer.config();
    const std::vector<std::string> keys = keys_of(config);
    REQUIRE(keys.size() > 4);
    CHECK(std::vector<std::string>(keys.begin(), keys.begin() + 4) ==
          std::vector<std::string>{"name", "trainable", "batch_input_shape", "dtype"});
    CHECK(config["batch_input_shape"] == Json::parse("[null, 16, 3]"));
    check_round_trip(layer);
}

TEST_CASE("tf.keras <= 2.12 fixtures load and are written back unchanged", "[layer_config]") {
    for (const char* name : {"separable_conv1d_tf2_12.json", "conv1d_tf2_12.json"}) {
        INFO(name);
        const Json fixture = read_keras_fixture(name);
        const std::unique_ptr<Layer> layer = layers::from_config(fixture);
        REQUIRE(layer);
        CHECK(layer->class_name() == fixture["class_name"]);
        check_same_config(layer->config(), fixture["config"]);
        check_same_config(layer->to_json(), fixture);
        check_round_trip(*layer);
    }
}

TEST_CASE("tf.keras >= 2.13 fixtures load", "[layer_config]") {
    for (const char* name : {"separable_conv1d_tf2_13.json", "depthwise_conv1d_tf2_13.json"}) {
        INFO(name);
        const Json fixture = read_keras_fixture(name);
        const std::unique_ptr<Layer> layer = layers::from_config(fixture);
        REQUIRE(layer);
        CHECK(layer->class_name() == fixture["class_name"]);
        // minidl writes the <= 2.12 style; the content is the same.
        check_same_config(layer->config(), legacy_form(fixture["config"]));
        check_round_trip(*layer);
    }
}

TEST_CASE("both fixture styles describe the same SeparableConv1D", "[layer_config]") {
    const std::unique_ptr<Layer> old_style =
        layers::from_config(read_keras_fixture("separable_conv1d_tf2_12.json"));
    const std::unique_ptr<Layer> new_style =
        layers::from_config(read_keras_fixture("separable_conv1d_tf2_13.json"));
    Json expected = old_style->config();
    expected.erase("batch_input_shape");
    check_same_config(new_style->config(), expected);

    const auto& sep = dynamic_cast<const SeparableConv1D&>(*new_style);
    check_fixture_sep_conv(sep);
    CHECK(sep.options().depthwise_initializer.class_name() == "HeNormal");

    // The loaded rules act: the depthwise L2 penalty of the built layer.
    SeparableConv1D& layer = const_cast<SeparableConv1D&>(sep);
    layer.build({1, 16, 3});
    CHECK(layer.depthwise_kernel().shape() == Shape{5, 3, 2});
    const std::vector<Tensor> losses = layer.losses();
    REQUIRE(losses.size() == 2);  // depthwise and bias penalties
    double squares = 0.0;
    for (float v : layer.depthwise_kernel().to_vector()) squares += static_cast<double>(v) * v;
    CHECK(losses[0].item() == Approx(static_cast<double>(1e-4f) * squares).epsilon(1e-5));
}

TEST_CASE("the Conv1D and DepthwiseConv1D fixtures set every argument", "[layer_config]") {
    const std::unique_ptr<Layer> conv =
        layers::from_config(read_keras_fixture("conv1d_tf2_12.json"));
    const auto& conv1d = dynamic_cast<const Conv1D&>(*conv);
    CHECK(conv1d.name() == "conv1d_3");
    CHECK_FALSE(conv1d.trainable());
    CHECK(conv1d.options().groups == 3);
    CHECK(conv1d.options().strides == 2);
    CHECK(conv1d.options().data_format == DataFormat::ChannelsFirst);
    CHECK_FALSE(conv1d.options().use_bias);
    CHECK(conv1d.options().kernel_initializer.class_name() == "Orthogonal");
    CHECK(conv1d.options().kernel_regularizer);
    CHECK(conv1d.options().kernel_constraint);

    const std::unique_ptr<Layer> depthwise =
        layers::from_config(read_keras_fixture("depthwise_conv1d_tf2_13.json"));
    const auto& dw = dynamic_cast<const DepthwiseConv1D&>(*depthwise);
    CHECK(dw.options().padding == Padding::Same);
    CHECK(dw.options().depth_multiplier == 2);
    CHECK(dw.options().depthwise_regularizer);
    CHECK(dw.options().activation.is_linear());
}

TEST_CASE("configs round-trip through from_config", "[layer_config]") {
    check_round_trip(
        SeparableConv1D({.filters = 4,
                         .kernel_size = 3,
                         .strides = 2,
                         .padding = "same",
                         .data_format = "channels_first",
                         .depth_multiplier = 3,
                         .activation = "swish",
                         .use_bias = false,
                         .depthwise_initializer = initializers::HeUniform(5),
                         .pointwise_initializer = "lecun_normal",
                         .bias_initializer = "ones",
                         .depthwise_regularizer = regularizers::L1(0.3),
                         .pointwise_regularizer = regularizers::L1L2(0.1, 0.2),
                         .bias_regularizer = "l2",
                         .activity_regularizer = regularizers::L2(1e-5),
                         .depthwise_constraint = constraints::MinMaxNorm(0.5, 2.0, 0.5),
                         .pointwise_constraint = constraints::MaxNorm(2.5, {0, 1}),
                         .bias_constraint = "non_neg",
                         .trainable = false,
                         .name = "everything"}));
    check_round_trip(Conv1D({.filters = 6,
                             .kernel_size = 4,
                             .padding = "causal",
                             .dilation_rate = 3,
                             .groups = 2,
                             .activation = "gelu",
                             .kernel_initializer = initializers::TruncatedNormal(0.0, 0.1, 3),
                             .kernel_regularizer = "l1",
                             .kernel_constraint = constraints::UnitNorm({0, 1}),
                             .name = "conv"}));
    check_round_trip(DepthwiseConv1D({.kernel_size = 2,
                                      .strides = 3,
                                      .depth_multiplier = 4,
                                      .activation = "softplus",
                                      .depthwise_initializer = "random_uniform",
                                      .depthwise_constraint = "non_neg",
                                      .name = "dw"}));
}

TEST_CASE("absent config keys take Keras's defaults", "[layer_config]") {
    reset_layer_names();
    const std::unique_ptr<Layer> loaded = layers::from_config(Json::parse(
        R"({"class_name": "SeparableConv1D", "config": {"filters": 4, "kernel_size": 3}})"));
    CHECK(loaded->name() == "separable_conv1d");
    const SeparableConv1D reference({.filters = 4, .kernel_size = 3, .name = "separable_conv1d"});
    check_same_config(loaded->config(), reference.config());

    // Keras's 1-tuples and plain ints are both accepted, and null means the default.
    const std::unique_ptr<Layer> conv = layers::from_config(Json::parse(
        R"({"class_name": "Conv1D", "config": {"filters": 2, "kernel_size": [3], "strides": 2,
            "activation": null, "bias_regularizer": null, "data_format": null}})"));
    const auto& conv1d = dynamic_cast<const Conv1D&>(*conv);
    CHECK(conv1d.options().kernel_size == 3);
    CHECK(conv1d.options().strides == 2);
    CHECK(conv1d.options().activation.is_linear());
    CHECK(conv1d.options().data_format == DataFormat::ChannelsLast);
    CHECK(conv1d.config()["kernel_initializer"]["class_name"] == "GlorotUniform");

    // Python may write an integer-valued float.
    const std::unique_ptr<Layer> floats = layers::from_config(Json::parse(
        R"({"class_name": "SeparableConv1D", "config": {"filters": 4.0, "kernel_size": [3.0]}})"));
    CHECK(dynamic_cast<const SeparableConv1D&>(*floats).options().filters == 4);
    CHECK(dynamic_cast<const SeparableConv1D&>(*floats).options().kernel_size == 3);

    const std::unique_ptr<Layer> dw = layers::from_config(
        Json::parse(R"({"class_name": "DepthwiseConv1D", "config": {"kernel_size": 5}})"));
    CHECK(dw->name() == "depthwise_conv1d");
    CHECK(dynamic_cast<const DepthwiseConv1D&>(*dw).options().depth_multiplier == 1);
}

TEST_CASE("an initializer of null is glorot_uniform, as tf.keras's add_weight falls back to",
          "[layer_config]") {
    const auto with_bias_initializer = [](const std::string& entry) {
        return layers::from_config(
            Json::parse(R"({"class_name": "Conv1D", "config": {"filters": 8, "kernel_size": 3)" +
                        entry + "}}"));
    };
    const std::unique_ptr<Layer> absent = with_bias_initializer("");
    const std::unique_ptr<Layer> null = with_bias_initializer(R"(, "bias_initializer": null)");
    CHECK(absent->config()["bias_initializer"]["class_name"] == "Zeros");
    CHECK(null->config()["bias_initializer"]["class_name"] == "GlorotUniform");
    null->build({2, 10, 4});
    const std::vector<float> bias = dynamic_cast<const Conv1D&>(*null).bias().to_vector();
    CHECK(std::any_of(bias.begin(), bias.end(), [](float b) { return b != 0.0f; }));
}

TEST_CASE("a user's layer can be registered", "[layer_config]") {
    layers::register_layer("MySeparable", [](const Json& config) -> std::unique_ptr<Layer> {
        return SeparableConv1D::from_config(config);
    });
    const std::unique_ptr<Layer> layer = layers::from_config(Json::parse(
        R"({"class_name": "MySeparable", "config": {"filters": 1, "kernel_size": 1}})"));
    CHECK(layer->class_name() == "SeparableConv1D");
}
