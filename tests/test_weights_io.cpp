// The weights file (serialization/weights.hpp): bit-exact round trips in both encodings, by
// name and by order, the file's layout, non-finite values and unbuilt models. Corrupt files are
// in test_corrupt_files.cpp.

#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <minidl/minidl.hpp>

#include "minidl/serialization/json_node.hpp"
#include "minidl/serialization/weights.hpp"

#include "test_support.hpp"
#include "weights_test_support.hpp"

using namespace minidl;
using namespace minidl::serialization;
namespace fs = std::filesystem;
using testing::flagship_model;
using testing::train_a_little;
using testing::weight_bits;

namespace {

/// Puts values that text formats get wrong into the first weight: signed zero, subnormals, the
/// extremes, and a value whose shortest text has 9 digits.
void add_awkward_values(Sequential& model) {
    const Parameter weight = model.weights().front();
    const float awkward[] = {-0.0f,
                             std::numeric_limits<float>::denorm_min(),
                             -std::numeric_limits<float>::denorm_min() * 77,
                             std::numeric_limits<float>::min(),
                             std::numeric_limits<float>::max(),
                             std::numeric_limits<float>::lowest(),
                             0.1f,
                             1.0f / 3.0f,
                             16777217.0f};
    REQUIRE(weight.numel() >= static_cast<int64_t>(std::size(awkward)));
    std::copy(std::begin(awkward), std::end(awkward), weight.data());
}

Sequential tiny_dense() {
    reset_layer_names();
    Sequential model({layers::InputLayer({.input_shape = {2}}), layers::Dense({.units = 1})});
    model.set_weights({tensor({0.1f, -2.5f}, {2, 1}), tensor({0.0f}, {1})});
    return model;
}

}  // namespace

TEST_CASE("the flagship model's weights round-trip bit for bit in both encodings, by name",
          "[weights]") {
    const testing::TemporaryFolder folder("minidl_weights_");
    Sequential model = flagship_model();
    train_a_little(model, 1);
    add_awkward_values(model);
    const std::vector<std::string> names = {"sequential/separable_conv1d/depthwise_kernel",
                                            "sequential/separable_conv1d/pointwise_kernel",
                                            "sequential/separable_conv1d/bias",
                                            "sequential/dense/kernel", "sequential/dense/bias"};
    REQUIRE(model.weights().size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i) CHECK(model.weights()[i].name() == names[i]);

    const Tensor x = testing::seeded_randn({4, 16, 8}, 9);
    const Tensor expected = model.predict(x, {.verbose = 0});
    for (const Encoding encoding : {Encoding::Numbers, Encoding::Base64}) {
        const fs::path path = folder.path / "weights.json";
        save_weights(model, path, {.encoding = encoding});
        Sequential other = flagship_model();  // same names, other initial values
        REQUIRE(weight_bits(other) != weight_bits(model));
        load_weights(other, path);
        CHECK(weight_bits(other) == weight_bits(model));
        const Tensor got = other.predict(x, {.verbose = 0});
        // Bit for bit (FLT_MAX in a kernel makes some outputs NaN).
        CHECK(std::memcmp(got.data(), expected.data(), sizeof(float) * got.numel()) == 0);
    }
}

TEST_CASE("by order, names are ignored and each weight takes the file's next entry", "[weights]") {
    const testing::TemporaryFolder folder("minidl_weights_");
    Sequential model = flagship_model();
    train_a_little(model, 2);
    const fs::path path = folder.path / "weights.json";
    for (const Encoding encoding : {Encoding::Numbers, Encoding::Base64}) {
        save_weights(model, path, {.encoding = encoding});
        // Same architecture, other names: sequential_1/separable_conv1d_1/...
        Sequential other(
            {layers::InputLayer({.input_shape = {16, 8}}),
             layers::SeparableConv1D({.filters = 4, .kernel_size = 5, .padding = "causal"}),
             layers::GlobalAveragePooling1D(), layers::Dense({.units = 3})});
        REQUIRE(other.weights()[0].name() != model.weights()[0].name());
        CHECK_THROWS_WITH(load_weights(other, path),
                          Catch::Contains("/weights/0/name: the model has no weight named "
                                          "'sequential/separable_conv1d/depthwise_kernel'"));
        load_weights(other, path, {.match = WeightMatch::ByOrder});
        CHECK(weight_bits(other) == weight_bits(model));
    }
}

