#include "minidl/optim/adadelta.hpp"

#include <utility>

#include "minidl/optim/update_support.hpp"

namespace minidl::optim {
namespace {

constexpr std::size_t kAccumulatedGrad = 0;
constexpr std::size_t kAccumulatedDelta = 1;

}  // namespace

Adadelta::Adadelta(AdadeltaOptions options) : Adadelta(ParameterList{}, std::move(options)) {}

Adadelta::Adadelta(ParameterList parameters, AdadeltaOptions options)
    : Optimizer("Adadelta", options.learning_rate, CommonOptions::of(options)),
      options_(std::move(options)) {
    detail::check_fraction(name(), "rho", options_.rho);
    detail::check_non_negative(name(), "epsilon", options_.epsilon);
    define_slot("accumulated_grad");
    define_slot("accumulated_delta_var");
    add_parameters(parameters.list());
}

void Adadelta::update(const UpdateView& view, const StepContext& context) const {
    detail::ArrayMap w = detail::weights(view);
    const detail::ConstArrayMap g = detail::gradient(view);
    detail::ArrayMap grad_average = detail::slot(view, kAccumulatedGrad);
    detail::ArrayMap delta_average = detail::slot(view, kAccumulatedDelta);
    const float rho = detail::f32(options_.rho);
    const float one_minus_rho = detail::f32(1.0 - options_.rho);
    const float epsilon = detail::f32(options_.epsilon);
    grad_average = grad_average * rho + g.square() * one_minus_rho;
    // An unevaluated expression (of maps and scalars only), evaluated twice rather than stored:
    // both uses must see the old delta_average, so w is updated first.
    const auto delta = -(delta_average + epsilon).sqrt() * g / (grad_average + epsilon).sqrt();
    w += delta * context.learning_rate;
    delta_average = delta_average * rho + delta.square() * one_minus_rho;
}

}  // namespace minidl::optim
