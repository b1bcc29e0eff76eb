#include "minidl/train/logs.hpp"

#include "minidl/core/error.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl {

double Logs::at(const std::string& name) const {
    if (const auto value = get(name)) return *value;
    throw ValueError("Logs: no value named '" + name +
                     "'; the logs have: " + train_text::join(train_text::names(*this), ", "));
}

}  // namespace minidl
