// Normalization: tf.keras 2.13's preprocessing layer that standardises features with a mean and
// variance given up front or computed from data by adapt() (docs/layers/normalization.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minidl/core/ops.hpp"
#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// The arguments, in Keras's order and with Keras's defaults.
struct NormalizationOptions {
    /// The kept axes: each index along them has its own mean and variance (negative counts from
    /// the end; no repeats). Empty is Keras's axis=None — one mean and variance for everything —
    /// which is also what tf.keras itself turns None into (an empty tuple).
    Axes axis = {-1};
    /// Fixed statistics instead of adapt(): both or neither. Each is one value (broadcast to
    /// every kept index), the values of the last kept axis (broadcast over the others, as NumPy
    /// would), or one value per kept index, row-major over the kept axes in increasing order.
    std::optional<std::vector<double>> mean = {};
    /// Every value finite and >= 0.
    std::optional<std::vector<double>> variance = {};
    /// Maps normalised values back: mean + x * std instead of (x - mean) / std.
    bool invert = false;
    /// Only for the config: the layer has no trainable weights either way.
    bool trainable = true;
    std::string name = {};
};

/// y = (x - mean) / max(sqrt(variance), 1e-7), or mean + x * max(sqrt(variance), 1e-7) with
/// `invert`, the statistics broadcast over every axis but the kept ones. Differentiable in x only.
/// Without given statistics the layer has three non-trainable weights, created at build: "mean"
/// and "variance" of the kept axes' sizes (zeros and ones until adapted) and the scalar "count"
/// (tf.keras's int64, a float32 here: exact up to 2^24 elements).
class Normalization : public Layer {
  public:
    /// Throws ValueError for repeated axes, only one of mean/variance, an empty list, a value
    /// that is not finite or a negative variance.
    explicit Normalization(const NormalizationOptions& options = {});

    /// Computes the mean and biased variance of `data` over every axis but the kept ones, in
    /// double precision, and stores them and the number of values each was taken over into the
    /// weights, replacing any earlier adapt (as tf.keras resets its state first). Builds the
    /// layer from data's shape if needed (the batch axis stays free). As tf.keras, the data is
    /// taken in batches of `batch_size` examples whose statistics are merged (Chan et al.'s
    /// pairwise update); here in double, so the result equals a single pass up to rounding.
    /// ValueError for a layer given mean/variance, empty data, a batch_size < 1 or data whose
    /// rank or kept sizes differ from the built shape.
    void adapt(const Tensor& data, int64_t batch_size = 32);

    Shape compute_output_shape(const Shape& input_shape) const override;
    std::string class_name() const override { return "Normalization"; }
    /// Base keys, then axis (always a list, [] for None: tf.keras stores it as a tuple), invert,
    /// mean and variance (lists, or null when not given).
    Json config() const override;
    /// Also reads axis as an int or null, and mean/variance as numbers or nested lists.
    static std::unique_ptr<Normalization> from_config(const Json& config);

    const NormalizationOptions& options() const { return options_; }
    /// The statistics in use once built, of the kept axes' sizes: the weights, or the given values
    /// broadcast.
    const Tensor& mean() const { return mean_; }
    const Tensor& variance() const { return variance_; }
    /// The "count" weight; undefined before build and for given statistics.
    const Parameter& count() const { return count_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override;
    /// The axes must exist and be distinct, given statistics must fit the kept sizes; once
    /// built, the rank and the kept sizes must match.
    void check_input(const Shape& input_shape) const override;

  private:
    /// `axis` as 0..rank-1 for an input of `input_shape`, sorted, or ShapeError.
    Axes resolve_axes(const Shape& input_shape) const;
    /// Why `shape` does not fit the built layer ("" when it does).
    std::string built_shape_mismatch(const Shape& shape) const;

    NormalizationOptions options_;
    Shape built_shape_;  ///< the first input's shape; rank 0 until built
    Axes kept_axes_;     ///< resolved and sorted at build
    Tensor mean_, variance_;
    Parameter count_;
};

}  // namespace minidl::layers
