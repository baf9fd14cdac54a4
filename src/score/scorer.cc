// The scorers of needle/scorer.h. Every one keeps its needle's preparation
// (code points, token lists, pattern masks) and its scratch buffers in the
// CachedScorer, so scoring a haystack name allocates nothing once warm.
#include "needle/scorer.h"

#include <algorithm>

#include "needle/grams.h"
#include "needle/name_match.h"
#include "score/edit_measures.h"
#include "score/lcs_batch.h"
#include "score/lcs_hyyro2004.h"
#include "score/munkres.h"
#include "text/utf8.h"

namespace needle {

namespace score {

void PatternMask::Build(std::u32string_view pattern) {
  const size_t words = (pattern.size() + 63) / 64;
  const size_t stride = std::max<size_t>(words, 1);
  if (ascii_.size() != 256 * stride) {
    ascii_.assign(256 * stride, 0);
  } else {
    // Rebuilt often (token scorers): clear only the rows the last pattern set.
    for (char32_t c : touched_) {
      for (size_t w = 0; w < stride; ++w) ascii_[static_cast<size_t>(c) * stride + w] = 0;
    }
  }
  touched_.clear();
  len_ = pattern.size();
  words_ = words;
  zeros_.assign(stride, 0);
  size_t non_ascii = 0;
  for (char32_t c : pattern) non_ascii += c >= 256;
  keys_.clear();
  vals_.clear();
  if (non_ascii > 0) {
    size_t cap = 8;
    while (cap < non_ascii * 2) cap <<= 1;
    slot_mask_ = cap - 1;
    keys_.assign(cap, 0);
    vals_.assign(cap * words_, 0);
  }
  for (size_t i = 0; i < len_; ++i) {
    const char32_t c = pattern[i];
    const uint64_t bit = 1ull << (i % 64);
    if (c < 256) {
      touched_.push_back(c);
      ascii_[static_cast<size_t>(c) * words_ + i / 64] |= bit;
      continue;
    }
    size_t s = Hash(c) & slot_mask_;
    while (keys_[s] != 0 && keys_[s] != c) s = (s + 1) & slot_mask_;
    keys_[s] = c;
    vals_[s * words_ + i / 64] |= bit;
  }
}

}  // namespace score

namespace {

using score::CommonPrefix;
using score::CommonSuffix;
using score::DamerauLevenshteinDistance;
using score::HammingDistance;
using score::JaroSimilarity;
using score::JaroWinklerSimilarity;
using score::LcsHyyro2004;
using score::LevenshteinHyyro2003;
using score::LevenshteinWagnerFischer;
using score::OsaDistance;
using score::PatternMask;

// RapidFuzz's Indel normalized similarity x 100.
inline double IndelRatio(size_t lcs, size_t lensum) {
  if (lensum == 0) return 100.0;
  const size_t dist = lensum - 2 * lcs;
  return (1.0 - static_cast<double>(dist) / static_cast<double>(lensum)) * 100.0;
}

// The most an LCS of names of m and n code points sharing `common` bigram keys
// can be (docs/search.md): an alignment with L matched code points leaves at
// least (m - 1) - 2 (m - L) - (n - L) of the needle's bigrams intact (an
// unmatched needle code point breaks at most the 2 bigrams it is in; an
// unmatched hay code point between two matched ones breaks the 1 bigram
// spanning the gap), and intact bigrams are shared, so common >= 3 L - m - n
// - 1.
inline size_t LcsBoundFromGrams(size_t m, size_t n, size_t common) {
  return std::min({m, n, (m + n + 1 + common) / 3});
}

// The character bound's common shape (docs/search.md): with y = min(overlap,
// k), IndelRatio(y, k + y), the most a ratio between a string of k code
// points and one of at least y can be when they have at most y in common;
// 100 when k = 0. Rises with overlap, falls with k.
inline double ShareBound(size_t overlap, size_t k) {
  if (k == 0) return 100.0;
  const size_t y = std::min(overlap, k);
  return IndelRatio(y, k + y);
}

// The most partial_ratio can be for a shorter name of k code points when the
// two names share `common` bigram keys (docs/search.md): a window w (at most
// k long) with LCS L against the shorter name shares at least 3L - k - |w| - 1
// bigrams with it (the count filter), and at most `common`; the best the
// ratio 2L / (k + |w|) can then be, over real L <= |w|, is at |w| = L =
// min(k, (common + k + 1) / 2). A margin covers the score's own rounding.
inline double PartialGramBound(size_t common, size_t k) {
  if (k == 0) return 100.0;
  const double kd = static_cast<double>(k);
  const double lcs = std::min(kd, (static_cast<double>(common) + kd + 1.0) / 2.0);
  return std::min(100.0, 200.0 * lcs / (kd + lcs) + 1e-9);
}

// The number of bigram keys (needle/grams.h) a name shares with a fixed
// needle, as a multiset.
class GramCounter {
 public:
  void SetNeedle(std::string_view needle) {
    std::vector<uint32_t> keys;
    AppendGramKeys(needle, &keys);
    std::sort(keys.begin(), keys.end());
    keys_.clear();
    counts_.clear();
    for (uint32_t k : keys) {
      if (keys_.empty() || keys_.back() != k) {
        keys_.push_back(k);
        counts_.push_back(0);
      }
      ++counts_.back();
    }
    used_.assign(keys_.size(), 0);
    // The slot of each ASCII key (a pair of ASCII code points), for names
    // that are all ASCII: no decoding and no search.
    ascii_slot_.assign(kAsciiGramKeys, -1);
    for (size_t i = 0; i < keys_.size() && keys_[i] < kAsciiGramKeys; ++i) {
      ascii_slot_[keys_[i]] = static_cast<int32_t>(i);
    }
  }
  uint32_t Common(std::string_view name) const {
    uint32_t common = 0;
    auto count = [&](size_t i) {
      if (used_[i] < counts_[i]) {
        if (used_[i]++ == 0) touched_.push_back(i);
        ++common;
      }
    };
    if (text::IsAscii(name)) {
      for (size_t j = 1; j < name.size(); ++j) {
        const int32_t i = ascii_slot_[GramKey(static_cast<unsigned char>(name[j - 1]),
                                              static_cast<unsigned char>(name[j]))];
        if (i >= 0) count(static_cast<size_t>(i));
      }
    } else {
      scratch_.clear();
      AppendGramKeys(name, &scratch_);
      for (uint32_t k : scratch_) {
        const auto it = std::lower_bound(keys_.begin(), keys_.end(), k);
        if (it != keys_.end() && *it == k) count(static_cast<size_t>(it - keys_.begin()));
      }
    }
    for (size_t i : touched_) used_[i] = 0;
    touched_.clear();
    return common;
  }

 private:
  std::vector<uint32_t> keys_, counts_;
  std::vector<int32_t> ascii_slot_;  // kAsciiGramKeys: the key's index in keys_, or -1
  mutable std::vector<uint32_t> used_, scratch_;
  mutable std::vector<size_t> touched_;
};

// RapidFuzz's norm_distance<100>, used inside token_set_ratio.
inline double NormDistance100(size_t dist, size_t lensum) {
  if (lensum == 0) return 100.0;
  return 100.0 - 100.0 * static_cast<double>(dist) / static_cast<double>(lensum);
}

// Whitespace-separated tokens of s (no empty tokens), as views into s.
void SplitWhitespace(std::u32string_view s, std::vector<std::u32string_view>* out) {
  out->clear();
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && text::IsSpace(s[i])) ++i;
    const size_t b = i;
    while (i < s.size() && !text::IsSpace(s[i])) ++i;
    if (i > b) out->push_back(s.substr(b, i - b));
  }
}

// Python's s.split(' '): empty tokens kept, only U+0020 separates.
void SplitSpace(std::u32string_view s, std::vector<std::u32string_view>* out) {
  out->clear();
  size_t b = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == U' ') {
      out->push_back(s.substr(b, i - b));
      b = i + 1;
    }
  }
}

// The same on bytes, for ASCII names.
void SplitSpaceBytes(std::string_view s, std::vector<std::string_view>* out) {
  out->clear();
  size_t b = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ' ') {
      out->push_back(s.substr(b, i - b));
      b = i + 1;
    }
  }
}

void Join(const std::vector<std::u32string_view>& tokens, std::u32string* out) {
  out->clear();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) out->push_back(U' ');
    out->append(tokens[i]);
  }
}

size_t JoinedLength(const std::vector<std::u32string_view>& tokens) {
  size_t n = tokens.empty() ? 0 : tokens.size() - 1;
  for (auto t : tokens) n += t.size();
  return n;
}

void SortedTokens(std::u32string_view s, std::vector<std::u32string_view>* tokens) {
  SplitWhitespace(s, tokens);
  std::sort(tokens->begin(), tokens->end());
}

// Shared by all scorers: needle code points, scratch buffers, the length
// window helper.
class ScorerBase : public CachedScorer {
 protected:
  explicit ScorerBase(std::string_view needle) { text::Decode(needle, &needle_); }

  // The hay's code points, in scratch (ASCII is widened byte by byte).
  std::u32string_view HayCodePoints(const HayName& hay) {
    if (hay.ascii) {
      hay_cp_.resize(hay.text.size());
      for (size_t i = 0; i < hay.text.size(); ++i) {
        hay_cp_[i] = static_cast<unsigned char>(hay.text[i]);
      }
    } else {
      text::Decode(hay.text, &hay_cp_);
    }
    return hay_cp_;
  }

  uint64_t* Words(size_t n) {
    if (words_.size() < n) words_.resize(n);
    return words_.data();
  }

  size_t Lcs(const PatternMask& pm, std::u32string_view text) {
    return LcsHyyro2004(pm, text.data(), text.size(), Words(pm.words()));
  }

  std::u32string needle_;
  std::u32string hay_cp_;
  std::vector<uint64_t> words_;
};

class RatioScorer final : public ScorerBase {
 public:
  // empty_is_zero: QRatio, which scores 0 when either name is empty.
  RatioScorer(std::string_view needle, bool empty_is_zero)
      : ScorerBase(needle), empty_is_zero_(empty_is_zero) {
    pm_.Build(needle_);
    if (!needle_.empty() && needle_.size() <= 32) {
      const uint64_t* table = pm_.AsciiTable();
      masks32_.assign(table, table + 256);
    }
  }

  double Score(const HayName& hay, double cutoff) override {
    const size_t m = needle_.size(), n = hay.cp_len;
    if (empty_is_zero_ && (m == 0 || n == 0)) return 0;
    if (cutoff > 0 && IndelRatio(std::min(m, n), m + n) < cutoff) return 0;
    size_t lcs;
    if (hay.ascii) {
      lcs = LcsHyyro2004(pm_, hay.text.data(), hay.text.size(), Words(pm_.words()));
    } else {
      lcs = Lcs(pm_, HayCodePoints(hay));
    }
    const double s = IndelRatio(lcs, m + n);
    return s >= cutoff ? s : 0;
  }
  // Runs of ASCII names of one length go through the SIMD kernel together;
  // the rest one by one.
  void ScoreBatch(const HayName* hays, size_t count, double cutoff, double* scores) override {
    const size_t m = needle_.size();
    if (m == 0 || pm_.words() != 1 || !score::LcsBatchEnabled()) {
      CachedScorer::ScoreBatch(hays, count, cutoff, scores);
      return;
    }
    size_t k = 0;
    for (size_t i = 0; i < count; ++i) {
      const size_t n = hays[i].cp_len;
      scores[i] = 0;
      if (n == 0 || !hays[i].ascii) {
        scores[i] = Score(hays[i], cutoff);
        continue;
      }
      if (cutoff > 0 && IndelRatio(std::min(m, n), m + n) < cutoff) continue;
      if (k > 0 && hays[batch_index_[0]].cp_len != n) {
        FinishBatch(k, cutoff, hays, scores);
        k = 0;
      }
      batch_index_[k] = static_cast<uint32_t>(i);
      batch_texts_[k] = hays[i].text.data();
      if (++k == kMaxBatch) {
        FinishBatch(k, cutoff, hays, scores);
        k = 0;
      }
    }
    FinishBatch(k, cutoff, hays, scores);
  }

