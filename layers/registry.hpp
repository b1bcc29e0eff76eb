// Layers by Keras class name, for building them from configs (tf.keras's layer JSON).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "minidl/layers/config.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// Builds a layer from its config object (the "config" part).
using LayerFactory = std::function<std::unique_ptr<Layer>(const Json& config)>;

/// Registers (or replaces) the factory for `class_name`, e.g. for a user's own layer.
void register_layer(const std::string& class_name, LayerFactory factory);

/// Builds a layer from {"class_name": ..., "config": {...}} as tf.keras writes it (the
/// "module"/"registered_name"/"build_config" keys of newer versions are accepted). Throws
/// ValueError naming an unknown class or a bad key.
std::unique_ptr<Layer> from_config(const Json& layer_json);

}  // namespace minidl::layers
