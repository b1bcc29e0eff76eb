// Checks shared by the loss families (train/losses_*.cpp); not part of the public API.
#pragma once

#include <string>

#include "minidl/core/tensor.hpp"

namespace minidl::losses::internal {

/// y_true seen with y_pred's shape: equal shapes, or shapes that differ by a trailing size-1
/// axis (Keras squeezes that axis away). Otherwise ShapeError naming `function` and both shapes;
/// also for a y_pred of rank 0.
Tensor targets_like(const char* function, const Tensor& y_true, const Tensor& y_pred);

/// Throws ValueError, starting with `context`, when label_smoothing is outside [0, 1].
void check_label_smoothing(const std::string& context, double label_smoothing);

/// Throws ValueError, starting with `context`, when delta is not positive and finite.
void check_delta(const std::string& context, double delta);

}  // namespace minidl::losses::internal
