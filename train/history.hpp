// History: what Model::fit returns, Keras's History callback's `history` dict: one value per
// epoch for each logged name.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "minidl/train/logs.hpp"

namespace minidl {

class History {
  public:
    /// The epochs recorded (0-based, as Keras's history.epoch; initial_epoch shifts them).
    const std::vector<int64_t>& epoch() const { return epoch_; }
    /// The names, in the order they first appeared: loss, metrics, val_loss, val_metrics, lr.
    std::vector<std::string> keys() const;
    /// The per-epoch values of `name`; throws ValueError listing the names when absent.
    const std::vector<double>& operator[](const std::string& name) const;
    bool contains(const std::string& name) const;

    /// Appends an epoch's logs. A name missing in some epochs gets NaN there, so every series
    /// has one value per recorded epoch.
    void record(int64_t epoch, const Logs& logs);

    friend bool operator==(const History&, const History&) = default;

  private:
    std::vector<int64_t> epoch_;
    std::vector<std::pair<std::string, std::vector<double>>> series_;
};

}  // namespace minidl
