// Layers by Keras class name, for building them from configs (tf.keras's layer JSON) and
// writing them into model configs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minidl/layers/config.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// Builds a layer from its config object (the "config" part).
using LayerFactory = std::function<std::unique_ptr<Layer>(const Json& config)>;

/// Registers (or replaces) the factory for `class_name`, e.g. for a user's own layer or Model
/// subclass (whose config() the factory reads back).
void register_layer(const std::string& class_name, LayerFactory factory);

/// The class names from_config knows, sorted: minidl's layers, InputLayer, Sequential and the
/// registered ones.
std::vector<std::string> registered_layer_names();

/// The Keras module that exports `class_name` ("keras.layers"; "keras" for Sequential), or
/// nothing for a class minidl does not provide (a user's registered class).
std::optional<std::string> keras_module(const std::string& class_name);

/// Builds a layer from {"class_name": ..., "config": {...}} as tf.keras writes it (the
/// "module"/"registered_name"/"build_config" keys of newer versions are accepted). Throws
/// ConfigError (a ValueError) with the JSON Pointer of the bad value within `layer_json`
/// ("/class_name", "/config/kernal_size"): an unknown class (naming the known ones), a bad key.
std::unique_ptr<Layer> from_config(const Json& layer_json);

/// `layer` as tf.keras 2.13's serialize_keras_object writes it into a model config: for a class
/// of Keras, {"module", "class_name", "config", "registered_name": null} and, when given, the
/// input shape it was built for as "build_config": {"input_shape": [...]} (-1 written as null);
/// for a user's class, tf.keras <= 2.12's {"class_name", "config"}, which tf.keras resolves
/// through custom_objects by class name.
Json to_config_entry(const Layer& layer,
                     const std::optional<std::vector<int64_t>>& build_input_shape = std::nullopt);

}  // namespace minidl::layers
