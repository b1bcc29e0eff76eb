// Small utilities shared by the tests.
#pragma once

#include <omp.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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

/// A fresh empty folder under the system's temporary folder, named `prefix` and a number unique
/// to this object, removed with everything in it at the end.
struct TemporaryFolder {
    std::filesystem::path path;

    explicit TemporaryFolder(const std::string& prefix)
        : path(std::filesystem::temp_directory_path() /
               (prefix + std::to_string(reinterpret_cast<std::uintptr_t>(this)))) {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TemporaryFolder() { std::filesystem::remove_all(path); }
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;
};

/// The whole content of the file at `path` (empty when it cannot be read).
inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream content;
    content << file.rdbuf();
    return content.str();
}

}  // namespace minidl::testing
