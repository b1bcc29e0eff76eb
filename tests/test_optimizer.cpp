// The Optimizer base (optim/optimizer.*): the step order (regularizer gradient, clipping,
// weight decay, update, constraint), which parameters a step touches, and the state that
// resumes an optimizer. A test-local rule keeps the expected values hand-computable.
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <vector>

#include <minidl/minidl.hpp>

#include "minidl/core/parallel.hpp"
#include "minidl/layers/constraints.hpp"
#include "minidl/layers/regularizers.hpp"
#include "minidl/layers/separable_conv1d.hpp"
#include "minidl/optim/optimizer.hpp"
#include "test_support.hpp"

using namespace minidl;
using optim::LearningRate;

namespace {

struct DescentOptions {
    LearningRate learning_rate = 1.0;
    std::optional<double> weight_decay = std::nullopt;
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;
};

/// w -= lr * g, or with `accumulate` w -= lr * s where the slot s sums the gradients, and a
/// global that counts the steps: enough to test every part of the base.
class Descent : public optim::Optimizer {
  public:
    Descent(std::vector<Parameter> parameters, DescentOptions options = {}, bool accumulate = false)
        : Optimizer("Descent", options.learning_rate, optim::CommonOptions::of(options)),
          accumulate_(accumulate) {
        if (accumulate_) define_slot("sum", 0.5f);
        steps_ = define_global("steps", 0.0f);
        add_parameters(parameters);
    }
    float steps() { return global(steps_); }

  protected:
    void prepare_step(const StepContext&) override { global(steps_) += 1.0f; }
    void update(const UpdateView& view, const StepContext& context) const override {
        for (int64_t i = 0; i < view.size; ++i) {
            float direction = view.grad[i];
            if (accumulate_) direction = view.slots[0][i] += view.grad[i];
            view.value[i] -= context.learning_rate * direction;
        }
    }

  private:
    bool accumulate_;
    std::size_t steps_;
};

Parameter make_parameter(const std::string& name, const std::vector<float>& values,
                         regularizers::Regularizer regularizer = nullptr,
                         constraints::Constraint constraint = nullptr) {
    Parameter::RegularizerFn penalty;
    if (regularizer) penalty = regularizer;
    Parameter::ConstraintFn projection;
    if (constraint) projection = constraint;
    return Parameter(name, tensor(values), penalty, projection);
}

void set_gradient(const Parameter& p, const std::vector<float>& values) {
    p.set_grad(tensor(values, p.shape()));
}

}  // namespace

TEST_CASE("step adds the regularizer gradient exactly once", "[optimizer]") {
    // L2(0.25) on w = [1, -2]: gradient 2 * 0.25 * w = [0.5, -1]; data gradient [1, 1].
    Parameter w = make_parameter("w", {1.0f, -2.0f}, regularizers::L2(0.25));
    Descent opt({w}, {.learning_rate = 0.5});
    // The reported objective includes the penalty, without a graph, so backward sees the data
    // term only.
    const Tensor loss = sum(w) + regularization_loss({w});
    CHECK(loss.item() == Approx(-1.0 + 0.25 * 5.0));
    loss.backward();
    opt.step();
    CHECK(w.to_vector() == std::vector<float>{1.0f - 0.5f * 1.5f, -2.0f - 0.5f * 0.0f});
    // The user's gradient is not changed by the step.
    CHECK(w.grad().to_vector() == std::vector<float>{1.0f, 1.0f});
}