  double MaxScoreForLength(uint32_t n) const override {
    if (empty_is_zero_ && (needle_.empty() || n == 0)) return 0;
    return IndelRatio(std::min<size_t>(needle_.size(), n), needle_.size() + n);
  }
  uint32_t PeakLength() const override { return static_cast<uint32_t>(needle_.size()); }
  bool HasGramBound() const override { return true; }
  double MaxScoreForGrams(uint32_t n, uint32_t common) const override {
    const size_t m = needle_.size();
    if (empty_is_zero_ && (m == 0 || n == 0)) return 0;
    return IndelRatio(LcsBoundFromGrams(m, n, common), m + n);
  }
  // LCS <= the overlap.
  bool HasCharBound() const override { return true; }
  double MaxScoreForChars(uint32_t n, uint32_t overlap) const override {
    const size_t m = needle_.size();
    if (empty_is_zero_ && (m == 0 || n == 0)) return 0;
    return IndelRatio(std::min<size_t>({m, n, overlap}), m + n);
  }

 private:
  static constexpr size_t kMaxBatch = 64;

  // Scores hays[batch_index_[0..k)], ASCII names of one length.
  void FinishBatch(size_t k, double cutoff, const HayName* hays, double* scores) {
    if (k == 0) return;
    const size_t m = needle_.size();
    const auto len = static_cast<uint32_t>(hays[batch_index_[0]].cp_len);
    const auto [lowest, highest] = std::minmax_element(batch_texts_, batch_texts_ + k);
    if (m <= 32 && *highest - *lowest < (1LL << 30)) {
      const uint32_t tail = m == 32 ? ~0u : ((1u << m) - 1);
      score::LcsBatch32(masks32_.data(), tail, batch_texts_, len, k, batch_lcs_);
    } else {
      const uint64_t tail = m == 64 ? ~0ull : ((1ull << m) - 1);
      score::LcsBatch64(pm_.AsciiTable(), tail, batch_texts_, len, k, batch_lcs_);
    }
    for (size_t j = 0; j < k; ++j) {
      const double s = IndelRatio(batch_lcs_[j], m + len);
      scores[batch_index_[j]] = s >= cutoff ? s : 0;
    }
  }

  PatternMask pm_;
  std::vector<uint32_t> masks32_;  // pm_'s ASCII table in 32-bit lanes (m <= 32)
  bool empty_is_zero_;
  uint32_t batch_index_[kMaxBatch], batch_lcs_[kMaxBatch];
  const char* batch_texts_[kMaxBatch];
};

// The most the tokens of `tokens` (sorted, duplicate-free) that a name may
// share with it join to (with single spaces), for a name that holds no
// token but those whose bit is set in `shareable` and does not hold them
// all: the joined length of those tokens, less the shortest token and a
// space when they are all of them.
inline size_t SharedLength(const std::vector<std::u32string_view>& tokens, uint64_t shareable) {
  size_t total = 0, shortest = SIZE_MAX, count = 0;
  for (size_t i = 0; i < tokens.size() && i < 64; ++i) {
    if (!(shareable >> i & 1)) continue;
    total += tokens[i].size() + 1;
    shortest = std::min(shortest, tokens[i].size());
    ++count;
  }
  if (count == 0) return 0;
  total -= 1;
  if (count < tokens.size()) return total;
  return count > 1 ? total - shortest - 1 : 0;
}

// A needle's distinct tokens as UTF-8, in a small open-addressing set, to
// find the tokens a name shares with it.
class TokenLookup {
 public:
  void Reset(const std::vector<std::u32string_view>& tokens) {
    size_t cap = 16;
    while (cap < 2 * tokens.size()) cap <<= 1;
    mask_ = cap - 1;
    slots_.assign(cap, -1);
    bytes_.clear();
    lengths_.clear();
    for (size_t i = 0; i < tokens.size(); ++i) {
      bytes_.push_back(text::Encode(tokens[i]));
      lengths_.push_back(tokens[i].size());
      size_t h = Hash(bytes_[i]) & mask_;
      while (slots_[h] >= 0) h = (h + 1) & mask_;
      slots_[h] = static_cast<int>(i);
    }
    seen_.assign(tokens.size(), 0);
  }
  // The joined length (code points, single spaces) of the distinct tokens
  // of `text` (UTF-8, tokens apart by whitespace) that are the needle's; 0
  // if none.
  size_t SharedLength(std::string_view text) const {
    size_t total = 0, count = 0;
    ++epoch_;
    auto token = [&](std::string_view t) {
      const int i = Find(t);
      if (i >= 0 && seen_[static_cast<size_t>(i)] != epoch_) {
        seen_[static_cast<size_t>(i)] = epoch_;
        total += lengths_[static_cast<size_t>(i)];
        ++count;
      }
    };
    size_t begin = std::string_view::npos;
    for (size_t pos = 0; pos < text.size();) {
      const size_t at = pos;
      const auto byte = static_cast<unsigned char>(text[pos]);
      const char32_t c = byte < 0x80 ? static_cast<char32_t>(text[pos++]) : text::DecodeOne(text, &pos);
      if (text::IsSpace(c)) {
        if (begin != std::string_view::npos) token(text.substr(begin, at - begin));
        begin = std::string_view::npos;
      } else if (begin == std::string_view::npos) {
        begin = at;
      }
    }
    if (begin != std::string_view::npos) token(text.substr(begin));
    return count == 0 ? 0 : total + count - 1;
  }

 private:
  static size_t Hash(std::string_view s) {
    size_t h = 14695981039346656037ull;  // FNV-1a: tokens are short
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return h;
  }
  int Find(std::string_view token) const {
    for (size_t h = Hash(token) & mask_; slots_[h] >= 0; h = (h + 1) & mask_) {
      if (bytes_[static_cast<size_t>(slots_[h])] == token) return slots_[h];
    }
    return -1;
  }
  std::vector<std::string> bytes_;
  std::vector<size_t> lengths_;
  std::vector<int> slots_;
  size_t mask_ = 0;
  mutable std::vector<uint32_t> seen_;
  mutable uint32_t epoch_ = 0;
};

// Bit i set if the i-th of `tokens` (signatures of the needle's tokens) may
// be a token of a name with signature `sig`: a token's counts are at most
// its name's in every bucket. Bits past the last token are set; with more
// than 64 tokens, all are.
inline uint64_t FittingTokens(const std::vector<CharSig>& tokens, const CharSig& sig) {
  if (tokens.size() > 64) return ~0ull;
  uint64_t mask = tokens.size() == 64 ? 0 : ~0ull << tokens.size();
  for (size_t i = 0; i < tokens.size() && i < 64; ++i) {
    const CharSig& t = tokens[i];
    if (((t.lo & ~sig.lo) | (t.hi & ~sig.hi)) == 0) mask |= 1ull << i;
  }
  return mask;
}

// token_set_ratio's bound (docs/search.md) for sets of m and n code points
// with overlap at most h, neither holding the other, whose shared tokens
// join to at most `shared`: the differences' term (and the ratio of sets
// sharing nothing) is 200 L / (m + n) with L <= min(h, m, n), and not 100
// (that needs equal sets); the intersection's terms 200 s / (s + m) and
// 200 s / (s + n) rise with s <= min(shared, h, m - 2, n - 2). A margin
// covers the score's own rounding (NormDistance100).
inline double TokenSetBound(size_t m, size_t n, size_t h, size_t shared) {
  if (m == 0 || n == 0) return 0;
  const size_t common = std::min({h, m, n});
  double best = 100.0 * static_cast<double>(std::min(2 * common, m + n - 1)) /
                static_cast<double>(m + n);
  if (m >= 3 && n >= 3) {
    const size_t s = std::min({shared, common, m - 2, n - 2});
    if (s > 0) {
      best = std::max({best, 200.0 * static_cast<double>(s) / static_cast<double>(s + m),
                       200.0 * static_cast<double>(s) / static_cast<double>(s + n)});
    }
  }
  return std::min(100.0, best + 1e-9);
}

// RapidFuzz's token_set_ratio on two sorted, duplicate-free token lists.
// *subset is set when the subset rule gave 100.
class TokenSetCore {
 public:
  double Compute(const std::vector<std::u32string_view>& a,
                 const std::vector<std::u32string_view>& b, double cutoff,
                 std::vector<uint64_t>* words) {
    if (a.empty() || b.empty()) return 0;
    // Merge the two sorted token lists into intersection and differences.
    sect_.clear();
    diff_ab_.clear();
    diff_ba_.clear();
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
      if (j == b.size() || (i < a.size() && a[i] < b[j])) {
        diff_ab_.push_back(a[i++]);
      } else if (i == a.size() || b[j] < a[i]) {
        diff_ba_.push_back(b[j++]);
      } else {
        sect_.push_back(a[i++]);
        ++j;
      }
    }
    if (!sect_.empty() && (diff_ab_.empty() || diff_ba_.empty())) return 100.0;
    const size_t sect_len = JoinedLength(sect_);
    const size_t ab_len = JoinedLength(diff_ab_), ba_len = JoinedLength(diff_ba_);
    const size_t sep = sect_len ? 1 : 0;
    const size_t sect_ab_len = sect_len + sep + ab_len;
    const size_t sect_ba_len = sect_len + sep + ba_len;
    double best = 0;
    if (sect_len) {
      best = std::max(NormDistance100(sep + ab_len, sect_len + sect_ab_len),
                      NormDistance100(sep + ba_len, sect_len + sect_ba_len));
    }
    // The differences' term needs an LCS; their indel distance is at least
    // their length difference, so skip it when even that cannot win.
    const size_t min_dist = ab_len > ba_len ? ab_len - ba_len : ba_len - ab_len;
    const double diff_bound = NormDistance100(min_dist, sect_ab_len + sect_ba_len);
    if (diff_bound > best && diff_bound >= cutoff) {
      Join(diff_ab_, &ab_);
      Join(diff_ba_, &ba_);
      // Indel distance of the two differences; the shared intersection prefix
      // of both longer strings does not change it.
      pm_.Build(ab_);
      if (words->size() < pm_.words()) words->resize(pm_.words());
      const size_t dist =
          ab_len + ba_len - 2 * LcsHyyro2004(pm_, ba_.data(), ba_.size(), words->data());
      best = std::max(best, NormDistance100(dist, sect_ab_len + sect_ba_len));
    }
    return best;
  }

 private:
  std::vector<std::u32string_view> sect_, diff_ab_, diff_ba_;
  std::u32string ab_, ba_;
  PatternMask pm_;
};

