// ExactTopK against ScanTopK (the slow reference, itself tested against the
// definition in scan_test.cc): the same rows and scores for every scorer with
// a bigram bound, on real names, random and hostile ones, K = 1 and 10,
// cutoffs 0, 50, 80, 95. And the bound itself: never below the score.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>

#include "needle/grams.h"
#include "needle/haystack.h"
#include "needle/match.h"
#include "text/utf8.h"

namespace needle {
namespace {

const std::vector<ScorerKind> kBoundScorers = {ScorerKind::kRatio,       ScorerKind::kQRatio,
                                               ScorerKind::kTokenSortRatio, ScorerKind::kIndel,
                                               ScorerKind::kLcs,         ScorerKind::kLevenshtein};

std::vector<std::string> DemoNames(size_t limit) {
  std::ifstream in(std::string(NEEDLE_SOURCE_DIR) + "/data/demo/haystack.csv");
  std::vector<std::string> names;
  std::string line;
  std::getline(in, line);
  while (names.size() < limit && std::getline(in, line)) {
    if (line.find('"') == std::string::npos) names.push_back(line.substr(line.find(',') + 1));
  }
  return names;
}

// A typo or two: delete, insert, swap or replace code points (bytes here,
// on ASCII names), add or drop a word.
std::string Perturb(std::string s, std::mt19937& rng) {
  const int edits = static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t at = rng() % s.size();
    switch (rng() % 5) {
      case 0:
        s.erase(at, 1);
        break;
      case 1:
        s.insert(at, 1, static_cast<char>('a' + rng() % 26));
        break;
      case 2:
        if (at + 1 < s.size()) std::swap(s[at], s[at + 1]);
        break;
      case 3:
        s[at] = static_cast<char>('a' + rng() % 26);
        break;
      default:
        s += rng() % 2 ? " Inc" : " The";
    }
  }
  return s;
}

std::unique_ptr<Haystack> Build(const std::vector<std::string>& names, NameForm form) {
  HaystackBuilder b(Processor::kDefault, form, false, 0);
  for (const auto& n : names) EXPECT_TRUE(b.Add("", n).ok());
  auto h = b.Finish();
  EXPECT_TRUE(h.ok());
  return WithGramIndex(std::move(h).value(), 2);
}

// Exact == scan for every needle, K and cutoff; returns how many searches
// fell back to the scan (so a test can check the index did the work).
size_t ExpectExactEqualsScan(const Haystack& hay, ScorerKind kind,
                             const std::vector<std::string>& needles,
                             const std::vector<size_t>& ks = {1, 10},
                             const std::vector<double>& cutoffs = {0, 50, 80, 95}) {
  ExactScratch scratch;
  size_t scanned = 0;
  std::string processed, formed;
  for (const auto& n : needles) {
    ProcessName(Processor::kDefault, n, &processed);
    ToNameForm(NameFormFor(kind), processed, &formed);
    for (size_t k : ks) {
      for (double cutoff : cutoffs) {
        auto s1 = CachedScorer::Create(kind, processed);
        auto s2 = CachedScorer::Create(kind, processed);
        std::vector<Hit> want, got;
        ScanTopK(hay, *s1, k, cutoff, &want);
        SearchStats st;
        ExactTopK(hay, *s2, formed, k, cutoff, &scratch, &got, &st);
        scanned += st.scanned;
        EXPECT_EQ(got.size(), want.size()) << ScorerName(kind) << " '" << n << "' k=" << k
                                           << " cutoff=" << cutoff;
        if (got.size() != want.size()) return scanned;
        for (size_t i = 0; i < got.size(); ++i) {
          if (got[i].row != want[i].row || got[i].score != want[i].score) {
            ADD_FAILURE() << ScorerName(kind) << " '" << n << "' k=" << k << " cutoff=" << cutoff
                          << " rank " << i + 1 << ": got row " << got[i].row << " score "
                          << got[i].score << ", want row " << want[i].row << " score "
                          << want[i].score;
            return scanned;
          }
        }
      }
    }
  }
  return scanned;
}

TEST(ExactTopK, EqualsScanOnRealNamesForEveryBoundScorer) {
  auto names = DemoNames(30000);
  if (names.empty()) GTEST_SKIP() << "data/demo/haystack.csv not found";
  std::mt19937 rng(5);
  // Duplicate rows, names equal after processing.
  for (int i = 0; i < 300; ++i) names.push_back(names[rng() % names.size()]);
  for (int i = 0; i < 300; ++i) names.push_back(names[rng() % names.size()] + "!!");
  std::vector<std::string> needles;
  for (int i = 0; i < 150; ++i) needles.push_back(Perturb(names[rng() % names.size()], rng));
  for (int i = 0; i < 20; ++i) needles.push_back("zzqx wvvk " + std::to_string(i));  // no match
  for (ScorerKind kind : kBoundScorers) {
    auto hay = Build(names, NameFormFor(kind));
    const size_t scanned = ExpectExactEqualsScan(*hay, kind, needles);
    // The index answers nearly all searches itself.
    EXPECT_LT(scanned, needles.size()) << ScorerName(kind);
  }
}

TEST(ExactTopK, EqualsScanOnRandomAndHostileNames) {
  std::mt19937 rng(6);
  const std::vector<std::string> pieces = {"a", "ab", "aa", "ba", "é", "ß", "日本", "😀", " ",
                                           "co", "inc", "acme", "xx", "z"};
  auto random_name = [&] {
    std::string s;
    const int n = static_cast<int>(rng() % 7);
    for (int i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    return s;
  };
  std::vector<std::string> names;
  for (int i = 0; i < 4000; ++i) names.push_back(random_name());
  names.push_back(std::string(300, 'a'));            // one key, multiplicity 299
  names.push_back(std::string(150, 'a') + "b" + std::string(150, 'a'));
  std::vector<std::string> needles;
  for (int i = 0; i < 60; ++i) needles.push_back(random_name());
  needles.push_back("");
  needles.push_back("a");
  needles.push_back(std::string(200, 'a'));
  needles.push_back("aaaa bbbb aaaa");
  needles.push_back("日本日本");
  for (ScorerKind kind : kBoundScorers) {
    auto hay = Build(names, NameFormFor(kind));
    ExpectExactEqualsScan(*hay, kind, needles, {1, 3, 10});
  }
}

TEST(ExactTopK, FallsBackToTheScanWithoutAnIndexOrABound) {
  const std::vector<std::string> names = {"acme inc", "acme corp", "beta llc", "acme"};
  HaystackBuilder b(Processor::kDefault, NameForm::kProcessed, false, 0);
  for (const auto& n : names) ASSERT_TRUE(b.Add("", n).ok());
  auto hay = std::move(b.Finish()).value();
  ExactScratch scratch;
  std::vector<Hit> got;
  SearchStats st;
  auto scorer = CachedScorer::Create(ScorerKind::kRatio, "acme inc");
  ExactTopK(*hay, *scorer, "acme inc", 2, 0, &scratch, &got, &st);
  EXPECT_TRUE(st.scanned);  // no bigram index
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].row, 0u);
  auto indexed = WithGramIndex(std::move(hay), 1);
  auto wratio = CachedScorer::Create(ScorerKind::kWRatio, "acme inc");
  ExactTopK(*indexed, *wratio, "acme inc", 2, 0, &scratch, &got, &st);
  EXPECT_TRUE(st.scanned);  // WRatio has no bigram bound
  ExactTopK(*indexed, *scorer, "acme inc", 2, 0, &scratch, &got, &st);
  EXPECT_FALSE(st.scanned);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].row, 0u);
  EXPECT_EQ(got[0].score, 100.0);
}

