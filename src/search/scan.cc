// Exact top-K by scanning the distinct processed names a length bound allows. The K best so far
// sit in a heap whose top is the worst of them; once it is full, its score is
// the cutoff handed to the scorer (a name can still enter with an equal score
// and a lower row), and the length window is recomputed whenever it rises.
#include <algorithm>

#include "needle/match.h"
#include "score/lcs_batch.h"
#include "search/top_k.h"

namespace needle {

static_assert(Haystack::kArenaPadding >= score::kLcsBatchPadding,
              "ScoreBatch may read past the end of a name");

void ScanTopK(const Haystack& hay, CachedScorer& scorer, size_t top_k, double cutoff,
              std::vector<Hit>* out) {
  if (top_k == 0) {
    out->clear();
    return;
  }
  search::TopK top(out, top_k, cutoff);
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
      if (top.OfferRows(hay, ids[i], s, &threshold)) scorer.LengthWindow(threshold, &lo, &hi);
    }
    pending = 0;
  };
  search::ForEachGroupOutward(hay, scorer.PeakLength(), &lo, &hi, [&](size_t g) {
    const uint32_t len = hay.group_length(g);
    for (uint32_t d = hay.group_begin(g); d < hay.group_begin(g + 1); ++d) {
      ids[pending] = d;
      const std::string_view text = hay.processed(d);
      names[pending] = HayName{text, len, text.size() == len};  // ASCII iff 1 byte a code point
      if (++pending == kScanBatch) flush();
    }
    flush();  // update the cutoff and the window before choosing the next group
  });
  top.Finish();
}

}  // namespace needle
