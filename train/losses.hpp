// Losses with tf.keras 2.x's formulas and reductions (KERAS_SEMANTICS.md §10; docs/losses.md).
// A loss function maps (y_true, y_pred) to one value per sample, reducing y's last axis (or the
// `axis` option); a Loss object then applies sample weights and its reduction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "minidl/core/tensor.hpp"

namespace minidl::losses {

/// Keras's reduction names: "sum_over_batch_size" (default), "sum", "none".
enum class Reduction { SumOverBatchSize, Sum, None };

/// Keras's backend epsilon, used by the clipping of probabilities.
inline constexpr float kEpsilon = 1e-7f;

/// Base of every loss. operator() weights and reduces; call() gives the per-sample values.
class Loss {
  public:
    virtual ~Loss() = default;

    /// The weighted, reduced loss, differentiable in y_pred: a scalar, or for Reduction::None
    /// the weighted per-sample values. `sample_weight` (undefined = none) is a scalar, of the
    /// per-sample shape, of its first axes ([N] for [N, L] sequence losses), or either with a
    /// trailing 1. SumOverBatchSize divides the weighted sum by the number of per-sample values,
    /// not by the sum of the weights, as Keras does. Throws ValueError for an empty y_pred and
    /// ShapeError naming both shapes for a sample_weight that does not fit.
    Tensor operator()(const Tensor& y_true, const Tensor& y_pred,
                      const Tensor& sample_weight = Tensor()) const;
    /// Per-sample values: shape y_pred.shape without the reduced axis.
    virtual Tensor call(const Tensor& y_true, const Tensor& y_pred) const = 0;

    /// The instance's name; Keras's default is e.g. "mean_squared_error".
    const std::string& name() const { return name_; }
    Reduction reduction() const { return reduction_; }
    /// Keras's class name, e.g. "MeanSquaredError".
    virtual std::string class_name() const = 0;
    virtual std::unique_ptr<Loss> clone() const = 0;

  protected:
    Loss(Reduction reduction, std::string name) : reduction_(reduction), name_(std::move(name)) {}

  private:
    Reduction reduction_;
    std::string name_;
};

namespace detail {
/// What every concrete loss shares: its options (reduction and name among them) and clone().
template <class Derived, class Options>
class LossWithOptions : public Loss {
  public:
    const Options& options() const { return options_; }
    std::unique_ptr<Loss> clone() const override {
        return std::make_unique<Derived>(static_cast<const Derived&>(*this));
    }

  protected:
    explicit LossWithOptions(Options options)
        : Loss(options.reduction, options.name), options_(std::move(options)) {}

  private:
    Options options_;
};
}  // namespace detail

/// mean((y_pred - y_true)^2) over the last axis.
struct MeanSquaredErrorOptions {
    Reduction reduction = Reduction::SumOverBatchSize;
    std::string name = "mean_squared_error";
};
class MeanSquaredError final
    : public detail::LossWithOptions<MeanSquaredError, MeanSquaredErrorOptions> {
  public:
    explicit MeanSquaredError(MeanSquaredErrorOptions options = {});
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    std::string class_name() const override { return "MeanSquaredError"; }
};

/// mean(|y_pred - y_true|) over the last axis.
struct MeanAbsoluteErrorOptions {
    Reduction reduction = Reduction::SumOverBatchSize;
    std::string name = "mean_absolute_error";
};
class MeanAbsoluteError final
    : public detail::LossWithOptions<MeanAbsoluteError, MeanAbsoluteErrorOptions> {
  public:
    explicit MeanAbsoluteError(MeanAbsoluteErrorOptions options = {});
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    std::string class_name() const override { return "MeanAbsoluteError"; }
};

/// 100 * mean(|(y_true - y_pred) / max(|y_true|, epsilon)|) over the last axis.
struct MeanAbsolutePercentageErrorOptions {
    Reduction reduction = Reduction::SumOverBatchSize;
    std::string name = "mean_absolute_percentage_error";
};
class MeanAbsolutePercentageError final
    : public detail::LossWithOptions<MeanAbsolutePercentageError,
                                     MeanAbsolutePercentageErrorOptions> {
  public:
    explicit MeanAbsolutePercentageError(MeanAbsolutePercentageErrorOptions options = {});
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    std::string class_name() const override { return "MeanAbsolutePercentageError"; }
};

/// With e = y_pred - y_true: mean(0.5 e^2 if |e| <= delta, else delta |e| - 0.5 delta^2) over
/// the last axis.
struct HuberOptions {
    double delta = 1.0;
    Reduction reduction = Reduction::SumOverBatchSize;
    std::string name = "huber_loss";
};
class Huber final : public detail::LossWithOptions<Huber, HuberOptions> {
  public:
    /// Throws ValueError when delta is not a positive finite number.
    explicit Huber(HuberOptions options = {});
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    std::string class_name() const override { return "Huber"; }
};

/// mean(log(cosh(y_pred - y_true))) over the last axis, computed without overflow.
struct LogCoshOptions {
    Reduction reduction = Reduction::SumOverBatchSize;
    std::string name = "log_cosh";
};
class LogCosh final : public detail::LossWithOptions<LogCosh, LogCoshOptions> {
  public:
    explicit LogCosh(LogCoshOptions options = {});
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    std::string class_name() const override { return "LogCosh"; }
};

/// Elementwise binary crossentropy, averaged over `axis`. Targets are smoothed to
/// y (1 - label_smoothing) + 0.5 label_smoothing.
struct BinaryCrossentropyOptions {
    bool from_logits = false;
    double label_smoothing = 0.0;
    int64_t axis = -1;
    Reduction reduction = Reduction::SumOverBatchSize;
    std::string name = "binary_crossentropy";
};
class BinaryCrossentropy final
    : public detail::LossWithOptions<BinaryCrossentropy, BinaryCrossentropyOptions> {
  public:
    /// Throws ValueError when label_smoothing is outside [0, 1].
    explicit BinaryCrossentropy(BinaryCrossentropyOptions options = {});
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    std::string class_name() const override { return "BinaryCrossentropy"; }
};

/// -sum(y_true log p) over `axis` (the class axis), y_true one-hot or a distribution. Targets are
/// smoothed to y (1 - label_smoothing) + label_smoothing / K for K classes.
struct CategoricalCrossentropyOptions {
    bool from_logits = false;
    double label_smoothing = 0.0;
    int64_t axis = -1;
    Reduction reduction = Reduction::SumOverBatchSize;
    std::string name = "categorical_crossentropy";
};
class CategoricalCrossentropy final
    : public detail::LossWithOptions<CategoricalCrossentropy, CategoricalCrossentropyOptions> {
  public:
    /// Throws ValueError when label_smoothing is outside [0, 1].
    explicit CategoricalCrossentropy(CategoricalCrossentropyOptions options = {});
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    std::string class_name() const override { return "CategoricalCrossentropy"; }
};

/// -log p[y_true] over the last (class) axis, y_true holding integer class indices (as floats).
struct SparseCategoricalCrossentropyOptions {
    bool from_logits = false;
    Reduction reduction = Reduction::SumOverBatchSize;
    std::string name = "sparse_categorical_crossentropy";
};
class SparseCategoricalCrossentropy final
    : public detail::LossWithOptions<SparseCategoricalCrossentropy,
                                     SparseCategoricalCrossentropyOptions> {
  public:
    explicit SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options = {});
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
};

