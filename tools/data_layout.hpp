// How the `minidl` program turns a CSV file into samples: the data options of train, evaluate
// and predict, and the layout `train` stores in the model file so that the other commands read
// their CSVs the same way (docs/cli.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "minidl/core/tensor.hpp"
#include "minidl/serialization/json_node.hpp"
#include "minidl/tools/csv_table.hpp"
#include "minidl/tools/dataset.hpp"

namespace minidl::tools {

/// The data options as typed on the command line: unset = not typed, so that evaluate and
/// predict keep what the model file says.
struct DataOptions {
    std::optional<std::string> label;
    std::optional<std::string> shape;
    std::optional<int64_t> window;
    std::optional<int64_t> horizon;
    std::optional<std::string> target;
    std::vector<std::string> features;
};

/// Adds --label, --shape, --window, --horizon, --target and --features to `command`.
void add_data_options(CLI::App& command, DataOptions& options);

/// A table of one sample per row, or a series cut into windows; with what training learnt of
/// it (the classes of string labels, the feature count).
struct DataLayout {
    bool series = false;
    TableLayout table;
    SeriesLayout windows;
    /// The features per sample the model was trained on; 0 before training.
    int64_t feature_count = 0;
    /// The label's or target's column name in the training file: predict's column header.
    std::string target_name;
};

/// `base` (default: a table labelled by its last column; a trained model's stored layout) with
/// the options the user typed laid over it: --window makes it a series. The classes and feature
/// count stay those of `base`. UsageError for --shape or --label with --window, and
/// --horizon/--target/--features without it.
DataLayout apply_options(DataLayout base, const DataOptions& options);

/// The layout as the model file's metadata keeps it, and back (IOError naming the file and
/// JSON Pointer of a malformed one).
Json layout_to_json(const DataLayout& layout);
DataLayout layout_from_json(const serialization::JsonNode& node);

/// The table's samples. `require_target` false (predict) accepts a file without the label or
/// target. Sets layout.table.classes (string labels), feature_count and
/// target_name when they are not known yet (at training).
Dataset load_dataset(const CsvTable& table, DataLayout& layout, bool require_target);

}  // namespace minidl::tools
