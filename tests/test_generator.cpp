// The random generator and the random factories: reproducibility from a seed, exact resumption
// from a saved state, ranges and rough distribution moments, and argument checks.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include <minidl/minidl.hpp>

using namespace minidl;

namespace {

constexpr int kDraws = 100000;

struct Moments {
    double mean = 0.0;
    double stddev = 0.0;
    double min = INFINITY;
    double max = -INFINITY;
};

Moments moments_of(const std::vector<double>& values) {
    Moments m;
    for (double v : values) {
        m.mean += v;
        m.min = std::min(m.min, v);
        m.max = std::max(m.max, v);
    }
    m.mean /= static_cast<double>(values.size());
    for (double v : values) m.stddev += (v - m.mean) * (v - m.mean);
    m.stddev = std::sqrt(m.stddev / static_cast<double>(values.size()));
    return m;
}

template <class Draw>
Moments moments_of_draws(const Draw& draw) {
    std::vector<double> values(kDraws);
    for (double& v : values) v = draw();
    return moments_of(values);
}

Moments moments_of_tensor(const Tensor& t) {
    const std::vector<float> v = t.to_vector();
    return moments_of({v.begin(), v.end()});
}

/// A mixed sequence of every kind of draw, so a resumed generator must restore all of its state
/// (including a pending Box-Muller spare) to reproduce it.
std::vector<double> mixed_draws(Generator& gen) {
    std::vector<double> out;
    for (int i = 0; i < 5; ++i) {
        out.push_back(gen.normal());
        out.push_back(gen.uniform_float());
        out.push_back(gen.uniform_double());
        out.push_back(static_cast<double>(gen.next_u64() >> 11));
    }
    return out;
}

// Inverses modulo 2^64 of the odd multipliers in xoshiro256**'s output function.
constexpr uint64_t inverse_mod_2_64(uint64_t odd) {
    uint64_t inverse = odd;  // Newton's iteration doubles the correct low bits each step
    for (int i = 0; i < 6; ++i) inverse *= 2 - odd * inverse;
    return inverse;
}
constexpr uint64_t rotr(uint64_t x, int k) { return (x >> k) | (x << (64 - k)); }

/// A state whose next next_u64() returns `output` (xoshiro256** outputs rotl(s1 * 5, 7) * 9).
GeneratorState state_with_next_output(uint64_t output) {
    GeneratorState state;
    const uint64_t s1 = rotr(output * inverse_mod_2_64(9), 7) * inverse_mod_2_64(5);
    state.words = {0x0123456789abcdefULL, s1, 0xfedcba9876543210ULL, 0x0f1e2d3c4b5a6978ULL};
    return state;
}

// The largest uniform_float(): all 24 random bits set, i.e. 1 - 2^-24.
constexpr uint64_t kLargestUniformBits = 0xffffff0000000000ULL;

}  // namespace

TEST_CASE("the generator matches reference xoshiro256** seeded by SplitMix64") {
    // Values from an independent implementation of the published algorithms.
    Generator zero(0);
    CHECK(zero.next_u64() == 0x99ec5f36cb75f2b4ULL);
    CHECK(zero.next_u64() == 0xbf6e1f784956452aULL);
    CHECK(zero.next_u64() == 0x1a5f849d4933e6e0ULL);
    Generator answer(42);
    CHECK(answer.next_u64() == 0x15780b2e0c2ec716ULL);
    CHECK(answer.next_u64() == 0x6104d9866d113a7eULL);
    CHECK(answer.next_u64() == 0xae17533239e499a1ULL);
}

TEST_CASE("the same seed gives the same sequence, another seed another one") {
    Generator a(123), b(123), c(124);
    CHECK(mixed_draws(a) == mixed_draws(b));
    Generator d(123);
    CHECK(mixed_draws(c) != mixed_draws(d));
}

TEST_CASE("seed_with restarts the sequence and drops a pending normal") {
    Generator gen(5);
    const std::vector<double> first = mixed_draws(gen);  // five normals: a spare is pending
    REQUIRE(gen.state().has_spare_normal);
    gen.seed_with(5);
    CHECK_FALSE(gen.state().has_spare_normal);
    CHECK(mixed_draws(gen) == first);
    CHECK(Generator().state() == Generator(0).state());
}

TEST_CASE("state()/set_state() resume exactly, including the spare normal") {
    Generator gen(99);
    gen.normal();  // an odd number of normals: the spare is pending in the saved state
    const GeneratorState saved = gen.state();
    REQUIRE(saved.has_spare_normal);
    const std::vector<double> expected = mixed_draws(gen);

    Generator resumed(1);  // another seed: everything must come from the state
    resumed.set_state(saved);
    CHECK(resumed.state() == saved);
    CHECK(mixed_draws(resumed) == expected);
}

TEST_CASE("Box-Muller normals come in pairs: the second comes from the spare") {
    Generator gen(3);
    CHECK_FALSE(gen.state().has_spare_normal);
    gen.normal();
    const GeneratorState after_one = gen.state();
    CHECK(after_one.has_spare_normal);
    const double second = gen.normal();
    CHECK(second == after_one.spare_normal);
    CHECK(gen.state().words == after_one.words);  // the spare costs no random bits
    CHECK_FALSE(gen.state().has_spare_normal);
}

