// score/lcs_hyyro2004.h: bit-parallel length of the longest common subsequence.
//
// The pattern's positions of each symbol are kept as bit masks (PatternMask);
// one pass over the text updates a bit vector V per text symbol:
//     U = V & M[c];  V = (V + U) | (V - U)
// and LCS = number of zero bits of V among the pattern's m bits.
// H. Hyyrö, "Bit-parallel LCS-length computation revisited", AWOCA 2004
// (after L. Allison and T. Dix, IPL 23(6), 1986). Cost: O(ceil(m/64) * n).
// Patterns longer than 64 use several words with the addition's carry
// propagated from word to word; V - U never borrows, since U is a subset of V.
//
// Thread safety: a built PatternMask is read-only; share it freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace needle::score {

class PatternMask {
 public:
  // REQUIRES: every element of `pattern` is a Unicode scalar value.
  void Build(std::u32string_view pattern);
  size_t size() const { return len_; }
  size_t words() const { return words_; }

  // The mask words of code point c (all zero if c is not in the pattern).
  const uint64_t* Row(char32_t c) const {
    if (c < 256) return &ascii_[static_cast<size_t>(c) * words_];
    if (keys_.empty()) return zeros_.data();
    size_t i = Hash(c) & slot_mask_;
    while (keys_[i] != 0) {
      if (keys_[i] == c) return &vals_[i * words_];
      i = (i + 1) & slot_mask_;
    }
    return zeros_.data();
  }
  uint64_t Word0(char32_t c) const { return c < 256 ? ascii_[c] : Row(c)[0]; }
  // The masks of code points 0-255. REQUIRES: words() == 1.
  const uint64_t* AsciiTable() const { return ascii_.data(); }

 private:
  static size_t Hash(char32_t c) { return (static_cast<size_t>(c) * 0x9E3779B1u) >> 7; }
  size_t len_ = 0, words_ = 0, slot_mask_ = 0;
  std::vector<uint64_t> ascii_;  // 256 rows of words_ masks
  std::vector<char32_t> keys_;   // open addressing for code points >= 256; 0 = empty
  std::vector<uint64_t> vals_;
  std::vector<uint64_t> zeros_;
  std::vector<char32_t> touched_;  // code points < 256 set by the last Build
};

// Bits set in x. Portable x86-64 has no POPCNT instruction, and there
// std::popcount becomes a call into libgcc; this branch-free SWAR count
// (Hacker's Delight, 5-2) stays inline on every target.
inline size_t PopCount64(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return static_cast<size_t>((x * 0x0101010101010101ull) >> 56);
}

// One step of the multi-word update for a text symbol whose masks are `m`:
// V = (V + U) | (V - U), U = V & M, the addition's carry passed word to word.
inline void LcsStepWords(const uint64_t* m, uint64_t* v, size_t words) {
  uint64_t carry = 0;
  for (size_t w = 0; w < words; ++w) {
    const uint64_t x = v[w];
    const uint64_t u = x & m[w];
    uint64_t sum;
    const bool c1 = __builtin_add_overflow(x, u, &sum);
    const bool c2 = __builtin_add_overflow(sum, carry, &sum);
    carry = c1 | c2;
    v[w] = sum | (x - u);
  }
}

// The LCS length a multi-word state V stands for: its zero bits among the
// pattern's bits (`tail_mask` covers the pattern's bits in the last word).
inline size_t LcsOfState(const uint64_t* v, size_t words, uint64_t tail_mask) {
  size_t lcs = 0;
  for (size_t w = 0; w + 1 < words; ++w) lcs += PopCount64(~v[w]);
  return lcs + PopCount64(~v[words - 1] & tail_mask);
}

// LCS length of the pattern and text[0..n). CharT is char (ASCII bytes only)
// or char32_t. `scratch` must hold pm.words() words when pm.words() > 1.
template <typename CharT>
size_t LcsHyyro2004(const PatternMask& pm, const CharT* text, size_t n, uint64_t* scratch) {
  const size_t words = pm.words();
  if (words == 0 || n == 0) return 0;
  auto code = [](CharT ch) {
    if constexpr (sizeof(CharT) == 1) {
      return static_cast<char32_t>(static_cast<unsigned char>(ch));
    } else {
      return static_cast<char32_t>(ch);
    }
  };
  const size_t tail_bits = pm.size() - (words - 1) * 64;
  const uint64_t tail_mask = tail_bits == 64 ? ~0ull : ((1ull << tail_bits) - 1);
  if (words == 1) {
    uint64_t v = ~0ull;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t u = v & pm.Word0(code(text[i]));
      v = (v + u) | (v - u);
    }
    return PopCount64(~v & tail_mask);
  }
  for (size_t w = 0; w < words; ++w) scratch[w] = ~0ull;
  for (size_t i = 0; i < n; ++i) LcsStepWords(pm.Row(code(text[i])), scratch, words);
  return LcsOfState(scratch, words, tail_mask);
}

}  // namespace needle::score
