// needle/scorer.h: the scorers, on processed names, 0-100.
//
//   ratio             Indel normalized similarity x 100 (RapidFuzz fuzz.ratio,
//                     python-Levenshtein ratio x 100): 100 * (1 - dist/(m+n)),
//                     dist = m + n - 2 LCS. Two empty names score 100.
//   token_sort_ratio  ratio of the whitespace-split tokens, sorted and joined
//                     with one space (RapidFuzz 3.x).
//   token_set_ratio   RapidFuzz 3.x: 100 when one token set contains the other
//                     (and they share a token), else the best ratio among
//                     intersection vs. intersection + each difference and the
//                     two differences; 0 if either name has no token.
//   setratio          python-Levenshtein 0.12 setratio(a.split(' '),
//                     b.split(' ')) x 100: tokens paired by an optimal
//                     assignment, 2 * sum(ratio of pairs) / (n_a + n_b).
//   seqratio          python-Levenshtein 0.12 seqratio on the same tokens.
//   QRatio, token_ratio, partial_ratio, partial_token_sort_ratio,
//   partial_token_set_ratio, partial_token_ratio, WRatio  RapidFuzz 3.x.
//   levenshtein, indel, lcs, osa, damerau_levenshtein, hamming, jaro,
//   jaro_winkler, prefix, postfix  RapidFuzz 3.x normalized similarity x 100.
//   name              word-aware and frequency-aware (needle/name_match.h);
//                     here, without a haystack, every word weighs 1.
// docs/scorers.md gives the formulas and edge cases.
//
// Scores are computed on Unicode code points by bit-parallel LCS kernels
// (score/lcs_hyyro2004.h). A CachedScorer prepares one needle once and then
// scores many haystack names; it takes a cutoff and returns 0 for any name
// that scores below it, skipping work when it can prove that early.
//
// Thread safety: a CachedScorer holds scratch space: one per thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "needle/charsig.h"

namespace needle {

enum class ScorerKind {
  kRatio,
  kPartialRatio,
  kQRatio,
  kWRatio,
  kTokenSortRatio,
  kTokenSetRatio,
  kTokenRatio,
  kPartialTokenSortRatio,
  kPartialTokenSetRatio,
  kPartialTokenRatio,
  kSetRatio,
  kSeqRatio,
  kLevenshtein,
  kIndel,
  kLcs,
  kOsa,
  kDamerauLevenshtein,
  kHamming,
  kJaro,
  kJaroWinkler,
  kPrefix,
  kPostfix,
  // The name scorer (needle/name_match.h): word-aware and frequency-aware.
  kName,
};

// Parameters of the scorers that have any.
struct ScorerOptions {
  // levenshtein's costs of inserting (into the needle), deleting (from it) and
  // substituting a code point (--weights INS,DEL,SUB).
  size_t insert_cost = 1, delete_cost = 1, substitute_cost = 1;
  double prefix_weight = 0.1;  // jaro_winkler
};

std::optional<ScorerKind> ParseScorer(std::string_view name);
const char* ScorerName(ScorerKind kind);
// "ratio, setratio, token_set_ratio, token_sort_ratio"
std::string ScorerNames();

// The form in which a scorer compares haystack names. The haystack stores its
// names in that form, so that work that does not depend on the needle (token
// splitting and sorting) is done once per name instead of once per pair, and
// names equal in that form are stored and scored once.
//   kProcessed       the processed name (ratio, setratio)
//   kSortedTokens    whitespace tokens sorted by code point, joined by one
//                    space (token_sort_ratio)
//   kSortedTokenSet  the same without repeated tokens (token_set_ratio)
enum class NameForm { kProcessed, kSortedTokens, kSortedTokenSet };
NameForm NameFormFor(ScorerKind kind);
const char* NameFormName(NameForm form);
// Writes the given form of a processed name (valid UTF-8) to *out.
void ToNameForm(NameForm form, std::string_view processed, std::string* out);

// A haystack name, in the scorer's NameForm, with what the store knows of it.
struct HayName {
  std::string_view text;  // valid UTF-8
  uint32_t cp_len = 0;    // code points
  bool ascii = false;     // every byte < 0x80
};

// A number per haystack name that a scorer's name bound reads
// (MaxScoreForName's `set_length` argument, Haystack::name_stat), computed at
// load with the signatures, at most 65535:
//   kTokenSetLength  TokenSetLength (below): WRatio
//   kTokenCount      the tokens of name.split(' '), empty ones included:
//                    setratio
enum class NameStat { kNone, kTokenSetLength, kTokenCount };

// What the exact search knows of a name beyond its characters
// (CachedScorer::MaxScoreForTokens).
struct TokenFacts {
  // Bit i set: the name may hold the i-th token of the needle's sorted token
  // set (in code point order); it holds none whose bit is clear.
  uint64_t shareable = ~0ull;
  // The name, if shorter than the needle, is not a substring of it.
  bool not_substring = false;
  // The needle, if shorter than the name, is not a substring of it.
  bool not_superstring = false;
  // If >= 0: the joined length (code points, single spaces) of the
  // needle's tokens the name holds, exactly (0: none).
  int64_t shared_length = -1;
};

class CachedScorer {
 public:
  // REQUIRES: needle is valid UTF-8 (already processed).
  static std::unique_ptr<CachedScorer> Create(ScorerKind kind, std::string_view needle,
                                              const ScorerOptions& options = ScorerOptions());
  virtual ~CachedScorer() = default;

