// Micro-benchmarks of the 1-D convolution ops (Google Benchmark), linked into bench_micro,
// whose main() runs them.
//
// Shapes are those of the medium SepNet config (../shared/bench/torch_sepnet.py): B=32, L=1024,
// C=64, kernel 9 with "same" padding, so L_out = L. FLOP/s counts 2 per multiply-add of the
// nominal convolution (padding taps included), as PyTorch's profiler does. Inputs are
// allocated before the timed loop, and one untimed call warms the caching allocator.
#include <benchmark/benchmark.h>

#include <cstdint>

#include <minidl/core/kernels/conv1d.hpp>
#include <minidl/minidl.hpp>

namespace {

using minidl::Tensor;

constexpr int64_t kBatch = 32;
constexpr int64_t kLength = 1024;
constexpr int64_t kChannels = 64;
constexpr int64_t kTaps = 9;
constexpr minidl::Conv1DGeometry kSame{.kernel_size = kTaps, .pad_left = 4, .pad_right = 4};

/// Multiply-adds of one pass over the batch when each output step reads kTaps input rows and
/// does `per_tap` multiply-adds per row.
double convolution_flops(int64_t per_tap) { return 2.0 * kBatch * kLength * kTaps * per_tap; }

void set_flop_rate(benchmark::State& state, double flops) {
    state.counters["FLOP/s"] =
        benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
}

/// Runs step() once untimed, then in the timed loop.
template <class Step>
void run_timed(benchmark::State& state, const Step& step) {
    step();
    for (auto _ : state) step();
}

/// Forward and backward through autograd, as in a training step: y = op(x, kernel), then
/// y.backward(grad_y) computes both gradients.
template <class Op>
void run_forward_backward(benchmark::State& state, const Op& op, Tensor x, Tensor kernel) {
    x.requires_grad_();
    kernel.requires_grad_();
    const Tensor grad_y = minidl::randn(op(x.detach(), kernel.detach()).shape());
    run_timed(state, [&] {
        op(x, kernel).backward(grad_y);
        benchmark::DoNotOptimize(x.grad().data());
        benchmark::DoNotOptimize(kernel.grad().data());
        x.zero_grad();
        kernel.zero_grad();
    });
}

// ---- depthwise ----------------------------------------------------------------------------------

const auto depthwise = [](const Tensor& x, const Tensor& kernel) {
    return minidl::depthwise_conv1d(x, kernel, kSame);
};

void BM_DepthwiseForward(benchmark::State& state, int64_t multiplier) {
    const Tensor x = minidl::randn({kBatch, kLength, kChannels});
    const Tensor kernel = minidl::randn({kTaps, kChannels, multiplier});
    run_timed(state, [&] { benchmark::DoNotOptimize(depthwise(x, kernel).data()); });
    set_flop_rate(state, convolution_flops(kChannels * multiplier));
}
BENCHMARK_CAPTURE(BM_DepthwiseForward, m1, 1)->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseForward, m2, 2)->UseRealTime();

/// The two backward kernels alone (input and kernel gradients), into preallocated tensors.
void BM_DepthwiseBackward(benchmark::State& state, int64_t multiplier) {
    const Tensor x = minidl::randn({kBatch, kLength, kChannels});
    const Tensor kernel = minidl::randn({kTaps, kChannels, multiplier});
    const Tensor grad_y = minidl::randn({kBatch, kLength, kChannels * multiplier});
    const Tensor grad_x = minidl::empty(x.shape());
    const Tensor grad_kernel = minidl::empty(kernel.shape());
    const minidl::kernels::Conv1DSizes sizes{kBatch, kLength, kChannels, kLength, kSame};
    run_timed(state, [&] {
        minidl::kernels::depthwise_conv1d_backward_input(sizes, multiplier, grad_y.data(),
                                                         kernel.data(), grad_x.data());
        minidl::kernels::depthwise_conv1d_backward_kernel(sizes, multiplier, grad_y.data(),
                                                          x.data(), grad_kernel.data());
        benchmark::ClobberMemory();
    });
    set_flop_rate(state, 2 * convolution_flops(kChannels * multiplier));
}
BENCHMARK_CAPTURE(BM_DepthwiseBackward, m1, 1)->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseBackward, m2, 2)->UseRealTime();

