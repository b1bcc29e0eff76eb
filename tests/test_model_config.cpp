// Model configs in Keras's model.to_json() layout (serialization/model_config.cpp,
// Sequential::config/from_config, layers/registry.cpp): the committed fixtures in the forms
// tf.keras 2.13, 2.4-2.12, 1.13-2.1 and Keras 2.1 wrote, the models they describe, what minidl
// writes back, round trips of every layer class, user classes, and errors that name the JSON
// Pointer of the value at fault.

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "keras_config_support.hpp"

#include "layer_test_support.hpp"

#include "minidl/layers/input_layer.hpp"
#include "minidl/layers/registry.hpp"
#include "minidl/layers/sequential.hpp"
#include "minidl/serialization/json_node.hpp"
#include "minidl/serialization/model_config.hpp"

using namespace minidl;
using namespace minidl::testing;
using serialization::JsonNode;
using serialization::model_config;
using serialization::model_from_config;
using serialization::model_from_json;
using serialization::model_to_json;
using testing::names_of;

namespace {

/// Loads a fixture as a file would be read: errors name `name`.
std::unique_ptr<Model> load_fixture(const std::string& name) {
    const Json root = read_keras_fixture(name);
    return model_from_config(JsonNode(root, name));
}

/// Every key `older` has, `newer` has with the same value; the keys only `newer` has are
/// `added` (the arguments later Keras versions write).
void check_keys_kept(const Json& newer, const Json& older, const std::set<std::string>& added) {
    INFO("newer: " << newer.dump());
    INFO("older: " << older.dump());
    for (const auto& [key, value] : older.items()) {
        INFO("key " << key);
        REQUIRE(newer.contains(key));
        CHECK(legacy_form(newer.at(key)) == legacy_form(value));
    }
    std::set<std::string> extra;
    for (const auto& [key, value] : newer.items()) {
        (void)value;
        if (!older.contains(key)) extra.insert(key);
    }
    CHECK(extra == added);
}

std::vector<Shape> weight_shapes(const Model& model) {
    std::vector<Shape> shapes;
    for (const Parameter& weight : model.weights()) shapes.push_back(weight.shape());
    return shapes;
}

/// The IOError model_from_json gives for `json`.
std::string load_error(const std::string& json) {
    return io_error_of([&] { model_from_json(json); });
}

/// The architecture every SeparableConv1D fixture describes, with the weight shapes Keras gives it.
void check_sepnet(const Model& model) {
    const auto* sequential = dynamic_cast<const Sequential*>(&model);
    REQUIRE(sequential != nullptr);
    CHECK(sequential->name() == "sepnet");
    REQUIRE(sequential->built());
    CHECK(sequential->input_shape() == std::vector<int64_t>{-1, 16, 3});
    const auto layers = sequential->layers();
    REQUIRE(layers.size() == 4);
    CHECK(layers[0]->class_name() == "SeparableConv1D");
    CHECK(layers[1]->class_name() == "MaxPooling1D");
    CHECK(layers[2]->class_name() == "GlobalAveragePooling1D");
    CHECK(layers[3]->class_name() == "Dense");
    CHECK(layers[0]->name() == "sep_conv");

    const auto& sep = dynamic_cast<const layers::SeparableConv1D&>(*layers[0]);
    check_fixture_sep_conv(sep);

    const auto& pool = dynamic_cast<const layers::MaxPooling1D&>(*layers[1]);
    CHECK(pool.options().pool_size == 2);
    CHECK(dynamic_cast<const layers::Dense&>(*layers[3]).options().units == 4);
    CHECK(dynamic_cast<const layers::Dense&>(*layers[3]).options().activation.name() == "softmax");

    CHECK(names_of(model.weights()) ==
          std::vector<std::string>{"sepnet/sep_conv/depthwise_kernel",
                                   "sepnet/sep_conv/pointwise_kernel", "sepnet/sep_conv/bias",
                                   "sepnet/dense/kernel", "sepnet/dense/bias"});
    CHECK(weight_shapes(model) == std::vector<Shape>{{5, 3, 2}, {1, 6, 8}, {8}, {8, 4}, {4}});
    CHECK(model.count_params() == 30 + 48 + 8 + 32 + 4);
    std::ostringstream summary;
    model.summary(summary);
    CHECK_THAT(summary.str(), Catch::Contains("sep_conv (SeparableConv1D)"));
    CHECK_THAT(summary.str(), Catch::Contains("(None, 8, 8)"));
    CHECK_THAT(summary.str(), Catch::Contains("Total params: 122"));
    Model& runnable = const_cast<Model&>(model);
    CHECK(runnable(zeros({2, 16, 3})).shape() == Shape{2, 4});
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

TEST_CASE("tf.keras 2.13's to_json loads and is written back in the same layout",
          "[model_config]") {
    const std::unique_ptr<Model> model = load_fixture("sequential_sepconv_tf2_13.json");
    check_sepnet(*model);
    const auto& sequential = dynamic_cast<const Sequential&>(*model);
    const auto& input = dynamic_cast<const layers::InputLayer&>(*sequential.sublayers().front());
    CHECK(input.name() == "input_1");
    const auto& sep = dynamic_cast<const layers::SeparableConv1D&>(*sequential.layers()[0]);
    CHECK(sep.options().depthwise_initializer.class_name() == "HeNormal");

    // Written back key for key, in order; nested objects keep tf.keras <= 2.12's form, which
    // tf.keras 2.13 and Keras 3 read alike.
    Json expected = read_keras_fixture("sequential_sepconv_tf2_13.json");
    for (Json& entry : expected["config"]["layers"]) entry["config"] = legacy_form(entry["config"]);
    check_same_config(model_config(*model), expected);
    CHECK(keys_of(model_config(*model)) ==
          std::vector<std::string>{"class_name", "config", "keras_version", "backend"});
    // model_to_json is one line, as Keras's to_json.
    const std::string text = model_to_json(*model);
    CHECK(text.find('\n') == std::string::npos);
    CHECK(Json::parse(text) == model_config(*model));
    CHECK(model_to_json(*model, 2) == model_config(*model).dump(2));
}

TEST_CASE("tf.keras 2.4-2.12's to_json (first layer's input shape, InputLayer named after it)",
          "[model_config]") {
    const std::unique_ptr<Model> model = load_fixture("sequential_sepconv_tf2_4.json");
    check_sepnet(*model);
    const auto& sequential = dynamic_cast<const Sequential&>(*model);
    CHECK(sequential.sublayers().front()->name() == "sep_conv_input");
    CHECK(sequential.layers()[0]->batch_input_shape() == std::vector<int64_t>{-1, 16, 3});

    // minidl writes tf.keras 2.13's layout: the same configs, plus the keys tf.keras added since.
    const Json fixture = read_keras_fixture("sequential_sepconv_tf2_4.json");
    const Json written = model_config(*model);
    CHECK(written["keras_version"] == "2.13.1");
    CHECK(written["backend"] == "tensorflow");
    CHECK(keys_of(written["config"]) == keys_of(fixture["config"]));
    const Json& written_layers = written["config"]["layers"];
    const Json& fixture_layers = fixture["config"]["layers"];
    REQUIRE(written_layers.size() == fixture_layers.size());
    CHECK(keys_of(written_layers[0]) ==
          std::vector<std::string>{"module", "class_name", "config", "registered_name"});
    for (std::size_t i = 1; i < written_layers.size(); ++i) {
        CHECK(keys_of(written_layers[i]) == std::vector<std::string>{"module", "class_name",
                                                                     "config", "registered_name",
                                                                     "build_config"});
    }
    for (std::size_t i = 0; i < written_layers.size(); ++i) {
        INFO("layer " << i);
        CHECK(written_layers[i]["class_name"] == fixture_layers[i]["class_name"]);
        check_keys_kept(written_layers[i]["config"], fixture_layers[i]["config"],
                        i == 3 ? std::set<std::string>{"keepdims"} : std::set<std::string>{});
    }
    CHECK(written_layers[1]["build_config"] == Json::parse(R"({"input_shape": [null, 16, 3]})"));
    CHECK(written_layers[4]["build_config"] == Json::parse(R"({"input_shape": [null, 8]})"));
}

TEST_CASE("tf.keras 1.13-2.1's to_json (no InputLayer; the first layer declares the input)",
          "[model_config]") {
    const std::unique_ptr<Model> model = load_fixture("sequential_sepconv_tf2_1.json");
    check_sepnet(*model);
    const auto& sequential = dynamic_cast<const Sequential&>(*model);
    CHECK(sequential.sublayers().size() == 4);  // no InputLayer was added
    const auto& sep = dynamic_cast<const layers::SeparableConv1D&>(*sequential.layers()[0]);
    CHECK(sep.options().depthwise_initializer.class_name() == "VarianceScaling");

    const Json fixture = read_keras_fixture("sequential_sepconv_tf2_1.json");
    const Json written_layers = model_config(*model)["config"]["layers"];
    const Json& fixture_layers = fixture["config"]["layers"];
    REQUIRE(written_layers.size() == 4);
    check_keys_kept(written_layers[0]["config"], fixture_layers[0]["config"], {"groups"});
    check_keys_kept(written_layers[1]["config"], fixture_layers[1]["config"], {});
    check_keys_kept(written_layers[2]["config"], fixture_layers[2]["config"], {"keepdims"});
    check_keys_kept(written_layers[3]["config"], fixture_layers[3]["config"], {});
    // Declared by the first layer: no build_input_shape.
    CHECK_FALSE(model_config(*model)["config"].contains("build_input_shape"));
}

TEST_CASE("Keras 2.1's to_json, whose config is a plain list of layers", "[model_config]") {
    reset_layer_names();
    const std::unique_ptr<Model> model = load_fixture("sequential_keras2_1.json");
    auto* sequential = dynamic_cast<Sequential*>(model.get());
    REQUIRE(sequential != nullptr);
    CHECK(sequential->name() == "sequential");  // the list has no name: a default one
    REQUIRE(sequential->built());
    CHECK(sequential->input_shape() == std::vector<int64_t>{-1, 16, 3});
    const auto layers = sequential->layers();
    REQUIRE(layers.size() == 4);
    CHECK(layers[0]->name() == "separable_conv1d_1");
    CHECK(layers[3]->name() == "dense_1");
    const auto& sep = dynamic_cast<const layers::SeparableConv1D&>(*layers[0]);
    CHECK(sep.options().padding == Padding::Same);
    CHECK(sep.options().depthwise_initializer.class_name() == "VarianceScaling");
    CHECK(sep.options().pointwise_constraint);
    CHECK(weight_shapes(*model) == std::vector<Shape>{{5, 3, 2}, {1, 6, 8}, {8}, {8, 4}, {4}});
    CHECK((*model)(zeros({1, 16, 3})).shape() == Shape{1, 4});

    // Written as {"name", "layers"}; Keras 2.1's keys are all kept.
    const Json fixture = read_keras_fixture("sequential_keras2_1.json");
    const Json written = model_config(*model);
    REQUIRE(written["config"].is_object());
    CHECK(keys_of(written["config"]) == std::vector<std::string>{"name", "layers"});
    const Json& written_layers = written["config"]["layers"];
    check_keys_kept(written_layers[0]["config"], fixture["config"][0]["config"],
                    {"groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"});
    check_keys_kept(written_layers[1]["config"], fixture["config"][1]["config"],
                    {"dtype", "data_format"});
    check_keys_kept(written_layers[2]["config"], fixture["config"][2]["config"],
                    {"dtype", "data_format", "keepdims"});
    check_keys_kept(written_layers[3]["config"], fixture["config"][3]["config"], {"dtype"});
    // Keras 2.1's glorot_uniform is VarianceScaling; minidl writes it back as such.
    CHECK(written_layers[3]["config"]["kernel_initializer"]["class_name"] == "VarianceScaling");
}

TEST_CASE("a config loads again and again: names come from the config", "[model_config]") {
    const std::string text = read_keras_fixture("sequential_sepconv_tf2_13.json").dump();
    const std::unique_ptr<Model> first = model_from_json(text);
    const std::unique_ptr<Model> second = model_from_json(text);
    // The same names in both models (unique within each, as Keras requires).
    CHECK(names_of(first->weights()) == names_of(second->weights()));
    CHECK(dynamic_cast<const Sequential&>(*second).layers()[0]->name() == "sep_conv");
    CHECK(model_to_json(*first) == model_to_json(*second));
    CHECK(model_to_json(*first) == model_to_json(*model_from_json(model_to_json(*second))));
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

namespace {

/// model_to_json -> model_from_json -> model_to_json gives the same text; returns the new model.
std::unique_ptr<Model> check_round_trip(const Model& model) {
    const std::string text = model_to_json(model);
    std::unique_ptr<Model> again = model_from_json(text);
    REQUIRE(again);
    CHECK(again->class_name() == model.class_name());
    CHECK(model_to_json(*again) == text);
    CHECK(again->built() == model.built());
    if (model.built()) {
        CHECK(names_of(again->weights()) == names_of(model.weights()));
        CHECK(weight_shapes(*again) == weight_shapes(model));
    }
    return again;
}

/// A layer of each class minidl registers, with arguments other than the defaults.
std::map<std::string, std::vector<LayerRef>> samples_of_every_class() {
    using namespace layers;
    std::map<std::string, std::vector<LayerRef>> samples;
    samples["Conv1D"] = {Conv1D({.filters = 6,
                                 .kernel_size = 4,
                                 .padding = "causal",
                                 .dilation_rate = 3,
                                 .groups = 2,
                                 .activation = "gelu",
                                 .kernel_initializer = initializers::TruncatedNormal(0.0, 0.1, 3),
                                 .kernel_regularizer = "l1",
                                 .kernel_constraint = constraints::UnitNorm({0, 1}),
                                 .name = "conv"})};
    samples["DepthwiseConv1D"] = {DepthwiseConv1D({.kernel_size = 2,
                                                   .strides = 3,
                                                   .depth_multiplier = 4,
                                                   .activation = "softplus",
                                                   .depthwise_initializer = "random_uniform",
                                                   .depthwise_constraint = "non_neg"})};
    samples["SeparableConv1D"] = {
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
                         .depthwise_regularizer = regularizers::L1(0.3),
                         .pointwise_regularizer = regularizers::L1L2(0.1, 0.2),
                         .activity_regularizer = regularizers::L2(1e-5),
                         .depthwise_constraint = constraints::MinMaxNorm(0.5, 2.0, 0.5),
                         .pointwise_constraint = constraints::MaxNorm(2.5, {0, 1}),
                         .trainable = false})};
    samples["AveragePooling1D"] = {
        AveragePooling1D({.pool_size = 3, .strides = 1, .padding = "same"})};
    samples["MaxPooling1D"] = {MaxPooling1D({.pool_size = 4, .data_format = "channels_first"})};
    samples["GlobalAveragePooling1D"] = {GlobalAveragePooling1D({.keepdims = true})};
    samples["GlobalMaxPooling1D"] = {GlobalMaxPooling1D({.data_format = "channels_first"})};
    samples["UpSampling1D"] = {UpSampling1D({.size = 3})};
    samples["ZeroPadding1D"] = {ZeroPadding1D({.padding = {1, 2}})};
    samples["Cropping1D"] = {Cropping1D({.cropping = {2, 0}})};
    samples["Activation"] = {layers::Activation({.activation = "tanh"})};
    samples["Add"] = {Add()};
    samples["Concatenate"] = {Concatenate({.axis = 1})};
    samples["Dense"] = {Dense({.units = 3,
                               .activation = "sigmoid",
                               .use_bias = false,
                               .kernel_initializer = "orthogonal",
                               .kernel_regularizer = regularizers::L2(0.25),
                               .kernel_constraint = constraints::MaxNorm(2.0)})};
    samples["Flatten"] = {Flatten({.data_format = "channels_first"})};
    samples["Permute"] = {Permute({.dims = {2, 1}})};
    samples["Reshape"] = {Reshape({.target_shape = {-1, 2}})};
    samples["BatchNormalization"] = {BatchNormalization(
        {.axis = 1, .momentum = 0.9, .epsilon = 1e-5, .center = false, .gamma_regularizer = "l2"})};
    samples["Dropout"] = {
        Dropout({.rate = 0.25, .noise_shape = std::vector<int64_t>{-1, 1, -1}, .seed = 7})};
    samples["SpatialDropout1D"] = {SpatialDropout1D({.rate = 0.5, .seed = 3})};
    samples["GaussianNoise"] = {GaussianNoise({.stddev = 0.1, .seed = 11})};
    samples["Embedding"] = {Embedding({.input_dim = 20, .output_dim = 4, .input_length = 5})};
    samples["LayerNormalization"] = {
        LayerNormalization({.axis = {1, 2}, .epsilon = 1e-6, .scale = false})};
    samples["Normalization"] = {Normalization({.axis = {-1},
                                               .mean = std::vector{1.0, 2.0},
                                               .variance = std::vector{4.0, 9.0},
                                               .invert = true})};
    samples["InputLayer"] = {InputLayer({.input_shape = {-1, 3}, .batch_size = 8}),
                             Dense({.units = 2})};
    samples["Sequential"] = {
        Sequential({InputLayer({.input_shape = {12, 2}}), Conv1D({.filters = 3, .kernel_size = 3})},
                   "inner"),
        GlobalMaxPooling1D()};
    return samples;
}

}  // namespace

TEST_CASE("every layer class minidl has round-trips through model_to_json and model_from_json",
          "[model_config]") {
    std::map<std::string, std::vector<LayerRef>> samples = samples_of_every_class();
    for (const std::string& name : layers::registered_layer_names()) {
        if (!layers::keras_module(name)) continue;  // a user's class, registered by a test
        INFO("class " << name);
        const auto sample = samples.find(name);
        REQUIRE(sample != samples.end());  // a new class needs a sample here
        Sequential model(std::move(sample->second), "holder_" + name);
        const std::unique_ptr<Model> again = check_round_trip(model);
        const Json entry = model_config(*again)["config"]["layers"][0];
        CHECK(entry["class_name"] == name);
        CHECK(entry["module"] == (name == "Sequential" ? "keras" : "keras.layers"));
    }
}

TEST_CASE("a built model round-trips with each layer's build_config", "[model_config]") {
    using namespace layers;
    Sequential model(
        {InputLayer({.input_shape = {32, 2}, .name = "signal"}),
         SeparableConv1D({.filters = 8,
                          .kernel_size = 5,
                          .padding = "causal",
                          .dilation_rate = 2,
                          .activation = "relu",
                          .name = "sep"}),
         BatchNormalization({.name = "bn"}), MaxPooling1D({.pool_size = 2, .name = "pool"}),
         Conv1D({.filters = 4, .kernel_size = 3, .name = "conv"}),
         Dropout({.rate = 0.1, .name = "drop"}), Flatten({.name = "flat"}),
         Dense({.units = 3, .activation = "softmax", .name = "head"})},
        "net");
    REQUIRE(model.built());
    const std::unique_ptr<Model> again = check_round_trip(model);
    const Json layers_json = model_config(model)["config"]["layers"];
    CHECK_FALSE(layers_json[0].contains("build_config"));
    CHECK(layers_json[1]["build_config"]["input_shape"] == Json::parse("[null, 32, 2]"));
    CHECK(layers_json[4]["build_config"]["input_shape"] == Json::parse("[null, 16, 8]"));
    CHECK(layers_json[7]["build_config"]["input_shape"] == Json::parse("[null, 56]"));
    // A fixed batch size shows in every build_config.
    Sequential fixed({InputLayer({.input_shape = {4}, .batch_size = 2}), Dense({.units = 1})});
    CHECK(model_config(fixed)["config"]["layers"][1]["build_config"]["input_shape"] ==
          Json::parse("[2, 4]"));
    check_round_trip(fixed);
}

TEST_CASE("a model built from a shape it does not declare writes build_input_shape",
          "[model_config]") {
    reset_layer_names();
    Sequential unbuilt(
        {layers::Conv1D({.filters = 2, .kernel_size = 3}), layers::Dense({.units = 1})});
    CHECK_FALSE(model_config(unbuilt)["config"].contains("build_input_shape"));
    check_round_trip(unbuilt);

    Sequential called(
        {layers::Conv1D({.filters = 2, .kernel_size = 3}), layers::Dense({.units = 1})});
    called(zeros({5, 10, 4}));  // built by its first call, batch 5
    const Json config = model_config(called)["config"];
    CHECK(config["build_input_shape"] == Json::parse("[null, 10, 4]"));
    CHECK(config["layers"][0]["build_config"]["input_shape"] == Json::parse("[null, 10, 4]"));
    const std::unique_ptr<Model> again = check_round_trip(called);
    REQUIRE(again->built());

    // build_input_shape alone builds a model (tf.keras 2.x writes it for deferred models), and
    // so does the first layer's build_config.
    const std::unique_ptr<Model> from_build_input_shape = model_from_json(R"({
        "class_name": "Sequential",
        "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"units": 3}}],
                   "build_input_shape": [null, 7]}})");
    REQUIRE(from_build_input_shape->built());
    CHECK(weight_shapes(*from_build_input_shape) == std::vector<Shape>{{7, 3}, {3}});
    const std::unique_ptr<Model> from_build_config = model_from_json(R"({
        "class_name": "Sequential",
        "config": {"name": "s", "layers": [{"module": "keras.layers", "class_name": "Dense",
            "config": {"units": 3}, "registered_name": null,
            "build_config": {"input_shape": [null, 5]}}]}})");
    REQUIRE(from_build_config->built());
    CHECK(weight_shapes(*from_build_config) == std::vector<Shape>{{5, 3}, {3}});
}

