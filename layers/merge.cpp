#include "minidl/layers/merge.hpp"

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"

namespace minidl::layers {
namespace {

/// `shape` without its first (batch) axis.
Shape without_batch(const Shape& shape) {
    Shape rest;
    for (int axis = 1; axis < shape.rank(); ++axis) rest.push_back(shape[axis]);
    return rest;
}

/// `x` viewed with size-1 axes after its batch axis up to `rank`: Keras's expand_dims(x, 1).
Tensor expanded_to_rank(const Tensor& x, int rank) {
    if (x.rank() == rank) return x;
    Shape shape{x.size(0)};
    for (int axis = x.rank(); axis < rank; ++axis) shape.push_back(1);
    for (int axis = 1; axis < x.rank(); ++axis) shape.push_back(x.size(axis));
    return x.reshape(shape);
}

}  // namespace

// ---- MergeLayer ----

MergeLayer::MergeLayer(std::string_view prefix, std::string name, bool trainable)
    : Layer(prefix, std::move(name), trainable) {}

Tensor MergeLayer::operator()(const std::vector<Tensor>& inputs, bool /*training*/) {
    std::vector<Shape> shapes;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].defined()) {
            throw ValueError(name() + ": input " + std::to_string(i) + " is an undefined tensor");
        }
        shapes.push_back(inputs[i].shape());
    }
    compute_output_shape(shapes);
    if (!built()) {
        // Layer::build() checks its one shape with check_input(), which otherwise rejects
        // single tensors; the list was checked above.
        building_from_list_ = true;
        build(shapes.front());
        building_from_list_ = false;
    }
    return merge(inputs);
}

Shape MergeLayer::compute_output_shape(const std::vector<Shape>& input_shapes) const {
    if (input_shapes.empty()) {
        throw ValueError(name() +
                         ": a merge layer should be called on a list of at least 1 input, "
                         "got 0 inputs");
    }
    return merged_shape(input_shapes);
}

Shape MergeLayer::compute_output_shape(const Shape& input_shape) const {
    reject_single_tensor(input_shape);
}

void MergeLayer::check_input(const Shape& input_shape) const {
    if (!building_from_list_) reject_single_tensor(input_shape);
}

Tensor MergeLayer::call(const Tensor& x, bool /*training*/) { reject_single_tensor(x.shape()); }

void MergeLayer::reject_single_tensor(const Shape& input_shape) const {
    throw ValueError(name() +
                     ": a merge layer should be called on a list of inputs, got a single "
                     "tensor of shape " +
                     input_shape.to_string());
}

std::string MergeLayer::shapes_to_string(const std::vector<Shape>& input_shapes) {
    std::string text;
    for (const Shape& shape : input_shapes) text += (text.empty() ? "" : ", ") + shape.to_string();
    return text;
}

// ---- Add ----

Add::Add(const AddOptions& options) : MergeLayer("add", options.name, options.trainable) {}

Shape Add::merged_shape(const std::vector<Shape>& input_shapes) const {
    const std::string received = "got shapes " + shapes_to_string(input_shapes);
    for (const Shape& shape : input_shapes) {
        if (shape.rank() < 1 || shape[0] != input_shapes.front()[0]) {
            throw ShapeError(name() +
                             ": cannot merge tensors with different batch sizes (or no batch "
                             "axis), " +
                             received);
        }
    }
    Shape merged = without_batch(input_shapes.front());
    for (const Shape& shape : input_shapes) {
        try {
            merged = broadcast_shapes(merged, without_batch(shape), "add");
        } catch (const ShapeError&) {
            throw ShapeError(name() + ": inputs have incompatible shapes, " + received);
        }
    }
    Shape output{input_shapes.front()[0]};
    for (int64_t size : merged) output.push_back(size);
    return output;
}

Tensor Add::merge(const std::vector<Tensor>& inputs) const {
    int rank = 0;
    for (const Tensor& x : inputs) rank = std::max(rank, x.rank());
    Tensor sum = expanded_to_rank(inputs.front(), rank);
    for (std::size_t i = 1; i < inputs.size(); ++i) sum = sum + expanded_to_rank(inputs[i], rank);
    return sum;
}

std::unique_ptr<Add> Add::from_config(const Json& config) {
    ConfigReader reader(config, "Add config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    reader.finish();
    auto layer = std::make_unique<Add>(AddOptions{.trainable = base.trainable, .name = base.name});
    if (base.batch_input_shape) layer->set_batch_input_shape(*base.batch_input_shape);
    return layer;
}

// ---- Concatenate ----

Concatenate::Concatenate(int64_t axis) : Concatenate(ConcatenateOptions{.axis = axis}) {}

Concatenate::Concatenate(const ConcatenateOptions& options)
    : MergeLayer("concatenate", options.name, options.trainable), options_(options) {}

int Concatenate::normalized_axis(int rank) const {
    if (options_.axis < -rank || options_.axis >= rank) {
        throw IndexError(name() + ": axis " + std::to_string(options_.axis) +
                         " is out of range for inputs of rank " + std::to_string(rank));
    }
    return static_cast<int>(options_.axis < 0 ? options_.axis + rank : options_.axis);
}

Shape Concatenate::merged_shape(const std::vector<Shape>& input_shapes) const {
    const Shape& first = input_shapes.front();
    const int axis = normalized_axis(first.rank());
    Shape output = first;
    output[axis] = 0;
    for (const Shape& shape : input_shapes) {
        bool matching = shape.rank() == first.rank();
        for (int i = 0; matching && i < first.rank(); ++i)
            matching = i == axis || shape[i] == first[i];
        if (!matching) {
            throw ShapeError(name() +
                             ": a Concatenate layer requires inputs with matching shapes except "
                             "for the concatenation axis (axis=" +
                             std::to_string(options_.axis) + "), got shapes " +
                             shapes_to_string(input_shapes));
        }
        output[axis] += shape[axis];
    }
    return output;
}

Tensor Concatenate::merge(const std::vector<Tensor>& inputs) const {
    return concat(inputs, normalized_axis(inputs.front().rank()));
}

Json Concatenate::config() const {
    Json config = Layer::config();
    config["axis"] = options_.axis;
    return config;
}

std::unique_ptr<Concatenate> Concatenate::from_config(const Json& config) {
    ConfigReader reader(config, "Concatenate config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    ConcatenateOptions options{
        .axis = reader.get_int("axis", -1), .trainable = base.trainable, .name = base.name};
    reader.finish();
    auto layer = std::make_unique<Concatenate>(options);
    if (base.batch_input_shape) layer->set_batch_input_shape(*base.batch_input_shape);
    return layer;
}

}  // namespace minidl::layers
