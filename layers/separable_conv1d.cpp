#include "minidl/layers/separable_conv1d.hpp"

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/config_fields.hpp"

namespace minidl::layers {

SeparableConv1D::SeparableConv1D(const SeparableConv1DOptions& options)
    : ConvLayer1D("separable_conv1d", options) {
    require_positive_argument(options_.filters, "filters", name());
    require_positive_argument(options_.depth_multiplier, "depth_multiplier", name());
}

int64_t SeparableConv1D::output_channels(int64_t /*input_channels*/) const {
    return options_.filters;
}

void SeparableConv1D::create_weights(const Shape& input_shape) {
    const int64_t channels = inspect(input_shape).channels;
    // The members are set only once every weight exists, so a failed build leaves none behind.
    Parameter depthwise =
        add_weight("depthwise_kernel", {options_.kernel_size, channels, options_.depth_multiplier},
                   options_.depthwise_initializer, options_.depthwise_regularizer,
                   options_.depthwise_constraint);
    Parameter pointwise =
        add_weight("pointwise_kernel", {1, channels * options_.depth_multiplier, options_.filters},
                   options_.pointwise_initializer, options_.pointwise_regularizer,
                   options_.pointwise_constraint);
    add_bias(channels);
    depthwise_kernel_ = std::move(depthwise);
    pointwise_kernel_ = std::move(pointwise);
    input_channels_ = channels;
}

Tensor SeparableConv1D::call(const Tensor& x, bool /*training*/) {
    const Conv1DInput input = inspect(x.shape());
    // Both stages read and write the layer's data format: no tensor is transposed.
    const Tensor depthwise =
        depthwise_conv1d(x, depthwise_kernel_, input.geometry,
                         {.channels_first = options_.data_format == DataFormat::ChannelsFirst});
    return pointwise(depthwise, pointwise_kernel_);
}

Json SeparableConv1D::config() const {
    Json config = Layer::config();
    ConvConfigKeys keys = conv_config_keys(options_);
    keys.filters = options_.filters;
    // tf.keras 2.x writes the kernel_* arguments SeparableConv1D inherits from Conv and ignores.
    keys.kernel_initializer = initializers::GlorotUniform().to_json();
    keys.kernel_regularizer = nullptr;
    keys.kernel_constraint = nullptr;
    write_conv_config_keys(keys, config);
    config["depth_multiplier"] = options_.depth_multiplier;
    config["depthwise_initializer"] = options_.depthwise_initializer.to_json();
    config["pointwise_initializer"] = options_.pointwise_initializer.to_json();
    config["depthwise_regularizer"] = options_.depthwise_regularizer.to_json();
    config["pointwise_regularizer"] = options_.pointwise_regularizer.to_json();
    config["depthwise_constraint"] = options_.depthwise_constraint.to_json();
    config["pointwise_constraint"] = options_.pointwise_constraint.to_json();
    return config;
}

std::unique_ptr<SeparableConv1D> SeparableConv1D::from_config(const Json& config) {
    ConfigReader reader(config, "SeparableConv1D config");
    SeparableConv1DOptions options;
    const auto batch_input_shape = read_conv_config_keys(reader, options);
    options.filters = reader.require_int("filters");
    read_groups_of_one(reader, "SeparableConv1D");
    for (const char* unused : {"kernel_initializer", "kernel_regularizer", "kernel_constraint"}) {
        reader.ignore(unused);
    }
    options.depth_multiplier = reader.get_int("depth_multiplier", 1);
    options.depthwise_initializer =
        read_initializer(reader, "depthwise_initializer", "glorot_uniform");
    options.pointwise_initializer =
        read_initializer(reader, "pointwise_initializer", "glorot_uniform");
    options.depthwise_regularizer = read_regularizer(reader, "depthwise_regularizer");
    options.pointwise_regularizer = read_regularizer(reader, "pointwise_regularizer");
    options.depthwise_constraint = read_constraint(reader, "depthwise_constraint");
    options.pointwise_constraint = read_constraint(reader, "pointwise_constraint");
    reader.finish();
    auto layer = std::make_unique<SeparableConv1D>(options);
    if (batch_input_shape) layer->set_batch_input_shape(*batch_input_shape);
    return layer;
}

}  // namespace minidl::layers
