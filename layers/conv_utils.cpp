#include "minidl/layers/conv_utils.hpp"

#include "minidl/core/error.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// The taps and pads Keras applies to an input of `length` steps (KERAS_SEMANTICS.md §2).
Conv1DGeometry keras_geometry(const Conv1DArguments& arguments, int64_t length,
                              int64_t output_length) {
    Conv1DGeometry geometry{.kernel_size = arguments.kernel_size,
                            .stride = arguments.strides,
                            .dilation = arguments.dilation_rate};
    if (arguments.padding == Padding::Causal) {
        geometry.pad_left = (arguments.kernel_size - 1) * arguments.dilation_rate;
    } else if (arguments.padding == Padding::Same) {
        // TensorFlow's SAME: the total pad needed for ceil(L / s) outputs, the odd one on the
        // right.
        const int64_t total = std::max<int64_t>(
            (output_length - 1) * arguments.strides + geometry.dilated_kernel_size() - length, 0);
        geometry.pad_left = total / 2;
        geometry.pad_right = total - geometry.pad_left;
    }
    return geometry;
}

}  // namespace

std::string to_string(Padding padding) {
    switch (padding) {
        case Padding::Valid:
            return "valid";
        case Padding::Same:
            return "same";
        case Padding::Causal:
            return "causal";
    }
    return "?";
}

std::string to_string(DataFormat data_format) {
    return data_format == DataFormat::ChannelsLast ? "channels_last" : "channels_first";
}

Padding parse_padding(std::string_view text) {
    const std::string name = lowercase(text);
    if (name == "valid") return Padding::Valid;
    if (name == "same") return Padding::Same;
    if (name == "causal") return Padding::Causal;
    throw ValueError("padding: expected one of 'valid', 'same', 'causal', got '" +
                     std::string(text) + "'");
}

DataFormat parse_data_format(std::string_view text) {
    const std::string name = lowercase(text);
    if (name == "channels_last") return DataFormat::ChannelsLast;
    if (name == "channels_first") return DataFormat::ChannelsFirst;
    throw ValueError("data_format: expected 'channels_last' or 'channels_first', got '" +
                     std::string(text) + "'");
}

void validate_conv1d_arguments(const Conv1DArguments& arguments, const std::string& layer) {
    require_positive_argument(arguments.kernel_size, "kernel_size", layer);
    require_positive_argument(arguments.strides, "strides", layer);
    require_positive_argument(arguments.dilation_rate, "dilation_rate", layer);
    if (arguments.strides > 1 && arguments.dilation_rate > 1) {
        throw ValueError(layer +
                         ": 'strides' > 1 is not compatible with 'dilation_rate' > 1, got "
                         "strides=" +
                         std::to_string(arguments.strides) +
                         " and dilation_rate=" + std::to_string(arguments.dilation_rate));
    }
}

int64_t conv1d_output_length(const Conv1DArguments& arguments, int64_t length) {
    const int64_t dilated = (arguments.kernel_size - 1) * arguments.dilation_rate + 1;
    if (arguments.padding == Padding::Valid) {
        return ceil_div(length - dilated + 1, arguments.strides);
    }
    return ceil_div(length, arguments.strides);
}

Conv1DInput inspect_conv1d_input(const Conv1DArguments& arguments, const Shape& input_shape,
                                 int64_t expected_channels, const std::string& layer) {
    const bool channels_last = arguments.data_format == DataFormat::ChannelsLast;
    const char* layout = channels_last ? "(batch, steps, channels)" : "(batch, channels, steps)";
    if (input_shape.rank() != 3) {
        throw ShapeError(layer + ": expected an input of rank 3 " + layout + ", got shape " +
                         input_shape.to_string());
    }
    Conv1DInput input;
    input.batch = input_shape[0];
    input.length = input_shape[channels_last ? 1 : 2];
    input.channels = input_shape[channels_last ? 2 : 1];
    if (input.channels < 1) {
        throw ShapeError(layer + ": the input's channel axis must not be empty, got shape " +
                         input_shape.to_string() + " " + layout);
    }
    if (expected_channels > 0 && input.channels != expected_channels) {
        throw ShapeError(layer + ": the layer was built for " + std::to_string(expected_channels) +
                         " input channels but got an input of shape " + input_shape.to_string() +
                         " with " + std::to_string(input.channels) + " channels " + layout);
    }
    input.output_length = conv1d_output_length(arguments, input.length);
    if (input.output_length < 1) {
        throw ShapeError(layer + ": input " + input_shape.to_string() + " has " +
                         std::to_string(input.length) + " steps, too few for kernel_size " +
                         std::to_string(arguments.kernel_size) + " with dilation_rate " +
                         std::to_string(arguments.dilation_rate) + " and padding '" +
                         to_string(arguments.padding) + "' (the output would have " +
                         std::to_string(input.output_length) + " steps)");
    }
    input.geometry = keras_geometry(arguments, input.length, input.output_length);
    return input;
}

