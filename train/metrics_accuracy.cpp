// Accuracy metrics (tf.keras 2.x metrics/accuracy_metrics.py, metrics_utils.py): per-sample
// matches, then their weighted mean.
#include <cmath>
#include <cstdint>
#include <vector>

#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/train/metrics.hpp"
#include "minidl/train/metrics_internal.hpp"

namespace minidl::metrics {
namespace {

/// Index of the first maximum of row[0..classes).
int64_t first_argmax(const float* row, int64_t classes) {
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c) {
        if (row[c] > row[best]) best = c;
    }
    return best;
}

/// tf.math.in_top_k: fewer than k classes score strictly higher than the target; false when the
/// row holds a non-finite score.
bool in_top_k(const float* row, int64_t classes, int64_t target, int64_t k) {
    int64_t higher = 0;
    for (int64_t c = 0; c < classes; ++c) {
        if (!std::isfinite(row[c])) return false;
        if (row[c] > row[target]) ++higher;
    }
    return higher < k;
}

void check_has_class_axis(const std::string& metric, const Tensor& y_pred) {
    if (y_pred.rank() < 2) {
        throw ShapeError(metric + ": y_pred needs a batch axis and a class axis, got shape " +
                         y_pred.shape().to_string());
    }
}

/// y_pred's shape without its last (class) axis: the shape of the per-sample values.
Shape without_class_axis(const Shape& shape) {
    std::vector<int64_t> sizes = shape.to_vector();
    sizes.pop_back();
    return Shape(sizes);
}

/// One value per row of y_pred (its last axis): 1 where `matches(row, target)` holds, with the
/// target class of each row given.
template <class Matches>
Tensor row_matches(const Tensor& y_pred, const std::vector<int64_t>& targets, Matches matches) {
    const int64_t classes = y_pred.size(-1);
    Tensor out = empty(without_class_axis(y_pred.shape()));
    float* o = out.data();
    const float* p = y_pred.data();
    for (size_t r = 0; r < targets.size(); ++r) {
        o[r] = matches(p + static_cast<int64_t>(r) * classes, classes, targets[r]) ? 1.0f : 0.0f;
    }
    return out;
}

/// The class of each one-hot row of `y_true` (its first maximum).
std::vector<int64_t> one_hot_targets(const Tensor& y_true) {
    const int64_t classes = y_true.size(-1);
    std::vector<int64_t> targets(y_true.numel() / classes);
    const float* t = y_true.data();
    for (size_t r = 0; r < targets.size(); ++r) {
        targets[r] = first_argmax(t + static_cast<int64_t>(r) * classes, classes);
    }
    return targets;
}

/// The class indices of `y_true`, which has y_pred's shape without the class axis (or that plus a
/// trailing 1); ValueError for a label that is not an integer in [0, classes).
std::vector<int64_t> sparse_targets(const std::string& metric, const Tensor& y_true,
                                    const Tensor& y_pred) {
    const Shape expected = without_class_axis(y_pred.shape());
    Shape with_one = expected;
    with_one.push_back(1);
    if (y_true.shape() != expected && y_true.shape() != with_one) {
        throw ShapeError(metric + ": y_true shape " + y_true.shape().to_string() +
                         " does not match y_pred shape " + y_pred.shape().to_string() +
                         " (expected " + expected.to_string() + " or " + with_one.to_string() +
                         ")");
    }
    const int64_t classes = y_pred.size(-1);
    std::vector<int64_t> targets(y_true.numel());
    const float* t = y_true.data();
    for (size_t r = 0; r < targets.size(); ++r) {
        if (!(t[r] >= 0.0f && t[r] < static_cast<float>(classes) && std::floor(t[r]) == t[r])) {
            throw ValueError(metric + ": label " + format_number(t[r]) +
                             " is not an integer class index in [0, " + std::to_string(classes) +
                             ")");
        }
        targets[r] = static_cast<int64_t>(t[r]);
    }
    return targets;
}

bool same_class(const float* row, int64_t classes, int64_t target) {
    return first_argmax(row, classes) == target;
}

}  // namespace

Accuracy::Accuracy(AccuracyOptions options) : MetricWithOptions(std::move(options)) {}

Tensor Accuracy::values(const Tensor& y_true, const Tensor& y_pred) const {
    return equal(internal::targets_like(name(), y_true, y_pred), y_pred);
}

BinaryAccuracy::BinaryAccuracy(BinaryAccuracyOptions options)
    : MetricWithOptions(std::move(options)) {
    internal::check_unit_interval(name(), "threshold", this->options().threshold);
}

Tensor BinaryAccuracy::values(const Tensor& y_true, const Tensor& y_pred) const {
    const Tensor targets = internal::as_rows(internal::targets_like(name(), y_true, y_pred));
    const Tensor positive =
        greater(internal::as_rows(y_pred), scalar(static_cast<float>(options().threshold)));
    return mean(equal(targets, positive), {-1});
}

CategoricalAccuracy::CategoricalAccuracy(CategoricalAccuracyOptions options)
    : MetricWithOptions(std::move(options)) {}

Tensor CategoricalAccuracy::values(const Tensor& y_true, const Tensor& y_pred) const {
    check_has_class_axis(name(), y_pred);
    const Tensor targets = internal::targets_like(name(), y_true, y_pred);
    return row_matches(y_pred, one_hot_targets(targets), same_class);
}

SparseCategoricalAccuracy::SparseCategoricalAccuracy(SparseCategoricalAccuracyOptions options)
    : MetricWithOptions(std::move(options)) {}

Tensor SparseCategoricalAccuracy::values(const Tensor& y_true, const Tensor& y_pred) const {
    check_has_class_axis(name(), y_pred);
    return row_matches(y_pred, sparse_targets(name(), y_true, y_pred), same_class);
}

TopKCategoricalAccuracy::TopKCategoricalAccuracy(TopKCategoricalAccuracyOptions options)
    : MetricWithOptions(std::move(options)) {
    if (this->options().k < 1) {
        throw ValueError(name() + ": k must be >= 1, got " + std::to_string(this->options().k));
    }
}

Tensor TopKCategoricalAccuracy::values(const Tensor& y_true, const Tensor& y_pred) const {
    check_has_class_axis(name(), y_pred);
    const Tensor targets = internal::targets_like(name(), y_true, y_pred);
    return row_matches(y_pred, one_hot_targets(targets),
                       [k = options().k](const float* row, int64_t classes, int64_t target) {
                           return in_top_k(row, classes, target, k);
                       });
}

}  // namespace minidl::metrics
