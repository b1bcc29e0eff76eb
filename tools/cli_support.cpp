#include "minidl/tools/cli_support.hpp"

#include <omp.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace minidl::tools {

CLI::Validator at_least(int64_t minimum) {
    return CLI::Validator(
        [minimum](std::string& text) -> std::string {
            int64_t value = 0;
            if (!CLI::detail::lexical_cast(text, value))
                return "'" + text + "' is not a whole number";
            if (value < minimum)
                return "must be at least " + std::to_string(minimum) + ", got " + text;
            return {};
        },
        ">=" + std::to_string(minimum));
}

void add_run_options(CLI::App& command, RunOptions& options) {
    command
        .add_option("--verbose", options.verbose,
                    "0 silent, 1 a progress bar, 2 one line per epoch (as Keras)")
        ->check(CLI::IsMember({0, 1, 2}));
    command.add_option("--threads", options.threads, "OpenMP threads (default: all cores)")
        ->check(at_least(1));
}

void apply_threads(const RunOptions& options) {
    if (options.threads) omp_set_num_threads(*options.threads);
}

void create_parent_folders(std::initializer_list<std::string_view> paths) {
    for (const std::string_view path : paths) {
        const std::filesystem::path parent = std::filesystem::path(path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent);
    }
}

std::string logs_text(const Logs& logs) {
    std::string text;
    for (const auto& [name, value] : logs) {
        if (name == "lr") continue;
        char number[32];
        std::snprintf(number, sizeof number, std::fabs(value) > 1e-3 ? "%.4f" : "%.4e", value);
        text += (text.empty() ? "" : " - ") + name + ": " + (std::isnan(value) ? "nan" : number);
    }
    return text;
}

}  // namespace minidl::tools
