// LayerNormalization: tf.keras 2.x's per-example normalization (docs/layers/normalization.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "minidl/core/ops.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order and with Keras's defaults.
struct LayerNormalizationOptions {
    /// The axes normalised together (negative count from the end); not empty, no repeats.
    Axes axis = {-1};
    /// Added to the variance before the square root; > 0.
    double epsilon = 1e-3;
    bool center = true;
    bool scale = true;
    initializers::Initializer beta_initializer = "zeros";
    initializers::Initializer gamma_initializer = "ones";
    regularizers::Regularizer beta_regularizer = {};
    regularizers::Regularizer gamma_regularizer = {};
    constraints::Constraint beta_constraint = {};
    constraints::Constraint gamma_constraint = {};
    bool trainable = true;
    std::string name = {};
};

/// y = gamma * (x - mean) / sqrt(var + epsilon) + beta, with the mean and (biased) variance
/// of each example over `axis`; the same in training and inference. Weights: gamma, beta, of
/// the normalised axes' sizes (in `axis` order).
class LayerNormalization : public Layer {
  public:
    /// Throws ValueError for an empty or repeated axis list or an epsilon that is not > 0.
    explicit LayerNormalization(const LayerNormalizationOptions& options = {});

    Shape compute_output_shape(const Shape& input_shape) const override;
    std::string class_name() const override { return "LayerNormalization"; }
    /// Base keys, then axis (as given before build: an int for one axis; the resolved list
    /// after, as tf.keras), epsilon, center, scale, initializers, regularizers, constraints.
    Json config() const override;
    static std::unique_ptr<LayerNormalization> from_config(const Json& config);

    const LayerNormalizationOptions& options() const { return options_; }
    /// The weights once built (undefined without scale/center).
    const Parameter& gamma() const { return gamma_; }
    const Parameter& beta() const { return beta_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override;
    /// The axes must exist and be distinct; once built, the rank and their sizes must match.
    void check_input(const Shape& input_shape) const override;

  private:
    /// `axis` as 0..rank-1 for an input of `input_shape`, in the given order, or ShapeError.
    Axes resolve_axes(const Shape& input_shape) const;

    LayerNormalizationOptions options_;
    Shape built_shape_;  ///< the first input's shape; rank 0 until built
    Axes built_axes_;
    Parameter gamma_, beta_;
};

}  // namespace minidl::layers
