// Reading and writing JSON with located errors (serialization/json_node.hpp): parse errors with
// the byte offset and the JSON Pointer, JsonNode's checks, dump_json's layout, the file limits.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "minidl/core/error.hpp"
#include "minidl/serialization/json_node.hpp"

#include "test_support.hpp"

using namespace minidl;
using namespace minidl::serialization;
namespace fs = std::filesystem;

namespace {

std::string parse_error(const std::string& text) {
    try {
        parse_json(text, "doc.json");
    } catch (const IOError& error) {
        return error.what();
    }
    FAIL("no IOError for: " << text);
    return {};
}

template <class F>
std::string io_error(F&& f) {
    try {
        f();
    } catch (const IOError& error) {
        return error.what();
    }
    FAIL("no IOError");
    return {};
}

}  // namespace

TEST_CASE("parse_json keeps the keys in order and reads every JSON type", "[json]") {
    const Json json = parse_json(
        R"({"z": 1, "a": [true, false, null, -2, 18446744073709551615, 0.5, "x\u00e9"], "m": {}})",
        "doc.json");
    CHECK(json.begin().key() == "z");
    CHECK((++json.begin()).key() == "a");
    CHECK(json["a"][3] == -2);
    CHECK(json["a"][4].get<uint64_t>() == 18446744073709551615ull);
    CHECK(json["a"][5] == 0.5);
    CHECK(json["a"][6] == "x\xc3\xa9");
    CHECK(json["m"].is_object());
    CHECK(parse_json(" 42 ", "doc.json") == 42);
    CHECK(parse_json("\xef\xbb\xbf[1]", "doc.json") == Json::array({1}));  // a UTF-8 BOM
}

TEST_CASE("malformed JSON names the source, the pointer, the byte, line and column", "[json]") {
    const std::string text = "{\n \"a\": [1, 2,, 3]\n}";
    const std::size_t offset = text.find(",,") + 1;
    CHECK(offset == 14);
    const std::string message = parse_error(text);
    CHECK_THAT(message, Catch::StartsWith("doc.json: /a/2: malformed JSON at byte 14 (line 2, "
                                          "column 13): syntax error while parsing value"));

    CHECK_THAT(parse_error(R"({"a": tru})"),
               Catch::StartsWith("doc.json: /a: malformed JSON at byte 9 (line 1, column 10)"));
    CHECK_THAT(parse_error(R"({"a": 1 "b": 2})"),
               Catch::StartsWith("doc.json: /: malformed JSON at byte 10"));  // the end of "b"
    CHECK_THAT(parse_error(R"({"a": 1, "b": [{"c": 01}]})"),
               Catch::StartsWith("doc.json: /b/0: malformed JSON at byte 22"));  // 0 was read
    CHECK_THAT(parse_error(R"({"a": 1,})"),
               Catch::StartsWith("doc.json: /: malformed JSON at byte 8"));
    CHECK_THAT(parse_error(R"({"a": 1} x)"),
               Catch::StartsWith("doc.json: /: malformed JSON at byte 9 (line 1, column 10)"));
    CHECK_THAT(parse_error(R"([1, 2] [3])"),
               Catch::StartsWith("doc.json: /: malformed JSON at byte 7"));
    CHECK_THAT(parse_error(R"({'a': 1})"),
               Catch::StartsWith("doc.json: /: malformed JSON at byte 1"));
    CHECK_THAT(parse_error("[1, NaN]"),
               Catch::StartsWith("doc.json: /1: malformed JSON at byte 4"));
    CHECK_THAT(parse_error("[1, // comment\n 2]"),
               Catch::StartsWith("doc.json: /1: malformed JSON"));
    // A string with a byte that is not UTF-8, or a raw control character.
    CHECK_THAT(parse_error("{\"name\": \"a\xff\"}"),
               Catch::StartsWith("doc.json: /name: malformed JSON at byte 11"));
    CHECK_THAT(parse_error("[\"a\nb\"]"),
               Catch::StartsWith("doc.json: /0: malformed JSON at byte 3"));
}

