#include "minidl/tools/data_layout.hpp"

#include <charconv>

#include "minidl/core/error.hpp"
#include "minidl/tools/cli_support.hpp"
#include "minidl/tools/usage_error.hpp"

namespace minidl::tools {
namespace {

/// "STEPS,CHANNELS" as two positive counts; UsageError naming --shape otherwise.
std::pair<int64_t, int64_t> parse_shape(const std::string& text) {
    const std::size_t comma = text.find(',');
    int64_t steps = 0, channels = 0;
    const auto read = [](std::string_view part, int64_t& value) {
        const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
        return error == std::errc() && end == part.data() + part.size() && value > 0;
    };
    if (comma == std::string::npos || !read(std::string_view(text).substr(0, comma), steps) ||
        !read(std::string_view(text).substr(comma + 1), channels)) {
        throw UsageError("--shape: '" + text + "' is not STEPS,CHANNELS (two positive counts)");
    }
    return {steps, channels};
}

Json optional_text(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

std::string text_or_empty(const serialization::JsonNode& node) {
    return node.value().is_null() ? std::string() : node.as_string();
}

std::vector<std::string> strings_of(const serialization::JsonNode& node) {
    std::vector<std::string> strings;
    for (std::size_t i = 0; i < node.size(); ++i) strings.push_back(node.at(i).as_string());
    return strings;
}

}  // namespace

void add_data_options(CLI::App& command, DataOptions& options) {
    command.add_option("--label", options.label,
                       "The label column: a header name or a 0-based index (default: the last)");
    command.add_option("--shape", options.shape,
                       "STEPS,CHANNELS: each row's features as a sequence, channels_last order");
    command
        .add_option("--window", options.window,
                    "Series: consecutive rows per sample (one time step per row)")
        ->check(at_least(1));
    command
        .add_option("--horizon", options.horizon,
                    "Series: predict the target this many rows after the window (default 1)")
        ->check(at_least(1));
    command.add_option("--target", options.target, "Series: the column to predict");
    command
        .add_option("--features", options.features,
                    "Series: the input columns, comma separated (default: every column)")
        ->delimiter(',');
}

DataLayout apply_options(DataLayout base, const DataOptions& options) {
    if (options.window) {
        if (options.label)
            throw UsageError("--label is for tables; a series (--window) takes --target");
        if (options.shape)
            throw UsageError("--shape is for tables; a series (--window) is already a sequence");
        base.series = true;
        base.windows.window = *options.window;
    }
    const bool series_option = options.horizon || options.target || !options.features.empty();
    if (series_option && !base.series)
        throw UsageError("--horizon, --target and --features need --window (a series)");
    if (base.series) {
        if (options.horizon) base.windows.horizon = *options.horizon;
        if (options.target) base.windows.target = *options.target;
        if (!options.features.empty()) base.windows.features = options.features;
    } else {
        if (options.label) base.table.label = *options.label;
        if (options.shape) base.table.shape = parse_shape(*options.shape);
    }
    return base;
}

Json layout_to_json(const DataLayout& layout) {
    if (layout.series) {
        return {{"kind", "series"},
                {"window", layout.windows.window},
                {"horizon", layout.windows.horizon},
                {"target", layout.windows.target},
                {"features", layout.windows.features},
                {"feature_count", layout.feature_count},
                {"target_name", layout.target_name}};
    }
    Json shape = nullptr;
    if (layout.table.shape) shape = {layout.table.shape->first, layout.table.shape->second};
    return {{"kind", "table"},
            {"label", optional_text(layout.table.label)},
            {"shape", shape},
            {"classes", layout.table.classes},
            {"feature_count", layout.feature_count},
            {"target_name", layout.target_name}};
}

DataLayout layout_from_json(const serialization::JsonNode& node) {
    DataLayout layout;
    const std::string kind = node.at("kind").as_string();
    layout.feature_count = node.at("feature_count").as_int();
    layout.target_name = node.at("target_name").as_string();
    if (kind == "series") {
        node.reject_unknown_keys(
            {"kind", "window", "horizon", "target", "features", "feature_count", "target_name"});
        layout.series = true;
        layout.windows = {.window = node.at("window").as_int(),
                          .horizon = node.at("horizon").as_int(),
                          .target = node.at("target").as_string(),
                          .features = strings_of(node.at("features"))};
    } else if (kind == "table") {
        node.reject_unknown_keys(
            {"kind", "label", "shape", "classes", "feature_count", "target_name"});
        layout.table.label = text_or_empty(node.at("label"));
        const serialization::JsonNode shape = node.at("shape");
        if (!shape.value().is_null()) {
            if (shape.size() != 2) shape.fail("expected [steps, channels]");
            layout.table.shape = {{shape.at(std::size_t{0}).as_int(), shape.at(1).as_int()}};
        }
        layout.table.classes = strings_of(node.at("classes"));
    } else {
        node.at("kind").fail("expected \"table\" or \"series\", got \"" + kind + "\"");
    }
    return layout;
}

Dataset load_dataset(const CsvTable& table, DataLayout& layout, bool require_target) {
    if (layout.target_name.empty() && require_target) {
        const std::string& column = layout.series ? layout.windows.target : layout.table.label;
        layout.target_name = table.column_name(label_column(table, column));
    }
    if (!layout.series) {
        Dataset data = table_dataset(table, layout.table, require_target, layout.feature_count);
        layout.feature_count = data.x.numel() / data.x.size(0);
        return data;
    }
    Dataset data = series_dataset(table, layout.windows, require_target);
    const int64_t features = data.x.size(2);
    if (layout.feature_count != 0 && features != layout.feature_count) {
        throw IOError(table.source + ": " + std::to_string(features) +
                      " feature columns, but the model was trained on " +
                      std::to_string(layout.feature_count));
    }
    layout.feature_count = features;
    return data;
}

}  // namespace minidl::tools
