// Running the built `minidl` program (MINIDL_CLI_PATH) from the end-to-end tests of tools/, and
// the architectures they train (their CSV files come from examples/csv_data.hpp, as docs/cli.md's).
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../examples/csv_data.hpp"
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

}  // namespace minidl::testing
