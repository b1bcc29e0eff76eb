// The data side of fit/evaluate/predict: sample counts, batches of rows, per-epoch shuffling and
// Keras's class weights. Internal to train/.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "minidl/core/generator.hpp"
#include "minidl/core/tensor.hpp"

namespace minidl::detail {

/// The number of samples (size of axis 0) of `t`; ValueError naming `what` for an undefined or
/// rank-0 tensor.
int64_t sample_count(const Tensor& t, const std::string& what);

/// Throws ValueError naming both when `t` (if defined) does not have `samples` samples.
void require_samples(const Tensor& t, int64_t samples, const std::string& what,
                     const std::string& reference);

/// A new tensor of the rows rows[0], rows[1], ... of `t` (no graph); undefined for undefined t.
Tensor take_rows(const Tensor& t, const std::vector<int64_t>& rows);

/// 0 .. n-1, shuffled by Fisher-Yates with `generator` when `shuffle`.
std::vector<int64_t> sample_order(int64_t n, bool shuffle, Generator& generator);

/// Rows begin .. end-1 of `order`.
std::vector<int64_t> batch_rows(const std::vector<int64_t>& order, int64_t begin, int64_t end);

/// Keras's class_weight as one weight per sample: y holds class indices ([N] or [N, 1]) or
/// one-hot rows ([N, C], the argmax is the class). ValueError for keys other than 0 .. n-1 (as
/// Keras), a class without a weight or a target of rank > 2.
Tensor class_sample_weights(const Tensor& y, const std::map<int64_t, double>& class_weight);

/// sample_weight * class weights, either possibly undefined (then the other, or undefined).
Tensor combine_weights(const Tensor& sample_weight, const Tensor& class_weights);

}  // namespace minidl::detail
