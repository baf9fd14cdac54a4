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

}  // namespace needle::search