void BM_DepthwiseForwardBackward(benchmark::State& state, int64_t multiplier) {
    run_forward_backward(state, depthwise, minidl::randn({kBatch, kLength, kChannels}),
                         minidl::randn({kTaps, kChannels, multiplier}));
    set_flop_rate(state, 3 * convolution_flops(kChannels * multiplier));
}
BENCHMARK_CAPTURE(BM_DepthwiseForwardBackward, m1, 1)->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseForwardBackward, m2, 2)->UseRealTime();

// ---- depthwise on channels_first input ---------------------------------------------------------

/// A depthwise op on channels_first x [B, C, L], giving channels_first [B, C, Lout].
using ChannelsFirstDepthwise = Tensor (*)(const Tensor&, const Tensor&);

/// Row by row, as x lies.
Tensor depthwise_channels_first(const Tensor& x, const Tensor& kernel) {
    return minidl::depthwise_conv1d(x, kernel, kSame, {.channels_first = true});
}

/// Transposing x to channels_last, the channels_last op, and transposing its output back.
Tensor depthwise_after_transpose(const Tensor& x, const Tensor& kernel) {
    const Tensor y = minidl::depthwise_conv1d(minidl::transpose(x, 1, 2), kernel, kSame);
    return minidl::transpose(y, 1, 2);
}

void BM_DepthwiseChannelsFirstForward(benchmark::State& state, ChannelsFirstDepthwise op) {
    const Tensor x = minidl::randn({kBatch, kChannels, kLength});
    const Tensor kernel = minidl::randn({kTaps, kChannels, 1});
    run_timed(state, [&] { benchmark::DoNotOptimize(op(x, kernel).data()); });
    set_flop_rate(state, convolution_flops(kChannels));
}
BENCHMARK_CAPTURE(BM_DepthwiseChannelsFirstForward, direct, depthwise_channels_first)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseChannelsFirstForward, transposed, depthwise_after_transpose)
    ->UseRealTime();

void BM_DepthwiseChannelsFirstForwardBackward(benchmark::State& state, ChannelsFirstDepthwise op) {
    run_forward_backward(state, op, minidl::randn({kBatch, kChannels, kLength}),
                         minidl::randn({kTaps, kChannels, 1}));
    set_flop_rate(state, 3 * convolution_flops(kChannels));
}
BENCHMARK_CAPTURE(BM_DepthwiseChannelsFirstForwardBackward, direct, depthwise_channels_first)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseChannelsFirstForwardBackward, transposed, depthwise_after_transpose)
    ->UseRealTime();

// ---- grouped (Conv1D) ---------------------------------------------------------------------------

/// C -> C filters in `groups` groups.
void BM_Conv1DForward(benchmark::State& state, int64_t groups) {
    const Tensor x = minidl::randn({kBatch, kLength, kChannels});
    const Tensor kernel = minidl::randn({kTaps, kChannels / groups, kChannels});
    run_timed(state,
              [&] { benchmark::DoNotOptimize(minidl::conv1d(x, kernel, kSame, groups).data()); });
    set_flop_rate(state, convolution_flops(kChannels * kChannels / groups));
}
BENCHMARK_CAPTURE(BM_Conv1DForward, groups1, 1)->UseRealTime();

void BM_Conv1DForwardBackward(benchmark::State& state, int64_t groups) {
    const auto op = [groups](const Tensor& x, const Tensor& kernel) {
        return minidl::conv1d(x, kernel, kSame, groups);
    };
    run_forward_backward(state, op, minidl::randn({kBatch, kLength, kChannels}),
                         minidl::randn({kTaps, kChannels / groups, kChannels}));
    set_flop_rate(state, 3 * convolution_flops(kChannels * kChannels / groups));
}
BENCHMARK_CAPTURE(BM_Conv1DForwardBackward, groups1, 1)->UseRealTime();
BENCHMARK_CAPTURE(BM_Conv1DForwardBackward, groups4, 4)->UseRealTime();

