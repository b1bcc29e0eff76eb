// Factories that create tensors.
#pragma once

#include <cstdint>
#include <vector>

#include "minidl/core/generator.hpp"
#include "minidl/core/tensor.hpp"

namespace minidl {

Tensor zeros(const Shape& shape);
Tensor ones(const Shape& shape);
Tensor full(const Shape& shape, float value);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
/// A scalar (rank 0) tensor.
Tensor scalar(float value);
/// start, start+step, ... (< end), as a 1-D tensor; arange(n) is 0..n-1.
Tensor arange(float start, float end, float step = 1.0f);
Tensor arange(int64_t n);
/// A tensor holding a copy of `values`; throws ShapeError when the count differs from the shape's.
Tensor tensor(const std::vector<float>& values, const Shape& shape);
/// A 1-D tensor holding a copy of `values`.
Tensor tensor(const std::vector<float>& values);
/// Uniform in [0, 1).
Tensor rand(const Shape& shape, Generator& gen = default_generator());
/// Standard normal.
Tensor randn(const Shape& shape, Generator& gen = default_generator());
/// Uniform in [low, high).
Tensor uniform(const Shape& shape, float low, float high, Generator& gen = default_generator());
/// Normal with the given mean and standard deviation.
Tensor normal(const Shape& shape, float mean, float stddev, Generator& gen = default_generator());

}  // namespace minidl
