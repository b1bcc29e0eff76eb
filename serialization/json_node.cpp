#include "minidl/serialization/json_node.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include "minidl/core/error.hpp"
#include "minidl/serialization/atomic_file.hpp"

namespace minidl::serialization {
namespace {

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

std::string located(const std::string& source, const std::string& pointer,
                    const std::string& problem) {
    return source + ": " + (pointer.empty() ? std::string("/") : pointer) + ": " + problem;
}

std::string shortest_double(double value) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

/// A JSON value as a message shows it: `a string "abc"`, `2.5`, `an array`, `null`.
std::string describe(const Json& value) {
    switch (value.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::boolean:
            return value.get<bool>() ? "true" : "false";
        case Json::value_t::number_integer:
            return std::to_string(value.get<int64_t>());
        case Json::value_t::number_unsigned:
            return std::to_string(value.get<uint64_t>());
        case Json::value_t::number_float:
            return shortest_double(value.get<double>());
        case Json::value_t::string: {
            const auto& text = value.get_ref<const std::string&>();
            constexpr std::size_t kShown = 40;
            std::string shown = text.size() > kShown ? text.substr(0, kShown) + "..." : text;
            return "a string " + Json(shown).dump(-1, ' ', false, Json::error_handler_t::replace);
        }
        case Json::value_t::array:
            return "an array";
        case Json::value_t::object:
            return "an object";
        default:
            return "a binary value";
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing: nlohmann's SAX parser feeding a DOM builder that knows the JSON Pointer of the value
// it is reading, rejects duplicate keys and limits the depth.
// ---------------------------------------------------------------------------------------------

/// (line, column) of byte `offset`, both from 1.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    const std::string_view before = text.substr(0, offset);
    const std::size_t line =
        1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t last_newline = before.rfind('\n');
    const std::size_t column =
        last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
    return {line, column};
}

/// nlohmann's reason without its "[json.exception.parse_error.101] parse error at line 1,
/// column 5: " prefix (minidl gives the position itself).
/// The "last read: '...'" part is shortened to its last 40 characters: after trailing garbage it
/// can hold the whole tail of a large file.
std::string parse_error_reason(const char* what) {
    std::string text = what;
    const std::size_t column = text.find("column ");
    const std::size_t colon = column == std::string::npos ? column : text.find(": ", column);
    if (colon != std::string::npos) {
        text = text.substr(colon + 2);
    } else if (const std::size_t bracket = text.find("] "); bracket != std::string::npos) {
        text = text.substr(bracket + 2);
    }
    const std::string marker = "last read: '";
    const std::size_t start = text.find(marker);
    if (start != std::string::npos) {
        const std::size_t first = start + marker.size();
        std::size_t end = text.find("'; ", first);
        if (end == std::string::npos) end = text.size() - 1;  // the closing quote
        constexpr std::size_t kShown = 40;
        if (end > first + kShown) text.replace(first, end - first - kShown, "...");
    }
    return text;
}

class DomBuilder {
  public:
    DomBuilder(Json& root, std::string_view text, const std::string& source)
        : root_(root), text_(text), source_(source) {}

    bool null() { return add(Json(nullptr)); }
    bool boolean(bool value) { return add(Json(value)); }
    bool number_integer(Json::number_integer_t value) { return add(Json(value)); }
    bool number_unsigned(Json::number_unsigned_t value) { return add(Json(value)); }
    bool number_float(Json::number_float_t value, const std::string& /*text*/) {
        return add(Json(value));  // nlohmann's lexer rejects a number beyond double's range
    }
    bool string(std::string& value) { return add(Json(std::move(value))); }
    bool binary(Json::binary_t& value) { return add(Json(Json::binary_t(std::move(value)))); }

    bool start_object(std::size_t /*elements*/) { return open(Json::object()); }
    bool start_array(std::size_t /*elements*/) { return open(Json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(std::string& key) {
        Frame& frame = frames_.back();
        auto& members = *frame.container->get_ptr<Json::object_t*>();
        constexpr std::size_t kLinearSearch = 32;
        bool duplicate = false;
        if (members.size() < kLinearSearch) {
            duplicate = std::any_of(members.begin(), members.end(),
                                    [&](const auto& member) { return member.first == key; });
        } else {
            if (!frame.keys) {
                frame.keys = std::make_unique<std::unordered_set<std::string>>();
                for (const auto& member : members) frame.keys->insert(member.first);
            }
            duplicate = !frame.keys->insert(key).second;
        }
        frame.key = std::move(key);
        frame.has_key = true;
        if (duplicate) {
            fail_here("the key \"" + frame.key + "\" appears twice in one object");
        }
        return true;
    }

    bool parse_error(std::size_t position, const std::string& /*last_token*/,
                     const nlohmann::detail::exception& error) {
        // `position` counts the characters read, the offending one (or the end) included.
        const std::size_t offset = position == 0 ? 0 : std::min(position - 1, text_.size());
        const auto [line, column] = line_and_column(text_, offset);
        const std::string where = "byte " + std::to_string(offset) + " (line " +
                                  std::to_string(line) + ", column " + std::to_string(column) + ")";
        const std::string reason = parse_error_reason(error.what());
        if (offset >= text_.size()) {
            fail_here("truncated JSON: the text ends at " + where +
                      " before the value is complete (" + reason + ")");
        }
        fail_here("malformed JSON at " + where + ": " + reason);
    }

  private:
    struct Frame {
        Json* container;
        std::string key;  // the member being read (objects)
        bool has_key = false;
        std::unique_ptr<std::unordered_set<std::string>> keys;  // large objects only
    };

    /// Adds a complete value to the open container (or makes it the root).
    Json* place(Json&& value) {
        if (frames_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        Frame& frame = frames_.back();
        if (frame.container->is_array()) {
            auto& elements = *frame.container->get_ptr<Json::array_t*>();
            elements.push_back(std::move(value));
            return &elements.back();
        }
        // ordered_map's own emplace searches the keys (quadratic for large objects); key()
        // already rejected duplicates, so append directly.
        auto& members = *frame.container->get_ptr<Json::object_t*>();
        auto& storage = static_cast<std::vector<typename Json::object_t::value_type,
                                                typename Json::object_t::allocator_type>&>(members);
        storage.emplace_back(std::move(frame.key), std::move(value));
        frame.has_key = false;
        return &storage.back().second;
    }

    bool add(Json&& value) {
        place(std::move(value));
        return true;
    }

    bool open(Json&& container) {
        if (static_cast<int>(frames_.size()) >= kMaxJsonDepth) {
            fail_here("arrays and objects are nested deeper than " + std::to_string(kMaxJsonDepth) +
                      " levels");
        }
        Json* placed = place(std::move(container));
        frames_.push_back(Frame{placed, {}, false, nullptr});
        return true;
    }

    bool close() {
        frames_.pop_back();
        return true;
    }

    /// The pointer of the value being read: the open containers' members, then the next
    /// element of the innermost array, or the pending key of the innermost object.
    std::string pointer() const {
        std::string result;
        for (std::size_t i = 0; i < frames_.size(); ++i) {
            const Frame& frame = frames_[i];
            const bool innermost = i + 1 == frames_.size();
            if (frame.container->is_array()) {
                const std::size_t size = frame.container->size();
                // An outer array's last element is the open container; the innermost array's
                // next element is being read.
                result += "/" + std::to_string(innermost ? size : size - 1);
            } else if (innermost) {
                if (frame.has_key) result += json_pointer_token(frame.key);
            } else {
                const auto& members = *frame.container->get_ptr<const Json::object_t*>();
                result += json_pointer_token(members.back().first);
            }
        }
        return result;
    }

    [[noreturn]] void fail_here(const std::string& problem) const {
        throw IOError(located(source_, pointer(), problem));
    }

    Json& root_;
    std::string_view text_;
    const std::string& source_;
    std::vector<Frame> frames_;
};

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// Length of the UTF-8 sequence starting at text[i], or 0 when it is not valid UTF-8.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    uint32_t code = 0;
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        code = lead & 0x07;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
        return 0;  // overlong, beyond Unicode, or a surrogate
    }
    return length;
}

class Writer {
  public:
    explicit Writer(int indent) : indent_(indent) {}

    std::string take() { return std::move(out_); }

    void value(const Json& json, int depth) {
        switch (json.type()) {
            case Json::value_t::null:
                out_ += "null";
                break;
            case Json::value_t::boolean:
                out_ += json.get<bool>() ? "true" : "false";
                break;
            case Json::value_t::number_integer:
                integer(json.get<int64_t>());
                break;
            case Json::value_t::number_unsigned:
                integer(json.get<uint64_t>());
                break;
            case Json::value_t::number_float:
                number(json.get<double>());
                break;
            case Json::value_t::string:
                string(json.get_ref<const std::string&>());
                break;
            case Json::value_t::array:
                array(json, depth);
                break;
            case Json::value_t::object:
                object(json, depth);
                break;
            default:
                fail("binary values cannot be written as JSON");
        }
    }

  private:
    template <class Integer>
    void integer(Integer value) {
        char buffer[32];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
        out_.append(buffer, result.ptr);
    }

    void number(double value) {
        if (!std::isfinite(value)) {
            fail("JSON has no " + shortest_double(value) +
                 " (a number must be finite; write it as a string)");
        }
        // Python's repr, which json.dumps (and so Keras) writes: the shortest digits, in fixed
        // notation for exponents -4 to 15 ("0.0001", "1e-05", "1e+16").
        char buffer[64];
        char* end = buffer + sizeof buffer;
        const auto scientific = std::to_chars(buffer, end, value, std::chars_format::scientific);
        const char* e = std::find(buffer, scientific.ptr, 'e');
        int exponent = 0;
        std::from_chars(e + (e[1] == '+' ? 2 : 1), scientific.ptr, exponent);
        if (exponent < -4 || exponent > 15) {
            out_.append(buffer, scientific.ptr);
            return;
        }
        const auto fixed = std::to_chars(buffer, end, value, std::chars_format::fixed);
        const std::string_view text(buffer, static_cast<std::size_t>(fixed.ptr - buffer));
        out_ += text;
        if (text.find('.') == std::string_view::npos) out_ += ".0";
    }

    void string(std::string_view text) {
        out_ += '"';
        std::size_t i = 0;
        while (i < text.size()) {
            // Copy a run of printable ASCII without escapes at once (base64 data is one run).
            std::size_t run = i;
            while (run < text.size()) {
                const auto byte = static_cast<unsigned char>(text[run]);
                if (byte < 0x20 || byte >= 0x80 || byte == '"' || byte == '\\') break;
                ++run;
            }
            out_.append(text.substr(i, run - i));
            i = run;
            if (i == text.size()) break;
            const unsigned char c = static_cast<unsigned char>(text[i]);
            if (c >= 0x80) {
                const std::size_t length = utf8_sequence_length(text, i);
                if (length == 0) {
                    fail("the string has a byte 0x" + hex(c) + " at offset " + std::to_string(i) +
                         " that is not valid UTF-8");
                }
                out_.append(text.substr(i, length));
                i += length;
                continue;
            }
            switch (c) {
                case '"':
                    out_ += "\\\"";
                    break;
                case '\\':
                    out_ += "\\\\";
                    break;
                case '\b':
                    out_ += "\\b";
                    break;
                case '\f':
                    out_ += "\\f";
                    break;
                case '\n':
                    out_ += "\\n";
                    break;
                case '\r':
                    out_ += "\\r";
                    break;
                case '\t':
                    out_ += "\\t";
                    break;
                default:
                    if (c < 0x20) {
                        out_ += "\\u00" + hex(c);
                    } else {
                        out_ += static_cast<char>(c);
                    }
            }
            ++i;
        }
        out_ += '"';
    }

    static std::string hex(unsigned char c) {
        static constexpr char kDigits[] = "0123456789abcdef";
        return {kDigits[c >> 4], kDigits[c & 15]};
    }

    static bool is_scalar(const Json& json) { return !json.is_array() && !json.is_object(); }

    void newline(int depth) {
        out_ += '\n';
        out_.append(static_cast<std::size_t>(indent_) * static_cast<std::size_t>(depth), ' ');
    }

    void array(const Json& json, int depth) {
        const auto& elements = json.get_ref<const Json::array_t&>();
        if (elements.empty()) {
            out_ += "[]";
            return;
        }
        const bool one_line =
            indent_ < 0 || std::all_of(elements.begin(), elements.end(), is_scalar);
        const char* separator = indent_ < 0 ? "," : ", ";
        out_ += '[';
        for (std::size_t i = 0; i < elements.size(); ++i) {
            if (one_line) {
                if (i > 0) out_ += separator;
            } else {
                if (i > 0) out_ += ',';
                newline(depth + 1);
            }
            path_.push_back(i);
            value(elements[i], depth + 1);
            path_.pop_back();
        }
        if (!one_line) newline(depth);
        out_ += ']';
    }

    void object(const Json& json, int depth) {
        const auto& members = json.get_ref<const Json::object_t&>();
        if (members.empty()) {
            out_ += "{}";
            return;
        }
        out_ += '{';
        bool first = true;
        for (const auto& [key, member] : members) {
            if (!first) out_ += ',';
            first = false;
            if (indent_ >= 0) newline(depth + 1);
            keys_.push_back(&key);
            path_.push_back(kKey);
            string(key);
            out_ += indent_ >= 0 ? ": " : ":";
            value(member, depth + 1);
            path_.pop_back();
            keys_.pop_back();
        }
        if (indent_ >= 0) newline(depth);
        out_ += '}';
    }

    [[noreturn]] void fail(const std::string& problem) const {
        std::string pointer;
        std::size_t key = 0;
        for (const std::size_t step : path_) {
            pointer +=
                step == kKey ? json_pointer_token(*keys_[key++]) : "/" + std::to_string(step);
        }
        if (pointer.empty()) pointer = "/";
        std::string message = "dump_json: ";
        message.append(pointer).append(": ").append(problem);
        throw ValueError(message);
    }

    static constexpr std::size_t kKey = std::numeric_limits<std::size_t>::max();
    int indent_;
    std::string out_;
    std::vector<std::size_t> path_;         // array indices, or kKey for an object member
    std::vector<const std::string*> keys_;  // the keys of the kKey steps
};

}  // namespace

Json parse_json(std::string_view text, const std::string& source) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        throw IOError(source + ": no JSON value: the text is " +
                      (text.empty() ? "empty" : "only whitespace"));
    }
    Json root;
    DomBuilder builder(root, text, source);
    Json::sax_parse(text.begin(), text.end(), &builder);
    return root;
}

Json read_json_file(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (error || !std::filesystem::exists(status)) {
        throw IOError(name + ": cannot read the file: " +
                      (error ? error.message() : std::string(std::strerror(ENOENT))));
    }
    if (std::filesystem::is_directory(status)) {
        throw IOError(name + ": cannot read the file: it is a directory");
    }
    if (std::filesystem::is_regular_file(status)) {
        const std::uintmax_t size = std::filesystem::file_size(path, error);
        if (!error && size > kMaxJsonFileBytes) {
            throw IOError(name + ": the file has " + std::to_string(size) +
                          " bytes, more than the " + std::to_string(kMaxJsonFileBytes) +
                          " bytes (1 GiB) minidl reads as JSON");
        }
    }
    errno = 0;
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw IOError(name + ": cannot open the file: " +
                      std::string(std::strerror(errno != 0 ? errno : EACCES)));
    }
    std::string text;
    char buffer[1 << 16];
    while (file) {
        file.read(buffer, sizeof buffer);
        text.append(buffer, static_cast<std::size_t>(file.gcount()));
        if (text.size() > kMaxJsonFileBytes) {
            throw IOError(name + ": the file has more than " + std::to_string(kMaxJsonFileBytes) +
                          " bytes (1 GiB), the most minidl reads as JSON");
        }
    }
    if (file.bad()) throw IOError(name + ": cannot read the file: read error");
    if (text.empty()) throw IOError(name + ": the file is empty (0 bytes), not JSON");
    return parse_json(text, name);
}

