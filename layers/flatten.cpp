#include "minidl/layers/flatten.hpp"

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/from_config_support.hpp"

namespace minidl::layers {

Flatten::Flatten(const FlattenOptions& options)
    : Layer("flatten", options.name, options.trainable), options_(options) {}

void Flatten::check_input(const Shape& input_shape) const {
    if (input_shape.rank() < 1) {
        throw ShapeError(name() + ": expected an input with a batch axis (rank >= 1), got shape " +
                         input_shape.to_string());
    }
}

Shape Flatten::compute_output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    int64_t features = 1;
    for (int axis = 1; axis < input_shape.rank(); ++axis) features *= input_shape[axis];
    return {input_shape[0], features};
}

Tensor Flatten::call(const Tensor& x, bool /*training*/) {
    const Shape output = compute_output_shape(x.shape());
    if (options_.data_format == DataFormat::ChannelsLast || x.rank() <= 2) {
        return x.reshape(output);
    }
    // channels_first: axes [0, 2, ..., n-1, 1], so the channels vary fastest, as in Keras.
    Axes channels_last = {0};
    for (int64_t axis = 2; axis < x.rank(); ++axis) channels_last.push_back(axis);
    channels_last.push_back(1);
    return permute(x, channels_last).reshape(output);
}

Json Flatten::config() const {
    Json config = Layer::config();
    config["data_format"] = to_string(options_.data_format.value());
    return config;
}

std::unique_ptr<Flatten> Flatten::from_config(const Json& config) {
    ConfigReader reader(config, "Flatten config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    FlattenOptions options;
    const std::string data_format = reader.get_string("data_format", "channels_last");
    try {
        options.data_format = data_format;
    } catch (const ValueError& error) {
        throw ValueError(reader.context() + ": " + error.what());
    }
    return finish_from_config<Flatten>(reader, base, options);
}

}  // namespace minidl::layers
