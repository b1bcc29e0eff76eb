#include "minidl/optim/adamax.hpp"

#include <cmath>
#include <utility>

#include "minidl/optim/update_support.hpp"

namespace minidl::optim {
namespace {

constexpr std::size_t kM = 0;
constexpr std::size_t kU = 1;

}  // namespace

Adamax::Adamax(AdamaxOptions options) : Adamax(ParameterList{}, std::move(options)) {}

Adamax::Adamax(ParameterList parameters, AdamaxOptions options)
    : Optimizer("Adamax", options.learning_rate, CommonOptions::of(options)),
      options_(std::move(options)) {
    detail::check_moment_options(name(), options_);
    define_slot("m");
    define_slot("u");
    add_parameters(parameters.list());
}

// float32, as Keras computes the power on a float32 tensor.
void Adamax::prepare_step(const StepContext& context) {
    bias_correction_ = 1.0f - std::pow(detail::f32(options_.beta_1), static_cast<float>(context.t));
}

void Adamax::update(const UpdateView& view, const StepContext& context) const {
    detail::ArrayMap w = detail::weights(view);
    const detail::ConstArrayMap g = detail::gradient(view);
    detail::ArrayMap m = detail::slot(view, kM);
    detail::ArrayMap u = detail::slot(view, kU);
    m += (g - m) * detail::f32(1.0 - options_.beta_1);
    u = (u * detail::f32(options_.beta_2)).max(g.abs());
    w -= (m * context.learning_rate) / ((u + detail::f32(options_.epsilon)) * bias_correction_);
}

}  // namespace minidl::optim
