#include "minidl/layers/sequential.hpp"

#include <algorithm>
#include <iterator>

#include "minidl/core/error.hpp"
#include "minidl/layers/input_layer.hpp"
#include "minidl/layers/registry.hpp"

namespace minidl {
namespace {

/// `sizes` with the batch axis as a build can use it: an open batch (-1) builds with one sample;
/// nothing when another size is unknown (None), as no weight can be created before a call.
std::optional<Shape> buildable_shape(std::vector<int64_t> sizes) {
    if (sizes.empty()) return std::nullopt;
    if (sizes[0] < 0) sizes[0] = 1;
    for (const int64_t size : sizes) {
        if (size < 0) return std::nullopt;
    }
    return Shape(sizes);
}

/// A shape written by Keras (sizes and nulls, -1 for a null); ConfigError at `pointer` otherwise.
std::vector<int64_t> read_shape(const Json& value, const std::string& pointer) {
    if (!value.is_array() || value.empty()) {
        throw ConfigError(pointer,
                          "expected a shape (a list of sizes and nulls), got " + value.dump());
    }
    std::vector<int64_t> sizes;
    for (const Json& size : value) {
        if (size.is_null()) {
            sizes.push_back(-1);
        } else if (size.is_number_integer() && size.get<int64_t>() >= 0) {
            sizes.push_back(size.get<int64_t>());
        } else {
            throw ConfigError(pointer,
                              "expected a shape (a list of sizes and nulls), got " + value.dump());
        }
    }
    return sizes;
}

/// The keys a Sequential config object may have: tf.keras 2.x writes name, layers and
/// build_input_shape; Keras 3 adds trainable and dtype.
constexpr const char* kSequentialKeys[] = {"name", "layers", "build_input_shape", "trainable",
                                           "dtype"};

}  // namespace

Sequential::Sequential(std::vector<LayerRef> layers, std::string name)
    : Model("sequential", std::move(name)) {
    for (LayerRef& layer : layers) add(std::move(layer));
}

std::optional<std::vector<int64_t>> Sequential::input_shape() const {
    if (sublayers().empty()) return std::nullopt;
    return sublayers().front()->batch_input_shape();
}

void Sequential::add(LayerRef layer_ref) {
    const std::shared_ptr<Layer>& layer = layer_ref.get();
    if (!layer) throw ValueError(name() + ": cannot add a null layer");
    if (built_input_shape_) {
        // Keras builds a layer added to a built model at once; a layer that cannot take the
        // current output is rejected before it becomes part of the model.
        layer->build(compute_output_shape(*built_input_shape_));
    }
    track(layer);
    build_from_input_shape();
}

void Sequential::pop() {
    if (sublayers().empty()) throw ValueError(name() + ": there are no layers in the model");
    untrack(sublayers().size() - 1);
}

void Sequential::build_from_input_shape() {
    if (built()) return;
    const std::optional<std::vector<int64_t>> shape = input_shape();
    if (!shape) return;
    // The batch size does not shape any weight: build with one sample when it is open.
    if (const std::optional<Shape> buildable = buildable_shape(*shape)) build(*buildable);
}

void Sequential::create_weights(const Shape& input_shape) {
    Shape shape = input_shape;
    for (const auto& layer : sublayers()) {
        layer->build(shape);
        shape = layer->compute_output_shape(shape);
    }
    built_input_shape_ = input_shape;
}

Shape Sequential::compute_output_shape(const Shape& input_shape) const {
    Shape shape = input_shape;
    for (const auto& layer : sublayers()) shape = layer->compute_output_shape(shape);
    return shape;
}

Tensor Sequential::call(const Tensor& x, bool training) {
    Tensor y = x;
    for (const auto& layer : sublayers()) y = (*layer)(y, training);
    return y;
}

std::vector<std::optional<std::vector<int64_t>>> Sequential::layer_output_shapes() const {
    std::vector<std::optional<std::vector<int64_t>>> shapes;
    if (!built_input_shape_) return Model::layer_output_shapes();
    const std::optional<std::vector<int64_t>> declared = input_shape();
    const bool open_batch = !declared || declared->empty() || (*declared)[0] < 0;
    Shape shape = *built_input_shape_;
    for (const auto& layer : layers()) {
        shape = layer->compute_output_shape(shape);
        std::vector<int64_t> sizes = shape.to_vector();
        if (open_batch && !sizes.empty()) sizes[0] = -1;
        shapes.emplace_back(std::move(sizes));
    }
    return shapes;
}

Json Sequential::config() const {
    Json config = Json::object();
    config["name"] = name();
    // The batch size the layers' build_config shows: the declared one, or None.
    const std::optional<std::vector<int64_t>> declared = input_shape();
    const int64_t batch = declared && !declared->empty() ? (*declared)[0] : -1;
    std::optional<Shape> shape = built_input_shape_;
    Json entries = Json::array();
    for (const auto& layer : sublayers()) {
        std::optional<std::vector<int64_t>> build_shape;
        const bool input_layer = dynamic_cast<const layers::InputLayer*>(layer.get()) != nullptr;
        if (shape && !input_layer) {
            build_shape = shape->to_vector();
            if (!build_shape->empty()) (*build_shape)[0] = batch;
        }
        entries.push_back(layers::to_config_entry(*layer, build_shape));
        if (shape) shape = layer->compute_output_shape(*shape);
    }
    config["layers"] = std::move(entries);
    if (built_input_shape_ && !declared) {
        Json build_input_shape = Json::array({nullptr});
        for (int i = 1; i < built_input_shape_->rank(); ++i)
            build_input_shape.push_back((*built_input_shape_)[i]);
        config["build_input_shape"] = std::move(build_input_shape);
    }
    return config;
}

std::unique_ptr<Sequential> Sequential::from_config(const Json& config) {
    const Json* entries = &config;
    std::string entries_pointer;  // where the layer list is within `config`
    std::string name;
    bool trainable = true;
    std::optional<std::vector<int64_t>> build_input_shape;
    if (config.is_object()) {
        for (const auto& [key, value] : config.items()) {
            (void)value;
            if (std::find(std::begin(kSequentialKeys), std::end(kSequentialKeys), key) ==
                std::end(kSequentialKeys)) {
                throw ConfigError(json_pointer_token(key),
                                  "Sequential config: unknown key '" + key +
                                      "' (known: name, layers, build_input_shape, trainable, "
                                      "dtype)");
            }
        }
        try {
            // name, trainable and dtype are a layer's base keys.
            Json base = Json::object();
            for (const char* key : {"name", "trainable", "dtype"}) {
                if (config.contains(key)) base[key] = config[key];
            }
            ConfigReader reader(base, "Sequential config");
            const LayerBaseArguments arguments = read_layer_base_arguments(reader);
            name = arguments.name;
            trainable = arguments.trainable;
        } catch (const ValueError& error) {
            throw locate_config_error(error, config, "");
        }
        const auto layers = config.find("layers");
        if (layers == config.end()) {
            throw ConfigError("", "Sequential config: 'layers' is required (the list of layers)");
        }
        entries = &*layers;
        entries_pointer = "/layers";
        if (const auto shape = config.find("build_input_shape");
            shape != config.end() && !shape->is_null()) {
            build_input_shape = read_shape(*shape, "/build_input_shape");
        }
    } else if (!config.is_array()) {
        throw ConfigError("",
                          "Sequential config: expected a list of layers (Keras <= 2.1) or "
                          "{\"name\", \"layers\"}, got " +
                              config.dump());
    }
    if (!entries->is_array()) {
        throw ConfigError(
            entries_pointer,
            "Sequential config: 'layers' must be a list of layers, got " + entries->dump());
    }
    if (entries->empty()) {
        throw ConfigError(entries_pointer,
                          "Sequential config: there are no layers (a model needs at least one)");
    }

    auto model = std::make_unique<Sequential>(std::vector<LayerRef>{}, name);
    std::optional<std::vector<int64_t>> first_build_shape;
    for (std::size_t i = 0; i < entries->size(); ++i) {
        const Json& entry = (*entries)[i];
        const std::string pointer = entries_pointer + "/" + std::to_string(i);
        if (!entry.is_object()) {
            throw ConfigError(pointer,
                              "expected a layer {\"class_name\", \"config\"}, got " + entry.dump());
        }
        std::shared_ptr<Layer> layer;
        try {
            layer = layers::from_config(entry);
        } catch (const Error& error) {
            throw locate_config_error(error, entry, pointer);
        }
        if (i > 0 && dynamic_cast<const layers::InputLayer*>(layer.get())) {
            throw ConfigError(pointer + "/class_name",
                              "Sequential config: an InputLayer must be the first layer");
        }
        if (i == 0) {
            // tf.keras 2.13 writes the shape each layer was built for; the first one's is the
            // model's input shape when nothing else declares it.
            const auto build_config = entry.find("build_config");
            if (build_config != entry.end() && build_config->is_object()) {
                const auto shape = build_config->find("input_shape");
                if (shape != build_config->end() && !shape->is_null())
                    first_build_shape = read_shape(*shape, pointer + "/build_config/input_shape");
            }
        }
        for (const auto& added : model->sublayers()) {
            if (added->name() == layer->name()) {
                const auto layer_config = entry.find("config");
                const bool named = layer_config != entry.end() && layer_config->is_object() &&
                                   layer_config->contains("name");
                throw ConfigError(pointer + (named ? "/config/name" : ""),
                                  "Sequential config: a layer named '" + layer->name() +
                                      "' is already in the model (names must be unique within "
                                      "a model)");
            }
        }
        try {
            model->add(layer);
        } catch (const Error& error) {
            // A layer that cannot take the previous layer's output.
            throw ConfigError(pointer, error.what());
        }
    }
    if (!model->built()) {
        const std::optional<std::vector<int64_t>>& shape =
            build_input_shape ? build_input_shape : first_build_shape;
        if (shape) {
            try {
                if (const std::optional<Shape> buildable = buildable_shape(*shape))
                    model->build(*buildable);
            } catch (const Error& error) {
                throw ConfigError(build_input_shape
                                      ? "/build_input_shape"
                                      : entries_pointer + "/0/build_config/input_shape",
                                  error.what());
            }
        }
    }
    if (!trainable) model->set_trainable(false);
    return model;
}

}  // namespace minidl