TEST_CASE("an input of any length (None steps) builds at the first call", "[model_config]") {
    const std::unique_ptr<Model> model = model_from_json(R"({
        "class_name": "Sequential",
        "config": {"name": "any_length", "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [null, null, 3],
                "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}},
            {"class_name": "Conv1D", "config": {"filters": 2, "kernel_size": 3}},
            {"class_name": "GlobalMaxPooling1D", "config": {}}]}})");
    CHECK_FALSE(model->built());
    const auto* sequential = dynamic_cast<const Sequential*>(model.get());
    REQUIRE(sequential != nullptr);
    CHECK(sequential->input_shape() == std::vector<int64_t>{-1, -1, 3});
    CHECK((*model)(zeros({2, 9, 3})).shape() == Shape{2, 2});
    CHECK((*model)(zeros({1, 20, 3})).shape() == Shape{1, 2});
    CHECK(model_config(*model)["config"]["layers"][0]["config"]["batch_input_shape"] ==
          Json::parse("[null, null, 3]"));
    CHECK_THROWS_AS((*model)(zeros({1, 20, 4})), ShapeError);
}

TEST_CASE("kernel sizes, strides and pool sizes as ints or 1-element lists", "[model_config]") {
    const auto load = [](const std::string& conv, const std::string& pool) {
        return model_from_json(R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 20, 2],
                                                    "name": "in"}},
            {"class_name": "SeparableConv1D", "config": {"name": "c", "filters": 4, )" +
                               conv + R"(}},
            {"class_name": "MaxPooling1D", "config": {"name": "p", )" +
                               pool + R"(}}]}})");
    };
    const std::unique_ptr<Model> ints = load(
        R"("kernel_size": 3, "strides": 1, "dilation_rate": 2)", R"("pool_size": 2, "strides": 2)");
    const std::unique_ptr<Model> lists =
        load(R"("kernel_size": [3], "strides": [1], "dilation_rate": [2])",
             R"("pool_size": [2], "strides": [2])");
    CHECK(model_to_json(*ints) == model_to_json(*lists));
    const auto& sep = dynamic_cast<const layers::SeparableConv1D&>(
        *dynamic_cast<const Sequential&>(*ints).layers()[0]);
    CHECK(sep.options().kernel_size == 3);
    CHECK(sep.options().dilation_rate == 2);
    CHECK(weight_shapes(*ints) == weight_shapes(*lists));
    // Keras's aliases for class names are read too.
    const std::unique_ptr<Model> aliases = model_from_json(R"({"class_name": "Sequential",
        "config": {"name": "s", "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 20, 2]}},
            {"class_name": "SeparableConvolution1D", "config": {"name": "c", "filters": 4, "kernel_size": 3}},
            {"class_name": "MaxPool1D", "config": {"name": "p"}},
            {"class_name": "GlobalMaxPool1D", "config": {"name": "g"}}]}})");
    CHECK(dynamic_cast<const Sequential&>(*aliases).layers()[2]->class_name() ==
          "GlobalMaxPooling1D");
}

