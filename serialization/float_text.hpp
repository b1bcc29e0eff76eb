// float32 values as JSON numbers: the shortest decimal text that reads back to the same bits,
// and the strings "NaN", "Infinity", "-Infinity" for values JSON has no number for.
#pragma once

#include <optional>
#include <string>

#include "minidl/layers/config.hpp"

namespace minidl::serialization {

/// The shortest decimal text that reads back (as float32, or as double then rounded to float32)
/// as exactly `value`, by std::to_chars: 0.1f -> "0.1", 1e-45f -> "1e-45", -0.0f -> "-0",
/// FLT_MAX -> "3.4028235e+38". Non-finite values give std::to_chars's "nan", "inf", "-inf".
std::string float_to_text(float value);

/// `value` as JSON. A finite value becomes the number (a double) that float_to_text's text
/// reads as, so dump_json (shortest double) writes exactly that text (checked for all 2^32
/// floats), and float_from_json of it is `value` bit for bit. NaN and infinities become the strings
/// "NaN", "Infinity" and "-Infinity" when `allow_non_finite`, else ValueError (a NaN's sign and
/// payload are not kept).
Json float_to_json(float value, bool allow_non_finite);

/// The float32 a JSON value stands for: a number, rounded to the nearest float32 (a magnitude
/// that would round to infinity is an error; a double exactly halfway between two floats is
/// settled by its shortest text, so that every float_to_json value reads back bit for bit), or,
/// when `allow_non_finite`, one of the strings
/// "NaN", "Infinity", "-Infinity". Otherwise returns nothing and sets `problem` to the reason
/// ("expected a number, got a string \"abc\"").
std::optional<float> float_from_json(const Json& value, bool allow_non_finite,
                                     std::string& problem);

}  // namespace minidl::serialization
