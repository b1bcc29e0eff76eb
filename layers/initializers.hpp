// Weight initializers with Keras's names, defaults and fan rules (KERAS_SEMANTICS.md §4).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "minidl/core/generator.hpp"
#include "minidl/core/tensor.hpp"
#include "minidl/layers/config.hpp"

namespace minidl::initializers {

/// Keras's fans of a weight shape: rank 1 (n, n); rank 2 (s0, s1); rank >= 3 with
/// rf = prod(shape[:-2]): (shape[-2] * rf, shape[-1] * rf). Rank 0: (1, 1).
struct Fans {
    double fan_in = 1;
    double fan_out = 1;
};
Fans compute_fans(const Shape& shape);

/// How a weight gets its first values. A handle: copies share one immutable implementation.
/// Converts implicitly from a Keras name, so options can say `.bias_initializer = "ones"`.
class Initializer {
  public:
    /// What a concrete initializer implements.
    struct Impl {
        virtual ~Impl() = default;
        /// Fills `weight` (any shape) with values drawn from `gen`.
        virtual void fill(const Tensor& weight, Generator& gen) const = 0;
        /// The seed given by the user; a seeded initializer draws from its own generator, so it
        /// gives the same values on every call (as tf.keras 2.x does).
        virtual std::optional<uint64_t> seed() const { return std::nullopt; }
        /// Keras's class name, e.g. "GlorotUniform".
        virtual std::string class_name() const = 0;
        /// Keras's get_config, e.g. {"seed": null}.
        virtual Json config() const = 0;
    };

    /// glorot_uniform, Keras's default kernel initializer.
    Initializer();
    /// A Keras name or class name, case-insensitive ("he_normal", "HeNormal", "zeros",
    /// "truncated_normal", "identity"...). Throws ValueError naming the unknown initializer.
    Initializer(const char* name);
    Initializer(const std::string& name);
    explicit Initializer(std::shared_ptr<const Impl> impl);

    /// A new leaf tensor of `shape` with this initializer's values. `gen` is used unless the
    /// initializer has its own seed.
    Tensor operator()(const Shape& shape, Generator& gen = default_generator()) const;

    std::string class_name() const { return impl_->class_name(); }
    Json config() const { return impl_->config(); }
    /// {"class_name": ..., "config": {...}}, as tf.keras 2.x nests it in layer configs.
    Json to_json() const;
    /// Reads a name or a nested object (see KerasObject); `key` names it in errors. Unknown
    /// classes or config keys and bad values throw ValueError.
    static Initializer from_json(const Json& reference, const std::string& key);

  private:
    std::shared_ptr<const Impl> impl_;
};

/// VarianceScaling's arguments, with Keras's defaults.
struct VarianceScalingOptions {
    double scale = 1.0;
    std::string mode = "fan_in";  ///< fan_in, fan_out or fan_avg
    std::string distribution =
        "truncated_normal";  ///< also "normal" (= truncated), "untruncated_normal", "uniform"
    std::optional<uint64_t> seed = std::nullopt;
};

Initializer Zeros();
Initializer Ones();
Initializer Constant(double value = 0.0);
Initializer RandomNormal(double mean = 0.0, double stddev = 0.05,
                         std::optional<uint64_t> seed = std::nullopt);
Initializer RandomUniform(double minval = -0.05, double maxval = 0.05,
                          std::optional<uint64_t> seed = std::nullopt);
/// Normal values redrawn while beyond two standard deviations from the mean (no rescaling).
Initializer TruncatedNormal(double mean = 0.0, double stddev = 0.05,
                            std::optional<uint64_t> seed = std::nullopt);
/// Throws ValueError for scale <= 0 or an unknown mode or distribution.
Initializer VarianceScaling(const VarianceScalingOptions& options = {});
Initializer GlorotUniform(std::optional<uint64_t> seed = std::nullopt);
Initializer GlorotNormal(std::optional<uint64_t> seed = std::nullopt);
Initializer HeUniform(std::optional<uint64_t> seed = std::nullopt);
Initializer HeNormal(std::optional<uint64_t> seed = std::nullopt);
Initializer LecunUniform(std::optional<uint64_t> seed = std::nullopt);
Initializer LecunNormal(std::optional<uint64_t> seed = std::nullopt);
/// Q * sign(diag R) * gain from the QR decomposition of a normal (prod(shape[:-1]),
/// shape[-1]) matrix (transposed when wide). Rank >= 2, else ValueError.
Initializer Orthogonal(double gain = 1.0, std::optional<uint64_t> seed = std::nullopt);
/// gain * I for rank-2 shapes (rectangular allowed), else ValueError.
Initializer Identity(double gain = 1.0);

}  // namespace minidl::initializers