std::string dump_json(const Json& json, int indent) {
    Writer writer(indent);
    writer.value(json, 0);
    return writer.take();
}

void write_json_file(const std::filesystem::path& path, const Json& json, int indent) {
    std::string text;
    try {
        text = dump_json(json, indent);
    } catch (const ValueError& error) {
        throw ValueError(path.string() + ": " + error.what());
    }
    text += '\n';
    write_file_atomically(path, text);
}

// ---------------------------------------------------------------------------------------------
// JsonNode
// ---------------------------------------------------------------------------------------------

JsonNode::JsonNode(const Json& value, std::string source)
    : value_(&value), source_(std::move(source)) {}

JsonNode::JsonNode(const Json& value, std::string source, std::string pointer)
    : value_(&value), source_(std::move(source)), pointer_(std::move(pointer)) {}

void JsonNode::fail(const std::string& problem) const {
    throw IOError(located(source_, pointer_, problem));
}

void JsonNode::require_object() const {
    if (!value_->is_object()) fail("expected an object, got " + describe(*value_));
}

void JsonNode::require_array() const {
    if (!value_->is_array()) fail("expected an array, got " + describe(*value_));
}

std::optional<JsonNode> JsonNode::find(std::string_view key) const {
    require_object();
    const auto& members = value_->get_ref<const Json::object_t&>();
    const auto found = std::find_if(members.begin(), members.end(),
                                    [&](const auto& member) { return member.first == key; });
    if (found == members.end()) return std::nullopt;
    return JsonNode(found->second, source_, pointer_ + json_pointer_token(key));
}

