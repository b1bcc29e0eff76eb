// pointwise_conv1d: forward values and gradients against naive loops written here (double
// accumulation) over tile boundaries, odd channel counts, both output layouts, with and
// without bias and relu; gradient checks; thread-count independence; the argument checks; and
// the layers that use it (SeparableConv1D, Conv1D with kernel_size 1) against the unfused ops.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gradcheck.hpp"
#include "layer_test_support.hpp"
#include "test_support.hpp"

using namespace minidl;
using minidl::testing::seeded_randn;

namespace {

struct Case {
    Shape x_shape;  ///< [B, L, C], whatever the layout
    int64_t filters;
    bool bias;
    PointwiseOptions options;
};

std::string describe(const Case& c) {
    return "x " + c.x_shape.to_string() + ", filters " + std::to_string(c.filters) +
           (c.bias ? ", bias" : "") + (c.options.relu ? ", relu" : "") +
           (c.options.channels_first ? ", channels_first" : "");
}

/// Lengths below, at and across the 256-step tiles, odd channel counts (partial vectors, partial
/// blocks and, past 64 columns, a partial second panel in small_gemm), each with every option.
std::vector<Case> cases() {
    std::vector<Case> all;
    const std::vector<std::pair<Shape, int64_t>> shapes{{{2, 5, 3}, 7},
                                                        {{3, 256, 8}, 16},
                                                        {{2, 300, 13}, 37},
                                                        {{1, 520, 64}, 33},
                                                        {{2, 30, 70}, 75}};
    for (const auto& [shape, filters] : shapes) {
        for (const bool bias : {false, true}) {
            for (const bool relu : {false, true}) {
                for (const bool channels_first : {false, true}) {
                    all.push_back({shape, filters, bias, {relu, channels_first}});
                }
            }
        }
    }
    return all;
}

/// Index of (b, t, f) in the op's output layout.
int64_t output_index(const Case& c, int64_t b, int64_t t, int64_t f) {
    const int64_t length = c.x_shape[1];
    return c.options.channels_first ? (b * c.filters + f) * length + t
                                    : (b * length + t) * c.filters + f;
}

/// Index of (b, t, i) in the op's input layout.
int64_t input_index(const Case& c, int64_t b, int64_t t, int64_t i) {
    const int64_t length = c.x_shape[1], channels = c.x_shape[2];
    return c.options.channels_first ? (b * channels + i) * length + t
                                    : (b * length + t) * channels + i;
}

/// The naive forward, and the gradients of sum(out * weighting) from the definition.
struct Naive {
    std::vector<double> out, grad_x, grad_kernel, grad_bias;
};

Naive naive(const Case& c, const Tensor& x, const Tensor& kernel, const Tensor& bias,
            const Tensor& weighting) {
    const int64_t batch = c.x_shape[0], length = c.x_shape[1], channels = c.x_shape[2];
    const std::vector<float> xs = x.to_vector(), ws = kernel.to_vector(),
                             gs = weighting.to_vector();
    const std::vector<float> bs = c.bias ? bias.to_vector() : std::vector<float>(c.filters, 0.0f);
    Naive n{std::vector<double>(weighting.numel()), std::vector<double>(x.numel()),
            std::vector<double>(kernel.numel()), std::vector<double>(c.filters)};
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t t = 0; t < length; ++t) {
            for (int64_t f = 0; f < c.filters; ++f) {
                double value = bs[f];
                for (int64_t i = 0; i < channels; ++i)
                    value += double{xs[input_index(c, b, t, i)]} * ws[i * c.filters + f];
                const bool active = !c.options.relu || value > 0.0;
                const int64_t at = output_index(c, b, t, f);
                n.out[at] = active ? value : 0.0;
                const double g = active ? gs[at] : 0.0;
                n.grad_bias[f] += g;
                for (int64_t i = 0; i < channels; ++i) {
                    n.grad_x[input_index(c, b, t, i)] += g * ws[i * c.filters + f];
                    n.grad_kernel[i * c.filters + f] += g * xs[input_index(c, b, t, i)];
                }
            }
        }
    }
    return n;
}

