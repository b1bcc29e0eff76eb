#include "minidl/core/error.hpp"

#include <sstream>

namespace minidl {

std::string format_number(double value) {
    std::ostringstream text;
    text << value;
    return text.str();
}

}  // namespace minidl
