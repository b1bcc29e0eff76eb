// max, min and argmax. All three arrange the input as [groups, group_size] rows, one row per
// reduced group (the kept axes first, then the reduced ones, each in their original order, so
// a row lists its group in row-major order), and find each row's first winning element.
#include <algorithm>
#include <cmath>
#include <functional>

#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/op_helpers.hpp"

namespace minidl {
namespace {

// How a reduction over some axes sees its input.
struct Grouping {
    Axes order;            ///< permutation that moves the reduced axes last
    bool is_identity;      ///< the reduced axes are already the last ones: no copy needed
    Shape arranged_shape;  ///< the input's shape permuted by `order`
    int64_t groups;
    int64_t group_size;
    Shape out_shape;  ///< the result's shape (with or without the kept size-1 axes)
};

Grouping make_grouping(const Shape& shape, const Axes& axes, bool keepdims, const char* op) {
    const std::vector<bool> reduced = detail::reduction_mask(shape, axes, op);
    Grouping g{{}, true, {}, 1, 1, {}};
    for (int axis = 0; axis < shape.rank(); ++axis) {
        if (reduced[axis]) {
            if (keepdims) g.out_shape.push_back(1);
            continue;
        }
        g.order.push_back(axis);
        g.groups *= shape[axis];
        g.out_shape.push_back(shape[axis]);
    }
    for (int axis = 0; axis < shape.rank(); ++axis) {
        if (!reduced[axis]) continue;
        g.order.push_back(axis);
        g.group_size *= shape[axis];
    }
    for (int i = 0; i < shape.rank(); ++i) {
        g.is_identity = g.is_identity && g.order[i] == i;
        g.arranged_shape.push_back(shape[g.order[i]]);
    }
    if (g.group_size == 0 && g.groups > 0) {
        throw ValueError(std::string(op) + ": cannot reduce shape " + shape.to_string() +
                         " over an empty axis");
    }
    return g;
}

// The input's values as [groups, group_size]; a permuted copy only when the reduced axes are
// not already last.
Tensor grouped_rows(const Tensor& a, const Grouping& g) {
    const Tensor values = a.detach();
    const Tensor arranged = g.is_identity ? values : permute(values, g.order);
    return arranged.reshape(Shape{g.groups, g.group_size});
}

// NaN wins over numbers (it propagates, as in NumPy and PyTorch); otherwise `Order` decides.
template <class Order>
struct Beats {
    bool operator()(float candidate, float best) const {
        return Order()(candidate, best) || (std::isnan(candidate) && !std::isnan(best));
    }
};
using BeatsForMax = Beats<std::greater<float>>;
using BeatsForMin = Beats<std::less<float>>;

// Per row, the position of the first element that no later element beats.
template <class Better>
std::vector<int64_t> first_winners(const Tensor& rows, const Better& better) {
    const int64_t groups = rows.shape()[0];
    const int64_t size = rows.shape()[1];
    const float* values = rows.data();
    std::vector<int64_t> winners(static_cast<std::size_t>(groups));
    const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(size, 1));
    parallel_for(groups, grain, [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o) {
            const float* row = values + o * size;
            int64_t best = 0;
            float best_value = row[0];
            for (int64_t j = 1; j < size; ++j) {
                if (better(row[j], best_value)) {
                    best = j;
                    best_value = row[j];
                }
            }
            winners[o] = best;
        }
    });
    return winners;
}

// max or min: the winning values, with the gradient routed to the winners only.
template <class Better>
Tensor extremum(const Tensor& a, const Axes& axes, bool keepdims, const char* name) {
    const Grouping g = make_grouping(a.shape(), axes, keepdims, name);
    const Tensor rows = grouped_rows(a, g);
    std::vector<int64_t> winners = first_winners(rows, Better());
    Tensor out = empty(g.out_shape);
    const float* values = rows.data();
    float* o = out.data();
    for (int64_t i = 0; i < g.groups; ++i) o[i] = values[i * g.group_size + winners[i]];
    return record(out, name, {a}, [g, winners = std::move(winners)](const GradContext& c) {
        Tensor grad_rows = zeros({g.groups, g.group_size});
        float* dst = grad_rows.data();
        const float* src = c.grad.data();
        for (int64_t i = 0; i < g.groups; ++i) dst[i * g.group_size + winners[i]] = src[i];
        const Tensor arranged = grad_rows.reshape(g.arranged_shape);
        c.add(0,
              g.is_identity ? arranged : permute(arranged, detail::inverse_permutation(g.order)));
    });
}

}  // namespace

Tensor max(const Tensor& a) { return extremum<BeatsForMax>(a, {}, false, "max"); }

Tensor max(const Tensor& a, const Axes& axes, bool keepdims) {
    return extremum<BeatsForMax>(a, axes, keepdims, "max");
}

Tensor min(const Tensor& a) { return extremum<BeatsForMin>(a, {}, false, "min"); }

Tensor min(const Tensor& a, const Axes& axes, bool keepdims) {
    return extremum<BeatsForMin>(a, axes, keepdims, "min");
}

Tensor argmax(const Tensor& a, int64_t axis) {
    const Grouping g = make_grouping(a.shape(), {axis}, false, "argmax");
    const std::vector<int64_t> winners = first_winners(grouped_rows(a, g), BeatsForMax());
    Tensor out = empty(g.out_shape);
    std::transform(winners.begin(), winners.end(), out.data(),
                   [](int64_t index) { return static_cast<float>(index); });
    return out;
}

}  // namespace minidl
