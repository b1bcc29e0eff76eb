// max_pool1d, avg_pool1d, global_avg_pool1d, global_max_pool1d: output lengths, forward values
// against naive loops written here (double accumulation) over a grid of geometries, TensorFlow's
// tie rules, gradient checks, thread-count independence, and the argument checks.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <functional>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "gradcheck.hpp"
#include "test_support.hpp"

using namespace minidl;
using minidl::testing::seeded_randn;

namespace {

std::string describe(const Pool1DGeometry& g) {
    std::ostringstream out;
    out << "pool_size=" << g.pool_size << " stride=" << g.stride << " pads=" << g.pad_left << "+"
        << g.pad_right;
    return out.str();
}

/// The pooling formula on x [B, L, C], one window at a time: window t covers the positions
/// t * stride - pad_left + j (j < pool_size) inside [0, L).
std::vector<double> naive_pool(const Tensor& x, const Pool1DGeometry& g, bool take_max) {
    const int64_t batch = x.size(0), length = x.size(1), channels = x.size(2);
    const int64_t steps = (length + g.pad_left + g.pad_right - g.pool_size) / g.stride + 1;
    std::vector<double> out;
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t t = 0; t < steps; ++t) {
            for (int64_t c = 0; c < channels; ++c) {
                std::vector<double> window;
                for (int64_t j = 0; j < g.pool_size; ++j) {
                    const int64_t p = t * g.stride - g.pad_left + j;
                    if (p >= 0 && p < length) window.push_back(x.at({b, p, c}));
                }
                out.push_back(take_max ? *std::max_element(window.begin(), window.end())
                                       : std::accumulate(window.begin(), window.end(), 0.0) /
                                             static_cast<double>(window.size()));
            }
        }
    }
    return out;
}

void check_values(const Tensor& actual, const std::vector<double>& expected) {
    const std::vector<float> got = actual.to_vector();
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("element " << i);
        CHECK(got[i] == Approx(expected[i]).epsilon(1e-6).margin(1e-6));
    }
}

/// Distinct values at least 0.05 apart in a shuffled order, so that central differences with
/// eps = 1e-3 never change which element of a window is the maximum.
Tensor distinct_values(const Shape& shape, uint64_t seed) {
    std::vector<float> values(static_cast<std::size_t>(shape.numel()));
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.05f * static_cast<float>(i) - 1;
    Generator gen(seed);
    const std::vector<float> keys = rand({shape.numel()}, gen).to_vector();
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return keys[a] < keys[b]; });
    std::vector<float> shuffled(values.size());
    for (std::size_t i = 0; i < order.size(); ++i) shuffled[i] = values[order[i]];
    return tensor(shuffled, shape);
}

/// The geometries of a grid: every pool size, stride and pair of pads below pool_size.
std::vector<Pool1DGeometry> geometry_grid() {
    std::vector<Pool1DGeometry> grid;
    for (int64_t k = 1; k <= 4; ++k) {
        for (int64_t s = 1; s <= 3; ++s) {
            for (int64_t left = 0; left < k; ++left) {
                for (int64_t right = 0; right < k; ++right) grid.push_back({k, s, left, right});
            }
        }
    }
    return grid;
}

}  // namespace

TEST_CASE("Pool1DGeometry::output_length floors (length + pads - pool_size) / stride + 1") {
    CHECK(Pool1DGeometry{.pool_size = 2, .stride = 2}.output_length(5) == 2);
    CHECK(Pool1DGeometry{.pool_size = 2, .stride = 2, .pad_right = 1}.output_length(5) == 3);
    CHECK(Pool1DGeometry{.pool_size = 3, .stride = 1, .pad_left = 1, .pad_right = 1}.output_length(
              4) == 4);
    CHECK(Pool1DGeometry{.pool_size = 3, .stride = 4}.output_length(7) == 2);
    CHECK(Pool1DGeometry{.pool_size = 3}.output_length(2) == 0);
    CHECK(Pool1DGeometry{.pool_size = 4, .stride = 2}.output_length(1) <= 0);
}

TEST_CASE("max_pool1d and avg_pool1d on a hand-computed example") {
    // One channel, 5 steps, windows of 2 every 2 steps, one pad on the right (TensorFlow's
    // 'same' for this length): [1, 3], [2, 5], [4] and the pad.
    const Tensor x = tensor({1, 3, 2, 5, 4}, {1, 5, 1});
    const Pool1DGeometry g{.pool_size = 2, .stride = 2, .pad_right = 1};
    CHECK(max_pool1d(x, g).to_vector() == std::vector<float>{3, 5, 4});
    // The last window holds one real position: its mean is 4, not (4 + 0) / 2.
    CHECK(avg_pool1d(x, g).to_vector() == std::vector<float>{2, 3.5f, 4});
    CHECK(max_pool1d(x, g).shape() == Shape{1, 3, 1});
}

