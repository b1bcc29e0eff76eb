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
    /// The values of each named series, one per epoch.
    using Series = std::vector<std::pair<std::string, std::vector<double>>>;

    History() = default;
    /// A History of these epochs and series (a checkpoint's); ValueError when a series does not
    /// have one value per epoch or a name repeats.
    History(std::vector<int64_t> epoch, Series series);

    /// The epochs recorded (0-based, as Keras's history.epoch; initial_epoch shifts them).
    const std::vector<int64_t>& epoch() const { return epoch_; }
    /// The names, in the order they first appeared: loss, metrics, val_loss, val_metrics, lr.
    std::vector<std::string> keys() const;
    /// The per-epoch values of `name`; throws ValueError listing the names when absent.
    const std::vector<double>& operator[](const std::string& name) const;
    bool contains(const std::string& name) const;

    /// Appends an epoch's logs. A name missing in some epochs gets NaN there, so every series
    /// has one value per recorded epoch. Recording the last recorded epoch again replaces its
    /// values (fit records an epoch before its callbacks run, so that a checkpoint they write
    /// holds it, then again with what they logged).
    void record(int64_t epoch, const Logs& logs);
    /// Appends every epoch of `later` (its values copied as they are, NaN included).
    void extend(const History& later);
    /// Drops the epochs numbered `epoch` and later (a resumed fit replaces them).
    void truncate_from(int64_t epoch);

    /// Every series, in keys() order.
    const Series& series() const { return series_; }

    friend bool operator==(const History&, const History&) = default;

  private:
    std::vector<int64_t> epoch_;
    Series series_;
};

}  // namespace minidl
