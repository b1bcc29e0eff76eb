// matmul: values, broadcasting of batch axes, gradients, accuracy and thread-count independence.

#include <catch2/catch.hpp>
#include <cmath>

#include "gradcheck.hpp"
#include "test_support.hpp"

using namespace minidl;

namespace {

using Values = std::vector<float>;

using testing::seeded_randn;

Shape batch_of(const Shape& shape) {
    Shape batch;
    for (int axis = 0; axis + 2 < shape.rank(); ++axis) batch.push_back(shape[axis]);
    return batch;
}

// The index into an operand's batch axes for an output batch index (NumPy broadcasting).
int64_t operand_batch(int64_t out_batch, const Shape& batch, const Shape& operand) {
    const Shape own = batch_of(operand);
    int64_t index = 0, stride = 1, rest = out_batch;
    for (int axis = batch.rank() - 1; axis >= 0; --axis) {
        const int64_t i = rest % batch[axis];
        rest /= batch[axis];
        const int own_axis = axis - (batch.rank() - own.rank());
        if (own_axis < 0) continue;
        if (own[own_axis] != 1) index += i * stride;
        stride *= own[own_axis];
    }
    return index;
}

// A double-precision triple loop, with NumPy batch broadcasting; also returns, per element,
// sum_k |a_ik b_kj|, the scale of that element's rounding error.
struct Reference {
    std::vector<double> values;
    std::vector<double> scale;
};

Reference naive_matmul(const Tensor& a, const Tensor& b, const Shape& out_shape) {
    const int64_t n = a.shape()[a.rank() - 2], k = a.shape().back(), m = b.shape().back();
    const Shape batch = batch_of(out_shape);
    Reference ref{std::vector<double>(out_shape.numel()), std::vector<double>(out_shape.numel())};
    for (int64_t t = 0; t < batch.numel(); ++t) {
        const float* pa = a.data() + operand_batch(t, batch, a.shape()) * n * k;
        const float* pb = b.data() + operand_batch(t, batch, b.shape()) * k * m;
        for (int64_t i = 0; i < n; ++i) {
            for (int64_t j = 0; j < m; ++j) {
                double total = 0.0, scale = 0.0;
                for (int64_t p = 0; p < k; ++p) {
                    const double term = static_cast<double>(pa[i * k + p]) * pb[p * m + j];
                    total += term;
                    scale += std::abs(term);
                }
                ref.values[(t * n + i) * m + j] = total;
                ref.scale[(t * n + i) * m + j] = scale;
            }
        }
    }
    return ref;
}

// Largest error of `c` relative to the reference's per-element scale.
double max_relative_error(const Tensor& c, const Reference& ref) {
    double worst = 0.0;
    for (int64_t i = 0; i < c.numel(); ++i) {
        const double error = std::abs(c.data()[i] - ref.values[i]);
        worst = std::max(worst, error / std::max(ref.scale[i], 1e-30));
    }
    return worst;
}

void check_against_naive(const Tensor& a, const Tensor& b, const Shape& expected_shape) {
    const Tensor c = matmul(a, b);
    REQUIRE(c.shape() == expected_shape);
    CHECK(max_relative_error(c, naive_matmul(a, b, expected_shape)) < 1e-5);
}

}  // namespace

TEST_CASE("matmul of two matrices, by hand") {
    const Tensor a = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
    const Tensor b = tensor({7, 8, 9, 10, 11, 12}, {3, 2});
    const Tensor c = matmul(a, b);
    CHECK(c.shape() == Shape{2, 2});
    CHECK(c.to_vector() == Values{58, 64, 139, 154});
    CHECK(matmul(b, a).to_vector() == Values{39, 54, 69, 49, 68, 87, 59, 82, 105});
}

