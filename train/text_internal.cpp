#include "minidl/train/text_internal.hpp"

#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace minidl::train_text {

std::string printf_string(const char* format, ...) {
    va_list arguments;
    va_start(arguments, format);
    va_list copy;
    va_copy(copy, arguments);
    const int size = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    std::string text(static_cast<std::size_t>(size), '\0');
    std::vsnprintf(text.data(), text.size() + 1, format, arguments);
    va_end(arguments);
    return text;
}

std::vector<std::string> names(const Logs& logs) {
    std::vector<std::string> result;
    for (const auto& entry : logs) result.push_back(entry.first);
    return result;
}

std::string join(const std::vector<std::string>& names, std::string_view separator) {
    if (names.empty()) return "(none)";
    std::string text = names.front();
    for (std::size_t i = 1; i < names.size(); ++i) text.append(separator).append(names[i]);
    return text;
}

std::string python_float_repr(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
    // The shortest round-trip digits, as "-d.ddde+XX"; Python lays them out as below.
    char buffer[64];
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    const std::string scientific(buffer, result.ptr);
    const std::size_t e = scientific.find('e');
    const int exponent = std::atoi(scientific.c_str() + e + 1);
    const bool negative = scientific.front() == '-';
    std::string digits;
    for (char c : scientific.substr(negative ? 1 : 0, e - (negative ? 1 : 0)))
        if (c != '.') digits += c;
    std::string text = negative ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
        text.append(digits, 0, 1);
        if (digits.size() > 1) text.append(".").append(digits, 1);
        return text.append(printf_string("e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent)));
    }
    if (exponent < 0) {
        text.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0');
        return text.append(digits);
    }
    const auto integer_digits = static_cast<std::size_t>(exponent + 1);
    if (digits.size() <= integer_digits) {
        text.append(digits).append(integer_digits - digits.size(), '0');
        return text.append(".0");
    }
    text.append(digits, 0, integer_digits).append(".");
    return text.append(digits, integer_digits);
}

}  // namespace minidl::train_text
