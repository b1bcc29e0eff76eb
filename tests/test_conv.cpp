// depthwise_conv1d and conv1d: output lengths, forward values against naive loops written here
// (double accumulation) over a grid of geometries, gradient checks, thread-count independence,
// and the argument checks; depthwise_conv1d on channels_first input against transposing it for
// the channels_last op.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "gradcheck.hpp"
#include "test_support.hpp"

using namespace minidl;
using minidl::testing::seeded_randn;

namespace {

std::string describe(const Conv1DGeometry& g) {
    std::ostringstream out;
    out << "k=" << g.kernel_size << " stride=" << g.stride << " dilation=" << g.dilation
        << " pads=" << g.pad_left << "+" << g.pad_right;
    return out.str();
}

/// Output steps counted one by one: t is a step while its last tap stays inside the padded input.
int64_t counted_output_length(int64_t length, const Conv1DGeometry& g) {
    const int64_t padded = length + g.pad_left + g.pad_right;
    int64_t steps = 0;
    while (steps * g.stride + (g.kernel_size - 1) * g.dilation < padded) ++steps;
    return steps;
}

/// The naive definition: out[b, t, o] = sum over taps j and the input channels c that output
/// channel o reads of x[b, t * stride + j * dilation - pad_left, c] * weight(j, c, o), with
/// positions outside the input reading zero.
using Weight = std::function<double(int64_t j, int64_t c, int64_t o)>;
using ReadsChannel = std::function<bool(int64_t c, int64_t o)>;

std::vector<double> naive_conv(const Tensor& x, const Conv1DGeometry& g, int64_t out_channels,
                               const ReadsChannel& reads, const Weight& weight) {
    const int64_t batch = x.size(0), length = x.size(1), channels = x.size(2);
    const int64_t steps = counted_output_length(length, g);
    const std::vector<float> xs = x.to_vector();
    std::vector<double> out;
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t t = 0; t < steps; ++t) {
            for (int64_t o = 0; o < out_channels; ++o) {
                double total = 0.0;
                for (int64_t j = 0; j < g.kernel_size; ++j) {
                    const int64_t pos = t * g.stride + j * g.dilation - g.pad_left;
                    if (pos < 0 || pos >= length) continue;
                    for (int64_t c = 0; c < channels; ++c) {
                        if (reads(c, o))
                            total += xs[(b * length + pos) * channels + c] * weight(j, c, o);
                    }
                }
                out.push_back(total);
            }
        }
    }
    return out;
}

std::vector<double> naive_depthwise(const Tensor& x, const Tensor& kernel,
                                    const Conv1DGeometry& g) {
    const int64_t channels = kernel.size(1), multiplier = kernel.size(2);
    const std::vector<float> w = kernel.to_vector();
    return naive_conv(
        x, g, channels * multiplier, [=](int64_t c, int64_t o) { return o / multiplier == c; },
        [&](int64_t j, int64_t c, int64_t o) {
            return w[(j * channels + c) * multiplier + o % multiplier];
        });
}

std::vector<double> naive_grouped(const Tensor& x, const Tensor& kernel, const Conv1DGeometry& g,
                                  int64_t groups) {
    const int64_t group_channels = kernel.size(1), filters = kernel.size(2);
    const int64_t group_filters = filters / groups;
    const std::vector<float> w = kernel.to_vector();
    return naive_conv(
        x, g, filters,
        [=](int64_t c, int64_t o) { return c / group_channels == o / group_filters; },
        [&](int64_t j, int64_t c, int64_t o) {
            return w[(j * group_channels + c % group_channels) * filters + o];
        });
}

double max_difference(const Tensor& actual, const std::vector<double>& expected) {
    const std::vector<float> values = actual.to_vector();
    if (values.size() != expected.size()) return INFINITY;
    double worst = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        worst = std::max(worst, std::abs(values[i] - expected[i]) / (1.0 + std::abs(expected[i])));
    }
    return worst;
}

