// Batched matrix product on Eigen's GEMM.
//
// Eigen's own threading is off (EIGEN_DONT_PARALLELIZE), so the work is split here into tasks
// of one batch times a block of kRowBlock output rows. The tasks depend only on the shapes, and
// each is one Eigen call on the same sizes whichever thread runs it, so the result is
// bit-identical for any thread count.
#include <Eigen/Core>
#include <algorithm>

#include "minidl/core/error.hpp"
#include "minidl/core/kernels/elementwise.hpp"
#include "minidl/core/op_helpers.hpp"

namespace minidl {
namespace {

using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMajorMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMajorMatrix>;

/// Output rows per task: enough for Eigen's kernels to run at full speed (each task re-packs the
/// right operand, which for SepNet's [B*L, C] x [C, C] products costs ~C/kRowBlock of the
/// packing of the left one), few enough to spread a mid-sized product over the cores.
constexpr int64_t kRowBlock = 256;
/// Multiply-adds below which a chunk of tasks is not worth handing to another thread.
constexpr int64_t kMinMultiplyAddsPerChunk = int64_t{1} << 18;
/// Inner-dimension chunk of a split-k product (see gemm_split_k). Measured with Eigen 3.4 on
/// [64 x 131072] by [131072 x 64]: chunks of 256-2048 run 10% faster than one product,
/// while 4096 and 8192 run 2-2.5x slower.
constexpr int64_t kInnerChunk = 2048;

/// One operand: a [.., rows, cols] tensor used as is, or as [.., cols, rows] when `transposed`.
struct Operand {
    const Tensor& tensor;
    bool transposed;

    int64_t stored_rows() const { return tensor.shape()[tensor.rank() - 2]; }
    int64_t stored_cols() const { return tensor.shape().back(); }
    int64_t rows() const { return transposed ? stored_cols() : stored_rows(); }
    int64_t cols() const { return transposed ? stored_rows() : stored_cols(); }
    int64_t matrix_size() const { return stored_rows() * stored_cols(); }
};

Shape batch_shape(const Shape& shape) {
    Shape batch;
    for (int axis = 0; axis + 2 < shape.rank(); ++axis) batch.push_back(shape[axis]);
    return batch;
}

// For each batch of the (broadcast) output, where its operand matrix starts in the operand.
std::vector<int64_t> batch_offsets(const Shape& operand_batch, const Shape& batch,
                                   int64_t matrix_size) {
    const auto strides = kernels::broadcast_strides(operand_batch, batch.rank());
    const auto batch_strides = batch.strides();
    std::vector<int64_t> offsets(static_cast<std::size_t>(batch.numel()));
    for (int64_t i = 0; i < batch.numel(); ++i) {
        int64_t offset = 0;
        for (int axis = 0; axis < batch.rank(); ++axis) {
            offset += i / batch_strides[axis] % batch[axis] * strides[axis];
        }
        offsets[i] = offset * matrix_size;
    }
    return offsets;
}

// out = lhs * rows [k_begin, k_begin + k_len) of op(B), where B is stored [k, m], or [m, k]
// and transposed.
template <class Lhs>
void multiply_into(MatrixMap out, const Lhs& lhs, const float* rhs, bool rhs_transposed, int64_t k,
                   int64_t m, int64_t k_begin, int64_t k_len) {
    if (rhs_transposed) {
        out.noalias() = lhs * ConstMatrixMap(rhs, m, k).middleCols(k_begin, k_len).transpose();
    } else {
        out.noalias() = lhs * ConstMatrixMap(rhs, k, m).middleRows(k_begin, k_len);
    }
}

// Rows [begin, begin + count) of C = op(A) op(B), with op(A) [n, k] and op(B) [k, m].
void gemm_rows(const float* a, bool a_transposed, const float* b, bool b_transposed, float* c,
               int64_t n, int64_t k, int64_t m, int64_t begin, int64_t count) {
    MatrixMap out(c + begin * m, count, m);
    if (k == 0) {
        out.setZero();  // an empty sum
    } else if (a_transposed) {
        const auto lhs = ConstMatrixMap(a, k, n).middleCols(begin, count).transpose();
        multiply_into(out, lhs, b, b_transposed, k, m, 0, k);
    } else {
        multiply_into(out, ConstMatrixMap(a + begin * k, count, k), b, b_transposed, k, m, 0, k);
    }
}

// C = op(A) op(B) for one small output with a long inner dimension, e.g. a weight gradient
// [Cin, C] = Xᵀ dY summed over B*L rows, which as a single row-block task would run on one
// thread. The inner dimension is cut into fixed chunks of kInnerChunk, the partial products
// are computed in parallel and added in chunk order, so the bits do not depend on the thread
// count.
void gemm_split_k(const float* a, bool a_transposed, const float* b, bool b_transposed, float* c,
                  int64_t n, int64_t k, int64_t m) {
    const int64_t chunks = chunk_count(k, kInnerChunk);
    Tensor partials = empty({chunks, n, m});
    float* p = partials.data();
    parallel_for(k, kInnerChunk, [&](int64_t begin, int64_t end) {
        const int64_t len = end - begin;
        MatrixMap out(p + begin / kInnerChunk * n * m, n, m);
        if (a_transposed) {
            const auto lhs = ConstMatrixMap(a, k, n).middleRows(begin, len).transpose();
            multiply_into(out, lhs, b, b_transposed, k, m, begin, len);
        } else {
            const auto lhs = ConstMatrixMap(a, n, k).middleCols(begin, len);
            multiply_into(out, lhs, b, b_transposed, k, m, begin, len);
        }
    });
    kernels::ArrayMap sum(c, n * m);
    sum = kernels::ConstArrayMap(p, n * m);
    for (int64_t i = 1; i < chunks; ++i) sum += kernels::ConstArrayMap(p + i * n * m, n * m);
}

// op(A) op(B) with the batch axes broadcast; shapes are checked by the caller. Not recorded.
Tensor batched_product(const Operand& lhs, const Operand& rhs) {
    const Shape batch = broadcast_shapes(batch_shape(lhs.tensor.shape()),
                                         batch_shape(rhs.tensor.shape()), "matmul");
    const int64_t n = lhs.rows(), k = lhs.cols(), m = rhs.cols();
    Shape out_shape = batch;
    out_shape.push_back(n);
    out_shape.push_back(m);
    Tensor out = empty(out_shape);

    // A shared 2-D right operand: the batches of an untransposed left operand are just more
    // rows of one big product.
    const bool fold_batches = rhs.tensor.rank() == 2 && !lhs.transposed;
    const int64_t batches = fold_batches ? 1 : batch.numel();
    const int64_t rows = fold_batches ? batch.numel() * n : n;
    const std::vector<int64_t> lhs_offsets =
        fold_batches ? std::vector<int64_t>{0}
                     : batch_offsets(batch_shape(lhs.tensor.shape()), batch, lhs.matrix_size());
    const std::vector<int64_t> rhs_offsets =
        fold_batches ? std::vector<int64_t>{0}
                     : batch_offsets(batch_shape(rhs.tensor.shape()), batch, rhs.matrix_size());

    const int64_t blocks = chunk_count(rows, kRowBlock);
    if (batches == 1 && blocks == 1 && k >= 2 * kInnerChunk) {
        gemm_split_k(lhs.tensor.data(), lhs.transposed, rhs.tensor.data(), rhs.transposed,
                     out.data(), rows, k, m);
        return out;
    }
    const int64_t tasks = batches * blocks;
    const int64_t work_per_task = std::max<int64_t>(1, std::min(rows, kRowBlock) * k * m);
    const int64_t grain = std::max<int64_t>(1, kMinMultiplyAddsPerChunk / work_per_task);
    const float* a = lhs.tensor.data();
    const float* b = rhs.tensor.data();
    float* c = out.data();
    parallel_for(tasks, grain, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t batch_index = task / blocks;
            const int64_t first_row = task % blocks * kRowBlock;
            gemm_rows(a + lhs_offsets[batch_index], lhs.transposed, b + rhs_offsets[batch_index],
                      rhs.transposed, c + batch_index * rows * m, rows, k, m, first_row,
                      std::min(kRowBlock, rows - first_row));
        }
    });
    return out;
}

