// Ops that rearrange values into a new tensor: transpose, permute, slice, concat, stack, pad,
// one_hot. All of them but one_hot are a strided copy (copy_strided below) between the input
// and a window of the output, or the other way round; their gradients are the opposite copy.
#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/op_helpers.hpp"

namespace minidl {
namespace {

using Strides = std::array<int64_t, Shape::kMaxRank>;

// One axis of a strided copy: its size and the step it takes in the source and destination.
struct CopyAxis {
    int64_t size;
    int64_t src_stride;
    int64_t dst_stride;
};

// The axes of a copy with size-1 axes dropped and neighbours merged where both sides step
// through them as one longer axis, so the innermost loop runs as long as possible (a concat
// along axis 0 becomes one memcpy per input).
std::vector<CopyAxis> coalesced_axes(const Shape& shape, const Strides& src, const Strides& dst) {
    std::vector<CopyAxis> axes;
    for (int i = 0; i < shape.rank(); ++i) {
        if (shape[i] == 1) continue;
        const CopyAxis axis{shape[i], src[i], dst[i]};
        if (!axes.empty()) {
            CopyAxis& outer = axes.back();
            if (outer.src_stride == axis.src_stride * axis.size &&
                outer.dst_stride == axis.dst_stride * axis.size) {
                outer = {outer.size * axis.size, axis.src_stride, axis.dst_stride};
                continue;
            }
        }
        axes.push_back(axis);
    }
    if (axes.empty()) axes.push_back({1, 1, 1});  // a single element
    return axes;
}

// dst[i . dst_strides] = src[i . src_strides] for every index i of `shape`. The rows (all
// axes but the innermost) are split over threads; each row is a contiguous or strided loop.
// Side of the square tiles a transpose is copied in: 16 x 16 floats touch 16 cache lines on
// each side, which stay in L1 while the tile is copied.
constexpr int64_t kTransposeTile = 16;

// Whether the two innermost axes swap their layout (read contiguously along one, written
// contiguously along the other), as in transpose(x, 1, 2) of a [B, C, L] tensor. Copied row
// by row, every read (or write) would then step by a whole row, one cache line per float.
bool is_transposed_plane(const std::vector<CopyAxis>& axes) {
    if (axes.size() < 2) return false;
    const CopyAxis& inner = axes.back();
    const CopyAxis& outer = axes[axes.size() - 2];
    return inner.dst_stride == 1 && inner.src_stride != 1 && outer.src_stride == 1;
}

// copy_strided for is_transposed_plane(axes): each plane of the two innermost axes is copied
// in square tiles. Tasks are (plane, band of kTransposeTile rows), fixed by the shape.
void copy_transposed_planes(const float* src, float* dst, const std::vector<CopyAxis>& axes) {
    const CopyAxis columns = axes.back();         // written contiguously
    const CopyAxis rows = axes[axes.size() - 2];  // read contiguously
    const int plane_rank = static_cast<int>(axes.size()) - 2;
    int64_t planes = 1;
    for (int d = 0; d < plane_rank; ++d) planes *= axes[d].size;
    const int64_t bands = chunk_count(rows.size, kTransposeTile);
    const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / (kTransposeTile * columns.size));
    parallel_for(planes * bands, grain, [&](int64_t task_begin, int64_t task_end) {
        for (int64_t task = task_begin; task < task_end; ++task) {
            int64_t src_offset = 0, dst_offset = 0;
            for (int64_t d = plane_rank - 1, rest = task / bands; d >= 0; --d) {
                const int64_t index = rest % axes[d].size;
                rest /= axes[d].size;
                src_offset += index * axes[d].src_stride;
                dst_offset += index * axes[d].dst_stride;
            }
            const int64_t row_begin = (task % bands) * kTransposeTile;
            const int64_t row_end = std::min(rows.size, row_begin + kTransposeTile);
            for (int64_t c0 = 0; c0 < columns.size; c0 += kTransposeTile) {
                const int64_t c1 = std::min(columns.size, c0 + kTransposeTile);
                for (int64_t r = row_begin; r < row_end; ++r) {
                    const float* s = src + src_offset + r;
                    float* t = dst + dst_offset + r * rows.dst_stride;
                    for (int64_t c = c0; c < c1; ++c) t[c] = s[c * columns.src_stride];
                }
            }
        }
    });
}

void copy_strided(const float* src, const Strides& src_strides, float* dst,
                  const Strides& dst_strides, const Shape& shape) {
    if (shape.numel() == 0) return;
    const std::vector<CopyAxis> axes = coalesced_axes(shape, src_strides, dst_strides);
    if (is_transposed_plane(axes)) {
        copy_transposed_planes(src, dst, axes);
        return;
    }
    const CopyAxis inner = axes.back();
    const int outer_rank = static_cast<int>(axes.size()) - 1;
    const int64_t rows = shape.numel() / inner.size;
    const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / inner.size);
    parallel_for(rows, grain, [&](int64_t row_begin, int64_t row_end) {
        // The starting row's index, then an odometer: no division per row.
        std::array<int64_t, Shape::kMaxRank> index{};
        int64_t src_offset = 0, dst_offset = 0;
        for (int64_t d = outer_rank - 1, rest = row_begin; d >= 0; --d) {
            index[d] = rest % axes[d].size;
            rest /= axes[d].size;
            src_offset += index[d] * axes[d].src_stride;
            dst_offset += index[d] * axes[d].dst_stride;
        }
        for (int64_t row = row_begin; row < row_end; ++row) {
            const float* s = src + src_offset;
            float* t = dst + dst_offset;
            if (inner.src_stride == 1 && inner.dst_stride == 1) {
                std::copy(s, s + inner.size, t);
            } else {
                for (int64_t j = 0; j < inner.size; ++j) {
                    t[j * inner.dst_stride] = s[j * inner.src_stride];
                }
            }
            for (int d = outer_rank - 1; d >= 0; --d) {
                src_offset += axes[d].src_stride;
                dst_offset += axes[d].dst_stride;
                if (++index[d] < axes[d].size) break;
                src_offset -= axes[d].size * axes[d].src_stride;
                dst_offset -= axes[d].size * axes[d].dst_stride;
                index[d] = 0;
            }
        }
    });
}