/// Every geometry of the grid: kernel sizes 1-7, strides 1-3, dilations 1-4, pads 0-3 each side.
std::vector<Conv1DGeometry> geometry_grid() {
    std::vector<Conv1DGeometry> grid;
    for (int64_t k = 1; k <= 7; ++k) {
        for (int64_t stride = 1; stride <= 3; ++stride) {
            for (int64_t dilation = 1; dilation <= 4; ++dilation) {
                for (int64_t left = 0; left <= 3; ++left) {
                    for (int64_t right = 0; right <= 3; ++right) {
                        grid.push_back({k, stride, dilation, left, right});
                    }
                }
            }
        }
    }
    return grid;
}

/// The shortest input with an output step (at least 1), and a longer one.
std::vector<int64_t> lengths_for(const Conv1DGeometry& g) {
    const int64_t shortest =
        std::max<int64_t>(1, g.dilated_kernel_size() - g.pad_left - g.pad_right);
    return {shortest, shortest + 2 * g.stride + 3};
}

}  // namespace

TEST_CASE("Conv1DGeometry::output_length floors (length + pads - dilated) / stride + 1") {
    struct Row {
        int64_t length;
        Conv1DGeometry geometry;
        int64_t expected;
    };
    const std::vector<Row> table{
        {10, {.kernel_size = 3}, 8},
        {10, {.kernel_size = 3, .stride = 2}, 4},
        {10, {.kernel_size = 3, .stride = 3}, 3},
        {10, {.kernel_size = 3, .dilation = 2}, 6},
        {10, {.kernel_size = 3, .pad_left = 1, .pad_right = 1}, 10},  // "same"
        {10, {.kernel_size = 3, .dilation = 2, .pad_left = 4}, 10},   // "causal"
        {10, {.kernel_size = 4, .stride = 2, .pad_left = 1, .pad_right = 2}, 5},
        {7, {.kernel_size = 1, .stride = 3}, 3},
        {1, {.kernel_size = 1}, 1},
        {9, {.kernel_size = 5, .dilation = 2}, 1},  // exactly the dilated size
        {8, {.kernel_size = 5, .dilation = 2}, 0},
        {3, {.kernel_size = 5, .dilation = 2}, -5},
        {2, {.kernel_size = 4, .stride = 2}, 0},
        {2, {.kernel_size = 4, .stride = 2, .pad_left = 1}, 0},  // span -1: floored, not truncated
        {0, {.kernel_size = 1, .pad_left = 1, .pad_right = 1}, 2},
    };
    for (const Row& row : table) {
        INFO("length " << row.length << ", " << describe(row.geometry));
        CHECK(row.geometry.output_length(row.length) == row.expected);
    }
    CHECK(Conv1DGeometry{.kernel_size = 5, .dilation = 3}.dilated_kernel_size() == 13);
}

TEST_CASE("output_length agrees with counting the steps over the geometry grid") {
    for (const Conv1DGeometry& g : geometry_grid()) {
        for (int64_t length = 0; length < 30; ++length) {
            const int64_t counted = counted_output_length(length, g);
            const int64_t computed = g.output_length(length);
            INFO(describe(g) << ", length " << length);
            if (counted > 0) {
                CHECK(computed == counted);
            } else {
                CHECK(computed <= 0);
            }
        }
    }
}

TEST_CASE("depthwise_conv1d and conv1d on a hand-computed example") {
    // x = 1 2 3 4 (one channel), kernel taps 1 and 10.
    const Tensor x = tensor({1, 2, 3, 4}, {1, 4, 1});
    const Tensor kernel = tensor({1, 10}, {2, 1, 1});
    CHECK(depthwise_conv1d(x, kernel, {.kernel_size = 2}).to_vector() ==
          std::vector<float>{21, 32, 43});
    CHECK(conv1d(x, kernel, {.kernel_size = 2}).to_vector() == std::vector<float>{21, 32, 43});
    // Causal padding with dilation 2: step t reads x[t - 2] and x[t].
    CHECK(
        depthwise_conv1d(x, kernel, {.kernel_size = 2, .dilation = 2, .pad_left = 2}).to_vector() ==
        std::vector<float>{10, 20, 31, 42});
    // Stride 2 with a pad on each side: steps read (0, x0), (x1, x2), (x3, 0).
    CHECK(conv1d(x, kernel, {.kernel_size = 2, .stride = 2, .pad_left = 1, .pad_right = 1})
              .to_vector() == std::vector<float>{10, 32, 4});
    // Depth multiplier 2: channel c * 2 + m uses kernel[j, c, m].
    const Tensor kernel2 = tensor({1, -1, 10, 100}, {2, 1, 2});
    CHECK(depthwise_conv1d(x, kernel2, {.kernel_size = 2}).to_vector() ==
          std::vector<float>{21, 199, 32, 298, 43, 397});
}

