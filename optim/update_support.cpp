#include "minidl/optim/update_support.hpp"

#include <cmath>

#include "minidl/core/error.hpp"

namespace minidl::optim::detail {
namespace {

[[noreturn]] void reject(const std::string& optimizer, const char* argument, const char* range,
                         double value) {
    throw ValueError(optimizer + ": " + argument + " must be " + range + ", got " +
                     format_number(value));
}

}  // namespace

// The negated comparisons also reject NaN.
void check_below_one(const std::string& optimizer, const char* argument, double value) {
    if (!(value >= 0.0 && value < 1.0)) reject(optimizer, argument, "in [0, 1)", value);
}

void check_fraction(const std::string& optimizer, const char* argument, double value) {
    if (!(value >= 0.0 && value <= 1.0)) reject(optimizer, argument, "in [0, 1]", value);
}

void check_non_negative(const std::string& optimizer, const char* argument, double value) {
    if (!(std::isfinite(value) && value >= 0.0)) {
        reject(optimizer, argument, "a finite number >= 0", value);
    }
}

}  // namespace minidl::optim::detail
