// Activation: Keras's layer that applies an activation function (tf.keras.layers.Activation),
// docs/layers/activation.md. Inside namespace minidl::layers, `Activation` names this layer; the
// function type is `minidl::Activation` (layers/activation.hpp).
#pragma once

#include <memory>
#include <string>

#include "minidl/layers/activation.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order. Keras requires the activation; here it defaults to linear.
struct ActivationOptions {
    minidl::Activation activation = {};
    bool trainable = true;
    std::string name = {};
};

/// y = activation(x), any input shape. No weights.
class Activation : public Layer {
  public:
    /// `layers::Activation("relu")` or with any minidl::Activation.
    explicit Activation(minidl::Activation activation);
    explicit Activation(const ActivationOptions& options);

    Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
    std::string class_name() const override { return "Activation"; }
    Json config() const override;
    /// Builds the layer from tf.keras's get_config; 'activation' is required, as in Keras.
    static std::unique_ptr<Activation> from_config(const Json& config);

    const minidl::Activation& activation() const { return options_.activation; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override { (void)input_shape; }

  private:
    ActivationOptions options_;
};

}  // namespace minidl::layers
