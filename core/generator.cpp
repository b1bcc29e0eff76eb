#include "minidl/core/generator.hpp"

#include <cmath>
#include <numbers>

namespace minidl {
namespace {

uint64_t rotl(uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

// SplitMix64 spreads a small seed over the whole state, as the xoshiro authors recommend.
uint64_t splitmix64(uint64_t& x) noexcept {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

void Generator::seed_with(uint64_t seed) noexcept {
    state_ = GeneratorState{};
    for (uint64_t& word : state_.words) word = splitmix64(seed);
}

uint64_t Generator::next_u64() noexcept {
    auto& s = state_.words;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

float Generator::uniform_float() noexcept {
    return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f;
}

double Generator::uniform_double() noexcept {
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double Generator::normal() noexcept {
    if (state_.has_spare_normal) {
        state_.has_spare_normal = false;
        return state_.spare_normal;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform_double()));
    const double angle = 2.0 * std::numbers::pi * uniform_double();
    state_.spare_normal = radius * std::sin(angle);
    state_.has_spare_normal = true;
    return radius * std::cos(angle);
}

Generator& default_generator() noexcept {
    static Generator generator(0);
    return generator;
}

void manual_seed(uint64_t seed) noexcept { default_generator().seed_with(seed); }

}  // namespace minidl
