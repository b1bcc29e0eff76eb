// Base64 (RFC 4648 section 4: the standard alphabet, '=' padding) with strict decoding: anything
// but the canonical encoding of some bytes is rejected with the offset of the fault.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace minidl::serialization {

/// The base64 text of `bytes` (4 characters per 3 bytes, '='-padded).
std::string base64_encode(std::span<const std::byte> bytes);
std::string base64_encode(std::string_view bytes);

/// The number of bytes `text` decodes to, from its length and padding alone (no allocation,
/// no full check). Throws ValueError when the length is not a multiple of 4.
std::size_t base64_decoded_size(std::string_view text);

/// Decodes `text` into `out`, whose size must be base64_decoded_size(text). Throws ValueError
/// "invalid base64: ..." naming the offset for a character outside the alphabet (whitespace
/// included), '=' anywhere but the last one or two places, a length that is not a multiple of
/// 4, or unused bits of the last group that are not zero (a non-canonical encoding).
void base64_decode_into(std::string_view text, std::span<std::byte> out);
/// Decodes `text` (checked as base64_decode_into) into a string of bytes.
std::string base64_decode(std::string_view text);

}  // namespace minidl::serialization
