// Vectors of floats for the register-blocked kernels, as GCC vector extensions, so that an AVX2
// build splits them into ymm halves and an AVX-512 build keeps one zmm register per Lanes16.
#pragma once

#include <cstring>

// Without AVX-512 (the portable build) GCC notes at each use of load<V> that returning a 64-byte
// vector changes the calling convention; these functions are internal and inlined, so no call
// crosses an ABI boundary.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace minidl::kernels {

using Lanes16 = float __attribute__((vector_size(64)));
using Lanes8 = float __attribute__((vector_size(32)));

/// The vector at p (any alignment).
template <class V>
inline V load(const float* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

/// Stores v at p (any alignment).
template <class V>
inline void store(float* p, const V& v) {
    std::memcpy(p, &v, sizeof v);
}

}  // namespace minidl::kernels

#pragma GCC diagnostic pop
