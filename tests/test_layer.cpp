// The Layer contract (layers/layer.cpp), exercised through SeparableConv1D and Conv1D: default
// names, lazy build, weight lists and the trainable flag, get/set_weights, and losses().

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "layer_test_support.hpp"
#include "minidl/layers/conv1d.hpp"
#include "minidl/layers/separable_conv1d.hpp"
#include "test_support.hpp"

using namespace minidl;
using layers::Conv1D;
using layers::SeparableConv1D;
using testing::names_of;
using testing::ramp;

namespace {

// A layer with a non-trainable weight created before its trainable one, so that weights()
// order (trainable first) differs from creation order.
class StatisticsLayer : public Layer {
  public:
    explicit StatisticsLayer(std::string name = {}) : Layer("statistics", std::move(name), true) {}
    Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
    std::string class_name() const override { return "Statistics"; }

  protected:
    Tensor call(const Tensor& x, bool /*training*/) override { return x * scale_; }
    void create_weights(const Shape& input_shape) override {
        const Shape features{input_shape[input_shape.rank() - 1]};
        add_weight("moving_mean", features, "zeros", {}, {}, false);
        scale_ = add_weight("scale", features, "ones");
    }

  private:
    Parameter scale_;
};

SeparableConv1D small_separable(const std::string& name = "sep") {
    return SeparableConv1D({.filters = 4, .kernel_size = 3, .depth_multiplier = 2, .name = name});
}

const Shape kInput{2, 8, 3};  // (batch, steps, channels)

}  // namespace

TEST_CASE("layers get unique default names", "[layer]") {
    reset_layer_names();
    CHECK(small_separable("").name() == "separable_conv1d");
    CHECK(small_separable("").name() == "separable_conv1d_1");
    // An explicit name does not consume the counter.
    CHECK(small_separable("mine").name() == "mine");
    CHECK(small_separable("").name() == "separable_conv1d_2");
    // Each prefix counts on its own.
    CHECK(Conv1D({.filters = 2, .kernel_size = 1}).name() == "conv1d");
    CHECK(Conv1D({.filters = 2, .kernel_size = 1}).name() == "conv1d_1");
    CHECK(small_separable("").name() == "separable_conv1d_3");

    reset_layer_names();
    CHECK(small_separable("").name() == "separable_conv1d");
    CHECK(unique_layer_name("conv1d") == "conv1d");
}

TEST_CASE("a layer builds on its first call", "[layer]") {
    SeparableConv1D layer = small_separable();
    CHECK_FALSE(layer.built());
    CHECK(layer.weights().empty());
    CHECK(layer.count_params() == 0);
    CHECK_FALSE(layer.depthwise_kernel().defined());

    const Tensor y = layer(testing::seeded_randn(kInput, 1));
    CHECK(layer.built());
    CHECK(y.shape() == Shape{2, 6, 4});
    CHECK(layer.depthwise_kernel().shape() == Shape{3, 3, 2});
    CHECK(layer.pointwise_kernel().shape() == Shape{1, 6, 4});
    CHECK(layer.bias().shape() == Shape{4});
    CHECK(names_of(layer.weights()) ==
          std::vector<std::string>{"sep/depthwise_kernel", "sep/pointwise_kernel", "sep/bias"});
    CHECK(layer.count_params() == 3 * 3 * 2 + 6 * 4 + 4);

    // The weights are created once: a second call reuses them.
    const Tensor kernel = layer.depthwise_kernel();
    layer(testing::seeded_randn({5, 4, 3}, 2));
    CHECK(layer.depthwise_kernel().is_same(kernel));
    CHECK(layer.weights().size() == 3);
}

TEST_CASE("build() creates the weights without a call", "[layer]") {
    Conv1D layer({.filters = 6, .kernel_size = 2, .groups = 3, .use_bias = false, .name = "c"});
    layer.build({1, 5, 9});
    CHECK(layer.built());
    CHECK(names_of(layer.weights()) == std::vector<std::string>{"c/kernel"});
    CHECK(layer.kernel().shape() == Shape{2, 3, 6});
    CHECK_FALSE(layer.bias().defined());
    CHECK(layer.count_params() == 2 * 3 * 6);
    layer.build({1, 5, 12});  // already built: nothing changes
    CHECK(layer.kernel().shape() == Shape{2, 3, 6});
}

