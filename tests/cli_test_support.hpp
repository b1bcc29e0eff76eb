// Running the built `minidl` program (MINIDL_CLI_PATH) from the end-to-end tests of tools/, and
// the small data files and architectures they train on.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace minidl::testing {

struct ProgramRun {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs `minidl args...` in `folder` (its working directory), stdout and stderr captured
/// through files there.
inline ProgramRun run_minidl(const std::filesystem::path& folder,
                             const std::vector<std::string>& args) {
    const std::filesystem::path out = folder / ".stdout";
    const std::filesystem::path err = folder / ".stderr";
    std::vector<const char*> argv{MINIDL_CLI_PATH};
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out_fd < 0 || err_fd < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0 ||
            chdir(folder.c_str()) != 0) {
            _exit(127);
        }
        execv(MINIDL_CLI_PATH, const_cast<char* const*>(argv.data()));
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

/// A Keras Sequential architecture (model.to_json()'s layout, tf.keras 2.13) of `layers`, each
/// a {"class_name": ..., "config": {...}} object written as text.
inline std::string keras_sequential(const std::vector<std::string>& layers) {
    std::string text =
        R"({"class_name": "Sequential", "config": {"name": "sequential", "layers": [)";
    for (std::size_t i = 0; i < layers.size(); ++i) text += (i == 0 ? "" : ", ") + layers[i];
    return text + R"(]}, "keras_version": "2.13.1", "backend": "tensorflow"})";
}

/// Three waveform classes, `steps` samples each in one row (then the label): a sine, a square
/// wave and a sawtooth with random phase, frequency and noise from a fixed linear congruential
/// sequence, so the file is the same on every machine.
inline std::string waveform_csv(int samples, int steps, unsigned seed, bool header = true) {
    unsigned state = seed;
    const auto uniform = [&state] {
        state = state * 1664525u + 1013904223u;
        return static_cast<double>(state >> 8) / static_cast<double>(1u << 24);
    };
    const char* names[] = {"sine", "square", "saw"};
    std::string text;
    if (header) {
        for (int t = 0; t < steps; ++t) text += "x" + std::to_string(t) + ",";
        text += "shape\n";
    }
    for (int i = 0; i < samples; ++i) {
        const int kind = i % 3;
        const double phase = uniform(), cycles = 1.5 + 2.0 * uniform();
        for (int t = 0; t < steps; ++t) {
            const double u = std::fmod(phase + cycles * t / steps, 1.0);
            double value = std::sin(2 * M_PI * u);
            if (kind == 1) value = u < 0.5 ? 1.0 : -1.0;
            if (kind == 2) value = 2.0 * u - 1.0;
            value += 0.2 * (uniform() - 0.5);
            text += std::to_string(value) + ",";
        }
        text += std::string(names[kind]) + "\n";
    }
    return text;
}

/// A daily-looking series: a level with a slow trend, a 12-step cycle and noise, in column
/// "load", and the hour of the cycle in column "phase".
inline std::string series_csv(int rows, unsigned seed) {
    unsigned state = seed;
    const auto uniform = [&state] {
        state = state * 1664525u + 1013904223u;
        return static_cast<double>(state >> 8) / static_cast<double>(1u << 24);
    };
    std::string text = "phase,load\n";
    for (int t = 0; t < rows; ++t) {
        const double load =
            10.0 + 0.01 * t + 3.0 * std::sin(2 * M_PI * t / 12.0) + 0.3 * (uniform() - 0.5);
        text += std::to_string(std::cos(2 * M_PI * t / 12.0)) + "," + std::to_string(load) + "\n";
    }
    return text;
}

}  // namespace minidl::testing
