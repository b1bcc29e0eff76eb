// Checkpoints: everything that makes a resumed training run continue exactly as the
// uninterrupted one (docs/saving.md): the model's weights and config, the optimizer's config and
// state (slots, iterations, learning rate or schedule), the epochs completed, the default
// generator's state and the History so far.
#pragma once

#include <cstdint>
#include <filesystem>

#include "minidl/layers/model.hpp"
#include "minidl/serialization/weights.hpp"
#include "minidl/train/history.hpp"

namespace minidl::serialization {

/// Where training stands when a checkpoint is written or read.
struct TrainingProgress {
    /// Epochs completed: fit(.initial_epoch = epoch) continues with the next one.
    int64_t epoch = 0;
    /// The History of the epochs completed.
    History history = {};
};

/// Writes a checkpoint of a built, compiled model atomically: {"format": "minidl.checkpoint",
/// "version": 1, "model_config"?, "weights", "optimizer", "epoch", "generator", "history"}.
/// The model config is written when the model has one.
void save_checkpoint(const Model& model, const std::filesystem::path& path,
                     const TrainingProgress& progress, Encoding encoding = Encoding::Numbers);

/// Restores a checkpoint into `model`, which must be built and compiled with an optimizer of
/// the same class (as the model that wrote it): its weights, its optimizer's state, and the
/// default generator. Everything is checked first; on any error (IOError naming the file and
/// JSON Pointer) the model, the optimizer and the generator are left as they were.
TrainingProgress load_checkpoint(Model& model, const std::filesystem::path& path);

}  // namespace minidl::serialization
