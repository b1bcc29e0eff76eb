#include "minidl/core/memory.hpp"

#include <bit>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace minidl {
namespace {

// 64 bytes: a cache line, and a whole AVX-512 register.
constexpr std::size_t kAlignment = 64;

class CachingAllocator {
  public:
    void* allocate(std::size_t block_bytes) {
        std::lock_guard lock(mutex_);
        ++stats_.allocations;
        void* block = nullptr;
        auto it = free_blocks_.find(block_bytes);
        if (it != free_blocks_.end() && !it->second.empty()) {
            block = it->second.back();
            it->second.pop_back();
            stats_.bytes_cached -= block_bytes;
            ++stats_.cache_hits;
        } else {
            block = std::aligned_alloc(kAlignment, block_bytes);
            if (block == nullptr) throw std::bad_alloc();
        }
        stats_.bytes_in_use += block_bytes;
        if (stats_.bytes_in_use > stats_.peak_bytes_in_use) {
            stats_.peak_bytes_in_use = stats_.bytes_in_use;
        }
        return block;
    }

    void release(void* block, std::size_t block_bytes) noexcept {
        std::lock_guard lock(mutex_);
        stats_.bytes_in_use -= block_bytes;
        if (!caching_) {
            std::free(block);
            return;
        }
        try {
            free_blocks_[block_bytes].push_back(block);
            stats_.bytes_cached += block_bytes;
        } catch (const std::bad_alloc&) {
            std::free(block);  // no room to remember it: give it back instead
        }
    }

    void empty_cache() {
        std::lock_guard lock(mutex_);
        empty_cache_locked();
    }

    void set_caching(bool enabled) {
        std::lock_guard lock(mutex_);
        caching_ = enabled;
        if (!enabled) empty_cache_locked();
    }

    MemoryStats stats() {
        std::lock_guard lock(mutex_);
        return stats_;
    }

    void reset_peak() {
        std::lock_guard lock(mutex_);
        stats_.peak_bytes_in_use = stats_.bytes_in_use;
    }

  private:
    void empty_cache_locked() {
        for (auto& [size, blocks] : free_blocks_) {
            for (void* block : blocks) std::free(block);
        }
        free_blocks_.clear();
        stats_.bytes_cached = 0;
    }

    std::mutex mutex_;
    std::unordered_map<std::size_t, std::vector<void*>> free_blocks_;
    MemoryStats stats_;
    bool caching_ = true;
};

// Never destroyed: tensors with static storage duration may release blocks during exit.
CachingAllocator& allocator() {
    static auto* instance = new CachingAllocator();
    return *instance;
}

}  // namespace

std::size_t memory_block_size(std::size_t bytes) noexcept {
    if (bytes <= kAlignment) return kAlignment;
    // Eight classes per power of two bound the waste to 1/8 while keeping few distinct sizes.
    const std::size_t octave = std::bit_floor(bytes);
    const std::size_t step = std::max(octave / 8, kAlignment);
    return (bytes + step - 1) / step * step;
}

Storage::Storage(int64_t count)
    : count_(count),
      block_bytes_(memory_block_size(static_cast<std::size_t>(count) * sizeof(float))) {
    data_ = static_cast<float*>(allocator().allocate(block_bytes_));
}

Storage::~Storage() { allocator().release(data_, block_bytes_); }

MemoryStats memory_stats() { return allocator().stats(); }
void reset_peak_memory_stats() { allocator().reset_peak(); }
void empty_cache() { allocator().empty_cache(); }
void set_memory_caching(bool enabled) { allocator().set_caching(enabled); }

}  // namespace minidl
