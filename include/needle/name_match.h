// needle/name_match.h: the `name` scorer (docs/scorers.md, "The name
// scorer") and its search (docs/search.md, "The name scorer").
//
// A name is its words: the core words and the legal-form words that the
// `name` processor keeps apart (needle/normalize.h). The score of a haystack
// name h for a needle q is
//
//   S = 100 * M / (W + beta * U)
//
//   W  the needle's weight: the sum of its word weights, plus kLegalWeight for
//      each legal-form word;
//   M  the weight it finds in h: the needle's words are aligned with h's
//      words, one to one, best similarity first (greedy); a pair of similarity
//      s (ratio / 100, counted only from kWordCutoff up) adds s times the
//      needle word's weight; a needle word may also pair with two adjacent
//      words of h written apart ("mcdonald" / "mc donald", when one of the two
//      is that end of the needle word, at least 3 code points) and two adjacent
//      needle words with one word of h ("mc donald" / "mcdonald"); a
//      one-word name pairs with all the words of a name of 3 or more whose
//      initials it spells (an acronym, kAcronymScore); each
//      legal-form word both have adds kLegalWeight;
//   U  what h has that the needle lacks: the weights of h's words left
//      unpaired, plus kLegalWeight for each legal-form word the needle lacks.
//
// Word weights are inverse document frequencies over the haystack's distinct
// names (Sparck Jones 1972): ln((N + 1) / (df + 0.5)); a needle word weighs
// as much as the most frequent haystack word within kWordCutoff of it, so a
// typo does not make a common word rare. Without a haystack (needle score)
// every word weighs kPlainWordWeight. S is 100 for names with the same words, and grows with
// every word found and with the similarity of each pair.
//
// The bound that makes the exact search exact: a haystack name that holds
// none of the words within kWordCutoff of needle word i, of its joins with its
// neighbours, or of its ends of 3 or more code points, cannot pair word i; so
// M <= R + kLegalWeight * (needle legal words), with R the weight of the words
// it can pair, and S <= 100 * that / W. NameTopK visits the words' posting
// lists heaviest first and stops when the words left cannot lift an unseen
// name to the K-th best (MaxScore, Turtle & Flood 1995).
//
// Thread safety: a built NameIndex is immutable and shared; a NameQuery and a
// NameScratch belong to one thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "needle/haystack.h"
#include "needle/match.h"
#include "needle/scorer.h"

namespace needle {

// The least similarity (ratio, 0-100) at which two words pair.
inline constexpr double kWordCutoff = 75;
// How much a needle word the haystack name lacks costs (times its weight),
// and how much a word of the name that the needle lacks costs.
inline constexpr double kMissingWeight = 1.0;
inline constexpr double kUnpairedWeight = 0.15;
// The weight of one legal-form word ("inc", "gmbh").
inline constexpr double kLegalWeight = 1.0;
// A pair of similarity s adds s^kPairPower of the needle word's weight: a
// near word counts, but clearly less than the same word.
inline constexpr double kPairPower = 2;
// Paired words in the other order cost up to this share of the score.
inline constexpr double kOrderWeight = 0.05;
// Without a haystack (needle score), every word weighs as much as a word
// held by one name in a thousand: ln(1000).
inline constexpr double kPlainWordWeight = 6.907755278982137;
// The spelling term: a pair keeps 1 - kSpellingWeight * (1 - r / 100) of its
// score, r the ratio of the two names as written (after RapidFuzz's
// default_process: lower case, punctuation to spaces). Names the words alone
// cannot tell apart ("Spanky's Food Mart" and "Spankys Food Mart" for the
// needle "Spankys Food Mart LLC") are then ranked by how alike they are
// written; it never raises a score, so every bound on the words stays one.
inline constexpr double kSpellingWeight = 0.02;
// The crowd term (docs/scorers.md): a needle whose words, each as written or
// spelt within kCrowdSpelling (ratio) of it, stand together in C > 1 names of
// the haystack keeps 1 / (1 + kCrowdWeight * log2 C) of every score. Many
// names hold "Life Center"; fewer than one in two of the best matches of such
// needles is right, so their scores should say less than those of a needle
// only one name holds (Winkler's frequency-based weights, 1989).
inline constexpr double kCrowdWeight = 0.05;
inline constexpr double kCrowdSpelling = 90;
// An acronym and the words it abbreviates pair with this similarity (ratio
// scale): "ibm" and "international business machines".
inline constexpr double kAcronymScore = 75;
// Only whole names: a one-word name and the initials of a name of at least
// this many words ("ibm", "international business machines").
inline constexpr size_t kMinAcronymWords = 3;
// The least length (code points) of the word that must match exactly for a
// needle word to pair with two words of the haystack name.
inline constexpr uint32_t kMinJoinPart = 3;
// A word and its abbreviation ("ch" and "church", "n" and "north", "st" and
// "saint" or "street") pair with this similarity (ratio scale): the same
// word as a rule, but an abbreviation may stand for another word.
inline constexpr double kAbbreviationScore = 90;
// True if one of a and b abbreviates the other (a fixed list of the
// abbreviations the name processor leaves as they are; docs/scorers.md).
bool IsAbbreviation(std::string_view a, std::string_view b);

// The words of a haystack's distinct names: a vocabulary with document
// frequencies, each name's word ids, and per word the names holding it.
class NameIndex {
 public:
  // REQUIRES: `hay` outlives the index (words are views into its names).
  static std::unique_ptr<NameIndex> Build(const Haystack& hay, int threads = 0);
  ~NameIndex();

