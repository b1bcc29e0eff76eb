#include "minidl/layers/batch_normalization.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "minidl/core/autograd.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/op_helpers.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/core/parallel.hpp"
#include "minidl/layers/config_fields.hpp"
#include "minidl/layers/from_config_support.hpp"
#include "minidl/layers/normalization_support.hpp"

namespace minidl::layers {
namespace {

/// tf.keras 2.x normalises rank-4 inputs with axis 1 or 3 and rank-5 inputs with axis 1 or 4
/// through fused_batch_norm, which raises epsilon to at least 1.001e-5 and updates the moving
/// variance with the unbiased batch variance; every other input takes the plain path (biased).
bool keras_takes_fused_path(int rank, int axis) {
    return (rank == 4 && (axis == 1 || axis == 3)) || (rank == 5 && (axis == 1 || axis == 4));
}

/// Per-channel sums over the rows of term(row, channel), in double: partial sums over fixed
/// chunks of rows, added in chunk order, so the result does not depend on the thread count.
template <class Term>
std::vector<double> channel_sums(int64_t rows, int64_t channels, const Term& term) {
    const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(channels, 1));
    const int64_t chunks = chunk_count(rows, grain);
    std::vector<double> partial(static_cast<std::size_t>(chunks * channels), 0.0);
    parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
        double* acc = partial.data() + begin / grain * channels;
        for (int64_t r = begin; r < end; ++r) {
            for (int64_t c = 0; c < channels; ++c) acc[c] += term(r, c);
        }
    });
    std::vector<double> total(static_cast<std::size_t>(channels), 0.0);
    for (int64_t k = 0; k < chunks; ++k) {
        for (int64_t c = 0; c < channels; ++c) total[c] += partial[k * channels + c];
    }
    return total;
}

/// The batch's statistics of x [rows, channels].
struct BatchStatistics {
    std::vector<float> mean;
    std::vector<float> inv_std;    ///< 1 / sqrt(variance + epsilon)
    std::vector<double> variance;  ///< biased
};

BatchStatistics batch_statistics(const float* x, int64_t rows, int64_t channels, double epsilon) {
    BatchStatistics stats;
    const auto n = static_cast<double>(rows);
    std::vector<double> mean =
        channel_sums(rows, channels, [&](int64_t r, int64_t c) { return x[r * channels + c]; });
    for (double& m : mean) m /= n;
    stats.variance = channel_sums(rows, channels, [&](int64_t r, int64_t c) {
        const double d = x[r * channels + c] - mean[c];
        return d * d;
    });
    for (int64_t c = 0; c < channels; ++c) {
        stats.variance[c] /= n;
        stats.mean.push_back(static_cast<float>(mean[c]));
        stats.inv_std.push_back(static_cast<float>(1.0 / std::sqrt(stats.variance[c] + epsilon)));
    }
    return stats;
}

/// The training op: x [rows, channels] normalised with its own statistics, times gamma plus
/// beta (both [channels]). One graph node; differentiable in x, gamma and beta, through the
/// statistics.
Tensor batch_norm_training(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                           const BatchStatistics& stats) {
    const int64_t rows = x.size(0);
    const int64_t channels = x.size(1);
    std::vector<float> a(static_cast<std::size_t>(channels)), b(a.size());
    for (int64_t c = 0; c < channels; ++c) {
        a[c] = gamma.data()[c] * stats.inv_std[c];
        b[c] = beta.data()[c] - stats.mean[c] * a[c];
    }
    Tensor y = empty(x.shape());
    const float* px = x.data();
    float* py = y.data();
    const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(channels, 1));
    parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            for (int64_t c = 0; c < channels; ++c)
                py[r * channels + c] = px[r * channels + c] * a[c] + b[c];
        }
    });
    return record(
        y, "batch_normalization", {x, gamma, beta},
        [mean = stats.mean, inv_std = stats.inv_std, rows, channels,
         grain](const GradContext& ctx) {
            const float* px = ctx.inputs[0].data();
            const float* g = ctx.grad.data();
            auto x_hat = [&](int64_t r, int64_t c) {
                return (px[r * channels + c] - mean[c]) * inv_std[c];
            };
            const std::vector<double> sum_g = channel_sums(
                rows, channels, [&](int64_t r, int64_t c) { return g[r * channels + c]; });
            const std::vector<double> sum_g_x_hat =
                channel_sums(rows, channels, [&](int64_t r, int64_t c) {
                    return static_cast<double>(g[r * channels + c]) * x_hat(r, c);
                });
            auto as_tensor = [channels](const std::vector<double>& values) {
                return tensor(std::vector<float>(values.begin(), values.end()), {channels});
            };
            if (ctx.needs(1)) ctx.add(1, as_tensor(sum_g_x_hat));
            if (ctx.needs(2)) ctx.add(2, as_tensor(sum_g));
            if (!ctx.needs(0)) return;
            const float* gamma = ctx.inputs[1].data();
            const auto n = static_cast<double>(rows);
            std::vector<float> mean_g(sum_g.size()), mean_g_x_hat(sum_g.size()),
                factor(sum_g.size());
            for (int64_t c = 0; c < channels; ++c) {
                mean_g[c] = static_cast<float>(sum_g[c] / n);
                mean_g_x_hat[c] = static_cast<float>(sum_g_x_hat[c] / n);
                factor[c] = gamma[c] * inv_std[c];
            }
            Tensor dx = empty(ctx.inputs[0].shape());
            float* pdx = dx.data();
            parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
                for (int64_t r = begin; r < end; ++r) {
                    for (int64_t c = 0; c < channels; ++c) {
                        pdx[r * channels + c] = factor[c] * (g[r * channels + c] - mean_g[c] -
                                                             x_hat(r, c) * mean_g_x_hat[c]);
                    }
                }
            });
            ctx.add(0, dx);
        });
}