TEST_CASE("loss + sum(layer.losses()) then step equals Keras's gradient of the penalised loss",
          "[optimizer]") {
    using layers::SeparableConv1D;
    auto make_layer = [] {
        SeparableConv1D layer({.filters = 3,
                               .kernel_size = 2,
                               .activation = "tanh",
                               .depthwise_regularizer = regularizers::L1L2(0.01, 0.02),
                               .pointwise_regularizer = regularizers::L2(0.05),
                               .activity_regularizer = regularizers::L2(0.01),
                               .name = "sep"});
        Generator gen(3);
        layer.build({2, 5, 2});
        for (const Parameter& p : layer.weights()) p.assign(randn(p.shape(), gen));
        return layer;
    };
    const Tensor x = testing::seeded_randn({2, 5, 2}, 4);
    const float lr = 0.125f;

    // minidl's way: penalties as constants in the loss, their gradient added by the step.
    SeparableConv1D layer = make_layer();
    Descent opt(layer.trainable_weights(), {.learning_rate = lr});
    Tensor loss = sum(layer(x));
    for (const Tensor& penalty : layer.losses()) loss = loss + penalty;
    loss.backward();
    opt.step();

    // Keras's way: every penalty differentiated as part of the loss, then plain descent.
    SeparableConv1D reference = make_layer();
    Tensor keras_loss = sum(reference(x));
    keras_loss = keras_loss + reference.losses().back();  // the activity penalty
    for (const Parameter& p : reference.weights()) {
        if (p.regularizer()) keras_loss = keras_loss + p.penalty();
    }
    CHECK(keras_loss.item() == Approx(loss.item()).epsilon(1e-6));
    keras_loss.backward();
    for (std::size_t i = 0; i < layer.weights().size(); ++i) {
        const std::vector<float> actual = layer.weights()[i].to_vector();
        const std::vector<float> before = reference.weights()[i].to_vector();
        const std::vector<float> grad = reference.weights()[i].grad().to_vector();
        for (std::size_t j = 0; j < actual.size(); ++j) {
            CHECK(actual[j] == Approx(before[j] - lr * grad[j]).margin(1e-6));
        }
    }
}

TEST_CASE("the constraint applies to the updated value", "[optimizer]") {
    // NonNeg after the update: 1 - 3 = -2 becomes 0 (before the update it would leave -2).
    Parameter w = make_parameter("w", {1.0f, 4.0f}, nullptr, constraints::NonNeg());
    Descent opt({w});
    set_gradient(w, {3.0f, 1.0f});
    opt.step();
    CHECK(w.to_vector() == std::vector<float>{0.0f, 3.0f});

    // MaxNorm(2) over the whole vector: [3, 4] - [0, 0] has norm 5 and becomes [1.2, 1.6].
    Parameter v = make_parameter("v", {3.0f, 4.0f}, nullptr, constraints::MaxNorm(2.0, {0}));
    Descent opt_v({v});
    set_gradient(v, {0.0f, 0.0f});
    opt_v.step();
    CHECK(v.to_vector()[0] == Approx(1.2f));
    CHECK(v.to_vector()[1] == Approx(1.6f));
}

TEST_CASE("a frozen parameter, or one without gradient or regularizer, is not touched",
          "[optimizer]") {
    Parameter frozen =
        make_parameter("frozen", {-1.0f, 2.0f}, regularizers::L2(1.0), constraints::NonNeg());
    Parameter idle = make_parameter("idle", {-3.0f}, nullptr, constraints::NonNeg());
    Parameter penalised = make_parameter("penalised", {2.0f}, regularizers::L2(0.25));
    Descent opt({frozen, idle, penalised}, {.learning_rate = 1.0}, true);
    frozen.set_trainable(false);
    const optim::OptimizerState before = opt.state();
    opt.step();
    CHECK(frozen.to_vector() == std::vector<float>{-1.0f, 2.0f});  // no update, no constraint
    CHECK(idle.to_vector() == std::vector<float>{-3.0f});
    // Only the regularizer pulls: sum slot 0.5 + 2 * 0.25 * 2 = 1.5, w = 2 - 1.5.
    CHECK(penalised.to_vector() == std::vector<float>{0.5f});
    const optim::OptimizerState after = opt.state();
    for (std::size_t i = 0; i < after.tensors.size(); ++i) {
        const bool changed =
            after.tensors[i].second.to_vector() != before.tensors[i].second.to_vector();
        const std::string& name = after.tensors[i].first;
        CHECK(changed == (name == "sum/penalised" || name == "steps"));
    }
}

