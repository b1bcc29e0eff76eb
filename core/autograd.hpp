// Reverse-mode automatic differentiation, define-by-run (as in PyTorch and micrograd).
//
// An op that computes `out` from inputs calls `record(out, name, inputs, backward)`. When
// gradients are enabled and an input requires one, `out` gets a Node: the inputs and a closure
// that, given dLoss/dOut, adds each input's share with `GradContext::add`. `Tensor::backward`
// walks the nodes in reverse topological order, iteratively, and frees them afterwards.
#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <span>
#include <vector>

#include "minidl/core/tensor.hpp"

namespace minidl {

/// What a node's backward closure receives.
struct GradContext {
    const Tensor& grad;              ///< dLoss/dOutput, the output's shape
    const Tensor& output;            ///< the op's result (its values, for ops like exp)
    std::span<const Tensor> inputs;  ///< the op's inputs, in recording order
    /// Whether input `i` wants a gradient (skip the work otherwise).
    bool needs(std::size_t i) const { return inputs[i].requires_grad(); }
    /// Adds `input_grad`, which must have input `i`'s shape, to that input's gradient.
    void add(std::size_t i, const Tensor& input_grad) const;

    const char* op = "";  ///< the node's name, for error messages
};

using BackwardFn = std::function<void(const GradContext&)>;

/// One recorded op.
struct Node {
    const char* name;
    std::vector<Tensor> inputs;
    BackwardFn backward;
    bool freed = false;  ///< set once backward released the inputs and closure
};

/// Whether ops currently record nodes (thread-local; on by default).
bool grad_enabled() noexcept;

/// Turns recording on or off for its lifetime, restoring the previous mode afterwards, like
/// torch::AutoGradMode. An optimizer uses it to differentiate a regularizer even when the user
/// calls step() under a NoGradGuard.
class AutoGradMode {
  public:
    explicit AutoGradMode(bool enabled) noexcept;
    ~AutoGradMode();
    AutoGradMode(const AutoGradMode&) = delete;
    AutoGradMode& operator=(const AutoGradMode&) = delete;

  private:
    bool previous_;
};

/// Disables recording for its lifetime (inference, optimizer updates), like torch::NoGradGuard.
class NoGradGuard : public AutoGradMode {
  public:
    NoGradGuard() noexcept : AutoGradMode(false) {}
};

/// Makes `out` differentiable when recording is on and an input requires a gradient;
/// otherwise returns it unchanged. Returns `out`.
Tensor record(Tensor out, const char* name, std::initializer_list<Tensor> inputs,
              BackwardFn backward);
Tensor record(Tensor out, const char* name, std::vector<Tensor> inputs, BackwardFn backward);

}  // namespace minidl
