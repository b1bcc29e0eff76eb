// float32 <-> JSON numbers (serialization/float_text.hpp): the shortest text, bit-exact round
// trips through dump_json and parse_json, and the non-finite strings.

#include <bit>
#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "minidl/core/error.hpp"
#include "minidl/serialization/float_text.hpp"
#include "minidl/serialization/json_node.hpp"

using namespace minidl;
using namespace minidl::serialization;

namespace {

uint32_t bits_of(float value) { return std::bit_cast<uint32_t>(value); }
float from_bits(uint32_t bits) { return std::bit_cast<float>(bits); }

/// The text dump_json writes for float_to_json(value): the double that the float's shortest
/// text reads as, laid out as Python's repr (so json.dumps, and Keras, write the same): fixed
/// notation for decimal exponents -4 to 15, with ".0" on whole numbers, else d.ddde±XX.
std::string expected_json_text(float value) {
    double shortest = 0.0;
    const std::string text = float_to_text(value);
    std::from_chars(text.data(), text.data() + text.size(), shortest);
    char buffer[64];
    char* const end = buffer + sizeof buffer;
    const char* scientific =
        std::to_chars(buffer, end, shortest, std::chars_format::scientific).ptr;
    const std::string scientific_text(static_cast<const char*>(buffer), scientific);
    const int exponent = std::stoi(scientific_text.substr(scientific_text.find('e') + 1));
    if (exponent < -4 || exponent > 15) return scientific_text;
    const char* fixed = std::to_chars(buffer, end, shortest, std::chars_format::fixed).ptr;
    const std::string fixed_text(static_cast<const char*>(buffer), fixed);
    return fixed_text.find('.') == std::string::npos ? fixed_text + ".0" : fixed_text;
}

/// Writes `values` as one JSON array, parses the text back and returns the floats read.
std::vector<float> through_json(const std::vector<float>& values, std::string* text = nullptr) {
    Json array = Json::array();
    for (const float value : values) array.push_back(float_to_json(value, false));
    const std::string dumped = dump_json(array);
    if (text != nullptr) *text = dumped;
    const Json parsed = parse_json(dumped, "float test");
    std::vector<float> back;
    std::string problem;
    for (const Json& element : parsed) {
        const std::optional<float> value = float_from_json(element, false, problem);
        REQUIRE(value.has_value());
        back.push_back(*value);
    }
    return back;
}

}  // namespace

TEST_CASE("float_to_text is the shortest text that reads back to the float", "[float_text]") {
    CHECK(float_to_text(0.1f) == "0.1");
    CHECK(float_to_text(0.3f) == "0.3");
    CHECK(float_to_text(1.0f) == "1");
    CHECK(float_to_text(-2.5f) == "-2.5");
    CHECK(float_to_text(1e-5f) == "1e-05");
    CHECK(float_to_text(1.5e10f) == "1.5e+10");
    CHECK(float_to_text(16777216.0f) == "16777216");
    CHECK(float_to_text(0.0f) == "0");
    CHECK(float_to_text(-0.0f) == "-0");
    CHECK(float_to_text(std::numeric_limits<float>::max()) == "3.4028235e+38");
    CHECK(float_to_text(std::numeric_limits<float>::min()) == "1.1754944e-38");
    CHECK(float_to_text(std::numeric_limits<float>::denorm_min()) == "1e-45");
    CHECK(float_to_text(std::numeric_limits<float>::infinity()) == "inf");
}

TEST_CASE("dump_json writes float_to_json's value as the float's shortest text", "[float_text]") {
    CHECK(dump_json(float_to_json(0.1f, false)) == "0.1");
    CHECK(dump_json(float_to_json(1.0f, false)) == "1.0");
    CHECK(dump_json(float_to_json(-0.0f, false)) == "-0.0");
    CHECK(dump_json(float_to_json(1e-5f, false)) == "1e-05");
    CHECK(dump_json(float_to_json(1e-4f, false)) == "0.0001");  // Python's repr, not "1e-04"
    CHECK(dump_json(float_to_json(4398047e6f, false)) == "4398047000000.0");
    CHECK(dump_json(float_to_json(1e16f, false)) == "1e+16");
    CHECK(dump_json(float_to_json(std::numeric_limits<float>::max(), false)) == "3.4028235e+38");
    CHECK(dump_json(float_to_json(std::numeric_limits<float>::lowest(), false)) ==
          "-3.4028235e+38");
    CHECK(dump_json(float_to_json(std::numeric_limits<float>::denorm_min(), false)) == "1e-45");
    // The value held is the double the text reads as, not the float widened to double.
    CHECK(float_to_json(0.1f, false).get<double>() == 0.1);
}

