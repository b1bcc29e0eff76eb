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
#include "minidl/layers/layer_normalization.hpp"
#include "minidl/layers/merge.hpp"
#include "minidl/layers/padding_layers1d.hpp"
#include "minidl/layers/permute.hpp"
#include "minidl/layers/pooling1d.hpp"
#include "minidl/layers/reshape.hpp"
#include "minidl/layers/separable_conv1d.hpp"

namespace minidl::layers {
namespace {

template <class L>
LayerFactory factory_of() {
    return [](const Json& config) -> std::unique_ptr<Layer> { return L::from_config(config); };
}

struct Registry {
    std::mutex mutex;
    std::map<std::string, LayerFactory> factories = {
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
        {"SpatialDropout1D", factory_of<SpatialDropout1D>()},
    };
};

Registry& registry() {
    static Registry instance;
    return instance;
}

}  // namespace

void register_layer(const std::string& class_name, LayerFactory factory) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.factories[class_name] = std::move(factory);
}

std::unique_ptr<Layer> from_config(const Json& layer_json) {
    ConfigReader reader(layer_json, "layer");
    const std::string class_name = reader.get_string("class_name", "");
    if (class_name.empty()) reader.fail("class_name", "is required");
    const Json* config = reader.take("config");
    // Written by newer tf.keras / Keras 3 next to class_name; nothing minidl needs.
    for (const char* extra :
         {"module", "registered_name", "build_config", "name", "inbound_nodes"}) {
        reader.ignore(extra);
    }
    reader.finish();
    LayerFactory factory;
    {
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        const auto it = r.factories.find(class_name);
        if (it == r.factories.end()) {
            std::string known;
            for (const auto& [name, unused] : r.factories)
                known += (known.empty() ? "" : ", ") + name;
            throw ValueError("layer: unknown class_name '" + class_name + "' (known: " + known +
                             ")");
        }
        factory = it->second;
    }
    return factory(config != nullptr ? *config : Json::object());
}

}  // namespace minidl::layers