TEST_CASE("truncated JSON says where the text ends and what was being read", "[json]") {
    const std::string whole = R"({"weights": [{"name": "dense/kernel", "data": [1.5, 2.5]}]})";
    const auto cut = [&](const std::string& up_to) { return whole.substr(0, whole.find(up_to)); };
    CHECK_THAT(parse_error(cut("2.5")),
               Catch::StartsWith("doc.json: /weights/0/data/1: truncated JSON: the text ends at "
                                 "byte " +
                                 std::to_string(whole.find("2.5")) + " (line 1"));
    CHECK_THAT(parse_error(cut("kernel")),
               Catch::StartsWith("doc.json: /weights/0/name: truncated"));
    CHECK_THAT(parse_error(cut("\"name\"")), Catch::StartsWith("doc.json: /weights/0: truncated"));
    CHECK_THAT(parse_error(cut("[{")), Catch::StartsWith("doc.json: /weights: truncated"));
    CHECK_THAT(parse_error(whole.substr(0, whole.size() - 1)),
               Catch::StartsWith("doc.json: /: truncated"));
    CHECK_THAT(parse_error("{"),
               Catch::StartsWith("doc.json: /: truncated JSON: the text ends at byte 1"));
    CHECK_THAT(parse_error("[1.5e"), Catch::StartsWith("doc.json: /0: "));
}

TEST_CASE("empty text, duplicate keys, deep nesting and huge numbers are rejected", "[json]") {
    CHECK(parse_error("") == "doc.json: no JSON value: the text is empty");
    CHECK(parse_error(" \n\t") == "doc.json: no JSON value: the text is only whitespace");
    CHECK(parse_error(R"({"a": 1, "b": {"c": 1, "c": 2}})") ==
          "doc.json: /b/c: the key \"c\" appears twice in one object");
    // Objects with many keys use a hash set for the check.
    std::string many = "{";
    for (int i = 0; i < 100; ++i)
        many += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
    CHECK(parse_json(many.substr(0, many.size() - 2) + "}", "doc.json").size() == 100);
    CHECK(parse_error(many + "\"k70\": 0}") ==
          "doc.json: /k70: the key \"k70\" appears twice in one object");

    const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    CHECK(parse_json(nested(kMaxJsonDepth), "doc.json").is_array());
    CHECK_THAT(parse_error(nested(kMaxJsonDepth + 1)),
               Catch::EndsWith(": arrays and objects are nested deeper than 512 levels"));
    CHECK_THAT(parse_error(std::string(1'000'000, '[')), Catch::Contains("nested deeper than 512"));

    CHECK(parse_error("[1, 1e400]") ==
          "doc.json: /1: malformed JSON at byte 8 (line 1, column 9): number overflow parsing "
          "'1e400'");
    CHECK(parse_json("[1e308, -1e-400]", "doc.json")[1] == 0.0);
}

TEST_CASE("JsonNode knows its JSON Pointer, escaping '~' and '/'", "[json]") {
    const Json json = parse_json(R"({"a/b": {"c~d": [true, {"": 3}]}, "n": 2})", "model.json");
    const JsonNode root(json, "model.json");
    CHECK(root.pointer().empty());
    CHECK(root.source() == "model.json");
    const JsonNode element = root.at("a/b").at("c~d").at(1);
    CHECK(element.pointer() == "/a~1b/c~0d/1");
    CHECK(element.at("").pointer() == "/a~1b/c~0d/1/");
    CHECK(element.at("").as_int() == 3);
    CHECK(json_pointer_token("~/x/~") == "/~0~1x~1~0");
    CHECK_THROWS_AS(element.fail("bad"), IOError);
    CHECK_THROWS_WITH(element.fail("bad"), "model.json: /a~1b/c~0d/1: bad");
    CHECK_THROWS_WITH(root.fail("bad"), "model.json: /: bad");
    CHECK(root.find("missing") == std::nullopt);
    CHECK(root.find("n")->as_int() == 2);
    CHECK(root.at("a/b").at("c~d").size() == 2);
    CHECK(root.at("a/b").at("c~d").at(0).as_bool());
}

