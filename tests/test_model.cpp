// Model as a container (layers/model.cpp, layers/layer.cpp's tracking): a subclassed model's
// layers, nested models, recursive weights/losses/trainable and weight names under the model.

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "layer_test_support.hpp"
#include "minidl/layers/conv1d.hpp"
#include "minidl/layers/model.hpp"
#include "minidl/layers/separable_conv1d.hpp"
#include "minidl/layers/sequential.hpp"

using namespace minidl;
using layers::Conv1D;
using layers::SeparableConv1D;
using testing::names_of;

namespace {

// A residual block: x + conv(x), with an L2 penalty on the conv kernel.
struct Residual : Model {
    explicit Residual(std::string name = {}) : Model(std::move(name)) {}
    std::shared_ptr<Conv1D> conv = track(Conv1D({.filters = 3,
                                                 .kernel_size = 3,
                                                 .padding = "same",
                                                 .kernel_regularizer = regularizers::L2(0.5)}));
    Tensor call(const Tensor& x, bool training) override { return x + (*conv)(x, training); }
};

// A model nesting a Residual and a Sequential.
struct Net : Model {
    Net() : Model("net") {}
    std::shared_ptr<Residual> block = track(Residual("block"));
    std::shared_ptr<Sequential> head =
        track(Sequential({SeparableConv1D({.filters = 2, .kernel_size = 1})}, "head"));
    Tensor call(const Tensor& x, bool training) override {
        return (*head)((*block)(x, training), training);
    }
};

}  // namespace

TEST_CASE("a subclassed model names its weights under its own name", "[model]") {
    reset_layer_names();
    Residual model;
    CHECK(model.name() == "model");
    CHECK_FALSE(model.built());
    const Tensor x = testing::ramp({2, 5, 3});
    CHECK(model(x).shape() == Shape{2, 5, 3});
    CHECK(names_of(model.weights()) ==
          std::vector<std::string>{"model/conv1d/kernel", "model/conv1d/bias"});
    CHECK(model.layers().size() == 1);
    CHECK(model.get_layer("conv1d") == model.conv);
}

TEST_CASE("nested models collect weights recursively with path names", "[model]") {
    reset_layer_names();
    Net net;
    net(zeros({1, 4, 3}));
    CHECK(names_of(net.weights()) ==
          std::vector<std::string>{"net/block/conv1d/kernel", "net/block/conv1d/bias",
                                   "net/head/separable_conv1d/depthwise_kernel",
                                   "net/head/separable_conv1d/pointwise_kernel",
                                   "net/head/separable_conv1d/bias"});
    CHECK(net.count_params() == (3 * 3 * 3 + 3) + (3 + 3 * 2 + 2));
    CHECK(net.compute_output_shape({7, 4, 3}) == Shape{7, 4, 2});
}

TEST_CASE("set_trainable on a model freezes every sublayer", "[model]") {
    reset_layer_names();
    Net net;
    net(zeros({1, 4, 3}));
    net.block->set_trainable(false);
    CHECK(net.trainable_weights().size() == 3);
    CHECK(names_of(net.non_trainable_weights()) ==
          std::vector<std::string>{"net/block/conv1d/kernel", "net/block/conv1d/bias"});
    CHECK_FALSE(net.block->conv->kernel().trainable());
    net.set_trainable(true);
    CHECK(net.trainable_weights().size() == 5);
}

TEST_CASE("losses() gathers the sublayers' penalties", "[model]") {
    reset_layer_names();
    Net net;
    net(zeros({1, 4, 3}));
    const std::vector<Tensor> losses = net.losses();
    REQUIRE(losses.size() == 1);
    CHECK(losses[0].item() ==
          Approx(0.5 * testing::sum_of_squares(net.block->conv->kernel())).epsilon(1e-6));
}

TEST_CASE("get_weights/set_weights cover the whole model", "[model]") {
    reset_layer_names();
    Net net;
    const Tensor x = testing::ramp({1, 4, 3});
    const Tensor before = net(x);
    std::vector<Tensor> values = net.get_weights();
    REQUIRE(values.size() == 5);
    for (Tensor& value : values) value = value * 2.0f;
    net.set_weights(values);
    CHECK_FALSE(net(x).to_vector() == before.to_vector());
    values.pop_back();
    CHECK_THROWS_AS(net.set_weights(values), ValueError);
}

TEST_CASE("tracking checks the layer", "[model]") {
    struct Twice : Model {
        Twice() {
            track(Conv1D({.filters = 1, .kernel_size = 1, .name = "same"}));
            track(Conv1D({.filters = 1, .kernel_size = 1, .name = "same"}));
        }
        Tensor call(const Tensor& x, bool) override { return x; }
    };
    CHECK_THROWS_WITH(Twice(), Catch::Contains("layer names must be unique"));
}

TEST_CASE("a model's compile-time accessors need compile()", "[model]") {
    Residual model;
    CHECK_FALSE(model.compiled());
    CHECK_THROWS_WITH(model.optimizer(), Catch::Contains("not compiled"));
}
