// Corrupt and mismatched weights files: each is loaded into a trained model and must fail with
// an IOError that names the file and the JSON Pointer of the fault, leaving every weight exactly
// as it was.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
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

namespace {

// The model's weights, in order (see weights_test_support.hpp):
//   0 sequential/separable_conv1d/depthwise_kernel  [5, 8, 1]
//   1 sequential/separable_conv1d/pointwise_kernel  [1, 8, 4]
//   2 sequential/separable_conv1d/bias              [4]
//   3 sequential/dense/kernel                        [4, 3]
//   4 sequential/dense/bias                          [3]

/// The valid files the corrupt ones are made from.
struct ValidFiles {
    std::string numbers;
    std::string base64;
};

struct Case {
    std::string what;
    std::function<std::string(const ValidFiles&)> make;
    std::string pointer;  ///< the JSON Pointer the message must name ("" = none: empty files)
    std::string problem;  ///< a part of the message after the pointer
    LoadWeightsOptions options = {};
};

/// The text of `text`'s document after `change`.
std::string edit(const std::string& text, const std::function<void(Json&)>& change) {
    Json document = parse_json(text, "valid");
    change(document);
    return dump_json(document, 1);
}

/// `text` with the `n`th (from 0) occurrence of `needle` replaced.
std::string replace_nth(std::string text, const std::string& needle, const std::string& by,
                        int n = 0) {
    std::size_t at = text.find(needle);
    for (int i = 0; i < n && at != std::string::npos; ++i) at = text.find(needle, at + 1);
    REQUIRE(at != std::string::npos);
    return text.replace(at, needle.size(), by);
}

/// `text` up to (not including) the `n`th occurrence of `needle`, plus `extra` characters.
std::string cut_at(const std::string& text, const std::string& needle, int n = 0,
                   std::size_t extra = 0) {
    std::size_t at = text.find(needle);
    for (int i = 0; i < n && at != std::string::npos; ++i) at = text.find(needle, at + 1);
    REQUIRE(at != std::string::npos);
    return text.substr(0, at + extra);
}

Json& entry(Json& document, int index) { return document["weights"][index]; }

std::vector<Case> corrupt_cases() {
    const auto numbers = [](const std::function<void(Json&)>& change) {
        return [change](const ValidFiles& files) { return edit(files.numbers, change); };
    };
    const auto base64 = [](const std::function<void(Json&)>& change) {
        return [change](const ValidFiles& files) { return edit(files.base64, change); };
    };
    const auto text = [](std::string content) {
        return [content](const ValidFiles&) { return content; };
    };
    return {
        // ---- not JSON, or cut short ----
        {"an empty file", text(""), "", ": the file is empty (0 bytes), not JSON"},
        {"only whitespace", text("\n \n"), "", ": no JSON value: the text is only whitespace"},
        {"malformed: ';' between two values",
         [](const ValidFiles& f) {
             // The first ',' inside the pointwise kernel's data: reading its second value fails.
             std::string content = f.numbers;
             const std::size_t data = content.find("\"data\": [", content.find("pointwise_kernel"));
             content[content.find(',', data)] = ';';
             return content;
         },
         "/weights/1/data/1", "malformed JSON at byte "},
        {"malformed: a Python literal",
         [](const ValidFiles& f) {
             return replace_nth(f.numbers, "\"version\": 1", "\"version\": True");
         },
         "/version", "malformed JSON at byte "},
        {"malformed: text after the document", [](const ValidFiles& f) { return f.numbers + "x"; },
         "/", "malformed JSON at byte "},
        {"malformed: a name that is not UTF-8",
         [](const ValidFiles& f) {
             return replace_nth(f.numbers, "dense/kernel", "dense/k\xe9rnel");
         },
         "/weights/3/name", "malformed JSON at byte "},
        {"truncated inside a data array",
         [](const ValidFiles& f) {
             const std::size_t data =
                 f.numbers.find("\"data\": [", f.numbers.find("pointwise_kernel"));
             return f.numbers.substr(0, f.numbers.find(',', data) + 1);
         },
         "/weights/1/data/1", "truncated JSON: the text ends at byte "},
        {"truncated inside a name",
         [](const ValidFiles& f) { return cut_at(f.numbers, "separable_conv1d/bias", 0, 5); },
         "/weights/2/name", "truncated JSON"},
        {"truncated after \"weights\": [",
         [](const ValidFiles& f) { return cut_at(f.numbers, "{", 1); }, "/weights/0",
         "truncated JSON"},
        {"truncated after a key", [](const ValidFiles& f) { return cut_at(f.numbers, "1,", 0); },
         "/version", "truncated JSON"},
        {"truncated before the last brace",
         [](const ValidFiles& f) { return f.numbers.substr(0, f.numbers.rfind('}')); }, "/",
         "truncated JSON"},
        {"truncated to one byte", text("{"), "/", "truncated JSON: the text ends at byte 1"},
        {"a key twice in one entry",
         [](const ValidFiles& f) {
             return replace_nth(f.numbers, "\"dtype\": \"float32\"",
                                "\"dtype\": \"float32\", \"dtype\": \"float64\"", 1);
         },
         "/weights/1/dtype", "the key \"dtype\" appears twice in one object"},

        // ---- the document ----
        {"not an object", text("[1, 2]"), "/", "expected an object, got an array"},
        {"wrong format tag", numbers([](Json& d) { d["format"] = "minidl.model"; }), "/format",
         "this is a \"minidl.model\" file, not \"minidl.weights\""},
        {"missing format tag", numbers([](Json& d) { d.erase("format"); }), "/",
         "missing key \"format\""},
        {"version 2", numbers([](Json& d) { d["version"] = 2; }), "/version",
         "version 2 of minidl.weights is newer than this minidl"},
        {"version as a string", numbers([](Json& d) { d["version"] = "1"; }), "/version",
         "expected an integer, got a string \"1\""},
        {"missing weights", numbers([](Json& d) { d.erase("weights"); }), "/",
         "missing key \"weights\""},
        {"weights not an array", numbers([](Json& d) { d["weights"] = Json::object(); }),
         "/weights", "expected an array, got an object"},
        {"an unknown key in the document", numbers([](Json& d) { d["comment"] = "hi"; }),
         "/comment", "unknown key \"comment\""},

        // ---- an entry ----
        {"an entry that is not an object", numbers([](Json& d) { entry(d, 1) = 5; }), "/weights/1",
         "expected an object, got 5"},
        {"missing name", numbers([](Json& d) { entry(d, 1).erase("name"); }), "/weights/1",
         "missing key \"name\""},
        {"missing shape", numbers([](Json& d) { entry(d, 1).erase("shape"); }), "/weights/1",
         "missing key \"shape\""},
        {"missing dtype", numbers([](Json& d) { entry(d, 1).erase("dtype"); }), "/weights/1",
         "missing key \"dtype\""},
        {"missing data", numbers([](Json& d) { entry(d, 1).erase("data"); }), "/weights/1",
         "missing key \"data\""},
        {"an unknown key in an entry", numbers([](Json& d) { entry(d, 1)["colour"] = "red"; }),
         "/weights/1/colour",
         "unknown key \"colour\" (expected one of: name, shape, dtype, encoding, data)"},
        {"an unknown key with a '/' in an entry", numbers([](Json& d) { entry(d, 1)["a/b~"] = 1; }),
         "/weights/1/a~1b~0", "unknown key \"a/b~\""},
        {"a name that is not a string", numbers([](Json& d) { entry(d, 1)["name"] = 7; }),
         "/weights/1/name", "expected a string, got 7"},
        {"dtype float64", numbers([](Json& d) { entry(d, 1)["dtype"] = "float64"; }),
         "/weights/1/dtype", "dtype \"float64\" is not supported (minidl weights are \"float32\")"},
        {"an unknown encoding", numbers([](Json& d) { entry(d, 1)["encoding"] = "hex"; }),
         "/weights/1/encoding", "unknown encoding \"hex\" (expected \"numbers\" or \"base64\")"},

        // ---- which weights ----
        {"an extra weight", numbers([](Json& d) {
             Json extra = entry(d, 4);
             extra["name"] = "sequential/dense_1/bias";
             d["weights"].push_back(extra);
         }),
         "/weights/5/name", "the model has no weight named 'sequential/dense_1/bias'"},
        {"a missing weight", numbers([](Json& d) { d["weights"].erase(4); }), "/weights",
         "the model's weight 'sequential/dense/bias' (shape [3]) is missing"},
        {"a duplicate name", numbers([](Json& d) { entry(d, 4) = entry(d, 3); }), "/weights/4/name",
         "the weight 'sequential/dense/kernel' appears twice (also at /weights/3)"},
        {"a wrong name", numbers([](Json& d) { entry(d, 2)["name"] = "sequential/conv/bias"; }),
         "/weights/2/name", "the model has no weight named 'sequential/conv/bias'"},
        {"by order: one weight too few",
         numbers([](Json& d) { d["weights"].erase(0); }),
         "/weights",
         "the file has 4 weights, the model 5",
         {.match = WeightMatch::ByOrder}},
        {"by order: two entries swapped",
         numbers([](Json& d) { std::swap(entry(d, 0), entry(d, 1)); }),
         "/weights/0/shape",
         "expected [5, 8, 1] (sequential/separable_conv1d/depthwise_kernel), found [1, 8, 4]",
         {.match = WeightMatch::ByOrder}},

        // ---- shapes ----
        {"a wrong shape", numbers([](Json& d) {
             entry(d, 1)["shape"] = {1, 4, 8};
         }),
         "/weights/1/shape",
         "expected [1, 8, 4] (sequential/separable_conv1d/pointwise_kernel), found [1, 4, 8]"},
        {"a negative size", numbers([](Json& d) {
             entry(d, 1)["shape"] = {1, -8, 4};
         }),
         "/weights/1/shape/1", "expected a non-negative integer, got -8"},
        {"a huge size", numbers([](Json& d) {
             entry(d, 1)["shape"] = {1, 8, 4000000000000000};
         }),
         "/weights/1/shape", "found [1, 8, 4000000000000000]"},
        {"sizes whose product overflows", numbers([](Json& d) {
             entry(d, 1)["shape"] = {4294967296, 4294967296, 4294967296};
         }),
         "/weights/1/shape", "found [4294967296, 4294967296, 4294967296]"},
        {"a size beyond int64", numbers([](Json& d) {
             entry(d, 1)["shape"] = {1e30, 8, 4};
         }),
         "/weights/1/shape/0", "the integer 1e+30 is too large"},
        {"a fractional size", numbers([](Json& d) {
             entry(d, 1)["shape"] = {1, 8.5, 4};
         }),
         "/weights/1/shape/1", "expected an integer, got 8.5"},
        {"a rank above 8",
         numbers([](Json& d) { entry(d, 1)["shape"] = Json(std::vector<int>(9, 1)); }),
         "/weights/1/shape", "a shape of rank 9"},
        {"a shape that is not an array", numbers([](Json& d) { entry(d, 1)["shape"] = 32; }),
         "/weights/1/shape", "expected an array, got 32"},

        // ---- numbers ----
        {"data too short", numbers([](Json& d) { entry(d, 1)["data"].erase(31); }),
         "/weights/1/data", "expected 32 values for shape [1, 8, 4], got 31"},
        {"data too long", numbers([](Json& d) { entry(d, 1)["data"].push_back(0.5); }),
         "/weights/1/data", "expected 32 values for shape [1, 8, 4], got 33"},
        {"a string in data", numbers([](Json& d) { entry(d, 1)["data"][3] = "0.5"; }),
         "/weights/1/data/3", "expected a number, got a string \"0.5\""},
        {"null in data", numbers([](Json& d) { entry(d, 1)["data"][0] = nullptr; }),
         "/weights/1/data/0", "expected a number, got null"},
        {"a nested array in data", numbers([](Json& d) { entry(d, 1)["data"][2] = {1.0}; }),
         "/weights/1/data/2", "expected a number, got an array"},
        {"a value beyond float32", numbers([](Json& d) { entry(d, 1)["data"][5] = 1e39; }),
         "/weights/1/data/5", "the number 1e+39 is outside float32's range"},
        {"NaN without allow_non_finite", numbers([](Json& d) { entry(d, 1)["data"][4] = "NaN"; }),
         "/weights/1/data/4", "NaN is not allowed"},
        {"-Infinity without allow_non_finite",
         numbers([](Json& d) { entry(d, 4)["data"][2] = "-Infinity"; }), "/weights/4/data/2",
         "-Infinity is not allowed"},
        {"a base64 string where numbers are expected",
         numbers([](Json& d) { entry(d, 1)["data"] = "AAAA"; }), "/weights/1/data",
         "expected an array, got a string \"AAAA\""},
        {"data as an object", numbers([](Json& d) { entry(d, 1)["data"] = Json::object(); }),
         "/weights/1/data", "expected an array, got an object"},

        // ---- base64 ----
        {"a bad base64 character", base64([](Json& d) {
             std::string data = entry(d, 1)["data"];
             data[3] = '!';
             entry(d, 1)["data"] = data;
         }),
         "/weights/1/data", "invalid base64: '!' at offset 3 is not in the base64 alphabet"},
        {"base64 of a wrong length", base64([](Json& d) {
             entry(d, 1)["data"] = entry(d, 1)["data"].get<std::string>().substr(1);
         }),
         "/weights/1/data", "invalid base64: the length 171 is not a multiple of 4"},
        {"base64 of too few bytes", base64([](Json& d) {
             entry(d, 1)["data"] = entry(d, 1)["data"].get<std::string>().substr(4);
         }),
         "/weights/1/data",
         "expected 128 bytes (32 float32 values for shape [1, 8, 4]), the base64 text holds 125"},
        {"base64 with padding inside", base64([](Json& d) {
             std::string data = entry(d, 1)["data"];
             data[8] = '=';
             entry(d, 1)["data"] = data;
         }),
         "/weights/1/data", "invalid base64: '=' at offset 8"},
        {"base64 data given as numbers", base64([](Json& d) {
             entry(d, 1)["data"] = Json::array({1, 2});
         }),
         "/weights/1/data",
         "expected a base64 string (the entry's encoding is \"base64\"), got an array"},
        {"NaN in base64 without allow_non_finite", base64([](Json& d) {
             std::string data = entry(d, 4)["data"];
             data.replace(0, 8, "AADAf/8/");  // 0x7fc00000 (NaN), then other bytes
             entry(d, 4)["data"] = data;
         }),
         "/weights/4/data", "value 0 is NaN, which is not allowed"},
    };
}

}  // namespace

