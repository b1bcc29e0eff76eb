// Dropout and SpatialDropout1D: tf.keras's inverted dropout, active only when called with
// training = true (docs/layers/dropout.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "minidl/core/generator.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// Where a random layer draws from: its own generator when it has a seed (so two layers with
/// the same seed draw the same sequence of masks, call after call), else default_generator().
/// Draws are sequential, so the values do not depend on the thread count.
class LayerRandomSource {
  public:
    explicit LayerRandomSource(std::optional<uint64_t> seed);
    Generator& generator();

  private:
    std::optional<Generator> own_;
};

/// Reads a random layer's "seed": null (absent) or a non-negative integer.
std::optional<uint64_t> read_layer_seed(ConfigReader& reader);
/// The seed as tf.keras writes it: an integer or null.
Json layer_seed_to_json(const std::optional<uint64_t>& seed);

/// Dropout's arguments, in Keras's order. Keras requires `rate`; 0 drops nothing.
struct DropoutOptions {
    /// Fraction of the inputs to drop, in [0, 1).
    double rate = 0.0;
    /// The mask's shape, one size per input axis; -1 (Keras's None) takes the input's size. A
    /// size of 1 shares the mask along that axis. Absent: the input's shape.
    std::optional<std::vector<int64_t>> noise_shape = std::nullopt;
    std::optional<uint64_t> seed = std::nullopt;
    bool trainable = true;
    std::string name = {};
};

/// y = x * mask / (1 - rate) in training, where mask is 0 with probability `rate` (drawn per
/// element of the noise shape and broadcast over the input); y = x otherwise. No weights.
class Dropout : public Layer {
  public:
    /// Throws ValueError for a rate outside [0, 1) or a noise_shape size that is not -1 or >= 1.
    explicit Dropout(const DropoutOptions& options);

    Shape compute_output_shape(const Shape& input_shape) const override;
    std::string class_name() const override { return "Dropout"; }
    /// Base keys, then rate, noise_shape (null, or sizes with null for -1), seed.
    Json config() const override;
    static std::unique_ptr<Dropout> from_config(const Json& config);

    const DropoutOptions& options() const { return options_; }

  protected:
    /// For layers that fix the noise shape themselves (SpatialDropout1D).
    Dropout(std::string_view prefix, const DropoutOptions& options);

    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& /*input_shape*/) override {}
    /// Checks that noise_shape has the input's rank and sizes of 1 or the input's.
    void check_input(const Shape& input_shape) const override;
    /// The mask's shape for an input of `input_shape` (checked by check_input).
    virtual Shape noise_shape_for(const Shape& input_shape) const;

    /// Reads base keys, rate, noise_shape and seed; the caller calls reader.finish().
    static DropoutOptions read_options(ConfigReader& reader,
                                       std::optional<std::vector<int64_t>>& batch_input_shape);

  private:
    DropoutOptions options_;
    LayerRandomSource random_;
};

/// SpatialDropout1D's arguments, in Keras's order.
struct SpatialDropout1DOptions {
    double rate = 0.0;
    std::optional<uint64_t> seed = std::nullopt;
    bool trainable = true;
    std::string name = {};
};

/// Dropout of whole channels: inputs (batch, steps, channels), noise shape (batch, 1, channels)
/// (tf.keras 2.x's SpatialDropout1D is channels_last only).
class SpatialDropout1D : public Dropout {
  public:
    /// Throws ValueError for a rate outside [0, 1).
    explicit SpatialDropout1D(const SpatialDropout1DOptions& options);

    std::string class_name() const override { return "SpatialDropout1D"; }
    /// Dropout's keys; noise_shape is null.
    static std::unique_ptr<SpatialDropout1D> from_config(const Json& config);

  protected:
    /// Rank 3, else ShapeError naming the layer.
    void check_input(const Shape& input_shape) const override;
    Shape noise_shape_for(const Shape& input_shape) const override;
};

}  // namespace minidl::layers
