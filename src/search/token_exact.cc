// Exact top-K for token_set_ratio from the token index (needle/tokens.h);
// docs/search.md states the bounds and proves them.
//
// token_set_ratio is 100 exactly when the two token sets share a token and
// one holds the other, and those names are found directly:
//   1. names whose token set lies within the needle's: each nonempty subset
//      of the needle's tokens that some name holds is looked up in the set
//      lists (at most 2^12 lookups; a needle with more such tokens takes
//      ExactTopK's character search instead);
//   2. names holding every token of the needle: the intersection of its
//      token lists, shortest first.
// Each name found is scored (a bucket may hold other names) and remembered.
// When K of them score 100 nothing else can enter (ties go to the lower
// row, and every name at 100 has been offered). Otherwise every other name
// is bounded by MaxScoreForTokens with its character overlap and with
// `shared` = the joined length of the needle's tokens that some name holds
// (less the shortest when every one is held, since these names lack one):
// the length groups outward from the needle's length, the signatures of 64
// names at a time, as ExactTopK's character search does.
//
// Invariant: a name left unscored has a bound below the final threshold, or
// equal to it with all its rows after the K-th best's; hence the hits are
// exactly ScanTopK's.
#include <algorithm>

#include "needle/tokens.h"
#include "search/exact_scratch.h"
#include "search/top_k.h"

