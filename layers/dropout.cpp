#include "minidl/layers/dropout.hpp"

#include <cmath>

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"

namespace minidl::layers {
namespace {

void check_rate(double rate, const std::string& layer) {
    if (!(rate >= 0.0 && rate < 1.0)) {
        throw ValueError(layer + ": 'rate' must be in [0, 1), got " + format_number(rate));
    }
}

std::string sizes_to_string(const std::vector<int64_t>& sizes) {
    std::string text = "[";
    for (std::size_t i = 0; i < sizes.size(); ++i)
        text += (i == 0 ? "" : ", ") + std::to_string(sizes[i]);
    return text + "]";
}

/// The mask: scale with probability 1 - rate, else 0, drawn element by element.
Tensor dropout_mask(const Shape& shape, double rate, Generator& gen) {
    Tensor mask = empty(shape);
    const auto scale = static_cast<float>(1.0 / (1.0 - rate));
    float* m = mask.data();
    for (int64_t i = 0; i < mask.numel(); ++i) m[i] = gen.uniform_float() >= rate ? scale : 0.0f;
    return mask;
}

}  // namespace

LayerRandomSource::LayerRandomSource(std::optional<uint64_t> seed) {
    if (seed) own_.emplace(*seed);
}

Generator& LayerRandomSource::generator() { return own_ ? *own_ : default_generator(); }

std::optional<uint64_t> read_layer_seed(ConfigReader& reader) {
    if (reader.take("seed") == nullptr) return std::nullopt;
    const int64_t seed = reader.get_int("seed", -1);
    if (seed < 0)
        reader.fail("seed", "must be null or a non-negative integer, got " + std::to_string(seed));
    return static_cast<uint64_t>(seed);
}

Json layer_seed_to_json(const std::optional<uint64_t>& seed) { return seed ? Json(*seed) : Json(); }

Dropout::Dropout(const DropoutOptions& options) : Dropout("dropout", options) {}

Dropout::Dropout(std::string_view prefix, const DropoutOptions& options)
    : Layer(prefix, options.name, options.trainable), options_(options), random_(options.seed) {
    check_rate(options_.rate, name());
    if (options_.noise_shape) {
        for (int64_t size : *options_.noise_shape) {
            if (size == 0 || size < -1) {
                throw ValueError(name() + ": 'noise_shape' sizes must be -1 (None) or >= 1, got " +
                                 sizes_to_string(*options_.noise_shape));
            }
        }
    }
}

Shape Dropout::compute_output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    return input_shape;
}

void Dropout::check_input(const Shape& input_shape) const { noise_shape_for(input_shape); }

Shape Dropout::noise_shape_for(const Shape& input_shape) const {
    if (!options_.noise_shape) return input_shape;
    const std::vector<int64_t>& sizes = *options_.noise_shape;
    bool fits = static_cast<int>(sizes.size()) == input_shape.rank();
    Shape shape;
    for (int axis = 0; fits && axis < input_shape.rank(); ++axis) {
        const int64_t size = sizes[axis] == -1 ? input_shape[axis] : sizes[axis];
        fits = size == 1 || size == input_shape[axis];
        shape.push_back(size);
    }
    if (!fits) {
        throw ShapeError(name() + ": noise_shape " + sizes_to_string(sizes) +
                         " does not broadcast to the input's shape " + input_shape.to_string() +
                         " (it needs one size per axis, each 1, -1 or the input's)");
    }
    return shape;
}

Tensor Dropout::call(const Tensor& x, bool training) {
    if (!training || options_.rate == 0.0) return x;
    return x * dropout_mask(noise_shape_for(x.shape()), options_.rate, random_.generator());
}

Json Dropout::config() const {
    Json config = Layer::config();
    config["rate"] = options_.rate;
    Json noise_shape;
    if (options_.noise_shape) {
        noise_shape = Json::array();
        for (int64_t size : *options_.noise_shape)
            noise_shape.push_back(size == -1 ? Json() : Json(size));
    }
    config["noise_shape"] = noise_shape;
    config["seed"] = layer_seed_to_json(options_.seed);
    return config;
}

DropoutOptions Dropout::read_options(ConfigReader& reader,
                                     std::optional<std::vector<int64_t>>& batch_input_shape) {
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    batch_input_shape = base.batch_input_shape;
    DropoutOptions options{.trainable = base.trainable, .name = base.name};
    if (reader.take("rate") == nullptr) reader.fail("rate", "is required");
    options.rate = reader.get_number("rate", 0.0);
    if (const Json* noise_shape = reader.take("noise_shape")) {
        if (!noise_shape->is_array())
            reader.fail("noise_shape", "must be null or a list, got " + noise_shape->dump());
        std::vector<int64_t> sizes;
        for (const Json& size : *noise_shape) {
            if (!size.is_null() && !size.is_number_integer())
                reader.fail("noise_shape",
                            "must hold integers or null, got " + noise_shape->dump());
            sizes.push_back(size.is_null() ? -1 : size.get<int64_t>());
        }
        options.noise_shape = std::move(sizes);
    }
    options.seed = read_layer_seed(reader);
    return options;
}

std::unique_ptr<Dropout> Dropout::from_config(const Json& config) {
    ConfigReader reader(config, "Dropout config");
    std::optional<std::vector<int64_t>> batch_input_shape;
    const DropoutOptions options = read_options(reader, batch_input_shape);
    reader.finish();
    auto layer = std::make_unique<Dropout>(options);
    if (batch_input_shape) layer->set_batch_input_shape(*batch_input_shape);
    return layer;
}

SpatialDropout1D::SpatialDropout1D(const SpatialDropout1DOptions& options)
    : Dropout("spatial_dropout1d", {.rate = options.rate,
                                    .seed = options.seed,
                                    .trainable = options.trainable,
                                    .name = options.name}) {}

void SpatialDropout1D::check_input(const Shape& input_shape) const {
    if (input_shape.rank() != 3) {
        throw ShapeError(name() + ": expected an input of rank 3 (batch, steps, channels), got " +
                         "shape " + input_shape.to_string());
    }
}

Shape SpatialDropout1D::noise_shape_for(const Shape& input_shape) const {
    return {input_shape[0], 1, input_shape[2]};
}

std::unique_ptr<SpatialDropout1D> SpatialDropout1D::from_config(const Json& config) {
    ConfigReader reader(config, "SpatialDropout1D config");
    std::optional<std::vector<int64_t>> batch_input_shape;
    const DropoutOptions options = read_options(reader, batch_input_shape);
    // tf.keras writes noise_shape (always null): the layer fixes its own.
    if (options.noise_shape) reader.fail("noise_shape", "must be null for SpatialDropout1D");
    reader.finish();
    auto layer =
        std::make_unique<SpatialDropout1D>(SpatialDropout1DOptions{.rate = options.rate,
                                                                   .seed = options.seed,
                                                                   .trainable = options.trainable,
                                                                   .name = options.name});
    if (batch_input_shape) layer->set_batch_input_shape(*batch_input_shape);
    return layer;
}

}  // namespace minidl::layers
