// Metrics with tf.keras 2.x's formulas (keras/metrics/*.py, keras/utils/metrics_utils.py;
// docs/metrics.md). A metric is stateful: update_state() accumulates a batch, result() gives the
// value over every batch since the last reset_state(). Metrics record no autograd graph and
// accumulate in double.
#pragma once

#include <memory>
#include <string>

#include "minidl/train/metric.hpp"
#include "minidl/train/metrics_accuracy.hpp"
#include "minidl/train/metrics_confusion.hpp"
#include "minidl/train/metrics_regression.hpp"

namespace minidl::metrics {

/// Creates a metric with default options from a Keras name, alias or class name, in any letter
/// case: "accuracy"/"acc", "binary_accuracy", "categorical_accuracy",
/// "sparse_categorical_accuracy", "top_k_categorical_accuracy", "mse"/"mean_squared_error",
/// "rmse"/"root_mean_squared_error", "mae"/"mean_absolute_error", "precision", "recall", "auc",
/// "SparseCategoricalAccuracy", ... ("accuracy" is Accuracy, as tf.keras.metrics.get gives; Keras's
/// compile() picks Binary/Categorical/SparseCategoricalAccuracy from the loss instead.)
/// Throws ValueError naming an unknown name.
std::unique_ptr<PredictionMetric> get(const std::string& name);

}  // namespace minidl::metrics
