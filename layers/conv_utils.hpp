// What Keras's 1-D convolution layers share: padding and data-format names, the argument
// checks, and the one place where Keras's padding rules become a Conv1DGeometry
// (KERAS_SEMANTICS.md §2-3). SeparableConv1D, DepthwiseConv1D and Conv1D all use these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "minidl/core/ops.hpp"
#include "minidl/core/shape.hpp"
#include "minidl/layers/activation.hpp"
#include "minidl/layers/config.hpp"
#include "minidl/layers/config_fields.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl {

enum class Padding { Valid, Same, Causal };
enum class DataFormat { ChannelsLast, ChannelsFirst };

/// Keras's name of each value ("valid", "channels_first").
std::string to_string(Padding padding);
std::string to_string(DataFormat data_format);
/// Case-insensitive; throw ValueError naming the argument and the accepted values.
Padding parse_padding(std::string_view text);
DataFormat parse_data_format(std::string_view text);

/// An option that takes an enum value or its Keras name: `.padding = Padding::Same` and
/// `.padding = "same"` both work. A bad name throws ValueError when the options are written.
template <class Enum>
class Choice {
  public:
    Choice(Enum value) : value_(value) {}
    Choice(const char* name) : value_(parse(name)) {}
    Choice(const std::string& name) : value_(parse(name)) {}
    Enum value() const { return value_; }
    operator Enum() const { return value_; }

  private:
    static Enum parse(std::string_view name) {
        if constexpr (std::is_same_v<Enum, Padding>) {
            return parse_padding(name);
        } else {
            return parse_data_format(name);
        }
    }
    Enum value_;
};

/// The arguments every 1-D convolution layer has.
struct Conv1DArguments {
    int64_t kernel_size = 0;
    int64_t strides = 1;
    Padding padding = Padding::Valid;
    DataFormat data_format = DataFormat::ChannelsLast;
    int64_t dilation_rate = 1;
};

/// Keras's argument checks: kernel_size, strides and dilation_rate >= 1, not strides > 1 with
/// dilation_rate > 1. Throws ValueError "<layer>: <argument> ..." with the received value.
void validate_conv1d_arguments(const Conv1DArguments& arguments, const std::string& layer);

/// Keras's output length for an input of `length` steps (§2 table); may be <= 0.
int64_t conv1d_output_length(const Conv1DArguments& arguments, int64_t length);

/// A checked rank-3 input of a 1-D convolution layer.
struct Conv1DInput {
    int64_t batch = 0;
    int64_t length = 0;
    int64_t channels = 0;
    Conv1DGeometry geometry;  ///< where the taps fall for this length
    int64_t output_length = 0;
};

/// Checks an input of `input_shape` in the arguments' data format: rank 3, a non-empty channel
/// axis equal to `expected_channels` when that is > 0 (a built layer), and enough steps for one
/// output. Throws ShapeError naming the layer and the shapes.
Conv1DInput inspect_conv1d_input(const Conv1DArguments& arguments, const Shape& input_shape,
                                 int64_t expected_channels, const std::string& layer);

/// `x` in channels_last order (transposed once when it is channels_first).
Tensor to_channels_last(const Tensor& x, DataFormat data_format);

/// y [B, Lout, C] (channels_last) in `data_format`'s order.
Tensor from_channels_last(const Tensor& y, DataFormat data_format);

/// The shared tail of the convolution layers: y (in `data_format`) plus `bias` when it is
/// defined, then `activation` (applied in the output's layout, as Keras does, which matters for
/// softmax).
Tensor finish_conv1d_output(const Tensor& y, const Tensor& bias, DataFormat data_format,
                            const Activation& activation);

/// Shape [batch, steps, channels] in `data_format`'s order.
Shape conv1d_shape(int64_t batch, int64_t steps, int64_t channels, DataFormat data_format);

/// Writes the shared keys in tf.keras's order (kernel_size, strides, padding, data_format,
/// dilation_rate) into `config`, as one-element lists like Keras.
void write_conv1d_arguments(const Conv1DArguments& arguments, Json& config);
/// Reads them back (ints or one-element lists; Keras's defaults when absent).
Conv1DArguments read_conv1d_arguments(ConfigReader& reader);

/// Reads `groups`, which tf.keras 2.x writes (as 1) for layers that inherit it from Conv but do
/// not support it; any other value is a ValueError naming the key.
void read_groups_of_one(ConfigReader& reader, const std::string& class_name);

/// The config keys the three convolution layers share, ready to write in tf.keras 2.x's order:
/// [filters], kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
/// use_bias, [kernel_initializer], bias_initializer, [kernel_regularizer], bias_regularizer,
/// activity_regularizer, [kernel_constraint], bias_constraint. Bracketed keys are written when
/// set (DepthwiseConv1D has neither filters nor kernel_*).
struct ConvConfigKeys {
    std::optional<int64_t> filters;
    Conv1DArguments arguments;
    int64_t groups = 1;
    Json activation;
    bool use_bias = true;
    std::optional<Json> kernel_initializer, kernel_regularizer, kernel_constraint;
    Json bias_initializer, bias_regularizer, activity_regularizer, bias_constraint;
};
void write_conv_config_keys(const ConvConfigKeys& keys, Json& config);

/// The conv arguments of a layer's options struct (every conv options struct has these fields).
template <class Options>
Conv1DArguments conv1d_arguments_of(const Options& options) {
    return {.kernel_size = options.kernel_size,
            .strides = options.strides,
            .padding = options.padding,
            .data_format = options.data_format,
            .dilation_rate = options.dilation_rate};
}

/// The shared keys from a conv layer's options struct (every such struct has these fields).
template <class Options>
ConvConfigKeys conv_config_keys(const Options& options) {
    ConvConfigKeys keys;
    keys.arguments = conv1d_arguments_of(options);
    keys.activation = options.activation.to_json();
    keys.use_bias = options.use_bias;
    keys.bias_initializer = options.bias_initializer.to_json();
    keys.bias_regularizer = options.bias_regularizer.to_json();
    keys.activity_regularizer = options.activity_regularizer.to_json();
    keys.bias_constraint = options.bias_constraint.to_json();
    return keys;
}

/// Reads the keys every conv layer shares (base keys, conv arguments, activation, use_bias,
/// bias_* and activity_regularizer) into `options`; the caller reads the layer's own keys, then
/// calls reader.finish(). Returns the batch_input_shape, if the config has one.
template <class Options>
std::optional<std::vector<int64_t>> read_conv_config_keys(ConfigReader& reader, Options& options) {
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    options.name = base.name;
    options.trainable = base.trainable;
    const Conv1DArguments arguments = read_conv1d_arguments(reader);
    options.kernel_size = arguments.kernel_size;
    options.strides = arguments.strides;
    options.padding = arguments.padding;
    options.data_format = arguments.data_format;
    options.dilation_rate = arguments.dilation_rate;
    options.activation = read_activation(reader, "activation");
    options.use_bias = reader.get_bool("use_bias", true);
    options.bias_initializer = read_initializer(reader, "bias_initializer", "zeros");
    options.bias_regularizer = read_regularizer(reader, "bias_regularizer");
    options.activity_regularizer = read_regularizer(reader, "activity_regularizer");
    options.bias_constraint = read_constraint(reader, "bias_constraint");
    return base.batch_input_shape;
}

}  // namespace minidl