TEST_CASE("depthwise_conv1d matches the naive loops over the geometry grid") {
    int64_t index = 0;
    for (const Conv1DGeometry& g : geometry_grid()) {
        for (const int64_t length : lengths_for(g)) {
            // Channel counts and multipliers cycle through the cases, so every combination
            // meets many geometries without multiplying the grid.
            const int64_t channels = std::vector<int64_t>{1, 3, 8, 5}[index % 4];
            const int64_t multiplier = 1 + index / 4 % 3;
            const Tensor x = seeded_randn({2, length, channels}, 100 + index);
            const Tensor kernel = seeded_randn({g.kernel_size, channels, multiplier}, 200 + index);
            ++index;
            const Tensor y = depthwise_conv1d(x, kernel, g);
            INFO(describe(g) << ", length " << length << ", channels " << channels
                             << ", multiplier " << multiplier);
            CHECK(y.shape() == Shape{2, counted_output_length(length, g), channels * multiplier});
            CHECK(max_difference(y, naive_depthwise(x, kernel, g)) < 1e-5);
        }
    }
}

TEST_CASE("depthwise_conv1d with more channels than one register block (64 values)") {
    // 70 channels at multiplier 1, 35 at 2, 22 at 3: full blocks plus a remainder.
    const Conv1DGeometry g{
        .kernel_size = 3, .stride = 2, .dilation = 2, .pad_left = 3, .pad_right = 1};
    for (const int64_t multiplier : {1, 2, 3}) {
        const int64_t channels = 70 / multiplier;
        INFO("multiplier " << multiplier << ", channels " << channels);
        const Tensor x = seeded_randn({2, 9, channels}, 91);
        const Tensor kernel = seeded_randn({3, channels, multiplier}, 92);
        CHECK(max_difference(depthwise_conv1d(x, kernel, g), naive_depthwise(x, kernel, g)) < 1e-5);
        const auto f = [g](const std::vector<Tensor>& in) {
            return depthwise_conv1d(in[0], in[1], g);
        };
        CHECK_GRADIENTS(f, {x, kernel});
    }
}

TEST_CASE("the shortest valid input gives one output step") {
    for (const Conv1DGeometry& g : geometry_grid()) {
        const int64_t shortest = lengths_for(g)[0];
        if (g.pad_left + g.pad_right >= g.dilated_kernel_size()) continue;  // length 1 gives more
        INFO(describe(g));
        const Tensor x = seeded_randn({1, shortest, 2}, 7);
        CHECK(depthwise_conv1d(x, ones({g.kernel_size, 2, 1}), g).size(1) == 1);
        CHECK(conv1d(x, ones({g.kernel_size, 2, 3}), g).size(1) == 1);
    }
}

TEST_CASE("conv1d matches the naive loops over the geometry grid and groups") {
    int64_t index = 0;
    for (const Conv1DGeometry& g : geometry_grid()) {
        for (const int64_t length : lengths_for(g)) {
            const int64_t groups = 1 + index % 3;
            const int64_t group_channels = 1 + index / 3 % (8 / groups);  // C = up to 8
            const int64_t group_filters = 1 + index / 7 % 3;
            const int64_t channels = groups * group_channels;
            const Tensor x = seeded_randn({2, length, channels}, 300 + index);
            const Tensor kernel =
                seeded_randn({g.kernel_size, group_channels, groups * group_filters}, 400 + index);
            ++index;
            const Tensor y = conv1d(x, kernel, g, groups);
            INFO(describe(g) << ", length " << length << ", channels " << channels << ", groups "
                             << groups << ", filters " << kernel.size(2));
            CHECK(y.shape() == Shape{2, counted_output_length(length, g), kernel.size(2)});
            CHECK(max_difference(y, naive_grouped(x, kernel, g, groups)) < 1e-5);
        }
    }
}

