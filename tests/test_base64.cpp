// Base64 (serialization/base64.hpp): RFC 4648's test vectors, round trips, strict decoding.

#include <catch2/catch.hpp>
#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "minidl/core/error.hpp"
#include "minidl/serialization/base64.hpp"

using namespace minidl;
using namespace minidl::serialization;

TEST_CASE("base64 encodes RFC 4648's test vectors", "[base64]") {
    CHECK(base64_encode(std::string_view("")) == "");
    CHECK(base64_encode(std::string_view("f")) == "Zg==");
    CHECK(base64_encode(std::string_view("fo")) == "Zm8=");
    CHECK(base64_encode(std::string_view("foo")) == "Zm9v");
    CHECK(base64_encode(std::string_view("foob")) == "Zm9vYg==");
    CHECK(base64_encode(std::string_view("fooba")) == "Zm9vYmE=");
    CHECK(base64_encode(std::string_view("foobar")) == "Zm9vYmFy");
    for (const char* text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        CHECK(base64_decode(base64_encode(std::string_view(text))) == text);
    }
    // The two characters past 'z' and '9'.
    CHECK(base64_encode(std::string_view("\xfb\xff", 2)) == "+/8=");
    CHECK(base64_decode("+/8=") == std::string("\xfb\xff", 2));
}

TEST_CASE("base64 round-trips every byte value and every length", "[base64]") {
    std::string all;
    for (int byte = 0; byte < 256; ++byte) all += static_cast<char>(byte);
    CHECK(base64_decode(base64_encode(all)) == all);

    std::mt19937 generator(7);
    for (std::size_t length = 0; length < 200; ++length) {
        std::string bytes(length, '\0');
        for (char& c : bytes) c = static_cast<char>(generator() & 0xFF);
        const std::string text = base64_encode(bytes);
        CHECK(text.size() == (length + 2) / 3 * 4);
        CHECK(base64_decoded_size(text) == length);
        CHECK(base64_decode(text) == bytes);
    }
}

TEST_CASE("base64_decode_into fills a buffer of exactly the decoded size", "[base64]") {
    std::vector<std::byte> out(6);
    base64_decode_into("Zm9vYmFy", out);
    CHECK(std::string(reinterpret_cast<const char*>(out.data()), out.size()) == "foobar");
    std::vector<std::byte> small(5);
    CHECK_THROWS_AS(base64_decode_into("Zm9vYmFy", small), ValueError);
    CHECK_THROWS_WITH(base64_decode_into("Zm9vYmFy", small),
                      Catch::Contains("6 bytes") && Catch::Contains("5"));
}

TEST_CASE("base64 decoding rejects anything but a canonical encoding", "[base64]") {
    struct Case {
        std::string text;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"Zm9vYm!y", "invalid base64: '!' at offset 6 is not in the base64 alphabet"},
        {"Zm9v Ymy", "invalid base64: byte 0x20 (space) at offset 4 is not in the base64 alphabet"},
        {"Zm9vYmFy\n", "invalid base64: the length 9 is not a multiple of 4"},
        {"Zm9v\nYmE",
         "invalid base64: byte 0x0a (newline) at offset 4 is not in the base64 alphabet"},
        {"Zm9-YmFy", "invalid base64: '-' at offset 3 is not in the base64 alphabet"},  // base64url
        {"Zm9_YmFy", "invalid base64: '_' at offset 3 is not in the base64 alphabet"},
        {std::string("Zm9\xc3YmFy"),
         "invalid base64: byte 0xc3 at offset 3 is not in the base64 alphabet"},
        {"Zm9vY", "invalid base64: the length 5 is not a multiple of 4"},
        {"Zg=", "invalid base64: the length 3 is not a multiple of 4"},
        {"Zg", "invalid base64: the length 2 is not a multiple of 4"},
        {"Zg==Zg==",
         "invalid base64: '=' at offset 2 (padding may only end the text, at most two)"},
        {"Z===", "invalid base64: '=' at offset 1"},
        {"====", "invalid base64: '=' at offset 0"},
        {"Zg=a", "invalid base64: '=' at offset 2"},
        {"Zh==", "invalid base64: the last group (offset 0) has unused bits that are not zero"},
        {"Zm9=", "invalid base64: the last group (offset 0) has unused bits that are not zero"},
    };
    for (const Case& c : cases) {
        INFO("text: " << c.text);
        CHECK_THROWS_AS(base64_decode(c.text), ValueError);
        CHECK_THROWS_WITH(base64_decode(c.text), Catch::StartsWith(c.message));
    }
    CHECK(base64_decode("Zg==") == "f");
    CHECK(base64_decode("Zm8=") == "fo");
}

TEST_CASE("base64_decoded_size needs only the length and the padding", "[base64]") {
    CHECK(base64_decoded_size("") == 0);
    CHECK(base64_decoded_size("Zg==") == 1);
    CHECK(base64_decoded_size("Zm8=") == 2);
    CHECK(base64_decoded_size("Zm9v") == 3);
    CHECK(base64_decoded_size(std::string(4'000'000, 'A')) == 3'000'000);
    CHECK_THROWS_AS(base64_decoded_size("abc"), ValueError);
}
