#include "minidl/layers/model.hpp"

#include "minidl/core/autograd.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/layers/input_layer.hpp"

namespace minidl {

Model::Model(std::string name) : Model("model", std::move(name)) {}

Model::Model(std::string_view prefix, std::string name) : Layer(prefix, std::move(name), true) {}

Shape Model::compute_output_shape(const Shape& input_shape) const {
    NoGradGuard no_grad;
    // Keras builds a subclassed model the same way: by calling it.
    return const_cast<Model&>(*this)(zeros(input_shape), false).shape();
}

Json Model::config() const {
    throw ValueError(name() + " (" + class_name() +
                     "): a subclassed Model has no config; override config() and register a "
                     "factory with layers::register_layer to save its architecture");
}

std::vector<std::shared_ptr<Layer>> Model::layers() const {
    std::vector<std::shared_ptr<Layer>> result;
    for (const auto& layer : sublayers()) {
        if (!dynamic_cast<const layers::InputLayer*>(layer.get())) result.push_back(layer);
    }
    return result;
}

std::vector<std::optional<std::vector<int64_t>>> Model::layer_output_shapes() const {
    return std::vector<std::optional<std::vector<int64_t>>>(layers().size());
}

std::shared_ptr<Layer> Model::get_layer(const std::string& name) const {
    std::string known;
    for (const auto& layer : sublayers()) {
        if (layer->name() == name) return layer;
        known += (known.empty() ? "" : ", ") + layer->name();
    }
    throw ValueError(this->name() + ": no layer named '" + name + "' (layers: " + known + ")");
}

}  // namespace minidl