TEST_CASE("the weights file's layout: one key per line, values on one line", "[weights]") {
    const testing::TemporaryFolder folder("minidl_weights_");
    const fs::path path = folder.path / "dense.json";
    Sequential model = tiny_dense();
    save_weights(model, path);
    CHECK(testing::read_file(path) ==
          R"({
 "format": "minidl.weights",
 "version": 1,
 "weights": [
  {
   "name": "sequential/dense/kernel",
   "shape": [2, 1],
   "dtype": "float32",
   "data": [0.1, -2.5]
  },
  {
   "name": "sequential/dense/bias",
   "shape": [1],
   "dtype": "float32",
   "data": [0.0]
  }
 ]
}
)");
    save_weights(model, path, {.encoding = Encoding::Base64});
    CHECK(testing::read_file(path) ==
          R"({
 "format": "minidl.weights",
 "version": 1,
 "weights": [
  {
   "name": "sequential/dense/kernel",
   "shape": [2, 1],
   "dtype": "float32",
   "encoding": "base64",
   "data": "zczMPQAAIMA="
  },
  {
   "name": "sequential/dense/bias",
   "shape": [1],
   "dtype": "float32",
   "encoding": "base64",
   "data": "AAAAAA=="
  }
 ]
}
)");
}

TEST_CASE(
    "a reader accepts either encoding per entry, explicit \"numbers\", any entry order, "
    "and whole numbers",
    "[weights]") {
    const testing::TemporaryFolder folder("minidl_weights_");
    const fs::path path = folder.path / "mixed.json";
    std::ofstream(path) << R"({"version": 1, "format": "minidl.weights", "weights": [
        {"data": [7], "dtype": "float32", "shape": [1], "name": "sequential/dense/bias",
         "encoding": "numbers"},
        {"name": "sequential/dense/kernel", "shape": [2, 1], "dtype": "float32",
         "encoding": "base64", "data": "zczMPQAAIMA="}]})";
    Sequential model = tiny_dense();
    model.set_weights({tensor({5.0f, 6.0f}, {2, 1}), tensor({1.0f}, {1})});
    load_weights(model, path);
    CHECK(model.weights()[0].to_vector() == std::vector<float>{0.1f, -2.5f});
    CHECK(model.weights()[1].to_vector() == std::vector<float>{7.0f});
}

TEST_CASE("NaN and infinities are saved and loaded only when allowed", "[weights]") {
    const testing::TemporaryFolder folder("minidl_weights_");
    const fs::path path = folder.path / "weights.json";
    Sequential model = tiny_dense();
    save_weights(model, path);
    const std::string before = testing::read_file(path);
    const float nan = std::bit_cast<float>(0x7fc00123u);  // a NaN with a payload
    const float inf = std::numeric_limits<float>::infinity();
    model.weights()[0].data()[0] = nan;
    model.weights()[0].data()[1] = -inf;
    model.weights()[1].data()[0] = inf;
    for (const Encoding encoding : {Encoding::Numbers, Encoding::Base64}) {
        CHECK_THROWS_AS(save_weights(model, path, {.encoding = encoding}), ValueError);
        CHECK_THROWS_WITH(save_weights(model, path, {.encoding = encoding}),
                          "weights_to_json: weight 'sequential/dense/kernel' has NaN at index 0 "
                          "(set allow_non_finite = true to save it anyway)");
        CHECK(testing::read_file(path) == before);  // nothing written
    }

    save_weights(model, path, {.allow_non_finite = true});
    CHECK_THAT(testing::read_file(path), Catch::Contains(R"("data": ["NaN", "-Infinity"])") &&
                                             Catch::Contains(R"("data": ["Infinity"])"));
    Sequential other = tiny_dense();
    CHECK_THROWS_WITH(load_weights(other, path),
                      path.string() +
                          ": /weights/0/data/0: NaN is not allowed (load with "
                          "allow_non_finite = true to accept NaN and infinities)");
    load_weights(other, path, {.allow_non_finite = true});
    CHECK(std::isnan(other.weights()[0].data()[0]));
    CHECK(other.weights()[0].data()[1] == -inf);
    CHECK(other.weights()[1].data()[0] == inf);

    // Base64 keeps the NaN's payload too.
    save_weights(model, path, {.encoding = Encoding::Base64, .allow_non_finite = true});
    Sequential third = tiny_dense();
    CHECK_THROWS_WITH(load_weights(third, path),
                      path.string() +
                          ": /weights/0/data: value 0 is NaN, which is not allowed "
                          "(load with allow_non_finite = true to accept NaN and "
                          "infinities)");
    load_weights(third, path, {.allow_non_finite = true});
    CHECK(weight_bits(third) == weight_bits(model));
}

TEST_CASE("saving or loading an unbuilt model says to build it first", "[weights]") {
    const testing::TemporaryFolder folder("minidl_weights_");
    const fs::path path = folder.path / "weights.json";
    reset_layer_names();
    Sequential model({layers::Dense({.units = 2})});
    REQUIRE_FALSE(model.built());
    CHECK_THROWS_AS(save_weights(model, path), ValueError);
    CHECK_THROWS_WITH(save_weights(model, path),
                      Catch::Contains("save_weights: the model 'sequential' is not built") &&
                          Catch::Contains("build it first"));
    CHECK_FALSE(fs::exists(path));
    CHECK_THROWS_AS(load_weights(model, path), ValueError);
    CHECK_THROWS_WITH(load_weights(model, path), Catch::Contains("load_weights: the model"));
}