TEST_CASE("conv1d over more rows than one im2col block matches the naive loops") {
    const Conv1DGeometry g{
        .kernel_size = 3, .stride = 2, .dilation = 2, .pad_left = 2, .pad_right = 1};
    const Tensor x = seeded_randn({3, 301, 6}, 11);
    const Tensor kernel = seeded_randn({3, 3, 4}, 12);
    CHECK(max_difference(conv1d(x, kernel, g, 2), naive_grouped(x, kernel, g, 2)) < 1e-5);
}

namespace {

struct GradCase {
    Conv1DGeometry geometry;
    Shape x_shape;
    int64_t kernel_channels;
    int64_t kernel_outputs;  ///< depth multiplier or filters
    int64_t groups;
};

const std::vector<GradCase>& grad_cases() {
    static const std::vector<GradCase> cases{
        {{.kernel_size = 3}, {2, 6, 3}, 3, 1, 1},
        {{.kernel_size = 3, .pad_left = 1, .pad_right = 1}, {2, 5, 2}, 2, 2, 1},
        {{.kernel_size = 2, .stride = 2, .pad_left = 0, .pad_right = 1}, {1, 7, 3}, 3, 3, 1},
        {{.kernel_size = 3, .stride = 3, .pad_left = 2}, {2, 8, 2}, 2, 1, 1},
        {{.kernel_size = 3, .dilation = 2, .pad_left = 4}, {2, 6, 2}, 2, 2, 1},
        {{.kernel_size = 4, .dilation = 3, .pad_left = 3, .pad_right = 2}, {1, 7, 3}, 3, 2, 1},
        {{.kernel_size = 5, .stride = 2, .dilation = 2, .pad_left = 3, .pad_right = 3},
         {1, 4, 2},
         2,
         1,
         1},
    };
    return cases;
}

}  // namespace

TEST_CASE("depthwise_conv1d gradients in x and kernel") {
    for (const GradCase& c : grad_cases()) {
        INFO(describe(c.geometry) << ", x " << c.x_shape << ", multiplier " << c.kernel_outputs);
        const Conv1DGeometry g = c.geometry;
        const auto f = [g](const std::vector<Tensor>& in) {
            return depthwise_conv1d(in[0], in[1], g);
        };
        const Tensor x = seeded_randn(c.x_shape, 31);
        const Tensor kernel =
            seeded_randn({g.kernel_size, c.kernel_channels, c.kernel_outputs}, 32);
        CHECK_GRADIENTS(f, {x, kernel});
    }
}

TEST_CASE("conv1d gradients in x and kernel, with groups") {
    for (const GradCase& c : grad_cases()) {
        for (const int64_t groups : {int64_t{1}, c.x_shape[2]}) {
            INFO(describe(c.geometry) << ", x " << c.x_shape << ", groups " << groups);
            const Conv1DGeometry g = c.geometry;
            const auto f = [g, groups](const std::vector<Tensor>& in) {
                return conv1d(in[0], in[1], g, groups);
            };
            const Tensor x = seeded_randn(c.x_shape, 41);
            const Tensor kernel =
                seeded_randn({g.kernel_size, c.x_shape[2] / groups, 2 * groups}, 42);
            CHECK_GRADIENTS(f, {x, kernel});
        }
    }
}