TEST_CASE("matmul with an empty inner axis gives zeros") {
    const Tensor c = matmul(zeros({2, 0}), zeros({0, 3}));
    CHECK(c.shape() == Shape{2, 3});
    CHECK(c.to_vector() == Values(6, 0.0f));
    CHECK(matmul(zeros({0, 2}), zeros({2, 3})).shape() == Shape{0, 3});
}

TEST_CASE("batched matmul multiplies batch by batch") {
    const Tensor a = tensor({1, 0, 0, 1, 2, 1, 0, 3}, {2, 2, 2});
    const Tensor b = tensor({1, 2, 3, 4, 1, 1, 1, 1}, {2, 2, 2});
    CHECK(matmul(a, b).to_vector() == Values{1, 2, 3, 4, 3, 3, 3, 3});
    check_against_naive(seeded_randn({3, 4, 5}, 1), seeded_randn({3, 5, 2}, 2), {3, 4, 2});
}

TEST_CASE("batch axes broadcast under NumPy's rules") {
    check_against_naive(seeded_randn({2, 1, 3, 4}, 3), seeded_randn({5, 4, 2}, 4), {2, 5, 3, 2});
    check_against_naive(seeded_randn({1, 3, 4}, 5), seeded_randn({2, 1, 4, 2}, 6), {2, 1, 3, 2});
    check_against_naive(seeded_randn({3, 1, 2, 3}, 7), seeded_randn({1, 4, 3, 2}, 8), {3, 4, 2, 2});
}

TEST_CASE("a 2-D operand is shared by every batch") {
    const Tensor shared = tensor({1, 0, 0, 2}, {2, 2});
    const Tensor batched = tensor({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2});
    CHECK(matmul(batched, shared).to_vector() == Values{1, 4, 3, 8, 5, 12, 7, 16});
    CHECK(matmul(shared, batched).to_vector() == Values{1, 2, 6, 8, 5, 6, 14, 16});
    // More rows than one block of work, on both sides.
    check_against_naive(seeded_randn({3, 50, 7}, 9), seeded_randn({7, 5}, 10), {3, 50, 5});
    check_against_naive(seeded_randn({70, 7}, 11), seeded_randn({2, 3, 7, 5}, 12), {2, 3, 70, 5});
}

TEST_CASE("matmul gradients") {
    auto f = [](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); };
    SECTION("2-D by 2-D") {
        CHECK_GRADIENTS(f, {seeded_randn({3, 4}, 13), seeded_randn({4, 2}, 14)});
    }
    SECTION("batched by batched") {
        CHECK_GRADIENTS(f, {seeded_randn({2, 3, 4}, 15), seeded_randn({2, 4, 2}, 16)});
    }
    SECTION("broadcast batch axes on both sides") {
        CHECK_GRADIENTS(f, {seeded_randn({2, 1, 2, 3}, 17), seeded_randn({3, 3, 2}, 18)});
        CHECK_GRADIENTS(f, {seeded_randn({1, 3, 2, 3}, 19), seeded_randn({2, 1, 3, 2}, 20)});
    }
    SECTION("a shared 2-D right operand") {
        CHECK_GRADIENTS(f, {seeded_randn({2, 3, 2, 4}, 21), seeded_randn({4, 3}, 22)});
    }
    SECTION("a shared 2-D left operand") {
        CHECK_GRADIENTS(f, {seeded_randn({2, 3}, 23), seeded_randn({4, 3, 2}, 24)});
    }
    SECTION("the same tensor on both sides") {
        auto square = [](const std::vector<Tensor>& in) { return matmul(in[0], in[0]); };
        CHECK_GRADIENTS(square, {seeded_randn({2, 3, 3}, 25)});
    }
}

TEST_CASE("matmul gradients only for the operands that need one") {
    Tensor a = seeded_randn({2, 3}, 26).requires_grad_();
    const Tensor b = seeded_randn({3, 4}, 27);
    sum(matmul(a, b)).backward();
    CHECK(a.grad().shape() == Shape{2, 3});
    CHECK_FALSE(b.grad().defined());
    CHECK(matmul(a, b).grad_fn_name() == "matmul");
}

