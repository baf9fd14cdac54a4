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
#include <memory>
#include <string_view>
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

// How a needle is searched. Both give the same hits.
//   kExact  candidates from the bigram index, best bound first, stopping when
//           no name left can reach the K-th best (docs/search.md); scorers
//           without a bigram bound (HasGramBound) and haystacks without the
//           index fall back to the scan.
//   kScan   score every name the length bound allows.
enum class SearchMethod { kExact, kScan };

class NameIndex;

struct MatchOptions {
  ScorerKind scorer = ScorerKind::kRatio;
  ScorerOptions scorer_options;
  size_t top_k = 1;   // >= 1
  double cutoff = 0;  // 0..100
  int threads = 0;    // 0: all cores
  SearchMethod method = SearchMethod::kExact;
  // The words of the haystack, for the name scorer (required with it).
  const NameIndex* names = nullptr;
};

// What one search did (for --timings and the benchmarks).
struct SearchStats {
  uint32_t lists = 0;        // bigram lists read
  uint64_t postings = 0;     // list entries read
  uint32_t candidates = 0;   // names met in the lists
  uint32_t verified = 0;     // names scored
  bool scanned = false;      // fell back to the scan
};

// Top-K rows for one prepared needle, best first, into *out.
void ScanTopK(const Haystack& hay, CachedScorer& scorer, size_t top_k, double cutoff,
              std::vector<Hit>* out);

// Per-thread scratch of ExactTopK: a count per distinct name (2 bytes each),
// allocated on first use and kept zero between searches.
class ExactScratch {
 public:
  ExactScratch();
  ~ExactScratch();
  ExactScratch(const ExactScratch&) = delete;
  ExactScratch& operator=(const ExactScratch&) = delete;
  struct Impl;  // opaque (search/exact_scratch.h)

 private:
  friend void ExactTopK(const Haystack&, CachedScorer&, std::string_view, size_t, double,
                        ExactScratch*, std::vector<Hit>*, SearchStats*);
  std::unique_ptr<Impl> impl_;
};

// The same hits as ScanTopK, from the bigram index (SearchMethod::kExact).
// `needle` is the processed needle in the scorer's NameForm (ToNameForm).
// Falls back to ScanTopK when the haystack has no bigram index, the scorer no
// bigram bound, the needle fewer than 2 code points, or when names sharing no
// bigram with the needle could still make the top K.
void ExactTopK(const Haystack& hay, CachedScorer& scorer, std::string_view needle, size_t top_k,
               double cutoff, ExactScratch* scratch, std::vector<Hit>* out,
               SearchStats* stats = nullptr);

// Receives the results in needle input order.
class MatchSink {
 public:
  virtual ~MatchSink() = default;
  // `needle` is the needle as read (original text); hits best first.
  virtual Status Write(const TableRecord& needle, const std::vector<Hit>& hits) = 0;
  // Called before each Write with the needle's search time and what it did.
  virtual void Timing(const TableRecord& /*needle*/, double /*micros*/,
                      const SearchStats& /*stats*/) {}
  // Called after each write with the needles done and input bytes consumed.
  virtual void Progress(uint64_t /*needles*/, uint64_t /*bytes*/) {}
};

// Matches every record of `needles` against `hay`. Stops at the first input
// error or sink error and returns it (results written so far stay written).
Status MatchTable(const Haystack& hay, TableReader& needles, const MatchOptions& options,
                  MatchSink* sink);

}  // namespace needle
