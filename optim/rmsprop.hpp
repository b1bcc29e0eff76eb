// RMSprop with Keras's momentum and centered forms (tf.keras.optimizers.RMSprop, docs/optim.md).
#pragma once

#include <cstddef>
#include <optional>

#include "minidl/optim/optimizer.hpp"
#include "minidl/optim/parameter_list.hpp"

namespace minidl::optim {

/// Keras's arguments and defaults, then the four every optimizer takes.
struct RMSpropOptions {
    LearningRate learning_rate = 0.001;
    double rho = 0.9;       ///< in [0, 1]
    double momentum = 0.0;  ///< in [0, 1]
    double epsilon = 1e-7;  ///< >= 0
    bool centered = false;
    std::optional<double> weight_decay = std::nullopt;
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;
};

/// Slots "velocity", "momentum" (momentum > 0) and "average_gradient" (centered):
/// v = rho * v + (1 - rho) g^2; den = v + epsilon, or with centered a = rho * a + (1 - rho) g and
/// den = v - a^2 + epsilon; inc = lr * g / sqrt(den); w -= inc, or with momentum mu
/// mom = mu * mom + inc and w -= mom.
class RMSprop : public Optimizer {
  public:
    /// Without parameters (add_parameters() or compile() gives them). Throws ValueError naming an
    /// invalid option.
    explicit RMSprop(RMSpropOptions options = {});
    RMSprop(ParameterList parameters, RMSpropOptions options = {});
    const RMSpropOptions& options() const { return options_; }

  protected:
    void update(const UpdateView& view, const StepContext& context) const override;

  private:
    RMSpropOptions options_;
    std::optional<std::size_t> momentum_slot_;
    std::optional<std::size_t> average_slot_;
};

}  // namespace minidl::optim
