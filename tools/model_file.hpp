// The model files the `minidl` program reads: a Keras architecture (model.to_json(), untrained)
// or a model saved by minidl (serialization/saved_model.hpp), with the program's metadata.
#pragma once

#include <filesystem>
#include <memory>

#include "minidl/core/tensor.hpp"
#include "minidl/layers/model.hpp"
#include "minidl/tools/cli_support.hpp"
#include "minidl/tools/data_layout.hpp"

namespace minidl::tools {

struct ModelFile {
    std::unique_ptr<Model> model;
    /// A saved minidl model (trained, compiled when it was), not a bare architecture.
    bool saved = false;
    /// The saved model's metadata object, or null.
    Json metadata = nullptr;
    /// The file's name, for errors.
    std::string source = {};
};

/// Reads a Keras architecture or a saved model (or a checkpoint's model). With
/// `normalization`, a Keras Sequential architecture gets a Normalization layer first (after
/// its InputLayer, taking over the first layer's input shape); UsageError for a saved model or
/// another architecture. Errors name the file and the JSON Pointer.
ModelFile read_model_file(const std::filesystem::path& path, bool normalization = false);

/// How `minidl train` read the model's training data (its metadata's "data"); a table labelled
/// by its last column for a model saved without it. IOError naming the file and the JSON
/// Pointer of malformed metadata.
DataLayout trained_layout(const ModelFile& file);

/// The options of the commands that run a trained model on a CSV file (evaluate, predict).
struct ModelRunArgs {
    std::string model;
    std::string data;
    DataOptions data_options;
    int64_t batch_size = 32;
    RunOptions run;
};
/// Adds --model, --data (described by `data_help`), the data options, --batch-size, --verbose
/// and --threads to `command`.
void add_model_run_options(CLI::App& command, ModelRunArgs& args, const std::string& data_help);

/// A trained model and a data file read as its training data was.
struct ModelAndData {
    ModelFile file;
    DataLayout layout;
    CsvTable table;
    Dataset data;
};
/// Applies --threads, reads the model, then the data with the model's layout and the options
/// typed over it.
ModelAndData read_model_and_data(const ModelRunArgs& args, bool require_target);

/// Adapts the model's leading Normalization layer (read_model_file's) to the training inputs.
void adapt_normalization(Model& model, const Tensor& x);

}  // namespace minidl::tools
