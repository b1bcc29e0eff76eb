// Activations by Keras name (KERAS_SEMANTICS.md §7) or as any callable.
#pragma once

#include <functional>
#include <string>

#include "minidl/core/tensor.hpp"
#include "minidl/layers/config.hpp"

namespace minidl {

/// An activation function with the name Keras serializes it under. Converts implicitly from a
/// name, so options can say `.activation = "relu"`; the default is "linear" (Keras's None).
class Activation {
  public:
    using Function = std::function<Tensor(const Tensor&)>;

    Activation();
    /// One of linear, relu, relu6, leaky_relu, elu, selu, softplus, softsign, swish, silu, gelu,
    /// exponential, sigmoid, hard_sigmoid, tanh, mish, softmax, log_softmax; case-insensitive.
    /// Throws ValueError naming an unknown activation.
    Activation(const char* name);
    Activation(const std::string& name);
    /// A user function, serialized under `name`.
    Activation(Function function, std::string name = "custom");

    Tensor operator()(const Tensor& x) const { return function_(x); }
    /// The serialized name ("linear" for none).
    const std::string& name() const { return name_; }
    bool is_linear() const { return name_ == "linear"; }
    /// Whether this is the built-in relu (the convolutions fuse it into pointwise_conv1d).
    bool is_relu() const { return name_ == "relu"; }

    /// The name as tf.keras writes it in a layer config.
    Json to_json() const { return name_; }
    /// Reads null (linear) or a name; `key` names it in errors.
    static Activation from_json(const Json& value, const std::string& key);

  private:
    Function function_;
    std::string name_;
};

}  // namespace minidl
