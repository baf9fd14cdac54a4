// ScanTopK against the definition: score every row, sort by (score desc,
// row asc), keep score >= cutoff, take K. Also the store: interning and the
// compressed original rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "needle/haystack.h"
#include "needle/match.h"
#include "score/lcs_batch.h"
#include "text/utf8.h"

namespace needle {
namespace {

std::unique_ptr<Haystack> Build(const std::vector<std::string>& names, Processor p,
                                NameForm form = NameForm::kProcessed) {
  HaystackBuilder b(p, form, true, 0);
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_TRUE(b.Add("id" + std::to_string(i), names[i]).ok());
  }
  auto h = b.Finish();
  EXPECT_TRUE(h.ok());
  return std::move(h).value();
}

std::vector<Hit> Naive(const std::vector<std::string>& names, ScorerKind k, Processor p,
                       const std::string& needle, size_t top_k, double cutoff) {
  std::string pn, ph;
  ProcessName(p, needle, &pn);
  std::vector<Hit> all;
  for (size_t r = 0; r < names.size(); ++r) {
    ProcessName(p, names[r], &ph);
    const double s = ScorePair(k, pn, ph);
    if (s >= cutoff) all.push_back(Hit{s, static_cast<uint32_t>(r)});
  }
  std::sort(all.begin(), all.end(), Better);
  if (all.size() > top_k) all.resize(top_k);
  return all;
}

const std::vector<ScorerKind> kIssue2Scorers = {ScorerKind::kRatio, ScorerKind::kTokenSortRatio,
                                                ScorerKind::kTokenSetRatio, ScorerKind::kSetRatio};

void ExpectSameTopK(const std::vector<std::string>& names, const std::vector<std::string>& needles,
                    Processor p, const std::vector<ScorerKind>& kinds = kIssue2Scorers) {
  for (ScorerKind k : kinds) {
    auto hay = Build(names, p, NameFormFor(k));
    for (size_t top_k : {1, 3, 10}) {
      for (double cutoff : {0.0, 50.0, 80.0}) {
        for (const auto& n : needles) {
          std::string pn;
          ProcessName(p, n, &pn);
          auto scorer = CachedScorer::Create(k, pn);
          std::vector<Hit> got;
          ScanTopK(*hay, *scorer, top_k, cutoff, &got);
          const auto want = Naive(names, k, p, n, top_k, cutoff);
          ASSERT_EQ(got.size(), want.size()) << ScorerName(k) << " " << n;
          for (size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].row, want[i].row)
                << ScorerName(k) << " k=" << top_k << " cutoff=" << cutoff << " needle '" << n
                << "' got '" << names[got[i].row] << "' want '" << names[want[i].row] << "'";
            EXPECT_EQ(got[i].score, want[i].score);
          }
        }
      }
    }
  }
}

TEST(ScanTopK, EqualsNaiveOnRandomNamesWithManyTiesAndDuplicates) {
  std::mt19937 rng(11);
  const char* words[] = {"acme", "ac", "me", "co", "inc", "a", "b", "ab", "ba"};
  auto random_name = [&] {
    std::string s;
    const int n = static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      s += (i ? (rng() % 5 == 0 ? " & " : " ") : "");
      s += words[rng() % 9];
      if (rng() % 4 == 0) s[s.size() - 1] = static_cast<char>('A' + rng() % 3);
    }
    return s;
  };
  std::vector<std::string> names(400), needles(25);
  for (auto& s : names) s = random_name();
  for (auto& s : needles) s = random_name();
  ExpectSameTopK(names, needles, Processor::kDefault);
  ExpectSameTopK(names, needles, Processor::kNone);
  // And with the scalar kernels forced (the SIMD batch kernel is on by
  // default).
  score::SetLcsBatchEnabled(false);
  ExpectSameTopK(names, needles, Processor::kDefault);
  ExpectSameTopK(names, needles, Processor::kNone);
  score::SetLcsBatchEnabled(true);
}

// Every scorer's length bound steers the scan: the top-K must not change.
TEST(ScanTopK, EveryScorerEqualsNaive) {
  std::mt19937 rng(13);
  const char* words[] = {"acme", "ac", "me", "co", "inc", "a", "b", "ab", "ba", "acmeco"};
  auto random_name = [&] {
    std::string s;
    const int n = static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) s += (i ? " " : "") + std::string(words[rng() % 10]);
    return s;
  };
  std::vector<std::string> names(150), needles(8);
  for (auto& s : names) s = random_name();
  for (auto& s : needles) s = random_name();
  std::vector<ScorerKind> all;
  for (const char* name :
       {"ratio", "partial_ratio", "QRatio", "WRatio", "token_sort_ratio", "token_set_ratio",
        "token_ratio", "partial_token_sort_ratio", "partial_token_set_ratio", "partial_token_ratio",
        "setratio", "seqratio", "levenshtein", "indel", "lcs", "osa", "damerau_levenshtein",
        "hamming", "jaro", "jaro_winkler", "prefix", "postfix"}) {
    all.push_back(*ParseScorer(name));
  }
  ExpectSameTopK(names, needles, Processor::kDefault, all);
}