TEST_CASE("gradients of one input only (the other is a constant)") {
    const Conv1DGeometry g{.kernel_size = 3, .stride = 2, .pad_left = 1, .pad_right = 1};
    const Tensor x = seeded_randn({2, 7, 4}, 51);
    const Tensor grouped_kernel = seeded_randn({3, 2, 4}, 52);
    const Tensor depthwise_kernel = seeded_randn({3, 4, 2}, 53);
    const auto grouped = [g](const std::vector<Tensor>& in) { return conv1d(in[0], in[1], g, 2); };
    const auto depthwise = [g](const std::vector<Tensor>& in) {
        return depthwise_conv1d(in[0], in[1], g);
    };
    for (const std::size_t constant : {std::size_t{0}, std::size_t{1}}) {
        INFO("constant input " << constant);
        CHECK_GRADIENTS(grouped, {x, grouped_kernel}, {}, {constant});
        CHECK_GRADIENTS(depthwise, {x, depthwise_kernel}, {}, {constant});
    }
}

namespace {

/// Forward values and both gradients of sum(op(x, kernel) * weighting), as float vectors.
std::vector<std::vector<float>> forward_and_gradients(
    const std::function<Tensor(const Tensor&, const Tensor&)>& op, const Tensor& x,
    const Tensor& kernel, int threads) {
    const minidl::testing::ThreadCount count(threads);
    Tensor xv = x.detach().clone().requires_grad_();
    Tensor kv = kernel.detach().clone().requires_grad_();
    const Tensor y = op(xv, kv);
    const Tensor weighting = seeded_randn(y.shape(), 61);
    sum(y * weighting).backward();
    return {y.to_vector(), xv.grad().to_vector(), kv.grad().to_vector()};
}

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void check_thread_independence(const std::function<Tensor(const Tensor&, const Tensor&)>& op,
                               const Tensor& x, const Tensor& kernel) {
    const auto reference = forward_and_gradients(op, x, kernel, 1);
    for (const int threads : {2, 3}) {
        const auto result = forward_and_gradients(op, x, kernel, threads);
        for (std::size_t i = 0; i < result.size(); ++i) {
            INFO(threads << " threads vs 1, output " << i << " (forward, grad x, grad kernel)");
            CHECK(bit_identical(result[i], reference[i]));
        }
    }
}

}  // namespace

TEST_CASE("depthwise_conv1d forward and gradients are bit-identical on 1, 2 and 3 threads") {
    // 4 * 512 rows of 5 taps x 32 values: several chunks in every kernel.
    const Conv1DGeometry g{.kernel_size = 5, .dilation = 2, .pad_left = 4, .pad_right = 4};
    const Tensor x = seeded_randn({4, 512, 16}, 71);
    for (const int64_t multiplier : {1, 2, 3}) {
        INFO("multiplier " << multiplier);
        const Tensor kernel = seeded_randn({5, 16, multiplier}, 72);
        check_thread_independence(
            [g](const Tensor& a, const Tensor& b) { return depthwise_conv1d(a, b, g); }, x, kernel);
    }
}

TEST_CASE("conv1d forward and gradients are bit-identical on 1, 2 and 3 threads") {
    const Conv1DGeometry g{.kernel_size = 5, .stride = 2, .pad_left = 2, .pad_right = 2};
    const Tensor x = seeded_randn({6, 600, 32}, 81);
    for (const int64_t groups : {1, 4}) {
        INFO("groups " << groups);
        const Tensor kernel = seeded_randn({5, 32 / groups, 32}, 82);
        check_thread_independence(
            [g, groups](const Tensor& a, const Tensor& b) { return conv1d(a, b, g, groups); }, x,
            kernel);
    }
}

// ---- depthwise_conv1d on channels_first input ----