class TokenSetScorer final : public ScorerBase {
 public:
  explicit TokenSetScorer(std::string_view needle) : ScorerBase(needle) {
    SortedTokens(needle_, &needle_tokens_);
    needle_tokens_.erase(std::unique(needle_tokens_.begin(), needle_tokens_.end()),
                         needle_tokens_.end());
    Join(needle_tokens_, &needle_joined_);
    pm_.Build(needle_joined_);
    lookup_.Reset(needle_tokens_);
  }

  // The hay is stored as its sorted token set (NameForm::kSortedTokenSet):
  // tokens joined by single spaces.
  double Score(const HayName& hay, double cutoff) override {
    if (needle_tokens_.empty() || hay.cp_len == 0) return 0;  // a name without tokens
    if (lookup_.SharedLength(hay.text) == 0) {
      // No common token: the intersection is empty and the differences are
      // the two whole token sets, so the score is the ratio of the needle's
      // joined set and the stored hay: one LCS with the needle's cached
      // masks, after a length bound.
      const size_t m = needle_joined_.size(), n = hay.cp_len;
      if (cutoff > 0 && NormDistance100(m > n ? m - n : n - m, m + n) < cutoff) return 0;
      const size_t lcs =
          hay.ascii ? LcsHyyro2004(pm_, hay.text.data(), hay.text.size(), Words(pm_.words()))
                    : Lcs(pm_, HayCodePoints(hay));
      const double s = NormDistance100(m + n - 2 * lcs, m + n);
      return s >= cutoff ? s : 0;
    }
    SplitWhitespace(HayCodePoints(hay), &hay_tokens_);
    const double s = core_.Compute(needle_tokens_, hay_tokens_, cutoff, &words_);
    return s >= cutoff ? s : 0;
  }
  double MaxScoreForLength(uint32_t) const override { return 100.0; }
  uint32_t PeakLength() const override { return 0; }
  // Every term is at most ShareBound(overlap, min(m, n)) on the two stored
  // sets (docs/search.md), the subset rule's 100 included.
  // The score's arithmetic (NormDistance100) differs from the bound's, so a
  // margin keeps the bound above an equal score as doubles.
  bool HasCharBound() const override { return true; }
  double MaxScoreForChars(uint32_t n, uint32_t overlap) const override {
    if (needle_tokens_.empty() || n == 0) return 0;
    return std::min(100.0, ShareBound(overlap, std::min<size_t>(needle_joined_.size(), n)) + 1e-9);
  }
  // With s the shared tokens' joined length (s <= overlap, s <= n - 2 and
  // s <= m - 2 when neither set holds the other, s <= SharedLength): the
  // differences' term and a name sharing nothing score at most
  // 200 min(h, m, n) / (m + n), and below 100 (only equal sets score 100
  // there), the intersection's terms 200 s / (s + m) and 200 s / (s + n)
  // (docs/search.md).
  bool HasTokenBound() const override { return true; }
  double MaxScoreForTokens(uint32_t n, uint32_t overlap, const TokenFacts& facts) const override {
    const size_t m = needle_joined_.size();
    if (needle_tokens_.empty() || n == 0) return 0;
    return TokenSetBound(m, n, overlap,
                         facts.shared_length >= 0 ? static_cast<size_t>(facts.shared_length)
                                                  : SharedLength(needle_tokens_, facts.shareable));
  }
  // And only the tokens that fit in the name's signature can be shared.
  double MaxScoreForTokenName(const HayName& name, uint32_t overlap, const CharSig& sig,
                              uint32_t /*set_length*/, const TokenFacts& facts,
                              double /*enough*/) const override {
    const size_t m = needle_joined_.size();
    if (needle_tokens_.empty() || name.cp_len == 0) return 0;
    if (token_sigs_.empty()) {
      for (const auto token : needle_tokens_) token_sigs_.push_back(MakeCharSig(text::Encode(token)));
    }
    const size_t shared =
        facts.shared_length >= 0
            ? static_cast<size_t>(facts.shared_length)
            : SharedLength(needle_tokens_, facts.shareable & FittingTokens(token_sigs_, sig));
    return TokenSetBound(m, name.cp_len, overlap, shared);
  }

 private:

  std::vector<std::u32string_view> needle_tokens_, hay_tokens_;
  std::u32string needle_joined_;
  mutable std::vector<CharSig> token_sigs_;  // of needle_tokens_, made on first use
  PatternMask pm_;
  TokenLookup lookup_;
  TokenSetCore core_;
};

// RapidFuzz's token_ratio: the better of token_sort_ratio and token_set_ratio,
// computed together. The hay is stored sorted (NameForm::kSortedTokens).
class TokenRatioScorer final : public ScorerBase {
 public:
  explicit TokenRatioScorer(std::string_view needle) : ScorerBase(needle) {
    SortedTokens(needle_, &needle_sorted_);
    Join(needle_sorted_, &needle_joined_);
    pm_.Build(needle_joined_);
    needle_set_ = needle_sorted_;
    needle_set_.erase(std::unique(needle_set_.begin(), needle_set_.end()), needle_set_.end());
  }

  double Score(const HayName& hay, double cutoff) override {
    const double best = ScoreText(HayCodePoints(hay), cutoff);
    return best >= cutoff ? best : 0;
  }

  // The score of a hay given as the code points of its sorted form (WRatio
  // calls this with a form it made itself).
  double ScoreText(std::u32string_view text, double cutoff = 0) {
    SplitWhitespace(text, &hay_set_);
    if (needle_set_.empty() || hay_set_.empty()) return 0;
    hay_set_.erase(std::unique(hay_set_.begin(), hay_set_.end()), hay_set_.end());
    double best = core_.Compute(needle_set_, hay_set_, cutoff, &words_);
    if (best < 100.0) {
      best = std::max(best, IndelRatio(Lcs(pm_, text), needle_joined_.size() + text.size()));
    }
    return best;
  }
  double MaxScoreForLength(uint32_t) const override { return 100.0; }
  uint32_t PeakLength() const override { return 0; }

 private:
  std::vector<std::u32string_view> needle_sorted_, needle_set_, hay_set_;
  std::u32string needle_joined_;
  PatternMask pm_;
  TokenSetCore core_;
};

class SetRatioScorer final : public ScorerBase {
 public:
  explicit SetRatioScorer(std::string_view needle) : ScorerBase(needle) {
    SplitSpace(needle_, &needle_tokens_);
    masks_.resize(needle_tokens_.size());
    for (size_t i = 0; i < needle_tokens_.size(); ++i) masks_[i].Build(needle_tokens_[i]);
    // The character bound (docs/search.md, "setratio"): the best sum of pair
    // ratios that `c` shared code points can buy, for every c up to the
    // needle's length.
    std::vector<uint32_t> lengths;
    for (const auto& t : needle_tokens_) {
      if (t.empty()) {
        ++empty_tokens_;
      } else {
        lengths.push_back(static_cast<uint32_t>(t.size()));
      }
    }
    best_sum_.resize(needle_.size() + 1);
    FillBestSums(lengths, needle_.size(), &best_sum_);
    if (!lengths.empty() && lengths.size() <= kMaxTokenCaps) {
      for (const auto& t : needle_tokens_) {
        if (t.empty()) continue;
        token_chars_.emplace_back(text::Encode(t));
        const auto l = static_cast<uint32_t>(t.size());
        token_lengths_.push_back(l);
        std::vector<double>& terms = token_terms_.emplace_back();
        for (uint32_t x = 0; x <= l; ++x) terms.push_back(PairRatioBound(l, x));
      }
    }
  }

  double Score(const HayName& hay, double cutoff) override {
    const size_t na = needle_tokens_.size();
    // Token count without decoding: every ' ' byte is one separator.
    const size_t nb_fast =
        1 + static_cast<size_t>(std::count(hay.text.begin(), hay.text.end(), ' '));
    const double lensum = static_cast<double>(na + nb_fast);
    // setratio = (lensum - sum) / lensum, where sum = (n_rows - n_cols) plus,
    // for every column, 2 d / l of its assigned pair. Whatever pair the
    // assignment picks, that term is at least the column's smallest 2 d / l,
    // so the column minima bound the score from above. With pair ratios of at
    // most 1, sum >= |na - nb| before any work. That bound is evaluated with
    // the very expression the score uses, so rounding cannot put it below a
    // score (2 min / (na + nb) written otherwise can come out 1 ulp lower).
    const double needed = cutoff > 0 ? lensum * (1.0 - cutoff / 100.0) : 0;  // sum must be <= this
    const double least_sum = static_cast<double>(na > nb_fast ? na - nb_fast : nb_fast - na);
    if (cutoff > 0 && (lensum - least_sum) / lensum * 100.0 < cutoff) return 0;
    if (hay.ascii) {
      SplitSpaceBytes(hay.text, &hay_bytes_);
    } else {
      SplitSpace(HayCodePoints(hay), &hay_tokens_);
    }
    const size_t nb = hay.ascii ? hay_bytes_.size() : hay_tokens_.size();
    auto hay_len = [&](size_t b) {
      return hay.ascii ? hay_bytes_[b].size() : hay_tokens_[b].size();
    };
    const bool needle_cols = na <= nb;
    const size_t n_cols = needle_cols ? na : nb, n_rows = needle_cols ? nb : na;
    auto len_col = [&](size_t j) { return needle_cols ? needle_tokens_[j].size() : hay_len(j); };
    auto len_row = [&](size_t i) { return needle_cols ? hay_len(i) : needle_tokens_[i].size(); };
    // Bound from lengths alone: d >= |la - lb|.
    if (cutoff > 0) {
      double bound = static_cast<double>(n_rows - n_cols);
      for (size_t col = 0; col < n_cols && bound <= needed; ++col) {
        double best = 2.0;
        for (size_t row = 0; row < n_rows; ++row) {
          const size_t la = len_col(col), lb = len_row(row), l = la + lb;
          const double t = l == 0 ? 0.0
                                  : 2.0 * static_cast<double>(la > lb ? la - lb : lb - la) /
                                        static_cast<double>(l);
          best = std::min(best, t);
        }
        bound += best;
      }
      if (bound > needed + 1e-9) return 0;
    }
    // Indel distance of every needle token (a) with every hay token (b).
    dist_.resize(na * nb);
    for (size_t a = 0; a < na; ++a) {
      for (size_t b = 0; b < nb; ++b) {
        const size_t la = needle_tokens_[a].size(), lb = hay_len(b);
        const size_t lcs =
            hay.ascii ? LcsHyyro2004(masks_[a], hay_bytes_[b].data(), hay_bytes_[b].size(),
                                     Words(masks_[a].words()))
                      : Lcs(masks_[a], hay_tokens_[b]);
        dist_[a * nb + b] = la + lb - 2 * lcs;
      }
    }
    auto d = [&](size_t row, size_t col) {
      return needle_cols ? dist_[col * nb + row] : dist_[row * nb + col];
    };
    // Bound from the true distances: each column's best pair.
    if (cutoff > 0) {
      double bound = static_cast<double>(n_rows - n_cols);
      for (size_t col = 0; col < n_cols && bound <= needed; ++col) {
        double best = 2.0;
        for (size_t row = 0; row < n_rows; ++row) {
          const size_t l = len_col(col) + len_row(row);
          best = std::min(best, l == 0 ? 0.0
                                       : 2.0 * static_cast<double>(d(row, col)) /
                                             static_cast<double>(l));
        }
        bound += best;
      }
      if (bound > needed + 1e-9) return 0;
    }
    // python-Levenshtein 0.12 fills the cost matrix row by row with a pointer
    // into the column list that only advances when the pair is not two empty
    // strings: after an empty row meets an empty column, every later entry of
    // that row is 0. Reproduced on purpose: it decides which assignment wins
    // among ties, and so the score of names with runs of spaces ("A & B").
    costs_.resize(n_cols * n_rows);
    for (size_t row = 0; row < n_rows; ++row) {
      size_t k = 0;  // the column the C code's pointer is at
      for (size_t col = 0; col < n_cols; ++col) {
        const size_t l = len_row(row) + len_col(k);
        if (l == 0) {
          costs_[row * n_cols + col] = 0.0;
        } else {
          costs_[row * n_cols + col] = static_cast<double>(d(row, k)) / static_cast<double>(l);
          ++k;
        }
      }
    }
    const std::vector<size_t>& map = score::MunkresAssign(n_cols, n_rows, &costs_, &munkres_);
    double sum = static_cast<double>(n_rows - n_cols);
    for (size_t col = 0; col < n_cols; ++col) {
      const size_t row = map[col];
      const size_t l = len_col(col) + len_row(row);
      if (l > 0) sum += 2.0 * static_cast<double>(d(row, col)) / static_cast<double>(l);
    }
    const double total = static_cast<double>(na + nb);
    const double s = (total - sum) / total * 100.0;
    return s >= cutoff ? s : 0;
  }
  double MaxScoreForLength(uint32_t) const override { return 100.0; }
  // Any length may score 100; the needle's own is searched first.
  uint32_t PeakLength() const override { return static_cast<uint32_t>(needle_.size()); }

