// `minidl evaluate`: a trained model's loss and metrics on a CSV file (docs/cli.md).
#include <iostream>
#include <memory>

#include "minidl/core/error.hpp"
#include "minidl/tools/cli_support.hpp"
#include "minidl/tools/commands.hpp"
#include "minidl/tools/dataset.hpp"
#include "minidl/tools/model_file.hpp"

namespace minidl::tools {
namespace {

void evaluate(const ModelRunArgs& args) {
    ModelAndData run = read_model_and_data(args, true);
    Model& model = *run.file.model;
    if (!model.compiled()) {
        throw ValueError(args.model +
                         ": the model has no loss to evaluate (no compile config); train it with "
                         "`minidl train`, or save it compiled");
    }
    const Logs logs = model.evaluate(run.data.x, run.data.y,
                                     {.batch_size = args.batch_size, .verbose = args.run.verbose});
    std::cout << logs_text(logs) << "\n";
    if (run.layout.series) {
        // The baseline a forecast must beat: the target `horizon` rows on is the last one seen.
        const double persistence = persistence_mae(run.table, run.layout.windows);
        std::cout << logs_text({{"persistence_mae", persistence}}) << "\n";
    }
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
    auto args = std::make_shared<ModelRunArgs>();
    CLI::App* command =
        app.add_subcommand("evaluate", "The loss and metrics of a trained model on a CSV file");
    add_model_run_options(*command, *args, "TEST.csv: samples with their labels");
    command->callback([args] { evaluate(*args); });
}

}  // namespace minidl::tools
