// Small utilities shared by the tests.
#pragma once

#include <omp.h>

#include <cstdint>

#include <minidl/minidl.hpp>

namespace minidl::testing {

/// Standard-normal values from their own generator, so each test's inputs are fixed by `seed`.
inline Tensor seeded_randn(const Shape& shape, uint64_t seed) {
    Generator gen(seed);
    return randn(shape, gen);
}

/// Sets the OpenMP thread count for its lifetime, restoring the previous one afterwards.
class ThreadCount {
  public:
    explicit ThreadCount(int threads) : previous_(omp_get_max_threads()) {
        omp_set_num_threads(threads);
    }
    ~ThreadCount() { omp_set_num_threads(previous_); }
    ThreadCount(const ThreadCount&) = delete;
    ThreadCount& operator=(const ThreadCount&) = delete;

  private:
    int previous_;
};

}  // namespace minidl::testing