  // setratio = 200 (e + sum of the pair ratios 2 lcs / (la + lb)) / (na + nb),
  // e the pairs of two empty tokens. A pair ratio is at most 2 x / (la + x)
  // with x = lcs <= lb, and the pairs' LCSs share no code point, so they sum
  // to at most the overlap: the pair ratios sum to at most best_sum_[overlap]
  // (W). At most min(na, nb) pairs: the score is at most 200 min(W, nb) /
  // (na + nb) <= 200 W / (na + W) whatever nb is (docs/search.md).
  bool HasCharBound() const override { return true; }
  double MaxScoreForChars(uint32_t, uint32_t overlap) const override {
    const double na = static_cast<double>(needle_tokens_.size());
    const double w = std::min(na, static_cast<double>(empty_tokens_) +
                                      best_sum_[std::min<size_t>(overlap, needle_.size())]);
    return Margin(200.0 * w / (na + w));
  }
  // The first two steps of MaxScoreForName below, 64 names at a time: each
  // needle token's overlap with them all, then per name
  // 200 min(W, k) / (na + nb), W at most the sum of every needle token's
  // 2 x / (la + x) (rather than the k largest) and at most best_sum_ of the
  // whole overlap; without the token count, 200 W / (na + W).
  NameStat name_stat() const override { return NameStat::kTokenCount; }
  bool HasSigBatchBound() const override { return !token_chars_.empty(); }
  void MaxScoreForSigs(uint32_t, const uint64_t* lo, const uint64_t* hi, const uint16_t* stats,
                       const uint32_t* overlaps, size_t count, double* out) const override {
    if (token_chars_.empty()) {  // no batch bound of its own (HasSigBatchBound)
      for (size_t i = 0; i < count; ++i) out[i] = MaxScoreForChars(0, overlaps[i]);
      return;
    }
    constexpr size_t kMost = 64;
    if (count > kMost) {
      MaxScoreForSigs(0, lo, hi, stats, overlaps, kMost, out);
      MaxScoreForSigs(0, lo + kMost, hi + kMost, stats ? stats + kMost : nullptr, overlaps + kMost,
                      count - kMost, out + kMost);
      return;
    }
    const size_t na = needle_tokens_.size();
    double sums[kMost];
    uint32_t x[kMost];
    for (size_t i = 0; i < count; ++i) sums[i] = static_cast<double>(empty_tokens_);
    for (size_t t = 0; t < token_chars_.size(); ++t) {
      token_chars_[t].OverlapBatch(lo, hi, count, x);
      const std::vector<double>& terms = token_terms_[t];
      const uint32_t l = token_lengths_[t];
      for (size_t i = 0; i < count; ++i) sums[i] += terms[std::min(x[i], l)];
    }
    for (size_t i = 0; i < count; ++i) {
      const double w = std::min({sums[i],
                                 best_sum_[std::min<size_t>(overlaps[i], needle_.size())] +
                                     static_cast<double>(empty_tokens_),
                                 static_cast<double>(na)});
      const uint32_t nb = stats ? stats[i] : 0;
      if (nb > 0 && nb < 65535) {
        out[i] = Margin(200.0 * std::min(w, static_cast<double>(std::min<size_t>(na, nb))) /
                        static_cast<double>(na + nb));
      } else {
        out[i] = Margin(200.0 * w / (static_cast<double>(na) + w));
      }
    }
  }

  // With the name's tokens: at most k = min(na, nb) pairs, so at most k
  // terms, each at most 1; and a needle token's LCS with any name token is at
  // most its own overlap x with the name, so its pair ratio is at most
  // 2 x / (la + x), and 2 min(x, lb) / (la + lb) with a name token of length
  // lb. Every pair takes a distinct needle token and a distinct name token:
  // the sum is at most the k largest of the needle tokens' best pairs, and
  // the k largest of the name tokens' (docs/search.md). Three steps, each
  // costlier and tighter than the last (the first reads the signature only,
  // the others the text too); `enough` stops them.
  bool HasNameBound() const override { return true; }
  double MaxScoreForName(const HayName& name, uint32_t overlap, const CharSig& sig,
                         uint32_t token_count, double enough = 0) const override {
    const size_t na = needle_tokens_.size();
    const double coarse = MaxScoreForChars(name.cp_len, overlap);
    if (coarse < enough || token_chars_.empty()) return coarse;
    // Each needle token's overlap with the name. With nb unknown (at most one
    // more than the name's whitespace when that is below 4), the score is at
    // most 200 min(W, nb) / (na + nb), which rises with nb up to W.
    uint32_t x[kMaxTokenCaps];
    double best[kMaxTokenCaps + kMaxHayTokens];
    for (size_t t = 0; t < token_chars_.size(); ++t) {
      x[t] = std::min(token_lengths_[t], token_chars_[t].Overlap(sig));
      best[t] = token_terms_[t][x[t]];
    }
    const double all_caps =
        TopSum(best, token_chars_.size(), token_chars_.size()) + static_cast<double>(empty_tokens_);
    double w = std::min(
        {best_sum_[std::min<size_t>(overlap, needle_.size())] + static_cast<double>(empty_tokens_),
         all_caps, static_cast<double>(na)});
    const uint64_t space = 1ull << kSpaceBucket;
    const int spaces = std::popcount(sig.lo & (space | space << 32)) +
                       std::popcount(sig.hi & (space | space << 32));
    if (spaces < 4) w = std::min(w, static_cast<double>(spaces + 1));
    const double sig_bound = Margin(200.0 * w / (static_cast<double>(na) + w));
    if (sig_bound < enough) return sig_bound;
    if (token_count > 0 && token_count < 65535) {
      // The name's token count, known without its text: at most
      // k = min(na, nb) pairs. (An empty name token may take an empty needle
      // token at 1, at most the needle's empty tokens.)
      const size_t k = std::min<size_t>(na, token_count);
      const double sum = TopSum(best, token_chars_.size(), k) + static_cast<double>(empty_tokens_);
      const double count_bound = Margin(200.0 * std::min({sum, w, static_cast<double>(k)}) /
                                        static_cast<double>(na + token_count));
      if (count_bound < enough) return count_bound;
    }
    // The name's tokens (split at ' ' only), in code points.
    uint32_t hay_lengths[kMaxHayTokens];
    size_t nb = 1, hay_empty = 0;
    uint32_t len = 0;
    for (const char ch : name.text) {
      if (ch == ' ') {
        hay_empty += len == 0;
        if (nb <= kMaxHayTokens) hay_lengths[nb - 1] = len;
        ++nb;
        len = 0;
      } else {
        len += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
      }
    }
    hay_empty += len == 0;
    if (nb <= kMaxHayTokens) hay_lengths[nb - 1] = len;
    const size_t k = std::min(na, nb);
    const auto bound = [&](double sum) {
      return Margin(200.0 * std::min(sum, static_cast<double>(k)) / static_cast<double>(na + nb));
    };
    const double free_pairs = static_cast<double>(std::min(empty_tokens_, hay_empty));
    w = std::min(best_sum_[std::min<size_t>(overlap, needle_.size())] + free_pairs,
                 TopSum(best, token_chars_.size(), k) + free_pairs);
    const double b = bound(w);
    if (b < enough || nb > kMaxHayTokens) return b;
    // And the name's token lengths. Empty needle tokens pair at 1 with an
    // empty name token, at 0 with any other.
    double* best_b = best + token_chars_.size();
    for (size_t j = 0; j < nb; ++j) best_b[j] = hay_lengths[j] == 0 && empty_tokens_ > 0 ? 1 : 0;
    for (size_t t = 0; t < token_chars_.size(); ++t) {
      const uint32_t la = token_lengths_[t];
      double best_a = 0;
      for (size_t j = 0; j < nb; ++j) {
        const uint32_t lb = hay_lengths[j];
        const double r = 2.0 * std::min(x[t], lb) / static_cast<double>(la + lb);
        best_a = std::max(best_a, r);
        best_b[j] = std::max(best_b[j], r);
      }
      best[t] = best_a;
    }
    const double by_needle = TopSum(best, token_chars_.size(), k) + free_pairs;
    const double by_name = TopSum(best_b, nb, k);
    return bound(std::min({w, by_needle, by_name}));
  }

 private:
  // The sum of the k largest of v[0..n) (reordered).
  static double TopSum(double* v, size_t n, size_t k) {
    double sum = 0;
    if (k >= n) {
      for (size_t i = 0; i < n; ++i) sum += v[i];
      return sum;
    }
    if (n <= 8) {
      std::sort(v, v + n, std::greater<>());  // a sorting network for so few
    } else {
      std::nth_element(v, v + k, v + n, std::greater<>());
    }
    for (size_t i = 0; i < k; ++i) sum += v[i];
    return sum;
  }

  // Needles of more non-empty tokens cap the tokens' LCSs all together only.
  static constexpr size_t kMaxTokenCaps = 16;
  // Names of more tokens are bounded without their tokens' lengths.
  static constexpr size_t kMaxHayTokens = 64;

  // A bound computed in another order of operations than the score: raised
  // by far more than their rounding, never past 100.
  static double Margin(double bound) { return std::min(100.0, bound + 1e-9); }

  // The pair ratio a token of length l can reach with x of its code points
  // in common: 2 x / (l + x), the other token being as short as it can be.
  static double PairRatioBound(uint32_t l, uint32_t x) {
    return 2.0 * x / static_cast<double>(l + x);
  }

