// Adamax with Keras's formula (tf.keras.optimizers.Adamax, docs/optim.md).
#pragma once

#include "minidl/optim/moment_options.hpp"
#include "minidl/optim/optimizer.hpp"
#include "minidl/optim/parameter_list.hpp"

namespace minidl::optim {

/// Adamax takes Keras's Adam arguments without amsgrad (MomentOptions).
using AdamaxOptions = MomentOptions;

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
