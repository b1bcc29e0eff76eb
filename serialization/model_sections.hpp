// What a saved model and a checkpoint both hold: the model's config, its weights and its compile
// config, written and read the same way by both (docs/formats.md).
#pragma once

#include <memory>

#include "minidl/layers/model.hpp"
#include "minidl/serialization/json_node.hpp"
#include "minidl/serialization/weights.hpp"

namespace minidl::serialization::detail {

/// Adds "model_config" (when `require_config` or the model has one), "weights" and, when the
/// model is compiled and `include_compile`, "compile_config" to `root`. Throws ValueError
/// naming the model when it is not built, or has no config and `require_config`.
void write_model_sections(Json& root, const Model& model, Encoding encoding, bool require_config,
                          bool include_compile);

/// A new model from root's "model_config", built (from its config's input shape, or else from
/// `input_shape` when given) with root's "weights" set. The default generator is left as it was
/// (building draws initial values from it).
std::unique_ptr<Model> read_model_sections(const JsonNode& root,
                                           const std::optional<Shape>& input_shape);

}  // namespace minidl::serialization::detail