namespace {

const auto channels_first_depthwise = [](const Conv1DGeometry& g) {
    return [g](const Tensor& x, const Tensor& kernel) {
        return depthwise_conv1d(x, kernel, g, {.channels_first = true});
    };
};

/// The largest difference relative to 1 + the largest |expected| value, or infinity for
/// different sizes: the scale of a sum's rounding, which its value alone is not when the
/// products cancel.
double max_scaled_difference(const std::vector<float>& actual, const std::vector<float>& expected) {
    if (actual.size() != expected.size()) return INFINITY;
    double worst = 0.0, scale = 1.0;
    for (std::size_t i = 0; i < actual.size(); ++i) {
        worst = std::max(worst, std::abs(static_cast<double>(actual[i]) - expected[i]));
        scale = std::max(scale, 1.0 + std::abs(expected[i]));
    }
    return worst / scale;
}

/// The channels_first op on x [B, C, L] against transposing x to [B, L, C] for the
/// channels_last op and its output back: the same values up to rounding (the two layouts' kernels
/// fuse different multiply-adds, and the gradients add up to 600 products in another order).
void check_channels_first_matches_transpose(const Tensor& x, const Tensor& kernel,
                                            const Conv1DGeometry& g) {
    const auto direct = forward_and_gradients(channels_first_depthwise(g), x, kernel, 1);
    const auto reference = forward_and_gradients(
        [g](const Tensor& a, const Tensor& b) {
            return transpose(depthwise_conv1d(transpose(a, 1, 2), b, g), 1, 2);
        },
        x, kernel, 1);
    for (std::size_t i = 0; i < direct.size(); ++i) {
        INFO("output " << i << " (forward, grad x, grad kernel)");
        CHECK(max_scaled_difference(direct[i], reference[i]) < 1e-6);
    }
}

/// Keras's paddings for a kernel of `taps` with `dilation` and `stride`: valid, same, causal.
std::vector<Conv1DGeometry> padding_variants(int64_t taps, int64_t stride, int64_t dilation) {
    const int64_t extra = (taps - 1) * dilation;
    return {{taps, stride, dilation, 0, 0},
            {taps, stride, dilation, extra / 2, extra - extra / 2},
            {taps, stride, dilation, extra, 0}};
}

}  // namespace

TEST_CASE("channels_first depthwise_conv1d equals transpose + depthwise_conv1d over the grid") {
    int64_t index = 0;
    for (const Conv1DGeometry& g : geometry_grid()) {
        for (const int64_t length : lengths_for(g)) {
            const int64_t channels = std::vector<int64_t>{1, 3, 16}[index % 3];
            const int64_t multiplier = 1 + index / 3 % 3;
            const Tensor x = seeded_randn({2, channels, length}, 500 + index);
            const Tensor kernel = seeded_randn({g.kernel_size, channels, multiplier}, 600 + index);
            ++index;
            INFO(describe(g) << ", length " << length << ", channels " << channels
                             << ", multiplier " << multiplier);
            check_channels_first_matches_transpose(x, kernel, g);
        }
    }
}

TEST_CASE("channels_first depthwise_conv1d across tiles: valid, same and causal padding") {
    // Rows of 37 to 300 steps: shorter than one 64-step register block, and several blocks with
    // a remainder, so the vectorised and the scalar steps meet the padding at every offset.
    int64_t index = 0;
    for (const int64_t taps : {1, 3, 9}) {
        for (const int64_t stride : {1, 2, 3}) {
            for (const int64_t dilation : {1, 4}) {
                for (const Conv1DGeometry& g : padding_variants(taps, stride, dilation)) {
                    const int64_t length = std::vector<int64_t>{300, 129, 37}[index % 3];
                    const int64_t channels = std::vector<int64_t>{16, 3, 1}[index / 3 % 3];
                    const int64_t multiplier = 1 + index % 3;
                    const Tensor x = seeded_randn({2, channels, length}, 700 + index);
                    const Tensor kernel = seeded_randn({taps, channels, multiplier}, 800 + index);
                    ++index;
                    INFO(describe(g) << ", length " << length << ", channels " << channels
                                     << ", multiplier " << multiplier);
                    check_channels_first_matches_transpose(x, kernel, g);
                }
            }
        }
    }
}

