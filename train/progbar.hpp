// Progbar: Keras's progress bar (keras.utils.Progbar, tf.keras 2.x), writing to any stream.
//
//   verbose 1, terminal:  "\r12/50 [=====>........................] - ETA: 3s - loss: 0.4312"
//                         redrawn in place, then "50/50 [==============================] - 2s
//                         40ms/step - loss: 0.4312\n" when finalized;
//   verbose 1, otherwise: only the finalized line (Keras writes every redraw on its own line,
//                         which floods logs and pipes);
//   verbose 2:            "50/50 - 2s - loss: 0.4312 - 2s/epoch - 40ms/step\n" when finalized.
// docs/progress.md.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "minidl/train/logs.hpp"

namespace minidl {

/// Seconds since an arbitrary origin. Progbar's default reads std::chrono::steady_clock; tests
/// inject a fake one.
using ProgbarClock = std::function<double()>;

/// keras.utils.Progbar's arguments, in its order and with its defaults.
struct ProgbarOptions {
    /// Total number of steps; nullopt = unknown (the bar shows "      7/Unknown").
    std::optional<int64_t> target = std::nullopt;
    int64_t width = 30;
    /// 0 silent, 1 a bar, 2 one line when finalized.
    int verbose = 1;
    /// Minimum seconds between two redraws of the bar (verbose 1).
    double interval = 0.05;
    /// Names whose values are shown as given; the others are averaged over the steps.
    std::vector<std::string> stateful_metrics = {};
    /// The unit of the time per step: "40ms/step".
    std::string unit_name = "step";
};

/// True when `out` is std::cout on a terminal, or std::cerr/std::clog with stderr on a terminal.
bool is_terminal(const std::ostream& out);

class Progbar {
  public:
    /// Starts the clock. `interactive`: redraw the bar in place with '\r' (a terminal), else
    /// write verbose 1's final line only. Throws ValueError for target < 1, width < 1, verbose
    /// outside 0..2 or a negative interval.
    Progbar(ProgbarOptions options, std::ostream& out, bool interactive, ProgbarClock clock = {});

    /// Records that `current` steps are done with `values` for the latest step(s) and redraws.
    /// A value not in stateful_metrics is weighted by the steps since the previous update and
    /// averaged. `finalize` (default: current >= target) writes the final line.
    void update(int64_t current, const Logs& values = {},
                std::optional<bool> finalize = std::nullopt);
    /// update(steps done so far + n, values).
    void add(int64_t n, const Logs& values = {});
    /// Shows these names as given from now on (Keras's _update_stateful_metrics).
    void add_stateful_metrics(const std::vector<std::string>& names);

    const ProgbarOptions& options() const { return options_; }

  private:
    struct Average {
        std::string name;
        double weighted_sum;
        int64_t weight;
    };

    void accumulate(int64_t current, const Logs& values);
    void draw_bar(int64_t current, double now, bool finalize);
    void write_summary_line(int64_t current, double now);
    std::string bar_text(int64_t current) const;
    std::string values_text(bool threshold_on_magnitude) const;
    double estimate_step_duration(int64_t current, double now);

    ProgbarOptions options_;
    std::set<std::string> stateful_;
    std::ostream* out_;
    bool interactive_;
    ProgbarClock clock_;
    std::vector<Average> values_;  // in the order first seen
    int64_t seen_so_far_ = 0;
    std::size_t total_width_ = 0;  // of the line on screen, to blank its leftover
    double start_;
    std::optional<double> last_update_;  // none = the next update draws
    double epoch_start_;
    std::optional<double> epoch_end_;  // when current reached target
    std::optional<double> after_first_step_;
};

}  // namespace minidl
