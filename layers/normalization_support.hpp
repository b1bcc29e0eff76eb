// What the normalization layers share: resolving their axis arguments against an input and
// checking later inputs against the built shape (all three or two of them), reading an axis
// list from a config (LayerNormalization and Normalization) and, for BatchNormalization and
// LayerNormalization, the learned scale gamma and offset beta (Keras's center and scale
// arguments), their config keys and the epsilon check. `Options` is either of those two layers'
// options struct: both have center, scale and beta_/gamma_ initializer, regularizer and
// constraint fields.
#pragma once

#include <functional>
#include <string>

#include "minidl/core/ops.hpp"
#include "minidl/core/parameter.hpp"
#include "minidl/layers/config.hpp"
#include "minidl/layers/config_fields.hpp"

namespace minidl::layers {

/// Throws ValueError naming `layer_name` unless `epsilon` is a finite number > 0.
void check_normalization_epsilon(double epsilon, const std::string& layer_name);

/// Whether `axes` names an axis twice (in any order).
bool has_repeated_axes(Axes axes);

/// `axes` as 0..rank-1 for an input of `input_shape`, in the given order. ShapeError for one out
/// of range or named twice; its message starts with `describe()`, which each layer words in its
/// own way (e.g. "ln: axis [1, 3]"), so that it is only built for the error.
Axes resolve_normalization_axes(const Axes& axes, const Shape& input_shape,
                                const std::function<std::string()>& describe);

/// The sizes of `shape` along `axes` (resolved), in `axes` order: the shape of the statistics
/// or weights a layer keeps per index of those axes.
Shape sizes_along(const Shape& shape, const Axes& axes);

/// Whether a built layer takes `shape`: `built_shape`'s rank and its sizes along `axes`
/// (resolved); the other axes are free.
bool fits_built_shape(const Shape& shape, const Shape& built_shape, const Axes& axes);

/// What an explicit "axis": null means in a config: LayerNormalization has no None, so null
/// reads as absent (the default {-1}); Normalization's None keeps no axis at all ({}).
enum class NullAxis { Default, None };

/// Reads "axis" from `reader`: absent is {-1}, else an int or a list of ints, or null as
/// `null_axis` says; ValueError otherwise.
Axes read_normalization_axes(ConfigReader& reader, NullAxis null_axis);

/// gamma (when `scale`) and beta (when `center`); undefined when off.
struct GammaBeta {
    Parameter gamma;
    Parameter beta;
};

/// Creates gamma then beta, as Keras does, of `shape`, through `add_weight` (the layer's
/// Layer::add_weight, which a free function cannot reach).
template <class Options, class AddWeight>
GammaBeta add_gamma_beta(const Options& options, const Shape& shape, const AddWeight& add_weight) {
    GammaBeta weights;
    if (options.scale) {
        weights.gamma = add_weight("gamma", shape, options.gamma_initializer,
                                   options.gamma_regularizer, options.gamma_constraint);
    }
    if (options.center) {
        weights.beta = add_weight("beta", shape, options.beta_initializer, options.beta_regularizer,
                                  options.beta_constraint);
    }
    return weights;
}

/// Writes center, scale, beta_initializer, gamma_initializer, the entries of `more_initializers`
/// (BatchNormalization's moving statistics'), then the beta/gamma regularizers and constraints:
/// tf.keras 2.x's order.
template <class Options>
void write_gamma_beta_config(Json& config, const Options& options,
                             const Json& more_initializers = Json::object()) {
    config["center"] = options.center;
    config["scale"] = options.scale;
    config["beta_initializer"] = options.beta_initializer.to_json();
    config["gamma_initializer"] = options.gamma_initializer.to_json();
    for (const auto& [key, value] : more_initializers.items()) config[key] = value;
    config["beta_regularizer"] = options.beta_regularizer.to_json();
    config["gamma_regularizer"] = options.gamma_regularizer.to_json();
    config["beta_constraint"] = options.beta_constraint.to_json();
    config["gamma_constraint"] = options.gamma_constraint.to_json();
}

/// Reads the keys write_gamma_beta_config writes (but `more_initializers`) into `options`, with
/// tf.keras 2.x's defaults for absent ones.
template <class Options>
void read_gamma_beta_config(ConfigReader& reader, Options& options) {
    options.center = reader.get_bool("center", true);
    options.scale = reader.get_bool("scale", true);
    options.beta_initializer = read_initializer(reader, "beta_initializer", "zeros");
    options.gamma_initializer = read_initializer(reader, "gamma_initializer", "ones");
    options.beta_regularizer = read_regularizer(reader, "beta_regularizer");
    options.gamma_regularizer = read_regularizer(reader, "gamma_regularizer");
    options.beta_constraint = read_constraint(reader, "beta_constraint");
    options.gamma_constraint = read_constraint(reader, "gamma_constraint");
}

}  // namespace minidl::layers
