// InputLayer: declares a model's input shape (keras.layers.InputLayer / keras.Input), so that a
// Sequential model is built, and summary() works, before it sees data.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minidl/layers/layer.hpp"

namespace minidl::layers {

struct InputLayerOptions {
    /// The shape of one sample, without the batch axis, e.g. {128, 1}; required. -1 (Keras's
    /// None) leaves a size open, e.g. {-1, 3} for sequences of any length: a model is then built
    /// at its first call.
    std::vector<int64_t> input_shape = {};
    /// A fixed batch size; none (Keras's None) accepts any.
    std::optional<int64_t> batch_size = std::nullopt;
    std::string name = {};
};

/// Passes its input through after checking it against the declared shape (ShapeError naming
/// the layer, the expected and the received shape).
class InputLayer : public Layer {
  public:
    /// ValueError for an empty input_shape, a size below 1 (other than -1) or a batch_size
    /// below 1.
    explicit InputLayer(const InputLayerOptions& options);

    std::string class_name() const override { return "InputLayer"; }
    Shape compute_output_shape(const Shape& input_shape) const override;
    /// batch_input_shape, dtype, sparse, ragged, name, as tf.keras 2.x writes them. from_config
    /// also reads Keras 3's batch_shape and newer versions' "optional" (false).
    Json config() const override;
    static std::unique_ptr<InputLayer> from_config(const Json& config);

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override { (void)input_shape; }
    void check_input(const Shape& input_shape) const override;
};

}  // namespace minidl::layers
