// The token index (needle/tokens.h). Built in three passes: in parallel, each
// name's token buckets (sorted, without repeats) and set bucket; then, on one
// thread, a counting sort of the ids by bucket, which keeps every list
// ascending because the ids are visited in order.
#define XXH_INLINE_ALL
#include "needle/tokens.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <string>
#include <vector>

namespace needle {

uint64_t TokenHash(std::string_view text) { return XXH3_64bits(text.data(), text.size()); }

uint32_t TokenBuckets(uint32_t distinct) {
  return std::max<uint32_t>(64, std::bit_ceil(std::max<uint32_t>(distinct / 2, 1)));
}

namespace {
// Owns the index's arrays and keeps the haystack's own bytes alive.
struct TokenStorage {
  std::shared_ptr<const void> base;
  std::vector<uint32_t> token_offsets, token_postings, set_offsets, set_postings;
};

// Lists from (bucket, id) pairs given per id as a range of `buckets_of`,
// ids ascending: a counting sort.
void BuildLists(uint32_t buckets, const std::vector<uint32_t>& begin_of,
                const std::vector<uint32_t>& buckets_of, std::vector<uint32_t>* offsets,
                std::vector<uint32_t>* postings) {
  offsets->assign(static_cast<size_t>(buckets) + 1, 0);
  for (uint32_t b : buckets_of) ++(*offsets)[b + 1];
  for (size_t b = 0; b < buckets; ++b) (*offsets)[b + 1] += (*offsets)[b];
  postings->resize(buckets_of.size());
  std::vector<uint32_t> next(offsets->begin(), offsets->end() - 1);
  const auto names = static_cast<uint32_t>(begin_of.size() - 1);
  for (uint32_t d = 0; d < names; ++d) {
    for (uint32_t i = begin_of[d]; i < begin_of[d + 1]; ++i) (*postings)[next[buckets_of[i]]++] = d;
  }
}
}  // namespace

std::unique_ptr<Haystack> WithTokenIndex(std::unique_ptr<Haystack> hay, int threads) {
  const uint32_t n = hay->distinct();
  const uint32_t buckets = TokenBuckets(n);
  const uint32_t mask = buckets - 1;
  const int workers = threads > 0 ? threads : tbb::this_task_arena::max_concurrency();
  const bool set_form = hay->form() == NameForm::kSortedTokenSet;
  // Pass 1: how many token buckets each name has (an upper bound: its
  // tokens; repeats are dropped in pass 2 and the slack left unused).
  std::vector<uint32_t> token_begin(static_cast<size_t>(n) + 1, 0);
  std::vector<uint32_t> set_begin(static_cast<size_t>(n) + 1, 0);
  std::vector<uint32_t> set_bucket(n, 0);
  tbb::task_arena arena(workers);
  auto set_text = [&](uint32_t d, std::string* buf) -> std::string_view {
    if (set_form) return hay->processed(d);
    ToNameForm(NameForm::kSortedTokenSet, hay->processed(d), buf);
    return *buf;
  };
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<uint32_t>(0, n, 4096), [&](const auto& r) {
      std::string buf;
      for (uint32_t d = r.begin(); d < r.end(); ++d) {
        const std::string_view set = set_text(d, &buf);
        token_begin[d + 1] =
            set.empty() ? 0 : static_cast<uint32_t>(std::count(set.begin(), set.end(), ' ') + 1);
        set_begin[d + 1] = set.empty() ? 0 : 1;
        set_bucket[d] = static_cast<uint32_t>(TokenHash(set)) & mask;
      }
    });
  });
  for (size_t d = 0; d < n; ++d) {
    token_begin[d + 1] += token_begin[d];
    set_begin[d + 1] += set_begin[d];
  }
  // Pass 2: the buckets, each once per name; a name whose tokens share a
  // bucket has fewer, and its range is cut to them (pass 3 reads the cut
  // ranges).
  std::vector<uint32_t> token_buckets(token_begin[n]);
  std::vector<uint32_t> token_end(n);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<uint32_t>(0, n, 4096), [&](const auto& r) {
      std::string buf;
      for (uint32_t d = r.begin(); d < r.end(); ++d) {
        const std::string_view set = set_text(d, &buf);
        uint32_t* first = token_buckets.data() + token_begin[d];
        uint32_t* last = first;
        for (size_t b = 0; b < set.size();) {
          size_t e = set.find(' ', b);
          if (e == std::string_view::npos) e = set.size();
          *last++ = static_cast<uint32_t>(TokenHash(set.substr(b, e - b))) & mask;
          b = e + 1;
        }
        std::sort(first, last);
        token_end[d] = token_begin[d] + static_cast<uint32_t>(std::unique(first, last) - first);
      }
    });
  });
  // Compact the token buckets to the cut ranges.
  uint32_t kept = 0;
  for (uint32_t d = 0; d < n; ++d) {
    const uint32_t b = token_begin[d], e = token_end[d];
    token_begin[d] = kept;
    for (uint32_t i = b; i < e; ++i) token_buckets[kept++] = token_buckets[i];
  }
  token_begin[n] = kept;
  token_buckets.resize(kept);
  std::vector<uint32_t> set_buckets;
  set_buckets.reserve(set_begin[n]);
  for (uint32_t d = 0; d < n; ++d) {
    if (set_begin[d + 1] > set_begin[d]) set_buckets.push_back(set_bucket[d]);
  }
  auto storage = std::make_shared<TokenStorage>();
  BuildLists(buckets, token_begin, token_buckets, &storage->token_offsets,
             &storage->token_postings);
  BuildLists(buckets, set_begin, set_buckets, &storage->set_offsets, &storage->set_postings);
  HaystackParts parts = hay->parts();
  parts.token_offsets = storage->token_offsets;
  parts.token_postings = storage->token_postings;
  parts.set_offsets = storage->set_offsets;
  parts.set_postings = storage->set_postings;
  storage->base = hay->owner();
  std::shared_ptr<const void> owner = storage;
  return std::make_unique<Haystack>(parts, std::move(owner));
}

}  // namespace needle
