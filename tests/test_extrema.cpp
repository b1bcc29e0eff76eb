// max, min (values and first-winner gradients) and argmax.
#include <catch2/catch.hpp>
#include <cmath>

#include "gradcheck.hpp"
#include "test_support.hpp"

using namespace minidl;

namespace {

using Values = std::vector<float>;

using testing::seeded_randn;

// The gradient of sum(f(x)) with respect to x.
template <class F>
Values gradient_of_sum(const Tensor& values, const F& f) {
    Tensor x = values.detach().clone().requires_grad_();
    sum(f(x)).backward();
    return x.grad().to_vector();
}

}  // namespace

TEST_CASE("max and min over all elements") {
    const Tensor x = tensor({3, -1, 7, 2, 7, -4}, {2, 3});
    CHECK(max(x).shape() == Shape{});
    CHECK(max(x).item() == 7.0f);
    CHECK(min(x).item() == -4.0f);
    CHECK(max(scalar(2.5f)).item() == 2.5f);
    CHECK(max(x, {}, true).shape() == Shape{1, 1});
}

TEST_CASE("max and min over given axes, with and without keepdims") {
    // x[i, j, k] = values below, shape [2, 2, 3]
    const Tensor x = tensor({1, 9, 3, 4, 0, 6, -2, 5, 8, 7, -1, 2}, {2, 2, 3});
    CHECK(max(x, {2}).to_vector() == Values{9, 6, 8, 7});
    CHECK(max(x, {-1}, true).shape() == Shape{2, 2, 1});
    CHECK(max(x, {0}).to_vector() == Values{1, 9, 8, 7, 0, 6});
    CHECK(max(x, {0}).shape() == Shape{2, 3});
    CHECK(min(x, {1}).to_vector() == Values{1, 0, 3, -2, -1, 2});
    CHECK(min(x, {0, 2}).to_vector() == Values{-2, -1});
    CHECK(min(x, {-1, 0}, true).shape() == Shape{1, 2, 1});
    CHECK(max(x, {0, 1, 2}).item() == 9.0f);
}

TEST_CASE("the gradient goes to the first maximal element of each group only") {
    const Tensor ties = tensor({1, 3, 3, 2});
    CHECK(gradient_of_sum(ties, [](const Tensor& x) { return max(x); }) == Values{0, 1, 0, 0});
    CHECK(gradient_of_sum(tensor({2, 1, 1}), [](const Tensor& x) { return min(x); }) ==
          Values{0, 1, 0});
    // Along axis 0 (not the last axis): column 0 ties in rows 1 and 2.
    const Tensor columns = tensor({1, 5, 5, 2, 5, 0}, {3, 2});
    CHECK(gradient_of_sum(columns, [](const Tensor& x) { return max(x, {0}); }) ==
          Values{0, 1, 1, 0, 0, 0});
    // Several axes: the first in row-major order of the group wins.
    const Tensor cube = tensor({0, 4, 4, 1, 4, 4, 2, 3}, {2, 2, 2});
    CHECK(gradient_of_sum(cube, [](const Tensor& x) {
              return max(x, {0, 2});
          }) == Values{0, 1, 1, 0, 0, 0, 0, 0});
    CHECK(gradient_of_sum(cube, [](const Tensor& x) { return max(x); }) ==
          Values{0, 1, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("max and min gradients") {
    auto all_max = [](const std::vector<Tensor>& in) { return max(in[0]); };
    CHECK_GRADIENTS(all_max, {seeded_randn({3, 4}, 1)});
    auto all_min = [](const std::vector<Tensor>& in) { return min(in[0]); };
    CHECK_GRADIENTS(all_min, {seeded_randn({3, 4}, 2)});
    auto last = [](const std::vector<Tensor>& in) { return max(in[0], {-1}); };
    CHECK_GRADIENTS(last, {seeded_randn({3, 5}, 3)});
    auto first_kept = [](const std::vector<Tensor>& in) { return min(in[0], {0}, true); };
    CHECK_GRADIENTS(first_kept, {seeded_randn({4, 3}, 4)});
    auto outer_inner = [](const std::vector<Tensor>& in) { return max(in[0], {0, -1}, true); };
    CHECK_GRADIENTS(outer_inner, {seeded_randn({2, 3, 4}, 5)});
    auto middle = [](const std::vector<Tensor>& in) { return min(in[0], {1}); };
    CHECK_GRADIENTS(middle, {seeded_randn({2, 3, 4}, 6)});
    // Feeding max's output onwards: the incoming gradient is not all ones.
    auto chained = [](const std::vector<Tensor>& in) { return max(in[0], {1}) * in[1]; };
    CHECK_GRADIENTS(chained, {seeded_randn({3, 4}, 7), seeded_randn({3}, 8)});
}

TEST_CASE("max propagates NaN") {
    const float nan = std::nanf("");
    CHECK(std::isnan(max(tensor({1, nan, 3})).item()));
    CHECK(std::isnan(min(tensor({nan, 1, 3})).item()));
}

TEST_CASE("max and min errors") {
    const Tensor x = zeros({2, 3});
    CHECK_THROWS_AS(max(x, {2}), IndexError);
    CHECK_THROWS_WITH(min(x, {1, -1}), Catch::Contains("min") && Catch::Contains("repeated"));
    CHECK_THROWS_WITH(max(zeros({0})), Catch::Contains("max") && Catch::Contains("[0]"));
    CHECK_THROWS_AS(max(zeros({2, 0}), {1}), ValueError);
    CHECK(max(zeros({0, 2}), {1}).shape() == Shape{0});  // no groups at all: nothing to reduce
}

TEST_CASE("argmax returns float indices, the first one on ties") {
    const Tensor x = tensor({1, 7, 7, 9, 2, 9}, {2, 3});
    const Tensor last = argmax(x);
    CHECK(last.shape() == Shape{2});
    CHECK(last.to_vector() == Values{1, 0});
    CHECK(argmax(x, 0).to_vector() == Values{1, 0, 1});
    CHECK(argmax(x, -2).to_vector() == Values{1, 0, 1});
    CHECK(argmax(tensor({4, 4, 4})).shape() == Shape{});
    CHECK(argmax(tensor({4, 4, 4})).item() == 0.0f);
    CHECK(argmax(tensor({0, 2, 5, 1, 5})).item() == 2.0f);
}

TEST_CASE("argmax is not differentiable and checks its axis") {
    Tensor x = tensor({1, 2}).requires_grad_();
    CHECK_FALSE(argmax(x).requires_grad());
    CHECK_THROWS_AS(argmax(x, 1), IndexError);
    CHECK_THROWS_WITH(argmax(zeros({3, 0}), 1), Catch::Contains("argmax"));
}

TEST_CASE("max over a large tensor matches a serial scan") {
    const Tensor x = seeded_randn({40000, 3}, 9);
    const Tensor y = max(x, {0});
    for (int64_t j = 0; j < 3; ++j) {
        float best = x.at({0, j});
        for (int64_t i = 1; i < 40000; ++i) best = std::max(best, x.at({i, j}));
        CHECK(y.at({j}) == best);
    }
    const Tensor rows = argmax(x, 1);
    bool all_match = true;
    for (int64_t i = 0; i < 40000; ++i) {
        int64_t best = 0;
        for (int64_t j = 1; j < 3; ++j) {
            if (x.at({i, j}) > x.at({i, best})) best = j;
        }
        all_match = all_match && rows.at({i}) == static_cast<float>(best);
    }
    CHECK(all_match);
}
