// Exact top-K for token_set_ratio and WRatio from the token index
// (needle/tokens.h); docs/search.md ("token_set_ratio and WRatio: the token
// index") states the bounds and proves them.
//
// The names their highest scores need are found directly and scored:
//   1. names whose token set lies within the needle's: each nonempty subset
//      of the needle's tokens that some name holds is looked up in the set
//      lists (at most 2^12 lookups; a needle with more such tokens takes
//      ExactTopK's character search instead); for WRatio also every proper
//      substring of the needle, by its token set, and the names holding the
//      needle (its inner tokens' lists intersected), which join the pool;
//   2. names holding every token of the needle: the intersection of its
//      token lists, shortest first.
// Then
//   3. the pool: names holding a rare token (and step 1's intersection),
//      each by its own bound with the rare tokens it really holds;
//   4. every other name, by the token bound with only the common tokens
//      shareable (or the exact joined length of those it holds, counted
//      from their lists): the length groups outward from the needle's
//      length, the signatures of 64 names at a time, as ExactTopK's
//      character search does, then each name's own bound.
// What is known of each name (TokenFacts) is passed to the bounds.
//
// Invariant: a name left unscored has a bound below the final threshold, or
// equal to it with all its rows after the K-th best's, and no name is
// offered twice; hence the hits are exactly ScanTopK's.
#include <algorithm>
#include <bit>

#include "needle/tokens.h"
#include "search/exact_scratch.h"
#include "search/top_k.h"
#include "text/utf8.h"

