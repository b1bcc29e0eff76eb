// Checks and conversions shared by the metric families (train/metrics_*.cpp); not public API.
#pragma once

#include <string>

#include "minidl/core/tensor.hpp"
#include "minidl/train/losses_internal.hpp"

namespace minidl::metrics::internal {

// y_true against y_pred and [0, 1] options are checked as the losses check them.
using losses::internal::check_unit_interval;
using losses::internal::targets_like;

/// Throws ValueError "empty batch" for a y_pred without elements and ShapeError for a rank-0
/// y_pred (no batch axis); both start with `metric`.
void check_batch(const std::string& metric, const Tensor& y_pred);

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

}  // namespace minidl::metrics::internal
