// Exact top-K. With character signatures (every scorer with a character
// bound; needle/charsig.h): a best-first sweep over blocks of 8 names, each
// bounded by the OR of its names' signatures, then over the names of the
// blocks that may still reach the threshold (docs/search.md, "The block
// sweep"). Without them, from the bigram index: the count filter of
// Gravano et al. (VLDB 2001) with the prefix filter of Chaudhuri et al.
// (ICDE 2006) and Bayardo et al. (WWW 2007), driven by a rising top-K
// threshold as in Xiao et al.'s top-k join (ICDE 2009). docs/search.md
// states the bounds and proves them.
//
// The bigram search: a probe first, the needle's rarest lists, within an
// eighth of its length, and the names sharing the most of those keys are
// scored, for an early threshold. Then the length groups, outward from the
// needle's length as the scan visits them. Within a group (one length n, so
// the bound for a count is exact) the needle's lists are read shortest
// first, counting per name the keys it shares with the needle (a list holds
// an id once per occurrence; a name counts at most as many occurrences of a
// key as the needle has: the multiset intersection). With r keys left
// unread, a name not met yet shares at most r, so once r is below need(n),
// the fewest shared keys that can reach the threshold, no new candidate can
// make the top K, and later lists only raise the counts of names already met
// (a list is read only while that is cheaper than scoring the candidates it
// could rule out). The names with the most shared keys are scored now and
// then, which raises the threshold early. Last, every candidate whose count
// plus r still reaches need(n) is scored, most shared keys first. A group
// whose lists would cost too much to read is scored front to back.
//
// Invariant: a name left unscored has a bound below the final threshold, or
// equal to it with all its rows after the K-th best's, so it cannot be in the
// top K, nor tie into it with a lower row; hence the hits are exactly
// ScanTopK's.
#include <algorithm>
#include <bit>

#include <hwy/cache_control.h>

#include "needle/charsig.h"
#include "needle/grams.h"
#include "needle/match.h"
#include "search/exact_scratch.h"
#include "search/top_k.h"

