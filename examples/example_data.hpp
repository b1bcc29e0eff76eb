// The built-in data sets of the example programs: labelled waveforms and a seasonal series.
// Everything is drawn from a seeded Generator, so every run sees the same data.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include <minidl/minidl.hpp>

namespace examples {

/// Samples x [n, steps, 1] and class labels y [n] (as floats).
struct Dataset {
    minidl::Tensor x;
    minidl::Tensor y;
};

inline const char* const kWaveNames[] = {"sine", "square", "sawtooth", "chirp"};
constexpr int64_t kWaveClasses = 4;

/// Sample `t` of `steps` of a wave of class `kind`: a sine, square or sawtooth of `periods`
/// periods, or a chirp whose frequency sweeps from 1 to 2 * periods over the window.
inline double wave(int64_t kind, double periods, double phase, int64_t t, int64_t steps) {
    const double u = static_cast<double>(t) / static_cast<double>(steps);
    if (kind == 3) {
        const double sweep = 2.0 * periods - 1.0;
        return std::sin(2.0 * std::numbers::pi * (phase + u + 0.5 * sweep * u * u));
    }
    const double p = std::fmod(phase + periods * u, 1.0);
    if (kind == 0) return std::sin(2.0 * std::numbers::pi * p);
    if (kind == 1) return p < 0.5 ? 1.0 : -1.0;
    return 2.0 * p - 1.0;
}

/// n waves of the four classes in turn, with random frequency (2-8 periods), phase, amplitude
/// (0.5-1.5) and Gaussian noise of standard deviation `noise`.
inline Dataset make_waveforms(int64_t n, int64_t steps, double noise, minidl::Generator& gen) {
    std::vector<float> x(static_cast<std::size_t>(n * steps));
    std::vector<float> y(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        const int64_t kind = i % kWaveClasses;
        const double periods = 2.0 + 6.0 * gen.uniform_double();
        const double phase = gen.uniform_double();
        const double amplitude = 0.5 + gen.uniform_double();
        for (int64_t t = 0; t < steps; ++t) {
            x[static_cast<std::size_t>(i * steps + t)] = static_cast<float>(
                amplitude * wave(kind, periods, phase, t, steps) + noise * gen.normal());
        }
        y[static_cast<std::size_t>(i)] = static_cast<float>(kind);
    }
    return {minidl::tensor(x, {n, steps, 1}), minidl::tensor(y, {n})};
}

/// An hourly-like series of n points: a slow trend, a daily (24) and a weekly (168) season, and
/// autocorrelated noise, so that yesterday's value is a good but beatable forecast.
inline std::vector<float> seasonal_series(int64_t n, minidl::Generator& gen) {
    std::vector<float> series(static_cast<std::size_t>(n));
    double noise = 0.0;
    for (int64_t t = 0; t < n; ++t) {
        const double time = static_cast<double>(t);
        noise = 0.6 * noise + 0.3 * gen.normal();
        series[static_cast<std::size_t>(t)] = static_cast<float>(
            10.0 + 0.002 * time + 2.0 * std::sin(2.0 * std::numbers::pi * time / 24.0) +
            1.0 * std::sin(2.0 * std::numbers::pi * time / 168.0) + noise);
    }
    return series;
}

}  // namespace examples