void check_close(const std::vector<float>& actual, const std::vector<double>& expected,
                 const char* what) {
    REQUIRE(actual.size() == expected.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < actual.size(); ++i) {
        worst = std::max(worst, std::abs(actual[i] - expected[i]) / (1.0 + std::abs(expected[i])));
    }
    INFO(what << ": worst error " << worst);
    // The kernel gradient sums B * L = 520 products in float: about 1e-5 of rounding.
    CHECK(worst < 5e-5);
}

/// x, kernel and (when the case has one) bias as leaves that require a gradient.
struct Leaves {
    Tensor x, kernel, bias;
};

Leaves leaves(const Case& c) {
    const Shape x_shape =
        c.options.channels_first ? Shape{c.x_shape[0], c.x_shape[2], c.x_shape[1]} : c.x_shape;
    Leaves l{seeded_randn(x_shape, 11).requires_grad_(),
             (seeded_randn({1, c.x_shape[2], c.filters}, 12) * 0.3f).requires_grad_(), Tensor()};
    if (c.bias) l.bias = (seeded_randn({c.filters}, 13) * 0.5f).requires_grad_();
    return l;
}

}  // namespace

TEST_CASE("pointwise_conv1d forward and gradients match the naive loops") {
    for (const Case& c : cases()) {
        INFO(describe(c));
        const Leaves l = leaves(c);
        const Tensor out = pointwise_conv1d(l.x, l.kernel, l.bias, c.options);
        const int64_t b = c.x_shape[0], length = c.x_shape[1];
        CHECK(out.shape() == (c.options.channels_first ? Shape{b, c.filters, length}
                                                       : Shape{b, length, c.filters}));
        const Tensor weighting = seeded_randn(out.shape(), 14);
        sum(out * weighting).backward();
        const Naive expected = naive(c, l.x, l.kernel, l.bias, weighting);
        check_close(out.to_vector(), expected.out, "forward");
        check_close(l.x.grad().to_vector(), expected.grad_x, "grad x");
        check_close(l.kernel.grad().to_vector(), expected.grad_kernel, "grad kernel");
        if (c.bias) check_close(l.bias.grad().to_vector(), expected.grad_bias, "grad bias");
    }
}

TEST_CASE("pointwise_conv1d gradient check in x, kernel and bias") {
    for (const bool relu : {false, true}) {
        for (const bool channels_first : {false, true}) {
            const PointwiseOptions options{relu, channels_first};
            INFO("relu " << relu << ", channels_first " << channels_first);
            const auto f = [options](const std::vector<Tensor>& in) {
                return pointwise_conv1d(in[0], in[1], in[2], options);
            };
            // 6 steps of 3 channels.
            const Shape x_shape = channels_first ? Shape{2, 3, 6} : Shape{2, 6, 3};
            CHECK_GRADIENTS(
                f, {seeded_randn(x_shape, 21), seeded_randn({1, 3, 5}, 22), seeded_randn({5}, 23)});
            const auto no_bias = [options](const std::vector<Tensor>& in) {
                return pointwise_conv1d(in[0], in[1], Tensor(), options);
            };
            CHECK_GRADIENTS(no_bias, {seeded_randn(x_shape, 24), seeded_randn({1, 3, 5}, 25)});
        }
    }
}

TEST_CASE("pointwise_conv1d gradients of some inputs only") {
    const Tensor x = seeded_randn({2, 9, 4}, 31).requires_grad_();
    const Tensor kernel = seeded_randn({1, 4, 6}, 32);
    const Tensor bias = seeded_randn({6}, 33).requires_grad_();
    sum(pointwise_conv1d(x, kernel, bias, {.relu = true})).backward();
    CHECK(x.grad().defined());
    CHECK(bias.grad().defined());
    CHECK_FALSE(kernel.grad().defined());
}

