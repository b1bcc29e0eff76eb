// The embedding lookup: a row gather whose backward scatter-adds the picks' gradients into the
// weight gradient. The scatter groups the picks by row first (a counting sort), so every row's
// sum runs in pick order inside one task: the bits do not depend on the thread count.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "minidl/core/autograd.hpp"
#include "minidl/core/creation.hpp"
#include "minidl/core/error.hpp"
#include "minidl/core/ops.hpp"
#include "minidl/core/parallel.hpp"

namespace minidl {
namespace {

/// The picks grouped by weight row: rows_begin[r] .. rows_begin[r + 1] index `picks`, which
/// lists pick positions in increasing order within each row.
struct PicksByRow {
    std::vector<int64_t> rows_begin;
    std::vector<int64_t> picks;
};

PicksByRow group_by_row(const std::vector<int64_t>& rows, int64_t num_rows) {
    PicksByRow grouped;
    grouped.rows_begin.assign(static_cast<std::size_t>(num_rows + 1), 0);
    for (int64_t row : rows) ++grouped.rows_begin[row + 1];
    for (int64_t r = 0; r < num_rows; ++r) grouped.rows_begin[r + 1] += grouped.rows_begin[r];
    std::vector<int64_t> next(grouped.rows_begin.begin(), grouped.rows_begin.end() - 1);
    grouped.picks.resize(rows.size());
    for (std::size_t pick = 0; pick < rows.size(); ++pick) {
        grouped.picks[next[rows[pick]]++] = static_cast<int64_t>(pick);
    }
    return grouped;
}

/// The indices as row numbers; checked before any work so the error leaves no partial result.
std::vector<int64_t> checked_rows(const Tensor& indices, int64_t num_rows) {
    const float* values = indices.data();
    std::vector<int64_t> rows(static_cast<std::size_t>(indices.numel()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const float v = values[i];
        if (!(v >= 0.0f && v < static_cast<float>(num_rows) && std::floor(v) == v)) {
            throw IndexError("embedding: index " + format_number(v) + " at position " +
                             std::to_string(i) + " is not an integer in [0, " +
                             std::to_string(num_rows) + ")");
        }
        rows[i] = static_cast<int64_t>(v);
    }
    return rows;
}

}  // namespace

Tensor embedding(const Tensor& weights, const Tensor& indices) {
    if (weights.rank() != 2) {
        throw ShapeError("embedding: weights must have rank 2 [rows, dim], got " +
                         weights.shape().to_string());
    }
    const int64_t num_rows = weights.size(0);
    const int64_t dim = weights.size(1);
    std::vector<int64_t> rows = checked_rows(indices, num_rows);
    Shape out_shape = indices.shape();
    out_shape.push_back(dim);
    Tensor out = empty(out_shape);
    const float* w = weights.data();
    float* o = out.data();
    const auto picks = static_cast<int64_t>(rows.size());
    const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(dim, 1));
    parallel_for(picks, grain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            std::memcpy(o + i * dim, w + rows[i] * dim,
                        static_cast<std::size_t>(dim) * sizeof(float));
        }
    });
    return record(out, "embedding", {weights, indices},
                  [rows = std::move(rows), num_rows, dim, grain](const GradContext& c) {
                      if (!c.needs(0)) return;
                      const PicksByRow grouped = group_by_row(rows, num_rows);
                      Tensor grad_weights = zeros({num_rows, dim});
                      float* gw = grad_weights.data();
                      const float* g = c.grad.data();
                      parallel_for(num_rows, grain, [&](int64_t begin, int64_t end) {
                          for (int64_t r = begin; r < end; ++r) {
                              float* target = gw + r * dim;
                              for (int64_t k = grouped.rows_begin[r]; k < grouped.rows_begin[r + 1];
                                   ++k) {
                                  const float* source = g + grouped.picks[k] * dim;
                                  for (int64_t d = 0; d < dim; ++d) target[d] += source[d];
                              }
                          }
                      });
                      c.add(0, grad_weights);
                  });
}

}  // namespace minidl
