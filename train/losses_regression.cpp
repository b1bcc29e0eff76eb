// Regression losses: MSE, MAE, MAPE, Huber, LogCosh (tf.keras 2.x losses.py), each the mean of
// an elementwise error over the last axis.
#include <cmath>
#include <limits>

#include "minidl/core/creation.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/train/losses.hpp"
#include "minidl/train/losses_internal.hpp"

namespace minidl::losses {
namespace {

/// mean(elementwise(y_pred - y_true)) over the last axis, after matching y_true to y_pred.
template <class Elementwise>
Tensor mean_of_error(const char* function, const Tensor& y_true, const Tensor& y_pred,
                     Elementwise elementwise) {
    const Tensor targets = internal::targets_like(function, y_true, y_pred);
    return mean(elementwise(sub(y_pred, targets)), {-1});
}

}  // namespace

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
    return mean_of_error("mean_squared_error", y_true, y_pred,
                         [](const Tensor& error) { return square(error); });
}

Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred) {
    return mean_of_error("mean_absolute_error", y_true, y_pred,
                         [](const Tensor& error) { return abs(error); });
}

Tensor mean_absolute_percentage_error(const Tensor& y_true, const Tensor& y_pred) {
    const Tensor targets = internal::targets_like("mean_absolute_percentage_error", y_true, y_pred);
    const Tensor scale = clamp(abs(targets), kEpsilon, std::numeric_limits<float>::infinity());
    return mul(mean(abs(div(sub(targets, y_pred), scale)), {-1}), 100.0f);
}

Tensor huber(const Tensor& y_true, const Tensor& y_pred, double delta) {
    internal::check_delta("huber", delta);
    const float d = static_cast<float>(delta);
    return mean_of_error("huber", y_true, y_pred, [d](const Tensor& error) {
        const Tensor magnitude = abs(error);
        return where(less_equal(magnitude, scalar(d)), mul(square(error), 0.5f),
                     sub(mul(magnitude, d), 0.5f * (d * d)));
    });
}

Tensor log_cosh(const Tensor& y_true, const Tensor& y_pred) {
    // log cosh x = x + softplus(-2x) - log 2, which does not overflow for large |x|.
    const float log2 = std::log(2.0f);
    return mean_of_error("log_cosh", y_true, y_pred, [log2](const Tensor& x) {
        return sub(add(x, softplus(mul(x, -2.0f))), log2);
    });
}

MeanSquaredError::MeanSquaredError(MeanSquaredErrorOptions options)
    : LossWithOptions(std::move(options)) {}

Tensor MeanSquaredError::call(const Tensor& y_true, const Tensor& y_pred) const {
    return mean_squared_error(y_true, y_pred);
}

MeanAbsoluteError::MeanAbsoluteError(MeanAbsoluteErrorOptions options)
    : LossWithOptions(std::move(options)) {}

Tensor MeanAbsoluteError::call(const Tensor& y_true, const Tensor& y_pred) const {
    return mean_absolute_error(y_true, y_pred);
}

MeanAbsolutePercentageError::MeanAbsolutePercentageError(MeanAbsolutePercentageErrorOptions options)
    : LossWithOptions(std::move(options)) {}

Tensor MeanAbsolutePercentageError::call(const Tensor& y_true, const Tensor& y_pred) const {
    return mean_absolute_percentage_error(y_true, y_pred);
}

Huber::Huber(HuberOptions options) : LossWithOptions(std::move(options)) {
    internal::check_delta("Huber", this->options().delta);
}

Tensor Huber::call(const Tensor& y_true, const Tensor& y_pred) const {
    return huber(y_true, y_pred, options().delta);
}

LogCosh::LogCosh(LogCoshOptions options) : LossWithOptions(std::move(options)) {}

Tensor LogCosh::call(const Tensor& y_true, const Tensor& y_pred) const {
    return log_cosh(y_true, y_pred);
}

}  // namespace minidl::losses
