// MaxPooling1D and AveragePooling1D: Keras's windowed 1-D poolings (tf.keras.layers.MaxPooling1D,
// AveragePooling1D), and what they share (docs/layers/pooling.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "minidl/core/ops.hpp"
#include "minidl/layers/conv_utils.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// A layer's options as read from a config, with the config's batch_input_shape, if any.
template <class Options>
struct ConfiguredOptions {
    Options options;
    std::optional<std::vector<int64_t>> batch_input_shape;
};

/// Constructs an `L` from them (its constructor checks the options). Shared by the pooling and
/// resampling layers' from_config.
template <class L, class Options>
std::unique_ptr<L> make_configured(const ConfiguredOptions<Options>& read) {
    auto layer = std::make_unique<L>(read.options);
    if (read.batch_input_shape) layer->set_batch_input_shape(*read.batch_input_shape);
    return layer;
}

/// The arguments of both windowed poolings, in Keras's order and with Keras's defaults.
struct Pooling1DOptions {
    int64_t pool_size = 2;
    /// Steps between windows; nullopt means pool_size (Keras's strides=None).
    std::optional<int64_t> strides = std::nullopt;
    /// 'valid' or 'same'; 'causal' is a ValueError at construction.
    Choice<Padding> padding = Padding::Valid;
    Choice<DataFormat> data_format = DataFormat::ChannelsLast;
    bool trainable = true;
    std::string name = {};
};
using MaxPooling1DOptions = Pooling1DOptions;
using AveragePooling1DOptions = Pooling1DOptions;

/// The shared part of MaxPooling1D and AveragePooling1D: argument and input checks, TensorFlow's
/// window placement for 'valid' and 'same', the data format and the config. No weights.
class Pooling1D : public Layer {
  public:
    Shape compute_output_shape(const Shape& input_shape) const override;
    /// Base keys, then strides [s], pool_size [k], padding, data_format (tf.keras 2.x's order).
    Json config() const override;

    const Pooling1DOptions& options() const { return options_; }
    /// The steps between windows (pool_size when options().strides is unset).
    int64_t strides() const { return arguments_.strides; }

  protected:
    /// Throws ValueError naming the layer and the argument for any invalid one.
    Pooling1D(std::string_view prefix, const Pooling1DOptions& options);

    /// The pooling op on channels_last x [B, L, C].
    virtual Tensor pool(const Tensor& x, const Pool1DGeometry& geometry) const = 0;

    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& /*input_shape*/) override {}
    /// Rank 3, a non-empty channel axis and at least one output step.
    void check_input(const Shape& input_shape) const override;

    /// The options in a config written by tf.keras (every key it writes is accepted);
    /// `class_name` names the config in errors.
    static ConfiguredOptions<Pooling1DOptions> read_options(const Json& config,
                                                            const std::string& class_name);

  private:
    Conv1DInput inspect(const Shape& input_shape) const;

    Pooling1DOptions options_;
    Conv1DArguments arguments_;
};

/// The maximum over each window, per channel. The gradient goes to the first maximal element of
/// each window, as in TensorFlow.
class MaxPooling1D : public Pooling1D {
  public:
    explicit MaxPooling1D(const MaxPooling1DOptions& options = {});
    std::string class_name() const override { return "MaxPooling1D"; }
    static std::unique_ptr<MaxPooling1D> from_config(const Json& config);

  protected:
    Tensor pool(const Tensor& x, const Pool1DGeometry& geometry) const override;
};

/// The mean over each window, per channel; with 'same' padding the padded positions are not
/// counted (TensorFlow's AvgPool).
class AveragePooling1D : public Pooling1D {
  public:
    explicit AveragePooling1D(const AveragePooling1DOptions& options = {});
    std::string class_name() const override { return "AveragePooling1D"; }
    static std::unique_ptr<AveragePooling1D> from_config(const Json& config);

  protected:
    Tensor pool(const Tensor& x, const Pool1DGeometry& geometry) const override;
};

/// Reads `key` as a Padding or DataFormat name (`default_name` when absent or null), prefixing a
/// bad name's ValueError with the config's context. Shared by the pooling layers' from_config.
template <class Enum>
Enum read_choice(ConfigReader& reader, std::string_view key, const std::string& default_name) {
    const std::string name = reader.get_string(key, default_name);
    try {
        return Choice<Enum>(name);
    } catch (const ValueError& error) {
        throw ValueError(reader.context() + ": " + error.what());
    }
}

}  // namespace minidl::layers
