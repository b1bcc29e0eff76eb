#include <iostream>
#include <utility>

#include "minidl/tools/commands.hpp"
#include "minidl/tools/usage_error.hpp"

namespace minidl::tools {
namespace {

constexpr int kBadInput = 1;
constexpr int kUsage = 2;

}  // namespace

int run_cli(int argc, const char* const* argv) {
    CLI::App app("minidl: train, evaluate and use 1D deep-learning models on CSV data", "minidl");
    app.set_version_flag("--version", MINIDL_VERSION);
    app.require_subcommand(1);
    add_train_command(app);
    add_evaluate_command(app);
    add_predict_command(app);
    add_summary_command(app);
    add_plot_command(app);
    if (argc > 1 && argv[1][0] != '-') {
        // CLI11 would only say that a command is required.
        std::string names;
        bool known = false;
        for (const CLI::App* command : std::as_const(app).get_subcommands({})) {
            names += (names.empty() ? "" : ", ") + command->get_name();
            known = known || command->get_name() == argv[1];
        }
        if (!known) {
            std::cerr << "minidl: unknown command '" << argv[1] << "' (commands: " << names
                      << ")\nRun with --help for more information.\n";
            return kUsage;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        // Help and --version are successes; every other parse error is a usage error.
        return code == static_cast<int>(CLI::ExitCodes::Success) ? 0 : kUsage;
    } catch (const UsageError& error) {
        std::cerr << "minidl: " << error.what() << "\nRun with --help for more information.\n";
        return kUsage;
    } catch (const std::exception& error) {
        // minidl::Error, and the standard library's own (a folder that cannot be created).
        std::cerr << "minidl: " << error.what() << "\n";
        return kBadInput;
    }
    return 0;
}

}  // namespace minidl::tools