  // The score of the needle against `hay` if it is >= cutoff, else 0.
  // REQUIRES: hay.text is in NameFormFor(kind) (see ToNameForm).
  virtual double Score(const HayName& hay, double cutoff) = 0;

  // scores[i] = Score(hays[i], cutoff) for i < count. Scorers with a SIMD
  // kernel (ratio, QRatio, token_sort_ratio with needles of up to 64 code
  // points) score runs of ASCII names of one length several per instruction.
  // REQUIRES: 8 readable bytes follow each hays[i].text (score::
  // kLcsBatchPadding; the haystack arena ends with them).
  virtual void ScoreBatch(const HayName* hays, size_t count, double cutoff, double* scores);

  // An upper bound on the score of any name with n code points. Unimodal in n
  // with its peak at PeakLength(); used to skip names by length alone.
  virtual double MaxScoreForLength(uint32_t n) const = 0;
  virtual uint32_t PeakLength() const = 0;

  // The lengths [*lo, *hi] whose MaxScoreForLength is >= cutoff (empty when
  // *lo > *hi).
  void LengthWindow(double cutoff, uint32_t* lo, uint32_t* hi) const;

  // The bigram bound that makes the exact search exact (docs/search.md):
  // an upper bound on the score of any name with n code points that shares
  // `common` bigram keys (needle/grams.h, counted as a multiset) with the
  // needle, both in the scorer's NameForm; at most MaxScoreForLength(n). Only scorers with HasGramBound() implement it; for the
  // others it is MaxScoreForLength(n).
  virtual bool HasGramBound() const { return false; }
  virtual double MaxScoreForGrams(uint32_t n, uint32_t /*common*/) const {
    return MaxScoreForLength(n);
  }

  // The character bound (needle/charsig.h, docs/search.md): an upper bound
  // on the score of any name of n code points whose overlap with the needle
  // (NeedleChars::Overlap, both in the scorer's NameForm) is at most
  // `overlap`; nondecreasing in overlap, at most MaxScoreForLength(n). Only
  // scorers with HasCharBound() implement it; for the others it is
  // MaxScoreForLength(n).
  virtual bool HasCharBound() const { return false; }
  virtual double MaxScoreForChars(uint32_t n, uint32_t /*overlap*/) const {
    return MaxScoreForLength(n);
  }
  // A finer bound for one name (in the scorer's NameForm) from its text as
  // well, its signature and its NameStat (`set_length`, 0 if unknown: the
  // length of its sorted token set for WRatio, its token count for
  // setratio); at most MaxScoreForChars(name.cp_len, overlap). Only scorers
  // with HasNameBound() refine it: partial_ratio (shared bigrams), WRatio
  // (shared tokens) and setratio (token pairs).
  // The token bound (needle/tokens.h, docs/search.md): an upper bound on the
  // score of a name of n code points whose overlap with the needle is at
  // most `overlap`, whose token set neither lies within the needle's nor
  // holds all of it (the exact search finds those names from the token
  // index), and of which `facts` holds; nondecreasing in overlap and in
  // facts.shareable's bits. The name's version refines it as
  // MaxScoreForName does. Only scorers with HasTokenBound() implement them
  // (token_set_ratio, WRatio), for needles of at most kMaxBoundTokens
  // distinct tokens.
  static constexpr size_t kMaxBoundTokens = 64;
  virtual bool HasTokenBound() const { return false; }
  // True if the bound can use TokenFacts::not_substring and not_superstring
  // (the exact search then looks up those names, when it can): WRatio.
  virtual bool TokenBoundUsesSubstrings() const { return false; }
  virtual double MaxScoreForTokens(uint32_t n, uint32_t overlap,
                                   const TokenFacts& /*facts*/) const {
    return MaxScoreForChars(n, overlap);
  }
  // `enough`: a bound below it is as good as any (the search's threshold),
  // so costlier refinements are skipped once the bound is below it.
  virtual double MaxScoreForTokenName(const HayName& name, uint32_t overlap, const CharSig& sig,
                                      uint32_t set_length, const TokenFacts& facts,
                                      double /*enough*/ = 0) const {
    return std::min(MaxScoreForTokens(name.cp_len, overlap, facts),
                    MaxScoreForName(name, overlap, sig, set_length));
  }

