#include "minidl/serialization/checkpoint.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "minidl/core/error.hpp"
#include "minidl/core/generator.hpp"
#include "minidl/serialization/model_sections.hpp"

namespace minidl::serialization {
namespace {

constexpr const char* kFormat = "minidl.checkpoint";
constexpr int kVersion = 1;

Json optimizer_state_json(const optim::OptimizerState& state, Encoding encoding) {
    Json slots = Json::array();
    for (const auto& [name, value] : state.tensors) {
        slots.push_back(tensor_to_json(name, value, {.encoding = encoding}));
    }
    return {{"class_name", state.optimizer},
            {"iterations", state.iterations},
            {"learning_rate", state.learning_rate},
            {"slots", std::move(slots)}};
}

/// The file's optimizer state, checked against the model's optimizer (class, slot names and
/// shapes), or nothing when the file's optimizer has not stepped yet.
std::optional<optim::OptimizerState> read_optimizer_state(const JsonNode& node, Model& model) {
    node.reject_unknown_keys({"class_name", "iterations", "learning_rate", "slots"});
    if (!model.compiled()) {
        node.fail("the checkpoint holds an optimizer's state, but " + model.name() +
                  " is not compiled: compile it as it was when the checkpoint was written");
    }
    optim::Optimizer& optimizer = model.optimizer();
    const std::string class_name = node.at("class_name").as_string();
    if (class_name != optimizer.name()) {
        node.at("class_name")
            .fail("the checkpoint's optimizer is " + class_name + ", the model's " +
                  optimizer.name());
    }
    optim::OptimizerState state{.optimizer = class_name,
                                .iterations = node.at("iterations").as_int(),
                                .learning_rate = node.at("learning_rate").as_number(),
                                .tensors = {}};
    if (state.iterations < 0) node.at("iterations").fail("must be >= 0");
    const JsonNode slots = node.at("slots");
    if (state.iterations == 0 && slots.size() == 0) return std::nullopt;

    model.give_new_weights_to_optimizer();
    std::map<std::string, Shape> expected;
    for (const auto& [name, value] : optimizer.state().tensors)
        expected.emplace(name, value.shape());
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const JsonNode entry = slots.at(i);
        const std::string name = entry.at("name").as_string();
        const auto it = expected.find(name);
        if (it == expected.end()) {
            const bool repeated = std::any_of(state.tensors.begin(), state.tensors.end(),
                                              [&](const auto& slot) { return slot.first == name; });
            entry.at("name").fail(repeated ? "slot '" + name + "' appears twice"
                                           : "'" + name + "' is not a slot of the model's " +
                                                 optimizer.name() + " optimizer");
        }
        Tensor value = tensor_from_json(entry);
        if (!(value.shape() == it->second)) {
            entry.at("shape").fail("slot '" + name + "' has shape " + value.shape().to_string() +
                                   " in the model's optimizer");
        }
        state.tensors.emplace_back(name, std::move(value));
        expected.erase(it);
    }
    if (!expected.empty()) {
        slots.fail("the model's optimizer slot '" + expected.begin()->first + "' is missing");
    }
    return state;
}

Json generator_json(const GeneratorState& state) {
    Json words = Json::array();
    for (const uint64_t word : state.words) {
        char text[16];
        const auto end = std::to_chars(text, text + sizeof text, word, 16).ptr;
        words.push_back(std::string(text, end));
    }
    return {{"words", std::move(words)},
            {"has_spare_normal", state.has_spare_normal},
            {"spare_normal", state.spare_normal}};
}

GeneratorState read_generator(const JsonNode& node) {
    node.reject_unknown_keys({"words", "has_spare_normal", "spare_normal"});
    GeneratorState state;
    const JsonNode words = node.at("words");
    if (words.size() != state.words.size()) words.fail("must hold 4 words");
    for (std::size_t i = 0; i < state.words.size(); ++i) {
        const std::string text = words.at(i).as_string();
        const auto [end, error] =
            std::from_chars(text.data(), text.data() + text.size(), state.words[i], 16);
        if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
            words.at(i).fail("must be a 64-bit word in hexadecimal, got \"" + text + "\"");
        }
    }
    state.has_spare_normal = node.at("has_spare_normal").as_bool();
    state.spare_normal = node.at("spare_normal").as_number();
    return state;
}