  // (*sums)[c] for c = 0..most: the largest sum of PairRatioBound(l_i, x_i)
  // over integers 0 <= x_i <= l_i with sum x_i <= c. Each term is concave in
  // x_i, so taking one code point at a time where it gains most is optimal
  // (greedy on a separable concave objective).
  static void FillBestSums(const std::vector<uint32_t>& lengths, size_t most,
                           std::vector<double>* sums) {
    std::vector<uint32_t> x(lengths.size(), 0);
    (*sums)[0] = 0;
    for (size_t c = 1; c <= most; ++c) {
      size_t best = lengths.size();
      double gain = 0;
      for (size_t i = 0; i < lengths.size(); ++i) {
        if (x[i] >= lengths[i]) continue;
        const double g = PairRatioBound(lengths[i], x[i] + 1) - PairRatioBound(lengths[i], x[i]);
        if (best == lengths.size() || g > gain) {
          best = i;
          gain = g;
        }
      }
      if (best == lengths.size()) {
        for (; c <= most; ++c) (*sums)[c] = (*sums)[c - 1];
        break;
      }
      ++x[best];
      (*sums)[c] = (*sums)[c - 1] + gain;
    }
  }

  std::vector<std::u32string_view> needle_tokens_, hay_tokens_;
  size_t empty_tokens_ = 0;
  std::vector<double> best_sum_;                  // best_sum_[c]: the bound W for overlap c
  std::vector<NeedleChars> token_chars_;          // per non-empty needle token
  std::vector<uint32_t> token_lengths_;           // the same tokens' lengths
  std::vector<std::vector<double>> token_terms_;  // [t][x]: PairRatioBound(l_t, x)
  std::vector<std::string_view> hay_bytes_;  // tokens of an ASCII hay, as bytes
  std::vector<PatternMask> masks_;
  std::vector<size_t> dist_;
  std::vector<double> costs_;
  score::MunkresWork munkres_;
};

// RapidFuzz 3.x partial_ratio of a needle against many strings: with the
// shorter string s (length k) placed against the longer t (length n), the best
// ratio(s, w) over the windows w of t that RapidFuzz considers: every window
// of length k, every prefix of t shorter than k and every suffix of t no
// longer than k; when k == n the roles are tried both ways. Two empty strings
// score 100, one empty string 0.
// Prefixes come from one bit-parallel pass over t (the LCS after i symbols is
// that of the prefix of length i); suffixes from one pass of the reversed
// strings; each full window from a pass of its own.
class PartialRatioCore {
 public:
  void SetNeedle(std::u32string_view needle) {
    needle_.assign(needle);
    reversed_.assign(needle.rbegin(), needle.rend());
    pm_.Build(needle_);
    pm_reversed_.Build(reversed_);
  }

  double Score(std::u32string_view hay) {
    const std::u32string_view a = needle_;
    if (a.empty() || hay.empty()) return a.empty() && hay.empty() ? 100.0 : 0.0;
    if (a.size() <= hay.size()) {
      double best = Windows(pm_, pm_reversed_, a.size(), hay);
      if (best < 100.0 && a.size() == hay.size()) {
        other_.Build(hay);
        other_reversed_.assign(hay.rbegin(), hay.rend());
        other_pm_reversed_.Build(other_reversed_);
        best = std::max(best, Windows(other_, other_pm_reversed_, hay.size(), a));
      }
      return best;
    }
    // The hay is the shorter string: it becomes the pattern.
    other_.Build(hay);
    other_reversed_.assign(hay.rbegin(), hay.rend());
    other_pm_reversed_.Build(other_reversed_);
    return Windows(other_, other_pm_reversed_, hay.size(), a);
  }

 private:
  // Best ratio of the pattern (length k, masks pm / reversed masks pmr)
  // against the windows of t. REQUIRES 0 < k <= t.size().
  double Windows(const PatternMask& pm, const PatternMask& pmr, size_t k, std::u32string_view t) {
    const size_t n = t.size();
    double best = 0;
    // Full windows t[i, i + k) for i < n - k (the last one is a suffix).
    for (size_t i = 0; i + k < n; ++i) {
      best = std::max(best, IndelRatio(Lcs(pm, t.substr(i, k)), 2 * k));
    }
    // Prefixes t[0, i) for 1 <= i < k, in one pass.
    Prefixes(pm, t.substr(0, k - 1), k, &best);
    // Suffixes t[i, n) for n - k <= i < n: prefixes of the reversed string.
    reversed_hay_.assign(t.rbegin(), t.rbegin() + static_cast<std::ptrdiff_t>(k));
    Prefixes(pmr, reversed_hay_, k, &best);
    return best;
  }

  // For every prefix p of text (length >= 1): best = max(best, ratio(pattern, p)).
  void Prefixes(const PatternMask& pm, std::u32string_view text, size_t k, double* best) {
    const size_t words = pm.words();
    words_.assign(std::max<size_t>(words, 1), ~0ull);
    const size_t tail_bits = k - (words - 1) * 64;
    const uint64_t tail_mask = tail_bits == 64 ? ~0ull : ((1ull << tail_bits) - 1);
    for (size_t i = 0; i < text.size(); ++i) {
      score::LcsStepWords(pm.Row(text[i]), words_.data(), words);
      const size_t lcs = score::LcsOfState(words_.data(), words, tail_mask);
      *best = std::max(*best, IndelRatio(lcs, k + i + 1));
    }
  }

  size_t Lcs(const PatternMask& pm, std::u32string_view text) {
    if (scratch_.size() < pm.words()) scratch_.resize(pm.words());
    return LcsHyyro2004(pm, text.data(), text.size(), scratch_.data());
  }

  std::u32string needle_, reversed_, other_reversed_, reversed_hay_;
  PatternMask pm_, pm_reversed_, other_, other_pm_reversed_;
  std::vector<uint64_t> words_, scratch_;
};

// partial_ratio and its token variants. The hay is stored in NameFormFor(kind):
// processed (partial_ratio), sorted tokens (partial_token_sort_ratio,
// partial_token_ratio) or the sorted token set (partial_token_set_ratio).
class PartialScorer final : public ScorerBase {
 public:
  PartialScorer(ScorerKind kind, std::string_view needle) : ScorerBase(needle), kind_(kind) {
    SortedTokens(needle_, &needle_sorted_);
    Join(needle_sorted_, &needle_joined_);
    needle_set_ = needle_sorted_;
    needle_set_.erase(std::unique(needle_set_.begin(), needle_set_.end()), needle_set_.end());
    Join(needle_set_, &needle_set_joined_);
    switch (kind_) {
      case ScorerKind::kPartialRatio:
        core_.SetNeedle(needle_);
        break;
      case ScorerKind::kPartialTokenSetRatio:
        core_.SetNeedle(needle_set_joined_);
        break;
      default:
        core_.SetNeedle(needle_joined_);
    }
  }

  double Score(const HayName& hay, double cutoff) override {
    const double s = ScoreText(HayCodePoints(hay));
    return s >= cutoff ? s : 0;
  }
  double MaxScoreForLength(uint32_t) const override { return 100.0; }
  uint32_t PeakLength() const override { return 0; }
  // partial_ratio: every window is at most min(m, n) long, so each ratio is
  // at most ShareBound(overlap, min(m, n)) (docs/search.md).
  bool HasCharBound() const override { return kind_ == ScorerKind::kPartialRatio; }
  double MaxScoreForChars(uint32_t n, uint32_t overlap) const override {
    if (kind_ != ScorerKind::kPartialRatio) return 100.0;
    return ShareBound(overlap, std::min<size_t>(needle_.size(), n));
  }
  // And the shared bigrams.
  bool HasNameBound() const override { return kind_ == ScorerKind::kPartialRatio; }
  double MaxScoreForName(const HayName& name, uint32_t overlap, const CharSig&, uint32_t,
                         double = 0) const override {
    const double chars = MaxScoreForChars(name.cp_len, overlap);
    if (kind_ != ScorerKind::kPartialRatio) return chars;
    if (grams_ == nullptr) {
      grams_ = std::make_unique<GramCounter>();
      grams_->SetNeedle(text::Encode(needle_));
    }
    const size_t k = std::min<size_t>(needle_.size(), name.cp_len);
    return std::min(chars, PartialGramBound(grams_->Common(name.text), k));
  }

  // The score of a hay given as code points, in this scorer's stored form.
  double ScoreText(std::u32string_view hay) {
    if (kind_ == ScorerKind::kPartialRatio || kind_ == ScorerKind::kPartialTokenSortRatio) {
      return core_.Score(hay);
    }
    SplitWhitespace(hay, &hay_sorted_);
    if (needle_set_.empty() || hay_sorted_.empty()) return 0;
    hay_set_ = hay_sorted_;
    hay_set_.erase(std::unique(hay_set_.begin(), hay_set_.end()), hay_set_.end());
    // A shared token: 100. Without one the differences are the whole sets.
    if (SharesToken(needle_set_, hay_set_)) return 100.0;
    if (kind_ == ScorerKind::kPartialTokenSetRatio) return core_.Score(hay);
    // partial_token_ratio: the sorted forms, and the sets when repeats differ.
    double best = core_.Score(hay);
    if (needle_set_.size() != needle_sorted_.size() || hay_set_.size() != hay_sorted_.size()) {
      Join(hay_set_, &hay_set_joined_);
      set_core_.SetNeedle(needle_set_joined_);
      best = std::max(best, set_core_.Score(hay_set_joined_));
    }
    return best;
  }

 private:
  static bool SharesToken(const std::vector<std::u32string_view>& a,
                          const std::vector<std::u32string_view>& b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      if (a[i] == b[j]) return true;
      if (a[i] < b[j]) {
        ++i;
      } else {
        ++j;
      }
    }
    return false;
  }

  ScorerKind kind_;
  mutable std::unique_ptr<GramCounter> grams_;  // made on first use
  std::vector<std::u32string_view> needle_sorted_, needle_set_, hay_sorted_, hay_set_;
  std::u32string needle_joined_, needle_set_joined_, hay_set_joined_;
  PartialRatioCore core_, set_core_;
};

// RapidFuzz 3.x WRatio: ratio, then, by the length ratio r of the two names,
// token_ratio x 0.95 (r < 1.5), or partial_ratio x 0.9 (r <= 8; 0.6 beyond)
// and partial_token_ratio x 0.95 x that scale; the best of these. 0 if either
// name is empty. The hay is stored processed; its sorted form is made per
// pair in scratch.
class WRatioScorer final : public ScorerBase {
 public:
  explicit WRatioScorer(std::string_view needle)
      : ScorerBase(needle),
        ratio_(needle, false),
        token_ratio_(needle),
        partial_(ScorerKind::kPartialRatio, needle),
        partial_token_(ScorerKind::kPartialTokenRatio, needle) {
    SortedTokens(needle_, &needle_set_);
    needle_sorted_length_ = JoinedLength(needle_set_);
    needle_set_.erase(std::unique(needle_set_.begin(), needle_set_.end()), needle_set_.end());
    needle_set_length_ = JoinedLength(needle_set_);
    for (const auto token : needle_set_) token_sigs_.push_back(MakeCharSig(text::Encode(token)));
    needle_utf8_ = text::Encode(needle_);
    lookup_.Reset(needle_set_);
    for (size_t i = 0, run = 0; i < needle_.size(); ++i) {
      run = text::IsSpace(needle_[i]) ? run + 1 : 0;
      space_run_ = std::max(space_run_, run);
    }
  }

