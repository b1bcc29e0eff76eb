// `minidl summary` and `minidl plot`: look at a model file or a training history (docs/cli.md).
#include <iostream>
#include <memory>

#include "minidl/core/error.hpp"
#include "minidl/tools/cli_support.hpp"
#include "minidl/tools/commands.hpp"
#include "minidl/tools/history_csv.hpp"
#include "minidl/tools/model_file.hpp"
#include "minidl/tools/svg_plot.hpp"

namespace minidl::tools {

void add_summary_command(CLI::App& app) {
    auto path = std::make_shared<std::string>();
    CLI::App* command = app.add_subcommand("summary", "Print a model's summary table (Keras's)");
    command->add_option("MODEL.json", *path, "A saved minidl model or a Keras architecture")
        ->required();
    command->callback([path] {
        const ModelFile file = read_model_file(*path);
        if (!file.model->built()) {
            throw ValueError(*path +
                             ": the architecture declares no input shape, so its layers have no "
                             "weights yet; give its first layer an input shape");
        }
        file.model->summary(std::cout);
    });
}

void add_plot_command(CLI::App& app) {
    struct PlotArgs {
        std::string history;
        std::string out;
        std::string title;
    };
    auto args = std::make_shared<PlotArgs>();
    CLI::App* command =
        app.add_subcommand("plot", "Draw a training history's loss and metric curves as SVG");
    command
        ->add_option("HISTORY.csv", args->history,
                     "A history written by `minidl train --history`"
                     " or Keras's CSVLogger")
        ->required();
    command->add_option("--out", args->out, "CURVES.svg: where to write the plot")->required();
    command->add_option("--title", args->title, "A title above the plot");
    command->callback([args] {
        const History history = read_history_csv(args->history);
        create_parent_folders({args->out});
        write_history_svg(args->out, history, {.title = args->title});
        std::cout << "Wrote " << args->out << "\n";
    });
}

}  // namespace minidl::tools