TEST_CASE("clipping follows the regularizer gradient", "[optimizer]") {
    SECTION("clipvalue") {
        // Data 0.5 + L2 2 * 0.5 * 1 = 1.5, clipped to 1 (clipping first would give 1.5).
        Parameter w = make_parameter("w", {1.0f}, regularizers::L2(0.5));
        Descent opt({w}, {.clipvalue = 1.0});
        set_gradient(w, {0.5f});
        opt.step();
        CHECK(w.to_vector() == std::vector<float>{0.0f});
    }
    SECTION("clipnorm, per tensor") {
        Parameter a = make_parameter("a", {0.0f, 0.0f});
        Parameter b = make_parameter("b", {0.0f});
        Descent opt({a, b}, {.clipnorm = 1.0});
        set_gradient(a, {3.0f, 4.0f});  // norm 5: scaled to [0.6, 0.8]
        set_gradient(b, {0.5f});        // under the limit: kept
        opt.step();
        CHECK(a.to_vector()[0] == Approx(-0.6f));
        CHECK(a.to_vector()[1] == Approx(-0.8f));
        CHECK(b.to_vector() == std::vector<float>{-0.5f});
    }
    SECTION("global_clipnorm, over all tensors") {
        Parameter a = make_parameter("a", {0.0f, 0.0f});
        Parameter b = make_parameter("b", {0.0f});
        Descent opt({a, b}, {.global_clipnorm = 6.5});
        set_gradient(a, {3.0f, 4.0f});
        set_gradient(b, {12.0f});  // global norm 13: every gradient halved
        opt.step();
        CHECK(a.to_vector()[0] == Approx(-1.5f));
        CHECK(a.to_vector()[1] == Approx(-2.0f));
        CHECK(b.to_vector()[0] == Approx(-6.0f));
    }
}

TEST_CASE("weight decay uses the learning rate and precedes the update", "[optimizer]") {
    // 2 - 0.5 * 0.1 * 2 = 1.9, then - 0.5 * 1 = 1.4 (decay after the update would give 1.425).
    Parameter w = make_parameter("w", {2.0f});
    Descent opt({w}, {.learning_rate = 0.5, .weight_decay = 0.1});
    set_gradient(w, {1.0f});
    opt.step();
    CHECK(w.to_vector()[0] == Approx(1.4f));
}

TEST_CASE("updates over large parameters are the same on 1 and 2 threads", "[optimizer]") {
    auto run = [](int threads) {
        testing::ThreadCount count(threads);
        const int64_t n = 3 * kElementwiseGrain + 17;
        Parameter w("w", testing::seeded_randn({n}, 1));
        Descent opt({w}, {.learning_rate = 0.25}, true);
        for (int step = 0; step < 3; ++step) {
            w.set_grad(testing::seeded_randn({n}, 10 + step));
            opt.step();
        }
        return w.to_vector();
    };
    const std::vector<float> one = run(1);
    CHECK(one == run(2));
    const std::vector<float> start =
        testing::seeded_randn({3 * kElementwiseGrain + 17}, 1).to_vector();
    CHECK(one.back() != start.back());  // the last block was updated too
}

