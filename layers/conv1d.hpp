// Conv1D: Keras's 1-D convolution (tf.keras.layers.Conv1D), including grouped convolution
// (docs/layers/conv1d.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "minidl/layers/activation.hpp"
#include "minidl/layers/conv_layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order and with Keras's defaults; filters and kernel_size are
/// required.
struct Conv1DOptions {
    int64_t filters = 0;
    int64_t kernel_size = 0;
    int64_t strides = 1;
    Choice<Padding> padding = Padding::Valid;
    Choice<DataFormat> data_format = DataFormat::ChannelsLast;
    int64_t dilation_rate = 1;
    /// Splits channels into groups convolved separately; must divide filters (and, at build,
    /// the input channels).
    int64_t groups = 1;
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

/// y = activation(conv(x) + bias). Weights: kernel (kernel_size, C / groups, filters),
/// bias (filters).
class Conv1D : public ConvLayer1D<Conv1DOptions> {
  public:
    /// Throws ValueError naming the argument for any invalid one.
    explicit Conv1D(const Conv1DOptions& options);

    std::string class_name() const override { return "Conv1D"; }
    Json config() const override;
    /// Builds the layer from tf.keras's get_config (every key tf.keras 2.x writes is accepted).
    static std::unique_ptr<Conv1D> from_config(const Json& config);

    /// The kernel, once built (undefined before).
    const Parameter& kernel() const { return kernel_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override;
    int64_t output_channels(int64_t input_channels) const override;
    /// Also checks that groups divides the input channels.
    void check_input(const Shape& input_shape) const override;

  private:
    Parameter kernel_;
};

}  // namespace minidl::layers