  const Haystack& haystack() const { return hay_; }
  uint32_t names() const { return hay_.distinct(); }
  uint32_t words() const { return static_cast<uint32_t>(vocab_.size()); }
  std::string_view word(uint32_t w) const { return vocab_[w]; }
  // Distinct names holding word w among their core words.
  uint32_t df(uint32_t w) const { return post_off_[w + 1] - post_off_[w]; }
  double weight(uint32_t w) const { return weight_[w]; }
  double WeightForDf(uint32_t df) const;
  // The id of `word`, or UINT32_MAX.
  uint32_t Find(std::string_view word) const;
  // True if `word` is a legal form that is no other word ("inc", "llc",
  // "gmbh"): it then counts as one wherever it stands.
  bool IsLegalWord(std::string_view word) const {
    const uint32_t id = Find(word);
    return id != UINT32_MAX && legal_word_[id];
  }
  std::span<const uint32_t> core(uint32_t d) const {
    return {core_ids_.data() + core_off_[d], core_off_[d + 1] - core_off_[d]};
  }
  // Hints that name d's word offsets, or its words, will be read soon.
  void Prefetch(uint32_t d) const {
    __builtin_prefetch(core_off_.data() + d);
    __builtin_prefetch(legal_off_.data() + d);
  }
  void PrefetchWords(uint32_t d) const { __builtin_prefetch(core_ids_.data() + core_off_[d]); }
  std::span<const uint32_t> legal(uint32_t d) const {
    return {legal_ids_.data() + legal_off_[d], legal_off_[d + 1] - legal_off_[d]};
  }
  std::span<const uint32_t> postings(uint32_t w) const {
    return {post_.data() + post_off_[w], post_off_[w + 1] - post_off_[w]};
  }
  // Distinct names of kMinAcronymWords or more core words whose initials may spell
  // `acronym` (by hash: a few may not; the scorer checks).
  std::span<const uint32_t> AcronymNames(std::string_view acronym) const;
  // Distinct names holding word w among their legal-form words.
  std::span<const uint32_t> legal_postings(uint32_t w) const {
    return {legal_post_.data() + legal_post_off_[w], legal_post_off_[w + 1] - legal_post_off_[w]};
  }
  // The words as a haystack of their own (row = word id), with their
  // character signatures: finding the words near a needle word is a ratio
  // search of it.
  const Haystack& vocabulary() const { return *vocab_hay_; }
  size_t MemoryBytes() const;

