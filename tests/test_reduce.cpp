// Reductions: sum/mean over everything or over axes (negative, several, keepdims), the
// broadcasting pair sum_to / broadcast_to, their gradients and their errors. Values are checked
// by hand and against a naive double-precision reference over every subset of axes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "gradcheck.hpp"

using namespace minidl;

namespace {

Tensor matrix_2x3() { return tensor({1, 2, 3, 4, 5, 6}, {2, 3}); }

/// Sum over `axes` (non-negative, any order; empty means every axis) the obvious way: each
/// input element is added, in double, to the output element its kept axes select.
std::vector<float> reference_sum(const Tensor& t, const Axes& axes) {
    const Shape& s = t.shape();
    const auto reduced = [&](int axis) {
        return axes.empty() || std::find(axes.begin(), axes.end(), axis) != axes.end();
    };
    int64_t out_count = 1;
    for (int axis = 0; axis < s.rank(); ++axis) out_count *= reduced(axis) ? 1 : s[axis];
    std::vector<double> out(static_cast<std::size_t>(out_count), 0.0);
    for (int64_t flat = 0; flat < t.numel(); ++flat) {
        int64_t rest = flat, out_index = 0, out_stride = 1;
        for (int axis = s.rank() - 1; axis >= 0; --axis) {
            const int64_t i = rest % s[axis];
            rest /= s[axis];
            if (!reduced(axis)) {
                out_index += i * out_stride;
                out_stride *= s[axis];
            }
        }
        out[out_index] += t.data()[flat];
    }
    return {out.begin(), out.end()};
}

/// Every subset of the axes of a rank-`rank` tensor, as lists of non-negative axes.
std::vector<Axes> axis_subsets(int rank) {
    std::vector<Axes> subsets;
    for (int bits = 1; bits < (1 << rank); ++bits) {
        Axes axes;
        for (int axis = 0; axis < rank; ++axis) {
            if (bits & (1 << axis)) axes.push_back(axis);
        }
        subsets.push_back(axes);
    }
    return subsets;
}

/// The same axes counted from the end (-1 is the last), in reverse order.
Axes negated(const Axes& axes, int rank) {
    Axes result;
    for (auto it = axes.rbegin(); it != axes.rend(); ++it) result.push_back(*it - rank);
    return result;
}

Shape expected_shape(const Shape& in, const Axes& axes, bool keepdims) {
    Shape out;
    for (int axis = 0; axis < in.rank(); ++axis) {
        if (std::find(axes.begin(), axes.end(), axis) == axes.end()) {
            out.push_back(in[axis]);
        } else if (keepdims) {
            out.push_back(1);
        }
    }
    return out;
}

std::string axes_to_string(const Axes& axes) {
    std::string s;
    for (int64_t axis : axes) s += std::to_string(axis) + " ";
    return s;
}

Approx close_to(double value) { return Approx(value).epsilon(1e-5).margin(1e-5); }

}  // namespace

// ---- sum and mean: values ----

TEST_CASE("sum and mean over everything, hand-computed") {
    const Tensor m = matrix_2x3();
    CHECK(sum(m).item() == 21.0f);
    CHECK(sum(m).shape() == Shape{});
    CHECK(mean(m).item() == 3.5f);
    CHECK(sum(scalar(4.0f)).item() == 4.0f);
    CHECK(sum(zeros({0})).item() == 0.0f);
    CHECK(sum(zeros({3, 0, 2})).item() == 0.0f);
}

TEST_CASE("sum and mean over one axis, hand-computed, with and without keepdims") {
    const Tensor m = matrix_2x3();
    CHECK(sum(m, {0}).to_vector() == std::vector<float>{5, 7, 9});
    CHECK(sum(m, {0}).shape() == Shape{3});
    CHECK(sum(m, {0}, true).shape() == Shape{1, 3});
    CHECK(sum(m, {1}).to_vector() == std::vector<float>{6, 15});
    CHECK(sum(m, {-1}).to_vector() == std::vector<float>{6, 15});
    CHECK(sum(m, {-1}, true).shape() == Shape{2, 1});
    CHECK(sum(m, {-2}).to_vector() == std::vector<float>{5, 7, 9});
    CHECK(mean(m, {0}).to_vector() == std::vector<float>{2.5f, 3.5f, 4.5f});
    CHECK(mean(m, {1}, true).to_vector() == std::vector<float>{2, 5});
    CHECK(mean(m, {1}, true).shape() == Shape{2, 1});
}

