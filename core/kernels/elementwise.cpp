#include "minidl/core/kernels/elementwise.hpp"

#include "minidl/core/error.hpp"

namespace minidl::kernels {

std::array<int64_t, Shape::kMaxRank> broadcast_strides(const Shape& shape, int rank) {
    std::array<int64_t, Shape::kMaxRank> strides{};
    const auto own = shape.strides();
    const int lead = rank - shape.rank();
    for (int axis = 0; axis < shape.rank(); ++axis) {
        strides[lead + axis] = shape[axis] == 1 ? 0 : own[axis];
    }
    return strides;
}

void add_inplace(const Tensor& dst, const Tensor& src) {
    if (dst.shape() != src.shape()) {
        throw ShapeError("add_inplace: shapes " + dst.shape().to_string() + " and " +
                         src.shape().to_string() + " differ");
    }
    float* d = dst.data();
    const float* s = src.data();
    parallel_for(dst.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
        ArrayMap(d + begin, end - begin) += ConstArrayMap(s + begin, end - begin);
    });
}

void fill(const Tensor& t, float value) {
    float* d = t.data();
    parallel_for(t.numel(), kElementwiseGrain,
                 [&](int64_t begin, int64_t end) { std::fill(d + begin, d + end, value); });
}

void sum_partials(const float* partials, int64_t count, int64_t n, float* out) {
    parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
        ArrayMap total(out + begin, end - begin);
        total.setZero();
        for (int64_t i = 0; i < count; ++i)
            total += ConstArrayMap(partials + i * n + begin, end - begin);
    });
}

}  // namespace minidl::kernels
