#include "minidl/layers/embedding.hpp"

#include <string_view>

#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/layers/config_fields.hpp"

namespace minidl::layers {

Embedding::Embedding(const EmbeddingOptions& options)
    : Layer("embedding", options.name, options.trainable), options_(options) {
    require_positive_argument(options_.input_dim, "input_dim", name());
    require_positive_argument(options_.output_dim, "output_dim", name());
    if (options_.input_length)
        require_positive_argument(*options_.input_length, "input_length", name());
    if (options_.mask_zero) {
        throw ValueError(name() + ": 'mask_zero' = true is not supported (minidl has no masks)");
    }
    set_activity_regularizer(options_.activity_regularizer);
    set_batch_input_shape({-1, options_.input_length.value_or(-1)});
}

void Embedding::check_input(const Shape& input_shape) const {
    if (!options_.input_length) return;
    if (input_shape.rank() != 2 || input_shape[1] != *options_.input_length) {
        throw ShapeError(name() + ": expected inputs of shape (batch, input_length=" +
                         std::to_string(*options_.input_length) + "), got shape " +
                         input_shape.to_string());
    }
}

Shape Embedding::compute_output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    Shape output_shape = input_shape;
    output_shape.push_back(options_.output_dim);
    return output_shape;
}

void Embedding::create_weights(const Shape& /*input_shape*/) {
    embeddings_ = add_weight("embeddings", {options_.input_dim, options_.output_dim},
                             options_.embeddings_initializer, options_.embeddings_regularizer,
                             options_.embeddings_constraint);
}

Tensor Embedding::call(const Tensor& x, bool /*training*/) {
    try {
        return embedding(embeddings_, x);
    } catch (const IndexError& error) {
        // The op's message starts with its own name; the layer's name is what users know.
        constexpr std::string_view op_prefix = "embedding: ";
        std::string_view detail = error.what();
        if (detail.starts_with(op_prefix)) detail.remove_prefix(op_prefix.size());
        throw IndexError(name() + ": input " + std::string(detail) +
                         " (input_dim=" + std::to_string(options_.input_dim) + ")");
    }
}

Json Embedding::config() const {
    Json config = Layer::config();
    config["input_dim"] = options_.input_dim;
    config["output_dim"] = options_.output_dim;
    config["embeddings_initializer"] = options_.embeddings_initializer.to_json();
    config["embeddings_regularizer"] = options_.embeddings_regularizer.to_json();
    config["activity_regularizer"] = options_.activity_regularizer.to_json();
    config["embeddings_constraint"] = options_.embeddings_constraint.to_json();
    config["mask_zero"] = options_.mask_zero;
    config["input_length"] = options_.input_length ? Json(*options_.input_length) : Json();
    return config;
}

std::unique_ptr<Embedding> Embedding::from_config(const Json& config) {
    ConfigReader reader(config, "Embedding config");
    const LayerBaseArguments base = read_layer_base_arguments(reader);
    EmbeddingOptions options{.trainable = base.trainable, .name = base.name};
    options.input_dim = reader.require_int("input_dim");
    options.output_dim = reader.require_int("output_dim");
    options.embeddings_initializer = read_initializer(reader, "embeddings_initializer", "uniform");
    options.embeddings_regularizer = read_regularizer(reader, "embeddings_regularizer");
    options.activity_regularizer = read_regularizer(reader, "activity_regularizer");
    options.embeddings_constraint = read_constraint(reader, "embeddings_constraint");
    options.mask_zero = reader.get_bool("mask_zero", false);
    if (reader.take("input_length") != nullptr)
        options.input_length = reader.get_int("input_length", 0);
    // Newer tf.keras 2.x has a `sparse` argument (tf.SparseTensor inputs); only false applies.
    if (reader.get_bool("sparse", false)) reader.fail("sparse", "is not supported by minidl");
    reader.finish();
    auto layer = std::make_unique<Embedding>(options);
    if (base.batch_input_shape) layer->set_batch_input_shape(*base.batch_input_shape);
    return layer;
}

}  // namespace minidl::layers
