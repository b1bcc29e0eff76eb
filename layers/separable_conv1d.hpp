// SeparableConv1D: Keras's depthwise-separable 1-D convolution, with every argument of
// tf.keras.layers.SeparableConv1D (docs/layers/separable_conv1d.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "minidl/layers/activation.hpp"
#include "minidl/layers/conv_layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order and with Keras's defaults. filters and kernel_size are
/// required (>= 1).
struct SeparableConv1DOptions {
    int64_t filters = 0;
    int64_t kernel_size = 0;
    int64_t strides = 1;
    Choice<Padding> padding = Padding::Valid;
    Choice<DataFormat> data_format = DataFormat::ChannelsLast;
    int64_t dilation_rate = 1;
    int64_t depth_multiplier = 1;
    minidl::Activation activation = {};
    bool use_bias = true;
    initializers::Initializer depthwise_initializer = "glorot_uniform";
    initializers::Initializer pointwise_initializer = "glorot_uniform";
    initializers::Initializer bias_initializer = "zeros";
    regularizers::Regularizer depthwise_regularizer = {};
    regularizers::Regularizer pointwise_regularizer = {};
    regularizers::Regularizer bias_regularizer = {};
    regularizers::Regularizer activity_regularizer = {};
    constraints::Constraint depthwise_constraint = {};
    constraints::Constraint pointwise_constraint = {};
    constraints::Constraint bias_constraint = {};
    bool trainable = true;
    std::string name = {};
};

/// y = activation(pointwise(depthwise(x)) + bias). The depthwise stage convolves each input
/// channel with depth_multiplier kernels (stride, dilation and padding apply here); the
/// pointwise stage mixes the C * depth_multiplier channels into `filters` with a 1x1 kernel.
/// Weights: depthwise_kernel (kernel_size, C, depth_multiplier), pointwise_kernel
/// (1, C * depth_multiplier, filters), bias (filters) when use_bias.
class SeparableConv1D : public ConvLayer1D<SeparableConv1DOptions> {
  public:
    /// Throws ValueError naming the argument for any invalid one.
    explicit SeparableConv1D(const SeparableConv1DOptions& options);

    std::string class_name() const override { return "SeparableConv1D"; }
    Json config() const override;
    /// Builds the layer from tf.keras's get_config (every key tf.keras 2.x writes is accepted).
    static std::unique_ptr<SeparableConv1D> from_config(const Json& config);

    /// The kernels, once built (undefined before).
    const Parameter& depthwise_kernel() const { return depthwise_kernel_; }
    const Parameter& pointwise_kernel() const { return pointwise_kernel_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override;
    int64_t output_channels(int64_t input_channels) const override;

  private:
    Parameter depthwise_kernel_;
    Parameter pointwise_kernel_;
};

}  // namespace minidl::layers
