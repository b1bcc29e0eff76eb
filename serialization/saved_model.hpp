// The saved model: one file with the model's config, its weights, its compile config and a small
// self-test (docs/formats.md, docs/saving.md). load_model gives a model whose predictions are
// bit for bit those of the saved one.
#pragma once

#include <filesystem>
#include <memory>

#include "minidl/core/tensor.hpp"
#include "minidl/layers/model.hpp"
#include "minidl/serialization/json_node.hpp"
#include "minidl/serialization/weights.hpp"

namespace minidl::serialization {

struct SaveModelOptions {
    Encoding encoding = Encoding::Numbers;
    /// The self-test's input batch; undefined = two samples drawn from a private generator
    /// (the default generator is not touched) in the model's input shape.
    Tensor self_test_input = {};
    /// Whether to write the self-test at all.
    bool self_test = true;
    /// Writes the compile config when the model is compiled.
    bool include_optimizer = true;
    /// The application's own data about the model (the `minidl` program keeps how its CSV
    /// columns map to inputs and classes here): a JSON object written under "metadata", or
    /// null for none. read_model_metadata gives it back.
    Json metadata = nullptr;
};

struct LoadModelOptions {
    /// Runs the file's self-test and throws IOError when the loaded model's output differs
    /// from the saved one by more than atol + rtol * |saved| anywhere.
    bool run_self_test = true;
    double atol = 1e-5;
    double rtol = 1e-4;
    /// Compiles the loaded model from the file's compile config, when there is one.
    bool compile = true;
};

/// Writes {"format": "minidl.model", "version": 1, "model_config", "weights",
/// "compile_config"?, "self_test"?, "metadata"?} atomically. The model must be built and have a
/// config (Sequential, or a registered class): ValueError otherwise. The self-test runs the model
/// once (training=false, no graph).
void save_model(Model& model, const std::filesystem::path& path,
                const SaveModelOptions& options = {});
/// Reads a saved model (or the model in a checkpoint): checks the whole file, builds the model from
/// its config, sets its weights, compiles it (without optimizer state: a checkpoint has that) and
/// runs the self-test. Any problem is an IOError naming the file and the JSON Pointer.
std::unique_ptr<Model> load_model(const std::filesystem::path& path,
                                  const LoadModelOptions& options = {});
/// The same for a file already parsed (errors name root's source).
std::unique_ptr<Model> load_model(const JsonNode& root, const LoadModelOptions& options = {});

/// The "metadata" object of a saved model (SaveModelOptions::metadata), or null when it has
/// none; IOError naming the file for a file that is not a saved model or a metadata value that
/// is not an object.
Json read_model_metadata(const std::filesystem::path& path);
/// The same for a file already parsed.
Json model_metadata(const JsonNode& root);

}  // namespace minidl::serialization
