#include "minidl/train/history.hpp"

#include <limits>

#include "minidl/core/error.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl {

std::vector<std::string> History::keys() const {
    std::vector<std::string> names;
    for (const auto& series : series_) names.push_back(series.first);
    return names;
}

const std::vector<double>& History::operator[](const std::string& name) const {
    for (const auto& series : series_) {
        if (series.first == name) return series.second;
    }
    throw ValueError("History: no values named '" + name +
                     "'; the history has: " + train_text::join(keys(), ", "));
}

bool History::contains(const std::string& name) const {
    for (const auto& series : series_) {
        if (series.first == name) return true;
    }
    return false;
}

void History::record(int64_t epoch, const Logs& logs) {
    constexpr double missing = std::numeric_limits<double>::quiet_NaN();
    const std::size_t earlier_epochs = epoch_.size();
    epoch_.push_back(epoch);
    for (auto& [name, values] : series_) values.push_back(logs.get(name).value_or(missing));
    for (const auto& [name, value] : logs) {
        if (contains(name)) continue;
        std::vector<double> values(earlier_epochs, missing);
        values.push_back(value);
        series_.emplace_back(name, std::move(values));
    }
}

}  // namespace minidl
