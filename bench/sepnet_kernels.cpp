// Micro-benchmarks of the SepNet training step's kernels besides the convolutions
// (conv_ops.cpp) at the sizes of ../shared/bench/torch_sepnet.py: the pointwise GEMM forward
// and backward, the bias + relu tail with its backward, the fused pointwise_conv1d op and
// small_gemm on its tile shapes against Eigen, and the Adam update. Linked into bench_micro,
// whose main() runs them.
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cstdint>

#include <minidl/core/kernels/small_gemm.hpp>
#include <minidl/minidl.hpp>

namespace {

using minidl::Tensor;

constexpr double kFloatBytes = sizeof(float);

/// The pointwise stage of one SepNet layer: rows = B * L, Cin -> C.
struct PointwiseShape {
    int64_t rows;
    int64_t in_channels;
    int64_t channels;
    double flops() const { return 2.0 * rows * in_channels * channels; }
};
constexpr PointwiseShape kMedium{32 * 1024, 64, 64};
constexpr PointwiseShape kLarge{64 * 4096, 128, 128};

void set_rate(benchmark::State& state, const char* name, double per_iteration) {
    state.counters[name] =
        benchmark::Counter(per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}

/// One untimed call (the caching allocator then holds every block), then the timed loop.
template <class Step>
void run_timed(benchmark::State& state, const Step& step) {
    step();
    for (auto _ : state) step();
}

/// The pointwise backward alone: dX = dY Wᵀ and dW = Xᵀ dY, through autograd (the forward
/// product is recorded outside the timed loop and its graph kept).
void BM_PointwiseBackward(benchmark::State& state, PointwiseShape s) {
    Tensor x = minidl::randn({s.rows, s.in_channels}).requires_grad_();
    Tensor w = minidl::randn({s.in_channels, s.channels}).requires_grad_();
    const Tensor y = minidl::matmul(x, w);
    const Tensor grad_y = minidl::randn(y.shape());
    run_timed(state, [&] {
        y.backward(grad_y, /*retain_graph=*/true);
        benchmark::DoNotOptimize(x.grad().data());
        x.zero_grad();
        w.zero_grad();
    });
    set_rate(state, "FLOP/s", 2 * s.flops());
}
BENCHMARK_CAPTURE(BM_PointwiseBackward, medium, kMedium)->UseRealTime();
BENCHMARK_CAPTURE(BM_PointwiseBackward, large, kLarge)->UseRealTime();

/// relu(y + bias) forward and backward over [B * L, C], as SeparableConv1D's tail: bytes/s
/// counts y and the output read or written once each way (4 passes over [B * L, C]).
void BM_BiasRelu(benchmark::State& state, PointwiseShape s) {
    Tensor y = minidl::randn({s.rows, s.channels}).requires_grad_();
    Tensor bias = minidl::randn({s.channels}).requires_grad_();
    const Tensor grad = minidl::randn({s.rows, s.channels});
    run_timed(state, [&] {
        minidl::relu(y + bias).backward(grad);
        benchmark::DoNotOptimize(y.grad().data());
        y.zero_grad();
        bias.zero_grad();
    });
    set_rate(state, "bytes/s", 4.0 * kFloatBytes * s.rows * s.channels);
}
BENCHMARK_CAPTURE(BM_BiasRelu, medium, kMedium)->UseRealTime();
BENCHMARK_CAPTURE(BM_BiasRelu, large, kLarge)->UseRealTime();

/// pointwise_conv1d (GEMM + bias + relu in 256-step tiles, SeparableConv1D's fused pointwise
/// stage) forward and backward into x, kernel and bias, channels_last; FLOP/s counts the three
/// products.
void BM_PointwiseConv1D(benchmark::State& state, PointwiseShape s) {
    const int64_t batch = s.rows / 1024;
    Tensor x = minidl::randn({batch, 1024, s.in_channels}).requires_grad_();
    Tensor kernel = minidl::randn({1, s.in_channels, s.channels}).requires_grad_();
    Tensor bias = minidl::randn({s.channels}).requires_grad_();
    const Tensor grad = minidl::randn({batch, 1024, s.channels});
    run_timed(state, [&] {
        minidl::pointwise_conv1d(x, kernel, bias, {.relu = true}).backward(grad);
        benchmark::DoNotOptimize(x.grad().data());
        x.zero_grad();
        kernel.zero_grad();
        bias.zero_grad();
    });
    set_rate(state, "FLOP/s", 3 * s.flops());
}
BENCHMARK_CAPTURE(BM_PointwiseConv1D, medium, kMedium)->UseRealTime();
BENCHMARK_CAPTURE(BM_PointwiseConv1D, large, kLarge)->UseRealTime();

/// One tile product of pointwise_conv1d on one thread, by small_gemm or by Eigen's GEMM, with
/// Cin = C = range(0) as in SepNet: the forward (and input gradient) [256, C] x [C, C], or the
/// kernel gradient x_tileᵀ g_tile, [C, 256] x [256, C] with the tile read transposed.
void BM_TileGemm(benchmark::State& state, bool kernel_gradient, bool eigen) {
    using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const int64_t channels = state.range(0);
    const int64_t steps = 256;
    const Matrix tile = Matrix::Random(steps, channels);
    const Matrix b = Matrix::Random(kernel_gradient ? steps : channels, channels);
    const int64_t m = kernel_gradient ? channels : steps;
    Matrix c = Matrix::Zero(m, channels);
    for (auto _ : state) {
        if (eigen && kernel_gradient) {
            c.noalias() = tile.transpose() * b;
        } else if (eigen) {
            c.noalias() = tile * b;
        } else {
            const minidl::kernels::StridedMatrix a =
                kernel_gradient ? minidl::kernels::StridedMatrix{tile.data(), 1, channels}
                                : minidl::kernels::StridedMatrix{tile.data(), channels, 1};
            minidl::kernels::small_gemm(m, channels, b.rows(), a, b.data(), channels, c.data(),
                                        channels, false);
        }
        benchmark::DoNotOptimize(c.data());
    }
    set_rate(state, "FLOP/s", 2.0 * steps * channels * channels);
}
BENCHMARK_CAPTURE(BM_TileGemm, forward_small_gemm, false, false)->Arg(16)->Arg(64)->Arg(128);
BENCHMARK_CAPTURE(BM_TileGemm, forward_eigen, false, true)->Arg(16)->Arg(64)->Arg(128);
BENCHMARK_CAPTURE(BM_TileGemm, kernel_gradient_small_gemm, true, false)->Arg(64)->Arg(128);
BENCHMARK_CAPTURE(BM_TileGemm, kernel_gradient_eigen, true, true)->Arg(64)->Arg(128);

/// Optimizer::step() of Adam over one parameter of `n` floats whose gradient is set (it stays
/// set: step() reads it): copies the gradient (2 floats per value), then reads w, g, m, v and
/// writes w, m, v (7 more).
void BM_AdamStep(benchmark::State& state) {
    const int64_t n = state.range(0);
    minidl::Parameter w("w", minidl::randn({n}));
    minidl::optim::Adam adam({w});
    minidl::sum(w * minidl::randn({n})).backward();
    run_timed(state, [&] { adam.step(); });
    set_rate(state, "bytes/s", 9.0 * kFloatBytes * n);
}
BENCHMARK(BM_AdamStep)->Arg(int64_t{1} << 14)->Arg(int64_t{1} << 20)->UseRealTime();

}  // namespace
