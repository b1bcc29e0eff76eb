// Embedding: tf.keras's lookup table from integer indices to learned vectors
// (docs/layers/embedding.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order and with Keras's defaults; input_dim and output_dim are
/// required.
struct EmbeddingOptions {
    /// Vocabulary size: indices lie in [0, input_dim).
    int64_t input_dim = 0;
    /// Length of each embedding vector.
    int64_t output_dim = 0;
    /// "uniform" is Keras's RandomUniform(-0.05, 0.05).
    initializers::Initializer embeddings_initializer = "uniform";
    regularizers::Regularizer embeddings_regularizer = {};
    regularizers::Regularizer activity_regularizer = {};
    constraints::Constraint embeddings_constraint = {};
    /// Must be false: minidl has no masks (true is a ValueError).
    bool mask_zero = false;
    /// The fixed sequence length of inputs (batch, input_length), if any.
    std::optional<int64_t> input_length = std::nullopt;
    bool trainable = true;
    std::string name = {};
};

/// y[..., :] = embeddings[x[...], :]: indices x (float values that are integers) of any shape
/// give x.shape + [output_dim]. Weight: embeddings (input_dim, output_dim).
class Embedding : public Layer {
  public:
    /// Throws ValueError for input_dim or output_dim < 1, input_length < 1, or mask_zero.
    /// Sets batch_input_shape to (None, input_length), as tf.keras 2.x does.
    explicit Embedding(const EmbeddingOptions& options);

    Shape compute_output_shape(const Shape& input_shape) const override;
    std::string class_name() const override { return "Embedding"; }
    /// Base keys (with batch_input_shape), then input_dim, output_dim, embeddings_initializer,
    /// embeddings_regularizer, activity_regularizer, embeddings_constraint, mask_zero,
    /// input_length.
    Json config() const override;
    static std::unique_ptr<Embedding> from_config(const Json& config);

    const EmbeddingOptions& options() const { return options_; }
    /// The table once built (undefined before).
    const Parameter& embeddings() const { return embeddings_; }

  protected:
    /// A non-integral or out-of-range index is an IndexError naming the layer, the value and
    /// the range.
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override;
    /// With input_length, inputs must be (batch, input_length); ShapeError otherwise.
    void check_input(const Shape& input_shape) const override;

  private:
    EmbeddingOptions options_;
    Parameter embeddings_;
};

}  // namespace minidl::layers