TEST_CASE("channels_first depthwise_conv1d gradients in x and kernel") {
    std::vector<GradCase> cases = grad_cases();
    // One sequence over three tiles of the input gradient, strided and dilated.
    cases.push_back({{.kernel_size = 3, .stride = 2, .dilation = 3, .pad_left = 3, .pad_right = 3},
                     {1, 260, 2},
                     2,
                     2,
                     1});
    for (const GradCase& c : cases) {
        INFO(describe(c.geometry) << ", x " << c.x_shape << " (channels_last), multiplier "
                                  << c.kernel_outputs);
        const Conv1DGeometry g = c.geometry;
        const auto op = channels_first_depthwise(g);
        const auto f = [op](const std::vector<Tensor>& in) { return op(in[0], in[1]); };
        const Tensor x = seeded_randn({c.x_shape[0], c.x_shape[2], c.x_shape[1]}, 33);
        const Tensor kernel =
            seeded_randn({g.kernel_size, c.kernel_channels, c.kernel_outputs}, 34);
        CHECK_GRADIENTS(f, {x, kernel});
        CHECK_GRADIENTS(f, {x, kernel}, {}, {std::size_t{0}});  // the kernel's gradient alone
        CHECK_GRADIENTS(f, {x, kernel}, {}, {std::size_t{1}});  // x's gradient alone
    }
}

TEST_CASE("channels_first depthwise_conv1d is bit-identical on 1, 2 and 3 threads") {
    // 8 sequences of 16 channels of 1200 steps: 128 rows in several parallel chunks (more for
    // larger multipliers); the kernel gradient splits the 16 channels.
    const Conv1DGeometry g{.kernel_size = 5, .dilation = 2, .pad_left = 4, .pad_right = 4};
    const Tensor x = seeded_randn({8, 16, 1200}, 73);
    for (const int64_t multiplier : {1, 2, 3}) {
        INFO("multiplier " << multiplier);
        const Tensor kernel = seeded_randn({5, 16, multiplier}, 74);
        check_thread_independence(channels_first_depthwise(g), x, kernel);
    }
}

TEST_CASE("channels_first depthwise_conv1d argument errors name the channels_first layout") {
    const Conv1DGeometry k3{.kernel_size = 3};
    const DepthwiseOptions channels_first{.channels_first = true};
    CHECK_THROWS_WITH(depthwise_conv1d(zeros({4, 8}), zeros({3, 4, 1}), k3, channels_first),
                      Catch::Contains("input must have rank 3 [batch, channels, length]"));
    // x [2, 4, 8]: 4 channels of 8 steps, so a kernel of 8 channels does not fit.
    CHECK_THROWS_WITH(depthwise_conv1d(zeros({2, 4, 8}), zeros({3, 8, 1}), k3, channels_first),
                      Catch::Contains("must equal the input's channels (axis 1)") &&
                          Catch::Contains("input [2, 4, 8] and kernel [3, 8, 1]"));
    CHECK_THROWS_WITH(depthwise_conv1d(zeros({2, 4, 2}), zeros({3, 4, 1}), k3, channels_first),
                      Catch::Contains("input [2, 4, 2] is too short"));
    CHECK(depthwise_conv1d(zeros({2, 4, 8}), zeros({3, 4, 2}), k3, channels_first).shape() ==
          Shape{2, 8, 6});
    CHECK(depthwise_conv1d(zeros({0, 4, 8}), ones({3, 4, 1}), k3, channels_first).shape() ==
          Shape{0, 4, 6});
}

