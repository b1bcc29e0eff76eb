// Regression metrics with tf.keras 2.x's formulas: MeanSquaredError, MeanAbsoluteError,
// RootMeanSquaredError (docs/metrics.md).
#pragma once

#include <string>

#include "minidl/train/metric.hpp"

namespace minidl::metrics {

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

}  // namespace minidl::metrics