TEST_CASE("JsonNode's checks name the value and what was expected", "[json]") {
    const Json json = parse_json(R"({"s": "5", "i": -3, "f": 2.5, "w": 5.0, "big": 1e19,
        "u": 18446744073709551615, "b": true, "a": [1], "o": {"x": 1}, "z": null})",
                                 "cfg.json");
    const JsonNode root(json, "cfg.json");
    CHECK(root.at("i").as_int() == -3);
    CHECK(root.at("w").as_int() == 5);
    CHECK(root.at("f").as_number() == 2.5);
    CHECK(root.at("i").as_number() == -3.0);
    CHECK(root.at("s").as_string() == "5");
    CHECK(io_error([&] { root.at("q"); }) == "cfg.json: /: missing key \"q\"");
    CHECK(io_error([&] { root.at("s").as_int(); }) ==
          "cfg.json: /s: expected an integer, got a string \"5\"");
    CHECK(io_error([&] { root.at("f").as_int(); }) == "cfg.json: /f: expected an integer, got 2.5");
    CHECK(io_error([&] { root.at("big").as_int(); }) ==
          "cfg.json: /big: the integer 1e+19 is too large (at most 2^63 - 1)");
    CHECK(io_error([&] { root.at("u").as_int(); }) ==
          "cfg.json: /u: the integer 18446744073709551615 is too large (at most 2^63 - 1)");
    CHECK(io_error([&] { root.at("z").as_number(); }) ==
          "cfg.json: /z: expected a number, got null");
    CHECK(io_error([&] { root.at("b").as_string(); }) ==
          "cfg.json: /b: expected a string, got true");
    CHECK(io_error([&] { root.at("i").as_bool(); }) ==
          "cfg.json: /i: expected true or false, got -3");
    CHECK(io_error([&] { root.at("a").at(1); }) ==
          "cfg.json: /a: index 1 is out of range (the array has 1 elements)");
    CHECK(io_error([&] { root.at("o").at(0); }) ==
          "cfg.json: /o: expected an array, got an object");
    CHECK(io_error([&] { root.at("a").at("x"); }) ==
          "cfg.json: /a: expected an object, got an array");
    CHECK(io_error([&] { root.at("o").size(); }) ==
          "cfg.json: /o: expected an array, got an object");
    CHECK(io_error([&] { root.at("a").require_object(); }) ==
          "cfg.json: /a: expected an object, got an array");
    CHECK(io_error([&] { root.at("o").require_array(); }) ==
          "cfg.json: /o: expected an array, got an object");
    CHECK(io_error([&] { root.at("s").find("x"); }) ==
          "cfg.json: /s: expected an object, got a string \"5\"");
    root.at("o").reject_unknown_keys({"x", "y"});
    CHECK(io_error([&] {
              root.reject_unknown_keys({"s", "i"});
          }) == "cfg.json: /f: unknown key \"f\" (expected one of: s, i)");
    CHECK(io_error([&] { root.at("o").reject_unknown_keys({}); }) ==
          "cfg.json: /o/x: unknown key \"x\" (expected no keys)");
    const std::string long_text(100, 'x');
    const Json with_long = Json{{"t", long_text}};
    CHECK(io_error([&] { JsonNode(with_long, "cfg.json").at("t").as_int(); }) ==
          "cfg.json: /t: expected an integer, got a string \"" + std::string(40, 'x') + "...\"");
}

TEST_CASE("dump_json lays out JSON as nlohmann does, arrays of scalars on one line", "[json]") {
    const Json json = parse_json(
        R"({"format": "x", "n": 1, "list": [1, "a", null, true], "nested": [[1], {"k": []}],
            "empty": {}, "text": "q\"\\\n\u0001\u00e9"})",
        "doc.json");
    CHECK(dump_json(json) == json.dump());
    CHECK(dump_json(json, 1) ==
          "{\n"
          " \"format\": \"x\",\n"
          " \"n\": 1,\n"
          " \"list\": [1, \"a\", null, true],\n"
          " \"nested\": [\n"
          "  [1],\n"
          "  {\n"
          "   \"k\": []\n"
          "  }\n"
          " ],\n"
          " \"empty\": {},\n"
          " \"text\": \"q\\\"\\\\\\n\\u0001\xc3\xa9\"\n"
          "}");
    const Json objects = parse_json(R"({"a": {"b": [{"c": 1}, {"d": "e"}]}, "f": -2})", "doc.json");
    CHECK(dump_json(objects, 2) == objects.dump(2));
    CHECK(dump_json(objects, 0) == objects.dump(0));
    CHECK(parse_json(dump_json(json, 4), "doc.json") == json);
}

