// Confusion-matrix metrics (tf.keras 2.x metrics/confusion_metrics.py and
// utils/metrics_utils.py's update_confusion_matrix_variables): Precision, Recall and AUC.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "minidl/core/autograd.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/train/metrics.hpp"
#include "minidl/train/metrics_internal.hpp"

namespace minidl::metrics {
namespace {

/// Keras's backend epsilon, which widens AUC's outer thresholds.
constexpr double kEpsilon = 1e-7;

/// Keras's div_no_nan: 0 when the denominator is 0.
double div_no_nan(double numerator, double denominator) {
    return denominator == 0.0 ? 0.0 : numerator / denominator;
}

/// Flags in `kept` which entries of `row` (kept.size() of them) are among its k highest
/// (tf.math.top_k: the lower index first on ties); `order` is scratch of the same size.
void mark_top_k(const float* row, int64_t k, std::vector<int64_t>& order, std::vector<char>& kept) {
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [row](int64_t a, int64_t b) {
        return row[a] > row[b] || (row[a] == row[b] && a < b);
    });
    std::fill(kept.begin(), kept.end(), 0);
    for (int64_t i = 0; i < k; ++i) kept[order[i]] = 1;
}

/// `sample_weight` broadcast to `shape`, or undefined when there is none.
Tensor weights_or_none(const std::string& metric, const Tensor& sample_weight, const Shape& shape) {
    return sample_weight.defined() ? internal::broadcast_weights(metric, sample_weight, shape)
                                   : Tensor();
}

}  // namespace

namespace detail {

void check_threshold_settings(const std::string& metric, const ThresholdSettings& settings) {
    if (settings.thresholds) {
        internal::check_unit_interval(metric, "thresholds", *settings.thresholds);
    }
    if (settings.top_k && *settings.top_k < 1) {
        throw ValueError(metric + ": top_k must be >= 1, got " + std::to_string(*settings.top_k));
    }
    if (settings.class_id && *settings.class_id < 0) {
        throw ValueError(metric + ": class_id must be >= 0, got " +
                         std::to_string(*settings.class_id));
    }
}

void count_at_threshold(const std::string& metric, const ThresholdSettings& settings,
                        const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight,
                        ConfusionCounts& counts) {
    NoGradGuard no_grad;
    internal::check_batch(metric, y_pred);
    const Tensor targets = internal::targets_like(metric, y_true, y_pred);
    internal::check_probabilities(metric, y_pred);
    const Tensor weights = weights_or_none(metric, sample_weight, y_pred.shape());
    const int64_t classes = y_pred.size(-1);
    if (settings.top_k && *settings.top_k > classes) {
        throw ValueError(metric + ": top_k " + std::to_string(*settings.top_k) + " exceeds the " +
                         std::to_string(classes) + " classes of y_pred shape " +
                         y_pred.shape().to_string());
    }
    if (settings.class_id && *settings.class_id >= classes) {
        throw ValueError(metric + ": class_id " + std::to_string(*settings.class_id) +
                         " is out of range for y_pred shape " + y_pred.shape().to_string());
    }
    // Keras compares in float32; with top_k and no threshold every kept prediction is positive.
    const float threshold = static_cast<float>(settings.thresholds.value_or(0.5));
    const bool any_kept_is_positive = settings.top_k && !settings.thresholds;
    const int64_t first = settings.class_id.value_or(0);
    const int64_t last = settings.class_id ? first + 1 : classes;
    std::vector<int64_t> order(classes);
    std::vector<char> kept(classes, 1);
    const float* p = y_pred.data();
    const float* t = targets.data();
    const float* w = weights.defined() ? weights.data() : nullptr;
    for (int64_t row = 0; row < y_pred.numel(); row += classes) {
        if (settings.top_k) mark_top_k(p + row, *settings.top_k, order, kept);
        for (int64_t c = first; c < last; ++c) {
            const int64_t i = row + c;
            const bool predicted = kept[c] && (any_kept_is_positive || p[i] > threshold);
            const bool actual = t[i] != 0.0f;
            const double weight = w ? w[i] : 1.0;
            if (predicted && actual) counts.true_positives += weight;
            if (predicted && !actual) counts.false_positives += weight;
            if (!predicted && actual) counts.false_negatives += weight;
        }
    }
}

}  // namespace detail

Precision::Precision(PrecisionOptions options) : ThresholdMetric(std::move(options)) {}

double Precision::result() const {
    return div_no_nan(counts().true_positives, counts().true_positives + counts().false_positives);
}

Recall::Recall(RecallOptions options) : ThresholdMetric(std::move(options)) {}

double Recall::result() const {
    return div_no_nan(counts().true_positives, counts().true_positives + counts().false_negatives);
}