namespace needle {

namespace {
constexpr uint16_t kVerified = 0x8000;  // counts[d]: scored already
constexpr uint16_t kCountMask = 0x7FFF;
// Scoring a candidate costs about as much as reading this many list entries:
// reading a list to tighten the bounds of the open candidates pays when it is
// shorter than this times their number.
constexpr uint64_t kScoreCost = 8;
// A group whose lists would take more than one entry per 16 of its names to
// read is scored front to back instead. (Chosen when the groups scanned
// front to back still checked the character bound first: 1,000 benchmark
// needles at 4M ran at 446 needles/s with 1 entry per 2 names, 598 with 16,
// 595 with 32. Now only haystacks without signatures read the lists.)
constexpr uint64_t kScanBudgetDivisor = 16;
// How many of the best-counted candidates a refresh scores, beyond K.
constexpr size_t kRefreshExtra = 8;
// How many of the names sharing the most rare keys the probe scores, beyond K.
constexpr size_t kProbeExtra = 16;
}  // namespace

ExactScratch::ExactScratch() : impl_(std::make_unique<Impl>()) {}
ExactScratch::~ExactScratch() = default;

void ExactTopK(const Haystack& hay, CachedScorer& scorer, std::string_view needle, size_t top_k,
               double cutoff, ExactScratch* scratch, std::vector<Hit>* out, SearchStats* stats) {
  SearchStats local;
  SearchStats& st = stats ? *stats : local;
  st = SearchStats();
  auto scan = [&] {
    st.scanned = true;
    ScanTopK(hay, scorer, top_k, cutoff, out);
  };
  if (top_k == 0) {
    out->clear();
    return;
  }
  ExactScratch::Impl& x = *scratch->impl_;
  if (hay.has_tokens() && hay.has_char_sigs() && scorer.HasTokenBound() &&
      TokenTopK(hay, scorer, needle, top_k, cutoff, &x, out, &st)) {
    return;
  }
  // Character signatures (always with their blocks: WithCharSigs) mean the
  // best-first sweep below, which needs no bigram lists: it raises the
  // threshold sooner than they do (over 1,000 benchmark needles at 4M,
  // probing the lists first made it 20-30% slower). The lists serve
  // haystacks without signatures.
  const bool chars =
      hay.has_char_sigs() && !hay.parts().block_lo.empty() && scorer.HasCharBound();
  bool grams = hay.has_grams() && scorer.HasGramBound() && !chars;
  x.raw_keys.clear();
  const size_t m = grams ? AppendGramKeys(needle, &x.raw_keys) : 0;
  if (m < 2 || x.raw_keys.size() > kCountMask) grams = false;
  if (!grams && !chars) return scan();
  if (grams && x.counts.size() < hay.distinct()) x.counts.assign(hay.distinct(), 0);
  if (chars) x.chars.Reset(needle);
  const auto total = static_cast<uint32_t>(x.raw_keys.size());
  std::sort(x.raw_keys.begin(), x.raw_keys.end());
  x.keys.clear();
  for (size_t i = 0; i < x.raw_keys.size();) {
    size_t j = i;
    while (j < x.raw_keys.size() && x.raw_keys[j] == x.raw_keys[i]) ++j;
    x.keys.emplace_back(x.raw_keys[i], static_cast<uint32_t>(j - i));
    i = j;
  }

  search::TopK top(out, top_k, cutoff);
  double threshold = top.threshold();
  uint32_t lo = 0, hi = 0;  // the length window
  scorer.LengthWindow(threshold, &lo, &hi);
  // A bound below the threshold rules a name out. Bounds use the scores' own
  // arithmetic; the slack only makes sure a rounding never rules out a tie.
  auto ruled_out = [&](double bound) { return bound < threshold - 1e-9; };
  // The fewest shared keys with which a name of n code points may still
  // reach the threshold (the bound rises with the keys shared); total + 1 if
  // none may.
  // The least v in [0, most] whose bound(v) is not ruled out, for a bound
  // that rises with v; most + 1 if there is none.
  auto least_reaching = [&](uint32_t most, auto&& bound) -> uint32_t {
    uint32_t a = 0, b = most + 1;
    while (a < b) {
      const uint32_t mid = a + (b - a) / 2;
      if (ruled_out(bound(mid))) {
        a = mid + 1;
      } else {
        b = mid;
      }
    }
    return a;
  };
  auto need_for = [&](uint32_t n) {
    return least_reaching(total, [&](uint32_t c) { return scorer.MaxScoreForGrams(n, c); });
  };
  const std::span<const uint32_t> lengths = hay.parts().group_lengths;
  const std::span<const uint32_t> begins = hay.parts().group_begins;

  // The character bound (needle/charsig.h). char_need(n): the least overlap
  // with which a name of n code points may still reach the threshold
  // (MaxScoreForChars rises with it); above the needle's length if none may.
  const bool name_bound = chars && scorer.HasNameBound();
  const uint32_t needle_chars = chars ? x.chars.length() : 0;
  auto char_need = [&](uint32_t n) {
    return least_reaching(needle_chars, [&](uint32_t h) { return scorer.MaxScoreForChars(n, h); });
  };
  // Name d cannot make the top K if its bound is below the threshold, or,
  // once K hits are in, equal to it while all its rows come after the K-th
  // best's: it could at best tie, and ties go to the lower row. (The
  // character bounds are never below the score as doubles: they follow the
  // score's own arithmetic, or carry a margin; docs/search.md.)
  auto beaten = [&](double bound, uint32_t d) {
    return ruled_out(bound) ||
           (top.full() && bound <= threshold && hay.first_row(d) > top.worst_row());
  };
  // Whether name d (n code points) with this overlap may still make the top
  // K, by the name's own bound too where the scorer has one.
  auto chars_allow = [&](uint32_t d, uint32_t n, uint32_t overlap) {
    if (beaten(scorer.MaxScoreForChars(n, overlap), d)) return false;
    if (!name_bound) return true;
    const std::string_view text = hay.processed(d);
    return !beaten(
        scorer.MaxScoreForName(HayName{text, n, text.size() == n}, overlap, hay.char_sig(d),
                               hay.name_stat(d, scorer.name_stat()), threshold),
        d);
  };

  // Names are scored in batches (SIMD kernels score several of one length at
  // once), each batch with the threshold it started with; every score is
  // checked against the current one, so only pruning depends on batching.
  constexpr size_t kBatch = 64;
  uint32_t batch[kBatch];
  HayName names[kBatch];
  double scores[kBatch];
  size_t k = 0;
  auto flush = [&] {
    scorer.ScoreBatch(names, k, threshold, scores);
    st.verified += static_cast<uint32_t>(k);
    for (size_t i = 0; i < k; ++i) {
      const double sc = scores[i];
      if (sc >= threshold && top.OfferRows(hay, batch[i], sc, &threshold)) {
        scorer.LengthWindow(threshold, &lo, &hi);
      }
    }
    k = 0;
  };
  auto add = [&](uint32_t d, uint32_t n) {
    const std::string_view text = hay.processed(d);
    hwy::Prefetch(text.data());  // read when the batch is scored
    batch[k] = d;
    // Field by field: a whole HayName built on the stack and copied made
    // two stores that one load then straddled (the store buffer cannot
    // forward those; 6% of a ratio search).
    HayName& name = names[k];
    name.text = text;
    name.cp_len = n;
    name.ascii = text.size() == n;
    if (++k == kBatch) flush();
  };
  // The names' signatures, 8 names per block (needle/charsig.h), and the
  // scorer's per-name statistic where the haystack holds the one it reads.
  const uint64_t* const sig_lo = hay.parts().char_lo.data();
  const uint64_t* const sig_hi = hay.parts().char_hi.data();
  const uint64_t* const block_lo = hay.parts().block_lo.data();
  const uint64_t* const block_hi = hay.parts().block_hi.data();
  const uint16_t* const name_stats =
      hay.name_stat_kind() == scorer.name_stat() && !hay.parts().name_stats.empty()
          ? hay.parts().name_stats.data()
          : nullptr;
  const bool sig_batch = chars && scorer.HasSigBatchBound();
  // Best first, by signature blocks (needle/charsig.h): every group of the
  // window is a pending item bounded by MaxScoreForLength; opening a group
  // computes its blocks' overlaps (of their ORs) as levels (one byte each,
  // 255 for 255 or more) and files its top bucket, the blocks of its highest
  // level v, bounded by MaxScoreForChars at v. The item with the highest
  // bound is taken next: a group is opened, or a bucket's blocks are found
  // (a scan of the group's levels), their names checked against the
  // threshold and the passing ones scored; then the group's next bucket, of
  // level v - 1, is filed if it can still reach the threshold. Once the
  // highest bound is ruled out, so is every name not scored: each name's
  // bound is at most its block's, its block's at most its bucket's, and a
  // group's buckets come in falling order, the next never above the one
  // taken, and all at most the group's. Taking the highest bounds first
  // raises the threshold soonest.
  auto sweep = [&] {
    // The names of a passing block are read next: PassBlocks fetches their
    // offsets, and `add` their text when they are batched.
    const uint32_t* offsets = hay.parts().offsets.data();
    auto& heap = x.heap;
    using Pending = ExactScratch::Impl::Pending;
    auto lower = [](const Pending& a, const Pending& b) { return a.bound < b.bound; };
    heap.clear();
    x.levels.clear();
    x.levels_at.resize(lengths.size());
    for (size_t g = 0; g < lengths.size(); ++g) {
      const uint32_t n = lengths[g];
      if (n < lo || n > hi) continue;
      const double bound = scorer.MaxScoreForLength(n);
      if (!ruled_out(bound)) heap.push_back({bound, static_cast<uint32_t>(g), 0});
    }
    std::make_heap(heap.begin(), heap.end(), lower);
    double bounds[kSigBlock];
    // char_need(n) for the threshold it was found at.
    uint32_t need_n = UINT32_MAX, need = 0;
    double need_threshold = -1;
    auto need_at = [&](uint32_t n) {
      if (n != need_n || threshold != need_threshold) {
        need = char_need(n);
        need_n = n;
        need_threshold = threshold;
      }
      return need;
    };
    // The bound of a bucket: level 255 holds every overlap from 255 up.
    constexpr uint32_t kTopLevel = 255;
    auto level_overlap = [&](uint32_t v) { return v == kTopLevel ? needle_chars : v; };
    // Files group g's bucket of level v if it may still reach the threshold.
    auto file_bucket = [&](uint32_t g, uint32_t v) {
      const uint32_t n = lengths[g];
      if (level_overlap(v) < need_at(n)) return;
      heap.push_back({scorer.MaxScoreForChars(n, level_overlap(v)), g, v + 1});
      std::push_heap(heap.begin(), heap.end(), lower);
    };
    auto open_group = [&](uint32_t g) {
      const uint32_t begin = begins[g], end = begins[g + 1];
      const uint32_t first = begin / kSigBlock, last = (end - 1) / kSigBlock + 1;
      const auto at = static_cast<uint32_t>(x.levels.size());
      x.levels.resize(at + (last - first));
      x.levels_at[g] = at;
      const uint32_t most = x.chars.OverlapLevels(block_lo + first, block_hi + first, last - first,
                                                  x.levels.data() + at);
      file_bucket(g, most);
    };
    // Blocks per PassBlocks call: the threshold the call checks against may
    // trail the current one by that many blocks' scores (the names are
    // checked again below), and the calls' fixed cost is spread over them.
    constexpr size_t kRun = 64;
    uint32_t run_blocks[kRun];
    uint8_t run_masks[kRun];
    uint32_t run_overlaps[kRun * kSigBlock];
    auto visit_bucket = [&](const Pending& p) {
      const uint32_t g = p.group, v = p.level - 1;
      const uint32_t n = lengths[g];
      const uint32_t begin = begins[g], end = begins[g + 1];
      const uint32_t first_block = begin / kSigBlock, last_block = (end - 1) / kSigBlock + 1;
      // Room for a whole vector past the last block (SelectLevel stores so).
      x.bucket_blocks.resize(last_block - first_block + 64);
      const size_t blocks = SelectLevel(x.levels.data() + x.levels_at[g], last_block - first_block,
                                        static_cast<uint8_t>(v), first_block, x.bucket_blocks.data());
      for (size_t j = 0; j < blocks; j += kRun) {
        if (ruled_out(p.bound)) break;  // the threshold rose past the bucket
        const size_t run = std::min<size_t>(kRun, blocks - j);
        const size_t passing =
            x.chars.PassBlocks(sig_lo, sig_hi, x.bucket_blocks.data() + j, run, begin, end,
                               need_at(n), offsets, run_blocks, run_masks, run_overlaps);
        for (size_t r = 0; r < passing; ++r) {
          const uint32_t first = run_blocks[r] * kSigBlock;
          const uint32_t* over = run_overlaps + r * kSigBlock;
          // The threshold may have risen since the run was checked.
          const uint32_t least = need_at(n);
          uint64_t pass = 0;
          for (uint64_t bits = run_masks[r]; bits != 0; bits &= bits - 1) {
            const auto i = static_cast<uint32_t>(std::countr_zero(bits));
            pass |= static_cast<uint64_t>(over[i] >= least) << i;
          }
          if (pass == 0) continue;
          // The block's names within the group (the name statistics end
          // with the names).
          const uint32_t base = std::max(begin, first);
          const uint32_t count = std::min(end, first + kSigBlock) - base;
          st.candidates += count;
          if (sig_batch) {
            scorer.MaxScoreForSigs(n, sig_lo + base, sig_hi + base,
                                   name_stats ? name_stats + base : nullptr, over + (base - first),
                                   count, bounds);
            for (uint64_t bits = pass; bits != 0; bits &= bits - 1) {
              const auto i = static_cast<uint32_t>(std::countr_zero(bits));
              if (ruled_out(bounds[i - (base - first)])) pass &= ~(uint64_t{1} << i);
            }
          }
          for (; pass != 0; pass &= pass - 1) {
            const auto i = static_cast<uint32_t>(std::countr_zero(pass));
            const uint32_t d = first + i;
            if ((name_bound || top.full()) && !chars_allow(d, n, over[i])) continue;
            add(d, n);
          }
        }
      }
      if (k > 0) flush();
      if (v > 0) file_bucket(g, v - 1);
    };
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), lower);
      const Pending p = heap.back();
      heap.pop_back();
      if (ruled_out(p.bound)) break;
      if (p.level == 0) {
        open_group(p.group);
      } else {
        visit_bucket(p);
      }
    }
  };

  if (chars) {
    sweep();
    top.Finish();
    return;
  }

  // Without signatures: the bigram lists.

  auto verify = [&](uint32_t d, uint32_t n) {
    x.counts[d] |= kVerified;
    ++st.verified;
    const std::string_view text = hay.processed(d);
    const double s = scorer.Score(HayName{text, n, text.size() == n}, threshold);
    if (s >= threshold && top.OfferRows(hay, d, s, &threshold)) {
      scorer.LengthWindow(threshold, &lo, &hi);
    }
  };
  // Counts the ids of list [first, last) into x.counts: an id at most
  // `multiplicity` times (the needle's occurrences of the key: the multiset
  // intersection). With `adding`, an id met for the first time becomes a
  // candidate (x.touched); without, only candidates are counted.
  auto count_list = [&](const uint32_t* first, const uint32_t* last, uint32_t multiplicity,
                        bool adding) {
    uint32_t prev = UINT32_MAX, run = 0;
    for (const uint32_t* p = first; p < last; ++p) {
      const uint32_t d = *p;
      if (d == prev) {
        if (++run >= multiplicity) continue;
      } else {
        prev = d;
        run = 0;
      }
      uint16_t& c = x.counts[d];
      if (c == 0) {
        if (!adding) continue;
        x.touched.push_back(d);
      }
      ++c;
    }
  };
  // The least count c >= floor such that at most about `limit` of the
  // candidates passing `eligible` have a count of c or more (they are
  // scored first).
  auto count_cut = [&](auto&& eligible, size_t limit, uint32_t floor) {
    x.hist.assign(total + 2, 0);
    for (uint32_t d : x.touched) {
      if (eligible(d)) ++x.hist[x.counts[d]];
    }
    uint32_t cut = total + 1;
    for (size_t have = 0; cut > floor && have < limit;) have += x.hist[--cut];
    return cut;
  };

  // One length group: the prefix, count and length filters with exact
  // counts for this length.
  auto search_group = [&](size_t g) {
    const uint32_t n = hay.group_length(g);
    const uint32_t begin = hay.group_begin(g), end = hay.group_begin(g + 1);
    uint32_t need = need_for(n);
    if (need > total) return;
    // The needle's lists within the group, shortest first; a key no name of
    // the group holds is shared by none, so it is read already.
    x.lists.clear();
    uint32_t unread = 0;
    for (const auto& [key, multiplicity] : x.keys) {
      const std::span<const uint32_t> all = hay.gram_list(key);
      const uint32_t* first = std::lower_bound(all.data(), all.data() + all.size(), begin);
      const uint32_t* last = std::lower_bound(first, all.data() + all.size(), end);
      if (first == last) continue;
      x.lists.push_back({first, last, multiplicity});
      unread += multiplicity;
    }
    if (unread < need) return;  // no name of the group shares enough keys
    std::sort(x.lists.begin(), x.lists.end(),
              [](const auto& a, const auto& b) { return a.size() < b.size(); });
    auto read = [&](const ExactScratch::Impl::List& list, bool adding) {
      ++st.lists;
      st.postings += list.size();
      count_list(list.first, list.last, list.multiplicity, adding);
    };
    // Open: not scored yet and may still reach the threshold.
    auto open = [&](uint32_t d) {
      const uint16_t c = x.counts[d];
      return !(c & kVerified) && c + unread >= need;
    };
    // Scores up to `limit` open candidates with the most shared keys.
    auto refresh = [&](size_t limit) {
      const uint32_t cut = count_cut(open, limit, 0);
      size_t done = 0;
      for (uint32_t d : x.touched) {
        if (done == limit) break;
        if (x.counts[d] < cut || !open(d)) continue;
        ++done;
        verify(d, n);
        need = need_for(n);
      }
    };
    // The open names among ids[0..count).
    auto score_all = [&](const uint32_t* ids, size_t count) {
      for (size_t i = 0; i < count; ++i) {
        const uint32_t d = ids[i];
        if (!open(d)) continue;
        x.counts[d] |= kVerified;
        add(d, n);
        if (k == 0) need = need_for(n);
      }
      if (k > 0) flush();
    };
    // Every name of the group not scored yet, front to back, as the scan
    // does; then the group is done.
    auto scan_group = [&] {
      for (uint32_t d = begin; d < end; ++d) {
        if (!(x.counts[d] & kVerified)) add(d, n);
      }
      if (k > 0) flush();
      st.candidates += end - begin;
      for (uint32_t d : x.touched) x.counts[d] = 0;
      x.touched.clear();
    };
    x.touched.clear();
    size_t li = 0;
    {
      // When the lists that may bring candidates (the shortest, until only
      // need - 1 keys are left) are long for the group, scan it instead.
      uint64_t prefix = 0;
      uint32_t mass = 0;
      for (const auto& list : x.lists) {
        if (mass + need > unread) break;
        prefix += list.size();
        mass += list.multiplicity;
      }
      if (need > 0 && prefix > (end - begin) / kScanBudgetDivisor) {
        return scan_group();
      }
    }
    // Phase A: while a name not met yet may still reach the threshold, every
    // name met is a candidate. Now and then the best-counted candidates are
    // scored (at most as much work as the reading since the last time).
    uint64_t since_refresh = 0, in_group = 0;
    const uint64_t scan_cost = (end - begin) / kScanBudgetDivisor;
    for (; li < x.lists.size() && unread >= need; ++li) {
      // New candidates may still come after reading as much as scoring the
      // whole group costs: score the whole group.
      if (in_group + x.lists[li].size() > scan_cost) return scan_group();
      in_group += x.lists[li].size();
      read(x.lists[li], true);
      unread -= x.lists[li].multiplicity;
      since_refresh += x.lists[li].size();
      if (li >= 1 && x.touched.size() <= 2 * since_refresh) {
        refresh(top_k + kRefreshExtra);
        since_refresh = 0;
      }
    }
    if (need == 0) {
      // Any name of the group may still make the top K (the heap is not
      // full, or its K-th best is low).
      return scan_group();
    }
    // Phase B: no new candidates; read on while a list costs less than
    // scoring the candidates it might rule out.
    for (; li < x.lists.size(); ++li) {
      uint64_t still_open = 0;
      for (uint32_t d : x.touched) still_open += open(d);
      if (still_open * kScoreCost <= x.lists[li].size() ||
          in_group + x.lists[li].size() > scan_cost) {
        break;
      }
      in_group += x.lists[li].size();
      read(x.lists[li], false);
      unread -= x.lists[li].multiplicity;
    }
    // Phase C: score the open candidates, most shared keys first (a counting
    // sort); each is checked again as the threshold rises. When they are
    // many, scoring the whole group front to back is cheaper.
    x.hist.assign(total + 2, 0);
    size_t open_count = 0;
    for (uint32_t d : x.touched) {
      if (open(d)) {
        ++x.hist[x.counts[d]];
        ++open_count;
      }
    }
    if (open_count * kScoreCost > 2 * static_cast<uint64_t>(end - begin)) {
      return scan_group();
    }
    for (uint32_t c = total + 1, at = 0; c-- > 0;) {
      const uint32_t here = x.hist[c];
      x.hist[c] = at;
      at += here;
    }
    x.order.resize(open_count);
    for (uint32_t d : x.touched) {
      if (open(d)) x.order[x.hist[x.counts[d]]++] = d;
    }
    score_all(x.order.data(), x.order.size());
    st.candidates += static_cast<uint32_t>(x.touched.size());
    for (uint32_t d : x.touched) x.counts[d] = 0;
    x.touched.clear();
  };

  // The probe: a first threshold from the names sharing the most of the
  // needle's rarest keys, whatever their length, so that the groups searched
  // first (the needle's own length) do not have to make do with a low one
  // when the best match has another length. Pruning only: the groups search
  // everything again.
  {
    std::vector<std::pair<size_t, size_t>>& by_size = x.probe;
    by_size.clear();
    for (size_t i = 0; i < x.keys.size(); ++i) {
      by_size.emplace_back(hay.gram_list(x.keys[i].first).size(), i);
    }
    std::sort(by_size.begin(), by_size.end());
    // The lengths within an eighth of the needle's (a quarter read twice
    // as many postings for a few more early hits: 8% slower over 1,000
    // benchmark needles, as was reading one list in 8 instead of 16).
    const uint32_t band_lo = static_cast<uint32_t>(m - m / 8),
                   band_hi = static_cast<uint32_t>(m + m / 8);
    const uint32_t id_lo = begins[static_cast<size_t>(
        std::lower_bound(lengths.begin(), lengths.end(), band_lo) - lengths.begin())];
    const uint32_t id_hi = begins[static_cast<size_t>(
        std::upper_bound(lengths.begin(), lengths.end(), band_hi) - lengths.begin())];
    const size_t probe_lists = std::min(by_size.size(), std::max<size_t>(2, (total + 15) / 16));
    for (size_t i = 0; i < probe_lists; ++i) {
      const auto& [key, multiplicity] = x.keys[by_size[i].second];
      const std::span<const uint32_t> all = hay.gram_list(key);
      const uint32_t* first = std::lower_bound(all.data(), all.data() + all.size(), id_lo);
      const uint32_t* last = std::lower_bound(first, all.data() + all.size(), id_hi);
      st.postings += static_cast<uint64_t>(last - first);
      count_list(first, last, multiplicity, true);
    }
    const size_t limit = top_k + kProbeExtra;
    const uint32_t cut = count_cut([](uint32_t) { return true; }, limit, 1);
    size_t done = 0;
    for (uint32_t d : x.touched) {
      if (done < limit && x.counts[d] >= cut) {
        ++done;
        const auto g = std::upper_bound(begins.begin(), begins.end(), d) - begins.begin() - 1;
        verify(d, lengths[static_cast<size_t>(g)]);
      }
    }
    // Names scored keep their flag (and are cleared at the end) so that no
    // name is offered twice.
    x.probed.clear();
    for (uint32_t d : x.touched) {
      if (x.counts[d] & kVerified) {
        x.counts[d] = kVerified;
        x.probed.push_back(d);
      } else {
        x.counts[d] = 0;
      }
    }
    x.touched.clear();
  }

  // Length groups outward from the peak length, as the scan visits them.
  search::ForEachGroupOutward(hay, scorer.PeakLength(), &lo, &hi, search_group);
  for (uint32_t d : x.probed) x.counts[d] = 0;
  top.Finish();
}

}  // namespace needle
