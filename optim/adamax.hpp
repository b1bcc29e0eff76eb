// Adamax with Keras's formula (tf.keras.optimizers.Adamax, docs/optim.md).
#pragma once

#include <optional>

#include "minidl/optim/optimizer.hpp"
#include "minidl/optim/parameter_list.hpp"

namespace minidl::optim {

/// Keras's arguments and defaults, then the four every optimizer takes.
struct AdamaxOptions {
    LearningRate learning_rate = 0.001;
    double beta_1 = 0.9;    ///< in [0, 1)
    double beta_2 = 0.999;  ///< in [0, 1)
    double epsilon = 1e-7;  ///< >= 0
    std::optional<double> weight_decay = std::nullopt;
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;
};

/// Slots "m" and "u". With t = iterations() + 1: m += (g - m)(1 - beta_1),
/// u = max(beta_2 * u, |g|), w -= lr * m / ((1 - beta_1^t)(u + epsilon)).
class Adamax : public Optimizer {
  public:
    /// Without parameters (add_parameters() or compile() gives them). Throws ValueError naming an
    /// invalid option.
    explicit Adamax(AdamaxOptions options = {});
    Adamax(ParameterList parameters, AdamaxOptions options = {});
    const AdamaxOptions& options() const { return options_; }

  protected:
    void prepare_step(const StepContext& context) override;
    void update(const UpdateView& view, const StepContext& context) const override;

  private:
    AdamaxOptions options_;
    float bias_correction_ = 1.0f;  ///< this step's 1 - beta_1^t
};

}  // namespace minidl::optim
