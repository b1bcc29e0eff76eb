// UpSampling1D, ZeroPadding1D and Cropping1D: Keras's layers that change the number of steps of
// a [batch, steps, channels] input (tf.keras.layers.UpSampling1D, ZeroPadding1D, Cropping1D;
// docs/layers/resampling.md). All three work on axis 1 and have no data_format, as in Keras.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "minidl/layers/layer.hpp"
#include "minidl/layers/pooling1d.hpp"

namespace minidl::layers {

/// Steps at the start and at the end of the step axis. An integer n means (n, n), as Keras's
/// int-or-tuple arguments: `.padding = 2` or `.padding = {1, 3}`.
struct StepPair {
    int64_t left = 0;
    int64_t right = 0;

    StepPair(int64_t both) : left(both), right(both) {}
    StepPair(int64_t left_steps, int64_t right_steps) : left(left_steps), right(right_steps) {}
    bool operator==(const StepPair&) const = default;
};

struct UpSampling1DOptions {
    /// How many times each step is repeated (>= 1).
    int64_t size = 2;
    bool trainable = true;
    std::string name = {};
};

struct ZeroPadding1DOptions {
    /// Zero steps added before and after (each >= 0).
    StepPair padding = 1;
    bool trainable = true;
    std::string name = {};
};

struct Cropping1DOptions {
    /// Steps removed from the start and the end (each >= 0; at least one step must remain).
    StepPair cropping = {1, 1};
    bool trainable = true;
    std::string name = {};
};

/// What the three share: no weights, an input of rank 3 [batch, steps, channels], an output
/// [batch, output_steps(steps), channels].
class Resampling1D : public Layer {
  public:
    Shape compute_output_shape(const Shape& input_shape) const override;

  protected:
    using Layer::Layer;

    /// The output's steps for an input of `steps`.
    virtual int64_t output_steps(int64_t steps) const = 0;

    void create_weights(const Shape& /*input_shape*/) override {}
    /// Rank 3 (ShapeError naming the layer).
    void check_input(const Shape& input_shape) const override;
};

/// Repeats each step `size` times: [B, L, C] -> [B, L * size, C].
class UpSampling1D : public Resampling1D {
  public:
    explicit UpSampling1D(const UpSampling1DOptions& options = {});
    std::string class_name() const override { return "UpSampling1D"; }
    /// Base keys, then size.
    Json config() const override;
    static std::unique_ptr<UpSampling1D> from_config(const Json& config);
    const UpSampling1DOptions& options() const { return options_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    int64_t output_steps(int64_t steps) const override { return steps * options_.size; }

  private:
    UpSampling1DOptions options_;
};

/// Adds zero steps: [B, L, C] -> [B, left + L + right, C].
class ZeroPadding1D : public Resampling1D {
  public:
    explicit ZeroPadding1D(const ZeroPadding1DOptions& options = {});
    std::string class_name() const override { return "ZeroPadding1D"; }
    /// Base keys, then padding [left, right].
    Json config() const override;
    static std::unique_ptr<ZeroPadding1D> from_config(const Json& config);
    const ZeroPadding1DOptions& options() const { return options_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    int64_t output_steps(int64_t steps) const override;

  private:
    ZeroPadding1DOptions options_;
};

/// Removes steps: [B, L, C] -> [B, L - left - right, C].
class Cropping1D : public Resampling1D {
  public:
    explicit Cropping1D(const Cropping1DOptions& options = {});
    std::string class_name() const override { return "Cropping1D"; }
    /// Base keys, then cropping [left, right].
    Json config() const override;
    static std::unique_ptr<Cropping1D> from_config(const Json& config);
    const Cropping1DOptions& options() const { return options_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    int64_t output_steps(int64_t steps) const override;
    /// Also: at least one step must remain (ShapeError naming the layer and the cropping).
    void check_input(const Shape& input_shape) const override;

  private:
    Cropping1DOptions options_;
};

}  // namespace minidl::layers
