// What the `minidl` program's commands share: the options every running command has, the
// validators of counts, and the way results are printed (docs/cli.md).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "minidl/train/logs.hpp"

namespace minidl::tools {

/// Accepts whole numbers >= `minimum`, with a message that says so ("must be at least 1").
CLI::Validator at_least(int64_t minimum);

/// --verbose and --threads, which train, evaluate and predict take.
struct RunOptions {
    int verbose = 1;
    std::optional<int> threads;
};
void add_run_options(CLI::App& command, RunOptions& options);
/// Sets the OpenMP thread count when --threads was given (results do not depend on it).
void apply_threads(const RunOptions& options);

/// Creates the folders the output files will go in (none for an empty path), so that a long
/// training run does not fail at its end for want of one.
void create_parent_folders(std::initializer_list<std::string_view> paths);

/// The logs as Keras's progress line shows them: "loss: 0.4312 - accuracy: 0.9000" (4
/// decimals, or 4 significant digits in exponent notation at or below 1e-3), without "lr".
std::string logs_text(const Logs& logs);

}  // namespace minidl::tools
