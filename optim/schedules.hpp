// Learning-rate schedules with Keras's formulas (tf.keras.optimizers.schedules), and
// LearningRate: what an optimizer's `learning_rate` option holds, a constant or a schedule.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace minidl::optim {

/// A learning rate as a function of the optimizer's step: the number of updates applied before
/// the current one (Keras's `optimizer.iterations`), starting at 0. Schedules hold no state, so
/// the optimizer's iteration count is their whole position.
class LearningRateSchedule {
  public:
    virtual ~LearningRateSchedule() = default;
    /// The rate for the update that follows `step` earlier updates.
    virtual double operator()(int64_t step) const = 0;
    /// Keras's class name, e.g. "ExponentialDecay".
    virtual std::string class_name() const = 0;
};

/// initial_learning_rate * decay_rate ^ (step / decay_steps), the exponent floored when
/// `staircase`. Keras has no defaults for the first three.
struct ExponentialDecayOptions {
    double initial_learning_rate = 0.0;
    int64_t decay_steps = 0;
    double decay_rate = 0.0;
    bool staircase = false;
};
class ExponentialDecay : public LearningRateSchedule {
  public:
    /// Throws ValueError naming the argument for a negative or non-finite rate or decay_steps < 1.
    explicit ExponentialDecay(ExponentialDecayOptions options);
    double operator()(int64_t step) const override;
    std::string class_name() const override { return "ExponentialDecay"; }
    const ExponentialDecayOptions& options() const { return options_; }

  private:
    ExponentialDecayOptions options_;
};

/// initial_learning_rate / (1 + decay_rate * step / decay_steps), the ratio floored when
/// `staircase`.
struct InverseTimeDecayOptions {
    double initial_learning_rate = 0.0;
    int64_t decay_steps = 0;
    double decay_rate = 0.0;
    bool staircase = false;
};
class InverseTimeDecay : public LearningRateSchedule {
  public:
    /// Throws ValueError as ExponentialDecay does.
    explicit InverseTimeDecay(InverseTimeDecayOptions options);
    double operator()(int64_t step) const override;
    std::string class_name() const override { return "InverseTimeDecay"; }
    const InverseTimeDecayOptions& options() const { return options_; }

  private:
    InverseTimeDecayOptions options_;
};

/// values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <=
/// boundaries[i], values.back() after the last boundary.
struct PiecewiseConstantDecayOptions {
    std::vector<double> boundaries;
    std::vector<double> values;
};
class PiecewiseConstantDecay : public LearningRateSchedule {
  public:
    /// Throws ValueError unless values has one more entry than boundaries, the boundaries are
    /// finite and increase, and the values are finite and >= 0.
    explicit PiecewiseConstantDecay(PiecewiseConstantDecayOptions options);
    double operator()(int64_t step) const override;
    std::string class_name() const override { return "PiecewiseConstantDecay"; }
    const PiecewiseConstantDecayOptions& options() const { return options_; }

  private:
    PiecewiseConstantDecayOptions options_;
};

/// Keras 2.13's CosineDecay: target * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) +
/// alpha). Without warmup_target, target = initial_learning_rate, s = min(step, decay_steps) and
/// warmup_steps is ignored (as in Keras). With it, the rate goes linearly from
/// initial_learning_rate to warmup_target during the first warmup_steps, then target =
/// warmup_target and s = min(step - warmup_steps, decay_steps).
struct CosineDecayOptions {
    double initial_learning_rate = 0.0;
    int64_t decay_steps = 0;
    double alpha = 0.0;
    std::optional<double> warmup_target = std::nullopt;
    int64_t warmup_steps = 0;
};
class CosineDecay : public LearningRateSchedule {
  public:
    /// Throws ValueError naming the argument for a negative or non-finite rate, decay_steps < 1,
    /// negative warmup_steps, or alpha outside [0, 1].
    explicit CosineDecay(CosineDecayOptions options);
    double operator()(int64_t step) const override;
    std::string class_name() const override { return "CosineDecay"; }
    const CosineDecayOptions& options() const { return options_; }

  private:
    CosineDecayOptions options_;
};

/// (initial_learning_rate - end_learning_rate) * (1 - s / D) ^ power + end_learning_rate with
/// s = min(step, decay_steps) and D = decay_steps; with `cycle`, s = step and D = decay_steps
/// times ceil(step / decay_steps) (at least 1).
struct PolynomialDecayOptions {
    double initial_learning_rate = 0.0;
    int64_t decay_steps = 0;
    double end_learning_rate = 0.0001;
    double power = 1.0;
    bool cycle = false;
};
class PolynomialDecay : public LearningRateSchedule {
  public:
    /// Throws ValueError naming the argument for decay_steps < 1 or a negative or non-finite
    /// rate or power.
    explicit PolynomialDecay(PolynomialDecayOptions options);
    double operator()(int64_t step) const override;
    std::string class_name() const override { return "PolynomialDecay"; }
    const PolynomialDecayOptions& options() const { return options_; }

  private:
    PolynomialDecayOptions options_;
};

/// An optimizer's learning rate: a constant (from a number) or a schedule (from any
/// LearningRateSchedule, copied into a shared handle), so `.learning_rate = 1e-3` and
/// `.learning_rate = ExponentialDecay({...})` both work.
class LearningRate {
  public:
    LearningRate(double value) : value_(value) {}
    template <std::derived_from<LearningRateSchedule> Schedule>
    LearningRate(Schedule schedule)
        : schedule_(std::make_shared<const Schedule>(std::move(schedule))) {}
    template <class Schedule>
    requires std::derived_from<std::remove_const_t<Schedule>, LearningRateSchedule> LearningRate(
        std::shared_ptr<Schedule> schedule)
        : schedule_(std::move(schedule)) {}

    /// The rate for the update that follows `step` earlier ones.
    double at(int64_t step) const { return schedule_ ? (*schedule_)(step) : value_; }
    /// The schedule, or null for a constant rate.
    const std::shared_ptr<const LearningRateSchedule>& schedule() const { return schedule_; }

  private:
    double value_ = 0.0;
    std::shared_ptr<const LearningRateSchedule> schedule_;
};

}  // namespace minidl::optim
