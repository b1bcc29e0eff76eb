#include "minidl/tools/history_csv.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "minidl/core/error.hpp"
#include "minidl/tools/csv_table.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl::tools {
namespace {

std::string lowercase(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

const std::string& cell_text(const CsvTable& table, int64_t row, int64_t column) {
    return table.rows[static_cast<std::size_t>(row)][static_cast<std::size_t>(column)];
}

/// A value cell: CsvTable::number rejects the non-finite spellings that Python's str(float) and
/// CSVLogger write ("nan", "inf", and "NA" for a name not logged that epoch), so those are read
/// here.
double value_of(const CsvTable& table, int64_t row, int64_t column) {
    const std::string text = lowercase(cell_text(table, row, column));
    if (text.empty() || text == "nan" || text == "-nan" || text == "na")
        return std::numeric_limits<double>::quiet_NaN();
    if (text == "inf" || text == "+inf" || text == "infinity" || text == "+infinity")
        return std::numeric_limits<double>::infinity();
    if (text == "-inf" || text == "-infinity") return -std::numeric_limits<double>::infinity();
    return table.number(row, column);
}

int64_t epoch_of(const CsvTable& table, int64_t row, int64_t column) {
    const double value = table.number(row, column);
    // Beyond 2^53 a double no longer tells whole numbers apart.
    constexpr double largest = 9007199254740992.0;
    if (value != std::floor(value) || std::fabs(value) > largest) {
        throw IOError(table.where(row, column) + ": epoch '" + cell_text(table, row, column) +
                      "' is not a whole number");
    }
    return static_cast<int64_t>(value);
}

/// Where a name goes in Keras's History order (loss, metrics, val_loss, val_metrics, lr).
int history_rank(const std::string& name) {
    if (name == "loss") return 0;
    if (name == "val_loss") return 2;
    if (name == "lr") return 4;
    return name.rfind("val_", 0) == 0 ? 3 : 1;
}

}  // namespace

void write_history_csv(const std::filesystem::path& path, const History& history) {
    // As CSVLogger (train/callbacks_csv_logger.cpp): the names sorted, Python's str(float).
    std::vector<std::string> names = history.keys();
    std::sort(names.begin(), names.end());
    std::vector<std::string> header = {"epoch"};
    header.insert(header.end(), names.begin(), names.end());
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < history.epoch().size(); ++i) {
        std::vector<std::string> row = {std::to_string(history.epoch()[i])};
        for (const std::string& name : names)
            row.push_back(train_text::python_float_repr(history[name][i]));
        rows.push_back(std::move(row));
    }
    write_csv(path, header, rows);
}

History read_history_csv(const std::filesystem::path& path) {
    const CsvTable table = read_csv(path);
    const auto found = std::find(table.header.begin(), table.header.end(), "epoch");
    if (found == table.header.end()) {
        throw IOError(table.source + ":1:1: no \"epoch\" column" +
                      (table.header.empty()
                           ? std::string(": the first line is not a header")
                           : " (columns: " + train_text::join(table.header, ", ") + ")"));
    }
    if (table.rows.empty()) throw IOError(table.source + ": no rows: the file holds no epoch");
    const auto epoch_column = static_cast<int64_t>(found - table.header.begin());
    const auto row_count = static_cast<int64_t>(table.rows.size());

    std::vector<int64_t> epochs;
    for (int64_t row = 0; row < row_count; ++row)
        epochs.push_back(epoch_of(table, row, epoch_column));

    std::vector<int64_t> columns;
    for (int64_t column = 0; column < table.columns(); ++column)
        if (column != epoch_column) columns.push_back(column);
    std::stable_sort(columns.begin(), columns.end(), [&](int64_t a, int64_t b) {
        return history_rank(table.column_name(a)) < history_rank(table.column_name(b));
    });
    History::Series series;
    for (const int64_t column : columns) {
        std::vector<double> values;
        for (int64_t row = 0; row < row_count; ++row)
            values.push_back(value_of(table, row, column));
        series.emplace_back(table.column_name(column), std::move(values));
    }
    return History(std::move(epochs), std::move(series));
}

}  // namespace minidl::tools
