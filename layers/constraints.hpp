// Weight constraints with Keras's formulas and axis arguments (KERAS_SEMANTICS.md §6). An
// optimizer applies them to a weight's new value after each update, never at initialization.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "minidl/core/ops.hpp"
#include "minidl/core/tensor.hpp"
#include "minidl/layers/config.hpp"

namespace minidl::constraints {

/// Norms are taken over these axes of the weight (negative axes count from the end); empty means
/// all axes (Keras's axis=None, written as null).
using Axes = minidl::Axes;

/// A projection of a weight. A handle that may be empty (Keras's None); converts implicitly
/// from a Keras name ("max_norm", "non_neg", "unit_norm", "min_max_norm", "radial_constraint").
class Constraint {
  public:
    struct Impl {
        virtual ~Impl() = default;
        /// The constrained value of `w`.
        virtual Tensor apply(const Tensor& w) const = 0;
        /// Throws ValueError when a weight of `shape` cannot carry this constraint (an axis out
        /// of range; RadialConstraint on anything but rank 4); `weight` names it.
        virtual void check_shape(const Shape& shape, const std::string& weight) const = 0;
        virtual std::string class_name() const = 0;
        virtual Json config() const = 0;
    };

    Constraint() = default;
    Constraint(std::nullptr_t) {}
    /// Case-insensitive; throws ValueError naming an unknown constraint.
    Constraint(const char* name);
    Constraint(const std::string& name);
    explicit Constraint(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

    explicit operator bool() const { return impl_ != nullptr; }
    /// The constrained value of `w`; requires a non-empty constraint.
    Tensor operator()(const Tensor& w) const;
    /// See Impl::check_shape; does nothing for an empty constraint.
    void check_shape(const Shape& shape, const std::string& weight) const;

    /// {"class_name": ..., "config": {...}}, or null when empty.
    Json to_json() const;
    /// Reads null, a name or a nested object; `key` names it in errors.
    static Constraint from_json(const Json& reference, const std::string& key);

  private:
    std::shared_ptr<const Impl> impl_;
};

/// w * clip(n, 0, max_value) / (1e-7 + n), n the L2 norm over `axis`. max_value >= 0.
Constraint MaxNorm(double max_value = 2.0, Axes axis = {0});
/// w * (rate * clip(n, min, max) + (1 - rate) * n) / (1e-7 + n). 0 <= min <= max, 0 <= rate <= 1.
Constraint MinMaxNorm(double min_value = 0.0, double max_value = 1.0, double rate = 1.0,
                      Axes axis = {0});
/// w * (w >= 0).
Constraint NonNeg();
/// w / (1e-7 + n).
Constraint UnitNorm(Axes axis = {0});
/// Keras 2's constraint for rank-4 (2-D convolution) kernels; any other rank is a ValueError
/// at build time.
Constraint RadialConstraint();

}  // namespace minidl::constraints
