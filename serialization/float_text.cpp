#include "minidl/serialization/float_text.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "minidl/core/error.hpp"

namespace minidl::serialization {
namespace {

constexpr const char* kNaN = "NaN";
constexpr const char* kInfinity = "Infinity";
constexpr const char* kMinusInfinity = "-Infinity";

/// The smallest magnitude that rounds to infinity as float32: FLT_MAX plus half its ulp.
constexpr double kFloatOverflow = 0x1.ffffffp+127;

std::string shown(const Json& value) {
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        constexpr std::size_t kShown = 40;
        return "a string " + Json(text.size() > kShown ? text.substr(0, kShown) + "..." : text)
                                 .dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    if (value.is_array()) return "an array";
    if (value.is_object()) return "an object";
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    if (value.is_null()) return "null";
    return value.dump();
}

/// The float32 nearest to the decimal text `value` was read from. Rounding the double is that,
/// except when the double is exactly halfway between two floats: then the text may have been on
/// either side of the midpoint (double rounding). For float_to_text's texts this happens for one
/// magnitude only, 7.038531e-26 (bits 0x15ae43fd), whose double is the midpoint and rounds to
/// even, away from the float. There the double's shortest text, which is the text it was read
/// from whenever that text was short, is parsed as a float directly.
float nearest_float(double value) {
    const float rounded = static_cast<float>(value);
    if (static_cast<double>(rounded) == value) return rounded;
    const float other = std::nextafter(rounded, value > static_cast<double>(rounded)
                                                    ? std::numeric_limits<float>::infinity()
                                                    : -std::numeric_limits<float>::infinity());
    if (std::fabs(value - static_cast<double>(rounded)) !=
        std::fabs(static_cast<double>(other) - value)) {
        return rounded;
    }
    char buffer[64];
    const auto written = std::to_chars(buffer, buffer + sizeof buffer, value);
    float parsed = rounded;
    std::from_chars(buffer, written.ptr, parsed);
    return parsed;
}

}  // namespace

std::string float_to_text(float value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

Json float_to_json(float value, bool allow_non_finite) {
    if (std::isnan(value) || std::isinf(value)) {
        const char* text = std::isnan(value) ? kNaN : value > 0 ? kInfinity : kMinusInfinity;
        if (!allow_non_finite) {
            throw ValueError(std::string("float_to_json: ") + text +
                             " is not a JSON number (allow non-finite values to write it as the "
                             "string \"" +
                             text + "\")");
        }
        return text;
    }
    char buffer[32];
    const auto written = std::to_chars(buffer, buffer + sizeof buffer, value);
    double shortest = 0.0;
    std::from_chars(buffer, written.ptr, shortest);
    return shortest;
}

std::optional<float> float_from_json(const Json& value, bool allow_non_finite,
                                     std::string& problem) {
    switch (value.type()) {
        case Json::value_t::number_float: {
            const double number = value.get<double>();
            if (std::isfinite(number) && std::fabs(number) < kFloatOverflow) {
                return nearest_float(number);
            }
            problem = "the number " + value.dump() + " is outside float32's range";
            return std::nullopt;
        }
        case Json::value_t::number_integer:
            return static_cast<float>(value.get<int64_t>());
        case Json::value_t::number_unsigned:
            return static_cast<float>(value.get<uint64_t>());
        case Json::value_t::string: {
            const auto& text = value.get_ref<const std::string&>();
            float special = 0.0f;
            if (text == kNaN) {
                special = std::numeric_limits<float>::quiet_NaN();
            } else if (text == kInfinity) {
                special = std::numeric_limits<float>::infinity();
            } else if (text == kMinusInfinity) {
                special = -std::numeric_limits<float>::infinity();
            } else {
                problem = "expected a number, got " + shown(value);
                return std::nullopt;
            }
            if (!allow_non_finite) {
                problem = text +
                          " is not allowed (load with allow_non_finite = true to accept "
                          "NaN and infinities)";
                return std::nullopt;
            }
            return special;
        }
        default:
            problem = "expected a number, got " + shown(value);
            return std::nullopt;
    }
}

}  // namespace minidl::serialization
