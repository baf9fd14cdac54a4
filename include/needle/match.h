// needle/match.h: top-K search of needles against a Haystack.
//
// For each needle the result is the top K haystack rows by score (ties broken
// by lower row number), keeping only scores >= cutoff: exactly what scoring
// every row would give. ScanTopK scores every distinct processed name once
// (skipping those whose length alone rules them out, and raising the scorer's
// cutoff to the current K-th best). MatchTable runs needles through a TBB
// pipeline: read (in order) -> search (parallel, work stealing) -> write (in
// input order), so memory does not grow with the number of needles.
//
// Thread safety: the Haystack is shared read-only; each search uses its own
// CachedScorer. MatchSink methods are called from one thread at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "needle/haystack.h"
#include "needle/scorer.h"
#include "needle/status.h"
#include "needle/table.h"

namespace needle {

struct Hit {
  double score = 0;
  uint32_t row = 0;  // 0-based haystack row
};

// a before b in a result list: higher score, or equal score and lower row.
inline bool Better(const Hit& a, const Hit& b) {
  return a.score > b.score || (a.score == b.score && a.row < b.row);
}

struct MatchOptions {
  ScorerKind scorer = ScorerKind::kRatio;
  ScorerOptions scorer_options;
  size_t top_k = 1;   // >= 1
  double cutoff = 0;  // 0..100
  int threads = 0;    // 0: all cores
};

// Top-K rows for one prepared needle, best first, into *out.
void ScanTopK(const Haystack& hay, CachedScorer& scorer, size_t top_k, double cutoff,
              std::vector<Hit>* out);

// Receives the results in needle input order.
class MatchSink {
 public:
  virtual ~MatchSink() = default;
  // `needle` is the needle as read (original text); hits best first.
  virtual Status Write(const TableRecord& needle, const std::vector<Hit>& hits) = 0;
  // Called after each write with the needles done and input bytes consumed.
  virtual void Progress(uint64_t /*needles*/, uint64_t /*bytes*/) {}
};

// Matches every record of `needles` against `hay`. Stops at the first input
// error or sink error and returns it (results written so far stay written).
Status MatchTable(const Haystack& hay, TableReader& needles, const MatchOptions& options,
                  MatchSink* sink);

}  // namespace needle
