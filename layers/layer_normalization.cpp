#include "minidl/layers/layer_normalization.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "minidl/core/autograd.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/op_helpers.hpp"
#include "minidl/core/parallel.hpp"
#include "minidl/layers/from_config_support.hpp"
#include "minidl/layers/normalization_support.hpp"

namespace minidl::layers {
namespace {

std::string axes_to_string(const Axes& axes) {
    std::string text = "[";
    for (std::size_t i = 0; i < axes.size(); ++i)
        text += (i == 0 ? "" : ", ") + std::to_string(axes[i]);
    return text + "]";
}

/// The per-row op: x [rows, size] normalised over each row, times gamma plus beta (both
/// [size]). One graph node, differentiable in x, gamma and beta.
Tensor layer_norm_rows(const Tensor& x, const Tensor& gamma, const Tensor& beta, double epsilon) {
    const int64_t rows = x.size(0);
    const int64_t size = x.size(1);
    std::vector<float> mean(static_cast<std::size_t>(rows)), inv_std(mean.size());
    Tensor y = empty(x.shape());
    const float* px = x.data();
    const float* pg = gamma.data();
    const float* pb = beta.data();
    float* py = y.data();
    const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(size, 1));
    parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const float* row = px + r * size;
            double sum = 0.0, squares = 0.0;
            for (int64_t d = 0; d < size; ++d) sum += row[d];
            const double m = sum / static_cast<double>(size);
            for (int64_t d = 0; d < size; ++d) squares += (row[d] - m) * (row[d] - m);
            mean[r] = static_cast<float>(m);
            inv_std[r] =
                static_cast<float>(1.0 / std::sqrt(squares / static_cast<double>(size) + epsilon));
            for (int64_t d = 0; d < size; ++d)
                py[r * size + d] = (row[d] - mean[r]) * inv_std[r] * pg[d] + pb[d];
        }
    });
    return record(y, "layer_normalization", {x, gamma, beta},
                  [mean = std::move(mean), inv_std = std::move(inv_std), rows, size,
                   grain](const GradContext& ctx) {
                      const float* px = ctx.inputs[0].data();
                      const float* pg = ctx.inputs[1].data();
                      const float* g = ctx.grad.data();
                      // g * x_hat per element: summed over the rows, it is gamma's gradient.
                      Tensor g_x_hat = empty(ctx.inputs[0].shape());
                      Tensor dx = empty(ctx.inputs[0].shape());
                      float* pgx = g_x_hat.data();
                      float* pdx = dx.data();
                      parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
                          for (int64_t r = begin; r < end; ++r) {
                              const int64_t o = r * size;
                              double sum_gg = 0.0, sum_gg_x_hat = 0.0;
                              for (int64_t d = 0; d < size; ++d) {
                                  const float x_hat = (px[o + d] - mean[r]) * inv_std[r];
                                  const float gg = g[o + d] * pg[d];
                                  pgx[o + d] = g[o + d] * x_hat;
                                  sum_gg += gg;
                                  sum_gg_x_hat += static_cast<double>(gg) * x_hat;
                              }
                              const auto mean_gg = static_cast<float>(sum_gg / size);
                              const auto mean_gg_x_hat = static_cast<float>(sum_gg_x_hat / size);
                              for (int64_t d = 0; d < size; ++d) {
                                  const float x_hat = (px[o + d] - mean[r]) * inv_std[r];
                                  pdx[o + d] = inv_std[r] *
                                               (g[o + d] * pg[d] - mean_gg - x_hat * mean_gg_x_hat);
                              }
                          }
                      });
                      if (ctx.needs(0)) ctx.add(0, dx);
                      if (ctx.needs(1)) ctx.add(1, sum(g_x_hat, {0}));
                      if (ctx.needs(2)) ctx.add(2, sum(ctx.grad, {0}));
                  });
}

}  // namespace

