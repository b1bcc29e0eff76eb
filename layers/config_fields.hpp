// Reading a layer config's nested fields (initializers, regularizers, constraints, activations)
// with errors that name the layer config and the key.
#pragma once

#include <string_view>

#include "minidl/layers/activation.hpp"
#include "minidl/layers/config.hpp"
#include "minidl/layers/constraints.hpp"
#include "minidl/layers/initializers.hpp"
#include "minidl/layers/regularizers.hpp"

namespace minidl {

/// The initializer under `key`, or `default_value` when absent; null means glorot_uniform, the
/// fallback tf.keras 2.x's add_weight uses for an initializer of None.
initializers::Initializer read_initializer(ConfigReader& reader, std::string_view key,
                                           const initializers::Initializer& default_value);
/// The regularizer under `key`; empty when absent or null.
regularizers::Regularizer read_regularizer(ConfigReader& reader, std::string_view key);
/// The constraint under `key`; empty when absent or null.
constraints::Constraint read_constraint(ConfigReader& reader, std::string_view key);
/// The activation under `key`; linear when absent or null.
Activation read_activation(ConfigReader& reader, std::string_view key);

}  // namespace minidl