/// moving -= (moving - batch) * (1 - momentum), tf.keras's assign_moving_average.
void update_moving_average(const Parameter& moving, const std::vector<double>& batch,
                           double momentum) {
    const auto decay = static_cast<float>(1.0 - momentum);
    float* m = moving.data();
    for (std::size_t c = 0; c < batch.size(); ++c)
        m[c] -= (m[c] - static_cast<float>(batch[c])) * decay;
}

/// The permutation that moves `axis` to the end, keeping the others in order.
Axes axis_last_order(int rank, int axis) {
    Axes order;
    for (int i = 0; i < rank; ++i) {
        if (i != axis) order.push_back(i);
    }
    order.push_back(axis);
    return order;
}

}  // namespace

BatchNormalization::BatchNormalization(const BatchNormalizationOptions& options)
    : Layer("batch_normalization", options.name, options.trainable), options_(options) {
    if (!(options_.momentum >= 0.0 && options_.momentum <= 1.0)) {
        throw ValueError(name() + ": 'momentum' must be in [0, 1], got " +
                         format_number(options_.momentum));
    }
    check_normalization_epsilon(options_.epsilon, name());
}

int BatchNormalization::resolve_axis(const Shape& input_shape) const {
    const Axes resolved = resolve_normalization_axes({options_.axis}, input_shape, [this] {
        return name() + ": axis " + std::to_string(options_.axis);
    });
    return static_cast<int>(resolved.front());
}

void BatchNormalization::check_input(const Shape& input_shape) const {
    const int axis = resolve_axis(input_shape);
    if (built_rank_ == 0) return;
    if (input_shape.rank() != built_rank_ || input_shape[axis] != moving_mean_.size(0)) {
        throw ShapeError(name() + ": the layer was built for inputs of rank " +
                         std::to_string(built_rank_) + " with " +
                         std::to_string(moving_mean_.size(0)) + " channels on axis " +
                         std::to_string(built_axis_) + ", got shape " + input_shape.to_string());
    }
}

Shape BatchNormalization::compute_output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    return input_shape;
}

void BatchNormalization::create_weights(const Shape& input_shape) {
    const int axis = resolve_axis(input_shape);
    const Shape param_shape{input_shape[axis]};
    // Members are set only once every weight exists, so a failed build leaves none behind.
    GammaBeta gamma_beta = add_gamma_beta(options_, param_shape, [this](const auto&... arguments) {
        return add_weight(arguments...);
    });
    Parameter moving_mean =
        add_weight("moving_mean", param_shape, options_.moving_mean_initializer, {}, {}, false);
    Parameter moving_variance = add_weight("moving_variance", param_shape,
                                           options_.moving_variance_initializer, {}, {}, false);
    gamma_ = std::move(gamma_beta.gamma);
    beta_ = std::move(gamma_beta.beta);
    moving_mean_ = std::move(moving_mean);
    moving_variance_ = std::move(moving_variance);
    built_rank_ = input_shape.rank();
    built_axis_ = axis;
}