  static constexpr double kUnbaseScale = 0.95;
  // 0.9 up to a length ratio of 8 (8 itself included, as the vectors show), 0.6 beyond.
  static double PartialScale(double len_ratio) { return len_ratio > 8.0 ? 0.6 : 0.9; }
  // Longer length over shorter. REQUIRES: both > 0.
  static double LengthRatio(size_t a, size_t b) {
    return a > b ? static_cast<double>(a) / static_cast<double>(b)
                 : static_cast<double>(b) / static_cast<double>(a);
  }

  double Score(const HayName& hay, double cutoff) override {
    const size_t len1 = needle_.size(), len2 = hay.cp_len;
    if (len1 == 0 || len2 == 0) return 0;
    const double len_ratio = LengthRatio(len1, len2);
    double best = ratio_.Score(hay, 0);
    // The hay's code points once, and its sorted form in scratch, made only
    // when a token part runs: no allocation per pair once the buffers grew.
    const std::u32string_view text = HayCodePoints(hay);
    auto sorted = [&]() -> std::u32string_view {
      SortedTokens(text, &tokens_);
      Join(tokens_, &sorted_);
      return sorted_;
    };
    // A part is computed only when its ceiling (100 x its scale) could still
    // raise the best and reach the cutoff; skipping it cannot change the result.
    auto worth = [&](double ceiling) { return best < ceiling && ceiling >= cutoff; };
    if (len_ratio < 1.5) {
      if (worth(100.0 * kUnbaseScale)) {
        best = std::max(best, token_ratio_.ScoreText(sorted()) * kUnbaseScale);
      }
    } else {
      const double partial_scale = PartialScale(len_ratio);
      if (worth(100.0 * partial_scale)) {
        best = std::max(best, partial_.ScoreText(text) * partial_scale);
      }
      if (worth(100.0 * kUnbaseScale * partial_scale)) {
        best = std::max(best, partial_token_.ScoreText(sorted()) * kUnbaseScale * partial_scale);
      }
    }
    return best >= cutoff ? best : 0;
  }
  // ratio's length bound, or the ceiling of the scaled parts for this length
  // ratio; both fall away from the needle's length. The ceilings are the same
  // products Score forms, so the bound is never below a score by a rounding.
  double MaxScoreForLength(uint32_t n) const override {
    const size_t m = needle_.size();
    if (m == 0 || n == 0) return 0;
    const double len_ratio = LengthRatio(m, n);
    const double ceiling =
        len_ratio < 1.5 ? 100.0 * kUnbaseScale : 100.0 * PartialScale(len_ratio);
    return std::max(ceiling, IndelRatio(std::min<size_t>(m, n), m + n));
  }
  uint32_t PeakLength() const override { return static_cast<uint32_t>(needle_.size()); }

  // Each part's character bound, scaled as Score scales it (docs/search.md).
  // Without the name's token set length, the token parts can only be bounded
  // by 100.
  bool HasCharBound() const override { return true; }
  double MaxScoreForChars(uint32_t n, uint32_t overlap) const override {
    return Bound(n, overlap, nullptr, nullptr, 0, nullptr);
  }
  NameStat name_stat() const override { return NameStat::kTokenSetLength; }
  bool HasNameBound() const override { return true; }
  double MaxScoreForName(const HayName& name, uint32_t overlap, const CharSig& sig,
                         uint32_t set_length, double = 0) const override {
    return Bound(name.cp_len, overlap, &name.text, &sig, set_length, nullptr);
  }
  // For a name whose token set neither lies within the needle's nor holds
  // it: the whole ratio is below 100 (equal names have equal sets), so are
  // token_sort_ratio (equal sorted forms too) and token_set_ratio, which
  // TokenSetBound bounds; only the shareable tokens can make
  // partial_token_ratio 100; and partial_ratio is below 100 when the
  // shorter is not a substring of the longer (docs/search.md).
  bool HasTokenBound() const override { return true; }
  bool TokenBoundUsesSubstrings() const override { return true; }
  double MaxScoreForTokens(uint32_t n, uint32_t overlap, const TokenFacts& facts) const override {
    return Bound(n, overlap, nullptr, nullptr, 0, &facts);
  }
  double MaxScoreForTokenName(const HayName& name, uint32_t overlap, const CharSig& sig,
                              uint32_t set_length, const TokenFacts& facts,
                              double enough) const override {
    return Bound(name.cp_len, overlap, &name.text, &sig, set_length, &facts, enough);
  }

 private:
  // text, sig: the name's, or null if unknown; set_length: its
  // TokenSetLength, or 0 if unknown; facts: null, or the name's token set
  // neither lies within the needle's nor holds it and `facts` holds.
  double Bound(uint32_t n32, uint32_t overlap, const std::string_view* text, const CharSig* sig,
               uint32_t set_length, const TokenFacts* facts, double enough = 0) const {
    const bool outside = facts != nullptr;
    uint64_t shareable = facts ? facts->shareable : ~0ull;
    // A token the name holds fits in its signature.
    if (sig != nullptr) shareable &= FittingTokens(token_sigs_, *sig);
    const bool exact = facts != nullptr && facts->shared_length >= 0;
    const size_t m = needle_.size(), n = n32;
    if (m == 0 || n == 0) return 0;
    const size_t shorter = std::min(m, n);
    size_t lcs = std::min<size_t>(shorter, overlap);
    if (outside && m == n) lcs = std::min(lcs, m - 1);
    const double whole = IndelRatio(lcs, m + n);
    // At most the shorter of the forms the token parts compare.
    const size_t sets = std::min<size_t>(needle_set_length_, set_length);
    const double len_ratio = LengthRatio(m, n);
    if (len_ratio < 1.5) {
      // token_set_ratio's arithmetic differs from ShareBound's: a margin.
      double tokens = std::min(100.0, ShareBound(overlap, sets) + 1e-9);
      if (outside && set_length > 0 && set_length < 65535) {
        const double sorted = SortBound(overlap, set_length, n);
        tokens = std::min(
            tokens, std::max(TokenSetBound(needle_set_length_, set_length, overlap,
                                           exact ? static_cast<size_t>(facts->shared_length)
                                                 : SharedLength(needle_set_, shareable)),
                             sorted));
        if (!exact && text != nullptr && std::max(whole, tokens * kUnbaseScale) >= enough) {
          // Still high enough to matter: the tokens it really shares, read
          // from the text.
          tokens = std::min(tokens, std::max(TokenSetBound(needle_set_length_, set_length, overlap,
                                                           lookup_.SharedLength(*text)),
                                             sorted));
        }
      } else if (outside) {
        tokens = std::min(tokens, CoarseTokenBound(n, overlap,
                                                   exact ? static_cast<size_t>(facts->shared_length)
                                                         : SharedLength(needle_set_, shareable)));
      }
      return std::max(whole, tokens * kUnbaseScale);
    }
    const double partial_scale = PartialScale(len_ratio);
    double partial = ShareBound(overlap, shorter);
    // (A name of whitespace only has no token, so the token index cannot
    // have looked it up: only names longer than the needle's longest run of
    // whitespace are known not to be substrings.)
    bool apart = outside && ((n < m && n > space_run_ && facts->not_substring) ||
                             (m < n && facts->not_superstring));
    if (!apart && text != nullptr) {
      // Read from the text: a substring search is cheaper than the bigrams.
      apart = n < m ? needle_utf8_.find(*text) == std::string::npos
                    : text->find(needle_utf8_) == std::string_view::npos;
    }
    if (apart) {
      // The shorter is not a substring of the longer: every window RapidFuzz
      // compares with it differs from it, so has at most k - 1 code points
      // in common with it (k its length) and is at most k long.
      partial = std::min(partial, 200.0 * static_cast<double>(shorter - 1) /
                                          static_cast<double>(2 * shorter - 1) + 1e-9);
    }
    partial *= partial_scale;
    const bool may_share = exact ? facts->shared_length > 0 : shareable != 0;
    const double tokens =
        (may_share ? 100.0 : ShareBound(overlap, sets)) * kUnbaseScale * partial_scale;
    // The shared bigrams, read from the text, only when they could lower
    // the largest part.
    if (text != nullptr && partial > std::max(whole, tokens) && partial >= enough) {
      if (grams_ == nullptr) {
        grams_ = std::make_unique<GramCounter>();
        grams_->SetNeedle(text::Encode(needle_));
      }
      partial = std::min(partial, PartialGramBound(grams_->Common(*text), shorter) * partial_scale);
    }
    return std::max({whole, partial, tokens});
  }
  // The token parts of a name of n code points whose token set neither
  // lies within the needle's nor holds it, its set length ns unknown (1 <=
  // ns <= n), with overlap h and shareable tokens joining to at most
  // `shared`: the largest TokenSetBound over ns (docs/search.md) and
  // SortBound with ns = 1 (its largest).
  double CoarseTokenBound(size_t n, size_t h, size_t shared) const {
    const size_t ms = needle_set_length_;
    if (ms == 0 || n == 0) return 0;
    // The differences' term: 2 min(c, ns) / (ms + ns) is largest at ns =
    // min(c, n), c = min(h, ms); and below (ms + ns - 1) / (ms + ns), which
    // rises with ns.
    const size_t c = std::min(h, ms), at = std::max<size_t>(1, std::min(c, n));
    double best = std::min(2.0 * static_cast<double>(std::min(c, at)) /
                               static_cast<double>(ms + at),
                           static_cast<double>(ms + n - 1) / static_cast<double>(ms + n));
    if (ms >= 3 && n >= 3) {
      // 2 s / (s + ms) with s <= S = min(shared, h, ms - 2, n - 2), and
      // 2 s / (s + ns) with s <= min(S, ns - 2), largest at ns = S + 2.
      const size_t most = std::min({shared, h, ms - 2, n - 2});
      if (most > 0) {
        const auto sd = static_cast<double>(most);
        best = std::max({best, 2.0 * sd / (sd + static_cast<double>(ms)), sd / (sd + 1.0)});
      }
    }
    return std::min(100.0, std::max(100.0 * best + 1e-9, SortBound(h, 1, n)));
  }
  // token_sort_ratio of a name whose sorted form is not the needle's: the
  // ratio of the sorted forms, la (the needle's) and lb code points, lb
  // between the name's set length ns and its length n; with c = min(h, la)
  // it is at most 2 min(c, lb) / (la + lb), largest at lb = c within
  // [ns, n], and below 100, so at most (la + lb - 1) / (la + lb) <=
  // (la + n - 1) / (la + n).
  double SortBound(size_t overlap, size_t ns, size_t n) const {
    const size_t la = needle_sorted_length_;
    if (la == 0) return 0;
    const size_t c = std::min<size_t>(overlap, la);
    const size_t lb = std::clamp<size_t>(c, ns, std::max(ns, n));
    const double g = 2.0 * static_cast<double>(std::min(c, lb)) / static_cast<double>(la + lb);
    const double cap = static_cast<double>(la + n - 1) / static_cast<double>(la + n);
    return std::min(100.0, 100.0 * std::min(g, cap) + 1e-9);
  }

