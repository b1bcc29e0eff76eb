// Accuracy metrics with tf.keras 2.x's formulas: Accuracy, BinaryAccuracy, CategoricalAccuracy,
// SparseCategoricalAccuracy, TopKCategoricalAccuracy (docs/metrics.md).
#pragma once

#include <cstdint>
#include <string>

#include "minidl/train/metric.hpp"

namespace minidl::metrics {

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

}  // namespace minidl::metrics
