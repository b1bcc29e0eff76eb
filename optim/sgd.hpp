// SGD with Keras's momentum and Nesterov forms (tf.keras.optimizers.SGD, docs/optim.md).
#pragma once

#include <optional>

#include "minidl/optim/optimizer.hpp"
#include "minidl/optim/parameter_list.hpp"

namespace minidl::optim {

/// Keras's arguments and defaults, then the four every optimizer takes.
struct SGDOptions {
    LearningRate learning_rate = 0.01;
    double momentum = 0.0;  ///< in [0, 1]
    bool nesterov = false;
    std::optional<double> weight_decay = std::nullopt;
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;
};

/// Without momentum w -= lr * g. With momentum mu > 0 (slot "momentum"): m = mu * m - lr * g,
/// then w += m, or w += mu * m - lr * g with nesterov.
class SGD : public Optimizer {
  public:
    /// Without parameters (add_parameters() or compile() gives them). Throws ValueError naming an
    /// invalid option.
    explicit SGD(SGDOptions options = {});
    SGD(ParameterList parameters, SGDOptions options = {});
    const SGDOptions& options() const { return options_; }

  protected:
    void update(const UpdateView& view, const StepContext& context) const override;

  private:
    SGDOptions options_;
};

}  // namespace minidl::optim
