// needle/charsig.h: character-count signatures, a cheap upper bound on how
// many code points two names can have in common.
//
// Code points fall into kCharBuckets buckets (CharBucket: a letter of a-z with
// its capital, the digits, whitespace, and four hashed buckets for everything
// else). A name's signature records, per bucket, whether the name holds at
// least 1, 2, 3 and 4 code points of it: four 32-bit masks in two words.
//
// With a(c) and b(c) the two names' counts in bucket c, the overlap
//
//     O(a, b) = sum over c of min(a(c), b(c))
//
// bounds every common subsequence (it uses each code point of either name at
// most once, and only equal code points, which share a bucket). Merging code
// points into buckets only raises the sum (min(a1 + a2, b1 + b2) >=
// min(a1, b1) + min(a2, b2)), and with b known only up to 4,
//
//     min(a, b) <= sum over k = 1..4 of [a >= k][b >= k] + [b >= 4] max(0, a - 4)
//
// (if b < 4 the sum is min(a, b) exactly; if b >= 4, min(a, b) <= a, which is
// the right side). The needle's counts are known exactly, so NeedleChars::
// Overlap computes this bound with a few AND and popcount operations per name;
// docs/search.md says how each scorer turns it into a score bound.
//
// Blocks. The bound rises with the name's bits (every term ANDs them with
// the needle's masks and adds), so the OR of several names' signatures
// bounds the overlap of each. A haystack keeps, besides each name's
// signature, the OR of each block of kSigBlock consecutive names (ids
// 8b..8b+7, whatever their lengths), and the exact search checks a block's
// OR first and the names of the blocks that pass (search/exact.cc). The
// haystack puts names with like signatures side by side within a length
// group and packs like ones into blocks (SigBlockOrder), so most blocks
// fail: on the 4M benchmark, at each needle's final ratio, 17% of the
// blocks of 8 passed in the radix order alone, 98% in first-row order, and
// the packing cut the blocks a search visits by a third.
//
// Thread safety: CharSig and the free functions are pure; a NeedleChars is
// read-only after Reset.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace needle {

class Haystack;
enum class NameStat;

inline constexpr uint32_t kCharBuckets = 32;
// The bucket of U+0020 and nothing else.
inline constexpr uint32_t kSpaceBucket = 27;

// lo: bit c set if the name has >= 1 code points in bucket c, bit 32 + c if
// >= 2; hi: the same for >= 3 and >= 4.
struct CharSig {
  uint64_t lo = 0;
  uint64_t hi = 0;
};

// Every whitespace code point (Python's str.isspace) shares the space's
// bucket: the sorted token forms turn any whitespace into U+0020, so a bound
// over forms the scorers build from a name must count them as one.
inline uint32_t CharBucket(char32_t c) {
  if (c < 128) {
    if (c >= 'a' && c <= 'z') return static_cast<uint32_t>(c - 'a');
    if (c >= 'A' && c <= 'Z') return static_cast<uint32_t>(c - 'A');
    if (c >= '0' && c <= '9') return 26;
    if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) return kSpaceBucket;
    return 28 + (static_cast<uint32_t>(c) & 3);
  }
  if (c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
      c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000) {
    return kSpaceBucket;
  }
  return 28 + ((static_cast<uint32_t>(c) * 0x9E3779B1u) >> 30);
}

// The signature of a name (valid UTF-8).
CharSig MakeCharSig(std::string_view name);

// Names per signature block.
inline constexpr uint32_t kSigBlock = 8;

// Reorders ids (indexes into sigs) so that the blocks of kSigBlock they
// fall into hold names with like signatures (ids[0] is name `offset` of its
// block: a length group starts anywhere). First by their signature bits,
// the group's most common bit first (a radix order whose first splits are
// shared by most names, so names differing only in rarer bits end up near
// each other; measured against plain signature order, the sorted letters
// and the names' own order, it left the fewest blocks passing; ties keep
// their order). Then, within windows of 64 blocks of that order, each block
// is made greedily: the first name left, then one at a time the name left
// that adds the fewest bits to the block's OR (the first of those).
void SigBlockOrder(std::span<const CharSig> sigs, std::span<uint32_t> ids, uint32_t offset = 0);

