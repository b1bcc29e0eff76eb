// The `minidl` program's commands (docs/cli.md). Each add_*_command adds a subcommand with its
// options to the program; it runs once the command line is parsed (its CLI11 callback) and
// throws UsageError (exit code 2) or another minidl::Error (exit code 1) on bad input, having
// written nothing.
#pragma once

#include <CLI/CLI.hpp>

namespace minidl::tools {

/// `minidl train --model ARCH.json --data TRAIN.csv --out MODEL.json ...`
void add_train_command(CLI::App& app);
/// `minidl evaluate --model MODEL.json --data TEST.csv`: the loss and metrics.
void add_evaluate_command(CLI::App& app);
/// `minidl predict --model MODEL.json --data X.csv --out PRED.csv`
void add_predict_command(CLI::App& app);
/// `minidl summary MODEL.json`: Keras's summary table.
void add_summary_command(CLI::App& app);
/// `minidl plot HISTORY.csv --out CURVES.svg`: the loss and metric curves.
void add_plot_command(CLI::App& app);

/// The whole program: parses argv, runs the command, prints errors to stderr as
/// "minidl: <message>"; returns the exit code (0 success, 1 bad input, 2 usage).
int run_cli(int argc, const char* const* argv);

}  // namespace minidl::tools
