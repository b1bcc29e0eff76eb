// Adam (with AMSGrad) and AdamW with Keras's formulas (tf.keras.optimizers.Adam/AdamW,
// docs/optim.md).
#pragma once

#include <optional>
#include <string>

#include "minidl/optim/optimizer.hpp"
#include "minidl/optim/parameter_list.hpp"

namespace minidl::optim {

/// Keras's arguments and defaults, then the four every optimizer takes.
struct AdamOptions {
    LearningRate learning_rate = 0.001;
    double beta_1 = 0.9;    ///< in [0, 1)
    double beta_2 = 0.999;  ///< in [0, 1)
    double epsilon = 1e-7;  ///< >= 0; Kingma and Ba's "epsilon hat"
    bool amsgrad = false;
    std::optional<double> weight_decay = std::nullopt;
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;
};

/// Slots "m", "v" (and "vhat" with amsgrad). With t = iterations() + 1:
/// m += (g - m)(1 - beta_1), v += (g^2 - v)(1 - beta_2), vhat = max(vhat, v) with amsgrad (else
/// vhat = v), w -= alpha * m / (sqrt(vhat) + epsilon) with alpha = lr * sqrt(1 - beta_2^t) / (1 -
/// beta_1^t).
class Adam : public Optimizer {
  public:
    /// Without parameters (add_parameters() or compile() gives them). Throws ValueError naming an
    /// invalid option.
    explicit Adam(AdamOptions options = {});
    Adam(ParameterList parameters, AdamOptions options = {});
    const AdamOptions& options() const { return options_; }

  protected:
    /// For AdamW: the same rule under another Keras class name.
    Adam(std::string name, ParameterList parameters, AdamOptions options);
    void prepare_step(const StepContext& context) override;
    void update(const UpdateView& view, const StepContext& context) const override;

  private:
    AdamOptions options_;
    float alpha_ = 0.0f;  ///< this step's lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
};

/// AdamOptions with Keras's AdamW default weight decay, which AdamW requires.
struct AdamWOptions {
    LearningRate learning_rate = 0.001;
    double beta_1 = 0.9;
    double beta_2 = 0.999;
    double epsilon = 1e-7;
    bool amsgrad = false;
    std::optional<double> weight_decay = 0.004;  ///< required (ValueError when empty)
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;
};

/// Adam with decoupled weight decay: the step's w -= lr * weight_decay * w precedes Adam's rule.
class AdamW : public Adam {
  public:
    explicit AdamW(AdamWOptions options = {});
    AdamW(ParameterList parameters, AdamWOptions options = {});
    const AdamWOptions& options() const { return options_; }

  private:
    AdamWOptions options_;
};

}  // namespace minidl::optim