TEST_CASE("state() and load_state() resume an optimizer exactly", "[optimizer]") {
    auto make = [](const std::vector<float>& values) { return make_parameter("w", values); };
    Parameter w = make({1.0f, 2.0f, 3.0f});
    Descent opt({w}, {.learning_rate = 0.125}, true);
    auto step_with = [](Descent& o, const Parameter& p, int k) {
        p.set_grad(tensor({0.5f * k, -1.0f, 0.25f * k * k}));
        o.step();
    };
    for (int k = 1; k <= 3; ++k) step_with(opt, w, k);
    opt.set_learning_rate(0.0625);
    const optim::OptimizerState saved = opt.state();
    CHECK(saved.optimizer == "Descent");
    CHECK(saved.iterations == 3);
    CHECK(saved.learning_rate == 0.0625);
    REQUIRE(saved.tensors.size() == 2);
    CHECK(saved.tensors[0].first == "steps");
    CHECK(saved.tensors[1].first == "sum/w");

    Parameter copy = make(w.to_vector());
    Descent resumed({copy}, {.learning_rate = 1.0}, true);
    resumed.load_state(saved);
    CHECK(resumed.iterations() == 3);
    CHECK(resumed.learning_rate() == 0.0625);
    for (int k = 4; k <= 5; ++k) {
        step_with(opt, w, k);
        step_with(resumed, copy, k);
    }
    CHECK(copy.to_vector() == w.to_vector());
    CHECK(resumed.steps() == opt.steps());

    // The saved copy is not shared with the optimizer.
    CHECK(saved.tensors[1].second.to_vector() != opt.state().tensors[1].second.to_vector());
}

TEST_CASE("load_state checks everything before changing anything", "[optimizer]") {
    Parameter w = make_parameter("w", {1.0f, 2.0f});
    Descent opt({w}, {}, true);
    const optim::OptimizerState good = opt.state();
    auto expect_unchanged = [&] {
        CHECK(opt.iterations() == 0);
        CHECK(opt.state().tensors[1].second.to_vector() == std::vector<float>{0.5f, 0.5f});
    };
    optim::OptimizerState bad = good;
    bad.iterations = 7;
    bad.tensors[1].second = tensor({1.0f, 2.0f, 3.0f});
    CHECK_THROWS_AS(opt.load_state(bad), ShapeError);
    CHECK_THROWS_WITH(opt.load_state(bad), Catch::Contains("sum/w") && Catch::Contains("[3]"));
    expect_unchanged();

    bad = good;
    bad.iterations = 7;
    bad.tensors.pop_back();
    CHECK_THROWS_WITH(opt.load_state(bad), Catch::Contains("missing 'sum/w'"));
    bad = good;
    bad.tensors.emplace_back("sum/other", tensor({1.0f}));
    CHECK_THROWS_WITH(opt.load_state(bad), Catch::Contains("unexpected 'sum/other'"));
    bad = good;
    bad.iterations = -1;
    CHECK_THROWS_WITH(opt.load_state(bad), Catch::Contains("iterations"));
    bad = good;
    bad.iterations = 7;
    bad.optimizer = "Adam";
    CHECK_THROWS_WITH(opt.load_state(bad), Catch::Contains("'Adam' optimizer"));
    expect_unchanged();
}

TEST_CASE("learning rates: constants, schedules and set_learning_rate", "[optimizer]") {
    struct Halving : optim::LearningRateSchedule {
        double operator()(int64_t step) const override { return 1.0 / double(1 << step); }
        std::string class_name() const override { return "Halving"; }
    };
    Parameter w = make_parameter("w", {0.0f});
    Descent opt({w}, {.learning_rate = Halving()});
    CHECK(opt.learning_rate() == 1.0);
    for (int k = 0; k < 3; ++k) {
        set_gradient(w, {1.0f});
        opt.step();
    }
    CHECK(w.to_vector()[0] == -1.75f);  // the first update used step 0
    CHECK(opt.learning_rate() == 0.125);
    CHECK_THROWS_WITH(opt.set_learning_rate(0.1), Catch::Contains("Halving"));

    Descent constant({make_parameter("v", {0.0f})}, {.learning_rate = 0.5});
    constant.set_learning_rate(0.25);
    CHECK(constant.learning_rate() == 0.25);
    CHECK_THROWS_WITH(constant.set_learning_rate(-1.0), Catch::Contains("learning_rate"));
}

