#include "minidl/optim/adam.hpp"

#include <cmath>
#include <utility>

#include "minidl/core/error.hpp"
#include "minidl/optim/update_support.hpp"

namespace minidl::optim {
namespace {

constexpr std::size_t kM = 0;
constexpr std::size_t kV = 1;
constexpr std::size_t kVHat = 2;

AdamOptions as_adam_options(const AdamWOptions& options) {
    if (!options.weight_decay) {
        throw ValueError("AdamW: weight_decay is required (a number >= 0), got none");
    }
    return {options.learning_rate, options.beta_1,    options.beta_2,
            options.epsilon,       options.amsgrad,   options.weight_decay,
            options.clipnorm,      options.clipvalue, options.global_clipnorm};
}

}  // namespace

Adam::Adam(AdamOptions options) : Adam("Adam", ParameterList{}, std::move(options)) {}

Adam::Adam(ParameterList parameters, AdamOptions options)
    : Adam("Adam", std::move(parameters), std::move(options)) {}

Adam::Adam(std::string name, ParameterList parameters, AdamOptions options)
    : Optimizer(std::move(name), options.learning_rate, CommonOptions::of(options)),
      options_(std::move(options)) {
    detail::check_moment_options(this->name(), options_);
    define_slot("m");
    define_slot("v");
    if (options_.amsgrad) define_slot("vhat");
    add_parameters(parameters.list());
}

// float32 throughout, as Keras computes the powers on float32 tensors.
void Adam::prepare_step(const StepContext& context) {
    const float t = static_cast<float>(context.t);
    const float beta_1_power = std::pow(detail::f32(options_.beta_1), t);
    const float beta_2_power = std::pow(detail::f32(options_.beta_2), t);
    alpha_ = context.learning_rate * std::sqrt(1.0f - beta_2_power) / (1.0f - beta_1_power);
}

void Adam::update(const UpdateView& view, const StepContext& context) const {
    (void)context;
    detail::ArrayMap w = detail::weights(view);
    const detail::ConstArrayMap g = detail::gradient(view);
    detail::ArrayMap m = detail::slot(view, kM);
    detail::ArrayMap v = detail::slot(view, kV);
    const float epsilon = detail::f32(options_.epsilon);
    m += (g - m) * detail::f32(1.0 - options_.beta_1);
    v += (g.square() - v) * detail::f32(1.0 - options_.beta_2);
    if (options_.amsgrad) {
        detail::ArrayMap v_hat = detail::slot(view, kVHat);
        v_hat = v_hat.max(v);
        w -= (m * alpha_) / (v_hat.sqrt() + epsilon);
    } else {
        w -= (m * alpha_) / (v.sqrt() + epsilon);
    }
}

AdamW::AdamW(AdamWOptions options) : AdamW(ParameterList{}, std::move(options)) {}

AdamW::AdamW(ParameterList parameters, AdamWOptions options)
    : Adam("AdamW", std::move(parameters), as_adam_options(options)),
      options_(std::move(options)) {}

}  // namespace minidl::optim
