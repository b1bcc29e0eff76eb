// ConvLayer1D: what SeparableConv1D, DepthwiseConv1D and Conv1D share as layers: the argument
// checks, the input checks against Keras's padding rules, the output shape, the bias, and the
// data-format and activation tail. Each layer adds its weights and its convolution.
#pragma once

#include <cstdint>
#include <string_view>

#include "minidl/layers/conv_utils.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// `Options` is the layer's options struct; it has the fields every Keras conv layer has
/// (kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias, bias_*,
/// activity_regularizer, trainable, name).
template <class Options>
class ConvLayer1D : public Layer {
  public:
    Shape compute_output_shape(const Shape& input_shape) const override {
        check_input(input_shape);
        const Conv1DInput input = inspect(input_shape);
        return conv1d_shape(input.batch, input.output_length, output_channels(input.channels),
                            options_.data_format);
    }

    const Options& options() const { return options_; }
    /// The bias once built with use_bias (undefined otherwise).
    const Parameter& bias() const { return bias_; }

  protected:
    /// Checks the shared arguments (ValueError naming the layer and the argument).
    ConvLayer1D(std::string_view prefix, const Options& options)
        : Layer(prefix, options.name, options.trainable), options_(options) {
        validate_conv1d_arguments(arguments_, name());
        set_activity_regularizer(options_.activity_regularizer);
    }

    /// Output channels for an input of `input_channels` channels.
    virtual int64_t output_channels(int64_t input_channels) const = 0;

    void check_input(const Shape& input_shape) const override { inspect(input_shape); }

    /// The checked input and its geometry; once built, the channels must match the built ones.
    Conv1DInput inspect(const Shape& input_shape) const {
        return inspect_conv1d_input(arguments_, input_shape, input_channels_, name());
    }

    /// Creates the bias (output_channels values) when use_bias; Keras creates it last.
    void add_bias(int64_t input_channels) {
        if (!options_.use_bias) return;
        bias_ = add_weight("bias", {output_channels(input_channels)}, options_.bias_initializer,
                           options_.bias_regularizer, options_.bias_constraint);
    }

    /// y (in the layer's data format) plus the bias, activated.
    Tensor finish(const Tensor& y) const {
        return finish_conv1d_output(y, bias_, options_.data_format, options_.activation);
    }

    /// The 1x1 convolution of x (in the layer's data format) by kernel [1, C, F], plus the bias,
    /// activated: one pointwise_conv1d op, which applies relu itself; another activation
    /// follows it.
    Tensor pointwise(const Tensor& x, const Tensor& kernel) const {
        const minidl::Activation& activation = options_.activation;
        const Tensor y =
            pointwise_conv1d(x, kernel, bias_,
                             {.relu = activation.is_relu(),
                              .channels_first = options_.data_format == DataFormat::ChannelsFirst});
        return activation.is_linear() || activation.is_relu() ? y : activation(y);
    }

    Options options_;
    Conv1DArguments arguments_ = conv1d_arguments_of(options_);
    int64_t input_channels_ = 0;  ///< 0 until built
    Parameter bias_;
};

}  // namespace minidl::layers
