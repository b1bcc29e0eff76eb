// BatchNormalization: tf.keras 2.x's batch normalization with moving statistics
// (docs/layers/normalization.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order and with Keras's defaults.
struct BatchNormalizationOptions {
    /// The feature axis (one per channel statistics); negative counts from the end.
    int64_t axis = -1;
    /// moving = moving * momentum + batch * (1 - momentum); in [0, 1].
    double momentum = 0.99;
    /// Added to the variance before the square root; > 0.
    double epsilon = 1e-3;
    /// Adds the learned offset beta.
    bool center = true;
    /// Multiplies by the learned factor gamma.
    bool scale = true;
    initializers::Initializer beta_initializer = "zeros";
    initializers::Initializer gamma_initializer = "ones";
    initializers::Initializer moving_mean_initializer = "zeros";
    initializers::Initializer moving_variance_initializer = "ones";
    regularizers::Regularizer beta_regularizer = {};
    regularizers::Regularizer gamma_regularizer = {};
    constraints::Constraint beta_constraint = {};
    constraints::Constraint gamma_constraint = {};
    bool trainable = true;
    std::string name = {};
};

/// y = gamma * (x - mean) / sqrt(var + epsilon) + beta per channel of `axis`. Training uses the
/// batch's mean and (biased) variance over every other axis and updates the moving statistics;
/// inference (training = false, or a frozen layer, as in tf.keras 2.x) uses the moving ones.
/// Weights: gamma, beta (trainable), moving_mean, moving_variance (non-trainable), each (C,).
class BatchNormalization : public Layer {
  public:
    /// Throws ValueError for a momentum outside [0, 1] or an epsilon that is not > 0.
    explicit BatchNormalization(const BatchNormalizationOptions& options = {});

    Shape compute_output_shape(const Shape& input_shape) const override;
    std::string class_name() const override { return "BatchNormalization"; }
    /// Base keys, then axis (as given before build; [resolved axis] after, as tf.keras), momentum,
    /// epsilon, center, scale, the four initializers, beta/gamma regularizers and constraints.
    Json config() const override;
    /// Accepts every key tf.keras 2.x writes; renorm, virtual_batch_size and a multi-axis list
    /// are ValueErrors (not supported).
    static std::unique_ptr<BatchNormalization> from_config(const Json& config);

    const BatchNormalizationOptions& options() const { return options_; }
    /// The weights once built (gamma/beta undefined without scale/center).
    const Parameter& gamma() const { return gamma_; }
    const Parameter& beta() const { return beta_; }
    const Parameter& moving_mean() const { return moving_mean_; }
    const Parameter& moving_variance() const { return moving_variance_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override;
    /// The axis must exist; once built, the rank and the axis's size must match.
    void check_input(const Shape& input_shape) const override;

  private:
    /// `axis` in 0..rank-1 for an input of `input_shape`, or ShapeError.
    int resolve_axis(const Shape& input_shape) const;
    Tensor normalize_with_moving_statistics(const Tensor& x, int axis) const;
    Tensor normalize_with_batch_statistics(const Tensor& x, int axis);

    BatchNormalizationOptions options_;
    int built_rank_ = 0;  ///< 0 until built
    int built_axis_ = 0;
    Parameter gamma_, beta_, moving_mean_, moving_variance_;
};

}  // namespace minidl::layers
