// Merge layers: Keras's layers that combine a list of tensors (tf.keras.layers.Add,
// Concatenate), docs/layers/merging.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "minidl/layers/layer.hpp"

namespace minidl::layers {

/// Base of the layers called on a list of tensors: `merge({a, b})`. They have no weights; the
/// first call builds them (for the list's shapes, which each call checks).
class MergeLayer : public Layer {
  public:
    /// Calling a merge layer on one tensor is a ValueError, as in Keras.
    using Layer::operator();
    /// Merges `inputs` (at least one, as tf.keras 2.x allows). Throws ValueError for an empty
    /// list or an undefined tensor, ShapeError (naming the layer and every shape) for shapes
    /// that cannot be merged.
    Tensor operator()(const std::vector<Tensor>& inputs, bool training = false);

    /// The output shape for inputs of `input_shapes`, checked like a call.
    Shape compute_output_shape(const std::vector<Shape>& input_shapes) const;
    /// Throws ValueError: a merge layer needs a list of shapes.
    Shape compute_output_shape(const Shape& input_shape) const override;

  protected:
    MergeLayer(std::string_view prefix, std::string name, bool trainable);

    /// The output shape for `input_shapes` (at least one); throws ShapeError (naming the layer and
    /// every shape) or IndexError when they cannot be merged.
    virtual Shape merged_shape(const std::vector<Shape>& input_shapes) const = 0;
    /// Merges inputs whose shapes merged_shape() accepted.
    virtual Tensor merge(const std::vector<Tensor>& inputs) const = 0;

    /// Rejects a single tensor (ValueError), except while the list call builds the layer.
    void check_input(const Shape& input_shape) const override;
    /// Not reached: check_input() rejects single tensors first.
    Tensor call(const Tensor& x, bool training) override;
    void create_weights(const Shape& input_shape) override { (void)input_shape; }

    /// "[2, 3], [2, 4]": every input shape, for messages.
    static std::string shapes_to_string(const std::vector<Shape>& input_shapes);

  private:
    [[noreturn]] void reject_single_tensor(const Shape& input_shape) const;

    bool building_from_list_ = false;
};

/// The arguments (Keras's Add takes only the base layer arguments).
struct AddOptions {
    bool trainable = true;
    std::string name = {};
};

/// The elementwise sum of the inputs. As Keras's _Merge: the batch sizes must be equal; the
/// other axes broadcast, aligned from the right (a lower-rank input gets size-1 axes after its
/// batch axis), so [B, 3] + [B, 4, 3] gives [B, 4, 3].
class Add : public MergeLayer {
  public:
    explicit Add(const AddOptions& options = {});

    std::string class_name() const override { return "Add"; }
    /// Builds the layer from tf.keras's get_config.
    static std::unique_ptr<Add> from_config(const Json& config);

  protected:
    Shape merged_shape(const std::vector<Shape>& input_shapes) const override;
    Tensor merge(const std::vector<Tensor>& inputs) const override;
};

/// The arguments, in Keras's order and with Keras's defaults.
struct ConcatenateOptions {
    /// The axis to join along; negative counts from the end (-1: the last).
    int64_t axis = -1;
    bool trainable = true;
    std::string name = {};
};

/// The inputs joined along `axis`; they must have one rank and equal sizes on every other axis.
class Concatenate : public MergeLayer {
  public:
    explicit Concatenate(const ConcatenateOptions& options = {});
    explicit Concatenate(int64_t axis);

    std::string class_name() const override { return "Concatenate"; }
    Json config() const override;
    /// Builds the layer from tf.keras's get_config.
    static std::unique_ptr<Concatenate> from_config(const Json& config);

    const ConcatenateOptions& options() const { return options_; }

  protected:
    Shape merged_shape(const std::vector<Shape>& input_shapes) const override;
    Tensor merge(const std::vector<Tensor>& inputs) const override;

  private:
    /// The axis in 0..rank-1 for inputs of `rank`; IndexError naming the layer otherwise.
    int normalized_axis(int rank) const;

    ConcatenateOptions options_;
};

}  // namespace minidl::layers
