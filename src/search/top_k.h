// The K best hits so far, in a heap whose top is the worst of them, and the
// threshold a new hit must reach: the cutoff until K hits are in, then the
// K-th best score (a name with an equal score can still enter with a lower
// row). Shared by the scan and the exact search so both rank alike.
#pragma once

#include <algorithm>
#include <vector>

#include "needle/match.h"

namespace needle::search {

class TopK {
 public:
  TopK(std::vector<Hit>* heap, size_t k, double cutoff) : heap_(*heap), k_(k), cutoff_(cutoff) {
    heap_.clear();
  }
  double threshold() const { return full() ? heap_.front().score : cutoff_; }
  bool full() const { return heap_.size() == k_; }
  // The row of the K-th best. REQUIRES: full().
  uint32_t worst_row() const { return heap_.front().row; }
  // Offers a hit; true if it entered.
  bool Offer(const Hit& h) {
    if (h.score < cutoff_) return false;
    if (heap_.size() < k_) {
      heap_.push_back(h);
      std::push_heap(heap_.begin(), heap_.end(), WorseOnTop());
      return true;
    }
    if (!Better(h, heap_.front())) return false;
    std::pop_heap(heap_.begin(), heap_.end(), WorseOnTop());
    heap_.back() = h;
    std::push_heap(heap_.begin(), heap_.end(), WorseOnTop());
    return true;
  }
  // Offers every row of distinct name d with score s. True if that raised
  // the threshold above *threshold, which it then updates (the caller's
  // length window is then to be recomputed).
  bool OfferRows(const Haystack& hay, uint32_t d, double s, double* threshold) {
    bool changed = false;
    hay.ForEachRow(d, [&](uint32_t row) { changed |= Offer(Hit{s, row}); });
    if (!changed || !full() || this->threshold() <= *threshold) return false;
    *threshold = this->threshold();
    return true;
  }
  // Best first.
  void Finish() { std::sort(heap_.begin(), heap_.end(), Better); }

 private:
  // Heap order: with this comparison std::push_heap keeps the worst hit on top.
  struct WorseOnTop {
    bool operator()(const Hit& a, const Hit& b) const { return Better(a, b); }
  };
  std::vector<Hit>& heap_;
  size_t k_;
  double cutoff_;
};

// Calls visit(g) for the length groups of `hay` whose length lies in the
// window [*lo, *hi], outward from `peak`, nearer lengths first: good scores
// come early, the threshold rises, the window (which `visit` may shrink)
// closes, and the groups outside it are never touched. The order only
// affects the work: hits are ranked by (score, row) whatever the order.
template <typename Visit>
void ForEachGroupOutward(const Haystack& hay, uint32_t peak, const uint32_t* lo,
                         const uint32_t* hi, Visit&& visit) {
  const size_t groups = hay.length_groups();
  size_t up = 0;
  while (up < groups && hay.group_length(up) < peak) ++up;
  ptrdiff_t down = static_cast<ptrdiff_t>(up) - 1;
  for (;;) {
    const bool up_ok = up < groups && hay.group_length(up) <= *hi;
    const bool down_ok = down >= 0 && hay.group_length(static_cast<size_t>(down)) >= *lo;
    if (!up_ok && !down_ok) break;
    size_t g;
    if (up_ok && (!down_ok || hay.group_length(up) - peak <=
                                  peak - hay.group_length(static_cast<size_t>(down)))) {
      g = up++;
    } else {
      g = static_cast<size_t>(down--);
    }
    const uint32_t len = hay.group_length(g);
    if (len < *lo || len > *hi) continue;  // the window shrank since the choice
    visit(g);
  }
}

}  // namespace needle::search
