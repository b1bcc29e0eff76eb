// Layer: the Keras layer contract. A layer is constructed with its arguments (checked at once),
// creates its weights lazily on the first call from the input's shape, and can describe itself
// as a Keras config.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "minidl/core/parameter.hpp"
#include "minidl/core/tensor.hpp"
#include "minidl/layers/config.hpp"
#include "minidl/layers/constraints.hpp"
#include "minidl/layers/initializers.hpp"
#include "minidl/layers/regularizers.hpp"

namespace minidl {

/// Base of every layer. Not copyable (weights are shared handles; a copy would alias them);
/// movable (a moved-to layer keeps the same weights).
class Layer {
  public:
    virtual ~Layer() = default;
    Layer(const Layer&) = delete;
    Layer& operator=(const Layer&) = delete;
    Layer(Layer&&) = default;
    Layer& operator=(Layer&&) = default;

    /// Runs the layer on `x`: builds it on the first call, checks the input against the built
    /// shape (ShapeError naming the layer), runs call(), and records the activity
    /// regularizer's penalty of the output. `training` switches layers such as Dropout.
    Tensor operator()(const Tensor& x, bool training = false);

    /// Creates the weights for inputs of `input_shape` (batch axis included) unless built. A
    /// failure (a bad input shape, a constraint that does not fit its weight) leaves the layer
    /// unbuilt, with no weights.
    void build(const Shape& input_shape);
    bool built() const { return built_; }

    /// The output shape for an input of `input_shape`; checks the input like a call.
    virtual Shape compute_output_shape(const Shape& input_shape) const = 0;

    /// Keras's class name, e.g. "SeparableConv1D".
    virtual std::string class_name() const = 0;
    /// Keras's get_config: the base keys (name, trainable, [batch_input_shape], dtype) then the
    /// layer's own, in tf.keras 2.x's order.
    virtual Json config() const;
    /// {"class_name": ..., "config": {...}}.
    Json to_json() const;

    const std::string& name() const { return name_; }
    bool trainable() const { return trainable_; }
    /// Freezes or unfreezes every weight the layer created as trainable; non-trainable weights
    /// (moving statistics) stay frozen. Works before and after build.
    void set_trainable(bool trainable);

    /// The input shape given at construction (Keras's batch_input_shape; -1 for None), if any.
    const std::optional<std::vector<int64_t>>& batch_input_shape() const {
        return batch_input_shape_;
    }
    void set_batch_input_shape(std::vector<int64_t> shape) {
        batch_input_shape_ = std::move(shape);
    }

    /// trainable_weights() then non_trainable_weights(), as Keras orders layer.weights.
    std::vector<Parameter> weights() const;
    /// The layer's own trainable weights (creation order), then its sublayers', recursively in
    /// tracking order; empty when the layer is frozen.
    std::vector<Parameter> trainable_weights() const;
    /// The rest of weights(), in the same order: moving statistics, and everything when frozen.
    std::vector<Parameter> non_trainable_weights() const;
    /// Number of weight values, sublayers' included.
    int64_t count_params() const;

    /// The layers this one tracks (a Model's or Sequential's layers), in tracking order.
    const std::vector<std::shared_ptr<Layer>>& sublayers() const { return sublayers_; }
    /// Copies of the weight values, in weights() order.
    std::vector<Tensor> get_weights() const;
    /// Sets every weight, in weights() order. Checks the count and every shape before writing
    /// anything (ShapeError/ValueError naming the layer and weight), so a failure changes nothing.
    void set_weights(const std::vector<Tensor>& values);

    /// Keras's `layer.losses`: the weight regularizers' penalties on the current values (frozen
    /// weights included, as in tf.keras 2.x), then the activity regularizer's penalty of the last
    /// call, if any, then the sublayers' losses; each a scalar. The weight penalties are constants
    /// (no graph): their gradient is applied by the optimizer's step. The activity penalty is part
    /// of the last call's graph. So `loss + sum(losses())` is Keras's objective in value and in
    /// gradient (docs/optim.md).
    std::vector<Tensor> losses() const;

