// Checks and conversions shared by the metric families (train/metrics_*.cpp); not public API.
#pragma once

#include <string>

#include "minidl/core/tensor.hpp"

namespace minidl::metrics::internal {

/// Throws ValueError "empty batch" for a y_pred without elements and ShapeError for a rank-0
/// y_pred (no batch axis); both start with `metric`.
void check_batch(const std::string& metric, const Tensor& y_pred);

/// y_true seen with y_pred's shape: equal shapes, or shapes that differ by a trailing size-1
/// axis. Otherwise ShapeError naming `metric` and both shapes.
Tensor targets_like(const std::string& metric, const Tensor& y_true, const Tensor& y_pred);

/// A rank-1 y seen as [N, 1], so that the metrics reducing the last axis keep one value per
/// sample; other ranks unchanged.
Tensor as_rows(const Tensor& y);

/// `sample_weight` broadcast to `values` (Keras's squeeze_or_expand_dimensions then
/// broadcast_weights, generalised to weights of the values' leading axes). ShapeError naming
/// `metric` and both shapes when it does not fit.
Tensor broadcast_weights(const std::string& metric, const Tensor& sample_weight,
                         const Shape& values);

/// Throws ValueError, starting with `metric`, naming the first prediction outside [0, 1].
void check_probabilities(const std::string& metric, const Tensor& y_pred);

/// Throws ValueError "`metric`: `option` must be in [0, 1], got ..." for a value outside [0, 1].
void check_unit_interval(const std::string& metric, const char* option, double value);

}  // namespace minidl::metrics::internal