TEST_CASE("dump_json writes doubles as their shortest text", "[json]") {
    CHECK(dump_json(Json(0.1)) == "0.1");
    CHECK(dump_json(Json(1.0)) == "1.0");
    CHECK(dump_json(Json(-0.0)) == "-0.0");
    CHECK(dump_json(Json(1e20)) == "1e+20");
    CHECK(dump_json(Json(1.5e300)) == "1.5e+300");
    CHECK(dump_json(Json(5e-324)) == "5e-324");
    CHECK(dump_json(Json(0.30000000000000004)) == "0.30000000000000004");
    // nlohmann's Grisu2 writes 17 digits for some doubles that have a shorter exact text.
    const double value = std::stod("4.07818e-40");
    CHECK(dump_json(Json(value)) == "4.07818e-40");
    CHECK(parse_json(dump_json(Json(value)), "doc.json").get<double>() == value);
    CHECK(dump_json(Json(int64_t{-9223372036854775807 - 1})) == "-9223372036854775808");
    CHECK(dump_json(Json(uint64_t{18446744073709551615ull})) == "18446744073709551615");
}

TEST_CASE("dump_json refuses values JSON cannot hold, naming their pointer", "[json]") {
    Json json = {{"a", {1.0, std::numeric_limits<double>::quiet_NaN()}}};
    CHECK_THROWS_AS(dump_json(json), ValueError);
    CHECK_THROWS_WITH(dump_json(json), Catch::StartsWith("dump_json: /a/1: JSON has no nan"));
    json = {{"x/y", std::numeric_limits<double>::infinity()}};
    CHECK_THROWS_WITH(dump_json(json), Catch::StartsWith("dump_json: /x~1y: JSON has no inf"));
    json = {{"name", "a\xff"}};
    CHECK_THROWS_WITH(dump_json(json),
                      "dump_json: /name: the string has a byte 0xff at offset 1 "
                      "that is not valid UTF-8");
    for (const char* bad : {"\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}) {
        CHECK_THROWS_AS(dump_json(Json(bad)), ValueError);  // overlong, surrogate, > U+10FFFF, cut
    }
    CHECK(dump_json(Json("\xf0\x9f\x98\x80")) == "\"\xf0\x9f\x98\x80\"");
}

TEST_CASE("write_json_file and read_json_file round-trip a document", "[json]") {
    const testing::TemporaryFolder folder("minidl_json_");
    const fs::path path = folder.path / "doc.json";
    const Json json = {{"format", "test"}, {"values", {0.1, 1.0, -2.0, 1e-7}}, {"n", 3}};
    write_json_file(path, json);
    CHECK(testing::read_file(path) ==
          "{\n \"format\": \"test\",\n \"values\": [0.1, 1.0, -2.0, 1e-07],\n \"n\": 3\n}\n");
    CHECK(read_json_file(path) == json);
    write_json_file(path, json, -1);
    CHECK(testing::read_file(path) == R"({"format":"test","values":[0.1,1.0,-2.0,1e-07],"n":3})"
                                      "\n");

    // A document that cannot be written leaves the old file as it was.
    const Json bad = {{"x", std::numeric_limits<double>::quiet_NaN()}};
    CHECK_THROWS_WITH(write_json_file(path, bad),
                      Catch::StartsWith(path.string() + ": dump_json: /x"));
    CHECK(read_json_file(path) == json);
}

TEST_CASE("read_json_file names the file for what it cannot read", "[json]") {
    const testing::TemporaryFolder folder("minidl_json_");
    const fs::path missing = folder.path / "missing.json";
    CHECK_THAT(io_error([&] { read_json_file(missing); }),
               Catch::StartsWith(missing.string() + ": cannot read the file: "));
    CHECK(io_error([&] { read_json_file(folder.path); }) ==
          folder.path.string() + ": cannot read the file: it is a directory");

    const fs::path empty = folder.path / "empty.json";
    std::ofstream(empty).close();
    CHECK(io_error([&] { read_json_file(empty); }) ==
          empty.string() + ": the file is empty (0 bytes), not JSON");

    const fs::path broken = folder.path / "broken.json";
    std::ofstream(broken) << "{\"a\": [1,\n 2";
    CHECK_THAT(
        io_error([&] { read_json_file(broken); }),
        Catch::StartsWith(broken.string() + ": /a/2: truncated JSON: the text ends at byte 12 "
                                            "(line 2, column 3)"));

    // A file over the limit is refused from its size, before anything is read (sparse here).
    const fs::path huge = folder.path / "huge.json";
    std::ofstream(huge).close();
    fs::resize_file(huge, kMaxJsonFileBytes + 1);
    CHECK(io_error([&] { read_json_file(huge); }) ==
          huge.string() +
              ": the file has 1073741825 bytes, more than the 1073741824 bytes (1 GiB) "
              "minidl reads as JSON");
}
