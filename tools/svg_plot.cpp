#include "minidl/tools/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "minidl/core/error.hpp"
#include "minidl/serialization/atomic_file.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl::tools {
namespace {

using train_text::printf_string;

// The margins around each panel's plotting area leave room for the tick labels, the axis labels
// and the legend (above the area).
constexpr int margin_left = 72;
constexpr int margin_right = 16;
constexpr int margin_top = 34;
constexpr int margin_bottom = 46;
constexpr int title_height = 32;
constexpr int minimum_width = 240;
constexpr int minimum_panel_height = 160;
/// Beyond this many epoch ticks their labels would crowd each other.
constexpr int64_t most_epoch_ticks = 11;
constexpr int most_value_ticks = 6;
constexpr int legend_entry_width = 90;

const char* const style = R"(<style>
.frame{fill:none;stroke:#444}
.grid{stroke:#e3e3e3}
.tick-mark{stroke:#444}
.tick-label{fill:#333}
.axis-label{fill:#000;font-size:12px}
.title{font-size:15px;font-weight:bold}
.legend-label{font-size:12px}
polyline,line.train,line.validation{fill:none;stroke-width:1.5}
.train{stroke:#1f77b4}
.validation{stroke:#ff7f0e}
circle.train{fill:#1f77b4}
circle.validation{fill:#ff7f0e}
</style>
)";

/// `text` safe as XML character data and attribute values. Characters XML 1.0 cannot hold at
/// all (controls other than tab and line ends) become '?'.
std::string xml_escaped(const std::string& text) {
    std::string escaped;
    for (const char c : text) {
        switch (c) {
            case '&':
                escaped += "&amp;";
                break;
            case '<':
                escaped += "&lt;";
                break;
            case '>':
                escaped += "&gt;";
                break;
            case '"':
                escaped += "&quot;";
                break;
            case '\'':
                escaped += "&apos;";
                break;
            default:
                const bool control =
                    static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r';
                escaped += control ? '?' : c;
        }
    }
    return escaped;
}

/// A pixel coordinate, with the fixed format that makes the output deterministic.
std::string pixel(double value) { return printf_string("%.2f", value); }

/// One curve of a panel: a series of the history and what the legend calls it.
struct Curve {
    const char* kind;  ///< "train" or "validation": the class of its elements
    const char* label;
    const std::vector<double>* values;
};

struct Panel {
    std::string quantity;
    std::vector<Curve> curves;
};

/// The panels: one per quantity (a name without its val_ prefix), "loss" first, then the others
/// in the order they appear; "lr" only when nothing else is there.
std::vector<Panel> panels_of(const History& history) {
    std::vector<std::string> quantities;
    for (const std::string& name : history.keys()) {
        const std::string quantity = name.rfind("val_", 0) == 0 ? name.substr(4) : name;
        if (std::find(quantities.begin(), quantities.end(), quantity) == quantities.end())
            quantities.push_back(quantity);
    }
    const auto loss = std::find(quantities.begin(), quantities.end(), "loss");
    if (loss != quantities.end()) std::rotate(quantities.begin(), loss, loss + 1);
    if (quantities.size() > 1) std::erase(quantities, "lr");

    std::vector<Panel> panels;
    for (const std::string& quantity : quantities) {
        Panel panel{quantity, {}};
        if (history.contains(quantity))
            panel.curves.push_back({"train", "training", &history[quantity]});
        if (history.contains("val_" + quantity))
            panel.curves.push_back({"validation", "validation", &history["val_" + quantity]});
        panels.push_back(std::move(panel));
    }
    return panels;
}

/// An axis: the range the plotting area spans, its ticks and their labels.
struct Axis {
    double low;
    double high;
    std::vector<double> ticks;
    std::vector<std::string> labels;
};

/// The label of a tick at a multiple of the step mantissa * 10^exponent, on an axis reaching
/// `largest` in magnitude: just the digits the step needs, in fixed notation unless that would
/// be long.
std::string tick_label(double value, double mantissa, int exponent, double largest) {
    const int fraction_digits = mantissa == 2.5 ? 1 : 0;
    if (exponent >= -4 && largest < 1e7)
        return printf_string("%.*f", std::max(0, fraction_digits - exponent), value);
    const int magnitude = static_cast<int>(std::floor(std::log10(largest)));
    const int digits = std::clamp(magnitude - exponent + fraction_digits, 0, 15);
    return printf_string("%.*e", digits, value);
}

/// The value axis of data in [low, high]: ticks at the multiples of the smallest round step
/// (1, 2, 2.5 or 5 times a power of ten) that needs at most 6 of them to cover the data. The
/// previous step was at most half as long and needed 7 or more, so this one needs at least 4.
Axis value_axis(double low, double high) {
    if (low == high) {
        const double half = low == 0 ? 1.0 : std::fabs(low) * 0.1;
        low -= half;
        high += half;
    }
    // Ratios of doubles that are whole in exact arithmetic may land a hair off.
    constexpr double slack = 1e-9;
    int exponent = static_cast<int>(std::floor(std::log10((high - low) / most_value_ticks))) - 1;
    for (;; ++exponent) {
        for (const double mantissa : {1.0, 2.0, 2.5, 5.0}) {
            const double step = mantissa * std::pow(10.0, exponent);
            const double first = std::floor(low / step + slack);
            const double last = std::ceil(high / step - slack);
            if (last - first + 1 > most_value_ticks) continue;
            Axis axis{first * step, last * step, {}, {}};
            const double largest = std::max(std::fabs(axis.low), std::fabs(axis.high));
            for (double k = first; k <= last; ++k) {
                const double tick = k == 0 ? 0.0 : k * step;  // no "-0"
                axis.ticks.push_back(tick);
                axis.labels.push_back(tick_label(tick, mantissa, exponent, largest));
            }
            return axis;
        }
    }
}

/// The smallest step of 1, 2 or 5 times a power of ten that keeps the epoch ticks at most 11.
int64_t epoch_step(int64_t span) {
    for (int64_t power = 1;; power *= 10) {
        for (const int64_t mantissa : {1, 2, 5}) {
            if (span / (mantissa * power) + 1 <= most_epoch_ticks) return mantissa * power;
        }
    }
}

/// The epoch axis: the epochs' range (a single epoch centred), ticks at the whole multiples of
/// epoch_step.
Axis epoch_axis(int64_t first_epoch, int64_t last_epoch) {
    const bool single = first_epoch == last_epoch;
    Axis axis{static_cast<double>(first_epoch) - (single ? 0.5 : 0.0),
              static_cast<double>(last_epoch) + (single ? 0.5 : 0.0),
              {},
              {}};
    const int64_t step = epoch_step(last_epoch - first_epoch);
    // The first multiple of `step` at or after the first epoch (C++ division truncates).
    int64_t tick = first_epoch / step * step;
    if (tick < first_epoch) tick += step;
    for (; tick <= last_epoch; tick += step) {
        axis.ticks.push_back(static_cast<double>(tick));
        axis.labels.push_back(std::to_string(tick));
    }
    return axis;
}

/// A panel's plotting area in the image, and the mapping of data onto it.
struct Area {
    double left, top, right, bottom;
    const Axis* x;
    const Axis* y;
    double x_of(double value) const {
        return left + (value - x->low) / (x->high - x->low) * (right - left);
    }
    double y_of(double value) const {
        return bottom - (value - y->low) / (y->high - y->low) * (bottom - top);
    }
};

void append_line(std::string& svg, const char* kind, double x1, double y1, double x2, double y2) {
    svg +=
        printf_string("<line class=\"%s\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", kind,
                      pixel(x1).c_str(), pixel(y1).c_str(), pixel(x2).c_str(), pixel(y2).c_str());
}

/// A text element; `attributes` are written as given (they hold only numbers and keywords).
void append_text(std::string& svg, const char* kind, double x, double y, const std::string& text,
                 const std::string& attributes = "") {
    svg += printf_string("<text class=\"%s\" x=\"%s\" y=\"%s\"%s>", kind, pixel(x).c_str(),
                         pixel(y).c_str(), attributes.c_str()) +
           xml_escaped(text) + "</text>\n";
}

void append_axes(std::string& svg, const Area& area, const std::string& quantity) {
    for (std::size_t i = 0; i < area.y->ticks.size(); ++i) {
        const double y = area.y_of(area.y->ticks[i]);
        append_line(svg, "grid", area.left, y, area.right, y);
        append_line(svg, "tick-mark", area.left - 4, y, area.left, y);
        append_text(svg, "tick-label", area.left - 7, y + 4, area.y->labels[i],
                    " text-anchor=\"end\"");
    }
    for (std::size_t i = 0; i < area.x->ticks.size(); ++i) {
        const double x = area.x_of(area.x->ticks[i]);
        append_line(svg, "tick-mark", x, area.bottom, x, area.bottom + 4);
        append_text(svg, "tick-label", x, area.bottom + 16, area.x->labels[i],
                    " text-anchor=\"middle\"");
    }
    svg +=
        printf_string("<rect class=\"frame\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"/>\n",
                      pixel(area.left).c_str(), pixel(area.top).c_str(),
                      pixel(area.right - area.left).c_str(), pixel(area.bottom - area.top).c_str());
    append_text(svg, "axis-label", (area.left + area.right) / 2, area.bottom + 36, "epoch",
                " text-anchor=\"middle\"");
    const double label_x = area.left - margin_left + 16;
    const double label_y = (area.top + area.bottom) / 2;
    append_text(svg, "axis-label", label_x, label_y, quantity,
                " text-anchor=\"middle\" transform=\"rotate(-90 " + pixel(label_x) + " " +
                    pixel(label_y) + ")\"");
}

/// The curve as one polyline per run of finite values (a non-finite value leaves a gap), and a
/// marker on a run of one point, which a polyline alone would not show.
void append_curve(std::string& svg, const Area& area, const Curve& curve,
                  const std::vector<int64_t>& epochs) {
    const std::vector<double>& values = *curve.values;
    std::size_t i = 0;
    while (i < values.size()) {
        if (!std::isfinite(values[i])) {
            ++i;
            continue;
        }
        std::string points;
        const std::size_t run_begin = i;
        for (; i < values.size() && std::isfinite(values[i]); ++i) {
            if (!points.empty()) points += ' ';
            points += pixel(area.x_of(static_cast<double>(epochs[i]))) + "," +
                      pixel(area.y_of(values[i]));
        }
        svg +=
            printf_string("<polyline class=\"%s\" points=\"%s\"/>\n", curve.kind, points.c_str());
        if (i - run_begin == 1) {
            svg += printf_string("<circle class=\"%s\" cx=\"%s\" cy=\"%s\" r=\"3\"/>\n", curve.kind,
                                 pixel(area.x_of(static_cast<double>(epochs[run_begin]))).c_str(),
                                 pixel(area.y_of(values[run_begin])).c_str());
        }
    }
}

bool has_finite(const std::vector<double>& values) {
    return std::any_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

/// The legend, right-aligned above the plotting area: a stroke of each drawn curve's colour.
void append_legend(std::string& svg, const Area& area, const std::vector<const Curve*>& drawn) {
    double x = area.right - legend_entry_width * static_cast<double>(drawn.size());
    const double y = area.top - 14;
    for (const Curve* curve : drawn) {
        append_line(svg, curve->kind, x, y, x + 20, y);
        append_text(svg, "legend-label", x + 25, y + 4, curve->label);
        x += legend_entry_width;
    }
}

void append_panel(std::string& svg, const Panel& panel, const Axis& x_axis,
                  const std::vector<int64_t>& epochs, double panel_top, int width,
                  int panel_height) {
    std::vector<const Curve*> drawn;
    double low = std::numeric_limits<double>::infinity();
    double high = -std::numeric_limits<double>::infinity();
    for (const Curve& curve : panel.curves) {
        if (!has_finite(*curve.values)) continue;
        drawn.push_back(&curve);
        for (const double value : *curve.values) {
            if (!std::isfinite(value)) continue;
            low = std::min(low, value);
            high = std::max(high, value);
        }
    }
    // A panel with nothing finite still shows its axes, over an arbitrary range.
    const Axis y_axis = drawn.empty() ? value_axis(0.0, 1.0) : value_axis(low, high);
    const Area area{margin_left,
                    panel_top + margin_top,
                    static_cast<double>(width - margin_right),
                    panel_top + panel_height - margin_bottom,
                    &x_axis,
                    &y_axis};
    svg += "<g class=\"panel\">\n";
    append_axes(svg, area, panel.quantity);
    for (const Curve* curve : drawn) append_curve(svg, area, *curve, epochs);
    append_legend(svg, area, drawn);
    svg += "</g>\n";
}

void check_options(const PlotOptions& options) {
    if (options.width < minimum_width) {
        throw ValueError("history_svg: 'width' must be at least " + std::to_string(minimum_width) +
                         ", got " + std::to_string(options.width));
    }
    if (options.panel_height < minimum_panel_height) {
        throw ValueError("history_svg: 'panel_height' must be at least " +
                         std::to_string(minimum_panel_height) + ", got " +
                         std::to_string(options.panel_height));
    }
}

}  // namespace

std::string history_svg(const History& history, const PlotOptions& options) {
    check_options(options);
    const std::vector<int64_t>& epochs = history.epoch();
    if (epochs.empty()) throw ValueError("history_svg: the history has no epochs");
    const std::vector<Panel> panels = panels_of(history);
    if (panels.empty()) throw ValueError("history_svg: the history has no values to plot");

    const auto [first, last] = std::minmax_element(epochs.begin(), epochs.end());
    const Axis x_axis = epoch_axis(*first, *last);
    const int top = options.title.empty() ? 0 : title_height;
    const int height = top + options.panel_height * static_cast<int>(panels.size());
    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    svg += printf_string(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
        "%d\" font-family=\"sans-serif\" font-size=\"11\">\n",
        options.width, height, options.width, height);
    svg += style;
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    if (!options.title.empty()) {
        append_text(svg, "title", options.width / 2.0, 22, options.title,
                    " text-anchor=\"middle\"");
    }
    for (std::size_t i = 0; i < panels.size(); ++i) {
        append_panel(svg, panels[i], x_axis, epochs,
                     top + static_cast<double>(i) * options.panel_height, options.width,
                     options.panel_height);
    }
    return svg + "</svg>\n";
}

void write_history_svg(const std::filesystem::path& path, const History& history,
                       const PlotOptions& options) {
    write_file_atomically(path, history_svg(history, options));
}

}  // namespace minidl::tools