// Found in review: setratio's first bound was one ulp below the score of a
// perfect token pairing (5 tokens against 7: 83.33333333333333 against
// 83.33333333333334), so a name tying the K-th best in a later batch was
// dropped. Row 65 ties row 0 and must take rank 2 before row 66.
TEST(ScanTopK, SetratioTieAtTheKthScoreInALaterBatch) {
  std::vector<std::string> names = {"a b c d e x y"};
  for (int i = 1; i <= 64; ++i) names.push_back("filler" + std::to_string(i));
  names.push_back("a b c d e z w");
  names.push_back("a b c d e x y");
  ExpectSameTopK(names, {"a b c d e"}, Processor::kDefault, {ScorerKind::kSetRatio});
  auto hay = Build(names, Processor::kDefault);
  auto scorer = CachedScorer::Create(ScorerKind::kSetRatio, "a b c d e");
  std::vector<Hit> got;
  ScanTopK(*hay, *scorer, 2, 0, &got);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].row, 65u);
  // A cutoff equal to that score keeps all three.
  ScanTopK(*hay, *scorer, 5, got[0].score, &got);
  EXPECT_EQ(got.size(), 3u);
}

TEST(ScanTopK, EqualsNaiveOnRealNames) {
  std::ifstream in(std::string(NEEDLE_SOURCE_DIR) + "/data/demo/haystack.csv");
  std::vector<std::string> names;
  std::string line;
  std::getline(in, line);
  while (names.size() < 1500 && std::getline(in, line)) {
    if (line.find('"') == std::string::npos) names.push_back(line.substr(line.find(',') + 1));
  }
  if (names.empty()) GTEST_SKIP() << "data/demo/haystack.csv not found";
  // Duplicates and names equal after processing.
  for (int i = 0; i < 50; ++i) names.push_back(names[static_cast<size_t>(i) * 7]);
  for (int i = 0; i < 50; ++i) {
    std::string s = names[static_cast<size_t>(i) * 11];
    std::transform(s.begin(), s.end(), s.begin(), ::toupper);
    names.push_back(s + "!");
  }
  std::vector<std::string> needles;
  std::mt19937 rng(12);
  for (int i = 0; i < 20; ++i) {
    std::string s = names[rng() % names.size()];
    if (s.size() > 3) s.erase(rng() % s.size(), 1);
    needles.push_back(s);
  }
  ExpectSameTopK(names, needles, Processor::kDefault);
}

TEST(Haystack, InternsProcessedNamesAndKeepsOriginalRows) {
  std::vector<std::string> names;
  for (int i = 0; i < 1000; ++i) names.push_back("Name " + std::to_string(i % 300));
  names.push_back("NAME 5!");  // equal to "Name 5" after processing
  names.push_back("Zoë, \"quoted\"\nline");
  auto hay = Build(names, Processor::kDefault);
  EXPECT_EQ(hay->rows(), names.size());
  EXPECT_EQ(hay->distinct(), 301u);
  RowReader reader;
  for (uint32_t r = 0; r < hay->rows(); r += 7) {
    std::string_view id, name;
    hay->Row(r, &reader, &id, &name);
    EXPECT_EQ(id, "id" + std::to_string(r));
    EXPECT_EQ(name, names[r]);
  }
  std::string_view id, name;
  hay->Row(static_cast<uint32_t>(names.size() - 1), &reader, &id, &name);
  EXPECT_EQ(name, names.back());
  // Rows of a repeated name come out ascending.
  std::vector<uint32_t> rows;
  hay->ForEachRow(5, [&](uint32_t r) { rows.push_back(r); });
  EXPECT_EQ(rows, (std::vector<uint32_t>{5, 305, 605, 905, 1000}));
}

TEST(Haystack, RowNumbersAsIdsWhenTheTableHasNone) {
  HaystackBuilder b(Processor::kNone, NameForm::kProcessed, false, 0);
  ASSERT_TRUE(b.Add("", "a").ok());
  ASSERT_TRUE(b.Add("", "b").ok());
  auto h = b.Finish();
  ASSERT_TRUE(h.ok());
  RowReader reader;
  std::string_view id, name;
  h.value()->Row(1, &reader, &id, &name);
  EXPECT_EQ(id, "2");
  EXPECT_EQ(name, "b");
}

}  // namespace
}  // namespace needle
