// SeparableConv1D (layers/separable_conv1d.cpp): options and their Keras defaults, output shapes
// for every padding and data format, hand-computed forwards that pin the padding, and the
// argument and shape errors of the three convolution layers.

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "minidl/layers/conv1d.hpp"
#include "minidl/layers/depthwise_conv1d.hpp"
#include "minidl/layers/registry.hpp"
#include "minidl/layers/separable_conv1d.hpp"
#include "test_support.hpp"

using namespace minidl;
using layers::Conv1D;
using layers::DepthwiseConv1D;
using layers::SeparableConv1D;
using layers::SeparableConv1DOptions;

namespace {

// KERAS_SEMANTICS.md §2, written out independently of conv_utils.cpp.
int64_t keras_output_length(Padding padding, int64_t length, int64_t kernel, int64_t stride,
                            int64_t dilation) {
    const int64_t dilated = (kernel - 1) * dilation + 1;
    if (padding == Padding::Valid) {
        const int64_t span = length - dilated + 1;
        return span <= 0 ? span : (span + stride - 1) / stride;
    }
    return (length + stride - 1) / stride;
}

// A layer with C = 1, M = 1, F = 1, no bias and a depthwise kernel of powers of ten, so that each
// output digit shows which input step fed which tap.
Tensor digit_forward(Padding padding, const std::vector<float>& x, int64_t kernel_size,
                     int64_t stride = 1, int64_t dilation = 1) {
    SeparableConv1D layer({.filters = 1,
                           .kernel_size = kernel_size,
                           .strides = stride,
                           .padding = padding,
                           .dilation_rate = dilation,
                           .use_bias = false});
    const int64_t length = static_cast<int64_t>(x.size());
    layer.build({1, length, 1});
    std::vector<float> taps;
    for (int64_t j = 0; j < kernel_size; ++j) taps.push_back(j == 0 ? 1.0f : taps.back() * 10.0f);
    layer.set_weights({tensor(taps, {kernel_size, 1, 1}), ones({1, 1, 1})});
    return reshape(layer(tensor(x, {1, length, 1})), {-1});
}

}  // namespace

TEST_CASE("SeparableConv1D options default to Keras's", "[separable_conv1d]") {
    const SeparableConv1DOptions options;
    CHECK(options.strides == 1);
    CHECK(options.padding == Padding::Valid);
    CHECK(options.data_format == DataFormat::ChannelsLast);
    CHECK(options.dilation_rate == 1);
    CHECK(options.depth_multiplier == 1);
    CHECK(options.activation.is_linear());
    CHECK(options.use_bias);
    CHECK(options.depthwise_initializer.class_name() == "GlorotUniform");
    CHECK(options.pointwise_initializer.class_name() == "GlorotUniform");
    CHECK(options.bias_initializer.class_name() == "Zeros");
    CHECK_FALSE(options.depthwise_regularizer);
    CHECK_FALSE(options.pointwise_regularizer);
    CHECK_FALSE(options.bias_regularizer);
    CHECK_FALSE(options.activity_regularizer);
    CHECK_FALSE(options.depthwise_constraint);
    CHECK_FALSE(options.pointwise_constraint);
    CHECK_FALSE(options.bias_constraint);
    CHECK(options.trainable);
    CHECK(options.name.empty());

    const SeparableConv1D layer({.filters = 3, .kernel_size = 2});
    CHECK(layer.options().filters == 3);
    CHECK(layer.options().kernel_size == 2);
    CHECK(layer.trainable());
}

