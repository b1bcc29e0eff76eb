#include "minidl/layers/conv1d.hpp"

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/config_fields.hpp"

namespace minidl::layers {

Conv1D::Conv1D(const Conv1DOptions& options) : ConvLayer1D("conv1d", options) {
    require_positive_argument(options_.filters, "filters", name());
    require_positive_argument(options_.groups, "groups", name());
    if (options_.filters % options_.groups != 0) {
        throw ValueError(name() + ": 'filters' must be divisible by 'groups', got filters=" +
                         std::to_string(options_.filters) +
                         " and groups=" + std::to_string(options_.groups));
    }
}

int64_t Conv1D::output_channels(int64_t /*input_channels*/) const { return options_.filters; }

void Conv1D::check_input(const Shape& input_shape) const {
    const int64_t channels = inspect(input_shape).channels;
    if (channels % options_.groups != 0) {
        throw ShapeError(name() + ": the input's " + std::to_string(channels) +
                         " channels (shape " + input_shape.to_string() +
                         ") are not divisible by groups=" + std::to_string(options_.groups));
    }
}

void Conv1D::create_weights(const Shape& input_shape) {
    const int64_t channels = inspect(input_shape).channels;
    // The member is set only once every weight exists, so a failed build leaves none behind.
    Parameter kernel = add_weight(
        "kernel", {options_.kernel_size, channels / options_.groups, options_.filters},
        options_.kernel_initializer, options_.kernel_regularizer, options_.kernel_constraint);
    add_bias(channels);
    kernel_ = std::move(kernel);
    input_channels_ = channels;
}

Tensor Conv1D::call(const Tensor& x, bool /*training*/) {
    const Conv1DInput input = inspect(x.shape());
    // A kernel of one tap that reads every step and every channel is a pointwise convolution.
    if (options_.kernel_size == 1 && options_.strides == 1 && options_.groups == 1) {
        return pointwise(x, kernel_);
    }
    const Tensor y =
        conv1d(to_channels_last(x, options_.data_format), kernel_, input.geometry, options_.groups);
    return finish(from_channels_last(y, options_.data_format));
}

Json Conv1D::config() const {
    Json config = Layer::config();
    ConvConfigKeys keys = conv_config_keys(options_);
    keys.filters = options_.filters;
    keys.groups = options_.groups;
    keys.kernel_initializer = options_.kernel_initializer.to_json();
    keys.kernel_regularizer = options_.kernel_regularizer.to_json();
    keys.kernel_constraint = options_.kernel_constraint.to_json();
    write_conv_config_keys(keys, config);
    return config;
}

std::unique_ptr<Conv1D> Conv1D::from_config(const Json& config) {
    ConfigReader reader(config, "Conv1D config");
    Conv1DOptions options;
    const auto batch_input_shape = read_conv_config_keys(reader, options);
    options.filters = reader.require_int("filters");
    options.groups = reader.get_int("groups", 1);
    options.kernel_initializer = read_initializer(reader, "kernel_initializer", "glorot_uniform");
    options.kernel_regularizer = read_regularizer(reader, "kernel_regularizer");
    options.kernel_constraint = read_constraint(reader, "kernel_constraint");
    reader.finish();
    auto layer = std::make_unique<Conv1D>(options);
    if (batch_input_shape) layer->set_batch_input_shape(*batch_input_shape);
    return layer;
}

}  // namespace minidl::layers
