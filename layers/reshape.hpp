// Reshape: Keras's tf.keras.layers.Reshape, docs/layers/reshaping.md. Also the integer-list
// helpers it shares with Permute.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order; target_shape is required.
struct ReshapeOptions {
    /// The output shape without the batch axis; at most one size may be -1 (inferred).
    std::vector<int64_t> target_shape = {};
    bool trainable = true;
    std::string name = {};
};

/// [B, ...] -> [B, target_shape...], the values in the same row-major order (a view: nothing is
/// copied). No weights.
class Reshape : public Layer {
  public:
    /// Throws ValueError for more than one -1, a size below -1, or too many axes.
    explicit Reshape(const ReshapeOptions& options);

    /// Throws ShapeError naming the layer when the input's values per sample do not fit
    /// target_shape.
    Shape compute_output_shape(const Shape& input_shape) const override;
    std::string class_name() const override { return "Reshape"; }
    Json config() const override;
    /// Builds the layer from tf.keras's get_config ('target_shape' required).
    static std::unique_ptr<Reshape> from_config(const Json& config);

    const ReshapeOptions& options() const { return options_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override { (void)input_shape; }
    void check_input(const Shape& input_shape) const override;

  private:
    ReshapeOptions options_;
};

/// `values` as "[2, -1]", for messages (a Shape cannot hold -1).
std::string int_list_to_string(const std::vector<int64_t>& values);
/// A list of integers under `key` (Keras's tuple arguments, written as JSON lists); required.
std::vector<int64_t> read_int_list(ConfigReader& reader, std::string_view key);

}  // namespace minidl::layers
