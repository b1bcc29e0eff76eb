// Scratch memory for the chunks of a parallel_for: one block of `floats` floats per chunk, all
// allocated once per call before the parallel loop, so the caching allocator sees the same
// requests whatever the threads' timing (a buffer allocated inside the loop was sometimes needed
// twice at once for the first time after the warm-up steps, and taken from the system).
#pragma once

#include <cstdint>

#include "minidl/core/tensor.hpp"

namespace minidl::kernels {

/// chunks blocks of floats_per_chunk floats; scratch[k] is chunk k's.
struct ChunkScratch {
    int64_t floats;
    Tensor buffer;

    ChunkScratch(int64_t chunks, int64_t floats_per_chunk)
        : floats(floats_per_chunk), buffer(empty({chunks * floats_per_chunk})) {}
    float* operator[](int64_t chunk) const { return buffer.data() + chunk * floats; }
};

}  // namespace minidl::kernels
