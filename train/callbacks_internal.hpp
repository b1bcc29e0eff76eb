// Helpers shared by the callbacks in train/callbacks_*.cpp (not part of the public API).
#pragma once

#include <cstdint>
#include <string>

#include "minidl/train/logs.hpp"

namespace minidl::callbacks::detail {

/// Whether larger values are better under `mode` ("min", "max", or "auto" =
/// `auto_maximizes`); ValueError naming `callback` for another mode.
bool maximizes(const std::string& callback, const std::string& mode, bool auto_maximizes);

/// The worst possible value in that direction: -inf when maximizing, else +inf.
double worst_value(bool maximize);

/// Throws ValueError "<callback>: '<argument>' must be >= 0, got <value>" when value < 0.
void require_non_negative(const std::string& callback, const char* argument, double value);

/// Keras's logging.warning, to std::cerr: "WARNING: <message>".
void warn(const std::string& message);

/// Keras's "Available metrics are: loss,accuracy" list.
std::string available_metrics(const Logs& logs);

/// Keras's io_utils.print_msg of a verbose callback, to std::cout.
void print_message(const std::string& message);

}  // namespace minidl::callbacks::detail
