#include "minidl/tools/csv_table.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "minidl/core/error.hpp"
#include "minidl/serialization/atomic_file.hpp"

namespace minidl::tools {
namespace {

/// Why a cell is not a number, for the message of CsvTable::number.
enum class NumberProblem { none, syntax, not_finite, out_of_range };

struct ParsedNumber {
    double value = 0.0;
    NumberProblem problem = NumberProblem::syntax;
};

/// The whole cell as a double. std::from_chars is locale-independent and exact, but knows no
/// leading '+', which spreadsheets write.
ParsedNumber parse_number(std::string_view text) {
    ParsedNumber result;
    if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, result.value);
    if (text.empty() || stop != end) return result;
    if (error == std::errc::result_out_of_range) {
        result.problem = NumberProblem::out_of_range;
    } else {
        result.problem =
            std::isfinite(result.value) ? NumberProblem::none : NumberProblem::not_finite;
    }
    return result;
}

bool is_number(std::string_view text) { return parse_number(text).problem == NumberProblem::none; }

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string plural(std::size_t count, const std::string& noun) {
    return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

/// One row as read, before the header is told apart from the data.
struct ParsedRow {
    std::vector<std::string> cells;
    int64_t line = 0;
};

/// Splits the text into rows of cells, keeping each row's line for the messages.
class CsvParser {
  public:
    CsvParser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

    std::vector<ParsedRow> rows() {
        std::vector<ParsedRow> rows;
        if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
        while (pos_ < text_.size()) {
            if (rest_of_line_is_blank()) {
                skip_blanks();
                skip_line_end();
                continue;
            }
            ParsedRow row{.cells = {}, .line = line_};
            row.cells.push_back(cell(1));
            while (pos_ < text_.size() && text_[pos_] == ',') {
                ++pos_;
                row.cells.push_back(cell(static_cast<int64_t>(row.cells.size()) + 1));
            }
            skip_line_end();
            rows.push_back(std::move(row));
        }
        return rows;
    }

  private:
    bool at_line_end() const {
        return pos_ == text_.size() || text_[pos_] == '\n' || text_[pos_] == '\r';
    }

    bool rest_of_line_is_blank() const {
        std::size_t i = pos_;
        while (i < text_.size() && is_blank(text_[i])) ++i;
        return i == text_.size() || text_[i] == '\n' || text_[i] == '\r';
    }

    void skip_blanks() {
        while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
    }

    /// Consumes CRLF, LF or CR (nothing at the end of the text).
    void skip_line_end() {
        if (pos_ == text_.size()) return;
        if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
        ++pos_;
        ++line_;
    }

    [[noreturn]] void fail(int64_t line, int64_t column, const std::string& what) const {
        throw IOError(source_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                      what);
    }

    std::string cell(int64_t column) {
        skip_blanks();
        if (pos_ < text_.size() && text_[pos_] == '"') return quoted_cell(column);
        const std::size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
            if (text_[pos_] == '"') {
                fail(line_, column,
                     "quote inside an unquoted cell (quote the whole cell and double its "
                     "quotes)");
            }
            ++pos_;
        }
        std::size_t end = pos_;
        while (end > start && is_blank(text_[end - 1])) --end;
        return std::string(text_.substr(start, end - start));
    }

    std::string quoted_cell(int64_t column) {
        const int64_t opening_line = line_;
        ++pos_;
        std::string value;
        while (true) {
            if (pos_ == text_.size()) {
                fail(opening_line, column, "unterminated quoted cell: no closing quote");
            }
            const char c = text_[pos_++];
            if (c == '"') {
                if (pos_ == text_.size() || text_[pos_] != '"') break;
                ++pos_;
            } else if (c == '\n' || (c == '\r' && (pos_ == text_.size() || text_[pos_] != '\n'))) {
                ++line_;
            }
            value += c;
        }
        skip_blanks();
        if (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
            fail(line_, column, "text after the closing quote of a quoted cell");
        }
        return value;
    }

    std::string_view text_;
    const std::string& source_;
    std::size_t pos_ = 0;
    int64_t line_ = 1;
};

/// Names above values: see parse_csv.
bool first_row_is_header(const std::vector<ParsedRow>& rows) {
    const std::vector<std::string>& first = rows[0].cells;
    if (rows.size() == 1) return std::none_of(first.begin(), first.end(), is_number);
    const std::vector<std::string>& second = rows[1].cells;
    for (std::size_t c = 0; c < first.size(); ++c) {
        if (!is_number(first[c]) && is_number(second[c])) return true;
    }
    return false;
}

void check_header(const ParsedRow& header, const std::string& source) {
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t c = 0; c < header.cells.size(); ++c) {
        const std::string where =
            source + ":" + std::to_string(header.line) + ":" + std::to_string(c + 1) + ": ";
        const std::string& name = header.cells[c];
        if (name.empty()) throw IOError(where + "empty column name in the header");
        const auto [previous, inserted] = seen.emplace(name, c);
        if (!inserted) {
            throw IOError(where + "column name '" + name + "' repeats column " +
                          std::to_string(previous->second + 1));
        }
    }
}

