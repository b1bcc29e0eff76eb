// GlobalAveragePooling1D and GlobalMaxPooling1D: Keras's poolings over all steps
// (tf.keras.layers.GlobalAveragePooling1D, GlobalMaxPooling1D; docs/layers/pooling.md).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "minidl/layers/conv_utils.hpp"
#include "minidl/layers/layer.hpp"
#include "minidl/layers/pooling1d.hpp"

namespace minidl::layers {

/// The arguments of both global poolings, in Keras's order and with Keras's defaults.
struct GlobalPooling1DOptions {
    Choice<DataFormat> data_format = DataFormat::ChannelsLast;
    /// Keep the step axis with size 1: [B, 1, C] (channels_last) or [B, C, 1].
    bool keepdims = false;
    bool trainable = true;
    std::string name = {};
};
using GlobalAveragePooling1DOptions = GlobalPooling1DOptions;
using GlobalMaxPooling1DOptions = GlobalPooling1DOptions;

/// The shared part: input checks, the data format, keepdims and the config. No weights.
/// Input [B, L, C] (channels_last) or [B, C, L]; output [B, C], or with keepdims [B, 1, C] /
/// [B, C, 1].
class GlobalPooling1D : public Layer {
  public:
    Shape compute_output_shape(const Shape& input_shape) const override;
    /// Base keys, then data_format, keepdims (tf.keras 2.x's order).
    Json config() const override;

    const GlobalPooling1DOptions& options() const { return options_; }

  protected:
    GlobalPooling1D(std::string_view prefix, const GlobalPooling1DOptions& options);

    /// The pooling op: [B, L, C] -> [B, C].
    virtual Tensor pool(const Tensor& x) const = 0;

    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& /*input_shape*/) override {}
    /// Rank 3 with at least one step (ShapeError naming the layer).
    void check_input(const Shape& input_shape) const override;

    /// The options in a config written by tf.keras (every key it writes is accepted);
    /// `class_name` names the config in errors.
    static ConfiguredOptions<GlobalPooling1DOptions> read_options(const Json& config,
                                                                  const std::string& class_name);

  private:
    GlobalPooling1DOptions options_;
};

/// The mean over the steps, per channel (one graph node: global_avg_pool1d).
class GlobalAveragePooling1D : public GlobalPooling1D {
  public:
    explicit GlobalAveragePooling1D(const GlobalAveragePooling1DOptions& options = {});
    std::string class_name() const override { return "GlobalAveragePooling1D"; }
    static std::unique_ptr<GlobalAveragePooling1D> from_config(const Json& config);

  protected:
    Tensor pool(const Tensor& x) const override;
};

/// The maximum over the steps, per channel; tied maxima share the gradient equally, as
/// TensorFlow's reduce_max does.
class GlobalMaxPooling1D : public GlobalPooling1D {
  public:
    explicit GlobalMaxPooling1D(const GlobalMaxPooling1DOptions& options = {});
    std::string class_name() const override { return "GlobalMaxPooling1D"; }
    static std::unique_ptr<GlobalMaxPooling1D> from_config(const Json& config);

  protected:
    Tensor pool(const Tensor& x) const override;
};

}  // namespace minidl::layers