namespace needle {

namespace {
// Calls visit(d) for each id in every list (ascending lists, the shortest
// first): walks the first and searches the others, each search starting
// where the last ended.
template <typename Visit>
void ForEachInAll(const std::vector<std::span<const uint32_t>>& lists, Visit&& visit) {
  std::vector<const uint32_t*> at(lists.size());
  for (size_t i = 0; i < lists.size(); ++i) at[i] = lists[i].data();
  for (uint32_t d : lists[0]) {
    bool all = true;
    for (size_t i = 1; i < lists.size() && all; ++i) {
      const uint32_t* last = lists[i].data() + lists[i].size();
      at[i] = std::lower_bound(at[i], last, d);
      all = at[i] != last && *at[i] == d;
    }
    if (all) visit(d);
  }
}

// The joined length of the tokens in `mask`.
size_t SharedCap(const std::vector<std::string_view>& tokens, uint64_t mask) {
  size_t total = 0;
  for (size_t i = 0; i < tokens.size() && i < 64; ++i) {
    if (mask >> i & 1) total += text::CodePointCount(tokens[i]) + 1;
  }
  return total;
}

// The most needle tokens held by names whose subsets are looked up.
constexpr size_t kMaxSubsetTokens = 12;
// A token whose list holds more than 1/kRareListShare of the names is
// common: its names are bounded with the rest instead of one by one.
constexpr size_t kRareListShare = 2048;
// Step 1c walks the shortest list of the needle's inner tokens if it holds
// at most 1/kInnerListShare of the names (walking it is cheap; its names are
// only candidates, bounded one by one).
constexpr size_t kInnerListShare = 16;
// The longest needle (code points) whose substrings are looked up, for the
// scorers that need them (about 33,000 lookups at most).
constexpr size_t kMaxSubstringNeedle = 256;
}  // namespace

bool TokenTopK(const Haystack& hay, CachedScorer& scorer, std::string_view needle, size_t top_k,
               double cutoff, ExactScratch::Impl* x, std::vector<Hit>* out, SearchStats* st) {
  // The needle's sorted token set and its tokens, and those that some name
  // holds (a bucket that is not empty).
  ToNameForm(NameForm::kSortedTokenSet, needle, &x->set_form);
  const std::string_view set = x->set_form;
  x->tokens.clear();
  for (size_t b = 0; b < set.size();) {
    size_t e = set.find(' ', b);
    if (e == std::string_view::npos) e = set.size();
    x->tokens.push_back(set.substr(b, e - b));
    b = e + 1;
  }
  if (x->tokens.empty() || x->tokens.size() > CachedScorer::kMaxBoundTokens) return false;
  std::vector<std::string_view> held;
  std::vector<std::span<const uint32_t>> lists;
  uint64_t held_mask = 0;
  for (size_t i = 0; i < x->tokens.size(); ++i) {
    const std::span<const uint32_t> list = hay.token_list(TokenHash(x->tokens[i]));
    if (list.empty()) continue;
    held.push_back(x->tokens[i]);
    lists.push_back(list);
    held_mask |= 1ull << i;
  }
  if (held.size() > kMaxSubsetTokens) return false;
  const bool substrings = scorer.TokenBoundUsesSubstrings();
  if (substrings) {
    // The needle's code points and where each starts.
    x->cps.clear();
    x->starts.clear();
    for (size_t pos = 0; pos < needle.size();) {
      x->starts.push_back(static_cast<uint32_t>(pos));
      x->cps.push_back(text::DecodeOne(needle, &pos));
    }
    x->starts.push_back(static_cast<uint32_t>(needle.size()));
    if (x->cps.size() > kMaxSubstringNeedle) return false;
  }

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
  // The names whose token set is `wanted` (joined by single spaces), to be
  // scored; those of the bucket whose set is another one (as far as the
  // stored text, or set length, tells cheaply) are left to the later steps.
  const bool set_form = hay.form() == NameForm::kSortedTokenSet;
  const NameStat stat_kind = scorer.name_stat();
  auto add_set = [&](std::string_view wanted) {
    const std::span<const uint32_t> names = hay.set_list(TokenHash(wanted));
    if (names.empty()) return;
    const auto set_cps = static_cast<uint32_t>(text::CodePointCount(wanted));
    for (uint32_t d : names) {
      if (set_form) {
        if (hay.processed(d) != wanted) continue;
      } else {
        const uint32_t set_length = hay.name_stat(d, stat_kind);  // 0: unknown
        if (set_length != 0 && set_length < 65535 && set_length != set_cps) continue;
      }
      listed.push_back(d);
    }
  };
  for (uint32_t mask = 1; mask < (1u << held.size()); ++mask) {
    x->joined.clear();
    for (size_t i = 0; i < held.size(); ++i) {
      if (!(mask >> i & 1)) continue;
      if (!x->joined.empty()) x->joined += ' ';
      x->joined += held[i];
    }
    add_set(x->joined);
  }
  // 1b. For a bound that assumes a shorter name is not a substring of the
  // needle: every proper substring that starts and ends with a non-space
  // code point, looked up by its token set.
  if (substrings) {
    const size_t m = x->cps.size();
    std::vector<std::string_view>& parts = x->parts;
    for (size_t i = 0; i < m; ++i) {
      if (text::IsSpace(x->cps[i])) continue;
      bool spaced = false;
      for (size_t j = i + 1; j <= m && j - i < m; ++j) {
        if (text::IsSpace(x->cps[j - 1])) {
          spaced = true;
          continue;
        }
        const std::string_view w =
            needle.substr(x->starts[i], x->starts[j] - x->starts[i]);
        if (!spaced) {
          add_set(w);
          continue;
        }
        // Its token set: the runs of non-space code points, sorted, once
        // each, joined by single spaces.
        parts.clear();
        for (size_t a = i; a < j;) {
          while (a < j && text::IsSpace(x->cps[a])) ++a;
          size_t b = a;
          while (b < j && !text::IsSpace(x->cps[b])) ++b;
          if (b > a) parts.push_back(needle.substr(x->starts[a], x->starts[b] - x->starts[a]));
          a = b;
        }
        std::sort(parts.begin(), parts.end());
        parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
        x->joined.clear();
        for (std::string_view t : parts) {
          if (!x->joined.empty()) x->joined += ' ';
          x->joined += t;
        }
        add_set(x->joined);
      }
    }
  }
  // 1c. Names holding the needle as a substring, when its tokens are 3 or
  // more: they hold its inner tokens whole (spaces on both sides), so they
  // are in the intersection of those lists (unless that is too long to
  // walk); they join the pool of step 3.
  TokenFacts facts;
  facts.not_substring = substrings;
  std::vector<uint32_t>& pool = x->order;
  pool.clear();
  if (substrings) {
    std::vector<std::string_view>& inner = x->parts;
    inner.clear();
    const size_t m = x->cps.size();
    size_t count = 0;
    for (size_t a = 0; a < m;) {
      while (a < m && text::IsSpace(x->cps[a])) ++a;
      size_t b = a;
      while (b < m && !text::IsSpace(x->cps[b])) ++b;
      if (b > a) {
        if (count > 0) inner.push_back(needle.substr(x->starts[a], x->starts[b] - x->starts[a]));
        ++count;
      }
      a = b;
    }
    if (!inner.empty()) inner.pop_back();  // the last token is not inner
    if (!inner.empty()) {
      std::sort(inner.begin(), inner.end());
      inner.erase(std::unique(inner.begin(), inner.end()), inner.end());
      std::vector<std::span<const uint32_t>> in_lists;
      for (std::string_view t : inner) in_lists.push_back(hay.token_list(TokenHash(t)));
      std::sort(in_lists.begin(), in_lists.end(),
                [](const auto& a, const auto& b) { return a.size() < b.size(); });
      if (in_lists[0].size() * kInnerListShare <= hay.distinct()) {
        facts.not_superstring = true;
        st->postings += in_lists[0].size();
        ForEachInAll(in_lists, [&](uint32_t d) { pool.push_back(d); });
      }
    }
  }
  std::sort(listed.begin(), listed.end());
  listed.erase(std::unique(listed.begin(), listed.end()), listed.end());
  for (uint32_t d : listed) score_one(d);
  const size_t subsets = listed.size();

  // 2. Names holding every token: walk the shortest list, look each id up
  // in the others (ascending, so each search starts where the last ended).
  // A name that could at best tie the K-th best with a later row is
  // skipped.
  if (held.size() == x->tokens.size()) {
    std::vector<std::span<const uint32_t>> by_size = lists;
    std::sort(by_size.begin(), by_size.end(),
              [](const auto& a, const auto& b) { return a.size() < b.size(); });
    st->postings += by_size[0].size();
    ForEachInAll(by_size, [&](uint32_t d) {
      if (std::binary_search(listed.begin(), listed.begin() + subsets, d)) return;
      listed.push_back(d);
      if (!beaten(100.0, d)) score_one(d);
    });
    std::inplace_merge(listed.begin(), listed.begin() + subsets, listed.end());
  }
  st->candidates += static_cast<uint32_t>(listed.size());

  x->chars.Reset(needle);
  const uint32_t m = x->chars.length();
  // Every name that passes the group's bound is checked against its own.
  // A name's own bound (its text, signature and set length).
  auto name_bound = [&](uint32_t d, uint32_t n, uint32_t overlap, const TokenFacts& known) {
    const std::string_view text = hay.processed(d);
    return scorer.MaxScoreForTokenName(HayName{text, n, text.size() == n}, overlap, hay.char_sig(d),
                                       hay.name_stat(d, stat_kind), known, threshold);
  };

  // 3. The pool: the names holding the needle (1c) and those holding its
  // rarer tokens (lists of at most 1/kRareListShare of the names): each by
  // its own bound, with the rare tokens it holds and every common one
  // shareable, and without knowing whether it holds the needle. The names that remain hold none of the
  // rare tokens and are not in step 1c's intersection.
  uint64_t common_mask = 0;
  std::vector<uint32_t>& rare = pool;
  std::vector<std::pair<size_t, std::span<const uint32_t>>> rare_lists;  // (token, list)
  for (size_t i = 0, j = 0; i < x->tokens.size(); ++i) {
    if (!(held_mask >> i & 1)) continue;
    const std::span<const uint32_t> list = lists[j++];
    if (list.size() * kRareListShare > hay.distinct()) {
      common_mask |= 1ull << i;
      continue;
    }
    st->postings += list.size();
    rare.insert(rare.end(), list.begin(), list.end());
    rare_lists.emplace_back(i, list);
  }
  if (!rare.empty()) {
    std::sort(rare.begin(), rare.end());
    rare.erase(std::unique(rare.begin(), rare.end()), rare.end());
    st->candidates += static_cast<uint32_t>(rare.size());
    TokenFacts pool_facts = facts;
    pool_facts.not_superstring = false;
    // Where each rare list is: the pool is ascending, so are the lists.
    std::vector<size_t> at(rare_lists.size(), 0);
    for (uint32_t d : rare) {
      // The rare tokens it holds (a list holding it), and maybe common ones.
      pool_facts.shareable = common_mask;
      for (size_t r = 0; r < rare_lists.size(); ++r) {
        const std::span<const uint32_t> list = rare_lists[r].second;
        while (at[r] < list.size() && list[at[r]] < d) ++at[r];
        if (at[r] < list.size() && list[at[r]] == d) pool_facts.shareable |= 1ull << rare_lists[r].first;
      }
      if (std::binary_search(listed.begin(), listed.end(), d)) continue;
      const uint32_t n = length_of(d);
      const uint32_t overlap = x->chars.Overlap(hay.char_sig(d));
      if (beaten(scorer.MaxScoreForTokens(n, overlap, pool_facts), d) ||
          beaten(name_bound(d, n, overlap, pool_facts), d)) {
        continue;
      }
      score_one(d);
    }
    const size_t before = listed.size();
    listed.insert(listed.end(), rare.begin(), rare.end());
    std::inplace_merge(listed.begin(), listed.begin() + before, listed.end());
  }

  // 4. Every other name, by its bound: it holds only common tokens.
  TokenFacts group_facts = facts;
  group_facts.shareable = common_mask;
  const TokenFacts coarse_facts = group_facts;  // for the groups' bound
  // Which common tokens each name holds, when the lists are not too long to
  // read and the bound could still let names through: per name the joined
  // length of those it holds, plus one, in x->counts (back to zero at the
  // end).
  std::vector<std::pair<size_t, std::span<const uint32_t>>> common_lists;
  {
    uint64_t total = 0;
    for (size_t i = 0, j = 0; i < x->tokens.size(); ++i) {
      if (!(held_mask >> i & 1)) continue;
      const std::span<const uint32_t> list = lists[j++];
      if (common_mask >> i & 1) {
        common_lists.emplace_back(i, list);
        total += list.size();
      }
    }
    // A name's count is at most the common tokens' joined length plus one,
    // which must fit in the 15 bits of x->counts.
    if (total == 0 || total > hay.distinct() || SharedCap(x->tokens, common_mask) >= 0x7FFF ||
        ruled_out(scorer.MaxScoreForTokens(m, m, group_facts))) {
      common_lists.clear();
    }
  }
  const bool counted = !common_lists.empty();
  if (counted) {
    if (x->counts.size() < hay.distinct()) x->counts.assign(hay.distinct(), 0);
    for (const auto& [i, list] : common_lists) {
      const auto add = static_cast<uint16_t>(text::CodePointCount(x->tokens[i]) + 1);
      st->postings += list.size();
      for (uint32_t d : list) x->counts[d] = static_cast<uint16_t>(x->counts[d] + add);
    }
  }
  auto known_facts = [&](uint32_t d) -> const TokenFacts& {
    if (counted) group_facts.shared_length = x->counts[d] == 0 ? 0 : x->counts[d] - 1;
    return group_facts;
  };
  auto bound = [&](uint32_t n, uint32_t overlap) {
    return scorer.MaxScoreForTokens(n, overlap, coarse_facts);
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
  // The least overlap in [0, min(m, n)] whose bound (rising with the
  // overlap) is not ruled out; min(m, n) + 1 if none.
  auto least_overlap = [&](uint32_t n, auto&& at) {
    uint32_t a = 0, b = std::min(m, n) + 1;
    while (a < b) {
      const uint32_t mid = a + (b - a) / 2;
      if (ruled_out(at(mid))) {
        a = mid + 1;
      } else {
        b = mid;
      }
    }
    return a;
  };
  // For names whose shared length is counted: per shared length (capped at
  // the joined length of the common tokens), the least overlap that may
  // reach the threshold need_at, for the current length group.
  std::vector<uint32_t> need_by_shared(counted ? SharedCap(x->tokens, common_mask) + 1 : 0);
  double need_at = -1;
  const uint64_t* sig_lo = hay.parts().char_lo.data();
  const uint64_t* sig_hi = hay.parts().char_hi.data();
  uint32_t lo = 0, hi = UINT32_MAX;
  search::ForEachGroupOutward(hay, m, &lo, &hi, [&](size_t g) {
    const uint32_t n = hay.group_length(g);
    const uint32_t most = std::min(m, n);
    const uint32_t begin = hay.group_begin(g), end = hay.group_begin(g + 1);
    need_at = -1;  // a new length: the cache is stale
    double need_for = -1;  // the threshold `need` was found for
    uint32_t need = 0;
    for (uint32_t base = begin; base < end; base += kBatch) {
      // The least overlap that may still reach the threshold (found again
      // when it has risen).
      if (threshold != need_for) {
        need = least_overlap(n, [&](uint32_t h) { return bound(n, h); });
        need_for = threshold;
      }
      if (need > most) break;
      const auto count = static_cast<uint32_t>(std::min<size_t>(kBatch, end - base));
      st->candidates += count;
      uint64_t pass = x->chars.OverlapBatch(sig_lo + base, sig_hi + base, count, overlaps, need);
      if (pass == 0) continue;
      if (counted && threshold != need_at) {
        // The least overlap per shared length, found when first needed.
        need_at = threshold;
        std::fill(need_by_shared.begin(), need_by_shared.end(), UINT32_MAX);
      }
      for (; pass != 0; pass &= pass - 1) {
        const auto i = static_cast<uint32_t>(std::countr_zero(pass));
        const uint32_t d = base + i;
        if (counted) {
          const uint32_t shared = x->counts[d] == 0 ? 0u : x->counts[d] - 1u;
          uint32_t& least = need_by_shared[std::min<size_t>(shared, need_by_shared.size() - 1)];
          if (least == UINT32_MAX) {
            TokenFacts known = coarse_facts;
            known.shared_length = std::min<size_t>(shared, need_by_shared.size() - 1);
            least = least_overlap(n, [&](uint32_t h) { return scorer.MaxScoreForTokens(n, h, known); });
          }
          if (overlaps[i] < least) continue;
        }
        if (std::binary_search(listed.begin(), listed.end(), d)) continue;
        // The group's bound at this overlap may tie the threshold (then the
        // rows decide), and the name's own bound may be lower.
        if (beaten(name_bound(d, n, overlaps[i], known_facts(d)), d)) {
          continue;
        }
        const std::string_view text = hay.processed(d);
        batch[k] = d;
        names[k] = HayName{text, n, text.size() == n};
        if (++k == kBatch) flush();
      }
    }
    if (k > 0) flush();
  });
  for (const auto& [i, list] : common_lists) {
    for (uint32_t d : list) x->counts[d] = 0;
  }
  top.Finish();
  return true;
}

}  // namespace needle
