// Permute: Keras's tf.keras.layers.Permute, docs/layers/reshaping.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order; dims is required.
struct PermuteOptions {
    /// A permutation of 1..n (1-based, the batch axis excluded): output axis i is input axis
    /// dims[i - 1].
    std::vector<int64_t> dims = {};
    bool trainable = true;
    std::string name = {};
};

/// Reorders the non-batch axes of a rank n + 1 input (copies the values). No weights.
class Permute : public Layer {
  public:
    /// Throws ValueError when dims is not a permutation of 1..n (or n is above the rank limit).
    explicit Permute(const PermuteOptions& options);

    Shape compute_output_shape(const Shape& input_shape) const override;
    std::string class_name() const override { return "Permute"; }
    Json config() const override;
    /// Builds the layer from tf.keras's get_config ('dims' required).
    static std::unique_ptr<Permute> from_config(const Json& config);

    const PermuteOptions& options() const { return options_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override { (void)input_shape; }
    /// Rank n + 1.
    void check_input(const Shape& input_shape) const override;

  private:
    PermuteOptions options_;
};

}  // namespace minidl::layers