TEST_CASE("sum over several axes, and over none meaning all") {
    const Tensor m = matrix_2x3();
    CHECK(sum(m, {0, 1}).item() == 21.0f);
    CHECK(sum(m, {0, 1}).shape() == Shape{});
    CHECK(sum(m, {1, 0}, true).shape() == Shape{1, 1});
    CHECK(sum(m, {}).shape() == Shape{});
    CHECK(sum(m, {}, true).shape() == Shape{1, 1});
    CHECK(mean(m, {-1, 0}).item() == 3.5f);
    const Tensor cube = arange(24).reshape({2, 3, 4});
    CHECK(sum(cube, {0, 2}).to_vector() == std::vector<float>{60, 92, 124});
    CHECK(sum(cube, {-3, -1}, true).shape() == Shape{1, 3, 1});
}

TEST_CASE("sum and mean over size-0 axes give zeros of the kept shape") {
    CHECK(sum(zeros({2, 0}), {1}).to_vector() == std::vector<float>{0, 0});
    CHECK(sum(zeros({0, 3}), {0}).to_vector() == std::vector<float>{0, 0, 0});
    CHECK(sum(zeros({2, 0, 3}), {1}).to_vector() == std::vector<float>(6, 0.0f));
}

TEST_CASE("sum over an axis in front of a size-0 axis gives an empty result") {
    // Regression: with inner == 0 (here [3, 0] summed over axis 0) sum_middle_axis divided by
    // zero (SIGFPE); the gradient of a broadcast such as [3, 1] + [0] reaches it through sum_to.
    CHECK(sum(zeros({3, 0}), {0}).shape() == Shape{0});
    CHECK(sum(zeros({2, 3, 0}), {1}, true).shape() == Shape{2, 1, 0});
    Tensor a = ones({3, 1}).requires_grad_();
    Tensor b = ones({0}).requires_grad_();
    sum(a + b).backward();
    CHECK(a.grad().to_vector() == std::vector<float>{0, 0, 0});
    CHECK(b.grad().shape() == Shape{0});
}

TEST_CASE("sum over every subset of axes matches the reference, axes given either way") {
    Generator gen(17);
    const Tensor t = randn({2, 3, 4, 5}, gen);
    for (const Axes& axes : axis_subsets(t.rank())) {
        const std::vector<float> expected = reference_sum(t, axes);
        for (const bool keepdims : {false, true}) {
            for (const Axes& spelled : {axes, negated(axes, t.rank())}) {
                INFO("axes " << axes_to_string(spelled) << "keepdims " << keepdims);
                const Tensor s = sum(t, spelled, keepdims);
                CHECK(s.shape() == expected_shape(t.shape(), axes, keepdims));
                CHECK_THAT(s.to_vector(), Catch::Matchers::Approx(expected).margin(1e-5));
            }
        }
    }
}

TEST_CASE("mean over every subset of axes is the sum divided by the count") {
    Generator gen(18);
    const Tensor t = randn({3, 1, 4}, gen);
    for (const Axes& axes : axis_subsets(t.rank())) {
        int64_t count = 1;
        for (int64_t axis : axes) count *= t.shape()[static_cast<int>(axis)];
        std::vector<float> expected = reference_sum(t, axes);
        for (float& v : expected) v /= static_cast<float>(count);
        INFO("axes " << axes_to_string(axes));
        CHECK_THAT(mean(t, axes).to_vector(), Catch::Matchers::Approx(expected).margin(1e-6));
        CHECK(mean(t, axes, true).shape() == expected_shape(t.shape(), axes, true));
    }
}

