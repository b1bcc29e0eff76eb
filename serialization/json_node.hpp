// Reading minidl's JSON files with errors a user can act on: every failure names the file and
// the JSON Pointer of the offending value ("model.json: /weights/3/shape: expected ...").
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "minidl/layers/config.hpp"

namespace minidl::serialization {

/// Reads and parses a whole JSON file. Throws IOError naming the file for a missing or
/// unreadable file, one larger than kMaxJsonFileBytes, an empty one, and anything parse_json
/// rejects.
Json read_json_file(const std::filesystem::path& path);
/// Parses `text`; `source` names it in errors (a file name, or e.g. "model_from_json").
/// Strict JSON (RFC 8259, UTF-8): malformed or truncated text, a key twice in one object, or
/// nesting deeper than kMaxJsonDepth is an IOError "<source>: <pointer>: <problem>" with the
/// JSON Pointer of the value being read and, for syntax errors, the byte offset (from 0), line
/// and column.
Json parse_json(std::string_view text, const std::string& source);
/// Writes dump_json(json, indent) and a newline atomically (serialization/atomic_file.hpp).
/// Throws IOError naming the file when it cannot be written, ValueError as dump_json.
void write_json_file(const std::filesystem::path& path, const Json& json, int indent = 1);

/// The text of `json`. Laid out as nlohmann's dump (-1 = one line without spaces; otherwise
/// `indent` spaces per level), except that with an indent an array of scalars (numbers,
/// strings, booleans, nulls) stays on one line: "shape": [5, 8, 1]. Floating-point numbers are
/// written as the shortest text that reads back to the same double (std::to_chars), with ".0"
/// added to whole numbers so that they read back as floats. Throws ValueError naming the JSON
/// Pointer of a NaN or infinite number (JSON has none) or of a string that is not UTF-8.
std::string dump_json(const Json& json, int indent = -1);

/// The largest file read_json_file reads (1 GiB); a bigger one is an IOError before any read.
inline constexpr std::uintmax_t kMaxJsonFileBytes = std::uintmax_t{1} << 30;
/// The deepest nesting of arrays and objects parse_json accepts.
inline constexpr int kMaxJsonDepth = 512;

/// A view of one value inside a parsed document that knows where it is, so that every check
/// can throw IOError "<source>: <pointer>: <problem>". Holds a reference: the document must
/// outlive it.
class JsonNode {
  public:
    /// The document's root; `source` is the file name (or another label) used in errors.
    JsonNode(const Json& value, std::string source);

    const Json& value() const { return *value_; }
    /// The JSON Pointer of this value ("" for the root, "/weights/3/shape").
    const std::string& pointer() const { return pointer_; }
    const std::string& source() const { return source_; }

    /// The member `key` of this object; fails when this is not an object or `key` is absent.
    JsonNode at(std::string_view key) const;
    /// The member `key`, or nothing when absent (fails when this is not an object).
    std::optional<JsonNode> find(std::string_view key) const;
    /// Element `index` of this array; fails when this is not an array or out of range.
    JsonNode at(std::size_t index) const;
    /// The number of elements of this array (fails when this is not an array).
    std::size_t size() const;

    std::string as_string() const;
    bool as_bool() const;
    /// An integer (a JSON integer, or a float with an integral value); fails otherwise.
    int64_t as_int() const;
    double as_number() const;

    void require_object() const;
    void require_array() const;
    /// Fails naming the first key of this object that is not in `known`.
    void reject_unknown_keys(std::initializer_list<std::string_view> known) const;

    /// Throws IOError "<source>: <pointer or '/'>: <problem>".
    [[noreturn]] void fail(const std::string& problem) const;

  private:
    JsonNode(const Json& value, std::string source, std::string pointer);
    const Json* value_;
    std::string source_;
    std::string pointer_;
};

}  // namespace minidl::serialization
