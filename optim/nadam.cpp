#include "minidl/optim/nadam.hpp"

#include <cmath>
#include <utility>

#include "minidl/optim/update_support.hpp"

namespace minidl::optim {
namespace {

constexpr std::size_t kM = 0;
constexpr std::size_t kV = 1;

// Keras's momentum schedule, in float32 as Keras computes it.
float momentum_at(float beta_1, int64_t t) {
    return beta_1 * (1.0f - 0.5f * std::pow(0.96f, static_cast<float>(t)));
}

}  // namespace

Nadam::Nadam(NadamOptions options) : Nadam(ParameterList{}, std::move(options)) {}

Nadam::Nadam(ParameterList parameters, NadamOptions options)
    : Optimizer("Nadam", options.learning_rate, CommonOptions::of(options)),
      options_(std::move(options)),
      u_product_(define_global("u_product", 1.0f)) {
    detail::check_moment_options(name(), options_);
    define_slot("m");
    define_slot("v");
    add_parameters(parameters.list());
}

void Nadam::prepare_step(const StepContext& context) {
    const float beta_1 = detail::f32(options_.beta_1);
    const float mu = momentum_at(beta_1, context.t);
    const float mu_next = momentum_at(beta_1, context.t + 1);
    float& u_product = global(u_product_);
    u_product *= mu;
    factors_ = {mu_next, 1.0f - u_product * mu_next, 1.0f - mu, 1.0f - u_product,
                1.0f - std::pow(detail::f32(options_.beta_2), static_cast<float>(context.t))};
}

void Nadam::update(const UpdateView& view, const StepContext& context) const {
    detail::ArrayMap w = detail::weights(view);
    const detail::ConstArrayMap g = detail::gradient(view);
    detail::ArrayMap m = detail::slot(view, kM);
    detail::ArrayMap v = detail::slot(view, kV);
    // Unlike Adam, Keras's Nadam casts the betas to float32 before subtracting them from 1.
    m += (g - m) * (1.0f - detail::f32(options_.beta_1));
    v += (g.square() - v) * (1.0f - detail::f32(options_.beta_2));
    const auto m_hat = (m * factors_.mu_next) / factors_.momentum_denominator +
                       (g * factors_.gradient_factor) / factors_.gradient_denominator;
    const auto v_hat = v / factors_.velocity_denominator;
    w -= (m_hat * context.learning_rate) / (v_hat.sqrt() + detail::f32(options_.epsilon));
}

}  // namespace minidl::optim
