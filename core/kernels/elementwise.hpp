// Elementwise kernels: Eigen array expressions over fixed chunks (vectorised, thread-count
// independent), and broadcasting loops for binary ops.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>

#include "minidl/core/parallel.hpp"
#include "minidl/core/tensor.hpp"

namespace minidl::kernels {

using ArrayMap = Eigen::Map<Eigen::ArrayXf>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXf>;

/// out = f(x) for an Eigen array expression f, e.g. [](const auto& x) { return x.exp(); }.
template <class F>
void map_unary(const float* x, float* out, int64_t n, const F& f) {
    parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
        ArrayMap(out + begin, end - begin) = f(ConstArrayMap(x + begin, end - begin));
    });
}

/// out = f(x, y, g) for an Eigen array expression of three equally long arrays; the shape of a
/// unary op's backward (input, output, output gradient).
template <class F>
void map_ternary(const float* x, const float* y, const float* g, float* out, int64_t n,
                 const F& f) {
    parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
        const int64_t len = end - begin;
        ArrayMap(out + begin, len) = f(ConstArrayMap(x + begin, len), ConstArrayMap(y + begin, len),
                                       ConstArrayMap(g + begin, len));
    });
}

/// Strides of `shape` aligned to an output of rank `rank`, 0 along broadcast axes.
std::array<int64_t, Shape::kMaxRank> broadcast_strides(const Shape& shape, int rank);

/// out[i] = f(a[i'], b[i'']) where a and b broadcast to out's shape; f is a scalar function.
template <class F>
void broadcast_binary(const Tensor& a, const Tensor& b, const Tensor& out, const F& f) {
    const float* pa = a.data();
    const float* pb = b.data();
    float* po = out.data();
    const Shape& shape = out.shape();
    const int64_t n = shape.numel();
    if (a.shape() == shape && b.shape() == shape) {
        parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) po[i] = f(pa[i], pb[i]);
        });
        return;
    }
    // General case: rows along the last axis, whose operands step by 0 or 1.
    const int rank = shape.rank();
    const auto sa = broadcast_strides(a.shape(), rank);
    const auto sb = broadcast_strides(b.shape(), rank);
    const int64_t inner = shape.back();
    const int64_t rows = inner == 0 ? 0 : n / inner;
    const int64_t step_a = rank == 0 ? 0 : sa[rank - 1];
    const int64_t step_b = rank == 0 ? 0 : sb[rank - 1];
    const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(inner, 1));
    parallel_for(rows, grain, [&](int64_t row_begin, int64_t row_end) {
        for (int64_t row = row_begin; row < row_end; ++row) {
            int64_t offset_a = 0, offset_b = 0, rest = row;
            for (int axis = rank - 2; axis >= 0; --axis) {
                const int64_t index = rest % shape[axis];
                rest /= shape[axis];
                offset_a += index * sa[axis];
                offset_b += index * sb[axis];
            }
            const float* ra = pa + offset_a;
            const float* rb = pb + offset_b;
            float* ro = po + row * inner;
            // Separate loops per stride pattern so each one vectorises.
            if (step_a == 1 && step_b == 1) {
                for (int64_t j = 0; j < inner; ++j) ro[j] = f(ra[j], rb[j]);
            } else if (step_a == 1) {
                const float vb = rb[0];
                for (int64_t j = 0; j < inner; ++j) ro[j] = f(ra[j], vb);
            } else if (step_b == 1) {
                const float va = ra[0];
                for (int64_t j = 0; j < inner; ++j) ro[j] = f(va, rb[j]);
            } else {
                const float v = f(ra[0], rb[0]);
                for (int64_t j = 0; j < inner; ++j) ro[j] = v;
            }
        }
    });
}

/// dst += src for equally shaped tensors.
void add_inplace(const Tensor& dst, const Tensor& src);

/// Fills `t` with `value`.
void fill(const Tensor& t, float value);

/// out = the sum of `count` per-chunk partial results [count, n], added in chunk order: each
/// element sums its partials in the same order whatever the split of the n elements, so a
/// reduction over fixed chunks (parallel.hpp) stays bit-identical for any thread count.
void sum_partials(const float* partials, int64_t count, int64_t n, float* out);

}  // namespace minidl::kernels