  std::vector<CharSig> token_sigs_;  // of the needle's distinct tokens
  mutable std::unique_ptr<GramCounter> grams_;  // made on first use
  std::vector<std::u32string_view> needle_set_;  // sorted, without repeats
  std::string needle_utf8_;
  TokenLookup lookup_;
  size_t space_run_ = 0;  // the needle's longest run of whitespace
  size_t needle_set_length_ = 0, needle_sorted_length_ = 0;
  RatioScorer ratio_;
  TokenRatioScorer token_ratio_;
  PartialScorer partial_, partial_token_;
  std::vector<std::u32string_view> tokens_;
  std::u32string sorted_;
};

// python-Levenshtein 0.12 seqratio(a.split(' '), b.split(' ')) x 100: an edit
// distance over token sequences where inserting or deleting a token costs 1
// and replacing x by y costs 2 indel(x, y) / (|x| + |y|).
class SeqRatioScorer final : public ScorerBase {
 public:
  explicit SeqRatioScorer(std::string_view needle) : ScorerBase(needle) {
    SplitSpace(needle_, &needle_tokens_);
  }

  double Score(const HayName& hay, double cutoff) override {
    SplitSpace(HayCodePoints(hay), &hay_tokens_);
    const size_t total = needle_tokens_.size() + hay_tokens_.size();
    const double s = (static_cast<double>(total) - Distance()) / static_cast<double>(total) * 100.0;
    return s >= cutoff ? s : 0;
  }
  double MaxScoreForLength(uint32_t) const override { return 100.0; }
  uint32_t PeakLength() const override { return 0; }

 private:
  // Follows lev_u_edit_seq_distance step by step, including its pointer into
  // the second list, which only advances on pairs that are not both empty.
  double Distance() {
    std::u32string_view* a = needle_tokens_.data();
    std::u32string_view* b = hay_tokens_.data();
    size_t n1 = needle_tokens_.size(), n2 = hay_tokens_.size();
    while (n1 > 0 && n2 > 0 && *a == *b) {
      ++a;
      ++b;
      --n1;
      --n2;
    }
    while (n1 > 0 && n2 > 0 && a[n1 - 1] == b[n2 - 1]) {
      --n1;
      --n2;
    }
    if (n1 == 0) return static_cast<double>(n2);
    if (n2 == 0) return static_cast<double>(n1);
    if (n1 > n2) {
      std::swap(a, b);
      std::swap(n1, n2);
    }
    row_.resize(n2 + 1);
    for (size_t i = 0; i <= n2; ++i) row_[i] = static_cast<double>(i);
    for (size_t i = 1; i <= n1; ++i) {
      const std::u32string_view s1 = a[i - 1];
      mask_.Build(s1);
      size_t k = 0;
      double diag = static_cast<double>(i) - 1.0;
      double x = static_cast<double>(i);
      for (size_t p = 1; p <= n2; ++p) {
        const size_t l = s1.size() + b[k].size();
        double q;
        if (l == 0) {
          q = diag;
        } else {
          const size_t d = s1.size() + b[k].size() - 2 * Lcs(mask_, b[k]);
          ++k;
          q = diag + 2.0 / static_cast<double>(l) * static_cast<double>(d);
        }
        x += 1.0;
        if (x > q) x = q;
        diag = row_[p];
        if (x > diag + 1.0) x = diag + 1.0;
        row_[p] = x;
      }
    }
    return row_[n2];
  }

  std::vector<std::u32string_view> needle_tokens_, hay_tokens_;
  std::vector<double> row_;
  PatternMask mask_;
};

// RapidFuzz's normalized similarity x 100 of an edit measure:
// 100 * (1 - distance / maximum), 100 when the maximum is 0.
inline double NormalizedSimilarity100(double distance, double maximum) {
  const double norm_dist = maximum > 0 ? distance / maximum : 0.0;
  return (1.0 - norm_dist) * 100.0;
}

// The edit measures: levenshtein, indel, lcs, osa, damerau_levenshtein,
// hamming, jaro, jaro_winkler, prefix, postfix.
class MeasureScorer final : public ScorerBase {
 public:
  MeasureScorer(ScorerKind kind, std::string_view needle, const ScorerOptions& options)
      : ScorerBase(needle), kind_(kind), options_(options) {
    pm_.Build(needle_);
  }

  double Score(const HayName& hay, double cutoff) override {
    if (cutoff > 0 && MaxScoreForLength(hay.cp_len) < cutoff) return 0;
    const std::u32string_view b = HayCodePoints(hay);
    // A high cutoff that allows at most 3 edits: mbleven instead of the kernel.
    const bool indel = kind_ == ScorerKind::kIndel;
    if (cutoff > 0 && (indel || (kind_ == ScorerKind::kLevenshtein && UnitWeights()))) {
      const double maximum = indel ? static_cast<double>(needle_.size() + b.size())
                                   : static_cast<double>(std::max(needle_.size(), b.size()));
      size_t allowed = 0;  // the most edits that still reach the cutoff, up to 4
      while (allowed < 4 &&
             NormalizedSimilarity100(static_cast<double>(allowed + 1), maximum) >= cutoff) {
        ++allowed;
      }
      if (allowed <= 3) {
        const size_t d = score::Mbleven2018(needle_, b, allowed, !indel);
        if (d > allowed) return 0;
        const double s = NormalizedSimilarity100(static_cast<double>(d), maximum);
        return s >= cutoff ? s : 0;
      }
    }
    const double s = Normalized(b);
    return s >= cutoff ? s : 0;
  }

  // Every measure here is at best its length-only bound: a distance of at
  // least |m - n| over max(m, n) (or the weighted maximum), a similarity of
  // at most min(m, n); for jaro at most min(m, n) matches.
  double MaxScoreForLength(uint32_t n32) const override {
    const size_t m = needle_.size(), n = n32;
    const size_t lo = std::min(m, n), hi = std::max(m, n);
    switch (kind_) {
      case ScorerKind::kIndel:
        return IndelRatio(lo, m + n);
      case ScorerKind::kJaro:
      case ScorerKind::kJaroWinkler: {
        if (m == 0 || n == 0) return m == n ? 100.0 : 0.0;
        const double jaro = (static_cast<double>(lo) / static_cast<double>(m) +
                             static_cast<double>(lo) / static_cast<double>(n) + 1.0) /
                            3.0;
        if (kind_ == ScorerKind::kJaro) return jaro * 100.0 + 1e-9;
        return std::min(1.0, jaro + 4 * options_.prefix_weight * (1.0 - jaro)) * 100.0 + 1e-9;
      }
      case ScorerKind::kLevenshtein:
        if (!UnitWeights()) return 100.0;
        [[fallthrough]];
      default:
        return NormalizedSimilarity100(static_cast<double>(hi - lo), static_cast<double>(hi));
    }
  }
  uint32_t PeakLength() const override { return static_cast<uint32_t>(needle_.size()); }

  bool HasGramBound() const override {
    return kind_ == ScorerKind::kIndel || kind_ == ScorerKind::kLcs ||
           (kind_ == ScorerKind::kLevenshtein && UnitWeights());
  }
  // indel and lcs: the LCS bound. levenshtein: each edit breaks at most 2 of
  // the longer name's max(m, n) - 1 bigrams (Ukkonen 1992), so d >=
  // (max(m, n) - 1 - common) / 2, and d >= |m - n|.
  double MaxScoreForGrams(uint32_t n32, uint32_t common) const override {
    const size_t m = needle_.size(), n = n32;
    const size_t longer = std::max(m, n);
    switch (kind_) {
      case ScorerKind::kIndel: {
        const size_t lcs = LcsBoundFromGrams(m, n, common);
        return NormalizedSimilarity100(static_cast<double>(m + n - 2 * lcs),
                                       static_cast<double>(m + n));
      }
      case ScorerKind::kLcs: {
        const size_t lcs = LcsBoundFromGrams(m, n, common);
        return NormalizedSimilarity100(static_cast<double>(longer - lcs),
                                       static_cast<double>(longer));
      }
      case ScorerKind::kLevenshtein: {
        if (!UnitWeights()) return MaxScoreForLength(n32);
        const size_t broken = longer > 1 + common ? longer - 1 - common : 0;
        const size_t d = std::max(longer - std::min(m, n), (broken + 1) / 2);
        return NormalizedSimilarity100(static_cast<double>(d), static_cast<double>(longer));
      }
      default:
        return MaxScoreForLength(n32);
    }
  }

  bool HasCharBound() const override { return HasGramBound(); }
  // LCS <= the overlap, and a levenshtein alignment's matched pairs form a
  // common subsequence: d >= max(m, n) - LCS.
  double MaxScoreForChars(uint32_t n32, uint32_t overlap) const override {
    const size_t m = needle_.size(), n = n32;
    const size_t longer = std::max(m, n);
    const size_t lcs = std::min<size_t>({m, n, overlap});
    switch (kind_) {
      case ScorerKind::kIndel:
        return NormalizedSimilarity100(static_cast<double>(m + n - 2 * lcs),
                                       static_cast<double>(m + n));
      case ScorerKind::kLcs:
      case ScorerKind::kLevenshtein:
        if (!HasGramBound()) return MaxScoreForLength(n32);
        return NormalizedSimilarity100(static_cast<double>(longer - lcs),
                                       static_cast<double>(longer));
      default:
        return MaxScoreForLength(n32);
    }
  }

  double Raw(std::u32string_view b) {
    const std::u32string_view a = needle_;
    switch (kind_) {
      case ScorerKind::kLevenshtein:
        if (UnitWeights()) {
          return static_cast<double>(LevenshteinHyyro2003(pm_, b, Words(2 * pm_.words())));
        }
        return static_cast<double>(LevenshteinWagnerFischer(
            a, b, options_.insert_cost, options_.delete_cost, options_.substitute_cost));
      case ScorerKind::kIndel:
        return static_cast<double>(a.size() + b.size() - 2 * Lcs(pm_, b));
      case ScorerKind::kLcs:
        return static_cast<double>(Lcs(pm_, b));
      case ScorerKind::kOsa:
        if (pm_.words() == 1) return static_cast<double>(score::OsaHyyro2003(pm_, b));
        return static_cast<double>(OsaDistance(a, b));
      case ScorerKind::kDamerauLevenshtein:
        return static_cast<double>(DamerauLevenshteinDistance(a, b));
      case ScorerKind::kHamming:
        return static_cast<double>(HammingDistance(a, b));
      case ScorerKind::kJaro:
        return JaroSimilarity(a, b);
      case ScorerKind::kJaroWinkler:
        return JaroWinklerSimilarity(a, b, options_.prefix_weight);
      case ScorerKind::kPrefix:
        return static_cast<double>(CommonPrefix(a, b));
      case ScorerKind::kPostfix:
        return static_cast<double>(CommonSuffix(a, b));
      default:
        return 0;
    }
  }

  double Normalized(std::u32string_view b) {
    const double raw = Raw(b);
    const double m = static_cast<double>(needle_.size()), n = static_cast<double>(b.size());
    const double longer = std::max(m, n);
    switch (kind_) {
      case ScorerKind::kLevenshtein:
        return NormalizedSimilarity100(raw, LevenshteinMaximum(needle_.size(), b.size()));
      case ScorerKind::kIndel:
        return NormalizedSimilarity100(raw, m + n);
      case ScorerKind::kLcs:
      case ScorerKind::kPrefix:
      case ScorerKind::kPostfix:
        return NormalizedSimilarity100(longer - raw, longer);
      case ScorerKind::kJaro:
      case ScorerKind::kJaroWinkler:
        return raw * 100.0;
      default:  // osa, damerau_levenshtein, hamming
        return NormalizedSimilarity100(raw, longer);
    }
  }

