// CSV tables for the `minidl` program (docs/cli.md): a file read whole into text cells, which
// tools/dataset.hpp then turns into tensors, and tables written back (predictions).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace minidl::tools {

/// A CSV file read whole: every cell as text, the header when the file has one. Error messages
/// point at cells as "<source>:<line>:<column>", the line of the file (1-based) and the column
/// (the 1-based cell number, as spreadsheets count, not a character position).
struct CsvTable {
    std::string source;                          ///< the file name, in every error message
    std::vector<std::string> header;             ///< column names; empty when no header row
    std::vector<std::vector<std::string>> rows;  ///< data rows, all of columns() cells
    std::vector<int64_t> line_numbers;           ///< each row's 1-based line in the file

    /// The cells per row (the header's count when there is one).
    int64_t columns() const;
    /// A column given by header name, or by 0-based index text ("3"; "-1" = last). A header
    /// name wins over an index of the same spelling. ValueError
    /// "<source>: unknown column 'x' (columns: a, b, c)" otherwise.
    int64_t column_index(const std::string& name_or_index) const;
    /// The column's name: the header's, or its index as text when there is no header.
    std::string column_name(int64_t column) const;
    /// Where cell (row, column) is, "<source>:<line>:<column 1-based>", for messages about it.
    std::string where(int64_t row, int64_t column) const;
    /// Cell (row, column) as a double: decimal, optional sign (a leading '+' too), exponents.
    /// NaN and infinities are refused, as a model cannot learn from them. IOError
    /// "<source>:<line>:<column 1-based>: 'abc' is not a number"; IndexError outside the table.
    double number(int64_t row, int64_t column) const;
    /// Whether every cell of the column parses as a number (as number() accepts it).
    bool is_numeric(int64_t column) const;
};

/// Parses CSV text: RFC 4180 (comma separated, "quoted" cells with "" escapes and commas or
/// line ends inside the quotes), lines ending in CRLF, LF or CR, a UTF-8 byte-order mark
/// skipped, blank lines skipped, spaces and tabs around unquoted cells (and around the quotes of
/// quoted ones) trimmed. A quote inside an unquoted cell or text after a closing quote is an
/// error rather than guessed at.
///
/// The first row is a header when some column holds a non-number there and a number in the
/// second row (names above values). A file of a single row is a header, and so has no data,
/// when none of its cells is a number; otherwise that row is data. So a file whose columns all
/// hold text cannot have its header told apart from data: its first row is read as data.
///
/// IOError "<source>:<line>[:<column>]: ..." for an unterminated quote, a stray quote, a row of
/// another cell count ("<source>:7: 3 cells, expected 4 as in line 1"), an empty or a repeated
/// header name; "<source>: empty: no data rows" when no data row remains.
CsvTable parse_csv(std::string_view text, std::string source);

/// Reads and parses a file (`source` is its path as given). IOError naming the file when it
/// cannot be read.
CsvTable read_csv(const std::filesystem::path& path);

/// Writes a table (the header when non-empty, then the rows; lines end in LF) atomically, so a
/// reader never sees half a file. Cells are quoted when they must be to read back the same:
/// holding a comma, quote or line end, with spaces or tabs around them, or an empty single-cell
/// row (which would otherwise be a blank line). ValueError naming the file when a row's cell
/// count differs from the header's (or the first row's); IOError when it cannot be written.
void write_csv(const std::filesystem::path& path, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows);

}  // namespace minidl::tools