  // Many names' bounds at once, from their signatures (lo, hi), their
  // overlaps with the needle and their NameStats (null if unknown):
  // out[i] is at most MaxScoreForChars(n, overlaps[i]) and at least
  // MaxScoreForName of name i. Only scorers with HasSigBatchBound()
  // implement it (setratio); the exact search calls it 64 names at a time.
  virtual bool HasSigBatchBound() const { return false; }
  virtual void MaxScoreForSigs(uint32_t n, const uint64_t* /*lo*/, const uint64_t* /*hi*/,
                               const uint16_t* /*stats*/, const uint32_t* overlaps, size_t count,
                               double* out) const {
    for (size_t i = 0; i < count; ++i) out[i] = MaxScoreForChars(n, overlaps[i]);
  }

  // The NameStat its name bounds read (their `set_length` argument).
  virtual NameStat name_stat() const { return NameStat::kNone; }

  // `enough`, as above: once the bound is below it, costlier refinements
  // may be skipped (setratio's).
  virtual bool HasNameBound() const { return false; }
  virtual double MaxScoreForName(const HayName& name, uint32_t overlap, const CharSig& /*sig*/,
                                 uint32_t /*set_length*/, double /*enough*/ = 0) const {
    return MaxScoreForChars(name.cp_len, overlap);
  }
};

// True if `kind` (with `options`) has a bigram bound, hence an exact search
// from the bigram index: ratio, QRatio, token_sort_ratio, indel, lcs, and
// levenshtein with unit weights.
bool HasGramBound(ScorerKind kind, const ScorerOptions& options = ScorerOptions());
// True if `kind` has a character bound: those above, token_set_ratio,
// partial_ratio and WRatio.
bool HasCharBound(ScorerKind kind, const ScorerOptions& options = ScorerOptions());
// True if `kind` has a token bound, hence an exact search from the token
// index (needle/tokens.h): token_set_ratio and WRatio.
bool HasTokenBound(ScorerKind kind);
NameStat NameStatFor(ScorerKind kind);
uint32_t NameStatOf(NameStat stat, std::string_view processed);
// The length in code points of the name's sorted, duplicate-free whitespace
// tokens joined by single spaces (NameForm::kSortedTokenSet), capped at
// 65535; what WRatio's bound needs of a processed name.
uint32_t TokenSetLength(std::string_view processed);

// Convenience: score two processed names (no cutoff; b is converted to the
// scorer's NameForm). Slow path for tools and tests; search uses CachedScorer.
double ScorePair(ScorerKind kind, std::string_view a, std::string_view b,
                 const ScorerOptions& options = ScorerOptions());

// The raw measure behind a normalized scorer: the distance (levenshtein, indel,
// osa, damerau_levenshtein, hamming: an integer), the similarity (lcs, prefix,
// postfix: an integer; jaro, jaro_winkler: 0-1), or, for the fuzz and
// python-Levenshtein scorers, the score itself.
double RawScorePair(ScorerKind kind, std::string_view a, std::string_view b,
                    const ScorerOptions& options = ScorerOptions());

}  // namespace needle
