#include <iostream>
#include <limits>

#include "minidl/core/error.hpp"
#include "minidl/train/callbacks_internal.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl::callbacks::detail {

bool maximizes(const std::string& callback, const std::string& mode, bool auto_maximizes) {
    if (mode == "min") return false;
    if (mode == "max") return true;
    if (mode == "auto") return auto_maximizes;
    throw ValueError(callback + ": 'mode' must be \"auto\", \"min\" or \"max\", got \"" + mode +
                     "\"");
}

double worst_value(bool maximize) {
    constexpr double infinity = std::numeric_limits<double>::infinity();
    return maximize ? -infinity : infinity;
}

void require_non_negative(const std::string& callback, const char* argument, double value) {
    if (!(value >= 0)) {
        throw ValueError(callback + ": '" + argument + "' must be >= 0, got " +
                         format_number(value));
    }
}

void warn(const std::string& message) { std::cerr << "WARNING: " << message << std::endl; }

std::string available_metrics(const Logs& logs) {
    const std::vector<std::string> names = train_text::names(logs);
    return names.empty() ? "" : train_text::join(names, ",");
}

void print_message(const std::string& message) { std::cout << message << std::endl; }

}  // namespace minidl::callbacks::detail