TEST_CASE("SeparableConv1D accepts Keras names in any case", "[separable_conv1d]") {
    const SeparableConv1D layer({.filters = 2,
                                 .kernel_size = 3,
                                 .padding = "SAME",
                                 .data_format = "Channels_First",
                                 .activation = "RELU",
                                 .depthwise_initializer = "He_Normal",
                                 .pointwise_initializer = "LecunUniform",
                                 .depthwise_regularizer = "L2",
                                 .pointwise_constraint = "Max_Norm"});
    CHECK(layer.options().padding == Padding::Same);
    CHECK(layer.options().data_format == DataFormat::ChannelsFirst);
    CHECK(layer.options().activation.name() == "relu");
    CHECK(layer.options().depthwise_initializer.class_name() == "HeNormal");
    CHECK(layer.options().pointwise_initializer.class_name() == "LecunUniform");
    const Json config = layer.config();
    CHECK(config["padding"] == "same");
    CHECK(config["data_format"] == "channels_first");
    CHECK(config["activation"] == "relu");
    CHECK(config["depthwise_regularizer"]["class_name"] == "L2");
    CHECK(config["pointwise_constraint"]["class_name"] == "MaxNorm");
    CHECK(to_string(Padding::Causal) == "causal");
    CHECK(parse_padding("Causal") == Padding::Causal);
    CHECK(parse_data_format("CHANNELS_LAST") == DataFormat::ChannelsLast);
}

TEST_CASE("SeparableConv1D output shapes follow Keras's formulas", "[separable_conv1d]") {
    const int64_t batch = 2, channels = 3, filters = 5;
    int checked = 0;
    for (Padding padding : {Padding::Valid, Padding::Same, Padding::Causal}) {
        for (DataFormat format : {DataFormat::ChannelsLast, DataFormat::ChannelsFirst}) {
            for (int64_t stride = 1; stride <= 3; ++stride) {
                for (int64_t dilation = 1; dilation <= 4; ++dilation) {
                    if (stride > 1 && dilation > 1) continue;
                    for (int64_t kernel : {1, 2, 3, 5}) {
                        const int64_t dilated = (kernel - 1) * dilation + 1;
                        for (int64_t length : {int64_t{1}, int64_t{2}, dilated, dilated + 1,
                                               dilated + stride, int64_t{11}}) {
                            const int64_t expected =
                                keras_output_length(padding, length, kernel, stride, dilation);
                            INFO("padding " << to_string(padding) << ", " << to_string(format)
                                            << ", stride " << stride << ", dilation " << dilation
                                            << ", kernel " << kernel << ", length " << length);
                            SeparableConv1D layer({.filters = filters,
                                                   .kernel_size = kernel,
                                                   .strides = stride,
                                                   .padding = padding,
                                                   .data_format = format,
                                                   .dilation_rate = dilation,
                                                   .depth_multiplier = 2});
                            const Shape input = conv1d_shape(batch, length, channels, format);
                            if (expected < 1) {
                                CHECK_THROWS_AS(layer.compute_output_shape(input), ShapeError);
                                CHECK_THROWS_AS(layer(zeros(input)), ShapeError);
                                continue;
                            }
                            const Shape output = conv1d_shape(batch, expected, filters, format);
                            CHECK(layer.compute_output_shape(input) == output);
                            CHECK(layer(testing::seeded_randn(input, 11)).shape() == output);
                            ++checked;
                        }
                    }
                }
            }
        }
    }
    CHECK(checked > 200);
    // The smallest inputs: one output step.
    CHECK(keras_output_length(Padding::Valid, 9, 5, 1, 2) == 1);
    CHECK(keras_output_length(Padding::Same, 1, 5, 3, 1) == 1);
    CHECK(keras_output_length(Padding::Causal, 3, 2, 3, 1) == 1);
}