LayerNormalization::LayerNormalization(const LayerNormalizationOptions& options)
    : Layer("layer_normalization", options.name, options.trainable), options_(options) {
    if (options_.axis.empty() || has_repeated_axes(options_.axis)) {
        throw ValueError(name() + ": 'axis' must be a non-empty list of distinct axes, got " +
                         axes_to_string(options_.axis));
    }
    check_normalization_epsilon(options_.epsilon, name());
}

Axes LayerNormalization::resolve_axes(const Shape& input_shape) const {
    return resolve_normalization_axes(options_.axis, input_shape, [this] {
        return name() + ": axis " + axes_to_string(options_.axis);
    });
}

void LayerNormalization::check_input(const Shape& input_shape) const {
    const Axes axes = resolve_axes(input_shape);
    if (built_shape_.rank() == 0) return;
    if (!fits_built_shape(input_shape, built_shape_, axes)) {
        throw ShapeError(name() + ": the layer was built for inputs of shape " +
                         built_shape_.to_string() + " (normalised axes " +
                         axes_to_string(built_axes_) + "), got shape " + input_shape.to_string());
    }
}

Shape LayerNormalization::compute_output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    return input_shape;
}

void LayerNormalization::create_weights(const Shape& input_shape) {
    const Axes axes = resolve_axes(input_shape);
    const Shape param_shape = sizes_along(input_shape, axes);
    // Members are set only once every weight exists, so a failed build leaves none behind.
    GammaBeta gamma_beta = add_gamma_beta(options_, param_shape, [this](const auto&... arguments) {
        return add_weight(arguments...);
    });
    gamma_ = std::move(gamma_beta.gamma);
    beta_ = std::move(gamma_beta.beta);
    built_shape_ = input_shape;
    built_axes_ = axes;
}

Tensor LayerNormalization::call(const Tensor& x, bool /*training*/) {
    if (x.numel() == 0) return x;
    // Normalised axes go last in increasing order, which is also how tf.keras 2.x lays gamma
    // and beta over the input (it reshapes them to the input's rank).
    Axes normalised = resolve_axes(x.shape());
    std::sort(normalised.begin(), normalised.end());
    Axes order;
    for (int64_t axis = 0; axis < x.rank(); ++axis) {
        if (!std::binary_search(normalised.begin(), normalised.end(), axis)) order.push_back(axis);
    }
    const bool already_last = normalised.front() == static_cast<int64_t>(order.size()) &&
                              normalised.back() == x.rank() - 1;
    order.insert(order.end(), normalised.begin(), normalised.end());
    const Tensor moved = already_last ? x : permute(x, order);
    int64_t size = 1;
    for (int64_t axis : normalised) size *= x.size(axis);
    const Tensor gamma = gamma_.defined() ? reshape(gamma_, {size}) : ones({size});
    const Tensor beta = beta_.defined() ? reshape(beta_, {size}) : zeros({size});
    const Tensor y = reshape(
        layer_norm_rows(reshape(moved, {x.numel() / size, size}), gamma, beta, options_.epsilon),
        moved.shape());
    return already_last ? y : permute(y, detail::inverse_permutation(order));
}

Json LayerNormalization::config() const {
    Json config = Layer::config();
    if (built_shape_.rank() > 0) {
        config["axis"] = built_axes_;
    } else if (options_.axis.size() == 1) {
        config["axis"] = options_.axis.front();
    } else {
        config["axis"] = options_.axis;
    }
    config["epsilon"] = options_.epsilon;
    write_gamma_beta_config(config, options_);
    return config;
}

std::unique_ptr<LayerNormalization> LayerNormalization::from_config(const Json& config) {
    ConfigReader reader(config, "LayerNormalization config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    LayerNormalizationOptions options;
    options.axis = read_normalization_axes(reader, NullAxis::Default);
    options.epsilon = reader.get_number("epsilon", 1e-3);
    read_gamma_beta_config(reader, options);
    return finish_from_config<LayerNormalization>(reader, base, options);
}

}  // namespace minidl::layers