TEST_CASE("weights() lists trainable weights first", "[layer]") {
    StatisticsLayer layer("stats");
    layer(ones({2, 3}));
    CHECK(names_of(layer.weights()) ==
          std::vector<std::string>{"stats/scale", "stats/moving_mean"});
    CHECK(names_of(layer.trainable_weights()) == std::vector<std::string>{"stats/scale"});
    CHECK(names_of(layer.non_trainable_weights()) == std::vector<std::string>{"stats/moving_mean"});
    CHECK_FALSE(layer.non_trainable_weights()[0].requires_grad());

    layer.set_trainable(false);
    CHECK(layer.trainable_weights().empty());
    CHECK(names_of(layer.weights()) ==
          std::vector<std::string>{"stats/moving_mean", "stats/scale"});

    // Unfreezing the layer leaves the moving statistics frozen.
    layer.set_trainable(true);
    CHECK(names_of(layer.trainable_weights()) == std::vector<std::string>{"stats/scale"});
    CHECK(layer.weights()[0].requires_grad());
    CHECK_FALSE(layer.weights()[1].requires_grad());
}

TEST_CASE("set_trainable moves the weights between the lists", "[layer]") {
    auto check_frozen = [](const Layer& layer, bool frozen) {
        CHECK(layer.trainable() == !frozen);
        CHECK(layer.trainable_weights().size() == (frozen ? 0u : 3u));
        CHECK(layer.non_trainable_weights().size() == (frozen ? 3u : 0u));
        CHECK(layer.weights().size() == 3);
        for (const Parameter& weight : layer.weights()) {
            INFO(weight.name());
            CHECK(weight.requires_grad() == !frozen);
            CHECK(weight.trainable() == !frozen);
        }
    };

    SECTION("before build") {
        SeparableConv1D layer = small_separable();
        layer.set_trainable(false);
        layer.build(kInput);
        check_frozen(layer, true);
        CHECK(names_of(layer.weights()) ==
              std::vector<std::string>{"sep/depthwise_kernel", "sep/pointwise_kernel", "sep/bias"});
        layer.set_trainable(true);
        check_frozen(layer, false);
    }
    SECTION("after build") {
        SeparableConv1D layer = small_separable();
        layer.build(kInput);
        check_frozen(layer, false);
        layer.set_trainable(false);
        check_frozen(layer, true);
        // A frozen layer's output does not need a gradient.
        CHECK_FALSE(layer(testing::seeded_randn(kInput, 3)).requires_grad());
        layer.set_trainable(true);
        check_frozen(layer, false);
        CHECK(layer(testing::seeded_randn(kInput, 3)).requires_grad());
    }
    SECTION("from the options") {
        SeparableConv1D layer(
            {.filters = 4, .kernel_size = 3, .depth_multiplier = 2, .trainable = false});
        layer.build(kInput);
        check_frozen(layer, true);
    }
}

TEST_CASE("get_weights and set_weights", "[layer]") {
    SeparableConv1D layer = small_separable();
    layer.build(kInput);
    const std::vector<Tensor> values = {ramp({3, 3, 2}), ramp({1, 6, 4}, -1.0f), ramp({4}, 7.0f)};
    layer.set_weights(values);
    const std::vector<Tensor> read = layer.get_weights();
    REQUIRE(read.size() == 3);
    for (std::size_t i = 0; i < read.size(); ++i) {
        CHECK(read[i].to_vector() == values[i].to_vector());
    }
    CHECK(layer.bias().to_vector() == values[2].to_vector());

    // get_weights returns copies, and set_weights copies in.
    read[0].data()[0] = 100.0f;
    values[1].data()[0] = 100.0f;
    CHECK(layer.depthwise_kernel().data()[0] == 0.5f);
    CHECK(layer.pointwise_kernel().data()[0] == -1.0f);
}