TEST_CASE("max_pool1d and avg_pool1d match the naive loops over the geometry grid") {
    for (const Pool1DGeometry& g : geometry_grid()) {
        for (const int64_t length : {1, 2, 5, 8}) {
            if (g.output_length(length) < 1) continue;
            INFO(describe(g) << " length=" << length);
            // 70 channels: more than one vector register block, and an odd remainder.
            const Tensor x = seeded_randn({2, length, 70}, 11 + static_cast<uint64_t>(length));
            check_values(max_pool1d(x, g), naive_pool(x, g, true));
            check_values(avg_pool1d(x, g), naive_pool(x, g, false));
        }
    }
}

TEST_CASE("global_avg_pool1d and global_max_pool1d match the naive loops") {
    const Tensor x = seeded_randn({3, 7, 70}, 21);
    const Pool1DGeometry whole{.pool_size = 7, .stride = 1};
    check_values(global_avg_pool1d(x), naive_pool(x, whole, false));
    check_values(global_max_pool1d(x), naive_pool(x, whole, true));
    CHECK(global_avg_pool1d(x).shape() == Shape{3, 70});
    CHECK(global_max_pool1d(x).shape() == Shape{3, 70});
}

TEST_CASE("max_pool1d routes the gradient to the first maximal element of each window") {
    // TensorFlow's MaxPoolGrad: the window's first maximum wins, also across overlapping
    // windows (stride 1) and for the windows that see it at different taps.
    Tensor x = tensor({2, 7, 7, 1, 7, 3}, {1, 6, 1}).requires_grad_();
    const Tensor y = max_pool1d(x, {.pool_size = 3, .stride = 1});
    CHECK(y.to_vector() == std::vector<float>{7, 7, 7, 7});
    y.backward(tensor({1, 10, 100, 1000}, {1, 4, 1}));
    CHECK(x.grad().to_vector() == std::vector<float>{0, 11, 100, 0, 1000, 0});
}

TEST_CASE("global_max_pool1d shares the gradient among tied maxima, as tf.reduce_max") {
    Tensor x = tensor({4, 1, 4, 2, 4, 5}, {1, 3, 2}).requires_grad_();
    const Tensor y = global_max_pool1d(x);
    CHECK(y.to_vector() == std::vector<float>{4, 5});
    y.backward(tensor({3, 2}, {1, 2}));
    // Channel 0 has three maxima of 4: each gets 3 / 3.
    CHECK(x.grad().to_vector() == std::vector<float>{1, 0, 1, 0, 1, 2});
}

TEST_CASE("pooling gradients") {
    const Tensor x = distinct_values({2, 9, 3}, 31);
    for (const Pool1DGeometry& g :
         {Pool1DGeometry{.pool_size = 3, .stride = 1, .pad_left = 1, .pad_right = 1},
          Pool1DGeometry{.pool_size = 2, .stride = 3},
          Pool1DGeometry{.pool_size = 4, .stride = 2, .pad_left = 1, .pad_right = 2}}) {
        INFO(describe(g));
        CHECK_GRADIENTS([g](const std::vector<Tensor>& in) { return max_pool1d(in[0], g); }, {x});
        CHECK_GRADIENTS([g](const std::vector<Tensor>& in) { return avg_pool1d(in[0], g); }, {x});
    }
    CHECK_GRADIENTS([](const std::vector<Tensor>& in) { return global_avg_pool1d(in[0]); }, {x});
    CHECK_GRADIENTS([](const std::vector<Tensor>& in) { return global_max_pool1d(in[0]); }, {x});
}

TEST_CASE("pooling without gradients records nothing") {
    const Tensor x = seeded_randn({2, 6, 3}, 41).requires_grad_();
    NoGradGuard no_grad;
    CHECK(max_pool1d(x, {.pool_size = 2, .stride = 2}).is_leaf());
    CHECK(avg_pool1d(x, {.pool_size = 2, .stride = 2}).is_leaf());
    CHECK(global_max_pool1d(x).is_leaf());
}

