// A save killed with SIGKILL at any moment leaves the previous file whole: a child process saves
// two alternating versions of a model's weights in a loop and is killed at random times; after
// each kill the file must load completely and hold one of the two versions.
#include <signal.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <minidl/minidl.hpp>
#include "minidl/serialization/weights.hpp"

#include "child_process.hpp"
#include "test_support.hpp"

using namespace minidl;
namespace fs = std::filesystem;

namespace {

constexpr const char* kChildTest = "[.saving_child]";
constexpr const char* kPathVariable = "MINIDL_TEST_SAVE_PATH";
constexpr int kKills = 20;

/// A model large enough (about 100k weights, a megabyte of JSON) that a save takes milliseconds,
/// so kills land inside writes as well as between them.
std::unique_ptr<Sequential> model_with_value(float value) {
    reset_layer_names();
    auto model = std::make_unique<Sequential>(std::vector<LayerRef>{
        layers::InputLayer({.input_shape = {8, 64}}),
        layers::Dense({.units = 256}),
        layers::Dense({.units = 256}),
        layers::Dense({.units = 64}),
    });
    std::vector<Tensor> weights;
    for (const Tensor& weight : model->get_weights())
        weights.push_back(full(weight.shape(), value));
    model->set_weights(weights);
    return model;
}

/// The single value every weight in the file holds.
float value_in(const fs::path& path) {
    auto model = model_with_value(0.0f);
    serialization::load_weights(*model, path);
    const std::vector<Tensor> weights = model->get_weights();
    const float value = weights.front().to_vector().front();
    bool uniform = true;
    for (const Tensor& weight : weights) {
        for (const float v : weight.to_vector()) uniform = uniform && v == value;
    }
    REQUIRE(uniform);
    return value;
}

ino_t inode_of(const fs::path& path) {
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    return status.st_ino;
}

}  // namespace

TEST_CASE("saves weights in a loop until killed (run by the kill test in a child process)",
          kChildTest) {
    const char* path = std::getenv(kPathVariable);
    REQUIRE(path != nullptr);
    const auto first = model_with_value(1.0f);
    const auto second = model_with_value(2.0f);
    for (;;) {
        serialization::save_weights(*first, path);
        serialization::save_weights(*second, path);
    }
}

TEST_CASE("a save killed at any moment leaves the previous file intact") {
    const minidl::testing::TemporaryFolder folder("minidl_save_kill");
    const fs::path path = folder.path / "weights.json";
    // Kills are spread over about three saves' time after the child's first save.
    const auto started = std::chrono::steady_clock::now();
    serialization::save_weights(*model_with_value(1.0f), path);
    const auto save_time = std::chrono::steady_clock::now() - started;
    std::mt19937 random(7);
    std::uniform_int_distribution<std::int64_t> delay_us(
        0, 3 * std::chrono::duration_cast<std::chrono::microseconds>(save_time).count());
    int saw_second = 0;
    for (int kill_number = 0; kill_number < kKills; ++kill_number) {
        const pid_t pid = minidl::testing::start_hidden_test(kChildTest, kPathVariable, path);
        // Once the file was replaced (a new inode), the child is inside its save loop.
        const ino_t before = inode_of(path);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (inode_of(path) == before && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        REQUIRE(inode_of(path) != before);
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
        REQUIRE(kill(pid, SIGKILL) == 0);
        REQUIRE(WIFSIGNALED(minidl::testing::wait_for(pid)));
        const float value = value_in(path);
        CHECK((value == 1.0f || value == 2.0f));
        saw_second += value == 2.0f;
    }
    // Both versions were seen, so the kills did interrupt the loop at different points.
    CHECK(saw_second > 0);
    CHECK(saw_second < kKills);
}
