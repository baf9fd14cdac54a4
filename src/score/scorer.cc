// The scorers of needle/scorer.h. Every one keeps its needle's preparation
// (code points, token lists, pattern masks) and its scratch buffers in the
// CachedScorer, so scoring a haystack name allocates nothing once warm.
#include "needle/scorer.h"

#include <algorithm>

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

using score::LcsHyyro2004;
using score::PatternMask;

// RapidFuzz's Indel normalized similarity x 100.
inline double IndelRatio(size_t lcs, size_t lensum) {
  if (lensum == 0) return 100.0;
  const size_t dist = lensum - 2 * lcs;
  return (1.0 - static_cast<double>(dist) / static_cast<double>(lensum)) * 100.0;
}

// RapidFuzz's norm_distance<100>, used inside token_set_ratio.
inline double NormDistance100(size_t dist, size_t lensum) {
  if (lensum == 0) return 100.0;
  return 100.0 - 100.0 * static_cast<double>(dist) / static_cast<double>(lensum);
}

// Python's str.isspace / RapidFuzz's is_space.
inline bool IsSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

// Whitespace-separated tokens of s (no empty tokens), as views into s.
void SplitWhitespace(std::u32string_view s, std::vector<std::u32string_view>* out) {
  out->clear();
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    const size_t b = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
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
  explicit RatioScorer(std::string_view needle) : ScorerBase(needle) { pm_.Build(needle_); }

  double Score(const HayName& hay, double cutoff) override {
    const size_t m = needle_.size(), n = hay.cp_len;
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
  double MaxScoreForLength(uint32_t n) const override {
    return IndelRatio(std::min<size_t>(needle_.size(), n), needle_.size() + n);
  }
  uint32_t PeakLength() const override { return static_cast<uint32_t>(needle_.size()); }

 private:
  PatternMask pm_;
};

class TokenSetScorer final : public ScorerBase {
 public:
  explicit TokenSetScorer(std::string_view needle) : ScorerBase(needle) {
    SortedTokens(needle_, &needle_tokens_);
    needle_tokens_.erase(std::unique(needle_tokens_.begin(), needle_tokens_.end()),
                         needle_tokens_.end());
  }

  // The hay is stored as its sorted token set (NameForm::kSortedTokenSet).
  double Score(const HayName& hay, double cutoff) override {
    SplitWhitespace(HayCodePoints(hay), &hay_tokens_);
    if (needle_tokens_.empty() || hay_tokens_.empty()) return 0;
    // Merge the two sorted token lists into intersection and differences.
    sect_.clear();
    diff_ab_.clear();
    diff_ba_.clear();
    size_t i = 0, j = 0;
    while (i < needle_tokens_.size() || j < hay_tokens_.size()) {
      if (j == hay_tokens_.size() ||
          (i < needle_tokens_.size() && needle_tokens_[i] < hay_tokens_[j])) {
        diff_ab_.push_back(needle_tokens_[i++]);
      } else if (i == needle_tokens_.size() || hay_tokens_[j] < needle_tokens_[i]) {
        diff_ba_.push_back(hay_tokens_[j++]);
      } else {
        sect_.push_back(needle_tokens_[i++]);
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
      const size_t dist = ab_len + ba_len - 2 * Lcs(pm_, ba_);
      best = std::max(best, NormDistance100(dist, sect_ab_len + sect_ba_len));
    }
    return best >= cutoff ? best : 0;
  }
  double MaxScoreForLength(uint32_t) const override { return 100.0; }
  uint32_t PeakLength() const override { return 0; }

 private:
  std::vector<std::u32string_view> needle_tokens_, hay_tokens_, sect_, diff_ab_, diff_ba_;
  std::u32string ab_, ba_;
  PatternMask pm_;
};

class SetRatioScorer final : public ScorerBase {
 public:
  explicit SetRatioScorer(std::string_view needle) : ScorerBase(needle) {
    SplitSpace(needle_, &needle_tokens_);
    masks_.resize(needle_tokens_.size());
    for (size_t i = 0; i < needle_tokens_.size(); ++i) masks_[i].Build(needle_tokens_[i]);
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
    // most 1 the bound is 2 min(na, nb) / (na + nb) before any work.
    const double needed = cutoff > 0 ? lensum * (1.0 - cutoff / 100.0) : 0;  // sum must be <= this
    if (cutoff > 0 && 200.0 * static_cast<double>(std::min(na, nb_fast)) / lensum < cutoff) {
      return 0;
    }
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
  uint32_t PeakLength() const override { return 0; }

 private:
  std::vector<std::u32string_view> needle_tokens_, hay_tokens_;
  std::vector<std::string_view> hay_bytes_;  // tokens of an ASCII hay, as bytes
  std::vector<PatternMask> masks_;
  std::vector<size_t> dist_;
  std::vector<double> costs_;
  score::MunkresWork munkres_;
};

}  // namespace

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

std::unique_ptr<CachedScorer> CachedScorer::Create(ScorerKind kind, std::string_view needle) {
  switch (kind) {
    case ScorerKind::kRatio:
      return std::make_unique<RatioScorer>(needle);
    case ScorerKind::kTokenSortRatio: {
      // ratio of the sorted forms; the hay is stored sorted already.
      std::string sorted;
      ToNameForm(NameForm::kSortedTokens, needle, &sorted);
      return std::make_unique<RatioScorer>(sorted);
    }
    case ScorerKind::kTokenSetRatio:
      return std::make_unique<TokenSetScorer>(needle);
    case ScorerKind::kSetRatio:
      return std::make_unique<SetRatioScorer>(needle);
  }
  return nullptr;
}

NameForm NameFormFor(ScorerKind kind) {
  switch (kind) {
    case ScorerKind::kTokenSortRatio:
      return NameForm::kSortedTokens;
    case ScorerKind::kTokenSetRatio:
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

double ScorePair(ScorerKind kind, std::string_view a, std::string_view b_processed) {
  auto scorer = CachedScorer::Create(kind, a);
  std::string b;
  ToNameForm(NameFormFor(kind), b_processed, &b);
  HayName hay{b, static_cast<uint32_t>(text::CodePointCount(b)), text::IsAscii(b)};
  return scorer->Score(hay, 0);
}

namespace {
struct NamedScorer {
  const char* name;
  ScorerKind kind;
};
constexpr NamedScorer kScorers[] = {
    {"ratio", ScorerKind::kRatio},
    {"setratio", ScorerKind::kSetRatio},
    {"token_set_ratio", ScorerKind::kTokenSetRatio},
    {"token_sort_ratio", ScorerKind::kTokenSortRatio},
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
