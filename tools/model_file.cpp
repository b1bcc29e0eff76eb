#include "minidl/tools/model_file.hpp"

#include "minidl/core/error.hpp"
#include "minidl/layers/normalization.hpp"
#include "minidl/serialization/json_node.hpp"
#include "minidl/serialization/model_config.hpp"
#include "minidl/serialization/saved_model.hpp"
#include "minidl/tools/usage_error.hpp"

namespace minidl::tools {
namespace {

constexpr const char* kNormalizationName = "normalization";

/// The layer list of a Sequential config in either of Keras's layouts: {"config": [...]} (Keras
/// 2.1) or {"config": {"name", "layers": [...]}}.
Json& sequential_layers(Json& config, const std::string& source) {
    if (!config.is_object() || config.value("class_name", "") != "Sequential") {
        throw UsageError("--normalize: " + source +
                         " is not a Keras Sequential architecture; add a Normalization layer "
                         "to it yourself");
    }
    Json& body = config["config"];
    Json& layers = body.is_array() ? body : body["layers"];
    if (!layers.is_array()) throw IOError(source + ": /config/layers: expected a list of layers");
    return layers;
}

/// `config` with a Normalization layer in front, which takes over the input shape that the
/// first layer declares when there is no InputLayer.
Json with_normalization(Json config, const std::string& source) {
    Json& layers = sequential_layers(config, source);
    Json normalization = {{"class_name", "Normalization"},
                          {"config", layers::Normalization({.name = kNormalizationName}).config()}};
    std::size_t position = 0;
    if (!layers.empty() && layers[0].value("class_name", "") == "InputLayer") {
        position = 1;
    } else if (!layers.empty() && layers[0].contains("config")) {
        for (const char* key : {"batch_input_shape", "batch_shape"}) {
            Json& first = layers[0]["config"];
            if (first.contains(key)) {
                normalization["config"][key] = first[key];
                first.erase(key);
            }
        }
    }
    layers.insert(layers.begin() + static_cast<std::ptrdiff_t>(position), normalization);
    return config;
}

bool is_minidl_file(const Json& document) {
    if (!document.is_object() || !document.contains("format")) return false;
    const Json& format = document["format"];
    return format == "minidl.model" || format == "minidl.checkpoint";
}

}  // namespace

ModelFile read_model_file(const std::filesystem::path& path, bool normalization) {
    const Json document = serialization::read_json_file(path);
    const std::string source = path.string();
    if (is_minidl_file(document)) {
        if (normalization) {
            throw UsageError("--normalize: " + source +
                             " is a trained model; --normalize adds a Normalization layer to an "
                             "untrained Keras architecture");
        }
        const serialization::JsonNode root(document, source);
        ModelFile file{serialization::load_model(root), true, nullptr, source};
        if (document["format"] == "minidl.model")
            file.metadata = serialization::model_metadata(root);
        return file;
    }
    const Json architecture = normalization ? with_normalization(document, source) : document;
    return {serialization::model_from_config(serialization::JsonNode(architecture, source)), false,
            nullptr, source};
}

DataLayout trained_layout(const ModelFile& file) {
    if (!file.metadata.is_object() || !file.metadata.contains("data")) return {};
    // Wrapped so that errors give the pointer within the file: /metadata/data/...
    const Json document = {{"metadata", file.metadata}};
    return layout_from_json(
        serialization::JsonNode(document, file.source).at("metadata").at("data"));
}

void add_model_run_options(CLI::App& command, ModelRunArgs& args, const std::string& data_help) {
    command.add_option("--model", args.model, "MODEL.json: a model saved by `minidl train`")
        ->required();
    command.add_option("--data", args.data, data_help)->required();
    add_data_options(command, args.data_options);
    command.add_option("--batch-size", args.batch_size, "Samples per batch (default 32)")
        ->check(at_least(1));
    add_run_options(command, args.run);
}

ModelAndData read_model_and_data(const ModelRunArgs& args, bool require_target) {
    apply_threads(args.run);
    ModelAndData result;
    result.file = read_model_file(args.model);
    result.layout = apply_options(trained_layout(result.file), args.data_options);
    result.table = read_csv(args.data);
    result.data = load_dataset(result.table, result.layout, require_target);
    return result;
}

void adapt_normalization(Model& model, const Tensor& x) {
    const std::shared_ptr<Layer> first = model.get_layer(kNormalizationName);
    auto* normalization = dynamic_cast<layers::Normalization*>(first.get());
    if (normalization == nullptr)
        throw ValueError(model.name() + ": its layer '" + kNormalizationName +
                         "' is not a Normalization");
    normalization->adapt(x);
}

}  // namespace minidl::tools