// ---- the depthwise kernels one by one, at SepNet's shapes ---------------------------------------

/// A depthwise layer of SepNet: x [batch, length, channels], `taps` with `dilation`, "same"
/// padding, multiplier 1.
struct DepthwiseShape {
    int64_t batch;
    int64_t length;
    int64_t channels;
    int64_t taps;
    int64_t dilation;
};

enum class DepthwiseKernel { forward, input_gradient, kernel_gradient };

/// One kernel into preallocated tensors, so that its rate is not the op's or autograd's. The
/// [1, 256, 128] shape is a tile that stays in L2 (the fused pointwise tile of SepNet large):
/// the compute rate, where the batch-sized shapes also pay for reading memory.
void BM_DepthwiseKernel(benchmark::State& state, DepthwiseKernel which, DepthwiseShape shape) {
    const int64_t extra = (shape.taps - 1) * shape.dilation;
    const minidl::Conv1DGeometry same{.kernel_size = shape.taps,
                                      .dilation = shape.dilation,
                                      .pad_left = extra / 2,
                                      .pad_right = extra - extra / 2};
    const minidl::kernels::Conv1DSizes sizes{shape.batch, shape.length, shape.channels,
                                             shape.length, same};
    const Tensor x = minidl::randn({shape.batch, shape.length, shape.channels});
    const Tensor kernel = minidl::randn({shape.taps, shape.channels, 1});
    const Tensor grad_y = minidl::randn(x.shape());
    const Tensor out = minidl::empty(x.shape());
    const Tensor grad_kernel = minidl::empty(kernel.shape());
    run_timed(state, [&] {
        switch (which) {
            case DepthwiseKernel::forward:
                minidl::kernels::depthwise_conv1d_forward(sizes, 1, x.data(), kernel.data(),
                                                          out.data());
                break;
            case DepthwiseKernel::input_gradient:
                minidl::kernels::depthwise_conv1d_backward_input(sizes, 1, grad_y.data(),
                                                                 kernel.data(), out.data());
                break;
            case DepthwiseKernel::kernel_gradient:
                minidl::kernels::depthwise_conv1d_backward_kernel(sizes, 1, grad_y.data(), x.data(),
                                                                  grad_kernel.data());
                break;
        }
        benchmark::ClobberMemory();
    });
    set_flop_rate(state, 2.0 * static_cast<double>(x.numel() * shape.taps));
}

constexpr DepthwiseShape kMediumDilation1{32, 1024, 64, 9, 1};
constexpr DepthwiseShape kMediumDilation4{32, 1024, 64, 9, 4};
constexpr DepthwiseShape kTinyDilation2{32, 128, 16, 5, 2};
constexpr DepthwiseShape kLargeTile{1, 256, 128, 9, 2};
BENCHMARK_CAPTURE(BM_DepthwiseKernel, forward_medium_d1, DepthwiseKernel::forward, kMediumDilation1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseKernel, forward_medium_d4, DepthwiseKernel::forward, kMediumDilation4)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseKernel, forward_tiny_d2, DepthwiseKernel::forward, kTinyDilation2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseKernel, forward_large_tile, DepthwiseKernel::forward, kLargeTile)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseKernel, input_gradient_medium_d1, DepthwiseKernel::input_gradient,
                  kMediumDilation1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseKernel, input_gradient_medium_d4, DepthwiseKernel::input_gradient,
                  kMediumDilation4)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseKernel, input_gradient_tiny_d2, DepthwiseKernel::input_gradient,
                  kTinyDilation2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseKernel, input_gradient_large_tile, DepthwiseKernel::input_gradient,
                  kLargeTile)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseKernel, kernel_gradient_medium_d1, DepthwiseKernel::kernel_gradient,
                  kMediumDilation1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseKernel, kernel_gradient_medium_d4, DepthwiseKernel::kernel_gradient,
                  kMediumDilation4)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseKernel, kernel_gradient_tiny_d2, DepthwiseKernel::kernel_gradient,
                  kTinyDilation2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DepthwiseKernel, kernel_gradient_large_tile, DepthwiseKernel::kernel_gradient,
                  kLargeTile)
    ->UseRealTime();

}  // namespace