TEST_CASE("uniform_float is in [0, 1) and a multiple of 2^-24") {
    Generator gen(11);
    const Moments m = moments_of_draws([&] {
        const float u = gen.uniform_float();
        REQUIRE(u * 0x1.0p24f == std::floor(u * 0x1.0p24f));
        return static_cast<double>(u);
    });
    CHECK(m.min >= 0.0);
    CHECK(m.max < 1.0);
    CHECK(m.mean == Approx(0.5).margin(0.01));
    CHECK(m.stddev == Approx(std::sqrt(1.0 / 12.0)).margin(0.01));
}

TEST_CASE("uniform_float's largest value is below 1") {
    Generator gen;
    gen.set_state(state_with_next_output(kLargestUniformBits));
    CHECK(gen.uniform_float() == 1.0f - 0x1.0p-24f);
}

TEST_CASE("uniform_double is in [0, 1)") {
    Generator gen(12);
    const Moments m = moments_of_draws([&] { return gen.uniform_double(); });
    CHECK(m.min >= 0.0);
    CHECK(m.max < 1.0);
    CHECK(m.mean == Approx(0.5).margin(0.01));
}

TEST_CASE("normal has mean about 0 and standard deviation about 1") {
    Generator gen(13);
    const Moments m = moments_of_draws([&] { return gen.normal(); });
    CHECK(m.mean == Approx(0.0).margin(0.02));
    CHECK(m.stddev == Approx(1.0).margin(0.02));
    CHECK(std::isfinite(m.min));
    CHECK(std::isfinite(m.max));
    CHECK(m.max > 3.0);  // 100k draws reach the tails
    CHECK(m.min < -3.0);
}

TEST_CASE("manual_seed makes rand and randn reproducible") {
    manual_seed(2024);
    const Tensor r1 = rand({50});
    const Tensor n1 = randn({3, 7});
    manual_seed(2024);
    const Tensor r2 = rand({50});
    const Tensor n2 = randn({3, 7});
    CHECK(r1.to_vector() == r2.to_vector());
    CHECK(n1.to_vector() == n2.to_vector());
    CHECK(n1.shape() == Shape{3, 7});
    manual_seed(2025);
    CHECK(rand({50}).to_vector() != r1.to_vector());
}

TEST_CASE("the random factories draw from the generator they are given") {
    Generator a(77), b(77);
    CHECK(rand({10}, a).to_vector() == rand({10}, b).to_vector());
    CHECK(randn({10}, a).to_vector() == randn({10}, b).to_vector());
    // Draws continue one sequence: the next tensor differs from the previous one.
    Generator restarted(77);
    CHECK(rand({10}, a).to_vector() != rand({10}, restarted).to_vector());
}

TEST_CASE("rand and randn have the expected ranges and moments") {
    Generator gen(21);
    const Moments u = moments_of_tensor(rand({kDraws}, gen));
    CHECK(u.min >= 0.0);
    CHECK(u.max < 1.0);
    CHECK(u.mean == Approx(0.5).margin(0.01));
    const Moments n = moments_of_tensor(randn({kDraws}, gen));
    CHECK(n.mean == Approx(0.0).margin(0.02));
    CHECK(n.stddev == Approx(1.0).margin(0.02));
}

TEST_CASE("uniform(low, high) stays in [low, high) with mean (low + high) / 2") {
    Generator gen(31);
    const Moments m = moments_of_tensor(uniform({kDraws}, -3.0f, 5.0f, gen));
    CHECK(m.min >= -3.0);
    CHECK(m.max < 5.0);
    CHECK(m.mean == Approx(1.0).margin(0.05));
    CHECK(m.stddev == Approx(8.0 / std::sqrt(12.0)).margin(0.05));
    // An empty range is allowed and gives the single value.
    CHECK(uniform({3}, 2.0f, 2.0f, gen).to_vector() == std::vector<float>{2.0f, 2.0f, 2.0f});
}

TEST_CASE("uniform(low, high) excludes high even for the largest underlying draw") {
    // Regression: low + (high - low) * u is rounded to float, and for u = 1 - 2^-24 on [1, 2)
    // the exact 2 - 2^-24 rounds (to even) up to 2 = high; uniform must clamp below high.
    Generator gen;
    gen.set_state(state_with_next_output(kLargestUniformBits));
    const float value = uniform({1}, 1.0f, 2.0f, gen).item();
    CHECK(value >= 1.0f);
    CHECK(value < 2.0f);
}

TEST_CASE("normal(mean, stddev) has the requested moments") {
    Generator gen(41);
    const Moments m = moments_of_tensor(normal({kDraws}, 10.0f, 0.5f, gen));
    CHECK(m.mean == Approx(10.0).margin(0.01));
    CHECK(m.stddev == Approx(0.5).margin(0.01));
    CHECK(normal({4}, 3.0f, 0.0f, gen).to_vector() == std::vector<float>(4, 3.0f));
}

TEST_CASE("random factories reject bad arguments with ValueError") {
    Generator gen(1);
    CHECK_THROWS_AS(uniform({2}, 1.0f, 0.0f, gen), ValueError);
    CHECK_THROWS_WITH(uniform({2}, 1.0f, 0.0f, gen), Catch::Contains("uniform"));
    CHECK_THROWS_AS(uniform({2}, NAN, 1.0f, gen), ValueError);
    CHECK_THROWS_AS(normal({2}, 0.0f, -1.0f, gen), ValueError);
    CHECK_THROWS_WITH(normal({2}, 0.0f, -1.0f, gen), Catch::Contains("stddev"));
    CHECK_THROWS_AS(normal({2}, 0.0f, NAN, gen), ValueError);
    // A failed call draws nothing.
    Generator fresh(1);
    CHECK(gen.state() == fresh.state());
}
