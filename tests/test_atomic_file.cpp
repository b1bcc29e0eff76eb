#include <catch2/catch.hpp>
#include <filesystem>

#include <minidl/minidl.hpp>
#include "minidl/serialization/atomic_file.hpp"

#include "test_support.hpp"

using namespace minidl;
namespace fs = std::filesystem;

namespace {

std::size_t entries(const fs::path& folder) {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(folder), fs::directory_iterator()));
}

}  // namespace

TEST_CASE("write_file_atomically creates and replaces a file, leaving no temporary file") {
    const testing::TemporaryFolder folder("minidl_atomic_");
    const fs::path path = folder.path / "log.csv";
    write_file_atomically(path, "epoch,loss\r\n");
    CHECK(testing::read_file(path) == "epoch,loss\r\n");
    write_file_atomically(path, std::string("a\0b", 3));
    CHECK(testing::read_file(path) == std::string("a\0b", 3));
    write_file_atomically(path, "");
    CHECK(testing::read_file(path).empty());
    CHECK(entries(folder.path) == 1);
}

TEST_CASE("write_file_atomically throws IOError naming the path and keeps the old content") {
    const testing::TemporaryFolder folder("minidl_atomic_");
    const fs::path missing = folder.path / "no_such_folder" / "log.csv";
    CHECK_THROWS_AS(write_file_atomically(missing, "x"), IOError);
    CHECK_THROWS_WITH(write_file_atomically(missing, "x"), Catch::Contains(missing.string()));

    // A folder in the way: the rename fails, the folder stays and no temporary is left behind.
    const fs::path blocked = folder.path / "blocked";
    fs::create_directories(blocked / "inside");
    CHECK_THROWS_WITH(write_file_atomically(blocked, "x"), Catch::Contains("rename"));
    CHECK(fs::is_directory(blocked));
    CHECK(entries(folder.path) == 1);
}
