#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "minidl/core/error.hpp"
#include "minidl/serialization/atomic_file.hpp"
#include "minidl/train/callbacks.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl::callbacks {
namespace {

/// Python's csv module ends rows with "\r\n" (the excel dialect Keras uses).
constexpr const char* row_end = "\r\n";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw IOError("CSVLogger: cannot read '" + path.string() + "'");
    std::ostringstream content;
    content << file.rdbuf();
    return content.str();
}

/// Keras's columns: the logged names sorted, and their val_ names when none is logged yet.
std::vector<std::string> csv_keys(const Logs& logs) {
    std::vector<std::string> keys = train_text::names(logs);
    std::sort(keys.begin(), keys.end());
    const bool has_validation = std::any_of(
        keys.begin(), keys.end(), [](const std::string& k) { return k.rfind("val_", 0) == 0; });
    if (!has_validation) {
        const std::size_t count = keys.size();
        for (std::size_t i = 0; i < count; ++i) keys.push_back("val_" + keys[i]);
    }
    return keys;
}

}  // namespace

CSVLogger::CSVLogger(CSVLoggerOptions options) : options_(std::move(options)) {
    if (options_.filename.empty()) throw ValueError("CSVLogger: 'filename' is empty");
    if (options_.separator.size() != 1) {
        throw ValueError("CSVLogger: 'separator' must be one character, got \"" +
                         options_.separator + "\"");
    }
}

void CSVLogger::on_train_begin(Logs& logs) {
    (void)logs;
    content_.clear();
    header_needed_ = true;
    if (options_.append && std::filesystem::exists(options_.filename)) {
        content_ = read_file(options_.filename);
        // As Keras: a header only into an empty file.
        header_needed_ = content_.empty();
    }
    write_file_atomically(options_.filename, content_);
}

void CSVLogger::on_epoch_end(int64_t epoch, Logs& logs) {
    if (!keys_) keys_ = csv_keys(logs);
    if (!header_written_) {
        std::vector<std::string> header = {"epoch"};
        header.insert(header.end(), keys_->begin(), keys_->end());
        if (header_needed_) content_ += csv_row(header);
        header_written_ = true;
    }
    std::vector<std::string> row = {std::to_string(epoch)};
    for (const auto& key : *keys_) {
        const std::optional<double> value = logs.get(key);
        row.push_back(value ? train_text::python_float_repr(*value) : "NA");
    }
    content_ += csv_row(row);
    write_file_atomically(options_.filename, content_);
}

void CSVLogger::on_train_end(Logs& logs) {
    (void)logs;
    // Keras keeps the columns for a later fit, and writes its header again.
    header_written_ = false;
}

std::string CSVLogger::csv_row(const std::vector<std::string>& fields) const {
    const char separator = options_.separator.front();
    std::string row;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) row += separator;
        const std::string& field = fields[i];
        // Python's QUOTE_MINIMAL: quote a field holding the separator, a quote or a line end.
        if (field.find_first_of(std::string{separator, '"', '\r', '\n'}) == std::string::npos) {
            row += field;
            continue;
        }
        row += '"';
        for (char c : field) row += c == '"' ? std::string("\"\"") : std::string(1, c);
        row += '"';
    }
    return row + row_end;
}

}  // namespace minidl::callbacks