TEST_CASE("a million random float bit patterns round-trip bit for bit as shortest text",
          "[float_text]") {
    std::mt19937 generator(20240607);
    std::vector<float> values;
    constexpr std::size_t kCount = 1'100'000;
    values.reserve(kCount);
    while (values.size() < kCount) {
        const float value = from_bits(static_cast<uint32_t>(generator()));
        if (std::isfinite(value)) values.push_back(value);
    }
    std::string text;
    const std::vector<float> back = through_json(values, &text);
    REQUIRE(back.size() == values.size());
    std::size_t mismatched_bits = 0;
    std::size_t not_shortest = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (bits_of(back[i]) != bits_of(values[i])) ++mismatched_bits;
        if (dump_json(float_to_json(values[i], false)) != expected_json_text(values[i])) {
            ++not_shortest;
        }
    }
    CHECK(mismatched_bits == 0);
    CHECK(not_shortest == 0);
    // Shortest: at most 9 significant digits, so the whole array averages well under 16 bytes.
    CHECK(text.size() < values.size() * 16);
}

TEST_CASE("subnormals, signed zeros and the extremes round-trip bit for bit", "[float_text]") {
    std::vector<float> values = {0.0f,
                                 -0.0f,
                                 std::numeric_limits<float>::max(),
                                 std::numeric_limits<float>::lowest(),
                                 std::numeric_limits<float>::min(),
                                 -std::numeric_limits<float>::min(),
                                 std::numeric_limits<float>::denorm_min(),
                                 -std::numeric_limits<float>::denorm_min(),
                                 std::nextafter(std::numeric_limits<float>::min(), 0.0f),
                                 std::nextafter(std::numeric_limits<float>::max(), 0.0f),
                                 16777217.0f,
                                 0.1f,
                                 1.0f / 3.0f};
    // Every 997th subnormal, both signs.
    for (uint32_t bits = 1; bits < 0x00800000u; bits += 997) {
        values.push_back(from_bits(bits));
        values.push_back(from_bits(bits | 0x80000000u));
    }
    // Every power of two's neighbours.
    for (int exponent = -149; exponent <= 127; ++exponent) {
        const float power = std::ldexp(1.0f, exponent);
        values.push_back(power);
        values.push_back(std::nextafter(power, 0.0f));
        values.push_back(std::nextafter(power, std::numeric_limits<float>::infinity()));
    }
    const std::vector<float> back = through_json(values);
    for (std::size_t i = 0; i < values.size(); ++i) {
        INFO("value " << float_to_text(values[i]));
        CHECK(bits_of(back[i]) == bits_of(values[i]));
        CHECK(dump_json(float_to_json(values[i], false)) == expected_json_text(values[i]));
    }
    CHECK(std::signbit(through_json({-0.0f})[0]));
}

TEST_CASE("the one float whose text reads as a double halfway between two floats round-trips",
          "[float_text]") {
    // 7.038531e-26 reads as a double exactly halfway between this float and the next one down;
    // casting that double to float rounds to even, the wrong way. Of all 2^32 bit patterns only
    // this magnitude does so (checked once, exhaustively).
    for (const uint32_t bits : {0x15ae43fdu, 0x95ae43fdu}) {
        const float value = from_bits(bits);
        CAPTURE(bits);
        CHECK(float_to_text(value) == (bits >> 31 ? "-7.038531e-26" : "7.038531e-26"));
        const Json json = float_to_json(value, false);
        CHECK(bits_of(static_cast<float>(json.get<double>())) != bits);  // a plain cast fails
        std::string problem;
        CHECK(bits_of(*float_from_json(json, false, problem)) == bits);
        CHECK(bits_of(through_json({value})[0]) == bits);
    }
    // A midpoint is settled by its shortest text; other doubles round to the nearest float.
    std::string problem;
    const double halfway = (1.0 + std::ldexp(1.0, -24));  // 1 + half an ulp of 1.0f
    CHECK(*float_from_json(Json(std::nextafter(halfway, 0.0)), false, problem) == 1.0f);
    CHECK(*float_from_json(Json(std::nextafter(halfway, 2.0)), false, problem) ==
          std::nextafter(1.0f, 2.0f));
}

