// text/utf8.h: strict UTF-8 validation, decoding and encoding.
//
// Scorers work on Unicode code points (as Python's str does), while names are
// stored as UTF-8. Validation is strict (RFC 3629): no overlong forms, no
// surrogates, nothing above U+10FFFF. Everything here is stateless and
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace needle::text {

// Returns true if `s` is valid UTF-8. On failure, *bad_offset (if given) is the
// byte offset of the first invalid sequence.
bool ValidUtf8(std::string_view s, size_t* bad_offset = nullptr);

// True if every byte is < 0x80.
bool IsAscii(std::string_view s);

// Python's str.isspace / RapidFuzz's is_space.
inline bool IsSpace(char32_t c) {
  if (c > 0x20 && c < 0x85) return false;  // printable ASCII and more: the common case
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

// Python's str.isalnum for one code point: Unicode general category L* or
// N* (utf8proc; defined in processor.cc).
bool IsAlnum(char32_t c);

// Number of code points. REQUIRES: ValidUtf8(s).
size_t CodePointCount(std::string_view s);

// Decodes one code point at s[*pos] and advances *pos. REQUIRES: valid UTF-8.
inline char32_t DecodeOne(std::string_view s, size_t* pos) {
  auto b = static_cast<unsigned char>(s[*pos]);
  if (b < 0x80) {
    *pos += 1;
    return b;
  }
  if (b < 0xE0) {
    char32_t c = ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(s[*pos + 1]) & 0x3Fu);
    *pos += 2;
    return c;
  }
  if (b < 0xF0) {
    char32_t c = ((b & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[*pos + 1]) & 0x3Fu) << 6) |
                 (static_cast<unsigned char>(s[*pos + 2]) & 0x3Fu);
    *pos += 3;
    return c;
  }
  char32_t c = ((b & 0x07u) << 18) | ((static_cast<unsigned char>(s[*pos + 1]) & 0x3Fu) << 12) |
               ((static_cast<unsigned char>(s[*pos + 2]) & 0x3Fu) << 6) |
               (static_cast<unsigned char>(s[*pos + 3]) & 0x3Fu);
  *pos += 4;
  return c;
}

// Replaces *out with the code points of `s`. REQUIRES: ValidUtf8(s).
void Decode(std::string_view s, std::u32string* out);

// Appends the UTF-8 encoding of `c` to *out. REQUIRES: c is a scalar value.
void AppendUtf8(char32_t c, std::string* out);

// Encodes a code point sequence. REQUIRES: every element is a scalar value.
std::string Encode(std::u32string_view s);

}  // namespace needle::text