AUC::AUC(AUCOptions options) : MetricWithOptions(std::move(options)) {
    const AUCOptions& o = this->options();
    if (o.num_thresholds <= 1) {
        throw ValueError(name() + ": num_thresholds must be > 1, got " +
                         std::to_string(o.num_thresholds));
    }
    const int64_t n = o.num_thresholds;
    thresholds_.push_back(-kEpsilon);
    for (int64_t i = 1; i < n - 1; ++i) {
        thresholds_.push_back(static_cast<double>(i) / static_cast<double>(n - 1));
    }
    thresholds_.push_back(1.0 + kEpsilon);
    reset_state();
}

void AUC::reset_state() {
    for (std::vector<double>* counts :
         {&true_positives_, &false_positives_, &true_negatives_, &false_negatives_}) {
        counts->assign(thresholds_.size(), 0.0);
    }
}

void AUC::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
    NoGradGuard no_grad;
    internal::check_batch(name(), y_pred);
    const Tensor targets = internal::targets_like(name(), y_true, y_pred);
    const Tensor predictions = options().from_logits ? sigmoid(y_pred) : y_pred;
    internal::check_probabilities(name(), predictions);
    const Tensor weights = weights_or_none(name(), sample_weight, y_pred.shape());

    // Keras's bucketing for evenly spaced thresholds (in float32, as Keras): p lands in bucket
    // ceil(p (n - 1)) - 1 (at least 0), and counts as positive at every threshold up to it.
    const int64_t n = options().num_thresholds;
    const float scale = static_cast<float>(n - 1);
    std::vector<double> positives(n, 0.0);
    std::vector<double> negatives(n, 0.0);
    const float* p = predictions.data();
    const float* t = targets.data();
    const float* w = weights.defined() ? weights.data() : nullptr;
    for (int64_t i = 0; i < predictions.numel(); ++i) {
        const auto bucket = std::max<int64_t>(0, static_cast<int64_t>(std::ceil(p[i] * scale)) - 1);
        (t[i] != 0.0f ? positives : negatives)[bucket] += w ? w[i] : 1.0;
    }
    const double all_positives = std::accumulate(positives.begin(), positives.end(), 0.0);
    const double all_negatives = std::accumulate(negatives.begin(), negatives.end(), 0.0);
    double positives_above = 0.0;
    double negatives_above = 0.0;
    for (int64_t j = n - 1; j >= 0; --j) {
        positives_above += positives[j];
        negatives_above += negatives[j];
        true_positives_[j] += positives_above;
        false_positives_[j] += negatives_above;
        false_negatives_[j] += all_positives - positives_above;
        true_negatives_[j] += all_negatives - negatives_above;
    }
}

double AUC::result() const {
    const AUCOptions& o = options();
    if (o.curve == AUCCurve::PR && o.summation_method == AUCSummationMethod::Interpolation) {
        return interpolated_pr_auc();
    }
    const size_t n = thresholds_.size();
    std::vector<double> recall(n);
    std::vector<double> other(n);  // the false-positive rate (ROC) or the precision (PR)
    for (size_t i = 0; i < n; ++i) {
        recall[i] = div_no_nan(true_positives_[i], true_positives_[i] + false_negatives_[i]);
        other[i] = o.curve == AUCCurve::ROC
                       ? div_no_nan(false_positives_[i], false_positives_[i] + true_negatives_[i])
                       : div_no_nan(true_positives_[i], true_positives_[i] + false_positives_[i]);
    }
    return o.curve == AUCCurve::ROC ? riemann_sum(other, recall) : riemann_sum(recall, other);
}

double AUC::riemann_sum(const std::vector<double>& x, const std::vector<double>& y) const {
    double area = 0.0;
    for (size_t i = 0; i + 1 < x.size(); ++i) {
        double height = 0.0;
        switch (options().summation_method) {
            case AUCSummationMethod::Interpolation:
                height = (y[i] + y[i + 1]) / 2.0;
                break;
            case AUCSummationMethod::Minoring:
                height = std::min(y[i], y[i + 1]);
                break;
            case AUCSummationMethod::Majoring:
                height = std::max(y[i], y[i + 1]);
                break;
        }
        area += (x[i] - x[i + 1]) * height;
    }
    return area;
}

double AUC::interpolated_pr_auc() const {
    // Davis & Goadrich: between thresholds A and B, tp and p = tp + fp vary linearly, so
    // precision = tp / p integrates in closed form (Keras's interpolate_pr_auc, term by term).
    const std::vector<double>& tp = true_positives_;
    double area = 0.0;
    for (size_t i = 0; i + 1 < tp.size(); ++i) {
        const double p_a = tp[i] + false_positives_[i];
        const double p_b = tp[i + 1] + false_positives_[i + 1];
        const double dtp = tp[i] - tp[i + 1];
        const double slope = div_no_nan(dtp, std::max(p_a - p_b, 0.0));
        const double intercept = tp[i + 1] - slope * p_b;
        const double ratio = p_a > 0.0 && p_b > 0.0 ? div_no_nan(p_a, std::max(p_b, 0.0)) : 1.0;
        area += div_no_nan(slope * (dtp + intercept * std::log(ratio)),
                           std::max(tp[i + 1] + false_negatives_[i + 1], 0.0));
    }
    return area;
}

}  // namespace minidl::metrics
