// Sums and means over all or some axes, and the broadcast pair sum_to / broadcast_to.
#include <algorithm>

#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/op_helpers.hpp"

namespace minidl {
namespace {

using kernels::ArrayMap;
using kernels::ConstArrayMap;

// out[o, i] = sum over j of x[o, j, i], accumulating j in increasing order (or, for one long
// reduction, in fixed chunks summed in order), so the bits never depend on the thread count.
void sum_middle_axis(const float* x, float* out, int64_t outer, int64_t n, int64_t inner) {
    if (outer == 0 || inner == 0) return;  // an empty result
    if (inner == 1) {
        const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n, 1));
        parallel_for(outer, grain, [&](int64_t begin, int64_t end) {
            for (int64_t o = begin; o < end; ++o) out[o] = ConstArrayMap(x + o * n, n).sum();
        });
        return;
    }
    const int64_t rows_per_chunk = std::max<int64_t>(1, kElementwiseGrain / inner);
    const auto sum_rows = [&](const float* rows, int64_t count, float* dst) {
        ArrayMap acc(dst, inner);
        acc = ConstArrayMap(rows, inner);
        for (int64_t j = 1; j < count; ++j) acc += ConstArrayMap(rows + j * inner, inner);
    };
    if (outer == 1 && chunk_count(n, rows_per_chunk) > 1) {
        // A bias gradient: (B*L, F) -> (F). Partial sums per row chunk, then added in order.
        const int64_t chunks = chunk_count(n, rows_per_chunk);
        std::vector<float> partial(static_cast<std::size_t>(chunks * inner));
        parallel_for(n, rows_per_chunk, [&](int64_t begin, int64_t end) {
            sum_rows(x + begin * inner, end - begin,
                     partial.data() + begin / rows_per_chunk * inner);
        });
        sum_rows(partial.data(), chunks, out);
        return;
    }
    const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n * inner, 1));
    parallel_for(outer, grain, [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o) {
            if (n == 0) {
                ArrayMap(out + o * inner, inner).setZero();
            } else {
                sum_rows(x + o * n * inner, n, out + o * inner);
            }
        }
    });
}

Shape reduced_shape(const Shape& shape, const std::vector<bool>& reduced, bool keepdims) {
    Shape out;
    for (int axis = 0; axis < shape.rank(); ++axis) {
        if (!reduced[axis]) {
            out.push_back(shape[axis]);
        } else if (keepdims) {
            out.push_back(1);
        }
    }
    return out;
}

// Sum over the masked axes, keeping them as size 1: one axis at a time, last first.
Tensor sum_keepdims(const Tensor& a, const std::vector<bool>& reduced) {
    Tensor current = a;
    for (int axis = a.rank() - 1; axis >= 0; --axis) {
        if (!reduced[axis]) continue;
        const Shape& shape = current.shape();
        int64_t outer = 1, inner = 1;
        for (int i = 0; i < axis; ++i) outer *= shape[i];
        for (int i = axis + 1; i < shape.rank(); ++i) inner *= shape[i];
        Shape out_shape = shape;
        out_shape[axis] = 1;
        Tensor out = empty(out_shape);
        sum_middle_axis(current.data(), out.data(), outer, shape[axis], inner);
        current = out;
    }
    return current.is_same(a) ? a.detach().clone() : current;
}

}  // namespace

std::vector<bool> detail::reduction_mask(const Shape& shape, const Axes& axes, const char* op) {
    std::vector<bool> reduced(static_cast<std::size_t>(shape.rank()), axes.empty());
    for (int64_t axis : axes) {
        const int position = shape.normalize_axis(axis, op);
        if (reduced[position]) {
            throw ValueError(std::string(op) + ": an axis is repeated (" + std::to_string(axis) +
                             " in shape " + shape.to_string() + ")");
        }
        reduced[position] = true;
    }
    return reduced;
}

Tensor sum(const Tensor& a) {
    const float* x = a.data();
    const double total = parallel_sum(
        a.numel(), kElementwiseGrain,
        [&](int64_t begin, int64_t end) { return ConstArrayMap(x + begin, end - begin).sum(); });
    Tensor out = full({}, static_cast<float>(total));
    return record(out, "sum", {a}, [](const GradContext& c) {
        c.add(0, broadcast_to(c.grad, c.inputs[0].shape()));
    });
}

Tensor sum(const Tensor& a, const Axes& axes, bool keepdims) {
    const std::vector<bool> normalized = detail::reduction_mask(a.shape(), axes, "sum");
    const Tensor kept = sum_keepdims(a.detach(), normalized);
    Tensor out =
        keepdims ? kept : kept.detach().reshape(reduced_shape(a.shape(), normalized, false));
    return record(out, "sum", {a}, [kept_shape = kept.shape()](const GradContext& c) {
        c.add(0, broadcast_to(c.grad.reshape(kept_shape), c.inputs[0].shape()));
    });
}

Tensor mean(const Tensor& a) {
    return sum(a) / static_cast<float>(a.numel());  // 0/0 = NaN for an empty tensor, as in PyTorch
}

Tensor mean(const Tensor& a, const Axes& axes, bool keepdims) {
    int64_t count = 1;
    const std::vector<bool> reduced = detail::reduction_mask(a.shape(), axes, "mean");
    for (int axis = 0; axis < a.rank(); ++axis) count *= reduced[axis] ? a.shape()[axis] : 1;
    return sum(a, axes, keepdims) / static_cast<float>(count);
}

Tensor sum_to(const Tensor& a, const Shape& shape) {
    if (a.shape() == shape) return a;
    if (broadcast_shapes(a.shape(), shape, "sum_to") != a.shape()) {
        throw ShapeError("sum_to: cannot sum " + a.shape().to_string() + " down to " +
                         shape.to_string());
    }
    Axes axes;
    const int lead = a.rank() - shape.rank();
    for (int axis = 0; axis < a.rank(); ++axis) {
        if (axis < lead || (shape[axis - lead] == 1 && a.shape()[axis] != 1)) axes.push_back(axis);
    }
    return reshape(sum(a, axes, true), shape);
}

Tensor broadcast_to(const Tensor& a, const Shape& shape) {
    if (a.shape() == shape) return a;
    if (broadcast_shapes(a.shape(), shape, "broadcast_to") != shape) {
        throw ShapeError("broadcast_to: cannot broadcast " + a.shape().to_string() + " to " +
                         shape.to_string());
    }
    Tensor out = empty(shape);
    // A copy is a binary broadcast with a scalar operand that is ignored.
    kernels::broadcast_binary(a, zeros({}), out, [](float x, float) { return x; });
    return record(out, "broadcast_to", {a},
                  [](const GradContext& c) { c.add(0, sum_to(c.grad, c.inputs[0].shape())); });
}

}  // namespace minidl
