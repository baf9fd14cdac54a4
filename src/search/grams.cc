// The bigram index: per key, the ids of the distinct names holding that
// bigram, ascending, an id repeated once per occurrence in its name (so a
// reader can count shared bigrams as a multiset). Built in two passes over the
// names, split into chunks of ids that TBB threads take in parallel: count
// the keys of each chunk, turn the counts into each chunk's write position in
// each list (lists stay sorted because chunks are ranges of ascending ids),
// then fill.
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "needle/grams.h"
#include "needle/haystack.h"
#include "text/utf8.h"

namespace needle {

size_t AppendGramKeys(std::string_view name, std::vector<uint32_t>* keys) {
  if (name.empty()) return 0;
  size_t pos = 0, count = 1;
  char32_t prev = text::DecodeOne(name, &pos);
  while (pos < name.size()) {
    const char32_t c = text::DecodeOne(name, &pos);
    keys->push_back(GramKey(prev, c));
    prev = c;
    ++count;
  }
  return count;
}

namespace {
// Owns the index's arrays and keeps the haystack's own bytes alive.
struct GramStorage {
  std::shared_ptr<const void> base;
  std::vector<uint64_t> offsets;
  std::vector<uint32_t> postings;
};

template <typename F>
void ForEachKey(const Haystack& hay, uint32_t d, F&& f) {
  const std::string_view name = hay.processed(d);
  if (name.size() < 2) return;
  bool ascii = true;
  for (char ch : name) ascii &= static_cast<unsigned char>(ch) < 0x80;
  if (ascii) {
    for (size_t i = 0; i + 1 < name.size(); ++i) {
      f(GramKey(static_cast<unsigned char>(name[i]), static_cast<unsigned char>(name[i + 1])));
    }
    return;
  }
  size_t pos = 0;
  char32_t prev = text::DecodeOne(name, &pos);
  while (pos < name.size()) {
    const char32_t c = text::DecodeOne(name, &pos);
    f(GramKey(prev, c));
    prev = c;
  }
}
}  // namespace

std::unique_ptr<Haystack> WithGramIndex(std::unique_ptr<Haystack> hay, int threads) {
  const uint32_t n = hay->distinct();
  const int workers = threads > 0 ? threads : tbb::this_task_arena::max_concurrency();
  // Enough chunks for work stealing to even out, few enough that the count
  // tables (kGramKeys x 8 bytes each) stay small.
  const uint32_t chunks = std::max<uint32_t>(1, std::min<uint32_t>(n / 4096 + 1, 16 * workers));
  std::vector<uint32_t> bounds(chunks + 1);
  for (uint32_t c = 0; c <= chunks; ++c) {
    bounds[c] = static_cast<uint32_t>(static_cast<uint64_t>(n) * c / chunks);
  }
  std::vector<uint64_t> at(static_cast<size_t>(chunks) * kGramKeys, 0);
  tbb::task_arena arena(workers);
  arena.execute([&] {
    tbb::parallel_for(uint32_t{0}, chunks, [&](uint32_t c) {
      uint64_t* count = &at[static_cast<size_t>(c) * kGramKeys];
      for (uint32_t d = bounds[c]; d < bounds[c + 1]; ++d) {
        ForEachKey(*hay, d, [&](uint32_t k) { ++count[k]; });
      }
    });
  });
  auto storage = std::make_shared<GramStorage>();
  storage->offsets.assign(kGramKeys + 1, 0);
  uint64_t total = 0;
  for (uint32_t k = 0; k < kGramKeys; ++k) {
    storage->offsets[k] = total;
    for (uint32_t c = 0; c < chunks; ++c) {
      uint64_t& slot = at[static_cast<size_t>(c) * kGramKeys + k];
      const uint64_t count = slot;
      slot = total;
      total += count;
    }
  }
  storage->offsets[kGramKeys] = total;
  storage->postings.resize(total);
  arena.execute([&] {
    tbb::parallel_for(uint32_t{0}, chunks, [&](uint32_t c) {
      uint64_t* next = &at[static_cast<size_t>(c) * kGramKeys];
      uint32_t* out = storage->postings.data();
      for (uint32_t d = bounds[c]; d < bounds[c + 1]; ++d) {
        ForEachKey(*hay, d, [&](uint32_t k) { out[next[k]++] = d; });
      }
    });
  });
  HaystackParts parts = hay->parts();
  parts.gram_offsets = storage->offsets;
  parts.gram_postings = storage->postings;
  storage->base = hay->owner();
  // The old Haystack object goes; its bytes stay alive through storage->base.
  std::shared_ptr<const void> owner = storage;
  return std::make_unique<Haystack>(parts, std::move(owner));
}

}  // namespace needle
