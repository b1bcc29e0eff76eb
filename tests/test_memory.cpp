// The caching allocator: size classes, reuse of freed blocks, the counters, and the switches
// that empty or disable the cache. Other tensors may be alive in this process (Catch2 runs every
// test case in one), so the checks compare counters before and after, never absolute values.
#include <catch2/catch.hpp>
#include <cstdint>

#include "gradcheck.hpp"

using namespace minidl;

namespace {

/// Bytes of the block a tensor of `count` floats occupies.
std::size_t block_bytes_for(int64_t count) {
    return memory_block_size(static_cast<std::size_t>(count) * sizeof(float));
}

/// Blocks handed out that did not come from the cache, i.e. fresh system allocations.
std::size_t fresh_allocations(const MemoryStats& s) { return s.allocations - s.cache_hits; }

/// Turns caching off for its lifetime and back on afterwards, even if a check throws.
class CachingDisabled {
  public:
    CachingDisabled() { set_memory_caching(false); }
    ~CachingDisabled() { set_memory_caching(true); }
    CachingDisabled(const CachingDisabled&) = delete;
    CachingDisabled& operator=(const CachingDisabled&) = delete;
};

/// One step of a tiny training loop: forward, backward, and an update under no-grad.
void training_step(Tensor& w, const Tensor& x) {
    w.zero_grad();
    Tensor loss = mean(square(exp(x * w) - 1.0f) + x / (1.0f + x * x));
    loss.backward();
    NoGradGuard no_grad;
    w = (w - 0.01f * w.grad()).detach().requires_grad_();
}

}  // namespace

TEST_CASE("memory_block_size rounds up to multiples of 64 bytes") {
    CHECK(memory_block_size(0) == 64);
    CHECK(memory_block_size(1) == 64);
    CHECK(memory_block_size(64) == 64);
    CHECK(memory_block_size(65) == 128);
    CHECK(memory_block_size(512) == 512);
    CHECK(memory_block_size(513) == 576);
    CHECK(memory_block_size(4096) == 4096);
    CHECK(memory_block_size(4097) == 4608);
    CHECK(memory_block_size(std::size_t{1} << 30) == std::size_t{1} << 30);
}

TEST_CASE("memory_block_size never wastes more than 12.5% once a request is 512 bytes or more") {
    // Below 512 bytes the 64-byte granularity dominates: 65 bytes need a 128-byte block.
    std::size_t previous = 0;
    for (std::size_t bytes = 1; bytes <= (std::size_t{1} << 17); ++bytes) {
        const std::size_t block = memory_block_size(bytes);
        INFO("bytes = " << bytes << ", block = " << block);
        REQUIRE(block >= bytes);
        REQUIRE(block % 64 == 0);
        REQUIRE(block >= previous);  // size classes are monotone
        if (bytes >= 512) {
            REQUIRE(block - bytes <= bytes / 8);
        } else {
            REQUIRE(block - bytes < 64);
        }
        previous = block;
    }
    for (const std::size_t bytes : {std::size_t{123456789}, (std::size_t{1} << 33) + 1}) {
        const std::size_t block = memory_block_size(bytes);
        CHECK(block >= bytes);
        CHECK(block - bytes <= bytes / 8);
        CHECK(block % 64 == 0);
    }
}

TEST_CASE("tensor data is 64-byte aligned") {
    for (const int64_t n : {0, 1, 3, 17, 1000, 65537}) {
        const Tensor t = empty({n});
        CHECK(reinterpret_cast<std::uintptr_t>(t.data()) % 64 == 0);
    }
}

TEST_CASE("a live tensor counts its block as in use") {
    const MemoryStats before = memory_stats();
    {
        const Tensor t = empty({1000});
        const MemoryStats during = memory_stats();
        CHECK(during.bytes_in_use == before.bytes_in_use + block_bytes_for(1000));
        CHECK(during.allocations == before.allocations + 1);
    }
    CHECK(memory_stats().bytes_in_use == before.bytes_in_use);
}

TEST_CASE("a freed block is reused for the next request of its size class") {
    const int64_t count = 12345;
    { const Tensor warm = empty({count}); }  // leaves one block of this class in the cache
    const MemoryStats before = memory_stats();
    CHECK(before.bytes_cached >= block_bytes_for(count));
    {
        const Tensor t = empty({count});
        const MemoryStats during = memory_stats();
        CHECK(during.cache_hits == before.cache_hits + 1);
        CHECK(fresh_allocations(during) == fresh_allocations(before));
        CHECK(during.bytes_cached == before.bytes_cached - block_bytes_for(count));
    }
    const MemoryStats after = memory_stats();
    CHECK(after.bytes_in_use == before.bytes_in_use);
    CHECK(after.bytes_cached == before.bytes_cached);
}

