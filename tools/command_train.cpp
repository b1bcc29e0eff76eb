// `minidl train`: a Keras script's compile + fit + save, on CSV data (docs/cli.md).
#include <cmath>
#include <iostream>
#include <memory>

#include "minidl/core/generator.hpp"
#include "minidl/layers/model.hpp"
#include "minidl/serialization/checkpoint.hpp"
#include "minidl/serialization/compile_config.hpp"
#include "minidl/serialization/saved_model.hpp"
#include "minidl/tools/cli_support.hpp"
#include "minidl/tools/commands.hpp"
#include "minidl/tools/data_layout.hpp"
#include "minidl/tools/history_csv.hpp"
#include "minidl/tools/model_file.hpp"
#include "minidl/tools/svg_plot.hpp"
#include "minidl/train/callbacks.hpp"

namespace minidl::tools {
namespace {

struct TrainArgs {
    std::string model;
    std::string data;
    std::string out;
    DataOptions data_options;
    bool normalize = false;
    int64_t epochs = 1;
    int64_t batch_size = 32;
    std::optional<double> validation_split;
    std::string validation_data;
    std::optional<std::string> optimizer;
    std::optional<double> learning_rate;
    std::optional<std::string> loss;
    std::vector<std::string> metrics;
    std::optional<uint64_t> seed;
    RunOptions run;
    std::string history;
    std::string plot;
    std::string checkpoint;
    std::string resume;
    std::optional<int64_t> early_stopping;
};

bool whole_numbers(const Tensor& y) {
    for (const float value : y.to_vector()) {
        if (!(value >= 0.0f) || value != std::floor(value)) return false;
    }
    return true;
}

/// Keras needs a loss; where neither the flags nor the file give one, the data decides: class
/// labels (strings, or whole numbers for a model with several outputs) make a classification,
/// anything else a regression.
struct TaskDefaults {
    std::string loss;
    std::string metric;
};
TaskDefaults task_defaults(const DataLayout& layout, const Dataset& data, int64_t outputs) {
    const bool string_classes = !layout.table.classes.empty();
    if (string_classes && outputs == 1) return {"binary_crossentropy", "accuracy"};
    if (string_classes || (outputs > 1 && whole_numbers(data.y)))
        return {"sparse_categorical_crossentropy", "accuracy"};
    return {"mse", "mae"};
}

/// A new object like `object` (a compiled optimizer or loss) made from its config: the same
/// settings, none of the state.
template <typename T>
std::shared_ptr<T> copy_of(const Json& config,
                           std::unique_ptr<T> (*from_config)(const serialization::JsonNode&)) {
    return from_config(serialization::JsonNode(config, "the model's compile config"));
}

/// Compiles with the flags, keeping what a compiled (saved) model had for the flags not given.
void compile_model(Model& model, const TrainArgs& args, const TaskDefaults& defaults) {
    const bool compiled = model.compiled();
    OptimizerArg optimizer("adam");
    if (args.optimizer) {
        optimizer = OptimizerArg(*args.optimizer);
    } else if (compiled) {
        optimizer = copy_of(serialization::optimizer_config(model.optimizer()),
                            &serialization::optimizer_from_config);
    }
    LossArg loss(defaults.loss);
    if (args.loss) {
        loss = LossArg(*args.loss);
    } else if (compiled) {
        loss = copy_of(serialization::loss_config(model.loss()), &serialization::loss_from_config);
    }
    std::vector<MetricArg> metrics(args.metrics.begin(), args.metrics.end());
    if (args.metrics.empty())
        metrics = compiled ? model.compiled_metric_args() : std::vector<MetricArg>{defaults.metric};
    model.compile(optimizer, loss, metrics);
    if (args.learning_rate) model.optimizer().set_learning_rate(*args.learning_rate);
}

std::vector<CallbackRef> training_callbacks(const TrainArgs& args, bool validating) {
    std::vector<CallbackRef> list;
    if (!args.checkpoint.empty())
        list.emplace_back(callbacks::ModelCheckpoint({.filepath = args.checkpoint}));
    if (args.early_stopping) {
        list.emplace_back(callbacks::EarlyStopping({.monitor = validating ? "val_loss" : "loss",
                                                    .patience = *args.early_stopping,
                                                    .restore_best_weights = true}));
    }
    return list;
}

void train(const TrainArgs& args) {
    apply_threads(args.run);
    if (args.seed) manual_seed(*args.seed);
    ModelFile file = read_model_file(args.model, args.normalize);
    Model& model = *file.model;
    // A model trained before reads its data as then, unless the flags say otherwise.
    DataLayout layout = apply_options(trained_layout(file), args.data_options);
    const Dataset data = load_dataset(read_csv(args.data), layout, true);
    ValidationData validation;
    if (!args.validation_data.empty()) {
        const Dataset held_out = load_dataset(read_csv(args.validation_data), layout, true);
        validation = {held_out.x, held_out.y};
    }

    if (args.normalize) adapt_normalization(model, data.x);
    Shape one_sample = data.x.shape();
    one_sample[0] = 1;
    const int64_t outputs = model.compute_output_shape(one_sample).back();
    compile_model(model, args, task_defaults(layout, data, outputs));

    create_parent_folders({args.out, args.history, args.plot, args.checkpoint});
    int64_t initial_epoch = 0;
    if (!args.resume.empty())
        initial_epoch = serialization::load_checkpoint(model, args.resume).epoch;
    const bool validating = validation.x.defined() || args.validation_split.value_or(0.0) > 0.0;
    model.fit(data.x, data.y,
              {.epochs = args.epochs,
               .batch_size = args.batch_size,
               .validation_split = args.validation_split.value_or(0.0),
               .validation_data = validation,
               .verbose = args.run.verbose,
               .callbacks = training_callbacks(args, validating),
               .initial_epoch = initial_epoch});

    serialization::save_model(model, args.out, {.metadata = {{"data", layout_to_json(layout)}}});
    if (!args.history.empty()) write_history_csv(args.history, model.history());
    if (!args.plot.empty()) write_history_svg(args.plot, model.history());
    const History& history = model.history();
    if (!history.epoch().empty()) {
        Logs last;
        for (const auto& [name, values] : history.series()) last.set(name, values.back());
        std::cout << "Final epoch " << history.epoch().back() + 1 << ": " << logs_text(last)
                  << "\n";
    }
    std::cout << "Saved " << args.out << "\n";
}

}  // namespace

void add_train_command(CLI::App& app) {
    auto args = std::make_shared<TrainArgs>();
    CLI::App* command = app.add_subcommand("train", "Train a model on a CSV file and save it");
    command
        ->add_option("--model", args->model,
                     "ARCH.json: a Keras model.to_json() architecture or a saved minidl model")
        ->required();
    command->add_option("--data", args->data, "TRAIN.csv: the training data")->required();
    command->add_option("--out", args->out, "MODEL.json: where to save the trained model")
        ->required();
    add_data_options(*command, args->data_options);
    command->add_flag("--normalize", args->normalize,
                      "Put a Normalization layer first, adapted to the training data");
    command->add_option("--epochs", args->epochs, "Epochs to train (default 1)")
        ->check(at_least(1));
    command->add_option("--batch-size", args->batch_size, "Samples per batch (default 32)")
        ->check(at_least(1));
    CLI::Option* split = command->add_option(
        "--validation-split", args->validation_split,
        "Hold out this last fraction of the samples (before shuffling) for validation");
    split->check(CLI::Range(0.0, 1.0));
    command->add_option("--validation-data", args->validation_data, "VAL.csv: validation data")
        ->excludes(split);
    command->add_option("--optimizer", args->optimizer,
                        "A Keras optimizer name (default: the file's, else adam)");
    command->add_option("--learning-rate", args->learning_rate, "The optimizer's learning rate")
        ->check(CLI::PositiveNumber);
    command->add_option("--loss", args->loss,
                        "A Keras loss name (default: the file's, else from the labels)");
    command->add_option("--metrics", args->metrics, "Keras metric names, comma separated")
        ->delimiter(',');
    command->add_option("--seed", args->seed, "Seeds weight initialisation and shuffling");
    add_run_options(*command, args->run);
    command->add_option("--history", args->history, "HISTORY.csv: the per-epoch logs");
    command->add_option("--plot", args->plot, "CURVES.svg: the loss and metric curves");
    command->add_option("--checkpoint", args->checkpoint,
                        "CKPT.json: a checkpoint written after every epoch");
    command->add_option("--resume", args->resume,
                        "CKPT.json: continue the run that wrote this checkpoint");
    command
        ->add_option("--early-stopping", args->early_stopping,
                     "Stop after this many epochs without improvement (restores the best)")
        ->check(at_least(0));
    command->callback([args] { train(*args); });
}

}  // namespace minidl::tools
