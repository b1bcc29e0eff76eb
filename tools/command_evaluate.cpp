// `minidl evaluate`: a trained model's loss and metrics on a CSV file (docs/cli.md).
#include <iostream>
#include <memory>

#include "minidl/core/error.hpp"
#include "minidl/tools/cli_support.hpp"
#include "minidl/tools/commands.hpp"
#include "minidl/tools/model_file.hpp"

namespace minidl::tools {
namespace {

struct EvaluateArgs {
    std::string model;
    std::string data;
    DataOptions data_options;
    int64_t batch_size = 32;
    RunOptions run;
};

void evaluate(const EvaluateArgs& args) {
    apply_threads(args.run);
    ModelAndData run = read_model_and_data(args.model, args.data, args.data_options, true);
    Model& model = *run.file.model;
    if (!model.compiled()) {
        throw ValueError(args.model +
                         ": the model has no loss to evaluate (no compile config); train it with "
                         "`minidl train`, or save it compiled");
    }
    const Logs logs = model.evaluate(run.data.x, run.data.y,
                                     {.batch_size = args.batch_size, .verbose = args.run.verbose});
    std::cout << logs_text(logs) << "\n";
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
    auto args = std::make_shared<EvaluateArgs>();
    CLI::App* command =
        app.add_subcommand("evaluate", "The loss and metrics of a trained model on a CSV file");
    command->add_option("--model", args->model, "MODEL.json: a model saved by `minidl train`")
        ->required();
    command->add_option("--data", args->data, "TEST.csv: samples with their labels")->required();
    add_data_options(*command, args->data_options);
    command->add_option("--batch-size", args->batch_size, "Samples per batch (default 32)")
        ->check(at_least(1));
    add_run_options(*command, args->run);
    command->callback([args] { evaluate(*args); });
}

}  // namespace minidl::tools