// The positions start, start+step, ... along one axis of a tensor: a slice's source, or the
// place where concat and pad put an input.
struct Window {
    int axis;
    int64_t start;
    int64_t step;
};

// The strides of `whole` restricted to `window`, and the offset of the window's first element.
std::pair<Strides, int64_t> window_layout(const Shape& whole, const Window& window) {
    Strides strides = whole.strides();
    const int64_t offset = window.start * strides[window.axis];
    strides[window.axis] *= window.step;
    return {strides, offset};
}

// A new tensor of `part_shape` holding the window of `whole`.
Tensor copy_from_window(const Tensor& whole, const Window& window, const Shape& part_shape) {
    Tensor part = empty(part_shape);
    const auto [strides, offset] = window_layout(whole.shape(), window);
    copy_strided(whole.data() + offset, strides, part.data(), part_shape.strides(), part_shape);
    return part;
}

// Writes `part` into the window of `whole`.
void copy_into_window(const Tensor& part, const Tensor& whole, const Window& window) {
    const auto [strides, offset] = window_layout(whole.shape(), window);
    copy_strided(part.data(), part.shape().strides(), whole.data() + offset, strides, part.shape());
}

// out axis i = input axis order[i]; the gradient goes back through the inverse permutation.
Tensor permuted_copy(const Tensor& a, const std::vector<int>& order, const char* name) {
    const Shape& in = a.shape();
    const Strides in_strides = in.strides();
    Shape out_shape;
    Strides src_strides{};
    for (std::size_t i = 0; i < order.size(); ++i) {
        out_shape.push_back(in[order[i]]);
        src_strides[i] = in_strides[order[i]];
    }
    Tensor out = empty(out_shape);
    copy_strided(a.data(), src_strides, out.data(), out_shape.strides(), out_shape);
    return record(out, name, {a}, [order](const GradContext& c) {
        c.add(0, permute(c.grad, detail::inverse_permutation(order)));
    });
}