JsonNode JsonNode::at(std::string_view key) const {
    std::optional<JsonNode> found = find(key);
    if (!found) fail("missing key \"" + std::string(key) + "\"");
    return *std::move(found);
}

JsonNode JsonNode::at(std::size_t index) const {
    require_array();
    if (index >= value_->size()) {
        fail("index " + std::to_string(index) + " is out of range (the array has " +
             std::to_string(value_->size()) + " elements)");
    }
    return JsonNode((*value_)[index], source_, pointer_ + "/" + std::to_string(index));
}

std::size_t JsonNode::size() const {
    require_array();
    return value_->size();
}

std::string JsonNode::as_string() const {
    if (!value_->is_string()) fail("expected a string, got " + describe(*value_));
    return value_->get<std::string>();
}

bool JsonNode::as_bool() const {
    if (!value_->is_boolean()) fail("expected true or false, got " + describe(*value_));
    return value_->get<bool>();
}

int64_t JsonNode::as_int() const {
    switch (value_->type()) {
        case Json::value_t::number_integer:
            return value_->get<int64_t>();
        case Json::value_t::number_unsigned: {
            const uint64_t value = value_->get<uint64_t>();
            if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
                fail("the integer " + std::to_string(value) + " is too large (at most 2^63 - 1)");
            }
            return static_cast<int64_t>(value);
        }
        case Json::value_t::number_float: {
            const double value = value_->get<double>();
            if (std::trunc(value) != value) {
                fail("expected an integer, got " + describe(*value_));
            }
            // [-2^63, 2^63): every double there converts to int64 exactly.
            if (!(value >= -9223372036854775808.0 && value < 9223372036854775808.0)) {
                fail("the integer " + describe(*value_) + " is too large (at most 2^63 - 1)");
            }
            return static_cast<int64_t>(value);
        }
        default:
            fail("expected an integer, got " + describe(*value_));
    }
}

double JsonNode::as_number() const {
    if (!value_->is_number()) fail("expected a number, got " + describe(*value_));
    return value_->get<double>();
}

void JsonNode::reject_unknown_keys(std::initializer_list<std::string_view> known) const {
    require_object();
    for (const auto& [key, member] : value_->get_ref<const Json::object_t&>()) {
        if (std::find(known.begin(), known.end(), key) != known.end()) continue;
        std::string expected;
        for (const std::string_view name : known) {
            expected += (expected.empty() ? "" : ", ") + std::string(name);
        }
        JsonNode(member, source_, pointer_ + json_pointer_token(key))
            .fail("unknown key \"" + key + "\" (expected " +
                  (known.size() == 0 ? std::string("no keys") : "one of: " + expected) + ")");
    }
}

}  // namespace minidl::serialization
