#include "minidl/layers/dense.hpp"

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/config_fields.hpp"
#include "minidl/layers/from_config_support.hpp"

namespace minidl::layers {

Dense::Dense(const DenseOptions& options)
    : Layer("dense", options.name, options.trainable), options_(options) {
    require_positive_argument(options_.units, "units", name());
    set_activity_regularizer(options_.activity_regularizer);
}

void Dense::check_input(const Shape& input_shape) const {
    if (input_shape.rank() < 2) {
        throw ShapeError(name() + ": expected an input of rank >= 2 (batch, ..., features), got " +
                         "shape " + input_shape.to_string());
    }
    if (kernel_.defined() && input_shape.back() != kernel_.size(0)) {
        throw ShapeError(name() + ": the layer was built for inputs with " +
                         std::to_string(kernel_.size(0)) + " features (last axis) but got " +
                         "an input of shape " + input_shape.to_string());
    }
}

namespace {

/// `input_shape` with `units` features on the last axis.
Shape with_features(const Shape& input_shape, int64_t units) {
    Shape output = input_shape;
    output[output.rank() - 1] = units;
    return output;
}

}  // namespace

Shape Dense::compute_output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    return with_features(input_shape, options_.units);
}

void Dense::create_weights(const Shape& input_shape) {
    // The members are set only once every weight exists, so a failed build leaves none behind.
    Parameter kernel =
        add_weight("kernel", {input_shape.back(), options_.units}, options_.kernel_initializer,
                   options_.kernel_regularizer, options_.kernel_constraint);
    Parameter bias = options_.use_bias
                         ? add_weight("bias", {options_.units}, options_.bias_initializer,
                                      options_.bias_regularizer, options_.bias_constraint)
                         : Parameter();
    kernel_ = std::move(kernel);
    bias_ = std::move(bias);
}

Tensor Dense::call(const Tensor& x, bool /*training*/) {
    const Shape& shape = x.shape();
    // Every leading axis is a row of one product: [rows, C] x [C, units], a view, no copy.
    int64_t rows = 1;
    for (int axis = 0; axis + 1 < shape.rank(); ++axis) rows *= shape[axis];
    Tensor y = matmul(x.rank() == 2 ? x : x.reshape(Shape{rows, shape.back()}), kernel_);
    if (bias_.defined()) y = add(y, bias_);
    if (x.rank() != 2) y = y.reshape(with_features(shape, options_.units));
    return options_.activation.is_linear() ? y : options_.activation(y);
}

Json Dense::config() const {
    Json config = Layer::config();
    config["units"] = options_.units;
    config["activation"] = options_.activation.to_json();
    config["use_bias"] = options_.use_bias;
    config["kernel_initializer"] = options_.kernel_initializer.to_json();
    config["bias_initializer"] = options_.bias_initializer.to_json();
    config["kernel_regularizer"] = options_.kernel_regularizer.to_json();
    config["bias_regularizer"] = options_.bias_regularizer.to_json();
    config["activity_regularizer"] = options_.activity_regularizer.to_json();
    config["kernel_constraint"] = options_.kernel_constraint.to_json();
    config["bias_constraint"] = options_.bias_constraint.to_json();
    return config;
}

std::unique_ptr<Dense> Dense::from_config(const Json& config) {
    ConfigReader reader(config, "Dense config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    DenseOptions options;
    options.units = reader.require_int("units");
    options.activation = read_activation(reader, "activation");
    options.use_bias = reader.get_bool("use_bias", true);
    options.kernel_initializer = read_initializer(reader, "kernel_initializer", "glorot_uniform");
    options.bias_initializer = read_initializer(reader, "bias_initializer", "zeros");
    options.kernel_regularizer = read_regularizer(reader, "kernel_regularizer");
    options.bias_regularizer = read_regularizer(reader, "bias_regularizer");
    options.activity_regularizer = read_regularizer(reader, "activity_regularizer");
    options.kernel_constraint = read_constraint(reader, "kernel_constraint");
    options.bias_constraint = read_constraint(reader, "bias_constraint");
    return finish_from_config<Dense>(reader, base, options);
}

}  // namespace minidl::layers