void check_row_widths(const std::vector<ParsedRow>& rows, const std::string& source) {
    const std::size_t width = rows[0].cells.size();
    for (const ParsedRow& row : rows) {
        if (row.cells.size() != width) {
            throw IOError(source + ":" + std::to_string(row.line) + ": " +
                          plural(row.cells.size(), "cell") + ", expected " + std::to_string(width) +
                          " as in line " + std::to_string(rows[0].line));
        }
    }
}

void check_cell(const CsvTable& table, int64_t row, int64_t column) {
    const auto row_count = static_cast<int64_t>(table.rows.size());
    if (row < 0 || row >= row_count || column < 0 || column >= table.columns()) {
        throw IndexError(table.source + ": cell (row " + std::to_string(row) + ", column " +
                         std::to_string(column) + ") is outside the table of " +
                         plural(table.rows.size(), "row") + " and " +
                         plural(static_cast<std::size_t>(table.columns()), "column"));
    }
}

/// The column names for a message, the first few only for a wide table.
std::string column_list(const CsvTable& table) {
    constexpr int64_t shown = 20;
    std::string list;
    for (int64_t c = 0; c < std::min(table.columns(), shown); ++c) {
        list += (c > 0 ? ", " : "") + table.column_name(c);
    }
    if (table.columns() > shown) list += ", ... (" + std::to_string(table.columns()) + " in all)";
    return list;
}

bool needs_quotes(const std::string& cell) {
    return cell.find_first_of(",\"\r\n") != std::string::npos ||
           (!cell.empty() && (is_blank(cell.front()) || is_blank(cell.back())));
}

std::string csv_line(const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) line += ',';
        const std::string& cell = cells[i];
        if (!needs_quotes(cell) && !(cells.size() == 1 && cell.empty())) {
            line += cell;
            continue;
        }
        line += '"';
        for (char c : cell) line += c == '"' ? std::string("\"\"") : std::string(1, c);
        line += '"';
    }
    return line + '\n';
}

}  // namespace

int64_t CsvTable::columns() const {
    if (!header.empty()) return static_cast<int64_t>(header.size());
    return rows.empty() ? 0 : static_cast<int64_t>(rows.front().size());
}

int64_t CsvTable::column_index(const std::string& name_or_index) const {
    const auto named = std::find(header.begin(), header.end(), name_or_index);
    if (named != header.end()) return named - header.begin();
    int64_t index = 0;
    const char* end = name_or_index.data() + name_or_index.size();
    const auto [stop, error] = std::from_chars(name_or_index.data(), end, index);
    if (!name_or_index.empty() && stop == end && error == std::errc() && index >= -columns() &&
        index < columns()) {
        return index < 0 ? index + columns() : index;
    }
    throw ValueError(source + ": unknown column '" + name_or_index +
                     "' (columns: " + column_list(*this) + ")");
}

