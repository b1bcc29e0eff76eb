// The Loss base (sample weights and reductions, as Keras's losses_utils.compute_weighted_loss),
// get(), and the checks the loss families share.
#include "minidl/train/losses.hpp"

#include <cmath>
#include <functional>
#include <vector>

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/config.hpp"
#include "minidl/train/losses_internal.hpp"

namespace minidl::losses {
namespace {

/// Whether `shape` is `target` with one more trailing axis of size 1.
bool has_extra_trailing_one(const Shape& shape, const Shape& target) {
    if (shape.rank() != target.rank() + 1 || shape.back() != 1) return false;
    for (int i = 0; i < target.rank(); ++i) {
        if (shape[i] != target[i]) return false;
    }
    return true;
}

/// Whether every axis of `weights` (of `losses`'s rank) is 1 or the loss's size.
bool broadcasts_into(const Shape& weights, const Shape& losses) {
    if (weights.rank() != losses.rank()) return false;
    for (int i = 0; i < losses.rank(); ++i) {
        if (weights[i] != 1 && weights[i] != losses[i]) return false;
    }
    return true;
}

/// The sample weights brought to the per-sample losses' rank as Keras's
/// squeeze_or_expand_dimensions does: one trailing axis squeezed or added.
Tensor aligned_weights(const std::string& loss, const Tensor& weights, const Shape& losses) {
    Tensor aligned = weights;
    if (weights.rank() == losses.rank() + 1 && weights.shape().back() == 1) {
        aligned = squeeze(weights, -1);
    } else if (weights.rank() + 1 == losses.rank()) {
        aligned = unsqueeze(weights, -1);
    }
    if (weights.rank() != 0 && !broadcasts_into(aligned.shape(), losses)) {
        throw ShapeError(loss + ": sample_weight shape " + weights.shape().to_string() +
                         " does not fit the per-sample loss shape " + losses.to_string());
    }
    return aligned;
}

Tensor reduce(const Tensor& weighted, Reduction reduction) {
    switch (reduction) {
        case Reduction::None:
            return weighted;
        case Reduction::Sum:
            return sum(weighted);
        case Reduction::SumOverBatchSize:
            break;
    }
    return div(sum(weighted), static_cast<float>(weighted.numel()));
}

struct NamedLoss {
    std::vector<const char*> names;  ///< compared after canonical_name(); the class name first
    std::function<std::unique_ptr<Loss>()> make;
};

template <class L>
NamedLoss named(std::vector<const char*> names) {
    return {std::move(names), [] { return std::make_unique<L>(); }};
}

const std::vector<NamedLoss>& known_losses() {
    static const std::vector<NamedLoss> losses = {
        named<MeanSquaredError>({"MeanSquaredError", "mse"}),
        named<MeanAbsoluteError>({"MeanAbsoluteError", "mae"}),
        named<MeanAbsolutePercentageError>({"MeanAbsolutePercentageError", "mape"}),
        named<Huber>({"Huber", "huber_loss"}),
        named<LogCosh>({"LogCosh"}),
        named<BinaryCrossentropy>({"BinaryCrossentropy"}),
        named<CategoricalCrossentropy>({"CategoricalCrossentropy"}),
        named<SparseCategoricalCrossentropy>({"SparseCategoricalCrossentropy"}),
        named<KLDivergence>({"KLDivergence", "kld", "kullback_leibler_divergence"}),
    };
    return losses;
}

}  // namespace

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred,
                        const Tensor& sample_weight) const {
    if (y_pred.numel() == 0) {
        throw ValueError(name_ + ": empty batch (y_pred shape " + y_pred.shape().to_string() + ")");
    }
    const Tensor losses = call(y_true, y_pred);
    if (!sample_weight.defined()) return reduce(losses, reduction_);
    return reduce(mul(losses, aligned_weights(name_, sample_weight, losses.shape())), reduction_);
}

std::unique_ptr<Loss> get(const std::string& name) {
    // Canonical names drop '_' and case, so "mean_squared_error" and "log_cosh" match the class
    // names "MeanSquaredError" and "LogCosh".
    const std::string wanted = canonical_name(name);
    for (const NamedLoss& loss : known_losses()) {
        for (const char* known : loss.names) {
            if (canonical_name(known) == wanted) return loss.make();
        }
    }
    throw ValueError("losses::get: unknown loss '" + name +
                     "' (known: mse, mae, mape, huber, log_cosh, binary_crossentropy, "
                     "categorical_crossentropy, sparse_categorical_crossentropy, kld, their long "
                     "names and class names)");
}

namespace internal {

Tensor targets_like(const std::string& function, const Tensor& y_true, const Tensor& y_pred) {
    const Shape& want = y_pred.shape();
    const Shape& got = y_true.shape();
    if (want.rank() == 0) {
        throw ShapeError(function + ": y_pred needs at least one axis, got shape " +
                         want.to_string());
    }
    if (got == want) return y_true;
    if (has_extra_trailing_one(got, want) || has_extra_trailing_one(want, got)) {
        return reshape(y_true, want);
    }
    throw ShapeError(function + ": y_true shape " + got.to_string() +
                     " does not match y_pred shape " + want.to_string());
}

void check_unit_interval(const std::string& context, const char* option, double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
        throw ValueError(context + ": " + option + " must be in [0, 1], got " +
                         format_number(value));
    }
}

void check_delta(const std::string& context, double delta) {
    if (!(delta > 0.0 && std::isfinite(delta))) {
        throw ValueError(context + ": delta must be a positive finite number, got " +
                         format_number(delta));
    }
}

}  // namespace internal
}  // namespace minidl::losses
