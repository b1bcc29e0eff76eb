// Nadam with Keras's formula (tf.keras.optimizers.Nadam, docs/optim.md).
#pragma once

#include <cstddef>

#include "minidl/optim/moment_options.hpp"
#include "minidl/optim/optimizer.hpp"
#include "minidl/optim/parameter_list.hpp"

namespace minidl::optim {

/// Nadam takes Keras's Adamax arguments (MomentOptions).
using NadamOptions = MomentOptions;

/// Slots "m", "v" and the optimizer-wide "u_product" (starting at 1). With t = iterations() + 1,
/// mu_t = beta_1 (1 - 0.5 * 0.96^t) and mu_{t+1} likewise, u_product *= mu_t once per step, then
/// m and v as in Adam, mhat = mu_{t+1} m / (1 - u_product * mu_{t+1}) + (1 - mu_t) g / (1 -
/// u_product), vhat = v / (1 - beta_2^t), w -= lr * mhat / (sqrt(vhat) + epsilon).
class Nadam : public Optimizer {
  public:
    /// Without parameters (add_parameters() or compile() gives them). Throws ValueError naming an
    /// invalid option.
    explicit Nadam(NadamOptions options = {});
    Nadam(ParameterList parameters, NadamOptions options = {});
    const NadamOptions& options() const { return options_; }

  protected:
    void prepare_step(const StepContext& context) override;
    void update(const UpdateView& view, const StepContext& context) const override;

  private:
    /// The per-step factors of mhat and vhat.
    struct StepFactors {
        float mu_next = 0.0f;               ///< mu_{t+1}
        float momentum_denominator = 1.0f;  ///< 1 - u_product * mu_{t+1}
        float gradient_factor = 0.0f;       ///< 1 - mu_t
        float gradient_denominator = 1.0f;  ///< 1 - u_product
        float velocity_denominator = 1.0f;  ///< 1 - beta_2^t
    };

    NadamOptions options_;
    std::size_t u_product_;
    StepFactors factors_;
};

}  // namespace minidl::optim