TEST_CASE("set_weights checks everything before writing anything", "[layer]") {
    SeparableConv1D layer = small_separable();
    layer.build(kInput);
    const std::vector<Tensor> before = layer.get_weights();
    auto unchanged = [&] {
        const std::vector<Tensor> now = layer.get_weights();
        for (std::size_t i = 0; i < now.size(); ++i) {
            CHECK(now[i].to_vector() == before[i].to_vector());
        }
    };

    const std::vector<Tensor> too_few = {ramp({3, 3, 2}), ramp({1, 6, 4})};
    CHECK_THROWS_AS(layer.set_weights(too_few), ValueError);
    CHECK_THROWS_WITH(layer.set_weights(too_few), Catch::Contains("sep") && Catch::Contains("2") &&
                                                      Catch::Contains("3 weights"));
    unchanged();

    // The first weight is valid, the second is not: the first must not be written either.
    const std::vector<Tensor> wrong_second = {ramp({3, 3, 2}, 9.0f), ramp({6, 4}), ramp({4})};
    CHECK_THROWS_AS(layer.set_weights(wrong_second), ShapeError);
    CHECK_THROWS_WITH(layer.set_weights(wrong_second), Catch::Contains("sep/pointwise_kernel") &&
                                                           Catch::Contains("[1, 6, 4]") &&
                                                           Catch::Contains("[6, 4]"));
    unchanged();

    const std::vector<Tensor> undefined = {ramp({3, 3, 2}), ramp({1, 6, 4}), Tensor()};
    CHECK_THROWS_AS(layer.set_weights(undefined), ShapeError);
    CHECK_THROWS_WITH(layer.set_weights(undefined), Catch::Contains("sep/bias"));
    unchanged();

    SeparableConv1D unbuilt = small_separable("fresh");
    CHECK_THROWS_AS(unbuilt.set_weights(too_few), ValueError);
    CHECK_THROWS_WITH(unbuilt.set_weights(too_few),
                      Catch::Contains("fresh") && Catch::Contains("not built"));
}

TEST_CASE("losses() holds the weight penalties on the current weights", "[layer]") {
    // Powers of two keep the float32 factors exact.
    SeparableConv1D layer({.filters = 4,
                           .kernel_size = 3,
                           .depth_multiplier = 2,
                           .depthwise_regularizer = regularizers::L2(0.25),
                           .bias_regularizer = regularizers::L2(0.5),
                           .name = "sep"});
    CHECK(layer.losses().empty());
    layer.build(kInput);
    layer.set_weights({ramp({3, 3, 2}), ramp({1, 6, 4}), ramp({4}, -1.0f)});

    auto check_penalties = [&] {
        const std::vector<Tensor> losses = layer.losses();
        REQUIRE(losses.size() == 2);  // depthwise then bias; the pointwise kernel has none
        CHECK(losses[0].rank() == 0);
        CHECK(losses[0].item() ==
              Approx(0.25 * testing::sum_of_squares(layer.depthwise_kernel())).epsilon(1e-6));
        CHECK(losses[1].item() ==
              Approx(0.5 * testing::sum_of_squares(layer.bias())).epsilon(1e-6));
    };
    check_penalties();

    // Re-evaluated on the current values.
    layer.depthwise_kernel().assign(ramp({3, 3, 2}, -2.0f, 0.5f));
    check_penalties();

    // Frozen weights still count (tf.keras 2.x).
    layer.set_trainable(false);
    check_penalties();
}

TEST_CASE("weight penalties in losses() are constants; regularization_loss() sums them",
          "[layer]") {
    const float l2 = 0.125f;
    SeparableConv1D layer({.filters = 2,
                           .kernel_size = 2,
                           .depthwise_regularizer = regularizers::L2(l2),
                           .bias_regularizer = regularizers::L2(0.5)});
    layer.build({1, 4, 3});
    layer.depthwise_kernel().assign(ramp({2, 3, 1}, -1.0f, 0.375f));
    layer.bias().assign(ramp({2}, 0.5f));
    const std::vector<Tensor> losses = layer.losses();
    REQUIRE(losses.size() == 2);
    // The optimizer's step applies the penalties' gradient, so backward() must not reach them.
    for (const Tensor& penalty : losses) CHECK_FALSE(penalty.requires_grad());

    const Tensor total = regularization_loss(layer);
    CHECK_FALSE(total.requires_grad());
    CHECK(total.item() == Approx(l2 * testing::sum_of_squares(layer.depthwise_kernel()) +
                                 0.5 * testing::sum_of_squares(layer.bias()))
                              .epsilon(1e-6));
    CHECK(regularization_loss(SeparableConv1D({.filters = 1, .kernel_size = 1})).item() == 0.0f);
}