    /// The weights' name prefix: empty for a layer on its own, "sequential/" for a layer of
    /// Sequential "sequential". Weights are named "<scope><layer>/<weight>".
    const std::string& scope() const { return scope_; }

  protected:
    /// `prefix` is Keras's snake_case class name ("separable_conv1d"); an empty `name` gets a
    /// unique one from it ("separable_conv1d", "separable_conv1d_1", ...).
    Layer(std::string_view prefix, std::string name, bool trainable);

    /// The layer's computation, on an input that check_input() accepted.
    virtual Tensor call(const Tensor& x, bool training) = 0;
    /// Creates the weights with add_weight(); called once, by build().
    virtual void create_weights(const Shape& input_shape) = 0;
    /// Throws ShapeError (naming the layer) for an input the layer cannot take; called before
    /// every build and call.
    virtual void check_input(const Shape& input_shape) const { (void)input_shape; }

    /// Creates a weight named "<layer>/<name>" with values from `initializer`; the constraint's
    /// shape check runs first. Weights are listed in creation order.
    Parameter add_weight(const std::string& name, const Shape& shape,
                         const initializers::Initializer& initializer,
                         const regularizers::Regularizer& regularizer = {},
                         const constraints::Constraint& constraint = {}, bool trainable = true);

    /// Makes `layer` a sublayer: its weights become part of this layer's weights, named under
    /// this layer's scope ("model/dense/kernel"), and trainable/losses/count_params recurse into
    /// it. Throws ValueError when a sublayer of that name is tracked already (Keras requires
    /// unique names within a model).
    template <class L>
    std::shared_ptr<L> track(std::shared_ptr<L> layer) {
        track_layer(layer);
        return layer;
    }
    /// Tracks a layer given by value (moved into shared ownership).
    template <class L>
    requires std::derived_from<std::remove_cvref_t<L>, Layer>
        std::shared_ptr<std::remove_cvref_t<L>> track(L&& layer) {
        return track(std::make_shared<std::remove_cvref_t<L>>(std::forward<L>(layer)));
    }
    /// Stops tracking sublayer `index` (its weights keep their names) and returns it.
    std::shared_ptr<Layer> untrack(std::size_t index);

    void set_activity_regularizer(regularizers::Regularizer regularizer) {
        activity_regularizer_ = std::move(regularizer);
    }
    const regularizers::Regularizer& activity_regularizer() const { return activity_regularizer_; }

  private:
    void track_layer(const std::shared_ptr<Layer>& layer);
    /// Sets the scope and renames this layer's weights and its sublayers' accordingly.
    void set_scope(const std::string& scope);

    std::string name_;
    std::string scope_;
    bool trainable_ = true;
    bool built_ = false;
    std::optional<std::vector<int64_t>> batch_input_shape_;
    std::vector<Parameter> weights_;       // creation order
    std::vector<bool> created_trainable_;  // per weight
    regularizers::Regularizer activity_regularizer_;
    Tensor activity_penalty_;  // of the last call
    std::vector<std::shared_ptr<Layer>> sublayers_;
};

/// The keys every tf.keras layer config has.
struct LayerBaseArguments {
    std::string name;  ///< empty when absent (a unique default name is given)
    bool trainable = true;
    std::optional<std::vector<int64_t>> batch_input_shape;  ///< -1 for None
};
/// Reads name, trainable, dtype (must be float32, as a string or Keras 3's policy object) and
/// batch_input_shape.
LayerBaseArguments read_layer_base_arguments(ConfigReader& reader);

/// Throws ValueError "<layer>: '<argument>' must be a positive integer, got <value>" when
/// value < 1.
void require_positive_argument(int64_t value, const char* argument, const std::string& layer);

/// A unique layer name from `prefix`: the prefix itself the first time, then prefix_1, ...
std::string unique_layer_name(std::string_view prefix);
/// Restarts the numbering of default names (like keras.backend.clear_session()).
void reset_layer_names();

/// The weight penalties of `layer` as one scalar without a graph: regularization_loss() of its
/// weights (core/parameter.hpp).
Tensor regularization_loss(const Layer& layer);

}  // namespace minidl
