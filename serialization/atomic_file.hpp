// Writing a file so that readers see either its old content or the whole new one, never a part.
#pragma once

#include <filesystem>
#include <string_view>

namespace minidl {

/// Replaces `path` with `content`: writes a temporary file in the same folder, flushes it to
/// disk (fsync), then renames it over `path` (atomic on POSIX file systems). Throws IOError
/// naming `path` and the system's reason when any step fails; the temporary file is removed
/// and `path` is left as it was.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace minidl
