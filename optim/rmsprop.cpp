#include "minidl/optim/rmsprop.hpp"

#include <utility>

#include "minidl/optim/update_support.hpp"

namespace minidl::optim {
namespace {

constexpr std::size_t kVelocity = 0;

}  // namespace

RMSprop::RMSprop(RMSpropOptions options) : RMSprop(ParameterList{}, std::move(options)) {}

RMSprop::RMSprop(ParameterList parameters, RMSpropOptions options)
    : Optimizer("RMSprop", options.learning_rate, CommonOptions::of(options)),
      options_(std::move(options)) {
    detail::check_fraction(name(), "rho", options_.rho);
    detail::check_fraction(name(), "momentum", options_.momentum);
    detail::check_non_negative(name(), "epsilon", options_.epsilon);
    std::size_t slots = 0;
    define_slot("velocity");
    if (options_.momentum > 0.0) {
        define_slot("momentum");
        momentum_slot_ = ++slots;
    }
    if (options_.centered) {
        define_slot("average_gradient");
        average_slot_ = ++slots;
    }
    add_parameters(parameters.list());
}

void RMSprop::update(const UpdateView& view, const StepContext& context) const {
    detail::ArrayMap w = detail::weights(view);
    const detail::ConstArrayMap g = detail::gradient(view);
    detail::ArrayMap v = detail::slot(view, kVelocity);
    const float rho = detail::f32(options_.rho);
    const float one_minus_rho = detail::f32(1.0 - options_.rho);
    const float epsilon = detail::f32(options_.epsilon);
    v = v * rho + g.square() * one_minus_rho;
    // The increment lr * g * rsqrt(den) is written into w, or into the momentum slot first.
    auto apply = [&](const auto& increment) {
        if (momentum_slot_) {
            detail::ArrayMap momentum = detail::slot(view, *momentum_slot_);
            momentum = momentum * detail::f32(options_.momentum) + increment;
            w -= momentum;
        } else {
            w -= increment;
        }
    };
    if (average_slot_) {
        detail::ArrayMap average = detail::slot(view, *average_slot_);
        average = average * rho + g * one_minus_rho;
        apply((g * context.learning_rate) * (v - average.square() + epsilon).rsqrt());
    } else {
        apply((g * context.learning_rate) * (v + epsilon).rsqrt());
    }
}

}  // namespace minidl::optim
