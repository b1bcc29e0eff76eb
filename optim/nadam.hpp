// Nadam with Keras's formula (tf.keras.optimizers.Nadam, docs/optim.md).
#pragma once

#include <cstddef>
#include <optional>

#include "minidl/optim/optimizer.hpp"
#include "minidl/optim/parameter_list.hpp"

namespace minidl::optim {

/// Keras's arguments and defaults, then the four every optimizer takes.
struct NadamOptions {
    LearningRate learning_rate = 0.001;
    double beta_1 = 0.9;    ///< in [0, 1)
    double beta_2 = 0.999;  ///< in [0, 1)
    double epsilon = 1e-7;  ///< >= 0
    std::optional<double> weight_decay = std::nullopt;
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;
};

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