 private:
  explicit NameIndex(const Haystack& hay) : hay_(hay) {}
  const Haystack& hay_;
  std::vector<std::string_view> vocab_;
  std::unordered_map<std::string_view, uint32_t> ids_;
  std::vector<double> weight_;
  std::vector<char> legal_word_;
  std::vector<uint32_t> core_off_, core_ids_, legal_off_, legal_ids_, post_off_, post_;
  std::vector<uint32_t> legal_post_off_, legal_post_;
  // Names of two or more core words by the hash of their initials.
  std::vector<uint64_t> acronym_hash_;
  std::vector<uint32_t> acronym_name_;
  std::unique_ptr<Haystack> vocab_hay_;
};

// A vocabulary word near a needle word, with their ratio.
struct NearWord {
  uint32_t id;
  double score;
};

// The spelling term of one needle (kSpellingWeight): Factor(name) is the
// share of the words' score that a pair with `name` keeps, in
// [1 - kSpellingWeight, 1].
class Spelling {
 public:
  explicit Spelling(std::string_view needle);
  ~Spelling();
  double Factor(std::string_view name);

 private:
  std::unique_ptr<CachedScorer> ratio_;
  std::string scratch_, form_;
};

// Per-thread scratch of NameTopK.
struct NameScratch {
  NeedleChars chars;
  RowReader rows;  // the haystack's names as written, for the spelling term
  // Words already looked up in the vocabulary, with what was near them
  // (needles share many words); cleared when it grows past kCacheWords.
  static constexpr size_t kCacheWords = 1 << 16;
  std::unordered_map<std::string, std::vector<NearWord>> near_cache;
  std::vector<uint32_t> seen;  // per distinct name: the epoch it was scored in
  uint32_t epoch = 0;
  // Starts a new epoch over n distinct names (seen sized to n); returns it.
  uint32_t NewEpoch(size_t n) {
    if (seen.size() != n) {
      seen.assign(n, 0);
      epoch = 0;
    }
    if (++epoch == 0) {
      std::fill(seen.begin(), seen.end(), 0);
      epoch = 1;
    }
    return epoch;
  }
  // The search's candidates: (bound, name).
  std::vector<std::pair<double, uint32_t>> candidates;
};

// One needle, prepared: its words, their weights and scorers; with an index,
// the words near each (for the search).
class NameQuery {
 public:
  // `processed` is the needle after the haystack's processor. index may be
  // null (every word weighs kPlainWordWeight); scratch may be null without
  // an index.
  NameQuery(std::string_view processed, const NameIndex* index, NameScratch* scratch);
  ~NameQuery();

  // The score of haystack name d (REQUIRES: an index).
  double ScoreName(uint32_t d);
  // The score of a processed name (for needle score and tests).
  double ScoreText(std::string_view processed);
  // An upper bound on ScoreName(d) from which words of d the needle's words
  // may pair (their near words, joins and ends), the legal-form words d
  // might share and the weight of d's words that none can pair
  // (docs/search.md). 100 without an index or with more than 64 words.
  double MaxScoreForName(uint32_t d);
  // Whether MaxScoreForName bounds (an index and at most 64 words).
  bool has_bound() const { return has_bound_; }
  // The score's bound for a name that can pair needle words of total weight
  // `reach` (legal words included) and has `unpaired` weight (times
  // kUnpairedWeight) that cannot pair: increasing in reach.
  double Bound(double reach, double unpaired) const {
    const double d = reach + kMissingWeight * (total_ - reach) + unpaired;
    return d > 0 ? std::min(100.0, 100 * reach / d) : 100;
  }

  // What the search needs.
  size_t words() const { return words_.size(); }
  double weight(size_t i) const { return words_[i].weight; }
  double total_weight() const { return total_; }
  double legal_weight() const { return kLegalWeight * static_cast<double>(legal_.size()); }
  const std::vector<std::string>& legal_words() const { return legal_; }
  // The vocabulary words whose posting lists hold every name that can pair
  // needle word i (sorted, unique).
  const std::vector<uint32_t>& sources(size_t i) const { return words_[i].sources; }
  // Of those, the ends of word i that a name may hold as a word of their own
  // (its neighbour then pairs too).
  const std::vector<uint32_t>& ends(size_t i) const { return words_[i].ends; }
  // Core word i of the needle.
  const std::string& text(size_t i) const { return words_[i].text; }
  // The vocabulary words within the word cutoff of word i, by id, with their ratio.
  const std::vector<NearWord>& near(size_t i) const { return words_[i].near; }
  // The names whose initials may spell word i (it may be their acronym).
  std::span<const uint32_t> acronym_names(size_t i) const { return words_[i].acronym_names; }

