// needle/grams.h: the bigrams that the exact search counts.
//
// A name's bigrams are its pairs of adjacent code points (m - 1 of them for a
// name of m code points), counted as a multiset. Each maps to one of
// kGramKeys keys: a pair of ASCII code points to its own key (a << 7 | b), any
// other pair to one of 16,384 hashed keys. Two different pairs may share a
// hashed key; that can only raise the number of keys two names share
// (min(a1 + a2, b1 + b2) >= min(a1, b1) + min(a2, b2)), so every lower bound
// on shared bigrams (docs/search.md) holds for shared keys too.
//
// The key function is part of the index file format (sections GRMO, GRMP):
// changing it means new section tags.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace needle {

inline constexpr uint32_t kGramKeys = 32768;
inline constexpr uint32_t kAsciiGramKeys = 16384;

inline uint32_t GramKey(char32_t a, char32_t b) {
  if ((a | b) < 128) return (static_cast<uint32_t>(a) << 7) | static_cast<uint32_t>(b);
  const uint64_t h = ((static_cast<uint64_t>(a) << 32) | b) * 0x9E3779B97F4A7C15ull;
  return kAsciiGramKeys + static_cast<uint32_t>(h >> 50);  // the top 14 bits
}

// Appends the keys of the bigrams of `name` (valid UTF-8) to *keys, in order;
// returns the name's length in code points.
size_t AppendGramKeys(std::string_view name, std::vector<uint32_t>* keys);

}  // namespace needle
