#include "minidl/train/progbar.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>

#include "minidl/core/error.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl {
namespace {

using train_text::printf_string;

double steady_seconds() {
    const auto since_epoch = std::chrono::steady_clock::now().time_since_epoch();
    return std::chrono::duration<double>(since_epoch).count();
}

/// Keras's " 40ms/step": seconds at or above 1 (or exactly 0), else ms, else us.
std::string duration_text(double seconds, const std::string& unit) {
    if (seconds >= 1 || seconds == 0) return printf_string(" %.0fs/%s", seconds, unit.c_str());
    if (seconds >= 1e-3) return printf_string(" %.0fms/%s", seconds * 1e3, unit.c_str());
    return printf_string(" %.0fus/%s", seconds * 1e6, unit.c_str());
}

/// Keras's ETA: "h:mm:ss" above an hour, "m:ss" above a minute, else "5s" (truncated).
std::string eta_text(double eta) {
    const auto seconds = static_cast<long long>(eta);
    if (eta > 3600) {
        return printf_string("%lld:%02lld:%02lld", seconds / 3600, seconds % 3600 / 60,
                             seconds % 60);
    }
    if (eta > 60) return printf_string("%lld:%02lld", seconds / 60, seconds % 60);
    return printf_string("%llds", seconds);
}

/// Keras's " 0.4312", or " 4.3120e-04" when the value is at most 1e-3.
std::string value_text(double value, bool threshold_on_magnitude) {
    if (std::isnan(value)) return " nan";  // printf may write "-nan"; Python never does
    const double compared = threshold_on_magnitude ? std::fabs(value) : value;
    return printf_string(compared > 1e-3 ? " %.4f" : " %.4e", value);
}

std::string count_text(int64_t current, const std::optional<int64_t>& target) {
    if (!target) return printf_string("%7lld/Unknown", static_cast<long long>(current));
    const int digits = static_cast<int>(std::to_string(*target).size());
    return printf_string("%*lld/%lld", digits, static_cast<long long>(current),
                         static_cast<long long>(*target));
}

}  // namespace

bool is_terminal(const std::ostream& out) {
    if (&out == &std::cout) return isatty(STDOUT_FILENO) == 1;
    if (&out == &std::cerr || &out == &std::clog) return isatty(STDERR_FILENO) == 1;
    return false;
}

Progbar::Progbar(ProgbarOptions options, std::ostream& out, bool interactive, ProgbarClock clock)
    : options_(std::move(options)),
      stateful_(options_.stateful_metrics.begin(), options_.stateful_metrics.end()),
      out_(&out),
      interactive_(interactive),
      clock_(clock ? std::move(clock) : ProgbarClock(steady_seconds)) {
    if (options_.target && *options_.target < 1) {
        throw ValueError("Progbar: 'target' must be at least 1 (or unknown), got " +
                         std::to_string(*options_.target));
    }
    if (options_.width < 1) {
        throw ValueError("Progbar: 'width' must be at least 1, got " +
                         std::to_string(options_.width));
    }
    if (options_.verbose < 0 || options_.verbose > 2) {
        throw ValueError("Progbar: 'verbose' must be 0, 1 or 2, got " +
                         std::to_string(options_.verbose));
    }
    if (!(options_.interval >= 0)) {
        throw ValueError("Progbar: 'interval' must be >= 0, got " +
                         format_number(options_.interval));
    }
    start_ = clock_();
    epoch_start_ = start_;
}

void Progbar::add_stateful_metrics(const std::vector<std::string>& names) {
    stateful_.insert(names.begin(), names.end());
}

void Progbar::add(int64_t n, const Logs& values) { update(seen_so_far_ + n, values); }

void Progbar::update(int64_t current, const Logs& values, std::optional<bool> finalize) {
    const bool final_update =
        finalize.value_or(options_.target.has_value() && current >= *options_.target);
    accumulate(current, values);
    const double now = clock_();
    if (options_.target && current == *options_.target) epoch_end_ = now;
    if (options_.verbose == 1) {
        const bool too_soon = last_update_ && now - *last_update_ < options_.interval;
        if (too_soon && !final_update) return;
        draw_bar(current, now, final_update);
    } else if (options_.verbose == 2 && final_update) {
        write_summary_line(current, now);
    }
    last_update_ = now;
}

