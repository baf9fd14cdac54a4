// Differential tests: every kernel and scorer against a slow, obviously
// correct reference (dynamic programming, brute force), on random,
// adversarial, long and real strings.
#include "needle/scorer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <fstream>
#include <numeric>
#include <random>

#include "needle/processor.h"
#include "score/edit_measures.h"
#include "score/lcs_hyyro2004.h"
#include "score/munkres.h"
#include "text/utf8.h"

namespace needle {
namespace {

using score::LcsHyyro2004;
using score::PatternMask;

size_t LcsDp(std::u32string_view a, std::u32string_view b) {
  std::vector<size_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

double RatioRef(std::u32string_view a, std::u32string_view b) {
  const size_t lensum = a.size() + b.size();
  if (lensum == 0) return 100.0;
  return (1.0 - static_cast<double>(lensum - 2 * LcsDp(a, b)) / static_cast<double>(lensum)) *
         100.0;
}

std::u32string RandomString(std::mt19937& rng, size_t max_len, const std::u32string& alphabet) {
  std::u32string s(rng() % (max_len + 1), U'a');
  for (auto& c : s) c = alphabet[rng() % alphabet.size()];
  return s;
}

const std::u32string kSmall = U"ab ";
const std::u32string kMixed = U"abcxyz \u00e9\u4e2d\u0416\U0001F600";

size_t KernelLcs(std::u32string_view a, std::u32string_view b) {
  PatternMask pm;
  pm.Build(a);
  std::vector<uint64_t> scratch(pm.words() + 1);
  return LcsHyyro2004(pm, b.data(), b.size(), scratch.data());
}

TEST(LcsHyyro2004, EqualsDynamicProgrammingOnRandomStrings) {
  std::mt19937 rng(1);
  for (int iter = 0; iter < 4000; ++iter) {
    const auto& alphabet = iter % 2 ? kSmall : kMixed;
    // Lengths straddle the 64-bit word boundary to exercise the carry.
    const size_t max_len = iter % 3 == 0 ? 200 : 70;
    const std::u32string a = RandomString(rng, max_len, alphabet);
    const std::u32string b = RandomString(rng, max_len, alphabet);
    ASSERT_EQ(KernelLcs(a, b), LcsDp(a, b)) << text::Encode(a) << " | " << text::Encode(b);
  }
}

TEST(LcsHyyro2004, PopCountEqualsTheStandardOne) {
  std::mt19937_64 rng(8);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t x = rng() & rng();  // varied densities
    ASSERT_EQ(score::PopCount64(x), static_cast<size_t>(std::popcount(x)));
  }
  EXPECT_EQ(score::PopCount64(0), 0u);
  EXPECT_EQ(score::PopCount64(~0ull), 64u);
}

TEST(LcsHyyro2004, AdversarialAndEdgeCases) {
  const std::u32string a64(64, U'a'), a65(65, U'a'), b100(100, U'b');
  EXPECT_EQ(KernelLcs(U"", U"abc"), 0u);
  EXPECT_EQ(KernelLcs(U"abc", U""), 0u);
  EXPECT_EQ(KernelLcs(a64, a64), 64u);
  EXPECT_EQ(KernelLcs(a65, a64), 64u);
  EXPECT_EQ(KernelLcs(a65, b100), 0u);
  // All-ones carries ripple through every word.
  std::u32string alt;
  for (int i = 0; i < 300; ++i) alt += (i % 2 ? U'x' : U'y');
  std::u32string rev(alt.rbegin(), alt.rend());
  EXPECT_EQ(KernelLcs(alt, rev), LcsDp(alt, rev));
}

TEST(LcsHyyro2004, VeryLongStrings) {
  std::mt19937 rng(2);
  std::u32string a(10000, U'a'), b(10000, U'a');
  for (auto& c : a) c = kMixed[rng() % kMixed.size()];
  for (auto& c : b) c = kMixed[rng() % kMixed.size()];
  EXPECT_EQ(KernelLcs(a, b), LcsDp(a, b));
}

TEST(LcsHyyro2004, AsciiBytePathEqualsCodePointPath) {
  std::mt19937 rng(3);
  for (int iter = 0; iter < 500; ++iter) {
    const std::u32string a = RandomString(rng, 100, U"abcdef ");
    const std::u32string b = RandomString(rng, 100, U"abcdef ");
    const std::string b8 = text::Encode(b);
    PatternMask pm;
    pm.Build(a);
    std::vector<uint64_t> scratch(pm.words() + 1);
    EXPECT_EQ(LcsHyyro2004(pm, b8.data(), b8.size(), scratch.data()), LcsDp(a, b));
  }
}

// --- scorers against references written from their definitions ---

std::vector<std::u32string> SortedTokensRef(std::u32string_view s) {
  std::vector<std::u32string> out;
  std::u32string cur;
  for (char32_t c : s) {
    if (c == U' ' || c == U'\t' || c == U'\n') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  std::sort(out.begin(), out.end());
  return out;
}

std::u32string JoinRef(const std::vector<std::u32string>& t) {
  std::u32string s;
  for (size_t i = 0; i < t.size(); ++i) s += (i ? U" " : U"") + t[i];
  return s;
}

double TokenSetRef(std::u32string_view a, std::u32string_view b) {
  auto ta = SortedTokensRef(a), tb = SortedTokensRef(b);
  ta.erase(std::unique(ta.begin(), ta.end()), ta.end());
  tb.erase(std::unique(tb.begin(), tb.end()), tb.end());
  if (ta.empty() || tb.empty()) return 0;
  std::vector<std::u32string> sect, ab, ba;
  std::set_intersection(ta.begin(), ta.end(), tb.begin(), tb.end(), std::back_inserter(sect));
  std::set_difference(ta.begin(), ta.end(), tb.begin(), tb.end(), std::back_inserter(ab));
  std::set_difference(tb.begin(), tb.end(), ta.begin(), ta.end(), std::back_inserter(ba));
  if (!sect.empty() && (ab.empty() || ba.empty())) return 100;
  const std::u32string s = JoinRef(sect), sab = JoinRef(ab), sba = JoinRef(ba);
  // The three comparisons of the definition, built as real strings.
  const std::u32string t1 = s.empty() ? sab : s + U" " + sab;
  const std::u32string t2 = s.empty() ? sba : s + U" " + sba;
  auto r = [](std::u32string_view x, std::u32string_view y) {
    const size_t lensum = x.size() + y.size();
    if (!lensum) return 100.0;
    return 100.0 -
           100.0 * static_cast<double>(lensum - 2 * LcsDp(x, y)) / static_cast<double>(lensum);
  };
  double best = r(t1, t2);
  if (!s.empty()) best = std::max({best, r(s, t1), r(s, t2)});
  return best;
}

double Score(ScorerKind k, std::u32string_view a, std::u32string_view b) {
  return ScorePair(k, text::Encode(a), text::Encode(b));
}

TEST(Scorers, RatioAndTokenScorersEqualReferences) {
  std::mt19937 rng(4);
  for (int iter = 0; iter < 3000; ++iter) {
    const auto& alphabet = iter % 2 ? kSmall : kMixed;
    const std::u32string a = RandomString(rng, 40, alphabet);
    const std::u32string b = RandomString(rng, 40, alphabet);
    ASSERT_NEAR(Score(ScorerKind::kRatio, a, b), RatioRef(a, b), 1e-9);
    ASSERT_NEAR(Score(ScorerKind::kTokenSortRatio, a, b),
                RatioRef(JoinRef(SortedTokensRef(a)), JoinRef(SortedTokensRef(b))), 1e-9);
    ASSERT_NEAR(Score(ScorerKind::kTokenSetRatio, a, b), TokenSetRef(a, b), 1e-9)
        << text::Encode(a) << " | " << text::Encode(b);
  }
}

TEST(Scorers, EdgeCases) {
  EXPECT_EQ(ScorePair(ScorerKind::kRatio, "", ""), 100.0);
  EXPECT_EQ(ScorePair(ScorerKind::kRatio, "abc", ""), 0.0);
  EXPECT_EQ(ScorePair(ScorerKind::kTokenSortRatio, "", ""), 100.0);
  EXPECT_EQ(ScorePair(ScorerKind::kTokenSetRatio, "", ""), 0.0);
  EXPECT_EQ(ScorePair(ScorerKind::kTokenSetRatio, "a b", "b a c"), 100.0);  // subset rule
  EXPECT_EQ(ScorePair(ScorerKind::kSetRatio, "", ""), 100.0);
  EXPECT_EQ(ScorePair(ScorerKind::kSetRatio, "b a", "a b"), 100.0);
}

std::vector<std::string> AllScorerNames() {
  std::vector<std::string> names;
  std::string all = ScorerNames() + ",";
  for (size_t pos = 0, comma; (comma = all.find(',', pos)) != std::string::npos; pos = comma + 2) {
    names.push_back(all.substr(pos, comma - pos));
  }
  return names;
}

TEST(Scorers, EveryScorerNameParses) {
  const auto names = AllScorerNames();
  EXPECT_EQ(names.size(), 23u);
  for (const auto& n : names) EXPECT_TRUE(ParseScorer(n).has_value()) << n;
}

// For every scorer: scores lie in 0..100, never above the length bound, and a
// cutoff gives the score if it reaches the cutoff, else 0.
TEST(Scorers, EveryScorerStaysInRangeUnderItsBoundAndHonoursCutoffs) {
  std::mt19937 rng(5);
  for (const std::string& name : AllScorerNames()) {
    const ScorerKind k = *ParseScorer(name);
    for (int iter = 0; iter < 1000; ++iter) {
      const auto& alphabet = iter % 2 ? kSmall : kMixed;
      const std::string a = text::Encode(RandomString(rng, 30, alphabet));
      const std::string b = text::Encode(RandomString(rng, 30, alphabet));
      auto scorer = CachedScorer::Create(k, a);
      std::string formed;
      ToNameForm(NameFormFor(k), b, &formed);
      const HayName hay{formed, static_cast<uint32_t>(text::CodePointCount(formed)),
                        text::IsAscii(formed)};
      const double full = scorer->Score(hay, 0);
      ASSERT_GE(full, 0.0) << name;
      ASSERT_LE(full, 100.0 + 1e-9) << name;
      EXPECT_LE(full, scorer->MaxScoreForLength(hay.cp_len) + 1e-9) << name;
      const double cutoff = static_cast<double>(rng() % 101);
      EXPECT_EQ(scorer->Score(hay, cutoff), full >= cutoff ? full : 0.0)
          << name << " " << a << " | " << b;
      // A cutoff equal to the score keeps it (the scan's K-th best is such a
      // cutoff; a bound rounded one ulp low would drop ties).
      EXPECT_EQ(scorer->Score(hay, full), full) << name << " " << a << " | " << b;
    }
  }
}

// --- Munkres: the assignment it returns has the optimal total cost ---

double BruteForceAssignment(size_t n_cols, size_t n_rows, const std::vector<double>& c) {
  std::vector<size_t> rows(n_rows);
  std::iota(rows.begin(), rows.end(), 0);
  double best = 1e300;
  do {
    double sum = 0;
    for (size_t col = 0; col < n_cols; ++col) sum += c[rows[col] * n_cols + col];
    best = std::min(best, sum);
  } while (std::next_permutation(rows.begin(), rows.end()));
  return best;
}

TEST(Munkres, FindsAnOptimalAssignment) {
  std::mt19937 rng(6);
  for (int iter = 0; iter < 3000; ++iter) {
    const size_t n_rows = 1 + rng() % 6;
    const size_t n_cols = 1 + rng() % n_rows;
    std::vector<double> c(n_rows * n_cols);
    // Coarse values make many ties, as token distances do.
    for (auto& x : c) x = static_cast<double>(rng() % 5) / 4.0;
    std::vector<double> work = c;
    score::MunkresWork scratch;
    const auto map = score::MunkresAssign(n_cols, n_rows, &work, &scratch);
    ASSERT_EQ(map.size(), n_cols);
    std::vector<char> used(n_rows, 0);
    double sum = 0;
    for (size_t col = 0; col < n_cols; ++col) {
      ASSERT_LT(map[col], n_rows);
      ASSERT_FALSE(used[map[col]]) << "row assigned twice";
      used[map[col]] = 1;
      sum += c[map[col] * n_cols + col];
    }
    EXPECT_NEAR(sum, BruteForceAssignment(n_cols, n_rows, c), 1e-9);
  }
}

// --- real names, when the demo data set is present ---

std::vector<std::string> DemoNames(size_t n) {
  std::vector<std::string> names;
  std::ifstream in(std::string(NEEDLE_SOURCE_DIR) + "/data/demo/haystack.csv");
  std::string line;
  std::getline(in, line);
  while (names.size() < n && std::getline(in, line)) {
    if (line.find('"') != std::string::npos) continue;
    const size_t comma = line.find(',');
    if (comma != std::string::npos) names.push_back(line.substr(comma + 1));
  }
  return names;
}

TEST(Scorers, RealNamesEqualReferences) {
  const auto names = DemoNames(3000);
  if (names.empty()) GTEST_SKIP() << "data/demo/haystack.csv not found";
  std::mt19937 rng(7);
  std::string pa, pb;
  for (int iter = 0; iter < 4000; ++iter) {
    ProcessName(Processor::kDefault, names[rng() % names.size()], &pa);
    ProcessName(Processor::kDefault, names[rng() % names.size()], &pb);
    std::u32string a, b;
    text::Decode(pa, &a);
    text::Decode(pb, &b);
    ASSERT_NEAR(ScorePair(ScorerKind::kRatio, pa, pb), RatioRef(a, b), 1e-9);
    ASSERT_NEAR(ScorePair(ScorerKind::kTokenSetRatio, pa, pb), TokenSetRef(a, b), 1e-9);
  }
}

}  // namespace
}  // namespace needle

namespace needle {
namespace {

// --- edit measures (issue 3) against plain dynamic programming ---

size_t LevenshteinDp(std::u32string_view a, std::u32string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

TEST(EditMeasures, LevenshteinBitParallelEqualsDp) {
  std::mt19937 rng(21);
  for (int iter = 0; iter < 3000; ++iter) {
    const auto& alphabet = iter % 2 ? kSmall : kMixed;
    const size_t max_len = iter % 3 == 0 ? 300 : 70;  // one to five words
    const std::u32string a = RandomString(rng, max_len, alphabet);
    const std::u32string b = RandomString(rng, max_len, alphabet);
    PatternMask pm;
    pm.Build(a);
    std::vector<uint64_t> scratch(2 * pm.words() + 2);
    ASSERT_EQ(score::LevenshteinHyyro2003(pm, b, scratch.data()), LevenshteinDp(a, b))
        << text::Encode(a) << " | " << text::Encode(b);
  }
  std::u32string a(10000, U'a'), b(10000, U'a');
  for (auto& c : a) c = kMixed[rng() % kMixed.size()];
  for (auto& c : b) c = kMixed[rng() % kMixed.size()];
  PatternMask pm;
  pm.Build(a);
  std::vector<uint64_t> scratch(2 * pm.words());
  EXPECT_EQ(score::LevenshteinHyyro2003(pm, b, scratch.data()), LevenshteinDp(a, b));
}

TEST(EditMeasures, WeightedLevenshteinProperties) {
  std::mt19937 rng(22);
  for (int iter = 0; iter < 1000; ++iter) {
    const std::u32string a = RandomString(rng, 30, kSmall), b = RandomString(rng, 30, kSmall);
    // Unit weights: Levenshtein; substitution 2: Indel (m + n - 2 LCS).
    EXPECT_EQ(score::LevenshteinWagnerFischer(a, b, 1, 1, 1), LevenshteinDp(a, b));
    EXPECT_EQ(score::LevenshteinWagnerFischer(a, b, 1, 1, 2), a.size() + b.size() - 2 * LcsDp(a, b));
    // Swapping the strings swaps the roles of insertion and deletion.
    EXPECT_EQ(score::LevenshteinWagnerFischer(a, b, 2, 3, 4),
              score::LevenshteinWagnerFischer(b, a, 3, 2, 4));
  }
}

// Damerau-Levenshtein by brute force over edit scripts is too slow; instead
// the known orderings and transposition cases pin it down.
TEST(EditMeasures, TranspositionDistancesOrderAndCases) {
  EXPECT_EQ(score::OsaDistance(U"ca", U"abc"), 3u);                 // OSA cannot edit twice
  EXPECT_EQ(score::DamerauLevenshteinDistance(U"ca", U"abc"), 2u);  // unrestricted can
  EXPECT_EQ(score::OsaDistance(U"abcd", U"acbd"), 1u);
  EXPECT_EQ(score::DamerauLevenshteinDistance(U"abcd", U"acbd"), 1u);
  std::mt19937 rng(23);
  for (int iter = 0; iter < 2000; ++iter) {
    const std::u32string a = RandomString(rng, 20, kSmall), b = RandomString(rng, 20, kSmall);
    const size_t lev = LevenshteinDp(a, b), osa = score::OsaDistance(a, b),
                 dl = score::DamerauLevenshteinDistance(a, b);
    EXPECT_LE(dl, osa);
    EXPECT_LE(osa, lev);
    EXPECT_EQ(score::DamerauLevenshteinDistance(a, b), score::DamerauLevenshteinDistance(b, a));
  }
}

TEST(EditMeasures, OsaBitParallelEqualsDp) {
  std::mt19937 rng(25);
  for (int iter = 0; iter < 5000; ++iter) {
    const auto& alphabet = iter % 2 ? kSmall : kMixed;
    std::u32string a = RandomString(rng, 64, alphabet);
    if (a.empty()) a = U"x";
    const std::u32string b = RandomString(rng, 80, alphabet);
    PatternMask pm;
    pm.Build(a);
    ASSERT_EQ(score::OsaHyyro2003(pm, b), score::OsaDistance(a, b))
        << text::Encode(a) << " | " << text::Encode(b);
  }
}

TEST(EditMeasures, MblevenEqualsDpWithinItsLimit) {
  std::mt19937 rng(26);
  for (int iter = 0; iter < 20000; ++iter) {
    const std::u32string a = RandomString(rng, 12, iter % 2 ? kSmall : kMixed);
    std::u32string b = a;
    // A few random edits, so distances near the limit are common.
    for (int e = static_cast<int>(rng() % 5); e > 0; --e) {
      const size_t at = b.empty() ? 0 : rng() % (b.size() + 1);
      switch (rng() % 3) {
        case 0: b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), U'a'); break;
        case 1: if (at < b.size()) b.erase(at, 1); break;
        default: if (at < b.size()) b[at] = U'b';
      }
    }
    const size_t k = rng() % 4;
    const size_t lev = LevenshteinDp(a, b), indel = a.size() + b.size() - 2 * LcsDp(a, b);
    ASSERT_EQ(score::Mbleven2018(a, b, k, true), lev <= k ? lev : k + 1)
        << text::Encode(a) << " | " << text::Encode(b) << " k=" << k;
    ASSERT_EQ(score::Mbleven2018(a, b, k, false), indel <= k ? indel : k + 1)
        << text::Encode(a) << " | " << text::Encode(b) << " k=" << k;
  }
}

TEST(EditMeasures, JaroKnownValues) {
  EXPECT_NEAR(score::JaroSimilarity(U"MARTHA", U"MARHTA"), 17.0 / 18.0, 1e-12);
  EXPECT_NEAR(score::JaroSimilarity(U"DIXON", U"DICKSONX"), 0.7666666666666666, 1e-12);
  EXPECT_NEAR(score::JaroWinklerSimilarity(U"MARTHA", U"MARHTA", 0.1), 0.9611111111111111, 1e-12);
  EXPECT_EQ(score::JaroSimilarity(U"", U""), 1.0);
  EXPECT_EQ(score::JaroSimilarity(U"abc", U""), 0.0);
}

}  // namespace
}  // namespace needle

