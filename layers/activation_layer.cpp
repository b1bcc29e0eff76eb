#include "minidl/layers/activation_layer.hpp"

#include "minidl/layers/config_fields.hpp"

namespace minidl::layers {

Activation::Activation(minidl::Activation activation)
    : Activation(ActivationOptions{.activation = std::move(activation)}) {}

Activation::Activation(const ActivationOptions& options)
    : Layer("activation", options.name, options.trainable), options_(options) {}

Tensor Activation::call(const Tensor& x, bool /*training*/) { return options_.activation(x); }

Json Activation::config() const {
    Json config = Layer::config();
    config["activation"] = options_.activation.to_json();
    return config;
}

std::unique_ptr<Activation> Activation::from_config(const Json& config) {
    ConfigReader reader(config, "Activation config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    // Keras's constructor has no default for it, so a config without the key is an error
    // (null is Keras's None: linear).
    if (!config.contains("activation")) reader.fail("activation", "is required");
    ActivationOptions options{.activation = read_activation(reader, "activation"),
                              .trainable = base.trainable,
                              .name = base.name};
    reader.finish();
    auto layer = std::make_unique<Activation>(options);
    if (base.batch_input_shape) layer->set_batch_input_shape(*base.batch_input_shape);
    return layer;
}

}  // namespace minidl::layers
