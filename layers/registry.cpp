#include "minidl/layers/registry.hpp"

#include <map>
#include <mutex>

#include "minidl/core/error.hpp"
#include "minidl/layers/activation_layer.hpp"
#include "minidl/layers/batch_normalization.hpp"
#include "minidl/layers/conv1d.hpp"
#include "minidl/layers/dense.hpp"
#include "minidl/layers/depthwise_conv1d.hpp"
#include "minidl/layers/dropout.hpp"
#include "minidl/layers/embedding.hpp"
#include "minidl/layers/flatten.hpp"
#include "minidl/layers/gaussian_noise.hpp"
#include "minidl/layers/global_pooling1d.hpp"
#include "minidl/layers/input_layer.hpp"
#include "minidl/layers/layer_normalization.hpp"
#include "minidl/layers/merge.hpp"
#include "minidl/layers/normalization.hpp"
#include "minidl/layers/padding_layers1d.hpp"
#include "minidl/layers/permute.hpp"
#include "minidl/layers/pooling1d.hpp"
#include "minidl/layers/reshape.hpp"
#include "minidl/layers/separable_conv1d.hpp"
#include "minidl/layers/sequential.hpp"

namespace minidl::layers {
namespace {

template <class L>
LayerFactory factory_of() {
    return [](const Json& config) -> std::unique_ptr<Layer> { return L::from_config(config); };
}

std::map<std::string, LayerFactory> builtin_factories() {
    return {
        {"Conv1D", factory_of<Conv1D>()},
        {"DepthwiseConv1D", factory_of<DepthwiseConv1D>()},
        {"AveragePooling1D", factory_of<AveragePooling1D>()},
        {"Cropping1D", factory_of<Cropping1D>()},
        {"GlobalAveragePooling1D", factory_of<GlobalAveragePooling1D>()},
        {"GlobalMaxPooling1D", factory_of<GlobalMaxPooling1D>()},
        {"MaxPooling1D", factory_of<MaxPooling1D>()},
        {"UpSampling1D", factory_of<UpSampling1D>()},
        {"ZeroPadding1D", factory_of<ZeroPadding1D>()},
        {"SeparableConv1D", factory_of<SeparableConv1D>()},
        {"Activation", factory_of<Activation>()},
        {"Add", factory_of<Add>()},
        {"Concatenate", factory_of<Concatenate>()},
        {"Dense", factory_of<Dense>()},
        {"Flatten", factory_of<Flatten>()},
        {"Permute", factory_of<Permute>()},
        {"Reshape", factory_of<Reshape>()},
        {"BatchNormalization", factory_of<BatchNormalization>()},
        {"Dropout", factory_of<Dropout>()},
        {"Embedding", factory_of<Embedding>()},
        {"GaussianNoise", factory_of<GaussianNoise>()},
        {"LayerNormalization", factory_of<LayerNormalization>()},
        {"Normalization", factory_of<Normalization>()},
        {"SpatialDropout1D", factory_of<SpatialDropout1D>()},
        {"InputLayer", factory_of<InputLayer>()},
        {"Sequential", factory_of<Sequential>()},
    };
}

// Keras exports some classes under a second name, and a config may use either: tf.keras 2.x
// serializes the first name a class is exported under, which for some versions is the short one.
const std::map<std::string, std::string, std::less<>>& keras_aliases() {
    static const std::map<std::string, std::string, std::less<>> aliases = {
        {"AvgPool1D", "AveragePooling1D"},
        {"Convolution1D", "Conv1D"},
        {"GlobalAvgPool1D", "GlobalAveragePooling1D"},
        {"GlobalMaxPool1D", "GlobalMaxPooling1D"},
        {"MaxPool1D", "MaxPooling1D"},
        {"SeparableConvolution1D", "SeparableConv1D"},
    };
    return aliases;
}

struct Registry {
    std::mutex mutex;
    std::map<std::string, LayerFactory> factories = builtin_factories();
};

Registry& registry() {
    static Registry instance;
    return instance;
}

/// The factory for `class_name` (or its Keras alias); throws ConfigError at /class_name naming
/// the known classes.
LayerFactory factory_for(const std::string& class_name) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.factories.find(class_name);
    if (it == r.factories.end()) {
        const auto alias = keras_aliases().find(class_name);
        if (alias != keras_aliases().end()) it = r.factories.find(alias->second);
    }
    if (it != r.factories.end()) return it->second;
    std::string known;
    for (const auto& [name, unused] : r.factories) known += (known.empty() ? "" : ", ") + name;
    throw ConfigError("/class_name",
                      "layer: unknown class_name '" + class_name + "' (known: " + known + ")");
}

}  // namespace

void register_layer(const std::string& class_name, LayerFactory factory) {
    if (class_name.empty()) throw ValueError("register_layer: the class name is empty");
    if (!factory) throw ValueError("register_layer: the factory for '" + class_name + "' is empty");
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.factories[class_name] = std::move(factory);
}

std::vector<std::string> registered_layer_names() {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    std::vector<std::string> names;
    for (const auto& [name, unused] : r.factories) names.push_back(name);
    return names;
}

std::optional<std::string> keras_module(const std::string& class_name) {
    static const std::map<std::string, LayerFactory> builtins = builtin_factories();
    if (class_name == "Sequential") return "keras";
    if (builtins.contains(class_name) || keras_aliases().contains(class_name))
        return "keras.layers";
    return std::nullopt;
}

std::unique_ptr<Layer> from_config(const Json& layer_json) {
    std::string class_name;
    const Json* config = nullptr;
    try {
        ConfigReader reader(layer_json, "layer");
        class_name = reader.get_string("class_name", "");
        if (class_name.empty()) reader.fail("class_name", "is required");
        config = reader.take("config");
        // Written by newer tf.keras / Keras 3 next to class_name (a model reads build_config
        // itself), and by functional models; nothing a layer needs.
        for (const char* extra :
             {"module", "registered_name", "build_config", "name", "inbound_nodes"}) {
            reader.ignore(extra);
        }
        reader.finish();
    } catch (const ValueError& error) {
        throw locate_config_error(error, layer_json, "");
    }
    const LayerFactory factory = factory_for(class_name);
    try {
        std::unique_ptr<Layer> layer = factory(config != nullptr ? *config : Json::object());
        if (!layer) throw ValueError("the factory for '" + class_name + "' returned no layer");
        return layer;
    } catch (const Error& error) {
        throw locate_config_error(error, config != nullptr ? *config : Json::object(),
                                  config != nullptr ? "/config" : "");
    }
}

Json to_config_entry(const Layer& layer,
                     const std::optional<std::vector<int64_t>>& build_input_shape) {
    const std::string class_name = layer.class_name();
    const std::optional<std::string> module = keras_module(class_name);
    Json entry = Json::object();
    if (!module) return keras_object(class_name, layer.config());
    entry["module"] = *module;
    entry["class_name"] = class_name;
    entry["config"] = layer.config();
    entry["registered_name"] = nullptr;
    if (build_input_shape) {
        Json shape = Json::array();
        for (const int64_t size : *build_input_shape)
            shape.push_back(size < 0 ? Json() : Json(size));
        entry["build_config"] = Json::object({{"input_shape", shape}});
    }
    return entry;
}

}  // namespace minidl::layers
