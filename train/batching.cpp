#include "minidl/train/batching.hpp"

#include <cmath>
#include <cstring>
#include <numeric>

#include "minidl/core/autograd.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/train/text_internal.hpp"

namespace minidl::detail {

int64_t sample_count(const Tensor& t, const std::string& what) {
    if (!t.defined()) throw ValueError(what + " is undefined");
    if (t.rank() == 0) throw ValueError(what + " must have a batch axis, got a scalar");
    return t.size(0);
}

void require_samples(const Tensor& t, int64_t samples, const std::string& what,
                     const std::string& reference) {
    if (!t.defined()) return;
    if (t.rank() == 0 || t.size(0) != samples) {
        throw ValueError(what + " has shape " + t.shape().to_string() + ", but " + reference +
                         " has " + std::to_string(samples) +
                         " samples: both need the same number of samples");
    }
}

Tensor take_rows(const Tensor& t, const std::vector<int64_t>& rows) {
    if (!t.defined()) return {};
    Shape shape = t.shape();
    const int64_t row_size = shape.size(0) == 0 ? 0 : t.numel() / shape.size(0);
    shape[0] = static_cast<int64_t>(rows.size());
    Tensor result = zeros(shape);
    const Tensor source = t.detach();
    const float* from = source.data();
    float* to = result.data();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::memcpy(to + static_cast<int64_t>(i) * row_size, from + rows[i] * row_size,
                    static_cast<std::size_t>(row_size) * sizeof(float));
    }
    return result;
}

std::vector<int64_t> sample_order(int64_t n, bool shuffle, Generator& generator) {
    std::vector<int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    if (!shuffle) return order;
    for (int64_t i = n - 1; i > 0; --i) {
        const auto j = static_cast<int64_t>(generator.next_u64() % static_cast<uint64_t>(i + 1));
        std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
    }
    return order;
}

std::vector<int64_t> batch_rows(const std::vector<int64_t>& order, int64_t begin, int64_t end) {
    return {order.begin() + begin, order.begin() + end};
}

namespace {

/// Keras's rule: the keys are the classes 0 .. n-1, each once (keys are unique in a map, so
/// the smallest being 0 and the largest n-1 is enough).
void check_class_ids(const std::map<int64_t, double>& class_weight) {
    const auto classes = static_cast<int64_t>(class_weight.size());
    if (class_weight.begin()->first == 0 && class_weight.rbegin()->first == classes - 1) return;
    std::string found = "{";
    for (const auto& [id, weight] : class_weight) {
        if (found.size() > 1) found += ", ";
        found += std::to_string(id) + ": " + train_text::python_float_repr(weight);
    }
    throw ValueError(
        "fit: Expected `class_weight` to be a dict with keys from 0 to one less than the number "
        "of classes, found " +
        found + "}");
}

}  // namespace

Tensor class_sample_weights(const Tensor& y, const std::map<int64_t, double>& class_weight) {
    if (class_weight.empty()) return {};
    check_class_ids(class_weight);
    if (y.rank() > 2) {
        throw ValueError(
            "fit: class_weight is not supported for targets of rank > 2, got y of "
            "shape " +
            y.shape().to_string());
    }
    const bool one_hot = y.rank() == 2 && y.size(1) > 1;
    Tensor classes;
    {
        NoGradGuard no_grad;
        classes = one_hot ? argmax(y.detach(), 1) : y.detach().reshape({y.size(0)});
    }
    const std::vector<float> labels = classes.to_vector();
    std::vector<float> weights(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const double label = labels[i];
        const auto found = class_weight.find(static_cast<int64_t>(label));
        if (label != std::floor(label) || found == class_weight.end()) {
            throw ValueError("fit: class_weight has no weight for class " + format_number(label) +
                             " (sample " + std::to_string(i) + ")");
        }
        weights[i] = static_cast<float>(found->second);
    }
    return tensor(weights, {static_cast<int64_t>(weights.size())});
}

Tensor combine_weights(const Tensor& sample_weight, const Tensor& class_weights) {
    if (!class_weights.defined()) return sample_weight;
    if (!sample_weight.defined()) return class_weights;
    NoGradGuard no_grad;
    Shape shape = class_weights.shape();
    for (int axis = 1; axis < sample_weight.rank(); ++axis) shape.push_back(1);
    return sample_weight * class_weights.reshape(shape);
}

}  // namespace minidl::detail