std::string CsvTable::column_name(int64_t column) const {
    if (column < 0 || column >= columns()) {
        throw IndexError(source + ": column " + std::to_string(column) + " is outside the " +
                         plural(static_cast<std::size_t>(columns()), "column") + " of the table");
    }
    return header.empty() ? std::to_string(column) : header[static_cast<std::size_t>(column)];
}

std::string CsvTable::where(int64_t row, int64_t column) const {
    check_cell(*this, row, column);
    return source + ":" + std::to_string(line_numbers[static_cast<std::size_t>(row)]) + ":" +
           std::to_string(column + 1);
}

double CsvTable::number(int64_t row, int64_t column) const {
    check_cell(*this, row, column);
    const std::string& cell = rows[static_cast<std::size_t>(row)][static_cast<std::size_t>(column)];
    const ParsedNumber parsed = parse_number(cell);
    switch (parsed.problem) {
        case NumberProblem::none:
            return parsed.value;
        case NumberProblem::not_finite:
            throw IOError(where(row, column) + ": '" + cell +
                          "' is not a number (NaN and infinity are not accepted)");
        case NumberProblem::out_of_range:
            throw IOError(where(row, column) + ": '" + cell +
                          "' is not a number (out of the range of a double)");
        case NumberProblem::syntax:
            break;
    }
    throw IOError(where(row, column) + ": '" + cell + "' is not a number" +
                  (cell.empty() ? " (the cell is empty)" : ""));
}

bool CsvTable::is_numeric(int64_t column) const {
    column_name(column);  // the range check
    return std::all_of(rows.begin(), rows.end(), [column](const std::vector<std::string>& row) {
        return is_number(row[static_cast<std::size_t>(column)]);
    });
}

CsvTable parse_csv(std::string_view text, std::string source) {
    std::vector<ParsedRow> parsed = CsvParser(text, source).rows();
    if (parsed.empty()) throw IOError(source + ": empty: no data rows");
    check_row_widths(parsed, source);
    CsvTable table;
    auto first_data = parsed.begin();
    if (first_row_is_header(parsed)) {
        check_header(parsed.front(), source);
        table.header = std::move(parsed.front().cells);
        ++first_data;
        if (first_data == parsed.end()) {
            throw IOError(source + ": empty: no data rows, only the header in line " +
                          std::to_string(parsed.front().line));
        }
    }
    for (auto row = first_data; row != parsed.end(); ++row) {
        table.rows.push_back(std::move(row->cells));
        table.line_numbers.push_back(row->line);
    }
    table.source = std::move(source);
    return table;
}

CsvTable read_csv(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        throw IOError(name + ": cannot read the file: it is a directory");
    }
    errno = 0;
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw IOError(name + ": cannot read the file: " +
                      std::string(std::strerror(errno != 0 ? errno : ENOENT)));
    }
    std::ostringstream content;
    content << file.rdbuf();
    if (file.bad()) throw IOError(name + ": cannot read the file: read error");
    return parse_csv(content.str(), name);
}

void write_csv(const std::filesystem::path& path, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) {
    const bool has_header = !header.empty();
    const std::size_t width = has_header ? header.size() : rows.empty() ? 0 : rows[0].size();
    std::string content = has_header ? csv_line(header) : "";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].size() != width) {
            throw ValueError(path.string() + ": write_csv: row " + std::to_string(i + 1) + " has " +
                             plural(rows[i].size(), "cell") + ", expected " +
                             std::to_string(width) +
                             (has_header ? " as the header" : " as the first row"));
        }
        content += csv_line(rows[i]);
    }
    write_file_atomically(path, content);
}

}  // namespace minidl::tools
