// Software prefetches for the kernels whose access pattern the hardware prefetchers do not
// follow: rows one cache line wide that lie a row apart, the next block's rows while a register
// block computes, output lines that a block will write at its end.
#pragma once

#include <cstdint>

namespace minidl::kernels {

/// Asks for the cache line holding p + floats to be fetched, for writing when `Write`; into L1
/// with Locality 3, into L2 only with Locality 2 (__builtin_prefetch's levels).
/// The address may lie outside p's array (past a sequence's or a tile's end): a prefetch never
/// faults, whereas forming such a pointer would be undefined, so it is computed as an integer.
template <bool Write = false, int Locality = 3>
inline void prefetch(const float* p, int64_t floats) {
    const auto address = reinterpret_cast<std::uintptr_t>(p) + floats * sizeof(float);
    __builtin_prefetch(reinterpret_cast<const void*>(address), Write ? 1 : 0, Locality);
}

}  // namespace minidl::kernels
