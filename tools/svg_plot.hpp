// Training curves as an SVG image (`minidl plot HISTORY.csv --out CURVES.svg`): a stand-alone
// document any browser shows, written without a plotting library.
#pragma once

#include <filesystem>
#include <string>

#include "minidl/train/history.hpp"

namespace minidl::tools {

/// The size and caption of the image; sizes in SVG user units (pixels).
struct PlotOptions {
    /// The whole image's width; at least 240, to leave room for the axes' labels.
    int width = 720;
    /// The height of each panel (one per quantity); at least 160.
    int panel_height = 260;
    /// A caption above the panels; none when empty.
    std::string title = {};
};

/// An SVG document of `history`: one panel per quantity ("loss" first, then each metric in the
/// history's order; "lr" only when it is the only quantity), each with the training curve and,
/// when the history has it, the val_ curve, each a <polyline> (class "train" / "validation")
/// named by a legend. The x axis is labelled "epoch" with whole-number ticks, the y axis with the
/// quantity's name and 4 to 6 ticks at round values. A non-finite value (NaN, as for an epoch
/// that did not log the name, or an infinity) leaves a gap: the curve is split into one polyline
/// per finite run, and a run of a single point gets a circle marker too, so that it shows. Text
/// is XML-escaped; numbers are written with fixed formats, so the same history gives the same
/// bytes. ValueError for options out of range or a history with no epochs or nothing to plot.
std::string history_svg(const History& history, const PlotOptions& options = {});

/// Writes history_svg(history, options) to `path` atomically (write_file_atomically); IOError
/// naming `path` when it cannot be written.
void write_history_svg(const std::filesystem::path& path, const History& history,
                       const PlotOptions& options = {});

}  // namespace minidl::tools