// Python's rule for a slice bound: negative counts from the end, then clip to [0, size].
int64_t clip_slice_bound(int64_t bound, int64_t size) {
    if (bound < 0) bound += size;
    return std::clamp<int64_t>(bound, 0, size);
}

void check_same_rank_and_sizes(const Shape& first, const Shape& other, int axis, const char* op) {
    bool match = first.rank() == other.rank();
    for (int i = 0; match && i < first.rank(); ++i) match = i == axis || first[i] == other[i];
    if (!match) {
        throw ShapeError(std::string(op) + ": cannot join " + first.to_string() + " and " +
                         other.to_string() + " along axis " + std::to_string(axis));
    }
}

void check_not_empty(const std::vector<Tensor>& tensors, const char* op) {
    if (tensors.empty()) throw ValueError(std::string(op) + ": needs at least one tensor");
}

// "[1, -1]"; Shape::to_string would reject the negative entries.
std::string format_axes(const Axes& axes) {
    std::string s = "[";
    for (std::size_t i = 0; i < axes.size(); ++i) {
        s += (i > 0 ? ", " : "") + std::to_string(axes[i]);
    }
    return s + "]";
}

std::string format_value(float value) {
    std::ostringstream os;
    os << value;
    return os.str();
}

}  // namespace

Tensor transpose(const Tensor& a, int64_t axis0, int64_t axis1) {
    const int first = a.shape().normalize_axis(axis0, "transpose");
    const int second = a.shape().normalize_axis(axis1, "transpose");
    std::vector<int> order(static_cast<std::size_t>(a.rank()));
    for (int i = 0; i < a.rank(); ++i) order[i] = i;
    std::swap(order[first], order[second]);
    return permuted_copy(a, order, "transpose");
}

Tensor permute(const Tensor& a, const Axes& dims) {
    const Shape& shape = a.shape();
    std::vector<int> order;
    std::vector<bool> seen(static_cast<std::size_t>(shape.rank()), false);
    bool valid = static_cast<int>(dims.size()) == shape.rank();
    for (std::size_t i = 0; valid && i < dims.size(); ++i) {
        const int64_t axis = dims[i] < 0 ? dims[i] + shape.rank() : dims[i];
        valid = axis >= 0 && axis < shape.rank() && !seen[axis];
        if (valid) {
            seen[axis] = true;
            order.push_back(static_cast<int>(axis));
        }
    }
    if (!valid) {
        throw ValueError("permute: " + format_axes(dims) +
                         " is not a permutation of the axes of shape " + shape.to_string());
    }
    return permuted_copy(a, order, "permute");
}

Tensor slice(const Tensor& a, int64_t axis, int64_t start, int64_t end, int64_t step) {
    const Shape& in = a.shape();
    const int position = in.normalize_axis(axis, "slice");
    if (step < 1) throw ValueError("slice: step must be >= 1, got " + std::to_string(step));
    const int64_t first = clip_slice_bound(start, in[position]);
    const int64_t last = clip_slice_bound(end, in[position]);
    Shape out_shape = in;
    out_shape[position] = last > first ? (last - first + step - 1) / step : 0;
    const Window window{position, first, step};
    Tensor out = copy_from_window(a, window, out_shape);
    return record(out, "slice", {a}, [window](const GradContext& c) {
        Tensor grad = zeros(c.inputs[0].shape());
        copy_into_window(c.grad, grad, window);
        c.add(0, grad);
    });
}

