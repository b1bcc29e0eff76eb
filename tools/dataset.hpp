// Datasets of the `minidl` program (docs/cli.md): CSV tables (tools/csv_table.hpp) turned into
// sample and target tensors, either one sample per row or windows cut from a time series.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minidl/core/tensor.hpp"
#include "minidl/tools/csv_table.hpp"

namespace minidl::tools {

/// Samples and targets as tensors.
struct Dataset {
    Tensor x;  ///< [samples, features] or [samples, steps, channels]
    Tensor y;  ///< [samples, 1]: the target value, or the class index for string labels;
               ///< undefined (Tensor{}) when the table has no label column (predict input)
};

/// The column of a --label or --target (a name or index, as CsvTable::column_index); "" is the
/// last column.
int64_t label_column(const CsvTable& table, const std::string& label);

/// How a table with one sample per row becomes a Dataset (what `train` stores in the model file
/// so that evaluate/predict read their CSVs the same way).
struct TableLayout {
    std::string label = {};  ///< column name or index text; "" = last column
    /// --shape STEPS,CHANNELS (channels_last order): feature k of a row is step k / CHANNELS,
    /// channel k % CHANNELS. Unset: x is [samples, features].
    std::optional<std::pair<int64_t, int64_t>> shape = {};
    std::vector<std::string> classes = {};  ///< string labels, sorted; empty = numeric labels
};

/// A table of one sample per row: every column but the label is a feature (all must be numeric,
/// and fit a float32). String labels (any non-numeric label cell) become class indices into
/// `layout.classes`:
/// - at train time (`feature_count` 0) with `layout.classes` empty, the classes are the sorted
///   distinct labels and are stored back into `layout`;
/// - with `layout.classes` given (evaluate), each label is looked up by its text; one not among
///   them is an IOError naming its line and column;
/// - after training on numeric labels (`feature_count` > 0, no classes), labels must be numbers.
/// `require_label` false (predict): a table whose column count equals `feature_count` (label
/// absent) and a table with the label column alike give y undefined, the label column being
/// dropped; with `feature_count` 0 the label column is taken to be present.
/// `feature_count`: the number of features the model was trained with (0 = unknown, at train
/// time); a mismatch is an IOError. --shape must have positive sizes multiplying to the feature
/// count (ValueError naming --shape). A table of the label column alone is an IOError.
Dataset table_dataset(const CsvTable& table, TableLayout& layout, bool require_label,
                      int64_t feature_count = 0);

/// How a time series (one time step per row) becomes windowed samples.
struct SeriesLayout {
    int64_t window = 0;  ///< --window W: steps per sample, >= 1
    /// --horizon H: predict the target H rows after the window's last row, >= 1
    int64_t horizon = 1;
    std::string target = {};                 ///< --target COL (name or index); "" = last column
    std::vector<std::string> features = {};  ///< --features COLS; empty = every column
};

/// Sample i: x = rows [i, i + window) of the feature columns ([samples, window, features], the
/// features in `layout.features` order), y = target at row i + window - 1 + horizon
/// ([samples, 1]). samples = rows - window - horizon + 1; fewer than 1 is an IOError
/// "<source>: 10 rows are too few for --window 8 --horizon 4 (need at least 12)".
/// `require_target` false (predict): windows run to the last row (samples = rows - window + 1),
/// y is undefined and the target column is not looked at. ValueError for a window or horizon
/// below 1, an unknown column, or a column named twice in --features; IOError for a cell that is
/// not a number.
Dataset series_dataset(const CsvTable& table, const SeriesLayout& layout, bool require_target);

/// The persistence forecast's error, the baseline `minidl evaluate` prints for a series: the mean
/// absolute error of predicting, for each sample, the target's value at the window's last row.
/// The samples are those of series_dataset with the target required.
double persistence_mae(const CsvTable& table, const SeriesLayout& layout);

}  // namespace minidl::tools
