#include "minidl/serialization/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "minidl/core/error.hpp"

namespace minidl {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& step, int error) {
    throw IOError("write_file_atomically: cannot write '" + path.string() + "' (" + step +
                  "): " + std::strerror(error));
}

/// A name no other writer (thread or process) uses at the same time: ".<name>.tmp.<pid>.<n>".
std::filesystem::path temporary_path(const std::filesystem::path& path) {
    static std::atomic<unsigned long> counter{0};
    const std::string name = "." + path.filename().string() + ".tmp." +
                             std::to_string(static_cast<long>(getpid())) + "." +
                             std::to_string(counter++);
    return path.parent_path() / name;
}

void write_all(int fd, std::string_view content, const std::filesystem::path& path) {
    while (!content.empty()) {
        const ssize_t written = ::write(fd, content.data(), content.size());
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) fail(path, "write", errno);
        content.remove_prefix(static_cast<std::size_t>(written));
    }
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    if (path.filename().empty()) fail(path, "path", EISDIR);
    const std::filesystem::path temporary = temporary_path(path);
    // 0666 before the umask, as a plain fopen(path, "w") would create it.
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) fail(path, "create " + temporary.string(), errno);
    try {
        write_all(fd, content, path);
        if (::fsync(fd) != 0) fail(path, "fsync", errno);
    } catch (...) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw;
    }
    if (::close(fd) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        fail(path, "close", error);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        fail(path, "rename", error);
    }
}

}  // namespace minidl
