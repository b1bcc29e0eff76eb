// Regression metrics (tf.keras 2.x metrics/regression_metrics.py): MSE and MAE share the losses'
// per-sample functions; RMSE is the root of the weighted mean of elementwise squared errors.
#include <cmath>

#include "minidl/core/ops.hpp"
#include "minidl/train/losses.hpp"
#include "minidl/train/metrics.hpp"
#include "minidl/train/metrics_internal.hpp"

namespace minidl::metrics {
namespace {

/// `error(targets, y_pred)` with y_true matched to y_pred and a rank-1 pair seen as [N, 1], so
/// that reducing the last axis leaves one value per sample.
template <class Error>
Tensor per_sample(const std::string& metric, const Tensor& y_true, const Tensor& y_pred,
                  Error error) {
    const Tensor targets = internal::targets_like(metric, y_true, y_pred);
    return error(internal::as_rows(targets), internal::as_rows(y_pred));
}

}  // namespace

MeanSquaredError::MeanSquaredError(MeanSquaredErrorOptions options)
    : MetricWithOptions(std::move(options)) {}

Tensor MeanSquaredError::values(const Tensor& y_true, const Tensor& y_pred) const {
    return per_sample(name(), y_true, y_pred, losses::mean_squared_error);
}

MeanAbsoluteError::MeanAbsoluteError(MeanAbsoluteErrorOptions options)
    : MetricWithOptions(std::move(options)) {}

Tensor MeanAbsoluteError::values(const Tensor& y_true, const Tensor& y_pred) const {
    return per_sample(name(), y_true, y_pred, losses::mean_absolute_error);
}

RootMeanSquaredError::RootMeanSquaredError(RootMeanSquaredErrorOptions options)
    : MetricWithOptions(std::move(options)) {}

Tensor RootMeanSquaredError::values(const Tensor& y_true, const Tensor& y_pred) const {
    return square(sub(y_pred, internal::targets_like(name(), y_true, y_pred)));
}

double RootMeanSquaredError::result() const { return std::sqrt(MeanMetricWrapper::result()); }

}  // namespace minidl::metrics
