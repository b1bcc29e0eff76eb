// Tensor storage and the caching allocator behind it.
//
// First-touching fresh memory costs 8-20 us per 4 KiB page on the machines minidl targets, and
// glibc returns large blocks to the system on free, so a training loop that allocates its
// activations every step would pay that cost every step. The allocator keeps freed blocks in
// per-size-class free lists and hands them out again: a steady loop touches no fresh memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace minidl {

/// A block of float32 values owned by one or more tensors (shared through std::shared_ptr).
class Storage {
  public:
    /// Uninitialised storage for `count` floats, from the caching allocator.
    explicit Storage(int64_t count);
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    float* data() const noexcept { return data_; }
    int64_t count() const noexcept { return count_; }

  private:
    float* data_;
    int64_t count_;
    std::size_t block_bytes_;
};

/// Counters of the caching allocator, in bytes of blocks (sizes rounded up to their class).
struct MemoryStats {
    std::size_t bytes_in_use = 0;       ///< held by live storages
    std::size_t bytes_cached = 0;       ///< freed, kept for reuse
    std::size_t peak_bytes_in_use = 0;  ///< highest bytes_in_use since start or the last reset
    std::size_t allocations = 0;        ///< blocks handed out
    std::size_t cache_hits = 0;         ///< of those, blocks that came from the cache
};

/// A snapshot of the allocator's counters.
MemoryStats memory_stats();

/// Restarts peak_bytes_in_use from the current bytes_in_use.
void reset_peak_memory_stats();

/// Returns every cached block to the system (blocks in use are untouched).
void empty_cache();

/// Turns caching on (the default) or off; turning it off also empties the cache.
void set_memory_caching(bool enabled);

/// The size class a request of `bytes` is rounded up to: a multiple of 64 bytes, and for
/// requests of 512 bytes or more at most 12.5% above the request.
std::size_t memory_block_size(std::size_t bytes) noexcept;

}  // namespace minidl