TEST_CASE("SeparableConv1D forward pins where the padding goes", "[separable_conv1d]") {
    const std::vector<float> x = {1, 2, 3};
    // y[t] = x[t] + 10 x[t + 1] on the padded input.
    CHECK(digit_forward(Padding::Valid, x, 2).to_vector() == std::vector<float>{21, 32});
    // same: one pad, on the right.
    CHECK(digit_forward(Padding::Same, x, 2).to_vector() == std::vector<float>{21, 32, 3});
    // causal: (k - 1) d = 1 pad, on the left.
    CHECK(digit_forward(Padding::Causal, x, 2).to_vector() == std::vector<float>{10, 21, 32});

    const std::vector<float> five = {1, 2, 3, 4, 5};
    // same with k = 4: three pads, one left and two right.
    CHECK(digit_forward(Padding::Same, five, 4).to_vector() ==
          std::vector<float>{3210, 4321, 5432, 543, 54});
    // causal with k = 2, d = 2: two pads on the left; taps at t and t + 2.
    CHECK(digit_forward(Padding::Causal, five, 2, 1, 2).to_vector() ==
          std::vector<float>{10, 20, 31, 42, 53});
    // same with stride 2 (Lout = 3, one pad on the right): taps at 2t and 2t + 1.
    CHECK(digit_forward(Padding::Same, five, 2, 2).to_vector() == std::vector<float>{21, 43, 5});
    // valid with stride 2 and k = 3 on 5 steps: outputs at t = 0 and 2.
    CHECK(digit_forward(Padding::Valid, five, 3, 2).to_vector() == std::vector<float>{321, 543});
}

TEST_CASE("SeparableConv1D mixes channels in Keras's order", "[separable_conv1d]") {
    // C = 2, M = 2: depthwise channel c * M + m feeds pointwise row c * M + m.
    SeparableConv1D layer({.filters = 1, .kernel_size = 1, .depth_multiplier = 2});
    layer.build({1, 1, 2});
    layer.set_weights({tensor({1, 2, 3, 4}, {1, 2, 2}), tensor({1, 10, 100, 1000}, {1, 4, 1}),
                       tensor({0.5f}, {1})});
    // [x0 * 1, x0 * 2, x1 * 3, x1 * 4] = [1, 2, 6, 8] mixed by [1, 10, 100, 1000], plus 0.5.
    CHECK(layer(tensor({1, 2}, {1, 1, 2})).to_vector() == std::vector<float>{8621.5f});
}

TEST_CASE("channels_first gives the transposed channels_last result", "[separable_conv1d]") {
    for (Padding padding : {Padding::Valid, Padding::Same, Padding::Causal}) {
        INFO(to_string(padding));
        SeparableConv1DOptions options{.filters = 4,
                                       .kernel_size = 3,
                                       .strides = 2,
                                       .padding = padding,
                                       .depth_multiplier = 2,
                                       .activation = "relu",
                                       .bias_initializer = "random_normal"};
        SeparableConv1D last(options);
        options.data_format = DataFormat::ChannelsFirst;
        SeparableConv1D first(options);
        const Tensor x = testing::seeded_randn({2, 9, 3}, 21);
        const Tensor y_last = last(x);
        first.build({2, 3, 9});
        first.set_weights(last.get_weights());
        testing::check_close(first(transpose(x, 1, 2)), transpose(y_last, 1, 2));
    }
}

TEST_CASE("the activation runs in the output's layout", "[separable_conv1d]") {
    // As in Keras, softmax over the last axis means over the steps for channels_first.
    SeparableConv1D layer(
        {.filters = 2, .kernel_size = 2, .data_format = "channels_first", .activation = "softmax"});
    const Tensor y = layer(testing::seeded_randn({1, 3, 5}, 4));
    REQUIRE(y.shape() == Shape{1, 2, 4});
    testing::check_close(sum(y, {2}), ones({1, 2}));
}

TEST_CASE("SeparableConv1D gradients reach the input and every weight", "[separable_conv1d]") {
    for (const char* format : {"channels_last", "channels_first"}) {
        INFO(format);
        SeparableConv1D layer({.filters = 2,
                               .kernel_size = 2,
                               .padding = "same",
                               .data_format = format,
                               .depth_multiplier = 2,
                               .activation = "tanh",
                               .bias_initializer = "random_normal"});
        const Tensor x = testing::seeded_randn({2, 2, 5}, 8);
        CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return layer(in[0]); }, {x});
        testing::check_weight_gradients(layer, x);
    }
}

