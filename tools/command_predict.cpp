// `minidl predict`: a trained model's outputs for a CSV file, as a CSV file (docs/cli.md).
#include <iostream>
#include <memory>

#include "minidl/serialization/float_text.hpp"
#include "minidl/tools/cli_support.hpp"
#include "minidl/tools/commands.hpp"
#include "minidl/tools/model_file.hpp"

namespace minidl::tools {
namespace {

struct PredictArgs : ModelRunArgs {
    std::string out;
};

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

bool is_classifier(const Model& model, const DataLayout& layout) {
    if (!layout.table.classes.empty()) return true;
    if (!model.compiled()) return false;
    const std::string loss = model.loss().class_name();
    return loss == "SparseCategoricalCrossentropy" || loss == "CategoricalCrossentropy" ||
           loss == "BinaryCrossentropy";
}

/// A class's name: the training file's label text, or its index for numeric labels.
std::string class_name_of(const DataLayout& layout, int64_t index) {
    const auto& classes = layout.table.classes;
    return classes.empty() ? std::to_string(index) : classes[static_cast<std::size_t>(index)];
}

/// One row per sample. A classifier's rows give the class (the original label text) then each
/// class's probability ("prob_<class>"; a single sigmoid output is the second class's);
/// otherwise the outputs, under the target's name ("<name>_<i>" for several).
Table prediction_table(const Tensor& predictions, const DataLayout& layout, bool classifier) {
    const int64_t samples = predictions.size(0);
    const int64_t outputs = samples == 0 ? 0 : predictions.numel() / samples;
    const std::vector<float> values = predictions.to_vector();
    const std::string name = layout.target_name.empty() ? "prediction" : layout.target_name;
    Table table;
    if (classifier) {
        table.header.push_back(name);
        if (outputs == 1) {
            table.header.push_back("prob_" + class_name_of(layout, 1));
        } else {
            for (int64_t k = 0; k < outputs; ++k)
                table.header.push_back("prob_" + class_name_of(layout, k));
        }
    } else if (outputs == 1) {
        table.header.push_back(name);
    } else {
        for (int64_t k = 0; k < outputs; ++k)
            table.header.push_back(name + "_" + std::to_string(k));
    }
    for (int64_t i = 0; i < samples; ++i) {
        const float* row = values.data() + i * outputs;
        std::vector<std::string> cells;
        if (classifier) {
            int64_t best = 0;
            if (outputs == 1) {
                best = row[0] > 0.5f ? 1 : 0;
            } else {
                for (int64_t k = 1; k < outputs; ++k) best = row[k] > row[best] ? k : best;
            }
            cells.push_back(class_name_of(layout, best));
        }
        for (int64_t k = 0; k < outputs; ++k) cells.push_back(serialization::float_to_text(row[k]));
        table.rows.push_back(std::move(cells));
    }
    return table;
}

void predict(const PredictArgs& args) {
    ModelAndData run = read_model_and_data(args, false);
    Model& model = *run.file.model;
    const Tensor predictions =
        model.predict(run.data.x, {.batch_size = args.batch_size, .verbose = args.run.verbose});
    const Table table = prediction_table(predictions, run.layout, is_classifier(model, run.layout));
    create_parent_folders({args.out});
    write_csv(args.out, table.header, table.rows);
    std::cout << "Wrote " << table.rows.size() << " predictions to " << args.out << "\n";
}

}  // namespace

void add_predict_command(CLI::App& app) {
    auto args = std::make_shared<PredictArgs>();
    CLI::App* command =
        app.add_subcommand("predict", "A trained model's predictions for a CSV file, as CSV");
    add_model_run_options(*command, *args, "X.csv: samples (a label column is ignored)");
    command->add_option("--out", args->out, "PRED.csv: where to write the predictions")->required();
    command->callback([args] { predict(*args); });
}

}  // namespace minidl::tools
