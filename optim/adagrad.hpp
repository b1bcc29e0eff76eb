// Adagrad with Keras's formula (tf.keras.optimizers.Adagrad, docs/optim.md).
#pragma once

#include <optional>

#include "minidl/optim/optimizer.hpp"
#include "minidl/optim/parameter_list.hpp"

namespace minidl::optim {

/// Keras's arguments and defaults, then the four every optimizer takes.
struct AdagradOptions {
    LearningRate learning_rate = 0.001;
    double initial_accumulator_value = 0.1;  ///< >= 0
    double epsilon = 1e-7;                   ///< >= 0
    std::optional<double> weight_decay = std::nullopt;
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;
};

/// Slot "accumulator", starting at initial_accumulator_value: A += g^2,
/// w -= lr * g / sqrt(A + epsilon).
class Adagrad : public Optimizer {
  public:
    /// Without parameters (add_parameters() or compile() gives them). Throws ValueError naming an
    /// invalid option.
    explicit Adagrad(AdagradOptions options = {});
    Adagrad(ParameterList parameters, AdagradOptions options = {});
    const AdagradOptions& options() const { return options_; }

  protected:
    void update(const UpdateView& view, const StepContext& context) const override;

  private:
    AdagradOptions options_;
};

}  // namespace minidl::optim
