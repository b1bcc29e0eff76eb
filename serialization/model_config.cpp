#include "minidl/serialization/model_config.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <vector>

#include "minidl/core/autograd.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/layers/registry.hpp"
#include "minidl/layers/sequential.hpp"

namespace minidl::serialization {
namespace {

/// What model_config() writes as "keras_version" and "backend": tf.keras 2.13's (TensorFlow
/// 2.13 ships Keras 2.13.1), the version whose layout minidl writes.
constexpr const char* kKerasVersion = "2.13.1";
constexpr const char* kBackend = "tensorflow";

/// The keys of model.to_json(): tf.keras 2.x wraps the model in class_name, config,
/// keras_version and backend; Keras 3 writes module, registered_name, build_config (and
/// compile_config for a compiled model) instead of the last two.
constexpr const char* kModelKeys[] = {"class_name",   "config",        "keras_version",
                                      "backend",      "module",        "registered_name",
                                      "build_config", "compile_config"};

/// Throws IOError "<source>: <pointer>: <problem>" for the value at `relative` (a JSON Pointer
/// within `node`), in JsonNode::fail's form.
[[noreturn]] void fail_at(const JsonNode& node, const std::string& relative,
                          const std::string& problem) {
    const std::string pointer = node.pointer() + relative;
    throw IOError(node.source() + ": " + (pointer.empty() ? std::string("/") : pointer) + ": " +
                  problem);
}

std::string known_classes() {
    std::string known;
    for (const std::string& name : layers::registered_layer_names())
        known += (known.empty() ? "" : ", ") + name;
    return known;
}

/// The input shape in a Keras 3 model's "build_config", if there is a usable one.
std::optional<std::vector<int64_t>> build_config_shape(const JsonNode& node) {
    const std::optional<JsonNode> build_config = node.find("build_config");
    if (!build_config || build_config->value().is_null()) return std::nullopt;
    build_config->require_object();
    const std::optional<JsonNode> shape = build_config->find("input_shape");
    if (!shape || shape->value().is_null()) return std::nullopt;
    shape->require_array();
    std::vector<int64_t> sizes;
    for (std::size_t i = 0; i < shape->size(); ++i) {
        const JsonNode size = shape->at(i);
        if (size.value().is_null()) {
            sizes.push_back(-1);
        } else if (const int64_t value = size.as_int(); value >= 0) {
            sizes.push_back(value);
        } else {
            size.fail("expected a size or null, got " + size.value().dump());
        }
    }
    if (sizes.empty()) shape->fail("expected a shape with a batch axis, got []");
    return sizes;
}

/// Builds a model that its config left unbuilt from a Keras 3 build_config: a Sequential with
/// build(), any other model by a call on zeros (its layers build on the first call).
void build_from_config(Model& model, const JsonNode& node) {
    const std::optional<std::vector<int64_t>> shape = build_config_shape(node);
    if (!shape || model.built()) return;
    std::vector<int64_t> sizes = *shape;
    if (sizes[0] < 0) sizes[0] = 1;
    if (std::any_of(sizes.begin(), sizes.end(), [](int64_t size) { return size < 0; })) return;
    try {
        if (auto* sequential = dynamic_cast<Sequential*>(&model)) {
            sequential->build(Shape(sizes));
        } else {
            NoGradGuard no_grad;
            model(zeros(Shape(sizes)), false);
        }
    } catch (const Error& error) {
        fail_at(node, "/build_config/input_shape", error.what());
    }
}

}  // namespace

Json model_config(const Model& model) {
    if (const auto* sequential = dynamic_cast<const Sequential*>(&model);
        sequential != nullptr && sequential->sublayers().empty()) {
        throw ValueError(model.name() + ": the Sequential model has no layers to save");
    }
    Json json = Json::object();
    json["class_name"] = model.class_name();
    json["config"] = model.config();
    json["keras_version"] = kKerasVersion;
    json["backend"] = kBackend;
    return json;
}

std::string model_to_json(const Model& model, int indent) {
    return model_config(model).dump(indent);
}

std::unique_ptr<Model> model_from_config(const JsonNode& node) {
    node.require_object();
    const Json& root = node.value();
    for (const auto& [key, value] : root.items()) {
        (void)value;
        if (std::find(std::begin(kModelKeys), std::end(kModelKeys), key) == std::end(kModelKeys)) {
            fail_at(node, json_pointer_token(key),
                    "unknown key '" + key +
                        "' in a model config (known: class_name, config, keras_version, "
                        "backend, module, registered_name, build_config, compile_config)");
        }
    }
    for (const char* key : {"keras_version", "backend"}) {
        if (const std::optional<JsonNode> text = node.find(key)) (void)text->as_string();
    }
    const std::string class_name = node.at("class_name").as_string();
    const std::vector<std::string> known = layers::registered_layer_names();
    if ((class_name == "Functional" || class_name == "Model") &&
        std::find(known.begin(), known.end(), class_name) == known.end()) {
        fail_at(node, "/class_name",
                "'" + class_name +
                    "' is a functional model (a graph of layers), which minidl cannot build; it "
                    "reads Sequential models and Model classes registered with "
                    "layers::register_layer (known: " +
                    known_classes() + ")");
    }
    (void)node.at("config");

    // The layer entry: the model's class and config, without the wrapper's own keys.
    Json entry = Json::object();
    for (const char* key : {"module", "class_name", "config", "registered_name"}) {
        if (root.contains(key)) entry[key] = root.at(key);
    }
    std::unique_ptr<Layer> layer;
    try {
        layer = layers::from_config(entry);
    } catch (const Error& error) {
        const ConfigError located = locate_config_error(error, entry, "");
        fail_at(node, located.pointer(), located.problem());
    } catch (const std::exception& error) {
        // A bug in a user's factory, or nlohmann's type errors there: still name the config.
        fail_at(node, "/config", error.what());
    }
    if (dynamic_cast<Model*>(layer.get()) == nullptr) {
        fail_at(node, "/class_name",
                "'" + class_name +
                    "' is a layer, not a model; model_from_config reads Sequential models and "
                    "Model classes registered with layers::register_layer");
    }
    std::unique_ptr<Model> model(static_cast<Model*>(layer.release()));
    build_from_config(*model, node);
    return model;
}

std::unique_ptr<Model> model_from_json(std::string_view json) {
    const std::string source = "model_from_json";
    const Json root = parse_json(json, source);
    return model_from_config(JsonNode(root, source));
}

}  // namespace minidl::serialization