void Progbar::accumulate(int64_t current, const Logs& values) {
    // Keras weighs a value by the steps it covers, at least 1 (a repeated final update).
    const int64_t steps = std::max<int64_t>(current - seen_so_far_, 1);
    for (const auto& [name, value] : values) {
        auto average = std::find_if(values_.begin(), values_.end(),
                                    [&](const Average& a) { return a.name == name; });
        if (average == values_.end()) {
            values_.push_back({name, 0.0, 0});
            average = values_.end() - 1;
        }
        if (stateful_.contains(name)) {
            *average = {name, value, 1};
        } else {
            average->weighted_sum += value * static_cast<double>(steps);
            average->weight += steps;
        }
    }
    seen_so_far_ = current;
}

void Progbar::draw_bar(int64_t current, double now, bool finalize) {
    // Off a terminal nothing but the final line is written, so there is nothing to blank.
    const std::size_t previous_width = interactive_ ? total_width_ : 0;
    const std::string bar = bar_text(current);
    const double step_duration = estimate_step_duration(current, now);
    std::string info;
    if (!options_.target || finalize) {
        info = printf_string(" - %.0fs", now - start_) +
               duration_text(step_duration, options_.unit_name);
    } else {
        info =
            " - ETA: " + eta_text(step_duration * static_cast<double>(*options_.target - current));
    }
    info += values_text(true);
    total_width_ = bar.size() + info.size();
    if (previous_width > total_width_) info.append(previous_width - total_width_, ' ');
    if (finalize) info += '\n';
    if (interactive_) {
        *out_ << '\r' << bar << info << std::flush;
    } else if (finalize) {
        *out_ << bar << info << std::flush;
    }
}

void Progbar::write_summary_line(int64_t current, double now) {
    std::string line = count_text(current, options_.target) +
                       printf_string(" - %.0fs", now - start_) + values_text(false);
    if (epoch_end_) {
        const double epoch_seconds = *epoch_end_ - epoch_start_;
        line += " -" + duration_text(epoch_seconds, "epoch");
        line += " -" + duration_text(epoch_seconds / static_cast<double>(*options_.target),
                                     options_.unit_name);
        epoch_start_ = now;
        epoch_end_.reset();
    }
    *out_ << line << '\n' << std::flush;
}

std::string Progbar::bar_text(int64_t current) const {
    if (!options_.target) return count_text(current, options_.target);
    const int64_t target = *options_.target;
    // As Keras: int(width * (current / target)), in this order for the same rounding.
    const double progress = static_cast<double>(current) / static_cast<double>(target);
    const auto done = static_cast<int64_t>(static_cast<double>(options_.width) * progress);
    std::string bar = count_text(current, options_.target) + " [";
    if (done > 0) {
        bar.append(static_cast<std::size_t>(done - 1), '=');
        bar += current < target ? '>' : '=';
    }
    bar.append(static_cast<std::size_t>(std::max<int64_t>(options_.width - done, 0)), '.');
    return bar + "]";
}

std::string Progbar::values_text(bool threshold_on_magnitude) const {
    std::string text;
    for (const auto& average : values_) {
        const double mean =
            average.weighted_sum / static_cast<double>(std::max<int64_t>(average.weight, 1));
        text += " - " + average.name + ":" + value_text(mean, threshold_on_magnitude);
    }
    return text;
}

double Progbar::estimate_step_duration(int64_t current, double now) {
    if (current == 0) return 0.0;
    // Keras leaves the first step (graph tracing, warm-up) out of the estimate when it can.
    const double duration = after_first_step_ && current > 1
                                ? (now - *after_first_step_) / static_cast<double>(current - 1)
                                : (now - start_) / static_cast<double>(current);
    if (current == 1) after_first_step_ = now;
    return duration;
}

}  // namespace minidl