 private:
  bool UnitWeights() const {
    return options_.insert_cost == 1 && options_.delete_cost == 1 && options_.substitute_cost == 1;
  }
  // The largest weighted distance two strings of these lengths can have.
  double LevenshteinMaximum(size_t len1, size_t len2) const {
    size_t max_dist = len1 * options_.delete_cost + len2 * options_.insert_cost;
    if (len1 >= len2) {
      max_dist = std::min(max_dist,
                          len2 * options_.substitute_cost + (len1 - len2) * options_.delete_cost);
    } else {
      max_dist = std::min(max_dist,
                          len1 * options_.substitute_cost + (len2 - len1) * options_.insert_cost);
    }
    return static_cast<double>(max_dist);
  }

  ScorerKind kind_;
  ScorerOptions options_;
  PatternMask pm_;
};

}  // namespace

void CachedScorer::ScoreBatch(const HayName* hays, size_t count, double cutoff, double* scores) {
  for (size_t i = 0; i < count; ++i) scores[i] = Score(hays[i], cutoff);
}

void CachedScorer::LengthWindow(double cutoff, uint32_t* lo, uint32_t* hi) const {
  *lo = 0;
  *hi = UINT32_MAX;
  if (cutoff <= 0) return;
  const uint32_t peak = PeakLength();
  if (MaxScoreForLength(peak) < cutoff) {
    *lo = 1;
    *hi = 0;
    return;
  }
  // Smallest n in [0, peak] that reaches the cutoff (the bound rises to peak).
  // 64-bit bounds: the search range can be all of uint32_t.
  uint64_t a = 0, b = peak;
  while (a < b) {
    const uint64_t mid = a + (b - a) / 2;
    if (MaxScoreForLength(static_cast<uint32_t>(mid)) >= cutoff)
      b = mid;
    else
      a = mid + 1;
  }
  *lo = static_cast<uint32_t>(a);
  // Largest n >= peak that reaches it (the bound falls after peak).
  if (MaxScoreForLength(UINT32_MAX) >= cutoff) return;
  a = peak;
  b = UINT32_MAX;
  while (a < b) {
    const uint64_t mid = a + (b - a + 1) / 2;
    if (MaxScoreForLength(static_cast<uint32_t>(mid)) >= cutoff)
      a = mid;
    else
      b = mid - 1;
  }
  *hi = static_cast<uint32_t>(a);
}

namespace {
// The name scorer without a haystack: every word weighs 1 (needle/
// name_match.h). A search with a haystack uses NameTopK, which knows the
// words' frequencies.
class NameWordsScorer final : public CachedScorer {
 public:
  explicit NameWordsScorer(std::string_view needle)
      : query_(needle, nullptr, nullptr), cp_len_(text::CodePointCount(needle)) {}
  double Score(const HayName& hay, double cutoff) override {
    const double s = query_.ScoreText(hay.text);
    return s >= cutoff ? s : 0;
  }
  double MaxScoreForLength(uint32_t) const override { return 100; }
  uint32_t PeakLength() const override { return static_cast<uint32_t>(cp_len_); }

 private:
  NameQuery query_;
  size_t cp_len_;
};
}  // namespace

std::unique_ptr<CachedScorer> CachedScorer::Create(ScorerKind kind, std::string_view needle,
                                                   const ScorerOptions& options) {
  switch (kind) {
    case ScorerKind::kName:
      return std::make_unique<NameWordsScorer>(needle);
    case ScorerKind::kRatio:
      return std::make_unique<RatioScorer>(needle, false);
    case ScorerKind::kQRatio:
      return std::make_unique<RatioScorer>(needle, true);
    case ScorerKind::kTokenSortRatio: {
      // ratio of the sorted forms; the hay is stored sorted already.
      std::string sorted;
      ToNameForm(NameForm::kSortedTokens, needle, &sorted);
      return std::make_unique<RatioScorer>(sorted, false);
    }
    case ScorerKind::kTokenSetRatio:
      return std::make_unique<TokenSetScorer>(needle);
    case ScorerKind::kTokenRatio:
      return std::make_unique<TokenRatioScorer>(needle);
    case ScorerKind::kSetRatio:
      return std::make_unique<SetRatioScorer>(needle);
    case ScorerKind::kPartialRatio:
    case ScorerKind::kPartialTokenSortRatio:
    case ScorerKind::kPartialTokenSetRatio:
    case ScorerKind::kPartialTokenRatio:
      return std::make_unique<PartialScorer>(kind, needle);
    case ScorerKind::kWRatio:
      return std::make_unique<WRatioScorer>(needle);
    case ScorerKind::kSeqRatio:
      return std::make_unique<SeqRatioScorer>(needle);
    default:
      return std::make_unique<MeasureScorer>(kind, needle, options);
  }
}

bool HasTokenBound(ScorerKind kind) {
  return kind == ScorerKind::kTokenSetRatio || kind == ScorerKind::kWRatio;
}

bool HasGramBound(ScorerKind kind, const ScorerOptions& options) {
  switch (kind) {
    case ScorerKind::kRatio:
    case ScorerKind::kQRatio:
    case ScorerKind::kTokenSortRatio:
    case ScorerKind::kIndel:
    case ScorerKind::kLcs:
      return true;
    case ScorerKind::kLevenshtein:
      return options.insert_cost == 1 && options.delete_cost == 1 && options.substitute_cost == 1;
    default:
      return false;
  }
}

bool HasCharBound(ScorerKind kind, const ScorerOptions& options) {
  switch (kind) {
    case ScorerKind::kTokenSetRatio:
    case ScorerKind::kPartialRatio:
    case ScorerKind::kWRatio:
    case ScorerKind::kSetRatio:
      return true;
    default:
      return HasGramBound(kind, options);
  }
}

NameStat NameStatFor(ScorerKind kind) {
  switch (kind) {
    case ScorerKind::kWRatio:
      return NameStat::kTokenSetLength;
    case ScorerKind::kSetRatio:
      return NameStat::kTokenCount;
    default:
      return NameStat::kNone;
  }
}

uint32_t NameStatOf(NameStat stat, std::string_view processed) {
  switch (stat) {
    case NameStat::kTokenSetLength:
      return TokenSetLength(processed);
    case NameStat::kTokenCount:
      return static_cast<uint32_t>(std::min<size_t>(
          1 + static_cast<size_t>(std::count(processed.begin(), processed.end(), ' ')), 65535));
    case NameStat::kNone:
      break;
  }
  return 0;
}

uint32_t TokenSetLength(std::string_view processed) {
  // Called for every haystack name at load: the buffers are kept per thread.
  thread_local std::u32string cps;
  thread_local std::vector<std::u32string_view> tokens;
  text::Decode(processed, &cps);
  SortedTokens(cps, &tokens);
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  return static_cast<uint32_t>(std::min<size_t>(JoinedLength(tokens), 65535));
}

NameForm NameFormFor(ScorerKind kind) {
  switch (kind) {
    case ScorerKind::kTokenSortRatio:
    case ScorerKind::kTokenRatio:
    case ScorerKind::kPartialTokenSortRatio:
    case ScorerKind::kPartialTokenRatio:
      return NameForm::kSortedTokens;
    case ScorerKind::kTokenSetRatio:
    case ScorerKind::kPartialTokenSetRatio:
      return NameForm::kSortedTokenSet;
    default:
      return NameForm::kProcessed;
  }
}

const char* NameFormName(NameForm form) {
  switch (form) {
    case NameForm::kSortedTokens:
      return "sorted tokens";
    case NameForm::kSortedTokenSet:
      return "sorted token set";
    default:
      return "processed";
  }
}

void ToNameForm(NameForm form, std::string_view processed, std::string* out) {
  if (form == NameForm::kProcessed) {
    out->assign(processed);
    return;
  }
  std::u32string cps, joined;
  text::Decode(processed, &cps);
  std::vector<std::u32string_view> tokens;
  SortedTokens(cps, &tokens);
  if (form == NameForm::kSortedTokenSet) {
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  }
  Join(tokens, &joined);
  *out = text::Encode(joined);
}

double ScorePair(ScorerKind kind, std::string_view a, std::string_view b_processed,
                 const ScorerOptions& options) {
  auto scorer = CachedScorer::Create(kind, a, options);
  std::string b;
  ToNameForm(NameFormFor(kind), b_processed, &b);
  HayName hay{b, static_cast<uint32_t>(text::CodePointCount(b)), text::IsAscii(b)};
  return scorer->Score(hay, 0);
}

double RawScorePair(ScorerKind kind, std::string_view a, std::string_view b,
                    const ScorerOptions& options) {
  switch (kind) {
    case ScorerKind::kLevenshtein:
    case ScorerKind::kIndel:
    case ScorerKind::kLcs:
    case ScorerKind::kOsa:
    case ScorerKind::kDamerauLevenshtein:
    case ScorerKind::kHamming:
    case ScorerKind::kJaro:
    case ScorerKind::kJaroWinkler:
    case ScorerKind::kPrefix:
    case ScorerKind::kPostfix: {
      MeasureScorer scorer(kind, a, options);
      std::u32string cps;
      text::Decode(b, &cps);
      return scorer.Raw(cps);
    }
    default:
      return ScorePair(kind, a, b, options);
  }
}

namespace {
struct NamedScorer {
  const char* name;
  ScorerKind kind;
};
constexpr NamedScorer kScorers[] = {
    {"name", ScorerKind::kName},
    {"ratio", ScorerKind::kRatio},
    {"partial_ratio", ScorerKind::kPartialRatio},
    {"QRatio", ScorerKind::kQRatio},
    {"WRatio", ScorerKind::kWRatio},
    {"token_sort_ratio", ScorerKind::kTokenSortRatio},
    {"token_set_ratio", ScorerKind::kTokenSetRatio},
    {"token_ratio", ScorerKind::kTokenRatio},
    {"partial_token_sort_ratio", ScorerKind::kPartialTokenSortRatio},
    {"partial_token_set_ratio", ScorerKind::kPartialTokenSetRatio},
    {"partial_token_ratio", ScorerKind::kPartialTokenRatio},
    {"setratio", ScorerKind::kSetRatio},
    {"seqratio", ScorerKind::kSeqRatio},
    {"levenshtein", ScorerKind::kLevenshtein},
    {"indel", ScorerKind::kIndel},
    {"lcs", ScorerKind::kLcs},
    {"osa", ScorerKind::kOsa},
    {"damerau_levenshtein", ScorerKind::kDamerauLevenshtein},
    {"hamming", ScorerKind::kHamming},
    {"jaro", ScorerKind::kJaro},
    {"jaro_winkler", ScorerKind::kJaroWinkler},
    {"prefix", ScorerKind::kPrefix},
    {"postfix", ScorerKind::kPostfix},
};
}  // namespace

std::optional<ScorerKind> ParseScorer(std::string_view name) {
  for (const auto& s : kScorers) {
    if (name == s.name) return s.kind;
  }
  return std::nullopt;
}

const char* ScorerName(ScorerKind kind) {
  for (const auto& s : kScorers) {
    if (s.kind == kind) return s.name;
  }
  return "?";
}

std::string ScorerNames() {
  std::string out;
  for (const auto& s : kScorers) out += (out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

}  // namespace needle
