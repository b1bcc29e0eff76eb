#include "minidl/optim/sgd.hpp"

#include <utility>

#include "minidl/optim/update_support.hpp"

namespace minidl::optim {

SGD::SGD(SGDOptions options) : SGD(ParameterList{}, std::move(options)) {}

SGD::SGD(ParameterList parameters, SGDOptions options)
    : Optimizer("SGD", options.learning_rate, CommonOptions::of(options)),
      options_(std::move(options)) {
    detail::check_fraction(name(), "momentum", options_.momentum);
    if (options_.momentum > 0.0) define_slot("momentum");
    add_parameters(parameters.list());
}

void SGD::update(const UpdateView& view, const StepContext& context) const {
    detail::ArrayMap w = detail::weights(view);
    const detail::ConstArrayMap g = detail::gradient(view);
    const float lr = context.learning_rate;
    if (view.slots.empty()) {
        w -= g * lr;
        return;
    }
    detail::ArrayMap m = detail::slot(view, 0);
    const float momentum = detail::f32(options_.momentum);
    m = m * momentum - g * lr;
    if (options_.nesterov) {
        w += m * momentum - g * lr;
    } else {
        w += m;
    }
}

}  // namespace minidl::optim
