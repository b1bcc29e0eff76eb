// Weight and activity regularizers with Keras's formulas (KERAS_SEMANTICS.md §5): L1 is
// l1 * sum|w|, L2 is l2 * sum w^2 (no 1/2 factor). Factors are stored as float32, as tf.keras 2.x
// does, so a config shows 0.009999999776482582 for 0.01.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "minidl/core/tensor.hpp"
#include "minidl/layers/config.hpp"

namespace minidl::regularizers {

/// A penalty on a tensor. A handle that may be empty (no regularizer, Keras's None); converts
/// implicitly from a Keras name: "l1", "l2" (factor 0.01) and "l1_l2" (0.01 and 0.01).
class Regularizer {
  public:
    struct Impl {
        virtual ~Impl() = default;
        /// The penalty as a scalar tensor, differentiable in `x`.
        virtual Tensor penalty(const Tensor& x) const = 0;
        virtual std::string class_name() const = 0;
        virtual Json config() const = 0;
    };

    Regularizer() = default;
    Regularizer(std::nullptr_t) {}
    /// Case-insensitive; throws ValueError naming an unknown regularizer.
    Regularizer(const char* name);
    Regularizer(const std::string& name);
    explicit Regularizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

    explicit operator bool() const { return impl_ != nullptr; }
    /// The penalty of `x` (a scalar tensor); requires a non-empty regularizer.
    Tensor operator()(const Tensor& x) const;

    /// {"class_name": ..., "config": {...}}, or null when empty.
    Json to_json() const;
    /// Reads null, a name or a nested object; `key` names it in errors.
    static Regularizer from_json(const Json& reference, const std::string& key);

  private:
    std::shared_ptr<const Impl> impl_;
};

/// Throw ValueError for a negative or non-finite factor, naming the argument ("l1", "l2").
Regularizer L1(double l1 = 0.01);
Regularizer L2(double l2 = 0.01);
/// The class's defaults are (0, 0); the name "l1_l2" gives (0.01, 0.01), as in Keras.
Regularizer L1L2(double l1 = 0.0, double l2 = 0.0);

}  // namespace minidl::regularizers
