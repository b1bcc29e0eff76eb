#include "minidl/tools/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"

namespace minidl::tools {
namespace {

/// The cell as the float32 a tensor holds; IOError for a number beyond float32's range, which
/// would otherwise become an infinity.
float cell_value(const CsvTable& table, int64_t row, int64_t column) {
    const double value = table.number(row, column);
    if (std::abs(value) > std::numeric_limits<float>::max()) {
        throw IOError(table.where(row, column) + ": '" +
                      table.rows[static_cast<std::size_t>(row)][static_cast<std::size_t>(column)] +
                      "' is too large for float32");
    }
    return static_cast<float>(value);
}

/// Every row's cells of `columns`, row after row, into `out`.
void fill_rows(const CsvTable& table, const std::vector<int64_t>& columns, float* out) {
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        for (int64_t column : columns) *out++ = cell_value(table, static_cast<int64_t>(r), column);
    }
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
}

/// The class index of every label; learns the classes at train time (see table_dataset).
Tensor class_indices(const CsvTable& table, int64_t label, std::vector<std::string>& classes) {
    if (classes.empty()) {
        for (const auto& row : table.rows) classes.push_back(row[static_cast<std::size_t>(label)]);
        std::sort(classes.begin(), classes.end());
        classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    }
    std::unordered_map<std::string, int64_t> index;
    for (std::size_t i = 0; i < classes.size(); ++i) index.emplace(classes[i], i);
    Tensor y = empty({static_cast<int64_t>(table.rows.size()), 1});
    float* out = y.data();
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const std::string& cell = table.rows[r][static_cast<std::size_t>(label)];
        const auto found = index.find(cell);
        if (found == index.end()) {
            throw IOError(table.where(static_cast<int64_t>(r), label) + ": label '" + cell +
                          "' is not one of the classes the model was trained with (" +
                          joined(classes) + ")");
        }
        out[r] = static_cast<float>(found->second);
    }
    return y;
}

/// x's shape: [samples, features], or [samples, steps, channels] with --shape.
Shape sample_shape(int64_t samples, int64_t features, const TableLayout& layout) {
    if (!layout.shape) return {samples, features};
    const auto [steps, channels] = *layout.shape;
    const std::string option =
        "--shape " + std::to_string(steps) + "," + std::to_string(channels) + ": ";
    if (steps < 1 || channels < 1) throw ValueError(option + "the sizes must be at least 1");
    // Compared one by one first, so that the product cannot overflow.
    if (steps > features || channels > features || steps * channels != features) {
        throw ValueError(option + "the product must equal the " + std::to_string(features) +
                         " feature columns of the table");
    }
    return {samples, steps, channels};
}

/// The samples of a series, after checking the window and horizon and the table's length.
int64_t series_samples(const CsvTable& table, const SeriesLayout& layout, bool require_target) {
    if (layout.window < 1) {
        throw ValueError("--window must be at least 1, got " + std::to_string(layout.window));
    }
    if (layout.horizon < 1) {
        throw ValueError("--horizon must be at least 1, got " + std::to_string(layout.horizon));
    }
    const auto rows = static_cast<int64_t>(table.rows.size());
    const int64_t after = require_target ? layout.horizon : 0;
    if (layout.window > rows || after > rows - layout.window) {
        throw IOError(table.source + ": " + std::to_string(rows) +
                      (rows == 1 ? " row is" : " rows are") + " too few for --window " +
                      std::to_string(layout.window) +
                      (require_target ? " --horizon " + std::to_string(layout.horizon) : "") +
                      " (need at least " + std::to_string(layout.window + after) + ")");
    }
    return rows - layout.window - after + 1;
}

std::vector<int64_t> series_features(const CsvTable& table, const SeriesLayout& layout) {
    std::vector<int64_t> columns;
    if (layout.features.empty()) {
        for (int64_t c = 0; c < table.columns(); ++c) columns.push_back(c);
        return columns;
    }
    for (const std::string& name : layout.features) {
        const int64_t column = table.column_index(name);
        if (std::find(columns.begin(), columns.end(), column) != columns.end()) {
            throw ValueError(table.source + ": --features names column '" +
                             table.column_name(column) + "' twice");
        }
        columns.push_back(column);
    }
    return columns;
}

/// The row of sample `sample`'s target: `horizon` rows after its window's last row.
int64_t target_row(int64_t sample, const SeriesLayout& layout) {
    return sample + layout.window - 1 + layout.horizon;
}

}  // namespace

int64_t label_column(const CsvTable& table, const std::string& label) {
    return label.empty() ? table.columns() - 1 : table.column_index(label);
}

Dataset table_dataset(const CsvTable& table, TableLayout& layout, bool require_label,
                      int64_t feature_count) {
    const bool label_present =
        require_label || feature_count == 0 || table.columns() != feature_count;
    const int64_t label = label_present ? label_column(table, layout.label) : -1;
    std::vector<int64_t> features;
    for (int64_t c = 0; c < table.columns(); ++c) {
        if (c != label) features.push_back(c);
    }
    if (features.empty()) {
        throw IOError(table.source + ": no feature columns: the only column, '" +
                      table.column_name(label) + "', is the label");
    }
    const auto count = static_cast<int64_t>(features.size());
    if (feature_count > 0 && count != feature_count) {
        throw IOError(table.source + ": " + std::to_string(count) +
                      " feature columns besides the label '" + table.column_name(label) +
                      "', but the model was trained with " + std::to_string(feature_count));
    }
    const auto samples = static_cast<int64_t>(table.rows.size());
    Dataset data{.x = empty(sample_shape(samples, count, layout)), .y = Tensor{}};
    fill_rows(table, features, data.x.data());
    if (!require_label) return data;

    const bool learn_classes = feature_count == 0 && !table.is_numeric(label);
    if (!layout.classes.empty() || learn_classes) {
        data.y = class_indices(table, label, layout.classes);
    } else {
        data.y = empty({samples, 1});
        fill_rows(table, {label}, data.y.data());
    }
    return data;
}

Dataset series_dataset(const CsvTable& table, const SeriesLayout& layout, bool require_target) {
    const int64_t samples = series_samples(table, layout, require_target);
    const std::vector<int64_t> features = series_features(table, layout);
    const auto width = static_cast<int64_t>(features.size());
    std::vector<float> values(table.rows.size() * features.size());
    fill_rows(table, features, values.data());

    // Consecutive rows are contiguous, so each window is one block of the values.
    Dataset data{.x = empty({samples, layout.window, width}), .y = Tensor{}};
    const int64_t block = layout.window * width;
    for (int64_t i = 0; i < samples; ++i) {
        std::copy_n(values.begin() + i * width, block, data.x.data() + i * block);
    }
    if (!require_target) return data;

    const int64_t target = label_column(table, layout.target);
    data.y = empty({samples, 1});
    for (int64_t i = 0; i < samples; ++i) {
        data.y.data()[i] = cell_value(table, target_row(i, layout), target);
    }
    return data;
}

double persistence_mae(const CsvTable& table, const SeriesLayout& layout) {
    const int64_t samples = series_samples(table, layout, true);
    const int64_t target = label_column(table, layout.target);
    double total = 0.0;
    for (int64_t i = 0; i < samples; ++i) {
        const int64_t row = target_row(i, layout);
        total += std::abs(table.number(row - layout.horizon, target) - table.number(row, target));
    }
    return total / static_cast<double>(samples);
}

}  // namespace minidl::tools
