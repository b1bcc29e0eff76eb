// format_checkpoint_path: the subset of Python's str.format that Keras's checkpoint paths use.
#include <cctype>
#include <cmath>

#include "minidl/core/error.hpp"
#include "minidl/train/callbacks.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl::callbacks {
namespace {

using train_text::printf_string;

/// A format field's value: the epoch and batch are integers, logged values floats.
struct FieldValue {
    double number;
    bool integer;
};

/// Python's format spec [[fill]align][sign][0][width][.precision][type].
struct FormatSpec {
    char fill = ' ';
    char align = '\0';  // '<', '>', '^', '=' or none (right for numbers)
    char sign = '-';
    int width = 0;
    int precision = -1;
    char type = '\0';
};

[[noreturn]] void unsupported(const std::string& spec, const std::string& why) {
    throw ValueError("ModelCheckpoint: unsupported format spec '" + spec + "' in filepath: " + why);
}

bool is_align(char c) { return c == '<' || c == '>' || c == '^' || c == '='; }

int read_int(const std::string& text, std::size_t& at) {
    int value = 0;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])))
        value = value * 10 + (text[at++] - '0');
    return value;
}

FormatSpec parse_spec(const std::string& text) {
    FormatSpec spec;
    std::size_t at = 0;
    if (text.size() >= 2 && is_align(text[1])) {
        spec.fill = text[0];
        spec.align = text[1];
        at = 2;
    } else if (!text.empty() && is_align(text[0])) {
        spec.align = text[at++];
    }
    if (at < text.size() && (text[at] == '+' || text[at] == '-' || text[at] == ' '))
        spec.sign = text[at++];
    if (at < text.size() && text[at] == '0' && spec.align == '\0') {
        spec.fill = '0';
        spec.align = '=';
    }
    spec.width = read_int(text, at);
    if (at < text.size() && text[at] == '.') {
        const std::size_t digits_start = ++at;
        spec.precision = read_int(text, at);
        if (at == digits_start) unsupported(text, "'.' without a precision");
    }
    if (at < text.size()) spec.type = text[at++];
    if (at != text.size() ||
        (spec.type != '\0' && std::string("deEfFgG%").find(spec.type) == std::string::npos)) {
        unsupported(text, "supported: [[fill]align][sign][0][width][.precision][deEfFgG%]");
    }
    return spec;
}

/// The digits of `value` under `spec`, without sign or padding.
std::string magnitude_text(double value, const FormatSpec& spec, bool integer) {
    if (spec.type == 'd' || (integer && spec.type == '\0')) {
        if (!integer) unsupported("d", "Unknown format code 'd' for object of type 'float'");
        return printf_string("%.0f", value);
    }
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return "inf";
    const int precision = spec.precision < 0 ? 6 : spec.precision;
    if (spec.type == '%') return printf_string("%.*f%%", precision, value * 100);
    if (spec.type != '\0') {
        const std::string format = std::string("%.*") + spec.type;
        return printf_string(format.c_str(), precision, value);
    }
    if (spec.precision < 0) return train_text::python_float_repr(value);
    // No type with a precision: 'g' keeping one decimal in fixed notation, as Python.
    std::string text = printf_string("%.*g", std::max(precision, 1), value);
    if (text.find_first_of(".e") == std::string::npos) text += ".0";
    return text;
}

std::string format_field(const FieldValue& field, const std::string& spec_text) {
    const FormatSpec spec = parse_spec(spec_text);
    const bool negative = std::signbit(field.number) && !std::isnan(field.number);
    const std::string digits = magnitude_text(std::fabs(field.number), spec, field.integer);
    std::string sign = negative ? "-" : spec.sign == '+' ? "+" : spec.sign == ' ' ? " " : "";
    const std::size_t length = sign.size() + digits.size();
    const std::size_t padding =
        static_cast<std::size_t>(spec.width) > length ? spec.width - length : 0;
    switch (spec.align) {
        case '<':
            return sign + digits + std::string(padding, spec.fill);
        case '^':
            return std::string(padding / 2, spec.fill) + sign + digits +
                   std::string(padding - padding / 2, spec.fill);
        case '=':
            return sign + std::string(padding, spec.fill) + digits;
        default:
            return std::string(padding, spec.fill) + sign + digits;
    }
}

}  // namespace

std::string format_checkpoint_path(const std::string& filepath, int64_t epoch,
                                   std::optional<int64_t> batch, const Logs& logs) {
    const auto field_value = [&](const std::string& name) -> FieldValue {
        if (name == "epoch") return {static_cast<double>(epoch + 1), true};
        if (name == "batch" && batch && !logs.contains("batch"))
            return {static_cast<double>(*batch + 1), true};
        if (const auto value = logs.get(name)) return {*value, false};
        throw ValueError("ModelCheckpoint: Failed to format this callback filepath: \"" + filepath +
                         "\". Reason: '" + name + "'");
    };
    std::string path;
    for (std::size_t at = 0; at < filepath.size(); ++at) {
        const char c = filepath[at];
        const bool doubled = at + 1 < filepath.size() && filepath[at + 1] == c;
        if ((c == '{' || c == '}') && doubled) {
            path += c;
            ++at;
            continue;
        }
        if (c == '}') unsupported("}", "single '}' encountered in format string");
        if (c != '{') {
            path += c;
            continue;
        }
        const std::size_t close = filepath.find('}', at);
        if (close == std::string::npos) unsupported("{", "'{' without a closing '}'");
        const std::string field = filepath.substr(at + 1, close - at - 1);
        const std::size_t colon = field.find(':');
        const std::string name = field.substr(0, colon);
        if (name.find_first_of("!.[") != std::string::npos)
            unsupported(field, "conversions, attributes and indices are not supported");
        path += format_field(field_value(name),
                             colon == std::string::npos ? "" : field.substr(colon + 1));
        at = close;
    }
    return path;
}

}  // namespace minidl::callbacks
