#include "minidl/layers/sequential.hpp"

#include "minidl/core/error.hpp"

namespace minidl {

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
    std::vector<int64_t> sizes = *shape;
    // The batch size does not shape any weight: build with one sample when it is open.
    if (!sizes.empty() && sizes[0] < 0) sizes[0] = 1;
    build(Shape(sizes));
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

}  // namespace minidl
