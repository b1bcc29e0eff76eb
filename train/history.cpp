#include "minidl/train/history.hpp"

#include <limits>

#include "minidl/core/error.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl {

History::History(std::vector<int64_t> epoch, Series series)
    : epoch_(std::move(epoch)), series_(std::move(series)) {
    for (std::size_t i = 0; i < series_.size(); ++i) {
        const auto& [name, values] = series_[i];
        if (values.size() != epoch_.size()) {
            throw ValueError("History: '" + name + "' has " + std::to_string(values.size()) +
                             " values for " + std::to_string(epoch_.size()) + " epochs");
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (series_[j].first == name) throw ValueError("History: '" + name + "' repeats");
        }
    }
}

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
    if (!epoch_.empty() && epoch_.back() == epoch) truncate_from(epoch);
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

void History::extend(const History& later) {
    constexpr double missing = std::numeric_limits<double>::quiet_NaN();
    const std::size_t earlier_epochs = epoch_.size();
    epoch_.insert(epoch_.end(), later.epoch_.begin(), later.epoch_.end());
    for (const auto& [name, values] : later.series_) {
        if (!contains(name))
            series_.emplace_back(name, std::vector<double>(earlier_epochs, missing));
    }
    for (auto& [name, values] : series_) {
        if (later.contains(name)) {
            const std::vector<double>& added = later[name];
            values.insert(values.end(), added.begin(), added.end());
        } else {
            values.resize(epoch_.size(), missing);
        }
    }
}

void History::truncate_from(int64_t epoch) {
    std::size_t keep = 0;
    while (keep < epoch_.size() && epoch_[keep] < epoch) ++keep;
    epoch_.resize(keep);
    for (auto& series : series_) series.second.resize(keep);
}

}  // namespace minidl