TEST_CASE("weights_to_json and weights_from_json work on any list of parameters", "[weights]") {
    const Parameter a("a", tensor({1.5f, -0.25f}, {2}));
    const Parameter b("b/c", tensor({3.0f}, {1, 1}));
    const Json entries = weights_to_json({a, b});
    CHECK(dump_json(entries) == R"([{"name":"a","shape":[2],"dtype":"float32","data":[1.5,-0.25]},)"
                                R"({"name":"b/c","shape":[1,1],"dtype":"float32","data":[3.0]}])");
    const std::vector<Tensor> values = weights_from_json(JsonNode(entries, "memory"), {a, b});
    REQUIRE(values.size() == 2);
    CHECK(values[0].to_vector() == std::vector<float>{1.5f, -0.25f});
    CHECK(values[1].shape() == Shape({1, 1}));
    // Scalars (shape []) and empty weights are weights too.
    const Parameter scalar_weight("s", tensor({2.0f}, {}));
    const Parameter empty_weight("e", empty({0, 3}));
    for (const Encoding encoding : {Encoding::Numbers, Encoding::Base64}) {
        const Json both = weights_to_json({scalar_weight, empty_weight}, {.encoding = encoding});
        CHECK(both[0]["shape"] == Json::array());
        const auto back =
            weights_from_json(JsonNode(both, "memory"), {scalar_weight, empty_weight});
        CHECK(back[0].item() == 2.0f);
        CHECK(back[1].shape() == Shape({0, 3}));
    }
    // Two weights of one name cannot be told apart by name.
    const Parameter twin("a", tensor({0.0f}, {1}));
    CHECK_THROWS_WITH(weights_to_json({a, twin}),
                      Catch::StartsWith("weights_to_json: two weights are named 'a'"));
    CHECK_THROWS_WITH(weights_from_json(JsonNode(entries, "memory"), {a, twin}),
                      Catch::StartsWith("weights_from_json: the model has two weights named 'a'"));
}

TEST_CASE("check_format reads the format tag and the version", "[weights]") {
    const auto check = [](const std::string& text, int supported = 1) {
        const Json json = parse_json(text, "f.json");
        check_format(JsonNode(json, "f.json"), "minidl.weights", supported);
    };
    check(R"({"format": "minidl.weights", "version": 1})");
    check(R"({"format": "minidl.weights", "version": 1.0})");
    check(R"({"format": "minidl.weights", "version": 1})", 3);
    CHECK_THROWS_WITH(check(R"({"format": "minidl.weights", "version": 2})"),
                      Catch::StartsWith("f.json: /version: version 2 of minidl.weights is newer "
                                        "than this minidl (" MINIDL_VERSION ") reads (up to 1)"));
    CHECK_THROWS_WITH(check(R"({"format": "minidl.model", "version": 1})"),
                      "f.json: /format: this is a \"minidl.model\" file, not \"minidl.weights\"");
    CHECK_THROWS_WITH(
        check(R"({"version": 1})"),
        Catch::StartsWith("f.json: /: missing key \"format\": not a minidl.weights file"));
    CHECK_THROWS_WITH(check(R"({"format": "minidl.weights"})"),
                      "f.json: /: missing key \"version\"");
    CHECK_THROWS_WITH(check(R"({"format": "minidl.weights", "version": 0})"),
                      "f.json: /version: expected a positive integer version, got 0");
    CHECK_THROWS_WITH(check(R"({"format": "minidl.weights", "version": "1"})"),
                      "f.json: /version: expected an integer, got a string \"1\"");
    CHECK_THROWS_WITH(check(R"({"format": 1, "version": 1})"),
                      "f.json: /format: expected a string, got 1");
    CHECK_THROWS_WITH(check("[]"), "f.json: /: expected an object, got an array");
}

TEST_CASE("a save replaces the old file as a whole", "[weights]") {
    const testing::TemporaryFolder folder("minidl_weights_");
    const fs::path path = folder.path / "weights.json";
    Sequential model = flagship_model();
    save_weights(model, path, {.encoding = Encoding::Base64});
    train_a_little(model, 3);
    save_weights(model, path);
    Sequential other = flagship_model();
    load_weights(other, path);
    CHECK(weight_bits(other) == weight_bits(model));
    CHECK(std::distance(fs::directory_iterator(folder.path), fs::directory_iterator()) == 1);
}
