// Metrics with tf.keras 2.x's formulas (keras/metrics/*.py, keras/utils/metrics_utils.py;
// docs/metrics.md). A metric is stateful: update_state() accumulates a batch, result() gives the
// value over every batch since the last reset_state(). Metrics record no autograd graph and
// accumulate in double.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minidl/core/tensor.hpp"

namespace minidl::metrics {

/// Base of every metric: a running result over the batches seen since the last reset.
class Metric {
  public:
    virtual ~Metric() = default;

    /// The value over the batches seen so far; 0 before any update (Keras's div_no_nan).
    virtual double result() const = 0;
    /// Forgets every batch seen.
    virtual void reset_state() = 0;
    /// The instance's name; Keras's default is e.g. "sparse_categorical_accuracy".
    const std::string& name() const { return name_; }
    /// Keras's class name, e.g. "SparseCategoricalAccuracy".
    virtual std::string class_name() const = 0;
    /// A metric of the same configuration and name, with a fresh state.
    virtual std::unique_ptr<Metric> clone() const = 0;

  protected:
    explicit Metric(std::string name) : name_(std::move(name)) {}

  private:
    std::string name_;
};

/// Weighted mean of values (Keras's Mean; the training loop uses it for the loss):
/// sum(w * v) / sum(w) over every value seen, w broadcast to the values' shape.
class Mean final : public Metric {
  public:
    explicit Mean(std::string name = "mean");

    /// Adds `values` (any shape, e.g. a scalar loss) with weights w. `sample_weight` (undefined
    /// = all 1) is a scalar or has the values' leading axes, possibly with a trailing 1 (so [N]
    /// and [N, 1] weigh each sample of [N, ...] values); it is broadcast to the values' shape and
    /// its broadcast sum is the count. Throws ValueError for empty values and ShapeError naming
    /// both shapes for weights that do not fit.
    void update_state(const Tensor& values, const Tensor& sample_weight = Tensor());
    double result() const override;
    void reset_state() override;
    /// sum(w * v) and sum(w) so far.
    double total() const { return total_; }
    double count() const { return count_; }
    std::string class_name() const override { return "Mean"; }
    std::unique_ptr<Metric> clone() const override;

  private:
    double total_ = 0.0;
    double count_ = 0.0;
};

/// A metric of predictions against targets.
class PredictionMetric : public Metric {
  public:
    /// Accumulates one batch. Every metric needs y_pred with at least one axis (the batch) and one
    /// element (else ValueError "empty batch"), and y_true of y_pred's shape or, where the metric
    /// says so, of its shape without the class axis; a trailing axis of size 1 on either side is
    /// ignored, as Keras squeezes it. Otherwise ShapeError naming the metric and both shapes.
    /// `sample_weight` (undefined = all 1) follows Mean::update_state against the metric's
    /// per-sample values (the confusion-matrix metrics: against y_pred).
    virtual void update_state(const Tensor& y_true, const Tensor& y_pred,
                              const Tensor& sample_weight = Tensor()) = 0;

  protected:
    using Metric::Metric;
};

/// Keras's MeanMetricWrapper: the weighted Mean of per-sample values computed from each batch.
/// Derive from it and implement values() to write a metric of your own.
class MeanMetricWrapper : public PredictionMetric {
  public:
    void update_state(const Tensor& y_true, const Tensor& y_pred,
                      const Tensor& sample_weight = Tensor()) override;
    double result() const override { return mean_.result(); }
    void reset_state() override { mean_.reset_state(); }

  protected:
    explicit MeanMetricWrapper(std::string name);
    /// The per-sample values of one batch (y_pred already checked non-empty with a batch axis).
    virtual Tensor values(const Tensor& y_true, const Tensor& y_pred) const = 0;

  private:
    Mean mean_;
};

namespace detail {
/// What every configurable metric shares: its options (name among them) and clone().
template <class Derived, class Base, class Options>
class MetricWithOptions : public Base {
  public:
    const Options& options() const { return options_; }
    std::unique_ptr<Metric> clone() const override { return std::make_unique<Derived>(options_); }

  protected:
    explicit MetricWithOptions(Options options)
        : Base(options.name), options_(std::move(options)) {}