// A needle's side of the overlap bound, as the SIMD kernels take it.
struct NeedleMasks {
  uint64_t lo, hi;          // its signature
  const uint64_t* excess;   // bit c of excess[j]: bit j of max(0, a(c) - 4)
  int excess_bits;
  // Whether the names' ">= 3" and ">= 4" masks can count: only if a code
  // point occurs 3 times or more in the needle (not in most words and many
  // short names, whose kernels then read half the memory).
  bool reads_hi() const { return hi != 0 || excess_bits > 0; }
};

// A needle's exact bucket counts, ready to bound its overlap with names.
class NeedleChars {
 public:
  NeedleChars() = default;
  explicit NeedleChars(std::string_view name) { Reset(name); }
  // REQUIRES: name is valid UTF-8.
  void Reset(std::string_view name);

  // The needle's length in code points: no overlap exceeds it.
  uint32_t length() const { return length_; }

  // An upper bound on O(needle, name) for a name with signature b (at most
  // length()).
  uint32_t Overlap(const CharSig& b) const {
    uint32_t s = static_cast<uint32_t>(std::popcount(sig_.lo & b.lo) + std::popcount(sig_.hi & b.hi));
    const uint64_t four = b.hi >> 32;
    for (int j = 0; j < excess_bits_; ++j) {
      s += static_cast<uint32_t>(std::popcount(excess_[static_cast<size_t>(j)] & four)) << j;
    }
    return s;
  }
  // out[i] = Overlap({lo[i], hi[i]}) for i < count, several per instruction
  // (Highway, the instruction set chosen at run time). Returns the bits
  // i < 64 with out[i] >= need: the names of a batch of 64 that pass. With
  // need above 0, out[i] is written for those names (at least), and others
  // keep what they held: most batches then store nothing.
  uint64_t OverlapBatch(const uint64_t* lo, const uint64_t* hi, size_t count, uint32_t* out,
                        uint32_t need = 0) const;
  // out[i] = min(255, Overlap({lo[i], hi[i]})) for i < count (the levels of
  // a run of block signatures); returns the most.
  uint32_t OverlapLevels(const uint64_t* lo, const uint64_t* hi, size_t count, uint8_t* out) const;
  // The blocks of blocks[0, count) (block b: names 8b..8b+7, signatures in
  // lo and hi, padded to whole blocks) holding a name of ids in [begin, end)
  // whose overlap reaches need: writes each such block to out_blocks, the
  // bits of those names (name 8b + i: bit i) to out_masks and the block's 8
  // overlaps to out_overlaps (8 per block); returns how many. One call per
  // run of blocks, which it reads ahead of use; the name offsets of each
  // block written (`offsets`, if not null: the caller reads them next) are
  // fetched too.
  size_t PassBlocks(const uint64_t* lo, const uint64_t* hi, const uint32_t* blocks, size_t count,
                    uint32_t begin, uint32_t end, uint32_t need, const uint32_t* offsets,
                    uint32_t* out_blocks, uint8_t* out_masks, uint32_t* out_overlaps) const;

 private:
  CharSig sig_;
  NeedleMasks masks() const { return {sig_.lo, sig_.hi, excess_.data(), excess_bits_}; }

  // Bit c of excess_[j] is bit j of max(0, a(c) - 4).
  std::array<uint64_t, 32> excess_{};
  int excess_bits_ = 0;
  uint32_t length_ = 0;
};

// Writes base + i for each i < count with levels[i] == level, ascending;
// returns how many. REQUIRES: out has room for count + 64 ids (it stores
// whole vectors).
size_t SelectLevel(const uint8_t* levels, size_t count, uint8_t level, uint32_t base,
                   uint32_t* out);

// Returns `hay` with the signature of every distinct name (and, unless
// stat is kNone, its NameStatOf of needle/scorer.h), computed on `threads`
// threads (0: all). The new Haystack shares the old one's bytes.
std::unique_ptr<Haystack> WithCharSigs(std::unique_ptr<Haystack> hay, NameStat stat,
                                       int threads = 0);

}  // namespace needle
