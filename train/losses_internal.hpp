// Checks shared by the loss families (train/losses_*.cpp) and the metrics; not public API.
#pragma once

#include <string>

#include "minidl/core/tensor.hpp"

namespace minidl::losses::internal {

/// y_true seen with y_pred's shape: equal shapes, or shapes that differ by a trailing size-1
/// axis (Keras squeezes that axis away). Otherwise ShapeError naming `function` and both shapes;
/// also for a y_pred of rank 0. The metrics use it too.
Tensor targets_like(const std::string& function, const Tensor& y_true, const Tensor& y_pred);

/// Throws ValueError "`context`: `option` must be in [0, 1], got ..." for a value outside [0, 1]
/// (label_smoothing here, thresholds in the metrics).
void check_unit_interval(const std::string& context, const char* option, double value);

/// Throws ValueError, starting with `context`, when delta is not positive and finite.
void check_delta(const std::string& context, double delta);

}  // namespace minidl::losses::internal
