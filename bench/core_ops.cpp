// Micro-benchmarks of minidl's core kernels (Google Benchmark).
//
// Run with `make bench` (THREADS=1 or 2 sets OMP_NUM_THREADS), or build/bench/bench_micro
// with any --benchmark_* flag. Every tensor is allocated before the timed loop; each
// benchmark reports a rate next to its time: FLOP/s for matrix products (2 per multiply-add),
// bytes/s for memory-bound ops (the bytes the op must read and write at least, counted once).
// docs/performance.md lists the shapes, what each figure means and measured results.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdint>
#include <string>

#include <minidl/minidl.hpp>

namespace {

using minidl::Tensor;

constexpr double kFloatBytes = sizeof(float);

/// Reports `flops` floating-point operations per iteration as a rate.
void set_flop_rate(benchmark::State& state, double flops) {
    state.counters["FLOP/s"] =
        benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
}

/// Reports `floats` float32 values read or written per iteration as a rate in bytes.
void set_byte_rate(benchmark::State& state, double floats) {
    state.counters["bytes/s"] =
        benchmark::Counter(floats * kFloatBytes, benchmark::Counter::kIsIterationInvariantRate);
}

/// Times `op()` (which returns a Tensor). One untimed call first, so that the caching allocator
/// holds the result's block and the timed loop measures a steady state, as in a training loop,
/// not the first touch of fresh memory (which costs more than the kernel on this machine).
template <class Op>
void run_timed(benchmark::State& state, const Op& op) {
    benchmark::DoNotOptimize(op().data());
    for (auto _ : state) {
        Tensor result = op();
        benchmark::DoNotOptimize(result.data());
    }
}

// ---- matrix products --------------------------------------------------------------------------

/// C[n, m] = A[n, k] B[k, m], forward only (no tensor requires a gradient, nothing is recorded).
void BM_Matmul(benchmark::State& state, int64_t n, int64_t k, int64_t m) {
    const Tensor a = minidl::randn({n, k});
    const Tensor b = minidl::randn({k, m});
    run_timed(state, [&] { return minidl::matmul(a, b); });
    set_flop_rate(state, 2.0 * n * k * m);
}
// A square product, then the SepNet pointwise GEMMs [B*L, Cin] x [Cin, C] and [B*L, C] x [C, C]
// for the configs of ../shared/bench/torch_sepnet.py (medium and large have Cin = C).
BENCHMARK_CAPTURE(BM_Matmul, square_1024, 1024, 1024, 1024)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, tiny_in_4096x8x16, 32 * 128, 8, 16)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, tiny_4096x16x16, 32 * 128, 16, 16)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, medium_32768x64x64, 32 * 1024, 64, 64)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, large_262144x128x128, 64 * 4096, 128, 128)->UseRealTime();

/// Forward and backward of the medium pointwise product with both operands requiring a
/// gradient: C = A B, then dA = dC Bᵀ and dB = Aᵀ dC (3 products of the same FLOP count).
void BM_MatmulForwardBackward(benchmark::State& state, int64_t n, int64_t k, int64_t m) {
    Tensor a = minidl::randn({n, k}).requires_grad_();
    Tensor b = minidl::randn({k, m}).requires_grad_();
    const Tensor grad_c = minidl::ones({n, m});
    const auto step = [&] {
        minidl::matmul(a, b).backward(grad_c);
        benchmark::DoNotOptimize(a.grad().data());
        benchmark::DoNotOptimize(b.grad().data());
        a.zero_grad();
        b.zero_grad();
    };
    step();  // warm-up, as in run_timed
    for (auto _ : state) step();
    set_flop_rate(state, 3 * 2.0 * n * k * m);
}
BENCHMARK_CAPTURE(BM_MatmulForwardBackward, medium_32768x64x64, 32 * 1024, 64, 64)->UseRealTime();

// ---- elementwise ops and reductions (memory-bound) ---------------------------------------------

constexpr int64_t kLarge = int64_t{1} << 22;  // 16 MiB of floats: larger than the caches
constexpr int64_t kRows = 32 * 1024;          // B*L of the medium SepNet config
constexpr int64_t kChannels = 64;             // C of the medium SepNet config

/// a + b, same shape: reads two tensors, writes one.
void BM_Add(benchmark::State& state) {
    const Tensor a = minidl::randn({kLarge});
    const Tensor b = minidl::randn({kLarge});
    run_timed(state, [&] { return minidl::add(a, b); });
    set_byte_rate(state, 3.0 * kLarge);
}
BENCHMARK(BM_Add)->UseRealTime();

