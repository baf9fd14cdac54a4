// Exact top-K by scanning every distinct processed name. The K best so far
// sit in a heap whose top is the worst of them; once it is full, its score is
// the cutoff handed to the scorer (a name can still enter with an equal score
// and a lower row), and the length window is recomputed whenever it rises.
#include <algorithm>

#include "needle/match.h"

namespace needle {

namespace {
// Heap order: with this comparison std::push_heap keeps the worst hit on top.
struct WorseOnTop {
  bool operator()(const Hit& a, const Hit& b) const { return Better(a, b); }
};
}  // namespace

void ScanTopK(const Haystack& hay, CachedScorer& scorer, size_t top_k, double cutoff,
              std::vector<Hit>* out) {
  std::vector<Hit>& heap = *out;
  heap.clear();
  if (top_k == 0) return;
  double threshold = cutoff;
  uint32_t lo, hi;
  scorer.LengthWindow(threshold, &lo, &hi);
  // Names in the length window are scored in batches (SIMD kernels score
  // several at once). A batch is scored with the threshold it started with;
  // every score is checked against the current one, so only pruning, never a
  // result, depends on the batching.
  constexpr size_t kScanBatch = 64;
  uint32_t ids[kScanBatch];
  HayName names[kScanBatch];
  double scores[kScanBatch];
  size_t pending = 0;
  auto flush = [&] {
    scorer.ScoreBatch(names, pending, threshold, scores);
    for (size_t i = 0; i < pending; ++i) {
      const double s = scores[i];
      if (s < threshold) continue;
      bool changed = false;
      hay.ForEachRow(ids[i], [&](uint32_t row) {
        const Hit h{s, row};
        if (heap.size() < top_k) {
          heap.push_back(h);
          std::push_heap(heap.begin(), heap.end(), WorseOnTop());
          changed = true;
        } else if (Better(h, heap.front())) {
          std::pop_heap(heap.begin(), heap.end(), WorseOnTop());
          heap.back() = h;
          std::push_heap(heap.begin(), heap.end(), WorseOnTop());
          changed = true;
        }
      });
      if (changed && heap.size() == top_k && heap.front().score > threshold) {
        threshold = heap.front().score;
        scorer.LengthWindow(threshold, &lo, &hi);
      }
    }
    pending = 0;
  };
  const uint32_t n = hay.distinct();
  for (uint32_t d = 0; d < n; ++d) {
    const uint32_t len = hay.cp_len(d);
    if (len < lo || len > hi) continue;
    ids[pending] = d;
    names[pending] = HayName{hay.processed(d), len, hay.ascii(d)};
    if (++pending == kScanBatch) flush();
  }
  flush();
  std::sort(heap.begin(), heap.end(), Better);
}

}  // namespace needle
