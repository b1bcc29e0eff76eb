// Running one hidden test case of this test executable in a new process, for tests that need a
// fresh process (resuming from a checkpoint) or one they can kill (atomic saves).
#pragma once

#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

namespace minidl::testing {

/// Starts this executable again running only the hidden test case tagged `tag` (e.g.
/// "[.child]"), with the environment variable `variable` set to `value`. fork() is followed by
/// exec() at once, so the child starts with none of this process's state or threads.
inline pid_t start_hidden_test(const char* tag, const char* variable, const std::string& value) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        setenv(variable, value.c_str(), 1);
        execl("/proc/self/exe", "child", tag, static_cast<char*>(nullptr));
        _exit(127);
    }
    return pid;
}

/// Waits for the child `pid`; returns its wait status.
inline int wait_for(pid_t pid) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    return status;
}

}  // namespace minidl::testing
