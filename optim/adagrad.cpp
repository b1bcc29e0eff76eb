#include "minidl/optim/adagrad.hpp"

#include <utility>

#include "minidl/optim/update_support.hpp"

namespace minidl::optim {

Adagrad::Adagrad(AdagradOptions options) : Adagrad(ParameterList{}, std::move(options)) {}

Adagrad::Adagrad(ParameterList parameters, AdagradOptions options)
    : Optimizer("Adagrad", options.learning_rate, CommonOptions::of(options)),
      options_(std::move(options)) {
    detail::check_non_negative(name(), "initial_accumulator_value",
                               options_.initial_accumulator_value);
    detail::check_non_negative(name(), "epsilon", options_.epsilon);
    define_slot("accumulator", detail::f32(options_.initial_accumulator_value));
    add_parameters(parameters.list());
}

void Adagrad::update(const UpdateView& view, const StepContext& context) const {
    detail::ArrayMap w = detail::weights(view);
    const detail::ConstArrayMap g = detail::gradient(view);
    detail::ArrayMap accumulator = detail::slot(view, 0);
    accumulator += g.square();
    w -= (g * context.learning_rate) / (accumulator + detail::f32(options_.epsilon)).sqrt();
}

}  // namespace minidl::optim
