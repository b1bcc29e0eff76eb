#include "minidl/layers/normalization.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "minidl/core/autograd.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/layers/from_config_support.hpp"
#include "minidl/layers/normalization_support.hpp"

namespace minidl::layers {
namespace {

/// tf.keras's backend.epsilon(): the smallest standard deviation divided by.
constexpr float kMinStd = 1e-7f;

std::string axes_text(const Axes& axes) { return Json(axes).dump(); }

/// Throws ValueError unless `values` (the `argument` mean or variance) is a non-empty list of
/// finite values, each >= 0 for a variance.
void check_statistic_values(const std::vector<double>& values, const char* argument,
                            const std::string& layer) {
    if (values.empty()) throw ValueError(layer + ": '" + argument + "' has no values");
    const bool is_variance = std::string_view(argument) == "variance";
    for (double value : values) {
        if (!std::isfinite(value) || (is_variance && value < 0.0)) {
            throw ValueError(layer + ": '" + argument + "' must hold finite values" +
                             (is_variance ? " >= 0" : "") + ", got " + format_number(value));
        }
    }
}

/// Throws ValueError unless `values` broadcasts to `kept_shape` as NumPy would broadcast a flat
/// list: one value, the last kept axis's values, or all of them.
void check_statistic_size(const std::vector<double>& values, const char* argument,
                          const Shape& kept_shape, const std::string& layer) {
    const auto count = static_cast<int64_t>(values.size());
    if (count == 1 || count == kept_shape.numel() || count == kept_shape.back()) return;
    throw ValueError(layer + ": '" + argument + "' has " + std::to_string(count) +
                     " values, which do not broadcast to the kept axes' shape " +
                     kept_shape.to_string() + " (give 1, " + std::to_string(kept_shape.back()) +
                     " or " + std::to_string(kept_shape.numel()) + ")");
}

/// `values` broadcast to `kept_shape` (check_statistic_size accepted them), as float32.
Tensor broadcast_statistic(const std::vector<double>& values, const Shape& kept_shape) {
    std::vector<float> broadcast(static_cast<std::size_t>(kept_shape.numel()));
    for (std::size_t i = 0; i < broadcast.size(); ++i)
        broadcast[i] = static_cast<float>(values[i % values.size()]);
    return tensor(broadcast, kept_shape);
}

/// The statistics of each kept index, as tf.keras's update_state keeps them between batches.
struct RunningMoments {
    std::vector<double> mean;
    std::vector<double> variance;
    double count = 0.0;
};

/// Merges the mean and biased variance of rows [begin, end) of x [rows, size] into `total`
/// with tf.keras's weighting (the lack-of-fit sum of squares), all in double.
void merge_rows(const float* x, int64_t begin, int64_t end, int64_t size, RunningMoments& total) {
    const auto n = static_cast<double>(end - begin);
    std::vector<double> mean(static_cast<std::size_t>(size), 0.0), variance(mean.size(), 0.0);
    for (int64_t r = begin; r < end; ++r) {
        for (int64_t k = 0; k < size; ++k) mean[k] += x[r * size + k];
    }
    for (double& m : mean) m /= n;
    for (int64_t r = begin; r < end; ++r) {
        for (int64_t k = 0; k < size; ++k) {
            const double d = x[r * size + k] - mean[k];
            variance[k] += d * d;
        }
    }
    total.count += n;
    const double batch_weight = n / total.count;
    const double existing_weight = 1.0 - batch_weight;
    for (int64_t k = 0; k < size; ++k) {
        const double merged = total.mean[k] * existing_weight + mean[k] * batch_weight;
        const double old_shift = total.mean[k] - merged;
        const double new_shift = mean[k] - merged;
        total.variance[k] = (total.variance[k] + old_shift * old_shift) * existing_weight +
                            (variance[k] / n + new_shift * new_shift) * batch_weight;
        total.mean[k] = merged;
    }
}

/// Writes `values` into `target` (a weight's storage) as float32.
void store(const std::vector<double>& values, const Tensor& target) {
    std::transform(values.begin(), values.end(), target.data(),
                   [](double value) { return static_cast<float>(value); });
}

/// Appends the numbers of `value` (a number or nested lists of them) in row-major order;
/// false for anything else.
bool append_numbers(const Json& value, std::vector<double>& numbers) {
    if (value.is_number()) {
        numbers.push_back(value.get<double>());
        return true;
    }
    if (!value.is_array()) return false;
    return std::all_of(value.begin(), value.end(),
                       [&](const Json& item) { return append_numbers(item, numbers); });
}

/// Reads "mean" or "variance": null when absent, else a number or (nested) lists of numbers.
std::optional<std::vector<double>> read_statistic(ConfigReader& reader, const char* key) {
    const Json* value = reader.take(key);
    if (value == nullptr) return std::nullopt;
    std::vector<double> numbers;
    if (!append_numbers(*value, numbers))
        reader.fail(key, "must be a number or a list of numbers, got " + value->dump());
    return numbers;
}

}  // namespace

Normalization::Normalization(const NormalizationOptions& options)
    : Layer("normalization", options.name, options.trainable), options_(options) {
    if (has_repeated_axes(options_.axis)) {
        throw ValueError(name() + ": 'axis' must not name an axis twice, got " +
                         axes_text(options_.axis));
    }
    if (options_.mean.has_value() != options_.variance.has_value()) {
        throw ValueError(name() + ": 'mean' and 'variance' must be given together, got only '" +
                         (options_.mean ? "mean" : "variance") + "'");
    }
    if (options_.mean) {
        check_statistic_values(*options_.mean, "mean", name());
        check_statistic_values(*options_.variance, "variance", name());
    }
}

Axes Normalization::resolve_axes(const Shape& input_shape) const {
    Axes axes = resolve_normalization_axes(options_.axis, input_shape, [this] {
        return name() + ": 'axis' " + axes_text(options_.axis);
    });
    // Sorted, as tf.keras keeps them: the statistics' shape follows the input's axis order.
    std::sort(axes.begin(), axes.end());
    return axes;
}

std::string Normalization::built_shape_mismatch(const Shape& shape) const {
    if (fits_built_shape(shape, built_shape_, kept_axes_)) return "";
    return "the layer was built for inputs of shape " + built_shape_.to_string() + " (kept axes " +
           axes_text(kept_axes_) + "), got shape " + shape.to_string();
}

void Normalization::check_input(const Shape& input_shape) const {
    const Axes axes = resolve_axes(input_shape);
    if (built()) {
        const std::string mismatch = built_shape_mismatch(input_shape);
        if (!mismatch.empty()) throw ShapeError(name() + ": " + mismatch);
        return;
    }
    if (!options_.mean) return;
    const Shape kept_shape = sizes_along(input_shape, axes);
    check_statistic_size(*options_.mean, "mean", kept_shape, name());
    check_statistic_size(*options_.variance, "variance", kept_shape, name());
}

Shape Normalization::compute_output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    return input_shape;
}

