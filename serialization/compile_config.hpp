// A compiled model's optimizer, loss and metrics as Keras's "training_config" (tf.keras 2.x
// writes it into saved models), so that a loaded model can continue training as compiled.
#pragma once

#include <memory>

#include "minidl/layers/config.hpp"
#include "minidl/layers/model.hpp"
#include "minidl/optim/optimizer.hpp"
#include "minidl/serialization/json_node.hpp"
#include "minidl/train/losses.hpp"

namespace minidl::serialization {

/// Keras's {"class_name": "Adam", "config": {"name": "Adam", "learning_rate": ..., ...}}, the
/// schedule nested as {"class_name", "config"} when the rate is one.
Json optimizer_config(const optim::Optimizer& optimizer);
/// A new optimizer (no parameters) from optimizer_config()'s form or a Keras name.
std::unique_ptr<optim::Optimizer> optimizer_from_config(const JsonNode& node);

/// Keras's {"class_name": "MeanSquaredError", "config": {"reduction", "name", ...}}.
Json loss_config(const losses::Loss& loss);
/// A loss from loss_config()'s form or a Keras name ("mse").
std::unique_ptr<losses::Loss> loss_from_config(const JsonNode& node);

/// {"loss", "metrics", "weighted_metrics": null, "loss_weights": null, "optimizer_config"} of
/// a compiled model, as tf.keras 2.x's saving writes it. Throws ValueError when not compiled.
Json compile_config(const Model& model);
/// Compiles `model` from compile_config()'s form; checks everything before compiling, so a bad
/// config leaves the model as it was.
void compile_from_config(Model& model, const JsonNode& node);

}  // namespace minidl::serialization
