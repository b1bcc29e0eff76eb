// What BatchNormalization and LayerNormalization share: the learned scale gamma and offset beta
// (Keras's center and scale arguments), their config keys, and the epsilon check. `Options` is
// either layer's options struct: both have center, scale and beta_/gamma_ initializer,
// regularizer and constraint fields.
#pragma once

#include <string>

#include "minidl/core/parameter.hpp"
#include "minidl/layers/config.hpp"
#include "minidl/layers/config_fields.hpp"

namespace minidl::layers {

/// Throws ValueError naming `layer_name` unless `epsilon` is a finite number > 0.
void check_normalization_epsilon(double epsilon, const std::string& layer_name);

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
