#include "minidl/layers/depthwise_conv1d.hpp"

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/config_fields.hpp"

namespace minidl::layers {

DepthwiseConv1D::DepthwiseConv1D(const DepthwiseConv1DOptions& options)
    : Layer("depthwise_conv1d", options.name, options.trainable), options_(options) {
    validate_conv1d_arguments(conv_arguments(), name());
    if (options_.padding == Padding::Causal) {
        // tf.keras 2.x: "Causal padding is only supported for Conv1D and SeparableConv1D".
        throw ValueError(name() +
                         ": 'padding' must be 'valid' or 'same' for DepthwiseConv1D, got "
                         "'causal' (only Conv1D and SeparableConv1D support it)");
    }
    require_positive_argument(options_.depth_multiplier, "depth_multiplier", name());
    set_activity_regularizer(options_.activity_regularizer);
}

Conv1DArguments DepthwiseConv1D::conv_arguments() const {
    return conv_config_keys(options_).arguments;
}

void DepthwiseConv1D::check_input(const Shape& input_shape) const {
    inspect_conv1d_input(conv_arguments(), input_shape, input_channels_, name());
}

Shape DepthwiseConv1D::compute_output_shape(const Shape& input_shape) const {
    const Conv1DInput input =
        inspect_conv1d_input(conv_arguments(), input_shape, input_channels_, name());
    return conv1d_shape(input.batch, input.output_length,
                        input.channels * options_.depth_multiplier, options_.data_format);
}

void DepthwiseConv1D::create_weights(const Shape& input_shape) {
    const int64_t channels =
        inspect_conv1d_input(conv_arguments(), input_shape, 0, name()).channels;
    // The kernel member is set only once the bias exists, so a failed build leaves no weight.
    Parameter depthwise =
        add_weight("depthwise_kernel", {options_.kernel_size, channels, options_.depth_multiplier},
                   options_.depthwise_initializer, options_.depthwise_regularizer,
                   options_.depthwise_constraint);
    if (options_.use_bias) {
        bias_ =
            add_weight("bias", {channels * options_.depth_multiplier}, options_.bias_initializer,
                       options_.bias_regularizer, options_.bias_constraint);
    }
    depthwise_kernel_ = std::move(depthwise);
    input_channels_ = channels;
}

Tensor DepthwiseConv1D::call(const Tensor& x, bool /*training*/) {
    const Conv1DInput input =
        inspect_conv1d_input(conv_arguments(), x.shape(), input_channels_, name());
    return finish_conv1d_output(depthwise_conv1d(to_channels_last(x, options_.data_format),
                                                 depthwise_kernel_, input.geometry),
                                bias_, options_.data_format, options_.activation);
}

Json DepthwiseConv1D::config() const {
    Json config = Layer::config();
    write_conv_config_keys(conv_config_keys(options_), config);
    config["depth_multiplier"] = options_.depth_multiplier;
    config["depthwise_initializer"] = options_.depthwise_initializer.to_json();
    config["depthwise_regularizer"] = options_.depthwise_regularizer.to_json();
    config["depthwise_constraint"] = options_.depthwise_constraint.to_json();
    return config;
}

std::unique_ptr<DepthwiseConv1D> DepthwiseConv1D::from_config(const Json& config) {
    ConfigReader reader(config, "DepthwiseConv1D config");
    DepthwiseConv1DOptions options;
    const auto batch_input_shape = read_conv_config_keys(reader, options);
    if (const int64_t groups = reader.get_int("groups", 1); groups != 1) {
        reader.fail("groups", "must be 1 for DepthwiseConv1D, got " + std::to_string(groups));
    }
    options.depth_multiplier = reader.get_int("depth_multiplier", 1);
    options.depthwise_initializer =
        read_initializer(reader, "depthwise_initializer", "glorot_uniform");
    options.depthwise_regularizer = read_regularizer(reader, "depthwise_regularizer");
    options.depthwise_constraint = read_constraint(reader, "depthwise_constraint");
    reader.finish();
    auto layer = std::make_unique<DepthwiseConv1D>(options);
    if (batch_input_shape) layer->set_batch_input_shape(*batch_input_shape);
    return layer;
}

}  // namespace minidl::layers