Tensor concat(const std::vector<Tensor>& tensors, int64_t axis) {
    check_not_empty(tensors, "concat");
    const Shape& first = tensors.front().shape();
    const int position = first.normalize_axis(axis, "concat");
    Shape out_shape = first;
    out_shape[position] = 0;
    std::vector<int64_t> starts;
    for (const Tensor& t : tensors) {
        check_same_rank_and_sizes(first, t.shape(), position, "concat");
        starts.push_back(out_shape[position]);
        out_shape[position] += t.shape()[position];
    }
    Tensor out = empty(out_shape);
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        copy_into_window(tensors[i], out, {position, starts[i], 1});
    }
    return record(out, "concat", tensors, [position, starts](const GradContext& c) {
        for (std::size_t i = 0; i < starts.size(); ++i) {
            if (!c.needs(i)) continue;
            const int64_t size = c.inputs[i].shape()[position];
            c.add(i, slice(c.grad, position, starts[i], starts[i] + size));
        }
    });
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t axis) {
    check_not_empty(tensors, "stack");
    const Shape& first = tensors.front().shape();
    for (const Tensor& t : tensors) {
        if (t.shape() != first) {
            throw ShapeError("stack: cannot stack " + first.to_string() + " and " +
                             t.shape().to_string() + " (shapes must be equal)");
        }
    }
    // The new axis may be anywhere from 0 to rank, so normalise against the result's rank.
    Shape out_rank_shape = first;
    out_rank_shape.push_back(1);
    const int position = out_rank_shape.normalize_axis(axis, "stack");
    std::vector<Tensor> expanded;
    for (const Tensor& t : tensors) expanded.push_back(unsqueeze(t.detach(), position));
    Tensor out = concat(expanded, position);
    return record(out, "stack", tensors, [position](const GradContext& c) {
        for (std::size_t i = 0; i < c.inputs.size(); ++i) {
            if (!c.needs(i)) continue;
            const auto index = static_cast<int64_t>(i);
            c.add(i, squeeze(slice(c.grad, position, index, index + 1), position));
        }
    });
}

Tensor pad(const Tensor& a, int64_t axis, int64_t before, int64_t after, float value) {
    const int position = a.shape().normalize_axis(axis, "pad");
    if (before < 0 || after < 0) {
        throw ValueError("pad: before and after must be >= 0, got " + std::to_string(before) +
                         " and " + std::to_string(after));
    }
    Shape out_shape = a.shape();
    out_shape[position] += before + after;
    Tensor out = full(out_shape, value);
    copy_into_window(a, out, {position, before, 1});
    return record(out, "pad", {a}, [position, before](const GradContext& c) {
        const int64_t size = c.inputs[0].shape()[position];
        c.add(0, slice(c.grad, position, before, before + size));
    });
}

Tensor one_hot(const Tensor& indices, int64_t num_classes) {
    if (num_classes < 1) {
        throw ValueError("one_hot: num_classes must be >= 1, got " + std::to_string(num_classes));
    }
    Shape out_shape = indices.shape();
    out_shape.push_back(num_classes);
    const float* index = indices.data();
    const int64_t n = indices.numel();
    // Checked before any work, so that the error is thrown outside parallel regions.
    for (int64_t i = 0; i < n; ++i) {
        const float v = index[i];
        if (!(v >= 0.0f && v < static_cast<float>(num_classes) && std::floor(v) == v)) {
            throw ValueError("one_hot: index " + format_value(v) + " is not an integer in [0, " +
                             std::to_string(num_classes) + ")");
        }
    }
    Tensor out = zeros(out_shape);
    float* o = out.data();
    parallel_for(n, std::max<int64_t>(1, kElementwiseGrain / num_classes),
                 [&](int64_t begin, int64_t end) {
                     for (int64_t i = begin; i < end; ++i) {
                         o[i * num_classes + static_cast<int64_t>(index[i])] = 1.0f;
                     }
                 });
    return out;
}

}  // namespace minidl
