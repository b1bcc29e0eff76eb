// Seeded, reproducible random numbers (xoshiro256**), with a state that can be saved and
// restored so a resumed run draws exactly what the uninterrupted run would have.
#pragma once

#include <array>
#include <cstdint>

namespace minidl {

/// Everything a Generator needs to continue its sequence.
struct GeneratorState {
    std::array<uint64_t, 4> words{};
    bool has_spare_normal = false;  ///< Box-Muller makes normals in pairs; the second waits here
    double spare_normal = 0.0;

    friend bool operator==(const GeneratorState&, const GeneratorState&) = default;
};

/// A pseudo-random generator. The same seed gives the same sequence on every platform.
class Generator {
  public:
    explicit Generator(uint64_t seed = 0) { seed_with(seed); }

    /// Restarts the sequence from `seed`.
    void seed_with(uint64_t seed) noexcept;

    /// 64 uniformly random bits.
    uint64_t next_u64() noexcept;
    /// Uniform in [0, 1) with 24 random bits, so every value is exactly a float.
    float uniform_float() noexcept;
    /// Uniform in [0, 1) with 53 random bits.
    double uniform_double() noexcept;
    /// Standard normal (Box-Muller).
    double normal() noexcept;

    GeneratorState state() const noexcept { return state_; }
    void set_state(const GeneratorState& state) noexcept { state_ = state; }

  private:
    GeneratorState state_;
};

/// The generator factories and layers use when none is given.
Generator& default_generator() noexcept;

/// Seeds the default generator, like torch::manual_seed.
void manual_seed(uint64_t seed) noexcept;

}  // namespace minidl