void check_operands(const Shape& a, const Shape& b) {
    const std::string prefix = "matmul: cannot multiply " + a.to_string() + " by " + b.to_string();
    if (a.rank() < 2 || b.rank() < 2) throw ShapeError(prefix + " (both need rank >= 2)");
    if (a.back() != b[b.rank() - 2]) throw ShapeError(prefix);
    try {
        broadcast_shapes(batch_shape(a), batch_shape(b), "matmul");
    } catch (const ShapeError&) {
        throw ShapeError(prefix + " (the batch axes do not broadcast)");
    }
}

// [.., rows, cols] viewed as [(..) * rows, cols].
Tensor as_rows(const Tensor& t) {
    int64_t rows = 1;
    for (int axis = 0; axis + 1 < t.rank(); ++axis) rows *= t.shape()[axis];
    return t.reshape(Shape{rows, t.shape().back()});
}

// dB = Aᵀ dC, summed over the batches that B was broadcast to.
Tensor grad_of_rhs(const Tensor& a, const Tensor& grad, const Shape& b_shape) {
    if (b_shape.rank() == 2 && a.rank() > 2) {
        // B shared by all batches: one product over all rows, [k, B*n] by [B*n, m], instead of
        // a product per batch and a sum.
        const Tensor rows_a = as_rows(a);
        const Tensor rows_grad = as_rows(grad);
        return batched_product({rows_a, true}, {rows_grad, false});
    }
    return sum_to(batched_product({a, true}, {grad, false}), b_shape);
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
    check_operands(a.shape(), b.shape());
    Tensor out = batched_product({a, false}, {b, false});
    return record(out, "matmul", {a, b}, [](const GradContext& c) {
        const Tensor& a = c.inputs[0];
        const Tensor& b = c.inputs[1];
        // dA = dC Bᵀ; summed over the batches A was broadcast to.
        if (c.needs(0)) c.add(0, sum_to(batched_product({c.grad, false}, {b, true}), a.shape()));
        if (c.needs(1)) c.add(1, grad_of_rhs(a, c.grad, b.shape()));
    });
}

}  // namespace minidl