namespace needle {
namespace {

// partial_ratio against its definition: the best ratio over the windows of
// the longer string (full length, shorter prefixes, suffixes), both ways when
// the lengths are equal; built from substrings and the DP reference.
double PartialRatioRef(std::u32string_view a, std::u32string_view b) {
  if (a.empty() || b.empty()) return a.empty() && b.empty() ? 100.0 : 0.0;
  auto one_way = [](std::u32string_view s, std::u32string_view t) {
    const size_t k = s.size(), n = t.size();
    double best = 0;
    for (size_t i = 0; i + k <= n; ++i) best = std::max(best, RatioRef(s, t.substr(i, k)));
    for (size_t i = 1; i < k; ++i) best = std::max(best, RatioRef(s, t.substr(0, i)));
    for (size_t i = n - k; i < n; ++i) best = std::max(best, RatioRef(s, t.substr(i)));
    return best;
  };
  if (a.size() < b.size()) return one_way(a, b);
  if (a.size() > b.size()) return one_way(b, a);
  return std::max(one_way(a, b), one_way(b, a));
}

TEST(Scorers, PartialRatioEqualsItsDefinition) {
  std::mt19937 rng(31);
  for (int iter = 0; iter < 3000; ++iter) {
    const auto& alphabet = iter % 2 ? kSmall : kMixed;
    const size_t max_len = iter % 5 == 0 ? 150 : 30;  // past one 64-bit word too
    const std::u32string a = RandomString(rng, max_len, alphabet);
    const std::u32string b = RandomString(rng, max_len, alphabet);
    ASSERT_NEAR(Score(ScorerKind::kPartialRatio, a, b), PartialRatioRef(a, b), 1e-9)
        << text::Encode(a) << " | " << text::Encode(b);
  }
}

}  // namespace
}  // namespace needle