 private:
  struct Word {
    std::string text;
    double weight = kPlainWordWeight;
    std::unique_ptr<CachedScorer> scorer;       // ratio against this word
    std::unique_ptr<CachedScorer> join_scorer;  // ratio against this word + the next
    std::string joined;                         // this word + the next
    // With an index: the vocabulary words within kWordCutoff of the word and
    // of the join, with their ratio, by id.
    std::vector<NearWord> near, join_near;
    std::vector<uint32_t> sources, ends;
    std::span<const uint32_t> acronym_names;
  };
  // core_ids: the vocabulary ids of core (with an index), else empty.
  double Score(std::span<const std::string_view> core, std::span<const uint32_t> core_ids,
               std::span<const double> core_weights, std::span<const std::string_view> legal);
  struct Source {
    uint32_t id;     // a vocabulary word
    uint64_t words;  // bit i: needle word i may pair it
    bool end;        // an end of a needle word (its neighbour may pair too)
  };
  std::vector<Word> words_;
  std::vector<std::string> legal_;
  std::vector<Source> slots_;  // hashed by id (empty: id UINT32_MAX)
  size_t slot_mask_ = 0;
  size_t Slot(uint32_t id) const { return (id * 0x9E3779B1u) & slot_mask_; }
  std::vector<const Source*> found_;
  bool has_bound_ = false;
  bool has_acronym_word_ = false;  // some needle word may spell a name's initials
  std::string initials_;  // of the needle's words, if two or more
  std::string hay_initials_;
  double total_ = 0;
  const NameIndex* index_;
  // Scratch for Score.
  struct Pair {
    double s;
    // 0: word-word, 1: two needle words, 2: two haystack words, 3: a needle
    // word and all the name's words (an acronym), 4: all the needle's words
    // and a word of the name.
    uint8_t kind;
    uint32_t i, j;
  };
  std::vector<Pair> pairs_;
  std::vector<std::string_view> hay_core_, hay_legal_;
  std::vector<double> hay_weights_;
  std::vector<char> used_a_, used_b_;
  std::vector<std::pair<uint32_t, uint32_t>> order_;  // paired (needle, haystack) words
  std::string joined_;
};

// The top K rows for one needle under the name scorer, best first: from the
// posting lists (exact == true; the same hits as the scan) or by scoring every
// distinct name. `needle` is the needle as written (for the spelling term),
// `processed_needle` the same after the haystack's processor.
void NameTopK(const NameIndex& index, std::string_view needle, std::string_view processed_needle,
              size_t top_k, double cutoff, bool exact, NameScratch* scratch, std::vector<Hit>* out,
              SearchStats* stats = nullptr);

// The needle's crowd: the number of distinct names of the haystack that hold
// every core word of q, each as written or as a word of the vocabulary
// within kCrowdSpelling of it (its near words); 0 without an index, with no
// word or more than 64, or when some word has no such spelling. Found in the
// posting lists of the word whose lists are shortest, in an epoch of its own
// of scratch->seen.
size_t NameCrowd(NameQuery& q, const NameIndex& index, NameScratch* scratch);
// The share of its score a needle of crowd C keeps: 1 / (1 + kCrowdWeight *
// log2 C), 1 for C <= 1.
double CrowdFactor(size_t crowd);

// The name scorer between two processed names, every word weighing
// kPlainWordWeight, without the spelling term.
double NameScorePair(std::string_view a, std::string_view b);
// The same with the spelling term of the names as written, a and b (needle
// score -s name).
double NameScorePair(std::string_view a, std::string_view b, std::string_view processed_a,
                     std::string_view processed_b);

}  // namespace needle