TEST_CASE("bad optimizer arguments are rejected by name", "[optimizer]") {
    Parameter w = make_parameter("w", {0.0f});
    CHECK_THROWS_WITH(Descent({w}, {.learning_rate = -0.1}),
                      Catch::Contains("Descent") && Catch::Contains("learning_rate"));
    CHECK_THROWS_WITH(Descent({w}, {.learning_rate = NAN}), Catch::Contains("learning_rate"));
    CHECK_THROWS_WITH(Descent({w}, {.clipnorm = 0.0}), Catch::Contains("clipnorm"));
    CHECK_THROWS_WITH(Descent({w}, {.weight_decay = -1.0}), Catch::Contains("weight_decay"));
    CHECK_THROWS_WITH(Descent({w}, {.clipnorm = 1.0, .clipvalue = 1.0}),
                      Catch::Contains("at most one"));
    CHECK_THROWS_WITH(Descent({w, w}), Catch::Contains("'w' is given twice"));
    CHECK_THROWS_WITH(Descent({w, make_parameter("w", {1.0f})}), Catch::Contains("twice"));
}

TEST_CASE("step() works under a NoGradGuard, regularizer included", "[optimizer]") {
    Parameter w = make_parameter("w", {1.0f}, regularizers::L2(0.5));
    Descent opt({w}, {.learning_rate = 0.5});
    set_gradient(w, {1.0f});
    NoGradGuard no_grad;
    opt.step();
    CHECK(w.to_vector()[0] == 1.0f - 0.5f * (1.0f + 2.0f * 0.5f * 1.0f));
    CHECK_FALSE(grad_enabled());  // the guard's mode is restored
}

TEST_CASE("zero_grad drops every gradient", "[optimizer]") {
    Parameter a = make_parameter("a", {1.0f});
    Parameter b = make_parameter("b", {1.0f});
    Descent opt({a, b});
    set_gradient(a, {1.0f});
    set_gradient(b, {2.0f});
    opt.zero_grad();
    CHECK_FALSE(a.grad().defined());
    CHECK_FALSE(b.grad().defined());
}

TEST_CASE("steps after the first take no new memory from the system", "[optimizer]") {
    Parameter w("w", testing::seeded_randn({64, 32}, 2),
                Parameter::RegularizerFn(regularizers::L1L2(0.01, 0.01)),
                Parameter::ConstraintFn(constraints::MaxNorm(1.0, {0})));
    Descent opt({w}, {.learning_rate = 0.01, .weight_decay = 0.1, .clipnorm = 1.0}, true);
    const Tensor grad = testing::seeded_randn({64, 32}, 3);
    w.set_grad(grad);
    opt.step();  // creates the scratch gradient and warms the allocator's cache
    const MemoryStats before = memory_stats();
    for (int step = 0; step < 5; ++step) opt.step();
    const MemoryStats after = memory_stats();
    CHECK(after.allocations > before.allocations);  // the regularizer and constraint ran
    CHECK(after.allocations - after.cache_hits == before.allocations - before.cache_hits);
}

TEST_CASE("a step with nothing to update is an error and changes nothing", "[optimizer]") {
    Parameter w = make_parameter("w", {1.0f});
    Descent opt({w});
    CHECK_THROWS_AS(opt.step(), ValueError);
    CHECK_THROWS_WITH(opt.step(), Catch::Contains("backward()"));
    CHECK(opt.iterations() == 0);
    CHECK(opt.steps() == 0.0f);
    w.set_trainable(false);
    w.set_grad(tensor({1.0f}));
    CHECK_THROWS_AS(opt.step(), ValueError);
}

TEST_CASE("global_clipnorm turns every gradient into NaN when the norm is not finite",
          "[optimizer]") {
    // tf.clip_by_global_norm does the same, so a diverged step shows rather than vanishes.
    Parameter a = make_parameter("a", {0.0f, 0.0f});
    Parameter b = make_parameter("b", {1.0f});
    Descent opt({a, b}, {.global_clipnorm = 1.0});
    set_gradient(a, {NAN, 2.0f});
    set_gradient(b, {1.0f});
    opt.step();
    CHECK(std::isnan(a.to_vector()[1]));
    CHECK(std::isnan(b.to_vector()[0]));
}
