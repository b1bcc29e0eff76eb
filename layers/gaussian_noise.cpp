#include "minidl/layers/gaussian_noise.hpp"

#include <cmath>

#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"

namespace minidl::layers {

GaussianNoise::GaussianNoise(const GaussianNoiseOptions& options)
    : Layer("gaussian_noise", options.name, options.trainable),
      options_(options),
      random_(options.seed) {
    if (!(options_.stddev >= 0.0 && std::isfinite(options_.stddev))) {
        throw ValueError(name() + ": 'stddev' must be a finite number >= 0, got " +
                         format_number(options_.stddev));
    }
}

Tensor GaussianNoise::call(const Tensor& x, bool training) {
    if (!training) return x;
    return x + normal(x.shape(), 0.0f, static_cast<float>(options_.stddev), random_.generator());
}

Json GaussianNoise::config() const {
    Json config = Layer::config();
    config["stddev"] = options_.stddev;
    config["seed"] = layer_seed_to_json(options_.seed);
    return config;
}

std::unique_ptr<GaussianNoise> GaussianNoise::from_config(const Json& config) {
    ConfigReader reader(config, "GaussianNoise config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    if (reader.take("stddev") == nullptr) reader.fail("stddev", "is required");
    GaussianNoiseOptions options{.stddev = reader.get_number("stddev", 0.0),
                                 .seed = read_layer_seed(reader),
                                 .trainable = base.trainable,
                                 .name = base.name};
    reader.finish();
    auto layer = std::make_unique<GaussianNoise>(options);
    if (base.batch_input_shape) layer->set_batch_input_shape(*base.batch_input_shape);
    return layer;
}

}  // namespace minidl::layers
