#include "minidl/core/creation.hpp"

#include <algorithm>
#include <cmath>

#include "minidl/core/error.hpp"
#include "minidl/core/kernels/elementwise.hpp"

namespace minidl {
namespace {

// Random values are drawn one after another from a single generator, so a seed gives the same
// tensor on any number of threads.
template <class Draw>
Tensor random_tensor(const Shape& shape, const Draw& draw) {
    Tensor t = empty(shape);
    float* d = t.data();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) d[i] = draw();
    return t;
}

}  // namespace

Tensor full(const Shape& shape, float value) {
    Tensor t = empty(shape);
    kernels::fill(t, value);
    return t;
}

Tensor zeros(const Shape& shape) { return full(shape, 0.0f); }
Tensor ones(const Shape& shape) { return full(shape, 1.0f); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape()); }
Tensor scalar(float value) { return full({}, value); }

Tensor arange(float start, float end, float step) {
    if (step == 0.0f || !std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step)) {
        throw ValueError("arange: step must be non-zero and all bounds finite (start " +
                         std::to_string(start) + ", end " + std::to_string(end) + ", step " +
                         std::to_string(step) + ")");
    }
    const double count = std::ceil((static_cast<double>(end) - start) / step);
    // Beyond 2^40 elements (4 TiB) the request is surely a mistake, and the cast could overflow.
    if (count > 0x1.0p40) {
        throw ValueError("arange: [" + std::to_string(start) + ", " + std::to_string(end) +
                         ") in steps of " + std::to_string(step) + " has too many elements");
    }
    const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(count));
    Tensor t = empty(Shape{n});
    float* d = t.data();
    for (int64_t i = 0; i < n; ++i)
        d[i] = static_cast<float>(start + static_cast<double>(i) * step);
    return t;
}

Tensor arange(int64_t n) { return arange(0.0f, static_cast<float>(n)); }

Tensor tensor(const std::vector<float>& values, const Shape& shape) {
    if (static_cast<int64_t>(values.size()) != shape.numel()) {
        throw ShapeError("tensor: " + std::to_string(values.size()) + " values for shape " +
                         shape.to_string() + " (" + std::to_string(shape.numel()) + " elements)");
    }
    Tensor t = empty(shape);
    std::copy(values.begin(), values.end(), t.data());
    return t;
}

Tensor tensor(const std::vector<float>& values) {
    return tensor(values, Shape{static_cast<int64_t>(values.size())});
}

Tensor rand(const Shape& shape, Generator& gen) {
    return random_tensor(shape, [&] { return gen.uniform_float(); });
}

Tensor uniform(const Shape& shape, float low, float high, Generator& gen) {
    if (!(low <= high)) {
        throw ValueError("uniform: low " + std::to_string(low) + " is above high " +
                         std::to_string(high));
    }
    // low + (high - low) * u can round up to high itself; the interval is half-open.
    const float below_high = low < high ? std::nextafter(high, low) : high;
    return random_tensor(
        shape, [&] { return std::min(low + (high - low) * gen.uniform_float(), below_high); });
}

Tensor randn(const Shape& shape, Generator& gen) {
    return random_tensor(shape, [&] { return static_cast<float>(gen.normal()); });
}

Tensor normal(const Shape& shape, float mean, float stddev, Generator& gen) {
    if (!(stddev >= 0.0f)) {
        throw ValueError("normal: stddev " + std::to_string(stddev) + " is negative");
    }
    return random_tensor(shape, [&] { return static_cast<float>(mean + stddev * gen.normal()); });
}

}  // namespace minidl
