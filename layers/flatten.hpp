// Flatten: Keras's tf.keras.layers.Flatten, docs/layers/reshaping.md.
#pragma once

#include <memory>
#include <string>

#include "minidl/layers/conv_utils.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order and with Keras's defaults (Keras's None data_format is
/// channels_last).
struct FlattenOptions {
    Choice<DataFormat> data_format = DataFormat::ChannelsLast;
    bool trainable = true;
    std::string name = {};
};

/// [B, d1, ..., dn] -> [B, d1·...·dn]; a rank-1 input [B] gives [B, 1]. With channels_first the
/// channel axis (axis 1) is moved last before flattening, as Keras does, so the order of the
/// values matches a channels_last model's. No weights.
class Flatten : public Layer {
  public:
    explicit Flatten(const FlattenOptions& options = {});

    Shape compute_output_shape(const Shape& input_shape) const override;
    std::string class_name() const override { return "Flatten"; }
    Json config() const override;
    /// Builds the layer from tf.keras's get_config.
    static std::unique_ptr<Flatten> from_config(const Json& config);

    const FlattenOptions& options() const { return options_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override { (void)input_shape; }
    /// Rank >= 1 (the batch axis).
    void check_input(const Shape& input_shape) const override;

  private:
    FlattenOptions options_;
};

}  // namespace minidl::layers