TEST_CASE("matmul shape errors") {
    CHECK_THROWS_AS(matmul(zeros({3, 4}), zeros({5, 2})), ShapeError);
    CHECK_THROWS_WITH(matmul(zeros({3, 4}), zeros({5, 2})),
                      "matmul: cannot multiply [3, 4] by [5, 2]");
    CHECK_THROWS_WITH(matmul(zeros({4}), zeros({4, 2})),
                      Catch::StartsWith("matmul: cannot multiply [4] by [4, 2]"));
    CHECK_THROWS_AS(matmul(zeros({2, 4}), zeros({4})), ShapeError);
    CHECK_THROWS_WITH(matmul(zeros({2, 3, 4}), zeros({3, 4, 5})),
                      Catch::StartsWith("matmul: cannot multiply [2, 3, 4] by [3, 4, 5]"));
}

TEST_CASE("a large matmul matches a double-precision triple loop") {
    const Tensor a = seeded_randn({300, 200}, 28);
    const Tensor b = seeded_randn({200, 150}, 29);
    const Tensor c = matmul(a, b);
    const Reference ref = naive_matmul(a, b, {300, 150});
    CHECK(max_relative_error(c, ref) < 1e-4);
    // Also relative to each element's own value where that is not tiny.
    double worst = 0.0;
    for (int64_t i = 0; i < c.numel(); ++i) {
        if (std::abs(ref.values[i]) > 1.0) {
            worst =
                std::max(worst, std::abs(c.data()[i] - ref.values[i]) / std::abs(ref.values[i]));
        }
    }
    CHECK(worst < 1e-4);
}

TEST_CASE("a long inner dimension (split into chunks) matches a double-precision loop") {
    // k = 9000 is cut into several fixed chunks, the last one partial; the weight gradient
    // dB = A^T dC of a [9000, 5] x [5, 7] product takes the same path.
    const Tensor a = seeded_randn({6, 9000}, 34);
    const Tensor b = seeded_randn({9000, 7}, 35);
    check_against_naive(a, b, {6, 7});

    Tensor x = seeded_randn({9000, 5}, 36);
    Tensor w = seeded_randn({5, 7}, 37).requires_grad_();
    const Tensor g = seeded_randn({9000, 7}, 38);
    matmul(x, w).backward(g);
    check_against_naive(transpose(x, 0, 1).detach(), g, {5, 7});  // the same product, forward
    const Reference ref = naive_matmul(transpose(x, 0, 1).detach(), g, {5, 7});
    CHECK(max_relative_error(w.grad(), ref) < 1e-5);
}

TEST_CASE("matmul results and gradients do not depend on the thread count") {
    const Tensor a = seeded_randn({4, 130, 70}, 30);
    const Tensor b = seeded_randn({70, 90}, 31);
    const Tensor big_a = seeded_randn({300, 200}, 32);
    const Tensor big_b = seeded_randn({200, 150}, 33);
    auto run = [&](int threads) {
        const testing::ThreadCount scoped_threads(threads);
        Tensor x = a.detach().clone().requires_grad_();
        Tensor y = b.detach().clone().requires_grad_();
        sum(matmul(x, y) * matmul(x, y)).backward();
        Tensor long_rows = seeded_randn({9000, 5}, 39).requires_grad_();
        Tensor weight = seeded_randn({5, 7}, 40).requires_grad_();
        sum(square(matmul(long_rows, weight))).backward();  // dW = Xᵀ dY takes the split-k path
        std::vector<Values> results{matmul(big_a, big_b).to_vector(), x.grad().to_vector(),
                                    y.grad().to_vector(), weight.grad().to_vector(),
                                    long_rows.grad().to_vector()};
        return results;
    };
    const auto one = run(1);
    const auto several = run(3);
    CHECK(one == several);
}
