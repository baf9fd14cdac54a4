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
  double threshold = cutoff;
  uint32_t lo, hi;
  scorer.LengthWindow(threshold, &lo, &hi);
  const uint32_t n = hay.distinct();
  for (uint32_t d = 0; d < n; ++d) {
    const uint32_t len = hay.cp_len(d);
    if (len < lo || len > hi) continue;
    const double s = scorer.Score(HayName{hay.processed(d), len, hay.ascii(d)}, threshold);
    if (s < threshold) continue;
    bool changed = false;
    hay.ForEachRow(d, [&](uint32_t row) {
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
  std::sort(heap.begin(), heap.end(), Better);
}

}  // namespace needle
