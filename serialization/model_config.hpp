// Model configs in Keras's model.to_json() layout (docs/formats.md): a model written here loads
// in tf.keras, and a config tf.keras 2.x wrote loads here (for the layers minidl has).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "minidl/layers/config.hpp"
#include "minidl/layers/layer.hpp"
#include "minidl/layers/model.hpp"
#include "minidl/serialization/json_node.hpp"

namespace minidl::serialization {

/// {"class_name": ..., "config": {...}, "keras_version": ..., "backend": "tensorflow"}, as
/// tf.keras 2.13's model.to_json(). Throws ValueError for a model that has no config (a
/// subclassed Model that does not override config()).
Json model_config(const Model& model);
/// model_config() as text; `indent` as nlohmann's dump (-1 = one line, as Keras).
std::string model_to_json(const Model& model, int indent = -1);

/// Builds a new, unbuilt-or-built-from-its-input-shape model from a config: Sequential in
/// both layouts tf.keras 2.x has written (a plain list of layers, or {"name", "layers"}), with
/// or without an InputLayer, and any class registered with layers::register_layer that makes a
/// Model. Throws IOError naming `node`'s source and JSON Pointer for anything it cannot read.
std::unique_ptr<Model> model_from_config(const JsonNode& node);
/// Parses `json` and calls model_from_config (errors name "model_from_json").
std::unique_ptr<Model> model_from_json(std::string_view json);

}  // namespace minidl::serialization
