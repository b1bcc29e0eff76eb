// Adadelta with Keras's formula (tf.keras.optimizers.Adadelta, docs/optim.md).
#pragma once

#include <optional>

#include "minidl/optim/optimizer.hpp"
#include "minidl/optim/parameter_list.hpp"

namespace minidl::optim {

/// Keras's arguments and defaults, then the four every optimizer takes.
struct AdadeltaOptions {
    LearningRate learning_rate = 0.001;
    double rho = 0.95;      ///< in [0, 1]
    double epsilon = 1e-7;  ///< >= 0
    std::optional<double> weight_decay = std::nullopt;
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;
};

/// Slots "accumulated_grad" (Eg) and "accumulated_delta_var" (Ed): Eg = rho * Eg + (1 - rho) g^2,
/// delta = -sqrt(Ed + epsilon) / sqrt(Eg + epsilon) * g, Ed = rho * Ed + (1 - rho) delta^2,
/// w += lr * delta.
class Adadelta : public Optimizer {
  public:
    /// Without parameters (add_parameters() or compile() gives them). Throws ValueError naming an
    /// invalid option.
    explicit Adadelta(AdadeltaOptions options = {});
    Adadelta(ParameterList parameters, AdadeltaOptions options = {});
    const AdadeltaOptions& options() const { return options_; }

  protected:
    void update(const UpdateView& view, const StepContext& context) const override;

  private:
    AdadeltaOptions options_;
};

}  // namespace minidl::optim