Tensor to_channels_last(const Tensor& x, DataFormat data_format) {
    return data_format == DataFormat::ChannelsFirst ? transpose(x, 1, 2) : x;
}

Tensor from_channels_last(const Tensor& y, DataFormat data_format) {
    return to_channels_last(y, data_format);  // swapping axes 1 and 2 is its own inverse
}

Tensor finish_conv1d_output(const Tensor& y, const Tensor& bias, DataFormat data_format,
                            const Activation& activation) {
    Tensor out = y;
    if (bias.defined()) {
        // channels_first: bias [F] as [F, 1], broadcast along the steps.
        out = add(
            y, data_format == DataFormat::ChannelsFirst ? reshape(bias, {bias.size(0), 1}) : bias);
    }
    return activation.is_linear() ? out : activation(out);
}

Shape conv1d_shape(int64_t batch, int64_t steps, int64_t channels, DataFormat data_format) {
    return data_format == DataFormat::ChannelsLast ? Shape{batch, steps, channels}
                                                   : Shape{batch, channels, steps};
}

void read_groups_of_one(ConfigReader& reader, const std::string& class_name) {
    if (const int64_t groups = reader.get_int("groups", 1); groups != 1) {
        reader.fail("groups", "must be 1 for " + class_name + ", got " + std::to_string(groups));
    }
}

void write_conv_config_keys(const ConvConfigKeys& keys, Json& config) {
    if (keys.filters) config["filters"] = *keys.filters;
    write_conv1d_arguments(keys.arguments, config);
    config["groups"] = keys.groups;
    config["activation"] = keys.activation;
    config["use_bias"] = keys.use_bias;
    if (keys.kernel_initializer) config["kernel_initializer"] = *keys.kernel_initializer;
    config["bias_initializer"] = keys.bias_initializer;
    if (keys.kernel_regularizer) config["kernel_regularizer"] = *keys.kernel_regularizer;
    config["bias_regularizer"] = keys.bias_regularizer;
    config["activity_regularizer"] = keys.activity_regularizer;
    if (keys.kernel_constraint) config["kernel_constraint"] = *keys.kernel_constraint;
    config["bias_constraint"] = keys.bias_constraint;
}

void write_conv1d_arguments(const Conv1DArguments& arguments, Json& config) {
    config["kernel_size"] = Json::array({arguments.kernel_size});
    config["strides"] = Json::array({arguments.strides});
    config["padding"] = to_string(arguments.padding);
    config["data_format"] = to_string(arguments.data_format);
    config["dilation_rate"] = Json::array({arguments.dilation_rate});
}

Conv1DArguments read_conv1d_arguments(ConfigReader& reader) {
    Conv1DArguments arguments;
    arguments.kernel_size = reader.require_int("kernel_size");
    arguments.strides = reader.get_int("strides", 1);
    try {
        arguments.padding = parse_padding(reader.get_string("padding", "valid"));
        arguments.data_format =
            parse_data_format(reader.get_string("data_format", "channels_last"));
    } catch (const ValueError& error) {
        throw ValueError(reader.context() + ": " + error.what());
    }
    arguments.dilation_rate = reader.get_int("dilation_rate", 1);
    return arguments;
}

}  // namespace minidl