void Normalization::create_weights(const Shape& input_shape) {
    const Axes axes = resolve_axes(input_shape);
    const Shape kept_shape = sizes_along(input_shape, axes);
    if (options_.mean) {
        mean_ = broadcast_statistic(*options_.mean, kept_shape);
        variance_ = broadcast_statistic(*options_.variance, kept_shape);
    } else {
        // Members are set only once every weight exists, so a failed build leaves none behind.
        Parameter mean = add_weight("mean", kept_shape, "zeros", {}, {}, false);
        Parameter variance = add_weight("variance", kept_shape, "ones", {}, {}, false);
        Parameter count = add_weight("count", Shape{}, "zeros", {}, {}, false);
        mean_ = mean;
        variance_ = variance;
        count_ = std::move(count);
    }
    built_shape_ = input_shape;
    kept_axes_ = axes;
}

void Normalization::adapt(const Tensor& data, int64_t batch_size) {
    if (options_.mean) {
        throw ValueError(name() + ": cannot adapt a layer given 'mean' and 'variance'");
    }
    require_positive_argument(batch_size, "batch_size", name());
    if (data.numel() == 0) {
        throw ValueError(name() + ": cannot adapt to empty 'data' of shape " +
                         data.shape().to_string());
    }
    if (!built()) {
        build(data.shape());
    } else if (const std::string mismatch = built_shape_mismatch(data.shape()); !mismatch.empty()) {
        throw ValueError(name() + ": adapt: " + mismatch);
    }

    // The data as [rows, kept]: reduced axes first, in order, so that rows come example by
    // example whenever the batch axis is reduced.
    NoGradGuard no_grad;
    Axes order;
    for (int64_t axis = 0; axis < data.rank(); ++axis) {
        if (!std::binary_search(kept_axes_.begin(), kept_axes_.end(), axis)) order.push_back(axis);
    }
    const bool batch_axis_reduced = !order.empty() && order.front() == 0;
    order.insert(order.end(), kept_axes_.begin(), kept_axes_.end());
    const Tensor rows_by_kept =
        std::is_sorted(order.begin(), order.end()) ? data : permute(data, order);
    const int64_t kept = mean_.numel();
    const int64_t rows = data.numel() / kept;

    RunningMoments moments{std::vector<double>(static_cast<std::size_t>(kept), 0.0),
                           std::vector<double>(static_cast<std::size_t>(kept), 1.0)};
    const int64_t rows_per_batch = batch_axis_reduced ? rows / data.size(0) * batch_size : rows;
    for (int64_t begin = 0; begin < rows; begin += rows_per_batch)
        merge_rows(rows_by_kept.data(), begin, std::min(rows, begin + rows_per_batch), kept,
                   moments);
    store(moments.mean, mean_);
    store(moments.variance, variance_);
    store({moments.count}, count_);
}

Tensor Normalization::call(const Tensor& x, bool /*training*/) {
    Shape broadcast_shape;
    for (int64_t axis = 0; axis < x.rank(); ++axis) {
        const bool kept = std::binary_search(kept_axes_.begin(), kept_axes_.end(), axis);
        broadcast_shape.push_back(kept ? x.size(axis) : 1);
    }
    // The statistics are constants (non-trainable weights or given values): no gradient.
    const Tensor mean = reshape(mean_, broadcast_shape);
    const Tensor scale = reshape(maximum(sqrt(variance_), scalar(kMinStd)), broadcast_shape);
    return options_.invert ? mean + x * scale : (x - mean) / scale;
}

Json Normalization::config() const {
    Json config = Layer::config();
    config["axis"] = options_.axis;
    config["invert"] = options_.invert;
    config["mean"] = options_.mean ? Json(*options_.mean) : Json(nullptr);
    config["variance"] = options_.variance ? Json(*options_.variance) : Json(nullptr);
    return config;
}

std::unique_ptr<Normalization> Normalization::from_config(const Json& config) {
    ConfigReader reader(config, "Normalization config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    NormalizationOptions options;
    options.axis = read_normalization_axes(reader, NullAxis::None);
    options.invert = reader.get_bool("invert", false);
    options.mean = read_statistic(reader, "mean");
    options.variance = read_statistic(reader, "variance");
    return finish_from_config<Normalization>(reader, base, options);
}

}  // namespace minidl::layers
