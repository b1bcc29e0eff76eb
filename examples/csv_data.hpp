// CSV files to try the `minidl` command line on (docs/cli.md), written by make_csv_data and
// trained on by the command line's end-to-end tests. A fixed linear congruential sequence
// draws the noise, so the files are the same on every machine.
#pragma once

#include <cmath>
#include <numbers>
#include <string>

namespace examples {

/// Uniform numbers in [0, 1) from a 32-bit linear congruential sequence (Numerical Recipes').
class Lcg {
  public:
    explicit Lcg(unsigned seed) : state_(seed) {}
    double operator()() {
        state_ = state_ * 1664525u + 1013904223u;
        return static_cast<double>(state_ >> 8) / static_cast<double>(1u << 24);
    }

  private:
    unsigned state_;
};

/// A classification table: `samples` rows of `steps` values (columns x0, x1, ...) then the
/// label (column "shape"): a sine, a square wave or a sawtooth in turn, each of random phase,
/// 1.5 to 3.5 periods, and uniform noise of amplitude 0.1.
inline std::string waveform_csv(int samples, int steps, unsigned seed) {
    Lcg uniform(seed);
    const char* names[] = {"sine", "square", "saw"};
    std::string text;
    for (int t = 0; t < steps; ++t) text += "x" + std::to_string(t) + ",";
    text += "shape\n";
    for (int i = 0; i < samples; ++i) {
        const int kind = i % 3;
        const double phase = uniform(), periods = 1.5 + 2.0 * uniform();
        for (int t = 0; t < steps; ++t) {
            const double u = std::fmod(phase + periods * t / steps, 1.0);
            double value = std::sin(2 * std::numbers::pi * u);
            if (kind == 1) value = u < 0.5 ? 1.0 : -1.0;
            if (kind == 2) value = 2.0 * u - 1.0;
            value += 0.2 * (uniform() - 0.5);
            text += std::to_string(value) + ",";
        }
        text += std::string(names[kind]) + "\n";
    }
    return text;
}

/// A series, one time step per row: column "load", a level with a slow trend, a 12-step cycle
/// and noise, and column "phase", the cosine of the cycle's phase (known in advance, like the
/// hour of the day).
inline std::string series_csv(int rows, unsigned seed) {
    Lcg uniform(seed);
    std::string text = "phase,load\n";
    for (int t = 0; t < rows; ++t) {
        const double cycle = 2 * std::numbers::pi * t / 12.0;
        const double load = 10.0 + 0.01 * t + 3.0 * std::sin(cycle) + 0.3 * (uniform() - 0.5);
        text += std::to_string(std::cos(cycle)) + "," + std::to_string(load) + "\n";
    }
    return text;
}

}  // namespace examples
