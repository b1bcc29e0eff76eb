// The deterministic factories: constant fills, scalars, ranges and tensors from values. (The
// random factories are covered with the generator, in test_generator.cpp.)
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include <minidl/core/parallel.hpp>
#include <minidl/minidl.hpp>

using namespace minidl;

TEST_CASE("zeros, ones and full fill every element") {
    CHECK(zeros({2, 3}).to_vector() == std::vector<float>(6, 0.0f));
    CHECK(ones({4}).to_vector() == std::vector<float>(4, 1.0f));
    const Tensor f = full({3, 1, 2}, -2.5f);
    CHECK(f.shape() == Shape{3, 1, 2});
    CHECK(f.to_vector() == std::vector<float>(6, -2.5f));
    CHECK(zeros({0, 5}).numel() == 0);
    CHECK_FALSE(ones({2}).requires_grad());
}

TEST_CASE("fills are correct across several parallel chunks") {
    const int64_t n = 3 * kElementwiseGrain + 17;
    const std::vector<float> v = full({n}, 0.75f).to_vector();
    CHECK(std::count(v.begin(), v.end(), 0.75f) == n);
}

TEST_CASE("zeros_like and ones_like copy the shape only") {
    Tensor x = tensor({5, 6, 7, 8}, {2, 2}).requires_grad_();
    const Tensor z = zeros_like(x);
    const Tensor o = ones_like(x);
    CHECK(z.shape() == Shape{2, 2});
    CHECK(z.to_vector() == std::vector<float>(4, 0.0f));
    CHECK(o.to_vector() == std::vector<float>(4, 1.0f));
    CHECK_FALSE(z.requires_grad());
    CHECK(z.data() != x.data());
}

TEST_CASE("scalar makes a rank-0 tensor") {
    const Tensor s = scalar(3.5f);
    CHECK(s.rank() == 0);
    CHECK(s.shape() == Shape{});
    CHECK(s.item() == 3.5f);
}

TEST_CASE("arange counts up, down and in fractional steps, excluding the end") {
    CHECK(arange(5).to_vector() == std::vector<float>{0, 1, 2, 3, 4});
    CHECK(arange(int64_t{0}).numel() == 0);
    CHECK(arange(2.0f, 5.0f).to_vector() == std::vector<float>{2, 3, 4});
    CHECK(arange(0.0f, 1.0f, 0.25f).to_vector() == std::vector<float>{0, 0.25f, 0.5f, 0.75f});
    CHECK(arange(5.0f, 0.0f, -2.0f).to_vector() == std::vector<float>{5, 3, 1});
    CHECK(arange(0.0f, 1.0f, 0.3f).numel() == 4);  // 0, 0.3, 0.6, 0.9
    CHECK(arange(3.0f, 1.0f).numel() == 0);        // an empty range, not an error
    CHECK(arange(0.0f, 1.0f, 0.1f).numel() == 10);
    const Tensor r = arange(-1.0f, 1.0f, 0.5f);
    CHECK(r.shape() == Shape{4});
    CHECK(r.to_vector() == std::vector<float>{-1.0f, -0.5f, 0.0f, 0.5f});
}

TEST_CASE("arange rejects a zero step and non-finite bounds") {
    CHECK_THROWS_AS(arange(0.0f, 1.0f, 0.0f), ValueError);
    CHECK_THROWS_WITH(arange(0.0f, 1.0f, 0.0f),
                      Catch::Contains("arange") && Catch::Contains("step"));
    CHECK_THROWS_AS(arange(0.0f, INFINITY), ValueError);
    CHECK_THROWS_AS(arange(NAN, 1.0f), ValueError);
    CHECK_THROWS_AS(arange(0.0f, 1.0f, NAN), ValueError);
}

TEST_CASE("arange rejects a range with more elements than a tensor can hold") {
    // Regression: the count ceil((end - start) / step) = 1e40 was cast to int64_t unchecked,
    // undefined behaviour that on x86 silently gave an empty tensor.
    CHECK_THROWS_AS(arange(0.0f, 1e30f, 1e-10f), ValueError);
}

TEST_CASE("tensor copies the values in row-major order") {
    std::vector<float> values{1, 2, 3, 4, 5, 6};
    const Tensor t = tensor(values, {3, 2});
    values[0] = 100.0f;  // the tensor holds a copy
    CHECK(t.shape() == Shape{3, 2});
    CHECK(t.at({0, 0}) == 1.0f);
    CHECK(t.at({2, 1}) == 6.0f);
    CHECK(t.at({1, 0}) == 3.0f);
    const Tensor flat = tensor({7, 8, 9});
    CHECK(flat.shape() == Shape{3});
    CHECK(tensor({5.0f}, {}).rank() == 0);
    CHECK(tensor({}).shape() == Shape{0});
}

TEST_CASE("tensor rejects a value count that does not match the shape") {
    CHECK_THROWS_AS(tensor({1, 2, 3}, {2, 2}), ShapeError);
    CHECK_THROWS_WITH(tensor({1, 2, 3}, {2, 2}), "tensor: 3 values for shape [2, 2] (4 elements)");
    CHECK_THROWS_AS(tensor({1, 2}, {}), ShapeError);
}
