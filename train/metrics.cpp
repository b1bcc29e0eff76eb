// The Metric bases (Mean, MeanMetricWrapper), get(), and the checks the metric families share.
#include "minidl/train/metrics.hpp"

#include <functional>
#include <vector>

#include "minidl/core/autograd.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/config.hpp"
#include "minidl/train/losses_internal.hpp"
#include "minidl/train/metrics_internal.hpp"

namespace minidl::metrics {
namespace {

struct NamedMetric {
    std::vector<const char*> names;  ///< compared after canonical_name(); the class name first
    std::function<std::unique_ptr<PredictionMetric>()> make;
};

template <class M>
NamedMetric named(std::vector<const char*> names) {
    return {std::move(names), [] { return std::make_unique<M>(); }};
}

const std::vector<NamedMetric>& known_metrics() {
    static const std::vector<NamedMetric> metrics = {
        named<Accuracy>({"Accuracy", "acc"}),
        named<BinaryAccuracy>({"BinaryAccuracy"}),
        named<CategoricalAccuracy>({"CategoricalAccuracy"}),
        named<SparseCategoricalAccuracy>({"SparseCategoricalAccuracy"}),
        named<TopKCategoricalAccuracy>({"TopKCategoricalAccuracy"}),
        named<MeanSquaredError>({"MeanSquaredError", "mse"}),
        named<RootMeanSquaredError>({"RootMeanSquaredError", "rmse"}),
        named<MeanAbsoluteError>({"MeanAbsoluteError", "mae"}),
        named<Precision>({"Precision"}),
        named<Recall>({"Recall"}),
        named<AUC>({"AUC"}),
    };
    return metrics;
}

}  // namespace

Mean::Mean(std::string name) : Metric(std::move(name)) {}

void Mean::update_state(const Tensor& values, const Tensor& sample_weight) {
    NoGradGuard no_grad;
    if (values.numel() == 0) {
        throw ValueError(name() + ": empty batch (values shape " + values.shape().to_string() +
                         ")");
    }
    const float* v = values.data();
    const int64_t n = values.numel();
    if (!sample_weight.defined()) {
        for (int64_t i = 0; i < n; ++i) total_ += v[i];
        count_ += static_cast<double>(n);
        return;
    }
    const Tensor weights = internal::broadcast_weights(name(), sample_weight, values.shape());
    const float* w = weights.data();
    for (int64_t i = 0; i < n; ++i) {
        total_ += static_cast<double>(w[i]) * v[i];
        count_ += w[i];
    }
}

double Mean::result() const { return count_ == 0.0 ? 0.0 : total_ / count_; }

void Mean::reset_state() {
    total_ = 0.0;
    count_ = 0.0;
}

std::unique_ptr<Metric> Mean::clone() const { return std::make_unique<Mean>(name()); }

MeanMetricWrapper::MeanMetricWrapper(std::string name)
    : PredictionMetric(name), mean_(std::move(name)) {}

void MeanMetricWrapper::update_state(const Tensor& y_true, const Tensor& y_pred,
                                     const Tensor& sample_weight) {
    NoGradGuard no_grad;
    internal::check_batch(name(), y_pred);
    mean_.update_state(values(y_true, y_pred), sample_weight);
}

std::unique_ptr<PredictionMetric> get(const std::string& name) {
    // Canonical names drop '_' and case, so "sparse_categorical_accuracy" matches the class name.
    const std::string wanted = canonical_name(name);
    for (const NamedMetric& metric : known_metrics()) {
        for (const char* known : metric.names) {
            if (canonical_name(known) == wanted) return metric.make();
        }
    }
    throw ValueError("metrics::get: unknown metric '" + name +
                     "' (known: accuracy/acc, binary_accuracy, categorical_accuracy, "
                     "sparse_categorical_accuracy, top_k_categorical_accuracy, mse, rmse, mae, "
                     "precision, recall, auc, their long names and class names)");
}

namespace internal {

void check_batch(const std::string& metric, const Tensor& y_pred) {
    if (y_pred.rank() == 0) {
        throw ShapeError(metric + ": y_pred needs a batch axis, got shape " +
                         y_pred.shape().to_string());
    }
    if (y_pred.numel() == 0) {
        throw ValueError(metric + ": empty batch (y_pred shape " + y_pred.shape().to_string() +
                         ")");
    }
}

Tensor as_rows(const Tensor& y) { return y.rank() == 1 ? unsqueeze(y, -1) : y; }

Tensor broadcast_weights(const std::string& metric, const Tensor& sample_weight,
                         const Shape& values) {
    std::vector<int64_t> sizes = sample_weight.shape().to_vector();
    if (sizes.size() == static_cast<size_t>(values.rank()) + 1 && sizes.back() == 1) {
        sizes.pop_back();
    }
    bool fits = sizes.size() <= static_cast<size_t>(values.rank());
    sizes.resize(values.rank(), 1);  // weights of the leading axes apply to the whole sample
    for (int i = 0; fits && i < values.rank(); ++i) fits = sizes[i] == 1 || sizes[i] == values[i];
    if (!fits) {
        throw ShapeError(metric + ": sample_weight shape " + sample_weight.shape().to_string() +
                         " does not fit the values shape " + values.to_string());
    }
    return broadcast_to(reshape(sample_weight, Shape(sizes)), values);
}

void check_probabilities(const std::string& metric, const Tensor& y_pred) {
    const float* p = y_pred.data();
    for (int64_t i = 0; i < y_pred.numel(); ++i) {
        if (!(p[i] >= 0.0f && p[i] <= 1.0f)) {
            throw ValueError(metric + ": predictions must be in [0, 1], got " +
                             format_number(p[i]));
        }
    }
}

}  // namespace internal
}  // namespace minidl::metrics