TEST_CASE("NaN and infinities are strings only when allowed", "[float_text]") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    CHECK_THROWS_AS(float_to_json(nan, false), ValueError);
    CHECK_THROWS_WITH(float_to_json(-inf, false), Catch::Contains("-Infinity"));
    CHECK(float_to_json(nan, true) == Json("NaN"));
    CHECK(float_to_json(inf, true) == Json("Infinity"));
    CHECK(float_to_json(-inf, true) == Json("-Infinity"));

    std::string problem;
    CHECK(std::isnan(*float_from_json(Json("NaN"), true, problem)));
    CHECK(*float_from_json(Json("Infinity"), true, problem) == inf);
    CHECK(*float_from_json(Json("-Infinity"), true, problem) == -inf);
    CHECK_FALSE(float_from_json(Json("NaN"), false, problem).has_value());
    CHECK_THAT(problem,
               Catch::Contains("NaN is not allowed") && Catch::Contains("allow_non_finite"));
    CHECK_FALSE(float_from_json(Json("Infinity"), false, problem).has_value());
    CHECK_THAT(problem, Catch::Contains("Infinity is not allowed"));
    // Other spellings are not numbers, allowed or not.
    for (const char* text : {"nan", "inf", "-inf", "+Infinity", "1.5", ""}) {
        problem.clear();
        CHECK_FALSE(float_from_json(Json(text), true, problem).has_value());
        CHECK_THAT(problem, Catch::StartsWith("expected a number, got a string"));
    }
}

TEST_CASE("float_from_json reads JSON numbers of any kind and rejects the rest", "[float_text]") {
    std::string problem;
    CHECK(*float_from_json(Json(3), false, problem) == 3.0f);
    CHECK(*float_from_json(Json(-7), false, problem) == -7.0f);
    CHECK(*float_from_json(Json(uint64_t{1} << 63), false, problem) == std::ldexp(1.0f, 63));
    CHECK(*float_from_json(Json(0.5), false, problem) == 0.5f);
    // Rounded to the nearest float32, up to FLT_MAX plus less than half its ulp.
    CHECK(*float_from_json(Json(0.1), false, problem) == 0.1f);
    constexpr double kOverflow = 0x1.ffffffp+127;  // FLT_MAX + half an ulp: rounds to infinity
    CHECK(*float_from_json(Json(std::nextafter(kOverflow, 0.0)), false, problem) ==
          std::numeric_limits<float>::max());
    CHECK_FALSE(float_from_json(Json(kOverflow), false, problem).has_value());
    CHECK(*float_from_json(Json(1e-50), false, problem) == 0.0f);

    CHECK_FALSE(float_from_json(Json(3.4028236e38 * 1.0000001), false, problem).has_value());
    CHECK_THAT(problem, Catch::Contains("outside float32's range"));
    CHECK_FALSE(float_from_json(Json(-1e39), true, problem).has_value());
    CHECK_THAT(problem, Catch::Contains("-1e+39") && Catch::Contains("outside float32's range"));
    CHECK_FALSE(float_from_json(Json(nullptr), false, problem).has_value());
    CHECK(problem == "expected a number, got null");
    CHECK_FALSE(float_from_json(Json::array({1}), false, problem).has_value());
    CHECK(problem == "expected a number, got an array");
    CHECK_FALSE(float_from_json(Json::object(), false, problem).has_value());
    CHECK(problem == "expected a number, got an object");
    CHECK_FALSE(float_from_json(Json(true), false, problem).has_value());
    CHECK(problem == "expected a number, got true");
    CHECK_FALSE(float_from_json(Json("abc"), false, problem).has_value());
    CHECK(problem == "expected a number, got a string \"abc\"");
}