namespace {

enum class Expect { Value, Shape };

struct InvalidCase {
    const char* what;
    std::function<void()> action;
    Expect type;
    std::vector<std::string> mentions;
};

void run_case(const InvalidCase& c) {
    INFO(c.what);
    if (c.type == Expect::Value) {
        CHECK_THROWS_AS(c.action(), ValueError);
    } else {
        CHECK_THROWS_AS(c.action(), ShapeError);
    }
    for (const std::string& text : c.mentions) {
        CHECK_THROWS_WITH(c.action(), Catch::Contains(text));
    }
}

void separable(const SeparableConv1DOptions& options) { SeparableConv1D layer(options); }

void separable_called(const SeparableConv1DOptions& options, const Shape& input) {
    SeparableConv1D layer(options);
    layer(zeros(input));
}

void load(const std::string& text) { layers::from_config(Json::parse(text)); }

}  // namespace

TEST_CASE("invalid arguments and shapes are errors that say what is wrong", "[separable_conv1d]") {
    const std::vector<InvalidCase> cases = {
        {"filters 0",
         [] { separable({.filters = 0, .kernel_size = 3, .name = "bad"}); },
         Expect::Value,
         {"bad", "'filters'", "0"}},
        {"filters < 0",
         [] { separable({.filters = -3, .kernel_size = 3}); },
         Expect::Value,
         {"'filters'", "-3"}},
        {"kernel_size 0",
         [] { separable({.filters = 2, .kernel_size = 0, .name = "bad"}); },
         Expect::Value,
         {"bad", "'kernel_size'", "0"}},
        {"kernel_size < 0",
         [] { separable({.filters = 2, .kernel_size = -2}); },
         Expect::Value,
         {"'kernel_size'", "-2"}},
        {"strides 0",
         [] { separable({.filters = 2, .kernel_size = 3, .strides = 0}); },
         Expect::Value,
         {"'strides'", "0"}},
        {"strides > 1 with dilation > 1",
         [] { separable({.filters = 2, .kernel_size = 3, .strides = 2, .dilation_rate = 3}); },
         Expect::Value,
         {"strides=2", "dilation_rate=3"}},
        {"dilation 0",
         [] { separable({.filters = 2, .kernel_size = 3, .dilation_rate = 0}); },
         Expect::Value,
         {"'dilation_rate'", "0"}},
        {"depth_multiplier 0",
         [] { separable({.filters = 2, .kernel_size = 3, .depth_multiplier = 0}); },
         Expect::Value,
         {"'depth_multiplier'", "0"}},
        {"unknown padding",
         [] { separable({.filters = 2, .kernel_size = 3, .padding = "full"}); },
         Expect::Value,
         {"padding", "'full'"}},
        {"unknown data_format",
         [] { separable({.filters = 2, .kernel_size = 3, .data_format = "NCW"}); },
         Expect::Value,
         {"data_format", "'NCW'"}},
        {"unknown activation",
         [] { separable({.filters = 2, .kernel_size = 3, .activation = "relu7"}); },
         Expect::Value,
         {"'relu7'"}},
        {"unknown initializer",
         [] { separable({.filters = 2, .kernel_size = 3, .depthwise_initializer = "he_normall"}); },
         Expect::Value,
         {"'he_normall'"}},
        {"negative regularizer factor",
         [] {
             separable(
                 {.filters = 2, .kernel_size = 3, .depthwise_regularizer = regularizers::L2(-1.0)});
         },
         Expect::Value,
         {"l2", "-1"}},
        {"RadialConstraint on the depthwise kernel at build",
         [] {
             separable_called({.filters = 2,
                               .kernel_size = 3,
                               .depthwise_constraint = constraints::RadialConstraint(),
                               .name = "sep"},
                              {1, 8, 2});
         },
         Expect::Value,
         {"sep/depthwise_kernel", "RadialConstraint"}},
        {"constraint axis out of range at build",
         [] {
             separable_called({.filters = 2,
                               .kernel_size = 3,
                               .bias_constraint = constraints::MaxNorm(2.0, {1}),
                               .name = "sep"},
                              {1, 8, 2});
         },
         Expect::Value,
         {"sep/bias", "axis 1"}},
        {"rank-2 input",
         [] {
             separable_called({.filters = 2, .kernel_size = 3, .name = "sep"}, {8, 2});
         },
         Expect::Shape,
         {"sep", "rank 3", "[8, 2]"}},
        {"empty channel axis",
         [] {
             separable_called({.filters = 2, .kernel_size = 3, .name = "sep"}, {1, 8, 0});
         },
         Expect::Shape,
         {"sep", "[1, 8, 0]"}},
        {"input too short for valid",
         [] {
             separable_called({.filters = 2, .kernel_size = 5, .dilation_rate = 2, .name = "sep"},
                              {1, 8, 2});
         },
         Expect::Shape,
         {"sep", "[1, 8, 2]", "kernel_size 5", "dilation_rate 2"}},
        {"channel mismatch after build",
         [] {
             SeparableConv1D layer({.filters = 2, .kernel_size = 3, .name = "sep"});
             layer(zeros({1, 8, 3}));
             layer(zeros({1, 8, 4}));
         },
         Expect::Shape,
         {"sep", "3 input channels", "[1, 8, 4]"}},
        {"channel mismatch in compute_output_shape after build",
         [] {
             SeparableConv1D layer(
                 {.filters = 2, .kernel_size = 3, .data_format = "channels_first", .name = "sep"});
             layer.build({1, 3, 8});
             layer.compute_output_shape({1, 8, 3});
         },
         Expect::Shape,
         {"sep", "[1, 8, 3]"}},
        {"causal DepthwiseConv1D",
         [] { DepthwiseConv1D layer({.kernel_size = 3, .padding = "causal", .name = "dw"}); },
         Expect::Value,
         {"dw", "'padding'", "causal"}},
        {"DepthwiseConv1D depth_multiplier 0",
         [] { DepthwiseConv1D layer({.kernel_size = 3, .depth_multiplier = 0}); },
         Expect::Value,
         {"'depth_multiplier'"}},
        {"Conv1D groups not dividing filters",
         [] { Conv1D layer({.filters = 6, .kernel_size = 3, .groups = 4, .name = "conv"}); },
         Expect::Value,
         {"conv", "filters=6", "groups=4"}},
        {"Conv1D groups 0",
         [] { Conv1D layer({.filters = 6, .kernel_size = 3, .groups = 0}); },
         Expect::Value,
         {"'groups'", "0"}},
        {"Conv1D groups not dividing the channels",
         [] {
             Conv1D layer({.filters = 4, .kernel_size = 1, .groups = 2, .name = "conv"});
             layer(zeros({1, 5, 3}));
         },
         Expect::Shape,
         {"conv", "groups=2", "[1, 5, 3]"}},
        {"from_config: unknown key",
         [] {
             load(
                 R"({"class_name": "SeparableConv1D", "config": {"filters": 4, "kernel_size": 3, "kernal_size": 3}})");
         },
         Expect::Value,
         {"SeparableConv1D config", "'kernal_size'"}},
        {"from_config: filters of the wrong type",
         [] {
             load(
                 R"({"class_name": "SeparableConv1D", "config": {"filters": "4", "kernel_size": 3}})");
         },
         Expect::Value,
         {"SeparableConv1D config", "'filters'", "\"4\""}},
        {"from_config: fractional filters",
         [] { load(R"({"class_name": "Conv1D", "config": {"filters": 2.5, "kernel_size": 3}})"); },
         Expect::Value,
         {"Conv1D config", "'filters'", "2.5"}},
        {"from_config: filters beyond int64 as a float",
         [] { load(R"({"class_name": "Conv1D", "config": {"filters": 1e30, "kernel_size": 3}})"); },
         Expect::Value,
         {"Conv1D config", "'filters'", "1e+30"}},
        {"from_config: filters beyond int64 as an integer",
         [] {
             load(
                 R"({"class_name": "Conv1D", "config": {"filters": 18446744073709551615, "kernel_size": 3}})");
         },
         Expect::Value,
         {"Conv1D config", "'filters'", "18446744073709551615"}},
        {"from_config: kernel_size as a 2-list",
         [] {
             load(R"({"class_name": "Conv1D", "config": {"filters": 4, "kernel_size": [3, 3]}})");
         },
         Expect::Value,
         {"Conv1D config", "'kernel_size'", "[3,3]"}},
        {"from_config: use_bias not a bool",
         [] {
             load(
                 R"({"class_name": "SeparableConv1D", "config": {"filters": 4, "kernel_size": 3, "use_bias": 1}})");
         },
         Expect::Value,
         {"'use_bias'"}},
        {"from_config: unknown padding",
         [] {
             load(
                 R"({"class_name": "SeparableConv1D", "config": {"filters": 4, "kernel_size": 3, "padding": "full"}})");
         },
         Expect::Value,
         {"SeparableConv1D config", "'full'"}},
        {"from_config: unknown regularizer",
         [] {
             load(
                 R"({"class_name": "SeparableConv1D", "config": {"filters": 4, "kernel_size": 3, "depthwise_regularizer": {"class_name": "L3", "config": {}}}})");
         },
         Expect::Value,
         {"SeparableConv1D config", "'depthwise_regularizer'", "L3"}},
        {"from_config: bad activation type",
         [] {
             load(
                 R"({"class_name": "SeparableConv1D", "config": {"filters": 4, "kernel_size": 3, "activation": 1}})");
         },
         Expect::Value,
         {"SeparableConv1D config", "'activation'"}},
        {"from_config: unknown class_name",
         [] {
             load(
                 R"({"class_name": "SeparableConv3D", "config": {"filters": 4, "kernel_size": 3}})");
         },
         Expect::Value,
         {"'SeparableConv3D'", "SeparableConv1D"}},
        {"from_config: missing class_name",
         [] { load(R"({"config": {"filters": 4, "kernel_size": 3}})"); },
         Expect::Value,
         {"'class_name'"}},
        {"from_config: missing filters",
         [] { load(R"({"class_name": "SeparableConv1D", "config": {"kernel_size": 3}})"); },
         Expect::Value,
         {"SeparableConv1D config", "'filters'", "required"}},
        {"from_config: missing kernel_size",
         [] { load(R"({"class_name": "Conv1D", "config": {"filters": 3}})"); },
         Expect::Value,
         {"Conv1D config", "'kernel_size'", "required"}},
        {"from_config: float64 dtype",
         [] {
             load(
                 R"({"class_name": "SeparableConv1D", "config": {"filters": 4, "kernel_size": 3, "dtype": "float64"}})");
         },
         Expect::Value,
         {"'dtype'", "float64"}},
        {"from_config: groups for SeparableConv1D",
         [] {
             load(
                 R"({"class_name": "SeparableConv1D", "config": {"filters": 4, "kernel_size": 3, "groups": 2}})");
         },
         Expect::Value,
         {"'groups'", "2"}},
        {"from_config: causal DepthwiseConv1D",
         [] {
             load(
                 R"({"class_name": "DepthwiseConv1D", "config": {"kernel_size": 3, "padding": "causal"}})");
         },
         Expect::Value,
         {"'padding'", "causal"}},
        {"from_config: config not an object",
         [] { load(R"({"class_name": "Conv1D", "config": [1, 2]})"); },
         Expect::Value,
         {"Conv1D config", "[1,2]"}},
        {"from_config: unknown top-level key",
         [] {
             load(
                 R"({"class_name": "Conv1D", "config": {"filters": 1, "kernel_size": 1}, "weights": []})");
         },
         Expect::Value,
         {"'weights'"}},
    };
    CHECK(cases.size() >= 20);
    for (const InvalidCase& c : cases) run_case(c);
}

TEST_CASE("a failed build leaves the layer unbuilt", "[separable_conv1d]") {
    SeparableConv1D layer({.filters = 2, .kernel_size = 5, .name = "sep"});
    CHECK_THROWS_AS(layer(zeros({1, 3, 2})), ShapeError);
    CHECK_FALSE(layer.built());
    CHECK(layer.weights().empty());
    // A longer input with another channel count then builds it.
    CHECK(layer(zeros({1, 6, 4})).shape() == Shape{1, 2, 2});
    CHECK(layer.depthwise_kernel().shape() == Shape{5, 4, 1});
}
