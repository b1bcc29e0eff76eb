#include "minidl/layers/padding_layers1d.hpp"

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"

namespace minidl::layers {
namespace {

std::string to_text(const StepPair& pair) {
    return "(" + std::to_string(pair.left) + ", " + std::to_string(pair.right) + ")";
}

/// As tf.keras writes a normalised 2-tuple: a list.
Json pair_json(const StepPair& pair) { return Json::array({pair.left, pair.right}); }

/// Keras's normalize_tuple(..., allow_zero=True) check.
void require_non_negative(const StepPair& pair, const char* argument, const std::string& layer) {
    if (pair.left < 0 || pair.right < 0) {
        throw ValueError(layer + ": '" + argument + "' must be non-negative integers, got " +
                         to_text(pair));
    }
}

/// The pair under `key`: an integer n, meaning (n, n), or a list [left, right]; `absent` when
/// the key is missing or null.
StepPair read_step_pair(ConfigReader& reader, std::string_view key, const StepPair& absent) {
    const Json* value = reader.take(key);
    if (value == nullptr) return absent;
    if (value->is_number_integer()) return value->get<int64_t>();
    if (value->is_array() && value->size() == 2 && (*value)[0].is_number_integer() &&
        (*value)[1].is_number_integer()) {
        return {(*value)[0].get<int64_t>(), (*value)[1].get<int64_t>()};
    }
    reader.fail(key, "must be an integer or a list of 2 integers, got " + value->dump());
}

/// Reads a config's base keys, then the layer's own with read_own(reader, options), and rejects
/// any other key.
template <class Options, class ReadOwn>
ConfiguredOptions<Options> read_config(const Json& config, const char* class_name,
                                       const ReadOwn& read_own) {
    ConfigReader reader(config, std::string(class_name) + " config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    Options options;
    options.name = base.name;
    options.trainable = base.trainable;
    read_own(reader, options);
    reader.finish();
    return {options, base.batch_input_shape};
}

}  // namespace

// ---- Resampling1D ----

void Resampling1D::check_input(const Shape& input_shape) const {
    if (input_shape.rank() != 3) {
        throw ShapeError(name() + ": expected an input of rank 3 (batch, steps, channels), got " +
                         "shape " + input_shape.to_string());
    }
}

Shape Resampling1D::compute_output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    return {input_shape[0], output_steps(input_shape[1]), input_shape[2]};
}

// ---- UpSampling1D ----

UpSampling1D::UpSampling1D(const UpSampling1DOptions& options)
    : Resampling1D("up_sampling1d", options.name, options.trainable), options_(options) {
    require_positive_argument(options_.size, "size", name());
}

Tensor UpSampling1D::call(const Tensor& x, bool /*training*/) {
    const int64_t batch = x.size(0), steps = x.size(1), channels = x.size(2);
    // Each step broadcast over a new axis of `size` copies: one copy op, whose gradient sums
    // the copies.
    const Tensor repeated = broadcast_to(reshape(x, {batch, steps, 1, channels}),
                                         {batch, steps, options_.size, channels});
    return reshape(repeated, {batch, steps * options_.size, channels});
}

Json UpSampling1D::config() const {
    Json config = Layer::config();
    config["size"] = options_.size;
    return config;
}

std::unique_ptr<UpSampling1D> UpSampling1D::from_config(const Json& config) {
    return make_configured<UpSampling1D>(read_config<UpSampling1DOptions>(
        config, "UpSampling1D", [](ConfigReader& reader, UpSampling1DOptions& options) {
            options.size = reader.get_int("size", options.size);
        }));
}

// ---- ZeroPadding1D ----

ZeroPadding1D::ZeroPadding1D(const ZeroPadding1DOptions& options)
    : Resampling1D("zero_padding1d", options.name, options.trainable), options_(options) {
    require_non_negative(options_.padding, "padding", name());
}

int64_t ZeroPadding1D::output_steps(int64_t steps) const {
    return options_.padding.left + steps + options_.padding.right;
}

Tensor ZeroPadding1D::call(const Tensor& x, bool /*training*/) {
    return pad(x, 1, options_.padding.left, options_.padding.right);
}

Json ZeroPadding1D::config() const {
    Json config = Layer::config();
    config["padding"] = pair_json(options_.padding);
    return config;
}

std::unique_ptr<ZeroPadding1D> ZeroPadding1D::from_config(const Json& config) {
    return make_configured<ZeroPadding1D>(read_config<ZeroPadding1DOptions>(
        config, "ZeroPadding1D", [](ConfigReader& reader, ZeroPadding1DOptions& options) {
            options.padding = read_step_pair(reader, "padding", options.padding);
        }));
}

// ---- Cropping1D ----

Cropping1D::Cropping1D(const Cropping1DOptions& options)
    : Resampling1D("cropping1d", options.name, options.trainable), options_(options) {
    require_non_negative(options_.cropping, "cropping", name());
}

int64_t Cropping1D::output_steps(int64_t steps) const {
    return steps - options_.cropping.left - options_.cropping.right;
}

void Cropping1D::check_input(const Shape& input_shape) const {
    Resampling1D::check_input(input_shape);
    if (output_steps(input_shape[1]) < 1) {
        throw ShapeError(name() + ": cropping " + to_text(options_.cropping) +
                         " leaves no steps of input " + input_shape.to_string() +
                         " (it must remove fewer than its " + std::to_string(input_shape[1]) +
                         " steps)");
    }
}

Tensor Cropping1D::call(const Tensor& x, bool /*training*/) {
    return slice(x, 1, options_.cropping.left, x.size(1) - options_.cropping.right);
}

Json Cropping1D::config() const {
    Json config = Layer::config();
    config["cropping"] = pair_json(options_.cropping);
    return config;
}

std::unique_ptr<Cropping1D> Cropping1D::from_config(const Json& config) {
    return make_configured<Cropping1D>(read_config<Cropping1DOptions>(
        config, "Cropping1D", [](ConfigReader& reader, Cropping1DOptions& options) {
            options.cropping = read_step_pair(reader, "cropping", options.cropping);
        }));
}

}  // namespace minidl::layers
