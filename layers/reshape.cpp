#include "minidl/layers/reshape.hpp"

#include <algorithm>

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/from_config_support.hpp"

namespace minidl::layers {

std::string int_list_to_string(const std::vector<int64_t>& values) {
    std::string text = "[";
    for (std::size_t i = 0; i < values.size(); ++i)
        text += (i == 0 ? "" : ", ") + std::to_string(values[i]);
    return text + "]";
}

std::vector<int64_t> read_int_list(ConfigReader& reader, std::string_view key) {
    const Json* value = reader.take(key);
    if (value == nullptr) reader.fail(key, "is required");
    const bool integers =
        value->is_array() && std::all_of(value->begin(), value->end(),
                                         [](const Json& item) { return item.is_number_integer(); });
    if (!integers) reader.fail(key, "must be a list of integers, got " + value->dump());
    return value->get<std::vector<int64_t>>();
}

Reshape::Reshape(const ReshapeOptions& options)
    : Layer("reshape", options.name, options.trainable), options_(options) {
    const std::vector<int64_t>& target = options_.target_shape;
    const std::string received = "got target_shape " + int_list_to_string(target);
    if (std::count(target.begin(), target.end(), -1) > 1) {
        throw ValueError(name() + ": 'target_shape' may have at most one unknown (-1) size, " +
                         received);
    }
    if (std::any_of(target.begin(), target.end(), [](int64_t size) { return size < -1; })) {
        throw ValueError(name() + ": 'target_shape' sizes must be >= 0 or -1, " + received);
    }
    if (static_cast<int64_t>(target.size()) + 1 > Shape::kMaxRank) {
        throw ValueError(name() + ": 'target_shape' may have at most " +
                         std::to_string(Shape::kMaxRank - 1) + " sizes (plus the batch axis), " +
                         received);
    }
}

void Reshape::check_input(const Shape& input_shape) const { compute_output_shape(input_shape); }

Shape Reshape::compute_output_shape(const Shape& input_shape) const {
    if (input_shape.rank() < 1) {
        throw ShapeError(name() + ": expected an input with a batch axis (rank >= 1), got shape " +
                         input_shape.to_string());
    }
    int64_t values = 1;
    for (int axis = 1; axis < input_shape.rank(); ++axis) values *= input_shape[axis];
    int64_t known = 1;
    for (int64_t size : options_.target_shape) known *= size == -1 ? 1 : size;
    const bool inferred =
        std::count(options_.target_shape.begin(), options_.target_shape.end(), -1) == 1;
    if (inferred ? known == 0 || values % known != 0 : values != known) {
        throw ShapeError(name() + ": cannot reshape an input of shape " + input_shape.to_string() +
                         " (" + std::to_string(values) + " values per sample) to target_shape " +
                         int_list_to_string(options_.target_shape) +
                         ": the total size must be unchanged");
    }
    Shape output{input_shape[0]};
    for (int64_t size : options_.target_shape) output.push_back(size == -1 ? values / known : size);
    return output;
}

Tensor Reshape::call(const Tensor& x, bool /*training*/) {
    return x.reshape(compute_output_shape(x.shape()));
}

Json Reshape::config() const {
    Json config = Layer::config();
    config["target_shape"] = options_.target_shape;
    return config;
}

std::unique_ptr<Reshape> Reshape::from_config(const Json& config) {
    ConfigReader reader(config, "Reshape config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    const ReshapeOptions options{.target_shape = read_int_list(reader, "target_shape")};
    return finish_from_config<Reshape>(reader, base, options);
}

}  // namespace minidl::layers
