// Learning-rate schedules (optim/schedules.cpp) against Keras's formulas written out here or
// computed by hand, LearningRate's conversions, and the constructors' argument checks.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numbers>

#include <minidl/minidl.hpp>

#include "minidl/core/error.hpp"
#include "minidl/optim/schedules.hpp"

using namespace minidl;
using namespace minidl::optim;

namespace {

/// A double rate, equal up to rounding.
Approx rate(double expected) { return Approx(expected).epsilon(1e-12).margin(1e-15); }

/// Keras's cosine factor, (1 - alpha) * 0.5 * (1 + cos(pi * s / D)) + alpha.
double cosine_factor(double s, double decay_steps, double alpha) {
    return (1.0 - alpha) * 0.5 * (1.0 + std::cos(std::numbers::pi * s / decay_steps)) + alpha;
}

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("ExponentialDecay follows initial * rate ^ (step / decay_steps)", "[schedules]") {
    const ExponentialDecay smooth(
        {.initial_learning_rate = 0.1, .decay_steps = 3, .decay_rate = 0.96});
    CHECK(smooth(0) == rate(0.1));
    CHECK(smooth(3) == rate(0.096));
    CHECK(smooth(6) == rate(0.09216));
    CHECK(smooth(7) == rate(0.1 * std::pow(0.96, 7.0 / 3.0)));
    CHECK(smooth(7) == rate(0.09091444190811844));

    const ExponentialDecay stairs(
        {.initial_learning_rate = 0.1, .decay_steps = 3, .decay_rate = 0.96, .staircase = true});
    CHECK(stairs(0) == rate(0.1));
    CHECK(stairs(2) == rate(0.1));
    CHECK(stairs(3) == rate(0.096));
    CHECK(stairs(5) == rate(0.096));
    CHECK(stairs(7) == rate(0.09216));

    // Steps beyond int32 keep their value; a zero rate gives 0^0 = 1 at step 0, as tf.pow does.
    const ExponentialDecay halving(
        {.initial_learning_rate = 0.1, .decay_steps = 1'000'000'000, .decay_rate = 0.5});
    CHECK(halving(3'000'000'000LL) == rate(0.0125));
    const ExponentialDecay to_zero(
        {.initial_learning_rate = 0.1, .decay_steps = 1, .decay_rate = 0});
    CHECK(to_zero(0) == rate(0.1));
    CHECK(to_zero(1) == 0.0);
}

TEST_CASE("InverseTimeDecay follows initial / (1 + rate * step / decay_steps)", "[schedules]") {
    const InverseTimeDecay smooth(
        {.initial_learning_rate = 0.1, .decay_steps = 3, .decay_rate = 0.5});
    CHECK(smooth(0) == rate(0.1));
    CHECK(smooth(3) == rate(0.1 / 1.5));
    CHECK(smooth(7) == rate(0.04615384615384615));  // 0.1 / (1 + 0.5 * 7/3)

    const InverseTimeDecay stairs(
        {.initial_learning_rate = 0.1, .decay_steps = 3, .decay_rate = 0.5, .staircase = true});
    CHECK(stairs(2) == rate(0.1));
    CHECK(stairs(3) == rate(0.1 / 1.5));
    CHECK(stairs(7) == rate(0.05));
    CHECK(stairs(8) == rate(0.05));
    CHECK(stairs(9) == rate(0.04));

    CHECK(smooth(3'000'000'000LL) == rate(0.1 / (1.0 + 0.5 * 1e9)));
}

TEST_CASE("PiecewiseConstantDecay keeps the earlier value at a boundary", "[schedules]") {
    const PiecewiseConstantDecay schedule({.boundaries = {3, 7}, .values = {1.0, 0.5, 0.1}});
    CHECK(schedule(0) == 1.0);
    CHECK(schedule(3) == 1.0);
    CHECK(schedule(4) == 0.5);
    CHECK(schedule(7) == 0.5);
    CHECK(schedule(8) == 0.1);
    CHECK(schedule(5'000'000'000LL) == 0.1);

    // Keras casts boundaries to the step's integer type; for integer steps 2.5 acts as 2.
    const PiecewiseConstantDecay fractional({.boundaries = {2.5}, .values = {0.3, 0.2}});
    CHECK(fractional(2) == 0.3);
    CHECK(fractional(3) == 0.2);

    const PiecewiseConstantDecay constant({.boundaries = {}, .values = {0.25}});
    CHECK(constant(0) == 0.25);
    CHECK(constant(1000) == 0.25);
}

TEST_CASE("CosineDecay without warmup decays initial to alpha * initial", "[schedules]") {
    const CosineDecay schedule({.initial_learning_rate = 0.1, .decay_steps = 10, .alpha = 0.2});
    CHECK(schedule(0) == rate(0.1));
    CHECK(schedule(3) == rate(0.08351141009169893));
    CHECK(schedule(3) == rate(0.1 * cosine_factor(3, 10, 0.2)));
    CHECK(schedule(5) == rate(0.06));  // halfway: (0.8 * 0.5 + 0.2) * 0.1
    CHECK(schedule(10) == rate(0.02));
    CHECK(schedule(20) == rate(0.02));
    CHECK(schedule(4'000'000'000LL) == rate(0.02));

    // As in Keras, warmup_steps does nothing unless warmup_target is set.
    const CosineDecay ignored_warmup(
        {.initial_learning_rate = 0.1, .decay_steps = 10, .alpha = 0.2, .warmup_steps = 4});
    for (int64_t step : {0, 3, 5, 12}) CHECK(ignored_warmup(step) == rate(schedule(step)));
}

TEST_CASE("CosineDecay warms up linearly to warmup_target, then decays it", "[schedules]") {
    const CosineDecay schedule(
        {.initial_learning_rate = 0.0, .decay_steps = 10, .warmup_target = 0.1, .warmup_steps = 4});
    CHECK(schedule(0) == 0.0);
    CHECK(schedule(1) == rate(0.025));
    CHECK(schedule(2) == rate(0.05));
    CHECK(schedule(3) == rate(0.075));
    CHECK(schedule(4) == rate(0.1));
    CHECK(schedule(7) == rate(0.07938926261462366));  // 0.1 * 0.5 * (1 + cos(0.3 pi))
    CHECK(schedule(11) == rate(0.1 * cosine_factor(7, 10, 0.0)));
    CHECK(schedule(14) == rate(0.0));
    CHECK(schedule(100) == rate(0.0));

    const CosineDecay from_nonzero({.initial_learning_rate = 0.02,
                                    .decay_steps = 10,
                                    .alpha = 0.5,
                                    .warmup_target = 0.1,
                                    .warmup_steps = 4});
    CHECK(from_nonzero(0) == rate(0.02));
    CHECK(from_nonzero(1) == rate(0.04));
    CHECK(from_nonzero(9) == rate(0.1 * cosine_factor(5, 10, 0.5)));
    CHECK(from_nonzero(50) == rate(0.05));

    // A target without warmup steps starts decaying it at once.
    const CosineDecay no_steps(
        {.initial_learning_rate = 0.02, .decay_steps = 10, .warmup_target = 0.1});
    CHECK(no_steps(0) == rate(0.1));
    CHECK(no_steps(5) == rate(0.05));
}

TEST_CASE("PolynomialDecay goes from initial to end over decay_steps", "[schedules]") {
    // Keras's defaults: end_learning_rate 0.0001, power 1.
    const PolynomialDecay linear({.initial_learning_rate = 0.1, .decay_steps = 10});
    CHECK(linear(0) == rate(0.1));
    CHECK(linear(5) == rate(0.05005));
    CHECK(linear(10) == rate(0.0001));
    CHECK(linear(3'000'000'000LL) == rate(0.0001));

    const PolynomialDecay root(
        {.initial_learning_rate = 0.1, .decay_steps = 10, .end_learning_rate = 0.01, .power = 0.5});
    CHECK(root(3) == rate(0.08529940238806681));
    CHECK(root(3) == rate(0.09 * std::sqrt(0.7) + 0.01));
    CHECK(root(10) == rate(0.01));
    CHECK(root(15) == rate(0.01));
}

TEST_CASE("PolynomialDecay with cycle stretches decay_steps to the next multiple", "[schedules]") {
    const PolynomialDecay schedule({.initial_learning_rate = 0.1,
                                    .decay_steps = 10,
                                    .end_learning_rate = 0.01,
                                    .power = 0.5,
                                    .cycle = true});
    CHECK(schedule(0) == rate(0.1));  // multiplier 1 at step 0, not ceil(0) = 0
    CHECK(schedule(3) == rate(0.09 * std::sqrt(0.7) + 0.01));
    CHECK(schedule(10) == rate(0.01));
    CHECK(schedule(11) == rate(0.09 * std::sqrt(1.0 - 11.0 / 20.0) + 0.01));
    CHECK(schedule(15) == rate(0.05500000000000001));  // 0.09 * sqrt(1 - 15/20) + 0.01
    CHECK(schedule(20) == rate(0.01));
    CHECK(schedule(25) == rate(0.04674234614174767));  // decay_steps 30
    CHECK(schedule(3'000'000'001LL) ==
          rate(0.09 * std::sqrt(1.0 - 3'000'000'001.0 / 3'000'000'010.0) + 0.01));
}

TEST_CASE("schedules report Keras's class names", "[schedules]") {
    CHECK(ExponentialDecay({.initial_learning_rate = 1, .decay_steps = 1, .decay_rate = 1})
              .class_name() == "ExponentialDecay");
    CHECK(InverseTimeDecay({.initial_learning_rate = 1, .decay_steps = 1, .decay_rate = 1})
              .class_name() == "InverseTimeDecay");
    CHECK(PiecewiseConstantDecay({.boundaries = {}, .values = {1}}).class_name() ==
          "PiecewiseConstantDecay");
    CHECK(CosineDecay({.initial_learning_rate = 1, .decay_steps = 1}).class_name() ==
          "CosineDecay");
    CHECK(PolynomialDecay({.initial_learning_rate = 1, .decay_steps = 1}).class_name() ==
          "PolynomialDecay");
}

TEST_CASE("LearningRate holds a constant or a schedule", "[schedules]") {
    const LearningRate constant = 0.01;
    CHECK(constant.schedule() == nullptr);
    CHECK(constant.at(0) == 0.01);
    CHECK(constant.at(1'000'000) == 0.01);

    const ExponentialDecay decay(
        {.initial_learning_rate = 0.1, .decay_steps = 3, .decay_rate = 0.96});
    const LearningRate scheduled = decay;
    REQUIRE(scheduled.schedule() != nullptr);
    CHECK(scheduled.schedule()->class_name() == "ExponentialDecay");
    CHECK(scheduled.at(7) == rate(0.09091444190811844));

    const std::shared_ptr<const LearningRateSchedule> shared = std::make_shared<const CosineDecay>(
        CosineDecayOptions{.initial_learning_rate = 0.1, .decay_steps = 10});
    const LearningRate from_pointer = shared;
    CHECK(from_pointer.schedule() == shared);
    CHECK(from_pointer.at(5) == rate(0.05));
    const LearningRate from_derived_pointer = std::make_shared<ExponentialDecay>(decay);
    CHECK(from_derived_pointer.at(7) == rate(0.09091444190811844));
}

TEST_CASE("LearningRate converts implicitly in an options struct", "[schedules]") {
    struct Options {
        LearningRate lr = 0.01;
    };
    CHECK(Options{}.lr.at(0) == 0.01);
    CHECK(Options{.lr = 0.5}.lr.at(3) == 0.5);

    const Options exponential{.lr = ExponentialDecay({.initial_learning_rate = 0.1,
                                                      .decay_steps = 3,
                                                      .decay_rate = 0.96,
                                                      .staircase = true})};
    CHECK(exponential.lr.at(7) == rate(0.09216));
    const Options inverse{.lr = InverseTimeDecay(
                              {.initial_learning_rate = 0.1, .decay_steps = 3, .decay_rate = 0.5})};
    CHECK(inverse.lr.at(3) == rate(0.1 / 1.5));
    const Options piecewise{.lr = PiecewiseConstantDecay({.boundaries = {3}, .values = {1, 0.5}})};
    CHECK(piecewise.lr.at(4) == 0.5);
    const Options cosine{.lr = CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 10})};
    CHECK(cosine.lr.at(10) == rate(0.0));
    const Options polynomial{
        .lr = PolynomialDecay({.initial_learning_rate = 0.1, .decay_steps = 10})};
    CHECK(polynomial.lr.at(5) == rate(0.05005));

    // The schedule is copied: it is a value, like Keras's schedule objects' configs.
    CHECK(dynamic_cast<const PolynomialDecay&>(*polynomial.lr.schedule()).options().decay_steps ==
          10);
}

TEST_CASE("ExponentialDecay and InverseTimeDecay reject bad arguments", "[schedules]") {
    CHECK_THROWS_AS(
        ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 0, .decay_rate = 0.9}),
        ValueError);
    CHECK_THROWS_WITH(
        ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 0, .decay_rate = 0.9}),
        Catch::Contains("ExponentialDecay: decay_steps must be >= 1, got 0"));
    CHECK_THROWS_WITH(
        ExponentialDecay({.initial_learning_rate = -0.1, .decay_steps = 1, .decay_rate = 0.9}),
        Catch::Contains("ExponentialDecay: initial_learning_rate must be a finite number >= 0, "
                        "got -0.1"));
    CHECK_THROWS_WITH(
        ExponentialDecay({.initial_learning_rate = kInfinity, .decay_steps = 1, .decay_rate = 0.9}),
        Catch::Contains("ExponentialDecay: initial_learning_rate must be a finite number >= 0, "
                        "got inf"));
    CHECK_THROWS_WITH(
        ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .decay_rate = -0.9}),
        Catch::Contains("ExponentialDecay: decay_rate must be a finite number >= 0, got -0.9"));
    CHECK_THROWS_WITH(
        ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .decay_rate = kNaN}),
        Catch::Contains("ExponentialDecay: decay_rate must be a finite number >= 0, got nan"));

    CHECK_THROWS_WITH(
        InverseTimeDecay({.initial_learning_rate = 0.1, .decay_steps = -3, .decay_rate = 0.5}),
        Catch::Contains("InverseTimeDecay: decay_steps must be >= 1, got -3"));
    CHECK_THROWS_WITH(
        InverseTimeDecay({.initial_learning_rate = -1, .decay_steps = 1, .decay_rate = 0.5}),
        Catch::Contains("InverseTimeDecay: initial_learning_rate must be a finite number >= 0, "
                        "got -1"));
    CHECK_THROWS_WITH(
        InverseTimeDecay(
            {.initial_learning_rate = 0.1, .decay_steps = 1, .decay_rate = -kInfinity}),
        Catch::Contains("InverseTimeDecay: decay_rate must be a finite number >= 0, got -inf"));
}

TEST_CASE("PiecewiseConstantDecay rejects bad arguments", "[schedules]") {
    CHECK_THROWS_AS(PiecewiseConstantDecay({.boundaries = {3}, .values = {1}}), ValueError);
    CHECK_THROWS_WITH(
        PiecewiseConstantDecay({.boundaries = {3}, .values = {1}}),
        Catch::Contains("PiecewiseConstantDecay: values must have one more entry than boundaries, "
                        "got 1 values and 1 boundaries"));
    CHECK_THROWS_WITH(PiecewiseConstantDecay({.boundaries = {}, .values = {}}),
                      Catch::Contains("got 0 values and 0 boundaries"));
    CHECK_THROWS_WITH(
        PiecewiseConstantDecay({.boundaries = {3, 3}, .values = {1, 0.5, 0.1}}),
        Catch::Contains("PiecewiseConstantDecay: boundaries must increase, got boundaries[1] = 3 "
                        "after 3"));
    CHECK_THROWS_WITH(PiecewiseConstantDecay({.boundaries = {5, 2}, .values = {1, 0.5, 0.1}}),
                      Catch::Contains("boundaries must increase, got boundaries[1] = 2 after 5"));
    CHECK_THROWS_WITH(
        PiecewiseConstantDecay({.boundaries = {kNaN}, .values = {1, 0.5}}),
        Catch::Contains("PiecewiseConstantDecay: boundaries[0] must be finite, got nan"));
    CHECK_THROWS_WITH(
        PiecewiseConstantDecay({.boundaries = {3}, .values = {1, -0.5}}),
        Catch::Contains(
            "PiecewiseConstantDecay: values[1] must be a finite number >= 0, got -0.5"));
}

TEST_CASE("CosineDecay rejects bad arguments", "[schedules]") {
    CHECK_THROWS_AS(CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 0}), ValueError);
    CHECK_THROWS_WITH(CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 0}),
                      Catch::Contains("CosineDecay: decay_steps must be >= 1, got 0"));
    CHECK_THROWS_WITH(
        CosineDecay({.initial_learning_rate = kNaN, .decay_steps = 1}),
        Catch::Contains(
            "CosineDecay: initial_learning_rate must be a finite number >= 0, got nan"));
    CHECK_THROWS_WITH(CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .alpha = 1.5}),
                      Catch::Contains("CosineDecay: alpha must be in [0, 1], got 1.5"));
    CHECK_THROWS_WITH(CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .alpha = -0.1}),
                      Catch::Contains("CosineDecay: alpha must be in [0, 1], got -0.1"));
    CHECK_THROWS_WITH(CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .alpha = kNaN}),
                      Catch::Contains("CosineDecay: alpha must be in [0, 1], got nan"));
    CHECK_THROWS_WITH(
        CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .warmup_target = -1.0}),
        Catch::Contains("CosineDecay: warmup_target must be a finite number >= 0, got -1"));
    CHECK_THROWS_WITH(
        CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .warmup_steps = -2}),
        Catch::Contains("CosineDecay: warmup_steps must be >= 0, got -2"));
}

TEST_CASE("PolynomialDecay rejects bad arguments", "[schedules]") {
    CHECK_THROWS_AS(PolynomialDecay({.initial_learning_rate = 0.1, .decay_steps = 0}), ValueError);
    CHECK_THROWS_WITH(PolynomialDecay({.initial_learning_rate = 0.1, .decay_steps = 0}),
                      Catch::Contains("PolynomialDecay: decay_steps must be >= 1, got 0"));
    CHECK_THROWS_WITH(
        PolynomialDecay({.initial_learning_rate = -0.1, .decay_steps = 1}),
        Catch::Contains("PolynomialDecay: initial_learning_rate must be a finite number >= 0, "
                        "got -0.1"));
    CHECK_THROWS_WITH(
        PolynomialDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .end_learning_rate = -1}),
        Catch::Contains("PolynomialDecay: end_learning_rate must be a finite number >= 0, got -1"));
    CHECK_THROWS_WITH(
        PolynomialDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .power = -2}),
        Catch::Contains("PolynomialDecay: power must be a finite number >= 0, got -2"));
}
