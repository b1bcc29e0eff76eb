#include "minidl/serialization/base64.hpp"

#include <array>
#include <cstdint>

#include "minidl/core/error.hpp"

namespace minidl::serialization {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xFF;

constexpr std::array<uint8_t, 256> make_decode_table() {
    std::array<uint8_t, 256> table{};
    for (auto& entry : table) entry = kInvalid;
    for (uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
    return table;
}
constexpr std::array<uint8_t, 256> kDecode = make_decode_table();

[[noreturn]] void fail(const std::string& problem) {
    throw ValueError("invalid base64: " + problem);
}

std::string shown_character(char c) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x21 && byte < 0x7F) return std::string("'") + c + "'";
    static constexpr char kHex[] = "0123456789abcdef";
    const char* name = byte == ' '    ? "space"
                       : byte == '\n' ? "newline"
                       : byte == '\r' ? "carriage return"
                       : byte == '\t' ? "tab"
                                      : nullptr;
    std::string text = std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 15];
    return name == nullptr ? text : text + " (" + name + ")";
}

}  // namespace

std::string base64_encode(std::span<const std::byte> bytes) {
    std::string text;
    text.reserve((bytes.size() + 2) / 3 * 4);
    const auto at = [&](std::size_t i) { return static_cast<uint32_t>(bytes[i]); };
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t group = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
        text += kAlphabet[group >> 18];
        text += kAlphabet[(group >> 12) & 63];
        text += kAlphabet[(group >> 6) & 63];
        text += kAlphabet[group & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        const uint32_t group = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0);
        text += kAlphabet[group >> 18];
        text += kAlphabet[(group >> 12) & 63];
        text += rest == 2 ? kAlphabet[(group >> 6) & 63] : '=';
        text += '=';
    }
    return text;
}

std::string base64_encode(std::string_view bytes) {
    return base64_encode(std::as_bytes(std::span<const char>(bytes.data(), bytes.size())));
}

std::size_t base64_decoded_size(std::string_view text) {
    if (text.size() % 4 != 0) {
        fail("the length " + std::to_string(text.size()) +
             " is not a multiple of 4 (is the text cut short?)");
    }
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') ++padding;
    if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
    return text.size() / 4 * 3 - padding;
}

void base64_decode_into(std::string_view text, std::span<std::byte> out) {
    const std::size_t size = base64_decoded_size(text);
    if (out.size() != size) {
        throw ValueError("base64_decode_into: the text decodes to " + std::to_string(size) +
                         " bytes, the buffer has " + std::to_string(out.size()));
    }
    std::size_t written = 0;
    for (std::size_t start = 0; start < text.size(); start += 4) {
        const bool last = start + 4 == text.size();
        uint32_t group = 0;
        int characters = 0;  // before the padding
        for (std::size_t k = start; k < start + 4; ++k) {
            const char c = text[k];
            if (c == '=') {
                // Padding: only in the last group's last two places, and nothing after it.
                const bool allowed =
                    last && k >= start + 2 && (k == start + 3 || text[start + 3] == '=');
                if (!allowed) {
                    fail("'=' at offset " + std::to_string(k) +
                         " (padding may only end the text, at most two)");
                }
                group <<= 6;
                continue;
            }
            if (characters < static_cast<int>(k - start)) {
                fail(shown_character(c) + " at offset " + std::to_string(k) + " after padding");
            }
            const uint8_t value = kDecode[static_cast<unsigned char>(c)];
            if (value == kInvalid) {
                fail(shown_character(c) + " at offset " + std::to_string(k) +
                     " is not in the base64 alphabet");
            }
            group = group << 6 | value;
            ++characters;
        }
        const int bytes = characters - 1;  // 4 characters -> 3 bytes, 3 -> 2, 2 -> 1
        // The bits below the last whole byte must be zero in a canonical encoding.
        const uint32_t unused_mask = bytes == 3 ? 0 : bytes == 2 ? 0xFF : 0xFFFF;
        if ((group & unused_mask) != 0) {
            fail("the last group (offset " + std::to_string(start) +
                 ") has unused bits that are not zero (not a canonical encoding)");
        }
        out[written++] = static_cast<std::byte>(group >> 16);
        if (bytes >= 2) out[written++] = static_cast<std::byte>((group >> 8) & 0xFF);
        if (bytes >= 3) out[written++] = static_cast<std::byte>(group & 0xFF);
    }
}

std::string base64_decode(std::string_view text) {
    std::string bytes(base64_decoded_size(text), '\0');
    base64_decode_into(text, std::as_writable_bytes(std::span<char>(bytes.data(), bytes.size())));
    return bytes;
}

}  // namespace minidl::serialization
