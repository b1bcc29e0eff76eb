// Work partitioning for OpenMP loops. The chunks depend only on the problem size and a grain
// fixed by the caller, never on the thread count, so every chunk computes the same bits on 1
// thread or on many, and reductions that combine per-chunk results in chunk order are
// bit-identical for any OMP_NUM_THREADS.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace minidl {

/// Elements per chunk for cheap elementwise loops: 128 KiB of floats, big enough that a
/// thread's start-up cost is amortised, small enough to spread a medium tensor over 2 cores.
inline constexpr int64_t kElementwiseGrain = 32768;

/// Number of chunks parallel_for splits [0, n) into.
inline int64_t chunk_count(int64_t n, int64_t grain) {
    return n <= 0 ? 0 : (n + grain - 1) / grain;
}

/// Calls body(begin, end) for the chunks [k*grain, min(n, (k+1)*grain)), in parallel when there
/// is more than one.
template <class Body>
void parallel_for(int64_t n, int64_t grain, const Body& body) {
    const int64_t chunks = chunk_count(n, grain);
    if (chunks == 1) {
        body(int64_t{0}, n);
        return;
    }
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < chunks; ++k) body(k * grain, std::min(n, (k + 1) * grain));
}

/// Sums chunk_sum(begin, end) over the chunks of parallel_for, adding the chunks' results in
/// chunk order (double precision), so the result does not depend on the thread count.
template <class ChunkSum>
double parallel_sum(int64_t n, int64_t grain, const ChunkSum& chunk_sum) {
    const int64_t chunks = chunk_count(n, grain);
    if (chunks <= 1) return chunks == 0 ? 0.0 : static_cast<double>(chunk_sum(int64_t{0}, n));
    std::vector<double> partial(static_cast<std::size_t>(chunks));
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < chunks; ++k) {
        partial[k] = static_cast<double>(chunk_sum(k * grain, std::min(n, (k + 1) * grain)));
    }
    double total = 0.0;
    for (double p : partial) total += p;
    return total;
}

}  // namespace minidl