TEST_CASE("Keras 3's to_json: batch_shape, a dtype policy, module and build_config",
          "[model_config]") {
    const std::unique_ptr<Model> model = model_from_json(R"({
        "module": "keras", "class_name": "Sequential",
        "config": {
            "name": "sequential", "trainable": true,
            "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                      "registered_name": null},
            "layers": [
                {"module": "keras.layers", "class_name": "InputLayer",
                 "config": {"batch_shape": [null, 16, 3], "dtype": "float32", "sparse": false,
                            "name": "input_layer"}, "registered_name": null},
                {"module": "keras.layers", "class_name": "Dense",
                 "config": {"name": "dense", "trainable": true,
                            "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                      "config": {"name": "float32"}, "registered_name": null},
                            "units": 4, "activation": "linear", "use_bias": true,
                            "kernel_initializer": {"module": "keras.initializers",
                                "class_name": "GlorotUniform", "config": {"seed": null},
                                "registered_name": null},
                            "bias_initializer": {"module": "keras.initializers",
                                "class_name": "Zeros", "config": {}, "registered_name": null},
                            "kernel_regularizer": null, "bias_regularizer": null,
                            "kernel_constraint": null, "bias_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 16, 3]}}],
            "build_input_shape": [null, 16, 3]},
        "registered_name": null,
        "build_config": {"input_shape": [null, 16, 3]}})");
    REQUIRE(model->built());
    CHECK(weight_shapes(*model) == std::vector<Shape>{{3, 4}, {4}});
    CHECK(dynamic_cast<const Sequential&>(*model).input_shape() == std::vector<int64_t>{-1, 16, 3});
}

TEST_CASE("keys minidl has no use for are accepted and kept where they matter", "[model_config]") {
    const std::unique_ptr<Model> model = model_from_json(R"({
        "class_name": "Sequential", "keras_version": "2.9.0", "backend": "tensorflow",
        "config": {"name": "s", "layers": [
            {"class_name": "Dense", "config": {"name": "a", "trainable": false, "dtype": "float32",
                "batch_input_shape": [null, 6], "units": 2}},
            {"class_name": "Dense", "name": "b", "inbound_nodes": [],
             "config": {"name": "b", "batch_input_shape": [null, 99], "units": 1}}]}})");
    REQUIRE(model->built());
    CHECK(weight_shapes(*model) == std::vector<Shape>{{2, 1}, {1}, {6, 2}, {2}});
    const auto layers = dynamic_cast<const Sequential&>(*model).layers();
    CHECK_FALSE(layers[0]->trainable());
    CHECK(model->trainable_weights().size() == 2);
    // A later layer's batch_input_shape plays no part (as in Keras) but is written back.
    CHECK(model_config(*model)["config"]["layers"][1]["config"]["batch_input_shape"] ==
          Json::parse("[null, 99]"));
    check_round_trip(*model);
}

// ---------------------------------------------------------------------------------------------
// User classes
// ---------------------------------------------------------------------------------------------

namespace {

/// A user's layer: multiplies by a constant.
class Scale : public Layer {
  public:
    explicit Scale(double factor, std::string name = {})
        : Layer("scale", std::move(name), true), factor_(factor) {}
    std::string class_name() const override { return "Scale"; }
    Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
    Json config() const override {
        Json config = Layer::config();
        config["factor"] = factor_;
        return config;
    }
    static std::unique_ptr<Scale> from_config(const Json& config) {
        ConfigReader reader(config, "Scale config");
        const LayerBaseArguments base = read_layer_base_arguments(reader);
        const double factor = reader.get_number("factor", 1.0);
        reader.finish();
        return std::make_unique<Scale>(factor, base.name);
    }
    double factor() const { return factor_; }

  protected:
    Tensor call(const Tensor& x, bool /*training*/) override {
        return x * scalar(static_cast<float>(factor_));
    }
    void create_weights(const Shape& /*input_shape*/) override {}

  private:
    double factor_;
};

/// A user's subclassed model with a config: two Dense heads whose outputs are added.
class TwoHeads : public Model {
  public:
    explicit TwoHeads(int64_t units, std::string name = {})
        : Model("two_heads", std::move(name)),
          units_(units),
          left_(track(layers::Dense({.units = units, .name = "left"}))),
          right_(track(layers::Dense({.units = units, .name = "right"}))) {}
    std::string class_name() const override { return "TwoHeads"; }
    Json config() const override { return Json{{"name", name()}, {"units", units_}}; }
    static std::unique_ptr<TwoHeads> from_config(const Json& config) {
        ConfigReader reader(config, "TwoHeads config");
        const std::string name = reader.get_string("name", "");
        const int64_t units = reader.require_int("units");
        reader.finish();
        return std::make_unique<TwoHeads>(units, name);
    }
    int64_t units() const { return units_; }

  protected:
    Tensor call(const Tensor& x, bool training) override {
        return (*left_)(x, training) + (*right_)(x, training);
    }

  private:
    int64_t units_;
    std::shared_ptr<layers::Dense> left_;
    std::shared_ptr<layers::Dense> right_;
};

/// A subclassed model without a config.
class NoConfig : public Model {
  protected:
    Tensor call(const Tensor& x, bool /*training*/) override { return x; }
};

}  // namespace

TEST_CASE("a user's registered layer and Model subclass round-trip", "[model_config]") {
    layers::register_layer("Scale", [](const Json& config) -> std::unique_ptr<Layer> {
        return Scale::from_config(config);
    });
    layers::register_layer("TwoHeads", [](const Json& config) -> std::unique_ptr<Layer> {
        return TwoHeads::from_config(config);
    });

    // The layer inside a Sequential: written in tf.keras <= 2.12's form (Keras resolves it
    // through custom_objects by class name).
    Sequential model({layers::InputLayer({.input_shape = {4}}), Scale(2.5, "times"),
                      layers::Dense({.units = 2})});
    const Json entry = model_config(model)["config"]["layers"][1];
    CHECK(keys_of(entry) == std::vector<std::string>{"class_name", "config"});
    CHECK(entry["config"]["factor"] == 2.5);
    const std::unique_ptr<Model> again = check_round_trip(model);
    const auto& scale =
        dynamic_cast<const Scale&>(*dynamic_cast<const Sequential&>(*again).layers()[0]);
    CHECK(scale.factor() == 2.5);
    CHECK(scale.name() == "times");

    // The Model subclass as the top-level model, and nested in a Sequential.
    TwoHeads heads(3, "heads");
    heads(zeros({1, 5}));
    const Json written = model_config(heads);
    CHECK(written["class_name"] == "TwoHeads");
    CHECK(written["config"] == Json::parse(R"({"name": "heads", "units": 3})"));
    const std::unique_ptr<Model> loaded = model_from_json(model_to_json(heads));
    const auto* loaded_heads = dynamic_cast<const TwoHeads*>(loaded.get());
    REQUIRE(loaded_heads != nullptr);
    CHECK(loaded_heads->units() == 3);
    CHECK(loaded_heads->name() == "heads");
    CHECK(model_to_json(*loaded) == model_to_json(heads));
    (*loaded)(zeros({2, 5}));
    CHECK(names_of(loaded->weights()) == names_of(heads.weights()));

    Sequential outer({layers::InputLayer({.input_shape = {5}}), TwoHeads(2, "inner"), Scale(0.5)},
                     "outer");
    const std::unique_ptr<Model> outer_again = check_round_trip(outer);
    CHECK(dynamic_cast<const TwoHeads*>(
              dynamic_cast<const Sequential&>(*outer_again).layers()[0].get()) != nullptr);
}

TEST_CASE("a model without a config cannot be written", "[model_config]") {
    NoConfig model;
    CHECK_THROWS_AS(model_config(model), ValueError);
    CHECK_THROWS_WITH(model_to_json(model), Catch::Contains("override config()"));
    Sequential empty;
    CHECK_THROWS_WITH(model_config(empty), Catch::Contains("no layers"));
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

namespace {

/// A Sequential model_from_json text with `layers` as its layer list.
std::string sequential_json(const std::string& layers) {
    return R"({"class_name": "Sequential", "config": {"name": "s", "layers": )" + layers + "}}";
}

const std::string kInput =
    R"({"class_name": "InputLayer", "config": {"batch_input_shape": [null, 16, 3]}})";

}  // namespace

TEST_CASE("an unknown class or argument is named with its JSON Pointer", "[model_config]") {
    const std::string unknown_class = load_error(
        sequential_json("[" + kInput + R"(, {"class_name": "Dense", "config": {"units": 2}},
            {"class_name": "SeperableConv1D", "config": {}}])"));
    CHECK_THAT(unknown_class, Catch::StartsWith("model_from_json: /config/layers/2/class_name: "));
    CHECK_THAT(unknown_class, Catch::Contains("unknown class_name 'SeperableConv1D'"));
    CHECK_THAT(unknown_class, Catch::Contains("SeparableConv1D, Sequential"));

    const std::string unknown_argument = load_error(sequential_json(
        "[" + kInput +
        R"(, {"class_name": "SeparableConv1D", "config": {"filters": 2, "kernel_size": 3,
              "dilation_rte": 2}}])"));
    CHECK_THAT(unknown_argument,
               Catch::StartsWith("model_from_json: /config/layers/1/config/dilation_rte: "));
    CHECK_THAT(unknown_argument, Catch::Contains("unknown key 'dilation_rte'"));
    // A misspelt required argument: named where it is, not as missing.
    const std::string misspelt = load_error(
        sequential_json("[" + kInput + R"(, {"class_name": "Dense", "config": {"units": 2}},
            {"class_name": "SeparableConv1D", "config": {"filters": 2, "kernal_size": 3}}])"));
    CHECK_THAT(misspelt,
               Catch::StartsWith("model_from_json: /config/layers/2/config/kernal_size: "));
    CHECK_THAT(misspelt, Catch::Contains("'kernel_size' is required"));
    CHECK_THAT(misspelt, Catch::Contains("misspelt"));

    // The file's name when read from a file.
    const Json root = Json::parse(sequential_json(
        R"([{"class_name": "Dense", "config": {"units": 2, "activation": "relux"}}])"));
    CHECK_THAT(io_error_of([&] { model_from_config(JsonNode(root, "model.json")); }),
               Catch::StartsWith("model.json: /config/layers/0/config/activation: "));

    // Nested: a Sequential inside a Sequential, an initializer inside a layer.
    CHECK_THAT(
        load_error(sequential_json(
            R"([{"class_name": "Sequential", "config": {"name": "inner", "layers": [
                       {"class_name": "Dense", "config": {"units": "2"}}]}}])")),
        Catch::StartsWith("model_from_json: /config/layers/0/config/layers/0/config/units: "));
    CHECK_THAT(load_error(sequential_json(
                   R"([{"class_name": "Dense", "config": {"units": 2,
                       "kernel_initializer": {"class_name": "GlorotUniform", "config": {"sed": 1}}}}])")),
               Catch::StartsWith("model_from_json: /config/layers/0/config/kernel_initializer: "));
    CHECK_THAT(
        load_error(sequential_json(
            R"([{"class_name": "Conv1D", "config": {"filters": 2, "kernel_size": 3, "padding": "sideways"}}])")),
        Catch::StartsWith("model_from_json: /config/layers/0/config/padding: "));
    // A value the layer's constructor rejects.
    CHECK_THAT(load_error(sequential_json(
                   R"([{"class_name": "Conv1D", "config": {"filters": 0, "kernel_size": 3}}])")),
               Catch::StartsWith("model_from_json: /config/layers/0/config/filters: "));
    // Keys with '/' and '~' are escaped as JSON Pointer tokens.
    CHECK_THAT(load_error(sequential_json(
                   R"([{"class_name": "Dense", "config": {"units": 2, "a/b~c": 1}}])")),
               Catch::StartsWith("model_from_json: /config/layers/0/config/a~1b~0c: "));
}

