// Tensor: a handle to float32 values in contiguous row-major order, plus the autograd fields.
// Copying a Tensor copies the handle, not the values (like torch::Tensor); constness is the
// handle's, as with std::shared_ptr.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "minidl/core/memory.hpp"
#include "minidl/core/shape.hpp"

namespace minidl {

struct Node;

/// What a Tensor handle points to. Several TensorImpls may share one Storage (views).
struct TensorImpl {
    std::shared_ptr<Storage> storage;
    int64_t offset = 0;  ///< first element's position in the storage
    Shape shape;
    bool requires_grad = false;
    /// The accumulated gradient of a leaf; during backward also the pending gradient of a
    /// computed tensor (cleared once its node has run).
    std::shared_ptr<TensorImpl> grad;
    /// How this tensor was computed; null for leaves.
    std::shared_ptr<Node> node;
    uint64_t visit_mark = 0;  ///< used by backward's graph walk
};

class Tensor {
  public:
    /// An undefined tensor (no values); `defined()` is false.
    Tensor() = default;
    explicit Tensor(std::shared_ptr<TensorImpl> impl) noexcept : impl_(std::move(impl)) {}

    bool defined() const noexcept { return impl_ != nullptr; }
    const Shape& shape() const;
    int rank() const { return shape().rank(); }
    /// Size of `axis`; negative axes count from the end.
    int64_t size(int64_t axis) const { return shape().size(axis); }
    int64_t numel() const { return shape().numel(); }

    /// The first value; the others follow in row-major order.
    float* data() const;
    /// The value of a one-element tensor. Throws ValueError otherwise.
    float item() const;
    /// The element at `index` (one entry per axis, negatives count from the end), bounds-checked.
    float& at(std::initializer_list<int64_t> index) const;
    std::vector<float> to_vector() const;

    // ---- autograd ----
    bool requires_grad() const;
    /// Marks a leaf as a variable to differentiate with respect to. Throws AutogradError on a
    /// computed tensor (its requires_grad follows from its inputs).
    Tensor& requires_grad_(bool enabled = true);
    /// True for tensors not computed by a recorded op (parameters, inputs, constants).
    bool is_leaf() const;
    /// The gradient accumulated by backward(); undefined until one reaches this leaf.
    Tensor grad() const;
    void set_grad(const Tensor& grad) const;
    /// Drops the gradient (like PyTorch's zero_grad(set_to_none=true)).
    void zero_grad() const;
    /// Back-propagates from this tensor. Without `grad_output` the tensor must have one element
    /// (a loss), seeded with 1. The graph is freed afterwards unless `retain_graph`.
    void backward(const Tensor& grad_output = Tensor(), bool retain_graph = false) const;
    /// The same values, cut from the graph (shares storage, requires no grad).
    Tensor detach() const;
    /// The name of the op that computed this tensor ("mul", "matmul"), or "" for a leaf.
    std::string grad_fn_name() const;

    /// A copy of the values in fresh storage; differentiable (the gradient passes through).
    Tensor clone() const;
    /// The same values seen with another shape (a view).
    Tensor reshape(const Shape& shape) const;
    /// As above; one size may be -1, inferred from the others.
    Tensor reshape(std::initializer_list<int64_t> sizes) const;
    /// Sum of all elements, as a scalar tensor.
    Tensor sum() const;
    /// Mean of all elements, as a scalar tensor.
    Tensor mean() const;

    /// PyTorch-like text: `tensor([[1.0000, 2.0000]], shape=[1, 2])`.
    std::string to_string() const;

    TensorImpl* impl() const noexcept { return impl_.get(); }
    const std::shared_ptr<TensorImpl>& impl_ptr() const noexcept { return impl_; }
    /// True when both handles point to the same tensor.
    bool is_same(const Tensor& other) const noexcept { return impl_ == other.impl_; }

  private:
    const TensorImpl& checked() const;
    std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

/// A tensor of `shape` with uninitialised values (they come from the allocator's cache).
Tensor empty(const Shape& shape);

}  // namespace minidl
