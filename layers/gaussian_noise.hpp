// GaussianNoise: tf.keras's additive zero-mean Gaussian noise, active only when called with
// training = true (docs/layers/dropout.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "minidl/layers/dropout.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// GaussianNoise's arguments, in Keras's order. Keras requires `stddev`.
struct GaussianNoiseOptions {
    /// Standard deviation of the noise, >= 0.
    double stddev = 0.0;
    std::optional<uint64_t> seed = std::nullopt;
    bool trainable = true;
    std::string name = {};
};

/// y = x + N(0, stddev^2) noise drawn per element in training; y = x otherwise. No weights.
class GaussianNoise : public Layer {
  public:
    /// Throws ValueError for a negative or non-finite stddev.
    explicit GaussianNoise(const GaussianNoiseOptions& options);

    Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
    std::string class_name() const override { return "GaussianNoise"; }
    /// Base keys, then stddev, seed.
    Json config() const override;
    static std::unique_ptr<GaussianNoise> from_config(const Json& config);

    const GaussianNoiseOptions& options() const { return options_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& /*input_shape*/) override {}

  private:
    GaussianNoiseOptions options_;
    LayerRandomSource random_;
};

}  // namespace minidl::layers