  private:
    Options options_;
};
}  // namespace detail

// ---- accuracies (train/metrics_accuracy.cpp) ----

/// The fraction of elements with y_pred == y_true (exact equality, no reduction over any axis).
struct AccuracyOptions {
    std::string name = "accuracy";
};
class Accuracy final
    : public detail::MetricWithOptions<Accuracy, MeanMetricWrapper, AccuracyOptions> {
  public:
    explicit Accuracy(AccuracyOptions options = {});
    std::string class_name() const override { return "Accuracy"; }

  protected:
    Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// Per sample: mean over the last axis of (y_true == (y_pred > threshold)); a rank-1 y_pred is
/// one value per sample.
struct BinaryAccuracyOptions {
    double threshold = 0.5;
    std::string name = "binary_accuracy";
};
class BinaryAccuracy final
    : public detail::MetricWithOptions<BinaryAccuracy, MeanMetricWrapper, BinaryAccuracyOptions> {
  public:
    /// Throws ValueError when threshold is outside [0, 1].
    explicit BinaryAccuracy(BinaryAccuracyOptions options = {});
    std::string class_name() const override { return "BinaryAccuracy"; }

  protected:
    Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// Per sample: argmax(y_true) == argmax(y_pred) over the last (class) axis, the first maximum on
/// ties. y_true is one-hot (or a distribution) of y_pred's shape; y_pred needs rank >= 2.
struct CategoricalAccuracyOptions {
    std::string name = "categorical_accuracy";
};
class CategoricalAccuracy final
    : public detail::MetricWithOptions<CategoricalAccuracy, MeanMetricWrapper,
                                       CategoricalAccuracyOptions> {
  public:
    explicit CategoricalAccuracy(CategoricalAccuracyOptions options = {});
    std::string class_name() const override { return "CategoricalAccuracy"; }

  protected:
    Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// Per sample: y_true == argmax(y_pred) over the last axis (first maximum on ties). y_true holds
/// class indices (as floats) of y_pred's shape without the class axis, or that plus a trailing
/// 1 ([N] or [N, 1] for y_pred [N, C]). A label that is not an integer in [0, C) is a ValueError.
struct SparseCategoricalAccuracyOptions {
    std::string name = "sparse_categorical_accuracy";
};
class SparseCategoricalAccuracy final
    : public detail::MetricWithOptions<SparseCategoricalAccuracy, MeanMetricWrapper,
                                       SparseCategoricalAccuracyOptions> {
  public:
    explicit SparseCategoricalAccuracy(SparseCategoricalAccuracyOptions options = {});
    std::string class_name() const override { return "SparseCategoricalAccuracy"; }

  protected:
    Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// Per sample: whether the target class argmax(y_true) is in the top k of y_pred, with
/// tf.math.in_top_k's ties: it is iff fewer than k classes score strictly higher (and the row is
/// finite). y_true is one-hot of y_pred's shape; y_pred needs rank >= 2.
struct TopKCategoricalAccuracyOptions {
    int64_t k = 5;
    std::string name = "top_k_categorical_accuracy";
};
class TopKCategoricalAccuracy final
    : public detail::MetricWithOptions<TopKCategoricalAccuracy, MeanMetricWrapper,
                                       TopKCategoricalAccuracyOptions> {
  public:
    /// Throws ValueError when k < 1.
    explicit TopKCategoricalAccuracy(TopKCategoricalAccuracyOptions options = {});
    std::string class_name() const override { return "TopKCategoricalAccuracy"; }

  protected:
    Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
};

// ---- regression metrics (train/metrics_regression.cpp) ----

/// Per sample: mean((y_pred - y_true)^2) over the last axis (a rank-1 y_pred is one value per
/// sample); then their weighted mean.
struct MeanSquaredErrorOptions {
    std::string name = "mean_squared_error";
};
class MeanSquaredError final : public detail::MetricWithOptions<MeanSquaredError, MeanMetricWrapper,
                                                                MeanSquaredErrorOptions> {
  public:
    explicit MeanSquaredError(MeanSquaredErrorOptions options = {});
    std::string class_name() const override { return "MeanSquaredError"; }

  protected:
    Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// Per sample: mean(|y_pred - y_true|) over the last axis; then their weighted mean.
struct MeanAbsoluteErrorOptions {
    std::string name = "mean_absolute_error";
};
class MeanAbsoluteError final
    : public detail::MetricWithOptions<MeanAbsoluteError, MeanMetricWrapper,
                                       MeanAbsoluteErrorOptions> {
  public:
    explicit MeanAbsoluteError(MeanAbsoluteErrorOptions options = {});
    std::string class_name() const override { return "MeanAbsoluteError"; }

  protected:
    Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// sqrt of the weighted mean of the elementwise squared errors (y_pred - y_true)^2, the weights
/// broadcast to y_pred's shape.
struct RootMeanSquaredErrorOptions {
    std::string name = "root_mean_squared_error";
};
class RootMeanSquaredError final
    : public detail::MetricWithOptions<RootMeanSquaredError, MeanMetricWrapper,
                                       RootMeanSquaredErrorOptions> {
  public:
    explicit RootMeanSquaredError(RootMeanSquaredErrorOptions options = {});
    double result() const override;
    std::string class_name() const override { return "RootMeanSquaredError"; }

  protected:
    Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
};

// ---- confusion-matrix metrics (train/metrics_confusion.cpp) ----
// y_true and y_pred have the same shape (up to a trailing 1); predictions must be in [0, 1]
// (ValueError otherwise) and a label counts as positive when it is not 0. Sample weights follow
// Mean::update_state against y_pred.

/// Options of Precision and Recall, in Keras's constructor order.
struct PrecisionOptions {
    /// A prediction p is positive when p > threshold. Unset: 0.5, or with top_k every prediction
    /// in the top k (Keras's None).
    std::optional<double> thresholds = std::nullopt;
    /// Only the k highest predictions of each row (last axis; the lower index first on ties)
    /// may be positive.
    std::optional<int64_t> top_k = std::nullopt;
    /// Only the entries of this class (last-axis index) count.
    std::optional<int64_t> class_id = std::nullopt;
    std::string name = "precision";
};
struct RecallOptions {
    std::optional<double> thresholds = std::nullopt;  ///< as PrecisionOptions::thresholds
    std::optional<int64_t> top_k = std::nullopt;      ///< as PrecisionOptions::top_k
    std::optional<int64_t> class_id = std::nullopt;   ///< as PrecisionOptions::class_id
    std::string name = "recall";
};

namespace detail {
/// Weighted counts of predictions against labels at one threshold.
struct ConfusionCounts {
    double true_positives = 0.0;
    double false_positives = 0.0;
    double false_negatives = 0.0;
};

/// The settings Precision and Recall share, as read from their options.
struct ThresholdSettings {
    std::optional<double> thresholds = std::nullopt;
    std::optional<int64_t> top_k = std::nullopt;
    std::optional<int64_t> class_id = std::nullopt;
};

/// Throws ValueError, starting with `metric`, naming a threshold outside [0, 1], a top_k < 1 or a
/// negative class_id.
void check_threshold_settings(const std::string& metric, const ThresholdSettings& settings);

/// Adds one batch's weighted counts to `counts` (see PrecisionOptions).
void count_at_threshold(const std::string& metric, const ThresholdSettings& settings,
                        const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight,
                        ConfusionCounts& counts);

/// What Precision and Recall share: the tp/fp/fn counts at one threshold.
template <class Derived, class Options>
class ThresholdMetric : public MetricWithOptions<Derived, PredictionMetric, Options> {
  public:
    void update_state(const Tensor& y_true, const Tensor& y_pred,
                      const Tensor& sample_weight = Tensor()) override {
        count_at_threshold(this->name(), settings(), y_true, y_pred, sample_weight, counts_);
    }
    void reset_state() override { counts_ = {}; }
    /// The weighted counts so far.
    const ConfusionCounts& counts() const { return counts_; }

  protected:
    explicit ThresholdMetric(Options options)
        : MetricWithOptions<Derived, PredictionMetric, Options>(std::move(options)) {
        check_threshold_settings(this->name(), settings());
    }

  private:
    ThresholdSettings settings() const {
        const Options& o = this->options();
        return {o.thresholds, o.top_k, o.class_id};
    }
    ConfusionCounts counts_;
};
}  // namespace detail

/// tp / (tp + fp), 0 when nothing was predicted positive.
class Precision final : public detail::ThresholdMetric<Precision, PrecisionOptions> {
  public:
    /// Throws ValueError for a threshold outside [0, 1], top_k < 1 or class_id < 0.
    explicit Precision(PrecisionOptions options = {});
    double result() const override;
    std::string class_name() const override { return "Precision"; }
};

/// tp / (tp + fn), 0 when no label was positive.
class Recall final : public detail::ThresholdMetric<Recall, RecallOptions> {
  public:
    /// Throws ValueError for a threshold outside [0, 1], top_k < 1 or class_id < 0.
    explicit Recall(RecallOptions options = {});
    double result() const override;
    std::string class_name() const override { return "Recall"; }
};

/// Keras's curve names: "ROC" (recall against false-positive rate), "PR" (precision against
/// recall).
enum class AUCCurve { ROC, PR };
/// Keras's summation methods: "interpolation" (trapezoids for ROC; Davis & Goadrich's
/// interpolation for PR), "minoring" (the lower of each interval's two heights), "majoring"
/// (the higher).
enum class AUCSummationMethod { Interpolation, Minoring, Majoring };

/// Options of AUC, in Keras's constructor order (name last).
struct AUCOptions {
    /// Thresholds -1e-7, 1/(n-1), 2/(n-1), ..., (n-2)/(n-1), 1 + 1e-7.
    int64_t num_thresholds = 200;
    AUCCurve curve = AUCCurve::ROC;
    AUCSummationMethod summation_method = AUCSummationMethod::Interpolation;
    /// Whether y_pred holds logits (a sigmoid is applied first).
    bool from_logits = false;
    std::string name = "auc";
};

/// The area under the ROC or PR curve, approximated as Keras does from weighted confusion counts
/// at each threshold (a prediction p counts as positive at threshold t when p > t).
class AUC final : public detail::MetricWithOptions<AUC, PredictionMetric, AUCOptions> {
  public:
    /// Throws ValueError for num_thresholds <= 1.
    explicit AUC(AUCOptions options = {});
    void update_state(const Tensor& y_true, const Tensor& y_pred,
                      const Tensor& sample_weight = Tensor()) override;
    double result() const override;
    void reset_state() override;
    std::string class_name() const override { return "AUC"; }
    /// The thresholds, ascending.
    const std::vector<double>& thresholds() const { return thresholds_; }
    /// The weighted counts so far, one per threshold.
    const std::vector<double>& true_positives() const { return true_positives_; }
    const std::vector<double>& false_positives() const { return false_positives_; }
    const std::vector<double>& true_negatives() const { return true_negatives_; }
    const std::vector<double>& false_negatives() const { return false_negatives_; }

  private:
    /// Keras's interpolate_pr_auc (PR curve with interpolation).
    double interpolated_pr_auc() const;
    /// The Riemann sum of y over x, both decreasing with the threshold.
    double riemann_sum(const std::vector<double>& x, const std::vector<double>& y) const;

    std::vector<double> thresholds_;
    std::vector<double> true_positives_;
    std::vector<double> false_positives_;
    std::vector<double> true_negatives_;
    std::vector<double> false_negatives_;
};

/// Creates a metric with default options from a Keras name, alias or class name, in any letter
/// case: "accuracy"/"acc", "binary_accuracy", "categorical_accuracy",
/// "sparse_categorical_accuracy", "top_k_categorical_accuracy", "mse"/"mean_squared_error",
/// "rmse"/"root_mean_squared_error", "mae"/"mean_absolute_error", "precision", "recall", "auc",
/// "SparseCategoricalAccuracy", ... ("accuracy" is Accuracy, as tf.keras.metrics.get gives; Keras's
/// compile() picks Binary/Categorical/SparseCategoricalAccuracy from the loss instead.)
/// Throws ValueError naming an unknown name.
std::unique_ptr<PredictionMetric> get(const std::string& name);

}  // namespace minidl::metrics