Tensor BatchNormalization::call(const Tensor& x, bool training) {
    // tf.keras 2.x: a frozen BatchNormalization runs in inference mode.
    const int axis = resolve_axis(x.shape());
    if (!training || !trainable()) return normalize_with_moving_statistics(x, axis);
    return normalize_with_batch_statistics(x, axis);
}

Tensor BatchNormalization::normalize_with_moving_statistics(const Tensor& x, int axis) const {
    const double epsilon = keras_takes_fused_path(x.rank(), axis)
                               ? std::max(options_.epsilon, 1.001e-5)
                               : options_.epsilon;
    Tensor factor = 1.0f / sqrt(moving_variance_ + static_cast<float>(epsilon));
    if (gamma_.defined()) factor = factor * gamma_;
    Tensor offset = -(moving_mean_ * factor);
    if (beta_.defined()) offset = offset + beta_;
    Shape broadcast_shape;
    for (int i = 0; i < x.rank(); ++i) broadcast_shape.push_back(i == axis ? x.size(i) : 1);
    return x * reshape(factor, broadcast_shape) + reshape(offset, broadcast_shape);
}

Tensor BatchNormalization::normalize_with_batch_statistics(const Tensor& x, int axis) {
    const int rank = x.rank();
    const bool axis_is_last = axis == rank - 1;
    const Axes order = axis_last_order(rank, axis);
    const Tensor channels_last = axis_is_last ? x : permute(x, order);
    const int64_t channels = x.size(axis);
    const int64_t rows = channels == 0 ? 0 : x.numel() / channels;
    if (rows == 0) return x;  // no statistics to take; tf.keras skips the update too
    const bool fused = keras_takes_fused_path(rank, axis);
    const double epsilon = fused ? std::max(options_.epsilon, 1.001e-5) : options_.epsilon;

    const Tensor x2d = reshape(channels_last, {rows, channels});
    BatchStatistics stats = batch_statistics(x2d.data(), rows, channels, epsilon);
    const Tensor gamma = gamma_.defined() ? Tensor(gamma_) : ones({channels});
    const Tensor beta = beta_.defined() ? Tensor(beta_) : zeros({channels});
    Tensor y = reshape(batch_norm_training(x2d, gamma, beta, stats), channels_last.shape());
    if (!axis_is_last) y = permute(y, detail::inverse_permutation(order));

    if (fused) {
        const double bessel =
            static_cast<double>(rows) / static_cast<double>(std::max<int64_t>(rows - 1, 1));
        for (double& v : stats.variance) v *= bessel;
    }
    update_moving_average(moving_mean_, {stats.mean.begin(), stats.mean.end()}, options_.momentum);
    update_moving_average(moving_variance_, stats.variance, options_.momentum);
    return y;
}

Json BatchNormalization::config() const {
    Json config = Layer::config();
    config["axis"] = built_rank_ == 0 ? Json(options_.axis) : Json::array({built_axis_});
    config["momentum"] = options_.momentum;
    config["epsilon"] = options_.epsilon;
    write_gamma_beta_config(
        config, options_,
        {{"moving_mean_initializer", options_.moving_mean_initializer.to_json()},
         {"moving_variance_initializer", options_.moving_variance_initializer.to_json()}});
    return config;
}

std::unique_ptr<BatchNormalization> BatchNormalization::from_config(const Json& config) {
    ConfigReader reader(config, "BatchNormalization config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    BatchNormalizationOptions options;
    options.axis = reader.get_int("axis", -1);  // an int or [axis], as written after build
    options.momentum = reader.get_number("momentum", 0.99);
    options.epsilon = reader.get_number("epsilon", 1e-3);
    read_gamma_beta_config(reader, options);
    options.moving_mean_initializer = read_initializer(reader, "moving_mean_initializer", "zeros");
    options.moving_variance_initializer =
        read_initializer(reader, "moving_variance_initializer", "ones");
    // tf.keras writes these only when set; minidl implements neither.
    if (reader.get_bool("renorm", false)) reader.fail("renorm", "is not supported by minidl");
    if (reader.take("virtual_batch_size") != nullptr)
        reader.fail("virtual_batch_size", "is not supported by minidl");
    return finish_from_config<BatchNormalization>(reader, base, options);
}

}  // namespace minidl::layers