TEST_CASE("convolution argument errors") {
    const Tensor x = zeros({2, 8, 4});
    const Conv1DGeometry k3{.kernel_size = 3};
    SECTION("ranks") {
        CHECK_THROWS_WITH(depthwise_conv1d(zeros({8, 4}), zeros({3, 4, 1}), k3),
                          Catch::Contains("depthwise_conv1d: input must have rank 3") &&
                              Catch::Contains("[8, 4]"));
        CHECK_THROWS_AS(conv1d(zeros({1, 2, 8, 4}), zeros({3, 4, 1}), k3), ShapeError);
        CHECK_THROWS_WITH(
            conv1d(x, zeros({3, 4}), k3),
            Catch::Contains("conv1d: kernel must have rank 3") && Catch::Contains("[3, 4]"));
        CHECK_THROWS_AS(depthwise_conv1d(x, zeros({3, 4, 1, 1}), k3), ShapeError);
    }
    SECTION("kernel size and channels") {
        CHECK_THROWS_WITH(
            depthwise_conv1d(x, zeros({3, 4, 1}), {.kernel_size = 5}),
            Catch::Contains("kernel [3, 4, 1] has 3 taps") && Catch::Contains("kernel_size is 5"));
        CHECK_THROWS_AS(depthwise_conv1d(x, zeros({3, 5, 1}), k3), ShapeError);
        CHECK_THROWS_WITH(depthwise_conv1d(x, zeros({3, 5, 1}), k3),
                          Catch::Contains("depthwise_conv1d") &&
                              Catch::Contains("input [2, 8, 4] and kernel [3, 5, 1]"));
        CHECK_THROWS_WITH(conv1d(x, zeros({3, 3, 6}), k3),
                          Catch::Contains("conv1d: the kernel's axis 1 must be channels / groups "
                                          "= 4"));
        CHECK_THROWS_WITH(conv1d(x, zeros({3, 4, 6}), k3, 2),
                          Catch::Contains("channels / groups = 2") && Catch::Contains("groups 2"));
    }
    SECTION("too short an input") {
        CHECK_THROWS_WITH(
            depthwise_conv1d(zeros({2, 3, 4}), zeros({5, 4, 1}), {.kernel_size = 5, .dilation = 2}),
            Catch::Contains("depthwise_conv1d: input [2, 3, 4] is too short for a "
                            "kernel of dilated size 9 with pads 0+0"));
        CHECK_THROWS_AS(conv1d(zeros({2, 2, 4}), zeros({4, 4, 1}),
                               {.kernel_size = 4, .stride = 2, .pad_left = 1}),
                        ShapeError);
    }
    SECTION("geometry values") {
        CHECK_THROWS_WITH(depthwise_conv1d(x, zeros({3, 4, 1}), {.kernel_size = 3, .stride = 0}),
                          Catch::Contains("depthwise_conv1d: stride must be >= 1, got 0"));
        CHECK_THROWS_AS(conv1d(x, zeros({3, 4, 1}), {.kernel_size = 3, .stride = -1}), ValueError);
        CHECK_THROWS_WITH(conv1d(x, zeros({3, 4, 1}), {.kernel_size = 3, .dilation = 0}),
                          Catch::Contains("conv1d: dilation must be >= 1, got 0"));
        CHECK_THROWS_WITH(conv1d(x, zeros({0, 4, 1}), {.kernel_size = 0}),
                          Catch::Contains("kernel_size must be >= 1, got 0"));
        CHECK_THROWS_WITH(depthwise_conv1d(x, zeros({3, 4, 1}), {.kernel_size = 3, .pad_left = -1}),
                          Catch::Contains("pads must be >= 0, got pad_left -1"));
    }
    SECTION("groups") {
        CHECK_THROWS_WITH(conv1d(x, zeros({3, 1, 6}), k3, 3),
                          Catch::Contains("conv1d: groups 3 must divide the input channels (4)"));
        CHECK_THROWS_WITH(conv1d(x, zeros({3, 2, 5}), k3, 2),
                          Catch::Contains("and the filters (5)"));
        CHECK_THROWS_WITH(conv1d(x, zeros({3, 4, 6}), k3, 0),
                          Catch::Contains("conv1d: groups must be >= 1, got 0"));
        CHECK_THROWS_AS(conv1d(x, zeros({3, 4, 6}), k3, 0), ValueError);
    }
}

TEST_CASE("empty batches and channels give empty or zero results") {
    const Conv1DGeometry g{.kernel_size = 3, .pad_left = 1, .pad_right = 1};
    CHECK(depthwise_conv1d(zeros({0, 5, 2}), ones({3, 2, 2}), g).shape() == Shape{0, 5, 4});
    CHECK(conv1d(zeros({0, 5, 2}), ones({3, 2, 2}), g).shape() == Shape{0, 5, 2});
    // No input channels: every output is an empty sum.
    CHECK(conv1d(zeros({1, 5, 0}), ones({3, 0, 2}), g).to_vector() == std::vector<float>(10, 0));
}
