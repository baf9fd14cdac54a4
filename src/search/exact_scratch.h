// The scratch space of the exact searches (ExactTopK, TokenTopK), one per
// thread, kept between needles so that its arrays are allocated once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "needle/charsig.h"
#include "needle/match.h"

namespace needle {

struct ExactScratch::Impl {
  std::vector<uint16_t> counts;  // per distinct name; zero between searches
  std::vector<uint32_t> touched;  // the current group's candidates
  std::vector<std::pair<uint32_t, uint32_t>> keys;  // the needle's (key, multiplicity)
  std::vector<uint32_t> raw_keys;
  struct List {
    const uint32_t* first;
    const uint32_t* last;
    uint32_t multiplicity;
    size_t size() const { return static_cast<size_t>(last - first); }
  };
  std::vector<List> lists;  // the needle's lists within the current group
  std::vector<uint32_t> order, hist;
  std::vector<std::pair<size_t, size_t>> probe;  // (list size, key index)
  std::vector<uint32_t> probed;  // names the probe scored
  NeedleChars chars;  // the needle's character counts
  // The best-first sweep over signature blocks (exact.cc): the overlap
  // levels of the blocks of the groups opened so far (levels_at[g]: where
  // group g's start), a heap of unopened groups and of each opened group's
  // next bucket by their score bound, and the blocks of the bucket visited.
  struct Pending {
    double bound;
    uint32_t group;
    uint32_t level;  // 0: a group to open; else the bucket of level - 1
  };
  std::vector<Pending> heap;
  std::vector<uint8_t> levels;
  std::vector<uint32_t> levels_at, bucket_blocks;
  // TokenTopK: the needle's tokens, and the names scored from the token
  // lists (sorted).
  std::vector<std::string_view> tokens;
  std::vector<uint32_t> listed;
  std::string set_form, joined;
  std::u32string cps;  // the needle's code points, and where each starts
  std::vector<uint32_t> starts;
  std::vector<std::string_view> parts;
};

// The same hits as ExactTopK for a scorer with a token bound, from the
// token index (search/token_exact.cc); false, with *out untouched, for a
// needle it does not take (no token, or too many that names hold).
// `needle` is in the scorer's NameForm. REQUIRES: hay.has_tokens(),
// hay.has_char_sigs(), scorer.HasTokenBound().
bool TokenTopK(const Haystack& hay, CachedScorer& scorer, std::string_view needle, size_t top_k,
               double cutoff, ExactScratch::Impl* x, std::vector<Hit>* out, SearchStats* st);

}  // namespace needle
