// Learning-rate schedules: the formulas of tf.keras 2.x's learning_rate_schedule.py, in double.

#include "minidl/optim/schedules.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>

#include "minidl/core/error.hpp"
#include "minidl/optim/update_support.hpp"

namespace minidl::optim {

namespace {

std::string context(const char* schedule, const char* argument) {
    return std::string(schedule) + ": " + argument + " must be ";
}

void check_rate(const char* schedule, const char* argument, double value) {
    detail::check_non_negative(schedule, argument, value);
}

void check_decay_steps(const char* schedule, int64_t decay_steps) {
    if (decay_steps < 1) {
        throw ValueError(context(schedule, "decay_steps") + ">= 1, got " +
                         std::to_string(decay_steps));
    }
}

/// The arguments ExponentialDecay and InverseTimeDecay share.
template <class Options>
void check_decay_options(const char* schedule, const Options& options) {
    check_rate(schedule, "initial_learning_rate", options.initial_learning_rate);
    check_decay_steps(schedule, options.decay_steps);
    check_rate(schedule, "decay_rate", options.decay_rate);
}

/// step / decay_steps, floored for a staircase schedule (Keras's `p`).
double decay_progress(int64_t step, int64_t decay_steps, bool staircase) {
    const double progress = static_cast<double>(step) / static_cast<double>(decay_steps);
    return staircase ? std::floor(progress) : progress;
}

}  // namespace

ExponentialDecay::ExponentialDecay(ExponentialDecayOptions options) : options_(options) {
    check_decay_options("ExponentialDecay", options_);
}

double ExponentialDecay::operator()(int64_t step) const {
    const double p = decay_progress(step, options_.decay_steps, options_.staircase);
    return options_.initial_learning_rate * std::pow(options_.decay_rate, p);
}

InverseTimeDecay::InverseTimeDecay(InverseTimeDecayOptions options) : options_(options) {
    check_decay_options("InverseTimeDecay", options_);
}

double InverseTimeDecay::operator()(int64_t step) const {
    const double p = decay_progress(step, options_.decay_steps, options_.staircase);
    return options_.initial_learning_rate / (1.0 + options_.decay_rate * p);
}

PiecewiseConstantDecay::PiecewiseConstantDecay(PiecewiseConstantDecayOptions options)
    : options_(std::move(options)) {
    const auto& boundaries = options_.boundaries;
    const auto& values = options_.values;
    if (values.size() != boundaries.size() + 1) {
        throw ValueError(
            "PiecewiseConstantDecay: values must have one more entry than boundaries, "
            "got " +
            std::to_string(values.size()) + " values and " + std::to_string(boundaries.size()) +
            " boundaries");
    }
    for (std::size_t i = 0; i < boundaries.size(); ++i) {
        const std::string name = "boundaries[" + std::to_string(i) + "]";
        if (!std::isfinite(boundaries[i])) {
            throw ValueError(context("PiecewiseConstantDecay", name.c_str()) + "finite, got " +
                             format_number(boundaries[i]));
        }
        if (i > 0 && !(boundaries[i] > boundaries[i - 1])) {
            throw ValueError("PiecewiseConstantDecay: boundaries must increase, got " + name +
                             " = " + format_number(boundaries[i]) + " after " +
                             format_number(boundaries[i - 1]));
        }
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        check_rate("PiecewiseConstantDecay", ("values[" + std::to_string(i) + "]").c_str(),
                   values[i]);
    }
}

double PiecewiseConstantDecay::operator()(int64_t step) const {
    const auto& boundaries = options_.boundaries;
    std::size_t interval = 0;
    // The intervals are closed on the right: a step equal to a boundary keeps the earlier value.
    while (interval < boundaries.size() && static_cast<double>(step) > boundaries[interval]) {
        ++interval;
    }
    return options_.values[interval];
}

CosineDecay::CosineDecay(CosineDecayOptions options) : options_(options) {
    check_rate("CosineDecay", "initial_learning_rate", options_.initial_learning_rate);
    check_decay_steps("CosineDecay", options_.decay_steps);
    detail::check_fraction("CosineDecay", "alpha", options_.alpha);
    if (options_.warmup_target) check_rate("CosineDecay", "warmup_target", *options_.warmup_target);
    if (options_.warmup_steps < 0) {
        throw ValueError(context("CosineDecay", "warmup_steps") + ">= 0, got " +
                         std::to_string(options_.warmup_steps));
    }
}

double CosineDecay::operator()(int64_t step) const {
    const double decay_steps = static_cast<double>(options_.decay_steps);
    const double alpha = options_.alpha;
    auto decayed = [&](double decay_step, double from_rate) {
        const double completed_fraction = decay_step / decay_steps;
        const double cosine_decayed = 0.5 * (1.0 + std::cos(std::numbers::pi * completed_fraction));
        return from_rate * ((1.0 - alpha) * cosine_decayed + alpha);
    };
    const double initial = options_.initial_learning_rate;
    // As in Keras, warmup_steps is ignored unless warmup_target is set.
    if (!options_.warmup_target)
        return decayed(std::min(static_cast<double>(step), decay_steps), initial);

    const double target = *options_.warmup_target;
    const double warmup_steps = static_cast<double>(options_.warmup_steps);
    const double clamped_step = std::min(static_cast<double>(step), decay_steps + warmup_steps);
    if (clamped_step < warmup_steps) {
        return (target - initial) * (clamped_step / warmup_steps) + initial;
    }
    return decayed(clamped_step - warmup_steps, target);
}

PolynomialDecay::PolynomialDecay(PolynomialDecayOptions options) : options_(options) {
    check_rate("PolynomialDecay", "initial_learning_rate", options_.initial_learning_rate);
    check_decay_steps("PolynomialDecay", options_.decay_steps);
    check_rate("PolynomialDecay", "end_learning_rate", options_.end_learning_rate);
    check_rate("PolynomialDecay", "power", options_.power);
}

double PolynomialDecay::operator()(int64_t step) const {
    double decay_step = static_cast<double>(step);
    double decay_steps = static_cast<double>(options_.decay_steps);
    if (options_.cycle) {
        // The first multiple of decay_steps at or after the step; Keras uses 1 at step 0.
        const double multiplier = step == 0 ? 1.0 : std::ceil(decay_step / decay_steps);
        decay_steps *= multiplier;
    } else {
        decay_step = std::min(decay_step, decay_steps);
    }
    const double p = decay_step / decay_steps;
    const double end = options_.end_learning_rate;
    return (options_.initial_learning_rate - end) * std::pow(1.0 - p, options_.power) + end;
}

}  // namespace minidl::optim