/// NaN (a value absent in some epochs) is written as null.
Json history_json(const History& history) {
    Json series = Json::object();
    for (const auto& [name, values] : history.series()) {
        Json column = Json::array();
        for (const double value : values) {
            column.push_back(std::isnan(value) ? Json(nullptr) : Json(value));
        }
        series[name] = std::move(column);
    }
    return {{"epoch", history.epoch()}, {"series", std::move(series)}};
}

History read_history(const JsonNode& node) {
    node.reject_unknown_keys({"epoch", "series"});
    const JsonNode epochs = node.at("epoch");
    std::vector<int64_t> epoch;
    for (std::size_t i = 0; i < epochs.size(); ++i) epoch.push_back(epochs.at(i).as_int());
    const JsonNode series_node = node.at("series");
    series_node.require_object();
    History::Series series;
    for (const auto& [name, unused] : series_node.value().items()) {
        const JsonNode column = series_node.at(name);
        if (column.size() != epoch.size()) {
            column.fail("has " + std::to_string(column.size()) + " values for " +
                        std::to_string(epoch.size()) + " epochs");
        }
        std::vector<double> values;
        for (std::size_t i = 0; i < column.size(); ++i) {
            const JsonNode value = column.at(i);
            values.push_back(value.value().is_null() ? std::numeric_limits<double>::quiet_NaN()
                                                     : value.as_number());
        }
        series.emplace_back(name, std::move(values));
    }
    return History(std::move(epoch), std::move(series));
}

}  // namespace

void save_checkpoint(const Model& model, const std::filesystem::path& path,
                     const TrainingProgress& progress, Encoding encoding) {
    if (progress.epoch < 0) {
        throw ValueError("save_checkpoint: epoch must be >= 0, got " +
                         std::to_string(progress.epoch));
    }
    Json root = {{"format", kFormat}, {"version", kVersion}};
    detail::write_model_sections(root, model, encoding, false, true);
    if (model.compiled()) {
        root["optimizer_state"] = optimizer_state_json(model.optimizer().state(), encoding);
    }
    root["epoch"] = progress.epoch;
    root["generator"] = generator_json(default_generator().state());
    root["history"] = history_json(progress.history);
    write_json_file(path, root);
}

TrainingProgress load_checkpoint(Model& model, const std::filesystem::path& path) {
    const Json document = read_json_file(path);
    const JsonNode root(document, path.string());
    check_format(root, kFormat, kVersion);
    root.reject_unknown_keys({"format", "version", "model_config", "weights", "compile_config",
                              "optimizer_state", "epoch", "generator", "history"});
    if (!model.built()) {
        throw ValueError(model.name() +
                         ": load_checkpoint: the model is not built: call it on a batch, or "
                         "build() it, first");
    }
    // Everything is read and checked before anything changes.
    const std::vector<Tensor> weights = weights_from_json(root.at("weights"), model.weights());
    std::optional<optim::OptimizerState> optimizer_state;
    if (const std::optional<JsonNode> node = root.find("optimizer_state")) {
        optimizer_state = read_optimizer_state(*node, model);
    }
    const int64_t epoch = root.at("epoch").as_int();
    if (epoch < 0) root.at("epoch").fail("must be >= 0, got " + std::to_string(epoch));
    const GeneratorState generator = read_generator(root.at("generator"));
    History history = read_history(root.at("history"));

    model.set_weights(weights);
    if (optimizer_state) model.optimizer().load_state(*optimizer_state);
    default_generator().set_state(generator);
    model.set_history(history);
    return {epoch, std::move(history)};
}

}  // namespace minidl::serialization
