// Parameter: a weight tensor with a name and the rules an optimizer applies to it (a regularizer
// whose gradient the step adds, and a constraint it applies to the new value). The rules are
// plain callables, so optim/ needs nothing from layers/.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "minidl/core/tensor.hpp"

namespace minidl {

/// A Tensor that is a model weight. Copies are handles: a layer, an optimizer and a user all see
/// the same values, name and rules. `trainable()` is the tensor's requires_grad flag.
class Parameter : public Tensor {
  public:
    /// The penalty of a weight value as a scalar tensor, differentiable in the value.
    using RegularizerFn = std::function<Tensor(const Tensor&)>;
    /// The projected value of a weight (e.g. its norm clipped); not differentiated.
    using ConstraintFn = std::function<Tensor(const Tensor&)>;

    /// An undefined parameter.
    Parameter() = default;
    /// Takes `value` (a leaf, not copied) as the parameter's tensor.
    Parameter(std::string name, Tensor value, RegularizerFn regularizer = {},
              ConstraintFn constraint = {}, bool trainable = true);

    /// The full name, e.g. "separable_conv1d/depthwise_kernel".
    const std::string& name() const;
    void set_name(std::string name) const;

    bool trainable() const { return requires_grad(); }
    /// Freezes or unfreezes the weight (an optimizer skips frozen ones); drops its gradient.
    void set_trainable(bool trainable) const;

    const RegularizerFn& regularizer() const;
    const ConstraintFn& constraint() const;
    /// The regularizer's penalty on the current value, or an undefined Tensor without one.
    Tensor penalty() const;
    /// Replaces the value by constraint(value) when there is a constraint (no graph recorded).
    void apply_constraint() const;

    /// Overwrites the values in place with `values` (same shape, else ShapeError naming the
    /// parameter); the tensor identity, gradient flag and rules are kept.
    void assign(const Tensor& values) const;

  private:
    struct Rules {
        std::string name;
        RegularizerFn regularizer;
        ConstraintFn constraint;
    };
    std::shared_ptr<Rules> rules_;
};

/// The sum of the regularizers' penalties on `parameters` (frozen ones included, as tf.keras 2.x
/// counts them) as a scalar computed without a graph: what a training loop adds to the loss it
/// reports, while Optimizer::step() applies the penalties' gradient (docs/optim.md). 0 when no
/// parameter has a regularizer.
Tensor regularization_loss(const std::vector<Parameter>& parameters);

}  // namespace minidl