/// sum(y_true log(y_true / y_pred)) over the last axis, both clipped to [epsilon, 1].
struct KLDivergenceOptions {
    Reduction reduction = Reduction::SumOverBatchSize;
    std::string name = "kl_divergence";
};
class KLDivergence final : public detail::LossWithOptions<KLDivergence, KLDivergenceOptions> {
  public:
    explicit KLDivergence(KLDivergenceOptions options = {});
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    std::string class_name() const override { return "KLDivergence"; }
};

/// Creates a loss with default options from a Keras name, alias or class name, in any letter
/// case: "mse"/"mean_squared_error", "mae"/"mean_absolute_error",
/// "mape"/"mean_absolute_percentage_error", "huber"/"huber_loss", "log_cosh"/"logcosh",
/// "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
/// "kld"/"kl_divergence"/"kullback_leibler_divergence", "MeanSquaredError", ...
/// Throws ValueError naming an unknown name.
std::unique_ptr<Loss> get(const std::string& name);

// ---- the loss functions (tf.keras.losses.*): per-sample values, the reduced axis removed ----
// y_true must have y_pred's shape, or differ from it by a trailing axis of size 1 (then it is
// reshaped to y_pred's shape, as Keras squeezes it); otherwise ShapeError naming the function and
// both shapes. y_pred needs at least one axis. All are differentiable in y_pred (and y_true).

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);
Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred);
Tensor mean_absolute_percentage_error(const Tensor& y_true, const Tensor& y_pred);
/// Throws ValueError when delta is not a positive finite number.
Tensor huber(const Tensor& y_true, const Tensor& y_pred, double delta = 1.0);
Tensor log_cosh(const Tensor& y_true, const Tensor& y_pred);
/// From logits: softplus(z) - z y (= max(z, 0) - z y + log(1 + e^-|z|)). From probabilities:
/// p clipped to [eps, 1 - eps], then -(y log(p + eps) + (1 - y) log(1 - p + eps)). Then the mean
/// over `axis`. Throws ValueError when label_smoothing is outside [0, 1].
Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                           double label_smoothing = 0.0, int64_t axis = -1);
/// From logits: -sum(y log_softmax(z)). From probabilities: p / sum(p), clipped to
/// [eps, 1 - eps], then -sum(y log p). Sums over `axis`. Throws ValueError when label_smoothing is
/// outside [0, 1].
Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                                bool from_logits = false, double label_smoothing = 0.0,
                                int64_t axis = -1);
/// y_true holds class indices with y_pred's shape minus `axis` (or that plus a trailing 1). From
/// logits: -log_softmax(z)[y]. From probabilities: p clipped to [eps, 1 - eps], then
/// -log(p[y] / sum p). Throws ValueError naming a label that is not an integer in [0, C).
Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                                       bool from_logits = false, int64_t axis = -1);
Tensor kl_divergence(const Tensor& y_true, const Tensor& y_pred);

}  // namespace minidl::losses