TEST_CASE("requests in the same size class share cached blocks") {
    // 1000 and 1001 floats round up to the same block, so one frees what the other reuses.
    REQUIRE(block_bytes_for(1000) == block_bytes_for(1001));
    { const Tensor warm = empty({1000}); }
    const MemoryStats before = memory_stats();
    { const Tensor t = empty({1001}); }
    CHECK(memory_stats().cache_hits == before.cache_hits + 1);
}

TEST_CASE("a steady training loop makes no fresh allocations after warm-up") {
    Generator gen(7);
    const Tensor x = randn({64, 33}, gen);
    Tensor w = (randn({33}, gen) * 0.1f).requires_grad_();
    // Two warm-up steps fill the cache with every size class the step uses.
    for (int step = 0; step < 2; ++step) training_step(w, x);
    const MemoryStats before = memory_stats();
    for (int step = 0; step < 20; ++step) training_step(w, x);
    const MemoryStats after = memory_stats();
    CHECK(after.allocations > before.allocations);
    CHECK(fresh_allocations(after) == fresh_allocations(before));
    CHECK(after.bytes_in_use == before.bytes_in_use);
}

TEST_CASE("peak_bytes_in_use tracks the high-water mark until reset_peak_memory_stats") {
    reset_peak_memory_stats();
    const MemoryStats start = memory_stats();
    CHECK(start.peak_bytes_in_use == start.bytes_in_use);
    const int64_t count = int64_t{1} << 20;
    {
        const Tensor big = empty({count});
        CHECK(memory_stats().peak_bytes_in_use == start.bytes_in_use + block_bytes_for(count));
    }
    const MemoryStats after_free = memory_stats();
    CHECK(after_free.bytes_in_use == start.bytes_in_use);
    CHECK(after_free.peak_bytes_in_use == start.bytes_in_use + block_bytes_for(count));
    reset_peak_memory_stats();
    CHECK(memory_stats().peak_bytes_in_use == start.bytes_in_use);
}

TEST_CASE("empty_cache returns every cached block and leaves blocks in use alone") {
    const Tensor kept = empty({4096});
    { const Tensor freed = empty({5000}); }
    CHECK(memory_stats().bytes_cached > 0);
    const std::size_t in_use = memory_stats().bytes_in_use;
    empty_cache();
    const MemoryStats after = memory_stats();
    CHECK(after.bytes_cached == 0);
    CHECK(after.bytes_in_use == in_use);
    // The cache is empty, so the next request is a fresh allocation.
    const Tensor again = empty({5000});
    CHECK(fresh_allocations(memory_stats()) == fresh_allocations(after) + 1);
}

TEST_CASE("with caching disabled, released blocks go back to the system") {
    { const Tensor warm = empty({777}); }
    {
        const CachingDisabled disabled;
        CHECK(memory_stats().bytes_cached == 0);  // disabling empties the cache
        const MemoryStats before = memory_stats();
        for (int i = 0; i < 3; ++i) {
            const Tensor t = empty({777});
        }
        const MemoryStats after = memory_stats();
        CHECK(after.bytes_cached == 0);
        CHECK(after.cache_hits == before.cache_hits);
        CHECK(after.allocations == before.allocations + 3);
        CHECK(after.bytes_in_use == before.bytes_in_use);
    }
    // Re-enabled: a freed block is cached and reused again.
    { const Tensor warm = empty({777}); }
    const MemoryStats before = memory_stats();
    { const Tensor t = empty({777}); }
    CHECK(memory_stats().cache_hits == before.cache_hits + 1);
}

TEST_CASE("storages shared by views are released once, when the last view goes") {
    const MemoryStats before = memory_stats();
    Tensor view;
    {
        const Tensor base = empty({2, 500});
        view = reshape(base, {1000});
    }
    CHECK(memory_stats().bytes_in_use == before.bytes_in_use + block_bytes_for(1000));
    view = Tensor();
    CHECK(memory_stats().bytes_in_use == before.bytes_in_use);
}

TEST_CASE("allocating and releasing from several threads keeps the counters consistent") {
    const MemoryStats before = memory_stats();
#pragma omp parallel for schedule(static)
    for (int i = 0; i < 400; ++i) {
        const Tensor t = empty({static_cast<int64_t>(100 + i % 7 * 300)});
        t.data()[0] = static_cast<float>(i);
    }
    const MemoryStats after = memory_stats();
    CHECK(after.bytes_in_use == before.bytes_in_use);
    CHECK(after.allocations == before.allocations + 400);
}
