#include "minidl/layers/input_layer.hpp"

#include "minidl/core/error.hpp"

namespace minidl::layers {
namespace {

std::vector<int64_t> batch_input_shape_of(const InputLayerOptions& options) {
    std::vector<int64_t> shape{options.batch_size.value_or(-1)};
    shape.insert(shape.end(), options.input_shape.begin(), options.input_shape.end());
    return shape;
}

std::string shape_text(const std::vector<int64_t>& sizes) {
    std::string text = "[";
    for (std::size_t i = 0; i < sizes.size(); ++i)
        text += (i ? ", " : "") + (sizes[i] < 0 ? std::string("None") : std::to_string(sizes[i]));
    return text + "]";
}

// Keras numbers input layers from 1 ("input_1", "input_2"), unlike other layers.
std::string input_layer_name(const std::string& given) {
    if (!given.empty()) return given;
    const std::string zero_based = unique_layer_name("input");
    if (zero_based == "input") return "input_1";
    return "input_" + std::to_string(std::stoll(zero_based.substr(6)) + 1);
}

}  // namespace

InputLayer::InputLayer(const InputLayerOptions& options)
    : Layer("input", input_layer_name(options.name), true) {
    if (options.input_shape.empty())
        throw ValueError(name() + ": 'input_shape' is required (the shape of one sample)");
    for (int64_t size : options.input_shape) {
        if (size != -1) require_positive_argument(size, "input_shape", name());
    }
    if (options.batch_size) require_positive_argument(*options.batch_size, "batch_size", name());
    set_batch_input_shape(batch_input_shape_of(options));
}

void InputLayer::check_input(const Shape& input_shape) const {
    const std::vector<int64_t>& expected = *batch_input_shape();
    bool fits = input_shape.rank() == static_cast<int>(expected.size());
    for (int i = 0; fits && i < input_shape.rank(); ++i)
        fits = expected[i] < 0 || expected[i] == input_shape[i];
    if (!fits) {
        throw ShapeError(name() + ": expected input of shape " + shape_text(expected) + ", got " +
                         input_shape.to_string());
    }
}

Shape InputLayer::compute_output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    return input_shape;
}

Tensor InputLayer::call(const Tensor& x, bool /*training*/) { return x; }

Json InputLayer::config() const {
    Json config = Json::object();
    const Json base = Layer::config();
    config["batch_input_shape"] = base["batch_input_shape"];
    config["dtype"] = base["dtype"];
    config["sparse"] = false;
    config["ragged"] = false;
    config["name"] = name();
    return config;
}

std::unique_ptr<InputLayer> InputLayer::from_config(const Json& config) {
    // Keras 3 names the shape batch_shape.
    Json renamed = config;
    if (renamed.is_object() && renamed.contains("batch_shape") &&
        !renamed.contains("batch_input_shape")) {
        renamed["batch_input_shape"] = renamed["batch_shape"];
        renamed.erase("batch_shape");
    }
    ConfigReader reader(renamed, "InputLayer config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    for (const char* flag : {"sparse", "ragged", "optional"}) {
        if (reader.get_bool(flag, false)) reader.fail(flag, "is not supported (must be false)");
    }
    reader.finish();
    if (!base.batch_input_shape || base.batch_input_shape->size() < 2)
        reader.fail("batch_input_shape", "is required, with a batch axis and a sample shape");
    InputLayerOptions options;
    options.name = base.name;
    const std::vector<int64_t>& shape = *base.batch_input_shape;
    if (shape[0] >= 0) options.batch_size = shape[0];
    options.input_shape.assign(shape.begin() + 1, shape.end());
    try {
        return std::make_unique<InputLayer>(options);
    } catch (const ValueError& error) {
        reader.fail("batch_input_shape", std::string("is not a valid shape: ") + error.what());
    }
}

}  // namespace minidl::layers