namespace needle {

namespace {
// The most needle tokens held by names whose subsets are looked up.
constexpr size_t kMaxSubsetTokens = 12;
// A token whose list holds more than 1/kRareListShare of the names is
// common: its names are bounded with the rest instead of one by one.
constexpr size_t kRareListShare = 32;

uint32_t CodePoints(std::string_view s) {
  uint32_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}
}  // namespace

bool TokenTopK(const Haystack& hay, CachedScorer& scorer, std::string_view needle, size_t top_k,
               double cutoff, ExactScratch::Impl* x, std::vector<Hit>* out, SearchStats* st) {
  // The needle's tokens (it is a sorted token set: tokens apart by one
  // space), and those that some name holds (a bucket that is not empty).
  x->tokens.clear();
  for (size_t b = 0; b < needle.size();) {
    size_t e = needle.find(' ', b);
    if (e == std::string_view::npos) e = needle.size();
    x->tokens.push_back(needle.substr(b, e - b));
    b = e + 1;
  }
  if (x->tokens.empty()) return false;
  std::vector<std::string_view> held;
  std::vector<std::span<const uint32_t>> lists;
  for (std::string_view t : x->tokens) {
    const std::span<const uint32_t> list = hay.token_list(TokenHash(t));
    if (list.empty()) continue;
    held.push_back(t);
    lists.push_back(list);
  }
  if (held.size() > kMaxSubsetTokens) return false;

  const std::span<const uint32_t> lengths = hay.parts().group_lengths;
  const std::span<const uint32_t> begins = hay.parts().group_begins;
  auto length_of = [&](uint32_t d) {
    return lengths[static_cast<size_t>(std::upper_bound(begins.begin(), begins.end(), d) -
                                       begins.begin() - 1)];
  };
  search::TopK top(out, top_k, cutoff);
  double threshold = top.threshold();
  auto ruled_out = [&](double bound) { return bound < threshold - 1e-9; };
  auto beaten = [&](double bound, uint32_t d) {
    return ruled_out(bound) ||
           (top.full() && bound <= threshold && hay.first_row(d) > top.worst_row());
  };
  auto score_one = [&](uint32_t d) {
    ++st->verified;
    const std::string_view text = hay.processed(d);
    const uint32_t n = length_of(d);
    const double s = scorer.Score(HayName{text, n, text.size() == n}, threshold);
    if (s >= threshold) top.OfferRows(hay, d, s, &threshold);
  };

  // 1. Names within the needle's token set: each subset of the held tokens.
  std::vector<uint32_t>& listed = x->listed;
  listed.clear();
  for (uint32_t mask = 1; mask < (1u << held.size()); ++mask) {
    x->joined.clear();
    for (size_t i = 0; i < held.size(); ++i) {
      if (!(mask >> i & 1)) continue;
      if (!x->joined.empty()) x->joined += ' ';
      x->joined += held[i];
    }
    const std::span<const uint32_t> names = hay.set_list(TokenHash(x->joined));
    listed.insert(listed.end(), names.begin(), names.end());
  }
  std::sort(listed.begin(), listed.end());
  listed.erase(std::unique(listed.begin(), listed.end()), listed.end());
  for (uint32_t d : listed) score_one(d);
  const size_t subsets = listed.size();

  // 2. Names holding every token: walk the shortest list, look each id up
  // in the others (ascending, so each search starts where the last ended).
  if (held.size() == x->tokens.size()) {
    std::sort(lists.begin(), lists.end(),
              [](const auto& a, const auto& b) { return a.size() < b.size(); });
    std::vector<const uint32_t*> at(lists.size());
    for (size_t i = 0; i < lists.size(); ++i) at[i] = lists[i].data();
    st->postings += lists[0].size();
    for (uint32_t d : lists[0]) {
      bool all = true;
      for (size_t i = 1; i < lists.size() && all; ++i) {
        at[i] = std::lower_bound(at[i], lists[i].data() + lists[i].size(), d);
        all = at[i] != lists[i].data() + lists[i].size() && *at[i] == d;
      }
      if (!all || std::binary_search(listed.begin(), listed.begin() + subsets, d)) continue;
      listed.push_back(d);
      if (!beaten(100.0, d)) score_one(d);
    }
    std::inplace_merge(listed.begin(), listed.begin() + subsets, listed.end());
  }
  st->candidates += static_cast<uint32_t>(listed.size());
  if (top.full() && threshold >= 100.0) {
    top.Finish();
    return true;
  }

  // The most the tokens a name shares with the needle can join to, if it
  // holds only tokens of `tokens` (those some name holds), and is not one
  // of the names above (so when it could hold them all it lacks one, the
  // shortest at least).
  auto joined_at_most = [&](const std::vector<std::string_view>& tokens, bool could_hold_all) {
    if (tokens.empty()) return 0u;
    uint32_t total = 0, shortest = UINT32_MAX;
    for (std::string_view t : tokens) {
      const uint32_t len = CodePoints(t);
      total += len + 1;
      shortest = std::min(shortest, len);
    }
    total -= 1;
    if (!could_hold_all) return total;
    return tokens.size() > 1 ? total - shortest - 1 : 0u;
  };
  const bool could_hold_all = held.size() == x->tokens.size();
  x->chars.Reset(needle);
  const uint32_t m = x->chars.length();
  const uint64_t* sig_lo = hay.parts().char_lo.data();
  const uint64_t* sig_hi = hay.parts().char_hi.data();

  // 3. The names holding the rarer tokens (lists shorter than
  // kRareListShare of the names): each by its own bound, with every held
  // token counted as shareable. The names that remain hold none of them.
  std::vector<std::string_view> common;
  std::vector<uint32_t>& rare = x->order;
  rare.clear();
  for (size_t i = 0; i < held.size(); ++i) {
    const std::span<const uint32_t> list = hay.token_list(TokenHash(held[i]));
    if (list.size() * kRareListShare > hay.distinct()) {
      common.push_back(held[i]);
      continue;
    }
    st->postings += list.size();
    rare.insert(rare.end(), list.begin(), list.end());
  }
  if (!rare.empty()) {
    const uint32_t all = joined_at_most(held, could_hold_all);
    std::sort(rare.begin(), rare.end());
    rare.erase(std::unique(rare.begin(), rare.end()), rare.end());
    st->candidates += static_cast<uint32_t>(rare.size());
    for (uint32_t d : rare) {
      if (std::binary_search(listed.begin(), listed.end(), d)) continue;
      const uint32_t n = length_of(d);
      if (beaten(scorer.MaxScoreForTokens(n, x->chars.Overlap(hay.char_sig(d)), all), d)) continue;
      score_one(d);
    }
    const size_t before = listed.size();
    listed.insert(listed.end(), rare.begin(), rare.end());
    std::inplace_merge(listed.begin(), listed.begin() + before, listed.end());
  }

  // 4. Every other name, by its bound: it shares at most common tokens.
  const uint32_t shared = joined_at_most(common, could_hold_all && common.size() == held.size());
  auto bound = [&](uint32_t n, uint32_t overlap) {
    return scorer.MaxScoreForTokens(n, overlap, shared);
  };
  constexpr size_t kBatch = 64;
  uint32_t batch[kBatch], overlaps[kBatch];
  HayName names[kBatch];
  double scores[kBatch];
  size_t k = 0;
  auto flush = [&] {
    scorer.ScoreBatch(names, k, threshold, scores);
    st->verified += static_cast<uint32_t>(k);
    for (size_t i = 0; i < k; ++i) {
      if (scores[i] >= threshold) top.OfferRows(hay, batch[i], scores[i], &threshold);
    }
    k = 0;
  };
  uint32_t lo = 0, hi = UINT32_MAX;
  search::ForEachGroupOutward(hay, m, &lo, &hi, [&](size_t g) {
    const uint32_t n = hay.group_length(g);
    const uint32_t most = std::min(m, n);
    const uint32_t begin = hay.group_begin(g), end = hay.group_begin(g + 1);
    for (uint32_t base = begin; base < end; base += kBatch) {
      // The least overlap that may still reach the threshold (it may have
      // risen); the bound rises with the overlap.
      uint32_t a = 0, b = most + 1;
      while (a < b) {
        const uint32_t mid = a + (b - a) / 2;
        if (ruled_out(bound(n, mid))) {
          a = mid + 1;
        } else {
          b = mid;
        }
      }
      if (a > most) break;
      const uint32_t need = a;
      const auto count = static_cast<uint32_t>(std::min<size_t>(kBatch, end - base));
      st->candidates += count;
      x->chars.OverlapBatch(sig_lo + base, sig_hi + base, count, overlaps);
      for (uint32_t i = 0; i < count; ++i) {
        const uint32_t d = base + i;
        if (overlaps[i] < need || std::binary_search(listed.begin(), listed.end(), d)) continue;
        if (top.full() && beaten(bound(n, overlaps[i]), d)) continue;
        const std::string_view text = hay.processed(d);
        batch[k] = d;
        names[k] = HayName{text, n, text.size() == n};
        if (++k == kBatch) flush();
      }
    }
    if (k > 0) flush();
  });
  top.Finish();
  return true;
}

}  // namespace needle