TEST_CASE("malformed, wrong-typed and inconsistent configs are rejected by place",
          "[model_config]") {
    // Not JSON at all.
    CHECK_THAT(load_error(R"({"class_name": "Sequential", )"),
               Catch::StartsWith("model_from_json"));
    // Not a model config.
    CHECK_THAT(load_error("[1, 2]"), Catch::StartsWith("model_from_json: /: "));
    CHECK_THAT(load_error(R"({"config": {"layers": []}})"),
               Catch::StartsWith("model_from_json: /: ") && Catch::Contains("class_name"));
    CHECK_THAT(load_error(R"({"class_name": "Sequential"})"),
               Catch::StartsWith("model_from_json: /: "));
    CHECK_THAT(
        load_error(
            R"({"class_name": "Sequential", "config": {"layers": []}, "kerasversion": "2"})"),
        Catch::StartsWith("model_from_json: /kerasversion: "));
    CHECK_THAT(load_error(R"({"class_name": "Sequential", "config": [], "keras_version": 2})"),
               Catch::StartsWith("model_from_json: /keras_version: "));
    CHECK_THAT(load_error(R"({"class_name": 3, "config": {}})"),
               Catch::StartsWith("model_from_json: /class_name: "));

    // Not a Sequential: a functional model, a plain layer.
    const std::string functional =
        load_error(R"({"class_name": "Functional", "config": {"name": "m", "layers": []}})");
    CHECK_THAT(functional, Catch::StartsWith("model_from_json: /class_name: "));
    CHECK_THAT(functional, Catch::Contains("functional model"));
    CHECK_THAT(functional, Catch::Contains("Sequential"));
    CHECK_THAT(load_error(R"({"class_name": "Dense", "config": {"units": 3}})"),
               Catch::StartsWith("model_from_json: /class_name: 'Dense' is a layer, not a model"));

    // The Sequential config itself.
    CHECK_THAT(load_error(sequential_json("[]")),
               Catch::StartsWith("model_from_json: /config/layers: "));
    CHECK_THAT(load_error(R"({"class_name": "Sequential", "config": []})"),
               Catch::StartsWith("model_from_json: /config: "));
    CHECK_THAT(load_error(sequential_json("{}")),
               Catch::StartsWith("model_from_json: /config/layers: "));
    CHECK_THAT(load_error(R"({"class_name": "Sequential", "config": "layers"})"),
               Catch::StartsWith("model_from_json: /config: "));
    CHECK_THAT(load_error(R"({"class_name": "Sequential", "config": {"name": "s"}})"),
               Catch::StartsWith("model_from_json: /config: "));
    CHECK_THAT(load_error(R"({"class_name": "Sequential", "config": {"name": 4, "layers": []}})"),
               Catch::StartsWith("model_from_json: /config/name: "));
    CHECK_THAT(load_error(R"({"class_name": "Sequential", "config": {"name": "s", "layerz": []}})"),
               Catch::StartsWith("model_from_json: /config/layerz: "));
    CHECK_THAT(
        load_error(R"({"class_name": "Sequential", "config": {"name": "s", "dtype": "float64",
                              "layers": [{"class_name": "Dense", "config": {"units": 1}}]}})"),
        Catch::StartsWith("model_from_json: /config/dtype: "));
    CHECK_THAT(load_error(R"({"class_name": "Sequential", "config": {"name": "s",
                              "layers": [{"class_name": "Dense", "config": {"units": 1}}],
                              "build_input_shape": [null, "7"]}})"),
               Catch::StartsWith("model_from_json: /config/build_input_shape: "));

    // The layer list's entries.
    CHECK_THAT(load_error(sequential_json(R"(["Dense"])")),
               Catch::StartsWith("model_from_json: /config/layers/0: "));
    CHECK_THAT(load_error(sequential_json(R"([{"config": {"units": 2}}])")),
               Catch::StartsWith("model_from_json: /config/layers/0: ") &&
                   Catch::Contains("'class_name' is required"));
    CHECK_THAT(load_error(sequential_json(R"([{"class_name": "Dense", "config": [2]}])")),
               Catch::StartsWith("model_from_json: /config/layers/0/config: "));
    CHECK_THAT(load_error(sequential_json(R"([{"class_name": "Dense", "confg": {"units": 2}}])")),
               Catch::StartsWith("model_from_json: /config/layers/0/confg: "));
    CHECK_THAT(load_error(sequential_json(
                   R"([{"class_name": "Dense", "config": {"units": 2, "dtype": "float16"}}])")),
               Catch::StartsWith("model_from_json: /config/layers/0/config/dtype: "));
    CHECK_THAT(
        load_error(sequential_json(
            R"([{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 0, 3]}}])")),
        Catch::StartsWith("model_from_json: /config/layers/0/config/batch_input_shape: "));

    // Inconsistent layers: an InputLayer that is not first, a duplicate name, a misfit.
    CHECK_THAT(load_error(sequential_json("[" + kInput + ", " + kInput + "]")),
               Catch::StartsWith("model_from_json: /config/layers/1/class_name: "));
    const std::string duplicate = load_error(sequential_json(
        "[" + kInput +
        R"(, {"class_name": "Conv1D", "config": {"name": "c", "filters": 2, "kernel_size": 1}},
            {"class_name": "Conv1D", "config": {"name": "c", "filters": 2, "kernel_size": 1}}])"));
    CHECK_THAT(duplicate, Catch::StartsWith("model_from_json: /config/layers/2/config/name: "));
    CHECK_THAT(duplicate, Catch::Contains("'c'"));
    const std::string misfit = load_error(
        sequential_json("[" + kInput + R"(, {"class_name": "GlobalAveragePooling1D", "config": {}},
            {"class_name": "Conv1D", "config": {"filters": 2, "kernel_size": 1}}])"));
    CHECK_THAT(misfit, Catch::StartsWith("model_from_json: /config/layers/2: "));
    CHECK_THAT(misfit, Catch::Contains("rank 3"));
}