namespace {

using PoolOp = std::function<Tensor(const Tensor&)>;

/// Forward values and the input gradient of sum(op(x) * weighting), as float vectors.
std::vector<std::vector<float>> forward_and_gradient(const PoolOp& op, const Tensor& x,
                                                     int threads) {
    const minidl::testing::ThreadCount count(threads);
    Tensor variable = x.detach().clone().requires_grad_();
    const Tensor y = op(variable);
    sum(y * seeded_randn(y.shape(), 51)).backward();
    return {y.to_vector(), variable.grad().to_vector()};
}

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("pooling forward and gradients are bit-identical on 1, 2 and 3 threads") {
    // 8 * 1000 rows of 64 channels: several chunks in every kernel.
    const Tensor x = seeded_randn({8, 1000, 64}, 61);
    const Pool1DGeometry g{.pool_size = 5, .stride = 2, .pad_left = 2, .pad_right = 2};
    const std::vector<std::pair<const char*, PoolOp>> ops{
        {"max_pool1d", [g](const Tensor& t) { return max_pool1d(t, g); }},
        {"avg_pool1d", [g](const Tensor& t) { return avg_pool1d(t, g); }},
        {"global_avg_pool1d", [](const Tensor& t) { return global_avg_pool1d(t); }},
        {"global_max_pool1d", [](const Tensor& t) { return global_max_pool1d(t); }},
    };
    for (const auto& [name, op] : ops) {
        const auto reference = forward_and_gradient(op, x, 1);
        for (const int threads : {2, 3}) {
            const auto result = forward_and_gradient(op, x, threads);
            INFO(name << ": " << threads << " threads vs 1");
            CHECK(bit_identical(result[0], reference[0]));
            CHECK(bit_identical(result[1], reference[1]));
        }
    }
}

TEST_CASE("pooling argument errors") {
    const Tensor x = zeros({2, 8, 4});
    SECTION("ranks") {
        CHECK_THROWS_WITH(
            max_pool1d(zeros({8, 4}), {.pool_size = 2}),
            Catch::Contains("max_pool1d: input must have rank 3") && Catch::Contains("[8, 4]"));
        CHECK_THROWS_AS(avg_pool1d(zeros({1, 2, 8, 4}), {.pool_size = 2}), ShapeError);
        CHECK_THROWS_WITH(global_avg_pool1d(zeros({8})),
                          Catch::Contains("global_avg_pool1d: input must have rank 3"));
        CHECK_THROWS_AS(global_max_pool1d(zeros({2, 8})), ShapeError);
    }
    SECTION("too short an input") {
        CHECK_THROWS_WITH(max_pool1d(zeros({2, 2, 4}), {.pool_size = 3}),
                          Catch::Contains("max_pool1d: input [2, 2, 4] is too short for a "
                                          "pool_size of 3 with pads 0+0"));
        CHECK_THROWS_AS(avg_pool1d(zeros({2, 0, 4}), {.pool_size = 1}), ShapeError);
        CHECK_THROWS_WITH(global_avg_pool1d(zeros({2, 0, 4})),
                          Catch::Contains("global_avg_pool1d: input [2, 0, 4] has no steps"));
        CHECK_THROWS_WITH(global_max_pool1d(zeros({2, 0, 4})),
                          Catch::Contains("global_max_pool1d: input [2, 0, 4] has no steps"));
    }
    SECTION("geometry values") {
        CHECK_THROWS_WITH(max_pool1d(x, {.pool_size = 0}),
                          Catch::Contains("max_pool1d: pool_size must be >= 1, got 0"));
        CHECK_THROWS_WITH(avg_pool1d(x, {.pool_size = 2, .stride = 0}),
                          Catch::Contains("avg_pool1d: stride must be >= 1, got 0"));
        CHECK_THROWS_AS(avg_pool1d(x, {.pool_size = 2, .stride = -1}), ValueError);
        CHECK_THROWS_WITH(max_pool1d(x, {.pool_size = 2, .pad_left = 2}),
                          Catch::Contains("pads must be in [0, pool_size = 2), got pad_left 2 "
                                          "and pad_right 0"));
        CHECK_THROWS_AS(avg_pool1d(x, {.pool_size = 2, .pad_right = -1}), ValueError);
    }
}

TEST_CASE("empty batches and channels give empty results") {
    const Pool1DGeometry g{.pool_size = 2, .stride = 2};
    CHECK(max_pool1d(zeros({0, 4, 3}), g).shape() == Shape{0, 2, 3});
    CHECK(avg_pool1d(zeros({2, 4, 0}), g).shape() == Shape{2, 2, 0});
    CHECK(global_avg_pool1d(zeros({0, 4, 3})).shape() == Shape{0, 3});
    CHECK(global_max_pool1d(zeros({2, 4, 0})).shape() == Shape{2, 0});
}