TEST_CASE(
    "every corrupt or mismatched weights file is refused, naming the file and the pointer, "
    "and leaves the model unchanged",
    "[weights][corrupt]") {
    const testing::TemporaryFolder folder("minidl_corrupt_");
    Sequential model = testing::flagship_model();
    testing::train_a_little(model, 11);

    ValidFiles files;
    const fs::path valid = folder.path / "valid.json";
    save_weights(model, valid);
    files.numbers = testing::read_file(valid);
    save_weights(model, valid, {.encoding = Encoding::Base64});
    files.base64 = testing::read_file(valid);

    const std::vector<Case> cases = corrupt_cases();
    REQUIRE(cases.size() >= 25);
    const std::vector<std::vector<uint32_t>> before = testing::weight_bits(model);

    int index = 0;
    for (const Case& c : cases) {
        const fs::path path = folder.path / ("corrupt_" + std::to_string(index++) + ".json");
        {
            std::ofstream out(path, std::ios::binary);
            out << c.make(files);
        }
        INFO("case: " << c.what);
        std::string message;
        try {
            load_weights(model, path, c.options);
        } catch (const IOError& error) {
            message = error.what();
        }
        INFO("message: " << message);
        REQUIRE_FALSE(message.empty());
        CHECK_THAT(message, Catch::StartsWith(path.string() + ": "));
        if (!c.pointer.empty()) {
            CHECK_THAT(message, Catch::StartsWith(path.string() + ": " + c.pointer + ": "));
        }
        CHECK_THAT(message, Catch::Contains(c.problem));
        CHECK(testing::weight_bits(model) == before);
    }

    // The valid files still load (the cases failed for their faults, not the model's).
    for (const std::string& content : {files.numbers, files.base64}) {
        std::ofstream(valid, std::ios::binary) << content;
        load_weights(model, valid);
        CHECK(testing::weight_bits(model) == before);
    }
}

TEST_CASE("a weights file that does not exist is an IOError naming it", "[weights][corrupt]") {
    const testing::TemporaryFolder folder("minidl_corrupt_");
    Sequential model = testing::flagship_model();
    const auto before = testing::weight_bits(model);
    const fs::path path = folder.path / "nope.json";
    CHECK_THROWS_AS(load_weights(model, path), IOError);
    CHECK_THROWS_WITH(load_weights(model, path),
                      Catch::StartsWith(path.string() + ": cannot read the file: "));
    CHECK(testing::weight_bits(model) == before);
}
