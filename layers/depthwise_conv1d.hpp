// DepthwiseConv1D: Keras's depthwise 1-D convolution (tf.keras.layers.DepthwiseConv1D), the first
// stage of SeparableConv1D on its own (docs/layers/depthwise_conv1d.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "minidl/layers/activation.hpp"
#include "minidl/layers/conv_layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order and with Keras's defaults; kernel_size is required.
struct DepthwiseConv1DOptions {
    int64_t kernel_size = 0;
    int64_t strides = 1;
    /// valid or same; Keras 2 rejects causal for this layer.
    Choice<Padding> padding = Padding::Valid;
    int64_t depth_multiplier = 1;
    Choice<DataFormat> data_format = DataFormat::ChannelsLast;
    int64_t dilation_rate = 1;
    minidl::Activation activation = {};
    bool use_bias = true;
    initializers::Initializer depthwise_initializer = "glorot_uniform";
    initializers::Initializer bias_initializer = "zeros";
    regularizers::Regularizer depthwise_regularizer = {};
    regularizers::Regularizer bias_regularizer = {};
    regularizers::Regularizer activity_regularizer = {};
    constraints::Constraint depthwise_constraint = {};
    constraints::Constraint bias_constraint = {};
    bool trainable = true;
    std::string name = {};
};

/// y = activation(depthwise(x) + bias): each of the C input channels is convolved with
/// depth_multiplier kernels, giving C * depth_multiplier output channels (channel c * M + m).
/// Weights: depthwise_kernel (kernel_size, C, depth_multiplier), bias (C * depth_multiplier).
class DepthwiseConv1D : public ConvLayer1D<DepthwiseConv1DOptions> {
  public:
    /// Throws ValueError naming the argument for any invalid one.
    explicit DepthwiseConv1D(const DepthwiseConv1DOptions& options);

    std::string class_name() const override { return "DepthwiseConv1D"; }
    Json config() const override;
    /// Builds the layer from tf.keras's get_config (every key tf.keras 2.x writes is accepted).
    static std::unique_ptr<DepthwiseConv1D> from_config(const Json& config);

    /// The kernel, once built (undefined before).
    const Parameter& depthwise_kernel() const { return depthwise_kernel_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override;
    int64_t output_channels(int64_t input_channels) const override;

  private:
    Parameter depthwise_kernel_;
};

}  // namespace minidl::layers
