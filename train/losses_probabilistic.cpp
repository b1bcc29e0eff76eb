// Probabilistic losses: binary, categorical and sparse categorical crossentropy, KL divergence
// (tf.keras 2.x losses.py and backend.py). From probabilities they clip to [eps, 1 - eps] as
// Keras does, and the gradient follows the clip (0 where it cuts), as TF's clip_by_value.
#include <cmath>
#include <string>

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/train/losses.hpp"
#include "minidl/train/losses_internal.hpp"

namespace minidl::losses {
namespace {

constexpr float kOneMinusEpsilon = 1.0f - kEpsilon;

/// y (1 - label_smoothing) + label_smoothing / classes (2 for binary), in float32 as Keras
/// computes it.
Tensor smoothed(const Tensor& y, double label_smoothing, float classes) {
    if (label_smoothing == 0.0) return y;
    const float smoothing = static_cast<float>(label_smoothing);
    return add(mul(y, 1.0f - smoothing), smoothing / classes);
}

/// `t` with axis `axis` (normalized) moved to the end, the others keeping their order.
Tensor with_axis_last(const Tensor& t, int axis) {
    if (axis == t.rank() - 1) return t;
    Axes order;
    for (int i = 0; i < t.rank(); ++i) {
        if (i != axis) order.push_back(i);
    }
    order.push_back(axis);
    return permute(t, order);
}

/// The labels reshaped to `shape` (they may carry a trailing 1), after checking that each is a
/// class index in [0, classes). `y_pred` names the predictions' shape in errors.
Tensor checked_labels(const Tensor& labels, const Shape& shape, int64_t classes,
                      const Shape& y_pred) {
    const char* function = "sparse_categorical_crossentropy";
    Shape with_one = shape;
    with_one.push_back(1);
    if (labels.shape() != shape && labels.shape() != with_one) {
        throw ShapeError(std::string(function) + ": y_true shape " + labels.shape().to_string() +
                         " does not match y_pred shape " + y_pred.to_string() +
                         " (expected labels of shape " + shape.to_string() + " or " +
                         with_one.to_string() + ")");
    }
    const float* values = labels.data();
    for (int64_t i = 0; i < labels.numel(); ++i) {
        const float label = values[i];
        if (!(label >= 0.0f && label < static_cast<float>(classes) && std::floor(label) == label)) {
            throw ValueError(std::string(function) + ": label " + format_number(label) +
                             " (element " + std::to_string(i) +
                             " of y_true) is not an integer in "
                             "[0, " +
                             std::to_string(classes) + ")");
        }
    }
    return reshape(labels, shape);
}

}  // namespace

Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits,
                           double label_smoothing, int64_t axis) {
    internal::check_unit_interval("binary_crossentropy", "label_smoothing", label_smoothing);
    const Tensor y = smoothed(internal::targets_like("binary_crossentropy", y_true, y_pred),
                              label_smoothing, 2.0f);
    Tensor elementwise;
    if (from_logits) {
        // softplus(z) = max(z, 0) + log(1 + e^-|z|): TF's stable sigmoid_cross_entropy_with_logits.
        elementwise = sub(softplus(y_pred), mul(y_pred, y));
    } else {
        const Tensor p = clamp(y_pred, kEpsilon, kOneMinusEpsilon);
        elementwise = neg(add(mul(y, log(add(p, kEpsilon))),
                              mul(sub(1.0f, y), log(add(sub(1.0f, p), kEpsilon)))));
    }
    return mean(elementwise, {y_pred.shape().normalize_axis(axis, "binary_crossentropy")});
}

Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits,
                                double label_smoothing, int64_t axis) {
    internal::check_unit_interval("categorical_crossentropy", "label_smoothing", label_smoothing);
    const Tensor targets = internal::targets_like("categorical_crossentropy", y_true, y_pred);
    const int class_axis = y_pred.shape().normalize_axis(axis, "categorical_crossentropy");
    const float classes = static_cast<float>(y_pred.size(class_axis));
    const Tensor y = smoothed(targets, label_smoothing, classes);
    Tensor log_p;
    if (from_logits) {
        log_p = log_softmax(y_pred, class_axis);
    } else {
        const Tensor p = div(y_pred, sum(y_pred, {class_axis}, true));
        log_p = log(clamp(p, kEpsilon, kOneMinusEpsilon));
    }
    return neg(sum(mul(y, log_p), {class_axis}));
}

Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits,
                                       int64_t axis) {
    if (y_pred.rank() == 0) {
        throw ShapeError("sparse_categorical_crossentropy: y_pred needs a class axis, got shape " +
                         y_pred.shape().to_string());
    }
    const Tensor scores = with_axis_last(
        y_pred, y_pred.shape().normalize_axis(axis, "sparse_categorical_crossentropy"));
    const int64_t classes = scores.size(-1);
    Shape label_shape(std::vector<int64_t>(scores.shape().begin(), scores.shape().end() - 1));
    const Tensor labels = checked_labels(y_true, label_shape, classes, y_pred.shape());
    // From probabilities Keras takes log(clip(p)) as logits: -log(p_y / sum p) of the clipped p.
    const Tensor logits = from_logits ? scores : log(clamp(scores, kEpsilon, kOneMinusEpsilon));
    return neg(sum(mul(one_hot(labels, classes), log_softmax(logits, -1)), {-1}));
}

Tensor kl_divergence(const Tensor& y_true, const Tensor& y_pred) {
    const Tensor y = clamp(internal::targets_like("kl_divergence", y_true, y_pred), kEpsilon, 1.0f);
    const Tensor p = clamp(y_pred, kEpsilon, 1.0f);
    return sum(mul(y, log(div(y, p))), {-1});
}

BinaryCrossentropy::BinaryCrossentropy(BinaryCrossentropyOptions options)
    : LossWithOptions(std::move(options)) {
    internal::check_unit_interval("BinaryCrossentropy", "label_smoothing",
                                  this->options().label_smoothing);
}

Tensor BinaryCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
    const BinaryCrossentropyOptions& o = options();
    return binary_crossentropy(y_true, y_pred, o.from_logits, o.label_smoothing, o.axis);
}

CategoricalCrossentropy::CategoricalCrossentropy(CategoricalCrossentropyOptions options)
    : LossWithOptions(std::move(options)) {
    internal::check_unit_interval("CategoricalCrossentropy", "label_smoothing",
                                  this->options().label_smoothing);
}

Tensor CategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
    const CategoricalCrossentropyOptions& o = options();
    return categorical_crossentropy(y_true, y_pred, o.from_logits, o.label_smoothing, o.axis);
}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(
    SparseCategoricalCrossentropyOptions options)
    : LossWithOptions(std::move(options)) {}

Tensor SparseCategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
    return sparse_categorical_crossentropy(y_true, y_pred, options().from_logits);
}

KLDivergence::KLDivergence(KLDivergenceOptions options) : LossWithOptions(std::move(options)) {}

Tensor KLDivergence::call(const Tensor& y_true, const Tensor& y_pred) const {
    return kl_divergence(y_true, y_pred);
}

}  // namespace minidl::losses
