// Logs: the named values a training loop reports (Keras's `logs` dict), in insertion order so
// that progress lines and History list them as Keras does: loss, metrics, val_loss, val_metrics.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace minidl {

/// An ordered map from a name ("loss", "val_accuracy", "lr") to a value.
class Logs {
  public:
    using Entry = std::pair<std::string, double>;

    Logs() = default;
    Logs(std::initializer_list<Entry> entries) {
        for (const auto& [name, value] : entries) set(name, value);
    }

    /// Sets `name` (appended when new, else overwritten in place).
    void set(const std::string& name, double value) {
        for (auto& entry : entries_) {
            if (entry.first == name) {
                entry.second = value;
                return;
            }
        }
        entries_.emplace_back(name, value);
    }
    /// The value of `name`, if present.
    std::optional<double> get(const std::string& name) const {
        for (const auto& entry : entries_) {
            if (entry.first == name) return entry.second;
        }
        return std::nullopt;
    }
    bool contains(const std::string& name) const { return get(name).has_value(); }
    /// The value of `name`; throws ValueError listing the names present when it is absent.
    double at(const std::string& name) const;

    bool empty() const { return entries_.empty(); }
    std::size_t size() const { return entries_.size(); }
    auto begin() const { return entries_.begin(); }
    auto end() const { return entries_.end(); }

    friend bool operator==(const Logs&, const Logs&) = default;

  private:
    std::vector<Entry> entries_;
};

}  // namespace minidl
