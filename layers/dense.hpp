// Dense: Keras's densely-connected layer (tf.keras.layers.Dense), docs/layers/dense.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "minidl/layers/activation.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order and with Keras's defaults; units is required.
struct DenseOptions {
    int64_t units = 0;
    minidl::Activation activation = {};
    bool use_bias = true;
    initializers::Initializer kernel_initializer = "glorot_uniform";
    initializers::Initializer bias_initializer = "zeros";
    regularizers::Regularizer kernel_regularizer = {};
    regularizers::Regularizer bias_regularizer = {};
    regularizers::Regularizer activity_regularizer = {};
    constraints::Constraint kernel_constraint = {};
    constraints::Constraint bias_constraint = {};
    bool trainable = true;
    std::string name = {};
};

/// y = activation(x · kernel + bias) over the last axis of x: an input [B, ..., C] gives
/// [B, ..., units] (Keras's tensordot for rank > 2). Weights: kernel (C, units), bias (units).
class Dense : public Layer {
  public:
    /// Throws ValueError when units < 1.
    explicit Dense(const DenseOptions& options);

    Shape compute_output_shape(const Shape& input_shape) const override;
    std::string class_name() const override { return "Dense"; }
    Json config() const override;
    /// Builds the layer from tf.keras's get_config (every key tf.keras 2.x writes is accepted).
    static std::unique_ptr<Dense> from_config(const Json& config);

    const DenseOptions& options() const { return options_; }
    /// The kernel, once built (undefined before).
    const Parameter& kernel() const { return kernel_; }
    /// The bias once built with use_bias (undefined otherwise).
    const Parameter& bias() const { return bias_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override;
    /// Rank >= 2 and, once built, the built number of input features on the last axis.
    void check_input(const Shape& input_shape) const override;

  private:
    DenseOptions options_;
    Parameter kernel_;
    Parameter bias_;
};

}  // namespace minidl::layers
