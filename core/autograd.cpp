#include "minidl/core/autograd.hpp"

#include <atomic>
#include <utility>

#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/kernels/elementwise.hpp"
#include "minidl/core/ops.hpp"

namespace minidl {
namespace {

thread_local bool grad_mode_enabled = true;

// Each backward marks the nodes it visits with a fresh number, so no visited-set is needed.
std::atomic<uint64_t> next_visit_mark{1};

// Adds `g` to a leaf's gradient. The first gradient is stored as is when nothing else can see
// its values; otherwise it is copied, so that later in-place accumulation (here, or an
// optimizer adding a regularizer's gradient) cannot change another tensor's gradient.
void accumulate_leaf_grad(TensorImpl& leaf, const Tensor& g) {
    if (!leaf.grad) {
        const bool exclusive = g.impl_ptr().use_count() == 1 && g.impl()->storage.use_count() == 1;
        leaf.grad = exclusive ? g.impl_ptr() : g.clone().impl_ptr();
        return;
    }
    Tensor accumulated(leaf.grad);
    kernels::add_inplace(accumulated, g);
}

// Sums gradients arriving at a computed tensor from several consumers (out of place: the
// incoming gradients may be views of other tensors' gradients).
void accumulate_pending_grad(TensorImpl& impl, const Tensor& g) {
    impl.grad = impl.grad ? add(Tensor(impl.grad), g).impl_ptr() : g.impl_ptr();
}

// Tensors in an order where each comes after every tensor computed from it: a post-order walk
// of the inputs (iterative, so a chain of any length fits), reversed. The handles keep each
// tensor alive until backward has processed it, even after its consumers' nodes are freed.
std::vector<std::shared_ptr<TensorImpl>> reverse_topological_order(
    const std::shared_ptr<TensorImpl>& root) {
    const uint64_t mark = next_visit_mark++;
    std::vector<std::shared_ptr<TensorImpl>> post_order;
    std::vector<std::pair<const std::shared_ptr<TensorImpl>*, std::size_t>> stack{{&root, 0}};
    root->visit_mark = mark;
    while (!stack.empty()) {
        auto& [impl, next_input] = stack.back();
        const Node* node = (*impl)->node.get();
        if (node != nullptr && next_input < node->inputs.size()) {
            const std::shared_ptr<TensorImpl>& input = node->inputs[next_input++].impl_ptr();
            if (input->requires_grad && input->visit_mark != mark) {
                input->visit_mark = mark;
                stack.emplace_back(&input, 0);
            }
            continue;
        }
        post_order.push_back(*impl);
        stack.pop_back();
    }
    return {post_order.rbegin(), post_order.rend()};
}

}  // namespace

bool grad_enabled() noexcept { return grad_mode_enabled; }

AutoGradMode::AutoGradMode(bool enabled) noexcept : previous_(grad_mode_enabled) {
    grad_mode_enabled = enabled;
}
AutoGradMode::~AutoGradMode() { grad_mode_enabled = previous_; }

void GradContext::add(std::size_t i, const Tensor& input_grad) const {
    TensorImpl& input = *inputs[i].impl();
    if (!input.requires_grad) return;
    if (input_grad.shape() != input.shape) {
        throw AutogradError(std::string(op) + " backward: gradient of shape " +
                            input_grad.shape().to_string() + " for input " + std::to_string(i) +
                            " of shape " + input.shape.to_string());
    }
    if (input.node) {
        accumulate_pending_grad(input, input_grad);
    } else {
        accumulate_leaf_grad(input, input_grad);
    }
}

Tensor record(Tensor out, const char* name, std::vector<Tensor> inputs, BackwardFn backward) {
    if (!grad_mode_enabled) return out;
    bool any_requires_grad = false;
    for (const Tensor& input : inputs)
        any_requires_grad = any_requires_grad || input.requires_grad();
    if (!any_requires_grad) return out;
    TensorImpl& impl = *out.impl();
    impl.requires_grad = true;
    impl.node = std::make_shared<Node>(Node{name, std::move(inputs), std::move(backward)});
    return out;
}

Tensor record(Tensor out, const char* name, std::initializer_list<Tensor> inputs,
              BackwardFn backward) {
    return record(std::move(out), name, std::vector<Tensor>(inputs), std::move(backward));
}

void Tensor::backward(const Tensor& grad_output, bool retain_graph) const {
    TensorImpl& root = *impl_ptr();
    if (!root.requires_grad) {
        throw AutogradError(
            "backward: the tensor does not require a gradient (no input of the "
            "ops that computed it has requires_grad)");
    }
    Tensor seed = grad_output;
    if (!seed.defined()) {
        if (numel() != 1) {
            throw AutogradError(
                "backward: a gradient can be implied only for a one-element "
                "tensor; this one has shape " +
                shape().to_string() + ", so pass grad_output");
        }
        seed = ones(shape());
    } else if (seed.shape() != shape()) {
        throw ShapeError("backward: grad_output of shape " + seed.shape().to_string() +
                         " for a tensor of shape " + shape().to_string());
    }

    NoGradGuard no_grad;  // gradients are computed, not recorded
    GradContext{seed, *this, std::span<const Tensor>(this, 1), "backward"}.add(0, seed);
    std::vector<std::shared_ptr<TensorImpl>> order = reverse_topological_order(impl_ptr());
    for (std::shared_ptr<TensorImpl>& impl : order) {
        Node* node = impl->node.get();
        if (node != nullptr && impl->grad) {
            if (node->freed) {
                throw AutogradError(std::string("backward: the graph through '") + node->name +
                                    "' was freed by an earlier backward(); pass "
                                    "retain_graph=true to that call to back-propagate twice");
            }
            const Tensor grad(std::move(impl->grad));
            const Tensor output(impl);
            node->backward(GradContext{grad, output, node->inputs, node->name});
            if (!retain_graph) {
                node->inputs = {};
                node->backward = nullptr;
                node->freed = true;
            }
        }
        impl.reset();  // lets activations go as soon as backward is past them
    }
}

}  // namespace minidl
