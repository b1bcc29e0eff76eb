#include "minidl/layers/depthwise_conv1d.hpp"

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/config_fields.hpp"

namespace minidl::layers {

DepthwiseConv1D::DepthwiseConv1D(const DepthwiseConv1DOptions& options)
    : ConvLayer1D("depthwise_conv1d", options) {
    if (options_.padding == Padding::Causal) {
        // tf.keras 2.x: "Causal padding is only supported for Conv1D and SeparableConv1D".
        throw ValueError(name() +
                         ": 'padding' must be 'valid' or 'same' for DepthwiseConv1D, got "
                         "'causal' (only Conv1D and SeparableConv1D support it)");
    }
    require_positive_argument(options_.depth_multiplier, "depth_multiplier", name());
}

int64_t DepthwiseConv1D::output_channels(int64_t input_channels) const {
    return input_channels * options_.depth_multiplier;
}

void DepthwiseConv1D::create_weights(const Shape& input_shape) {
    const int64_t channels = inspect(input_shape).channels;
    // The members are set only once every weight exists, so a failed build leaves none behind.
    Parameter depthwise =
        add_weight("depthwise_kernel", {options_.kernel_size, channels, options_.depth_multiplier},
                   options_.depthwise_initializer, options_.depthwise_regularizer,
                   options_.depthwise_constraint);
    add_bias(channels);
    depthwise_kernel_ = std::move(depthwise);
    input_channels_ = channels;
}

Tensor DepthwiseConv1D::call(const Tensor& x, bool /*training*/) {
    const Conv1DInput input = inspect(x.shape());
    return finish(
        depthwise_conv1d(x, depthwise_kernel_, input.geometry,
                         {.channels_first = options_.data_format == DataFormat::ChannelsFirst}));
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
    read_groups_of_one(reader, "DepthwiseConv1D");
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
