// Metrics with tf.keras 2.x's formulas (keras/metrics/*.py, keras/utils/metrics_utils.py;
// docs/metrics.md). A metric is stateful: update_state() accumulates a batch, result() gives the
// value over every batch since the last reset_state(). Metrics record no autograd graph and
// accumulate in double.
//
// This header holds the bases; metrics_accuracy.hpp, metrics_regression.hpp and
// metrics_confusion.hpp the concrete metrics; metrics.hpp all of them and get().
#pragma once

#include <memory>
#include <string>

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

}  // namespace minidl::metrics
