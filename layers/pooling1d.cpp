#include "minidl/layers/pooling1d.hpp"

#include "minidl/core/error.hpp"

namespace minidl::layers {
namespace {

/// The pooling window as a convolution's arguments, so that conv_utils places it with
/// TensorFlow's rules (a 'same' window is a dilation-1 'same' kernel).
Conv1DArguments window_arguments(const Pooling1DOptions& options) {
    return {.kernel_size = options.pool_size,
            .strides = options.strides.value_or(options.pool_size),
            .padding = options.padding,
            .data_format = options.data_format};
}

}  // namespace

Pooling1D::Pooling1D(std::string_view prefix, const Pooling1DOptions& options)
    : Layer(prefix, options.name, options.trainable),
      options_(options),
      arguments_(window_arguments(options)) {
    require_positive_argument(arguments_.kernel_size, "pool_size", name());
    require_positive_argument(arguments_.strides, "strides", name());
    if (arguments_.padding == Padding::Causal) {
        throw ValueError(name() + ": 'padding' must be 'valid' or 'same' for pooling, got " +
                         "'causal'");
    }
}

Conv1DInput Pooling1D::inspect(const Shape& input_shape) const {
    if (input_shape.rank() == 3) {
        // Checked here for a message in the pooling's own terms; inspect_conv1d_input would
        // speak of kernels.
        const int64_t steps =
            input_shape[arguments_.data_format == DataFormat::ChannelsLast ? 1 : 2];
        const int64_t output_steps = conv1d_output_length(arguments_, steps);
        if (output_steps < 1) {
            throw ShapeError(name() + ": input " + input_shape.to_string() + " has " +
                             std::to_string(steps) + " steps, too few for pool_size " +
                             std::to_string(arguments_.kernel_size) + " with padding '" +
                             to_string(arguments_.padding) + "' (the output would have " +
                             std::to_string(output_steps) + " steps)");
        }
    }
    return inspect_conv1d_input(arguments_, input_shape, 0, name());
}

void Pooling1D::check_input(const Shape& input_shape) const { inspect(input_shape); }

Shape Pooling1D::compute_output_shape(const Shape& input_shape) const {
    const Conv1DInput input = inspect(input_shape);
    return conv1d_shape(input.batch, input.output_length, input.channels, arguments_.data_format);
}

Tensor Pooling1D::call(const Tensor& x, bool /*training*/) {
    const Conv1DGeometry& window = inspect(x.shape()).geometry;
    const Tensor y =
        pool(to_channels_last(x, arguments_.data_format), {.pool_size = window.kernel_size,
                                                           .stride = window.stride,
                                                           .pad_left = window.pad_left,
                                                           .pad_right = window.pad_right});
    return from_channels_last(y, arguments_.data_format);
}

Json Pooling1D::config() const {
    Json config = Layer::config();
    config["strides"] = Json::array({arguments_.strides});
    config["pool_size"] = Json::array({arguments_.kernel_size});
    config["padding"] = to_string(arguments_.padding);
    config["data_format"] = to_string(arguments_.data_format);
    return config;
}

ConfiguredOptions<Pooling1DOptions> Pooling1D::read_options(const Json& config,
                                                            const std::string& class_name) {
    ConfigReader reader(config, class_name + " config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    Pooling1DOptions options;
    options.name = base.name;
    options.trainable = base.trainable;
    options.pool_size = reader.get_int("pool_size", options.pool_size);
    options.strides = reader.get_int("strides", options.pool_size);  // null: pool_size
    options.padding = read_choice<Padding>(reader, "padding", "valid");
    options.data_format = read_choice<DataFormat>(reader, "data_format", "channels_last");
    reader.finish();
    return {options, base.batch_input_shape};
}

MaxPooling1D::MaxPooling1D(const MaxPooling1DOptions& options)
    : Pooling1D("max_pooling1d", options) {}

Tensor MaxPooling1D::pool(const Tensor& x, const Pool1DGeometry& geometry) const {
    return max_pool1d(x, geometry);
}

std::unique_ptr<MaxPooling1D> MaxPooling1D::from_config(const Json& config) {
    return make_configured<MaxPooling1D>(read_options(config, "MaxPooling1D"));
}

AveragePooling1D::AveragePooling1D(const AveragePooling1DOptions& options)
    : Pooling1D("average_pooling1d", options) {}

Tensor AveragePooling1D::pool(const Tensor& x, const Pool1DGeometry& geometry) const {
    return avg_pool1d(x, geometry);
}

std::unique_ptr<AveragePooling1D> AveragePooling1D::from_config(const Json& config) {
    return make_configured<AveragePooling1D>(read_options(config, "AveragePooling1D"));
}

}  // namespace minidl::layers