TEST_CASE("pointwise_conv1d forward and gradients are bit-identical on 1, 2 and 3 threads") {
    // 4 sequences of 3 tiles, 64 -> 48 channels: several chunks and weight-gradient partials.
    const Case c{{4, 700, 64}, 48, true, {.relu = true}};
    const auto run = [&](int threads, bool channels_first) {
        const minidl::testing::ThreadCount count(threads);
        Case variant = c;
        variant.options.channels_first = channels_first;
        const Leaves l = leaves(variant);
        const Tensor out = pointwise_conv1d(l.x, l.kernel, l.bias, variant.options);
        sum(out * seeded_randn(out.shape(), 41)).backward();
        return std::vector<std::vector<float>>{out.to_vector(), l.x.grad().to_vector(),
                                               l.kernel.grad().to_vector(),
                                               l.bias.grad().to_vector()};
    };
    for (const bool channels_first : {false, true}) {
        const auto reference = run(1, channels_first);
        for (const int threads : {2, 3}) {
            const auto result = run(threads, channels_first);
            for (std::size_t i = 0; i < result.size(); ++i) {
                INFO(threads << " threads, channels_first " << channels_first << ", output " << i);
                REQUIRE(result[i].size() == reference[i].size());
                CHECK(std::memcmp(result[i].data(), reference[i].data(),
                                  result[i].size() * sizeof(float)) == 0);
            }
        }
    }
}

TEST_CASE("pointwise_conv1d argument errors") {
    const Tensor x = zeros({2, 5, 3});
    CHECK_THROWS_AS(pointwise_conv1d(zeros({5, 3}), zeros({1, 3, 4}), Tensor()), ShapeError);
    CHECK_THROWS_AS(pointwise_conv1d(x, zeros({3, 4}), Tensor()), ShapeError);
    CHECK_THROWS_AS(pointwise_conv1d(x, zeros({2, 3, 4}), Tensor()), ShapeError);
    CHECK_THROWS_AS(pointwise_conv1d(x, zeros({1, 4, 4}), Tensor()), ShapeError);
    CHECK_THROWS_AS(pointwise_conv1d(x, zeros({1, 3, 4}), zeros({5})), ShapeError);
    CHECK(pointwise_conv1d(zeros({0, 5, 3}), zeros({1, 3, 4}), Tensor()).shape() == Shape{0, 5, 4});
}

TEST_CASE("SeparableConv1D and Conv1D with kernel_size 1 equal the unfused ops") {
    for (const char* data_format : {"channels_last", "channels_first"}) {
        // relu is fused into the op, linear needs nothing, tanh follows it.
        for (const std::string activation : {"relu", "linear", "tanh"}) {
            INFO(data_format << ", " << activation);
            const bool channels_first = std::string(data_format) == "channels_first";
            const Tensor x = seeded_randn(channels_first ? Shape{2, 6, 40} : Shape{2, 40, 6}, 51);
            const Tensor x_last = channels_first ? transpose(x, 1, 2) : x;
            const auto unfused = [&](const Tensor& y, const Tensor& bias) {
                Tensor out = y + bias;
                if (channels_first) out = transpose(out, 1, 2);
                if (activation == "relu") return relu(out);
                return activation == "tanh" ? tanh(out) : out;
            };

            layers::SeparableConv1D separable({.filters = 5,
                                               .kernel_size = 3,
                                               .padding = "same",
                                               .data_format = data_format,
                                               .activation = activation,
                                               .bias_initializer = "ones"});
            const Tensor fused = separable(x);
            const Tensor depthwise = depthwise_conv1d(
                x_last, separable.weights()[0], {.kernel_size = 3, .pad_left = 1, .pad_right = 1});
            const Tensor expected = unfused(
                matmul(depthwise, reshape(separable.weights()[1], {6, 5})), separable.bias());
            minidl::testing::check_close(fused, expected);

            layers::Conv1D conv({.filters = 4,
                                 .kernel_size = 1,
                                 .data_format = data_format,
                                 .activation = activation,
                                 .bias_initializer = "ones"});
            const Tensor conv_out = conv(x);
            minidl::testing::check_close(
                conv_out, unfused(matmul(x_last, reshape(conv.weights()[0], {6, 4})), conv.bias()));
        }
    }
}
