// Confusion-matrix metrics with tf.keras 2.x's formulas: Precision, Recall, AUC (docs/metrics.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "minidl/train/metric.hpp"

namespace minidl::metrics {

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

}  // namespace minidl::metrics