TEST_CASE("sums of large tensors split over chunks match the reference") {
    Generator gen(19);
    const Tensor m = uniform({4096, 300}, -1.0f, 1.0f, gen);
    // Axis 0 takes the per-chunk partial-sum path (a bias gradient); axis 1 the row path.
    CHECK_THAT(sum(m, {0}).to_vector(),
               Catch::Matchers::Approx(reference_sum(m, {0})).margin(1e-3));
    CHECK_THAT(sum(m, {1}).to_vector(),
               Catch::Matchers::Approx(reference_sum(m, {1})).margin(1e-4));
    const Tensor cube = m.reshape({64, 64, 300});
    CHECK_THAT(sum(cube, {1}).to_vector(),
               Catch::Matchers::Approx(reference_sum(cube, {1})).margin(1e-4));
    const Tensor v = uniform({int64_t{1} << 20}, 0.0f, 1.0f, gen);
    CHECK(sum(v).item() == close_to(reference_sum(v, {})[0]));
    CHECK(sum(v, {0}).item() == close_to(reference_sum(v, {})[0]));
    CHECK(mean(v).item() == close_to(reference_sum(v, {})[0] / (1 << 20)));
}

// ---- sum and mean: errors ----

TEST_CASE("sum and mean reject axes out of range and repeated axes") {
    const Tensor m = matrix_2x3();
    CHECK_THROWS_AS(sum(m, {2}), IndexError);
    CHECK_THROWS_WITH(sum(m, {2}), "sum: axis 2 is out of range for shape [2, 3]");
    CHECK_THROWS_WITH(sum(m, {-3}), "sum: axis -3 is out of range for shape [2, 3]");
    CHECK_THROWS_WITH(mean(m, {5}), "mean: axis 5 is out of range for shape [2, 3]");
    CHECK_THROWS_AS(sum(m, {0, 0}), ValueError);
    CHECK_THROWS_AS(sum(m, {1, -1}), ValueError);
    CHECK_THROWS_WITH(sum(m, {0, -2}), Catch::Contains("sum: an axis is repeated"));
    CHECK_THROWS_WITH(mean(m, {1, -1}), Catch::Contains("mean: an axis is repeated"));
    CHECK_THROWS_AS(sum(scalar(1.0f), {0}), IndexError);
}

// ---- sum and mean: gradients ----

TEST_CASE("sum and mean over everything have correct gradients") {
    Generator gen(20);
    const auto sum_all = [](const std::vector<Tensor>& in) { return sum(in[0]); };
    const auto mean_all = [](const std::vector<Tensor>& in) { return mean(in[0]); };
    for (const Shape& shape : {Shape{2, 3}, Shape{}, Shape{5}, Shape{2, 1, 3}}) {
        INFO(shape);
        CHECK_GRADIENTS(sum_all, {randn(shape, gen)});
        CHECK_GRADIENTS(mean_all, {randn(shape, gen)});
    }
    Tensor x = ones({2, 2}).requires_grad_();
    mean(x).backward();
    CHECK(x.grad().to_vector() == std::vector<float>(4, 0.25f));
}

TEST_CASE("sum and mean over axes have correct gradients, keepdims or not") {
    Generator gen(21);
    const Tensor t = randn({2, 3, 4}, gen);
    for (const Axes& axes : axis_subsets(t.rank())) {
        for (const bool keepdims : {false, true}) {
            for (const Axes& spelled : {axes, negated(axes, t.rank())}) {
                INFO("axes " << axes_to_string(spelled) << "keepdims " << keepdims);
                CHECK_GRADIENTS(
                    [&](const std::vector<Tensor>& in) { return sum(in[0], spelled, keepdims); },
                    {t});
                CHECK_GRADIENTS(
                    [&](const std::vector<Tensor>& in) { return mean(in[0], spelled, keepdims); },
                    {t});
            }
        }
    }
}

TEST_CASE("a reduction's gradient is broadcast back along the reduced axes") {
    Tensor x = matrix_2x3().requires_grad_();
    sum(x, {1}).backward(tensor({10, 20}));
    CHECK(x.grad().to_vector() == std::vector<float>{10, 10, 10, 20, 20, 20});
    x.zero_grad();
    mean(x, {0}, true).backward(tensor({2, 4, 6}, {1, 3}));
    CHECK(x.grad().to_vector() == std::vector<float>{1, 2, 3, 1, 2, 3});
    CHECK(sum(x, {0}).grad_fn_name() == "sum");
}

// ---- sum_to and broadcast_to ----

