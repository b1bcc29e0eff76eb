// Sequential: a plain stack of layers (keras.Sequential). docs/models.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minidl/layers/model.hpp"

namespace minidl {

/// An entry of Sequential's layer list: a layer by value (moved in) or shared.
class LayerRef {
  public:
    template <class L>
    requires std::derived_from<L, Layer> LayerRef(std::shared_ptr<L> layer)
        : layer_(std::move(layer)) {}  // NOLINT
    template <class L>
    requires std::derived_from<std::remove_cvref_t<L>, Layer> LayerRef(
        L&& layer)  // NOLINT(google-explicit-constructor)
        : layer_(std::make_shared<std::remove_cvref_t<L>>(std::move(layer))) {}

    const std::shared_ptr<Layer>& get() const { return layer_; }

  private:
    std::shared_ptr<Layer> layer_;
};

/// Each layer's output is the next one's input:
///
///     Sequential model({layers::InputLayer({.shape = {128, 1}}),
///                       layers::SeparableConv1D({.filters = 8, .kernel_size = 5}),
///                       layers::GlobalAveragePooling1D(),
///                       layers::Dense({.units = 4})});
///
/// The model is built (weights created, summary() available) as soon as its input shape is
/// known: an InputLayer first, the first layer's batch_input_shape, build(), or the first call.
class Sequential : public Model {
  public:
    explicit Sequential(std::vector<LayerRef> layers = {}, std::string name = {});

    std::string class_name() const override { return "Sequential"; }
    Shape compute_output_shape(const Shape& input_shape) const override;

    /// tf.keras 2.13's Sequential.get_config: {"name", "layers": [...]}, every layer (the
    /// InputLayer too) as layers::to_config_entry writes it, with the input shape it was built
    /// for when the model is built; then "build_input_shape" (batch null) when the model was
    /// built from a shape it does not declare (build() or a first call).
    Json config() const override;
    /// A model from a Sequential config of any tf.keras 2.x / Keras 3 layout: a plain list of
    /// layers (Keras <= 2.1) or {"name", "layers", "build_input_shape"?} (Keras 3's "trainable"
    /// and "dtype" too). The model is built when its input shape is known: an InputLayer
    /// (tf.keras 2.x's batch_input_shape or Keras 3's batch_shape), the first layer's
    /// batch_input_shape, build_input_shape, or the first layer's build_config. Throws
    /// ConfigError with the JSON Pointer of the bad value within `config`
    /// ("/layers/2/config/kernal_size"): an unknown class or key, a wrong type, no layers, an
    /// InputLayer that is not first, duplicate names, a layer that does not fit the one before.
    static std::unique_ptr<Sequential> from_config(const Json& config);

    /// Appends a layer (ValueError for a duplicate name; a built model builds it at once).
    void add(LayerRef layer);
    /// Removes the last layer (ValueError when empty); a built model stays built.
    void pop();

    /// The input shape with batch -1 (from the InputLayer or batch_input_shape), if known.
    std::optional<std::vector<int64_t>> input_shape() const;
    /// The input shape the model was built for (batch included), once built.
    const std::optional<Shape>& built_input_shape() const { return built_input_shape_; }

  protected:
    Tensor call(const Tensor& x, bool training) override;
    /// Builds every layer, each from the previous one's output shape.
    void create_weights(const Shape& input_shape) override;
    std::vector<std::optional<std::vector<int64_t>>> layer_output_shapes() const override;

  private:
    /// Builds the model when the input shape is known and it is not built yet. A shape with an
    /// unknown (None) size other than the batch leaves the model to build on its first call.
    void build_from_input_shape();

    std::optional<Shape> built_input_shape_;
};

}  // namespace minidl
