// Sequential (layers/sequential.cpp) and Model::summary (layers/model_summary.cpp): building
// from the declared input shape, add/pop, weight names under the model, and Keras's table.

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "layer_test_support.hpp"

#include "minidl/layers/conv1d.hpp"
#include "minidl/layers/input_layer.hpp"
#include "minidl/layers/separable_conv1d.hpp"
#include "minidl/layers/sequential.hpp"

using namespace minidl;
using layers::Conv1D;
using layers::InputLayer;
using layers::SeparableConv1D;
using testing::names_of;

namespace {

// A summary line: `text` padded with spaces to Keras's 65 columns.
std::string row(const std::string& text) { return text + std::string(65 - text.size(), ' '); }

Sequential small_model() {
    reset_layer_names();
    return Sequential({InputLayer({.input_shape = {128, 1}}),
                       SeparableConv1D({.filters = 8, .kernel_size = 5, .padding = "causal"}),
                       Conv1D({.filters = 4, .kernel_size = 3})});
}

}  // namespace

TEST_CASE("a Sequential with a declared input shape is built at once", "[sequential]") {
    Sequential model = small_model();
    REQUIRE(model.built());
    CHECK(model.name() == "sequential");
    CHECK(model.layers().size() == 2);  // the InputLayer is not listed, as in Keras
    CHECK(names_of(model.weights()) ==
          std::vector<std::string>{"sequential/separable_conv1d/depthwise_kernel",
                                   "sequential/separable_conv1d/pointwise_kernel",
                                   "sequential/separable_conv1d/bias", "sequential/conv1d/kernel",
                                   "sequential/conv1d/bias"});
    CHECK(model.count_params() == 5 + 8 + 8 + 3 * 8 * 4 + 4);
    CHECK(model.compute_output_shape({2, 128, 1}) == Shape{2, 126, 4});
    CHECK(model(zeros({3, 128, 1})).shape() == Shape{3, 126, 4});
}

TEST_CASE("a Sequential without an input shape builds on its first call", "[sequential]") {
    reset_layer_names();
    Sequential model({SeparableConv1D({.filters = 2, .kernel_size = 3})});
    CHECK_FALSE(model.built());
    CHECK_THROWS_WITH(model.summary(), Catch::Contains("has not yet been built"));
    model(zeros({1, 10, 3}));
    CHECK(model.built());
    CHECK(model.count_params() == 3 * 3 + 3 * 2 + 2);
}

TEST_CASE("the first layer's batch_input_shape declares the input", "[sequential]") {
    reset_layer_names();
    SeparableConv1D first({.filters = 2, .kernel_size = 3});
    first.set_batch_input_shape({-1, 16, 4});
    Sequential model({std::move(first)});
    CHECK(model.built());
    CHECK(model.input_shape() == std::vector<int64_t>{-1, 16, 4});
}

TEST_CASE("add builds a layer added to a built model; a misfit changes nothing", "[sequential]") {
    Sequential model = small_model();
    model.add(Conv1D({.filters = 2, .kernel_size = 2, .name = "head"}));
    CHECK(model.get_layer("head")->built());
    CHECK(model.count_params() == 121 + 2 * 4 * 2 + 2);
    // 4 steps cannot take a kernel of 200 with valid padding.
    CHECK_THROWS_AS(model.add(Conv1D({.filters = 2, .kernel_size = 200})), ShapeError);
    CHECK(model.layers().size() == 3);
    CHECK_THROWS_WITH(model.add(Conv1D({.filters = 2, .kernel_size = 1, .name = "head"})),
                      Catch::Contains("layer names must be unique"));
    CHECK_THROWS_WITH(model.get_layer("nope"), Catch::Contains("no layer named 'nope'"));
}

TEST_CASE("pop removes the last layer", "[sequential]") {
    Sequential model = small_model();
    model.pop();
    CHECK(model.layers().size() == 1);
    CHECK(model(zeros({1, 128, 1})).shape() == Shape{1, 128, 8});
    model.pop();
    model.pop();  // the InputLayer
    CHECK_THROWS_WITH(model.pop(), Catch::Contains("there are no layers"));
}

TEST_CASE("summary prints Keras's table", "[sequential][summary]") {
    Sequential model = small_model();
    std::ostringstream out;
    model.summary(out);
    const std::string expected =
        "Model: \"sequential\"\n" + std::string(65, '_') + "\n" +
        row(" Layer (type)                Output Shape              Param #") + "\n" +
        std::string(65, '=') + "\n" +
        row(" separable_conv1d (Separabl  (None, 128, 8)            21") + "\n" + row(" eConv1D)") +
        "\n" + row("") + "\n" + row(" conv1d (Conv1D)             (None, 126, 4)            100") +
        "\n" + row("") + "\n" + std::string(65, '=') + "\n" +
        "Total params: 121 (484.00 Byte)\n"
        "Trainable params: 121 (484.00 Byte)\n"
        "Non-trainable params: 0 (0.00 Byte)\n" +
        std::string(65, '_') + "\n";
    CHECK(out.str() == expected);
}

TEST_CASE("summary counts frozen layers as non-trainable", "[sequential][summary]") {
    Sequential model = small_model();
    model.layers()[1]->set_trainable(false);
    std::ostringstream out;
    model.summary(out);
    CHECK_THAT(out.str(), Catch::Contains("Trainable params: 21 (84.00 Byte)") &&
                              Catch::Contains("Non-trainable params: 100 (400.00 Byte)"));
}

TEST_CASE("InputLayer checks its input and round-trips its config", "[sequential]") {
    reset_layer_names();
    InputLayer input({.input_shape = {8, 2}});
    CHECK_THROWS_WITH(input(zeros({1, 8, 3})),
                      Catch::Contains("expected input of shape [None, 8, 2], got [1, 8, 3]"));
    CHECK(
        input.config().dump() ==
        R"({"batch_input_shape":[null,8,2],"dtype":"float32","sparse":false,"ragged":false,"name":"input_1"})");
    auto again = InputLayer::from_config(input.config());
    CHECK(again->config() == input.config());
    CHECK_THROWS_AS(InputLayer({}), ValueError);
    CHECK_THROWS_AS(InputLayer({.input_shape = {8, 0}}), ValueError);
}