TEST_CASE("sum_to sums a broadcast result back down to the operand's shape") {
    const Tensor cube = arange(24).reshape({2, 3, 4});
    CHECK(sum_to(cube, {3, 1}).to_vector() == std::vector<float>{60, 92, 124});
    CHECK(sum_to(cube, {3, 1}).shape() == Shape{3, 1});
    CHECK(sum_to(cube, {4}).to_vector() == reference_sum(cube, {0, 1}));
    CHECK(sum_to(cube, {}).item() == 276.0f);
    CHECK(sum_to(cube, {1, 1, 4}).shape() == Shape{1, 1, 4});
    CHECK(sum_to(cube, {2, 1, 4}).to_vector() == reference_sum(cube, {1}));
    CHECK(sum_to(cube, {1, 3, 4}).shape() == Shape{1, 3, 4});
    CHECK(sum_to(cube, {2, 3, 4}).is_same(cube));  // nothing to sum: the same tensor
    CHECK(sum_to(tensor({1, 2}, {1, 2}), {2}).to_vector() == std::vector<float>{1, 2});
}

TEST_CASE("sum_to rejects shapes the tensor was not broadcast from") {
    CHECK_THROWS_AS(sum_to(zeros({3}), {2, 3}), ShapeError);
    CHECK_THROWS_WITH(sum_to(zeros({3}), {2, 3}), "sum_to: cannot sum [3] down to [2, 3]");
    CHECK_THROWS_WITH(sum_to(zeros({2, 1}), {2, 3}), "sum_to: cannot sum [2, 1] down to [2, 3]");
    CHECK_THROWS_WITH(sum_to(zeros({2, 3}), {4}), "sum_to: cannot broadcast [2, 3] with [4]");
}

TEST_CASE("broadcast_to repeats along new and size-1 axes") {
    const Tensor col = tensor({1, 2, 3}, {3, 1});
    const Tensor b = broadcast_to(col, {2, 3, 2});
    CHECK(b.shape() == Shape{2, 3, 2});
    CHECK(b.to_vector() == std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3});
    CHECK(broadcast_to(scalar(5.0f), {2, 2}).to_vector() == std::vector<float>(4, 5.0f));
    CHECK(broadcast_to(tensor({1, 2}), {2, 2}).to_vector() == std::vector<float>{1, 2, 1, 2});
    CHECK(broadcast_to(col, {3, 1}).is_same(col));
}

TEST_CASE("broadcast_to rejects shapes the tensor cannot broadcast to") {
    CHECK_THROWS_AS(broadcast_to(zeros({2, 3}), {3}), ShapeError);
    CHECK_THROWS_WITH(broadcast_to(zeros({2, 3}), {3}),
                      "broadcast_to: cannot broadcast [2, 3] to [3]");
    CHECK_THROWS_WITH(broadcast_to(zeros({2, 3}), {2, 1}),
                      "broadcast_to: cannot broadcast [2, 3] to [2, 1]");
    CHECK_THROWS_WITH(broadcast_to(zeros({2}), {3}), "broadcast_to: cannot broadcast [2] with [3]");
}

TEST_CASE("sum_to and broadcast_to have correct gradients") {
    Generator gen(22);
    struct Case {
        Shape big, small;
    };
    const std::vector<Case> cases{
        {{2, 3, 4}, {3, 1}},    {{2, 3, 4}, {4}}, {{2, 3, 4}, {}},
        {{2, 3, 4}, {2, 1, 4}}, {{5, 1}, {1}},    {{3, 2}, {3, 2}},
    };
    for (const Case& c : cases) {
        INFO(c.big << " <-> " << c.small);
        CHECK_GRADIENTS([&c](const std::vector<Tensor>& in) { return sum_to(in[0], c.small); },
                        {randn(c.big, gen)});
        CHECK_GRADIENTS([&c](const std::vector<Tensor>& in) { return broadcast_to(in[0], c.big); },
                        {randn(c.small, gen)});
    }
    Tensor x = tensor({1, 2}).requires_grad_();
    const Tensor b = broadcast_to(x, {3, 2});
    CHECK(b.grad_fn_name() == "broadcast_to");
    sum(b).backward();
    CHECK(x.grad().to_vector() == std::vector<float>{3, 3});
}

TEST_CASE("mean of an empty tensor is NaN, as in PyTorch") {
    CHECK(std::isnan(mean(zeros({0})).item()));
    CHECK(std::isnan(mean(zeros({2, 0}), {1}).data()[1]));
}