/// [B*L, C] + [C]: a bias added to every row (the row is broadcast).
void BM_AddRowBroadcast(benchmark::State& state) {
    const Tensor a = minidl::randn({kRows, kChannels});
    const Tensor bias = minidl::randn({kChannels});
    run_timed(state, [&] { return minidl::add(a, bias); });
    set_byte_rate(state, 2.0 * kRows * kChannels);
}
BENCHMARK(BM_AddRowBroadcast)->UseRealTime();

/// An elementwise op over 1<<22 floats: reads and writes each value once.
void BM_Unary(benchmark::State& state, Tensor (*op)(const Tensor&)) {
    const Tensor a = minidl::randn({kLarge});
    run_timed(state, [&] { return op(a); });
    set_byte_rate(state, 2.0 * kLarge);
}
BENCHMARK_CAPTURE(BM_Unary, exp, &minidl::exp)->UseRealTime();
BENCHMARK_CAPTURE(BM_Unary, relu, &minidl::relu)->UseRealTime();

/// Sum of all elements: reads the tensor once.
void BM_SumAll(benchmark::State& state) {
    const Tensor a = minidl::randn({kLarge});
    run_timed(state, [&] { return minidl::sum(a); });
    set_byte_rate(state, 1.0 * kLarge);
}
BENCHMARK(BM_SumAll)->UseRealTime();

/// Sum over axis 0 of [B*L, C]: the gradient of a bias.
void BM_SumAxis0(benchmark::State& state) {
    const Tensor a = minidl::randn({kRows, kChannels});
    run_timed(state, [&] { return minidl::sum(a, {0}); });
    set_byte_rate(state, 1.0 * kRows * kChannels);
}
BENCHMARK(BM_SumAxis0)->UseRealTime();

/// Softmax over the last axis of [4096, 10] (a batch of class scores; fits in L2).
void BM_Softmax(benchmark::State& state) {
    const Tensor a = minidl::randn({4096, 10});
    run_timed(state, [&] { return minidl::softmax(a, -1); });
    set_byte_rate(state, 2.0 * 4096 * 10);
}
BENCHMARK(BM_Softmax)->UseRealTime();

// ---- fixed costs: autograd bookkeeping and allocation ------------------------------------------

/// sum(x * x + x) on 4 elements, forward and backward: the time is almost all per-op overhead
/// (node creation, shape checks, allocation, the backward walk) of 3 recorded ops.
void BM_AutogradTiny(benchmark::State& state) {
    Tensor x = minidl::tensor({1.0f, 2.0f, 3.0f, 4.0f}).requires_grad_();
    for (auto _ : state) {
        minidl::sum(x * x + x).backward();
        benchmark::DoNotOptimize(x.grad().data());
        x.zero_grad();
    }
    state.counters["time/op"] = benchmark::Counter(
        3, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_AutogradTiny)->UseRealTime();

/// The same forward under NoGradGuard: the cost of the 3 ops without recording or backward.
void BM_AutogradTinyNoGrad(benchmark::State& state) {
    const minidl::NoGradGuard no_grad;
    Tensor x = minidl::tensor({1.0f, 2.0f, 3.0f, 4.0f}).requires_grad_();
    run_timed(state, [&] { return minidl::sum(x * x + x); });
    state.counters["time/op"] = benchmark::Counter(
        3, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_AutogradTinyNoGrad)->UseRealTime();

/// Allocates a tensor of state.range(0) MiB, writes one float per 4 KiB page (as any use of it
/// would touch every page) and frees it, with the caching allocator on or off (it is on again
/// afterwards). 16 MiB is below glibc's largest mmap threshold (32 MiB), 64 MiB above it: glibc
/// maps and unmaps such a block on every malloc/free.
void BM_Alloc(benchmark::State& state, bool caching) {
    const int64_t floats = state.range(0) << 20 >> 2;
    constexpr int64_t kFloatsPerPage = 4096 / sizeof(float);
    minidl::set_memory_caching(caching);
    const auto step = [&] {
        Tensor t = minidl::empty({floats});
        float* p = t.data();
        for (int64_t i = 0; i < floats; i += kFloatsPerPage) p[i] = 0.0f;
        benchmark::DoNotOptimize(p);
        benchmark::ClobberMemory();
    };
    step();  // warm-up: the cached case then reuses the block
    for (auto _ : state) step();
    minidl::set_memory_caching(true);
}
BENCHMARK_CAPTURE(BM_Alloc, cached, true)->Arg(16)->Arg(64)->UseRealTime();
BENCHMARK_CAPTURE(BM_Alloc, uncached, false)->Arg(16)->Arg(64)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    // Printed in the run's header, so a saved output says how many threads it used.
    benchmark::AddCustomContext("omp_max_threads", std::to_string(omp_get_max_threads()));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