// The bound of every scorer that has one is at least its score, for the
// exact number of shared keys, and at most its length bound.
TEST(GramBound, NeverBelowTheScoreOnRealAndHostileNames) {
  auto names = DemoNames(3000);
  std::mt19937 rng(7);
  const std::vector<std::string> hostile = {"", "a", "aa", "aaaa", "abab", "ba", "日本", "é é",
                                            std::string(70, 'x'), "a b c d e f g"};
  for (const auto& h : hostile) names.push_back(h);
  for (ScorerKind kind : kBoundScorers) {
    ASSERT_TRUE(HasGramBound(kind)) << ScorerName(kind);
    for (int i = 0; i < 4000; ++i) {
      std::string a = names[rng() % names.size()];
      std::string b = i % 2 ? Perturb(a, rng) : names[rng() % names.size()];
      std::string pa, pb, fa, fb;
      ProcessName(Processor::kDefault, a, &pa);
      ProcessName(Processor::kDefault, b, &pb);
      ToNameForm(NameFormFor(kind), pa, &fa);
      ToNameForm(NameFormFor(kind), pb, &fb);
      std::vector<uint32_t> ka, kb;
      AppendGramKeys(fa, &ka);
      const auto n = static_cast<uint32_t>(AppendGramKeys(fb, &kb));
      std::map<uint32_t, int> count;
      for (uint32_t k : ka) ++count[k];
      uint32_t common = 0;
      for (uint32_t k : kb) {
        if (count[k]-- > 0) ++common;
      }
      auto scorer = CachedScorer::Create(kind, pa);
      const double score = scorer->Score(HayName{fb, n, text::IsAscii(fb)}, 0);
      const double bound = scorer->MaxScoreForGrams(n, common);
      EXPECT_GE(bound, score) << ScorerName(kind) << " '" << fa << "' '" << fb << "' common "
                              << common;
      EXPECT_LE(bound, scorer->MaxScoreForLength(n)) << ScorerName(kind);
    }
  }
  // Without weights levenshtein has a bound; with them it scans.
  ScorerOptions weighted;
  weighted.substitute_cost = 2;
  EXPECT_FALSE(HasGramBound(ScorerKind::kLevenshtein, weighted));
  EXPECT_FALSE(HasGramBound(ScorerKind::kTokenSetRatio));
}

}  // namespace
}  // namespace needle
