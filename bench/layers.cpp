// Layer-level micro-benchmarks: one SeparableConv1D forward + backward, the unit of work the
// flagship layer adds to a training step (weights' gradients included, optimizer excluded).
#include <benchmark/benchmark.h>

#include <cstdint>

#include <minidl/minidl.hpp>

namespace {

using minidl::Tensor;

/// Forward, sum, backward through SeparableConv1D on [batch, length, channels] (channels_last) or
/// [batch, channels, length]. FLOPs count the depthwise and pointwise multiply-adds of the
/// forward pass and twice that for the backward pass (input and weight gradients).
void BM_SeparableConv1D(benchmark::State& state, int64_t batch, int64_t length, int64_t channels,
                        int64_t filters, int64_t kernel_size, minidl::DataFormat data_format) {
    minidl::layers::SeparableConv1D layer({.filters = filters,
                                           .kernel_size = kernel_size,
                                           .padding = minidl::Padding::Same,
                                           .data_format = data_format,
                                           .activation = "relu"});
    const Tensor x =
        minidl::randn(minidl::conv1d_shape(batch, length, channels, data_format)).requires_grad_();
    const auto step = [&] {
        layer(x).sum().backward();
        for (const auto& weight : layer.weights()) weight.zero_grad();
        x.zero_grad();
    };
    step();  // builds the layer and warms the allocator's cache
    for (auto _ : state) step();
    const double forward_flops =
        2.0 * batch * length * channels * (kernel_size + static_cast<double>(filters));
    state.counters["FLOP/s"] =
        benchmark::Counter(3.0 * forward_flops, benchmark::Counter::kIsIterationInvariantRate);
}
// The size the SeparableConv1D issue reports: B=32, L=1024, Cin=64, filters=64, kernel_size=9.
BENCHMARK_CAPTURE(BM_SeparableConv1D, b32_l1024_c64_f64_k9_last, 32, 1024, 64, 64, 9,
                  minidl::DataFormat::ChannelsLast)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SeparableConv1D, b32_l1024_c64_f64_k9_first, 32, 1024, 64, 64, 9,
                  minidl::DataFormat::ChannelsFirst)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
