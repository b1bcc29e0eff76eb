// Text helpers shared by train/'s logs, progress bar and callbacks (not part of the public API).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "minidl/train/logs.hpp"

namespace minidl::train_text {

/// printf into a std::string.
[[gnu::format(printf, 1, 2)]] std::string printf_string(const char* format, ...);

/// The names of `logs`, in order.
std::vector<std::string> names(const Logs& logs);

/// `names` joined by `separator`; "(none)" when empty.
std::string join(const std::vector<std::string>& names, std::string_view separator);

/// Python's str(float): the shortest text that reads back as `value`, in fixed notation for
/// exponents in [-4, 16) with at least one decimal ("2.0", "0.0001"), else "1e-05", "1.5e+16".
std::string python_float_repr(double value);

}  // namespace minidl::train_text
