#include "minidl/core/parameter.hpp"

#include <algorithm>

#include "minidl/core/autograd.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"

namespace minidl {

Parameter::Parameter(std::string name, Tensor value, RegularizerFn regularizer,
                     ConstraintFn constraint, bool trainable)
    : Tensor(std::move(value)),
      rules_(std::make_shared<Rules>(
          Rules{std::move(name), std::move(regularizer), std::move(constraint)})) {
    if (!defined()) throw ValueError("Parameter '" + rules_->name + "': needs a defined tensor");
    if (!is_leaf()) {
        throw AutogradError("Parameter '" + rules_->name +
                            "': the value must be a leaf tensor, not the result of '" +
                            grad_fn_name() + "'");
    }
    requires_grad_(trainable);
}

// An undefined Parameter (a layer's absent bias) has no rules: it reads as nameless and
// rule-free, and refuses to be changed.
const std::string& Parameter::name() const {
    static const std::string nameless;
    return rules_ ? rules_->name : nameless;
}

void Parameter::set_name(std::string name) const {
    if (!rules_) throw ValueError("Parameter::set_name: the parameter is undefined");
    rules_->name = std::move(name);
}

void Parameter::set_trainable(bool trainable) const {
    zero_grad();
    // Tensor::requires_grad_ is non-const on the handle only; the flag lives in the shared impl.
    Tensor handle = *this;
    handle.requires_grad_(trainable);
}

const Parameter::RegularizerFn& Parameter::regularizer() const {
    static const RegularizerFn none;
    return rules_ ? rules_->regularizer : none;
}

const Parameter::ConstraintFn& Parameter::constraint() const {
    static const ConstraintFn none;
    return rules_ ? rules_->constraint : none;
}

Tensor Parameter::penalty() const {
    if (!regularizer()) return Tensor();
    return rules_->regularizer(*this);
}

void Parameter::apply_constraint() const {
    if (!constraint()) return;
    NoGradGuard no_grad;
    assign(rules_->constraint(detach()));
}

void Parameter::assign(const Tensor& values) const {
    if (!values.defined()) {
        throw ValueError("Parameter '" + name() + "': cannot assign an undefined tensor");
    }
    if (!(values.shape() == shape())) {
        throw ShapeError("Parameter '" + name() + "': cannot assign values of shape " +
                         values.shape().to_string() + " to a weight of shape " +
                         shape().to_string());
    }
    std::copy_n(values.data(), numel(), data());
}

Tensor regularization_loss(const std::vector<Parameter>& parameters) {
    NoGradGuard no_grad;
    float total = 0.0f;
    for (const Parameter& parameter : parameters) {
        const Tensor penalty = parameter.penalty();
        if (penalty.defined()) total += penalty.item();
    }
    return scalar(total);
}

}  // namespace minidl