TEST_CASE("the activity penalty of the last call is divided by the batch size", "[layer]") {
    const float l1 = 0.5f;
    SeparableConv1D layer({.filters = 3,
                           .kernel_size = 2,
                           .activation = "tanh",
                           .pointwise_regularizer = regularizers::L2(0.25),
                           .activity_regularizer = regularizers::L1(l1),
                           .name = "sep"});
    auto expected_activity = [&](const Tensor& y) {
        double total = 0.0;
        for (float v : y.to_vector()) total += std::abs(v);
        return l1 * total / static_cast<double>(y.size(0));
    };

    const Tensor y = layer(testing::seeded_randn({4, 6, 2}, 5));
    std::vector<Tensor> losses = layer.losses();
    REQUIRE(losses.size() == 2);  // pointwise penalty, then the activity penalty
    CHECK(losses[0].item() ==
          Approx(0.25 * testing::sum_of_squares(layer.pointwise_kernel())).epsilon(1e-6));
    CHECK(losses[1].item() == Approx(expected_activity(y)).epsilon(1e-5));

    // A new call replaces the activity penalty rather than adding one.
    const Tensor y2 = layer(testing::seeded_randn({3, 6, 2}, 6));
    losses = layer.losses();
    REQUIRE(losses.size() == 2);
    CHECK(losses[1].item() == Approx(expected_activity(y2)).epsilon(1e-5));

    // channels_first: the batch is still axis 0.
    SeparableConv1D first({.filters = 3,
                           .kernel_size = 2,
                           .data_format = "channels_first",
                           .activity_regularizer = regularizers::L1(l1)});
    const Tensor y3 = first(testing::seeded_randn({5, 2, 6}, 7));
    REQUIRE(first.losses().size() == 1);
    CHECK(first.losses()[0].item() == Approx(expected_activity(y3)).epsilon(1e-5));
}

TEST_CASE("the activity penalty is differentiable in the layer's weights", "[layer]") {
    // d/dbias of l1 * sum|y| / B, with y = x * w + bias > 0 everywhere, is l1 * B * L / B.
    Conv1D layer({.filters = 1,
                  .kernel_size = 1,
                  .bias_initializer = "ones",
                  .activity_regularizer = regularizers::L1(0.5)});
    layer(ones({4, 3, 1}) * 0.0f);
    layer.losses().back().backward();
    REQUIRE(layer.bias().grad().defined());
    CHECK(layer.bias().grad().item() == Approx(0.5 * 3.0));
}

TEST_CASE("calling a layer with an undefined tensor is an error", "[layer]") {
    SeparableConv1D layer = small_separable("sep");
    CHECK_THROWS_AS(layer(Tensor()), ValueError);
    CHECK_THROWS_WITH(layer(Tensor()), Catch::Contains("sep"));
    CHECK_FALSE(layer.built());
}

TEST_CASE("to_json wraps the config with the class name", "[layer]") {
    const SeparableConv1D layer = small_separable("sep");
    const Json json = layer.to_json();
    CHECK(json["class_name"] == "SeparableConv1D");
    CHECK(json["config"] == layer.config());
    CHECK(json.size() == 2);
}

TEST_CASE("a build that fails part-way leaves no weights behind", "[layer]") {
    // The bias constraint's axis 1 does not exist on the rank-1 bias, which is created last.
    SeparableConv1D layer({.filters = 2,
                           .kernel_size = 3,
                           .bias_constraint = constraints::MaxNorm(2.0, {1}),
                           .name = "sep"});
    for (int attempt = 0; attempt < 2; ++attempt) {
        CHECK_THROWS_WITH(layer(zeros({1, 8, 2})), Catch::Contains("sep/bias"));
        CHECK_FALSE(layer.built());
        CHECK(layer.weights().empty());
        CHECK(layer.count_params() == 0);
        CHECK_FALSE(layer.depthwise_kernel().defined());
        CHECK_FALSE(layer.pointwise_kernel().defined());
    }
}
