#include "minidl/layers/global_pooling1d.hpp"

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"

namespace minidl::layers {

GlobalPooling1D::GlobalPooling1D(std::string_view prefix, const GlobalPooling1DOptions& options)
    : Layer(prefix, options.name, options.trainable), options_(options) {}

void GlobalPooling1D::check_input(const Shape& input_shape) const {
    const bool channels_last = options_.data_format == DataFormat::ChannelsLast;
    const char* layout = channels_last ? "(batch, steps, channels)" : "(batch, channels, steps)";
    if (input_shape.rank() != 3) {
        throw ShapeError(name() + ": expected an input of rank 3 " + layout + ", got shape " +
                         input_shape.to_string());
    }
    if (input_shape[channels_last ? 1 : 2] == 0) {
        throw ShapeError(name() + ": input " + input_shape.to_string() + " " + layout +
                         " has no steps to pool over");
    }
}

Shape GlobalPooling1D::compute_output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    const bool channels_last = options_.data_format == DataFormat::ChannelsLast;
    const int64_t batch = input_shape[0];
    const int64_t channels = input_shape[channels_last ? 2 : 1];
    if (!options_.keepdims) return {batch, channels};
    return channels_last ? Shape{batch, 1, channels} : Shape{batch, channels, 1};
}

Tensor GlobalPooling1D::call(const Tensor& x, bool /*training*/) {
    // [B, C, L] is [B * C, L, 1] in memory: each channel's steps pool as one row, no transpose.
    const Tensor pooled = options_.data_format == DataFormat::ChannelsLast
                              ? pool(x)
                              : pool(reshape(x, {x.size(0) * x.size(1), x.size(2), 1}));
    const Shape output_shape = compute_output_shape(x.shape());
    return pooled.shape() == output_shape ? pooled : reshape(pooled, output_shape);
}

Json GlobalPooling1D::config() const {
    Json config = Layer::config();
    config["data_format"] = to_string(options_.data_format.value());
    config["keepdims"] = options_.keepdims;
    return config;
}

ConfiguredOptions<GlobalPooling1DOptions> GlobalPooling1D::read_options(
    const Json& config, const std::string& class_name) {
    ConfigReader reader(config, class_name + " config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    GlobalPooling1DOptions options;
    options.name = base.name;
    options.trainable = base.trainable;
    options.data_format = read_choice<DataFormat>(reader, "data_format", "channels_last");
    options.keepdims = reader.get_bool("keepdims", false);
    reader.finish();
    return {options, base.batch_input_shape};
}

GlobalAveragePooling1D::GlobalAveragePooling1D(const GlobalAveragePooling1DOptions& options)
    : GlobalPooling1D("global_average_pooling1d", options) {}

Tensor GlobalAveragePooling1D::pool(const Tensor& x) const { return global_avg_pool1d(x); }

std::unique_ptr<GlobalAveragePooling1D> GlobalAveragePooling1D::from_config(const Json& config) {
    return make_configured<GlobalAveragePooling1D>(read_options(config, "GlobalAveragePooling1D"));
}

GlobalMaxPooling1D::GlobalMaxPooling1D(const GlobalMaxPooling1DOptions& options)
    : GlobalPooling1D("global_max_pooling1d", options) {}

Tensor GlobalMaxPooling1D::pool(const Tensor& x) const { return global_max_pool1d(x); }

std::unique_ptr<GlobalMaxPooling1D> GlobalMaxPooling1D::from_config(const Json& config) {
    return make_configured<GlobalMaxPooling1D>(read_options(config, "GlobalMaxPooling1D"));
}

}  // namespace minidl::layers
