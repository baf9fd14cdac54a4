// ExactTopK against ScanTopK (the slow reference, itself tested against the
// definition in scan_test.cc): the same rows and scores for every scorer with
// a bigram or a character bound, with the bigram index, the character
// signatures or both, on real names, random and hostile ones, K = 1 and 10,
// cutoffs 0, 50, 80, 95. And the bounds themselves: never below the score.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <fstream>
#include <map>
#include <random>

#include <hwy/targets.h>

#include "needle/charsig.h"
#include "needle/grams.h"
#include "needle/haystack.h"
#include "needle/match.h"
#include "needle/tokens.h"
#include "search/test_names.h"
#include "text/utf8.h"

namespace needle {
namespace {

const std::vector<ScorerKind> kBoundScorers = {ScorerKind::kRatio,       ScorerKind::kQRatio,
                                               ScorerKind::kTokenSortRatio, ScorerKind::kIndel,
                                               ScorerKind::kLcs,         ScorerKind::kLevenshtein};
// Scorers with a character bound but no bigram bound.
const std::vector<ScorerKind> kCharOnlyScorers = {ScorerKind::kTokenSetRatio,
                                                  ScorerKind::kPartialRatio, ScorerKind::kWRatio,
                                                  ScorerKind::kSetRatio};

using test_data::DemoNames;

// A typo or two: delete, insert, swap or replace code points (bytes here,
// on ASCII names), add or drop a word.
std::string Perturb(std::string s, std::mt19937& rng) {
  const int edits = static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t at = rng() % s.size();
    const int op = static_cast<int>(rng() % 5);
    if (op < 4) {
      test_data::TypoAt(&s, at, op, rng);
    } else {
      s += rng() % 2 ? " Inc" : " The";
    }
  }
  return s;
}

// What a haystack carries for the exact search.
enum class Aids { kGrams, kChars, kBoth, kTokens };
const std::vector<Aids> kAllAids = {Aids::kGrams, Aids::kChars, Aids::kBoth};
const char* AidsName(Aids a) {
  return a == Aids::kGrams   ? "bigrams"
         : a == Aids::kChars ? "signatures"
         : a == Aids::kBoth  ? "both"
                             : "tokens and signatures";
}

std::unique_ptr<Haystack> Build(const std::vector<std::string>& names, ScorerKind kind,
                                Aids aids = Aids::kBoth,
                                Processor processor = Processor::kDefault) {
  HaystackBuilder b(processor, NameFormFor(kind), false, 0);
  for (const auto& n : names) EXPECT_TRUE(b.Add("", n).ok());
  auto h = b.Finish();
  EXPECT_TRUE(h.ok());
  std::unique_ptr<Haystack> hay = std::move(h).value();
  if (aids == Aids::kGrams || aids == Aids::kBoth) hay = WithGramIndex(std::move(hay), 2);
  if (aids != Aids::kGrams) hay = WithCharSigs(std::move(hay), NameStatFor(kind), 2);
  if (aids == Aids::kTokens) hay = WithTokenIndex(std::move(hay), 2);
  return hay;
}

// Exact == scan for every needle, K and cutoff; returns how many searches
// fell back to the scan (so a test can check the index did the work), and
// adds the names scored to *verified.
size_t ExpectExactEqualsScan(const Haystack& hay, ScorerKind kind,
                             const std::vector<std::string>& needles,
                             const std::vector<size_t>& ks = {1, 10},
                             const std::vector<double>& cutoffs = {0, 50, 80, 95},
                             uint64_t* verified = nullptr) {
  ExactScratch scratch;
  size_t scanned = 0;
  std::string processed, formed;
  for (const auto& n : needles) {
    ProcessName(hay.processor(), n, &processed);
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
        if (verified) *verified += st.verified;
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
    for (Aids aids : kAllAids) {
      SCOPED_TRACE(AidsName(aids));
      auto hay = Build(names, kind, aids);
      const size_t scanned = ExpectExactEqualsScan(*hay, kind, needles);
      // The index or the signatures answer nearly all searches.
      EXPECT_LT(scanned, needles.size()) << ScorerName(kind);
    }
  }
  // The scan of these is slow (partial_ratio, WRatio): fewer needles, on
  // fewer names.
  names.resize(12000);
  for (int i = 0; i < 20; ++i) names.push_back(names[rng() % names.size()]);
  needles.resize(50);
  needles.push_back("zzqx wvvk");
  needles.push_back("inc");  // a token that many names have
  needles.push_back("the american society of the international friends of the");
  for (ScorerKind kind : kCharOnlyScorers) {
    auto hay = Build(names, kind, Aids::kChars);
    EXPECT_EQ(ExpectExactEqualsScan(*hay, kind, needles), 0u) << ScorerName(kind);
  }
}

// token_set_ratio and WRatio from the token index: names within the needle's tokens
// and names holding them all (both 100), names holding its rare tokens, and
// the rest by the token bound.
TEST(ExactTopK, TokenSetEqualsScanFromTheTokenIndex) {
  auto names = DemoNames(20000);
  if (names.empty()) GTEST_SKIP() << "data/demo/haystack.csv not found";
  std::mt19937 rng(15);
  for (int i = 0; i < 200; ++i) names.push_back(names[rng() % names.size()]);
  // Names that are a few of another name's words, or all of them and more.
  for (int i = 0; i < 600; ++i) {
    const std::string& a = names[rng() % names.size()];
    const size_t space = a.find(' ');
    names.push_back(i % 3 == 0 ? a + " Holdings" : a.substr(0, space));
  }
  names.push_back("inc");
  names.push_back("the");
  std::vector<std::string> needles;
  // Names holding another name's text inside longer words at both ends (its
  // inner words whole): partial_ratio 100, so WRatio 90; that name is a
  // needle.
  for (int i = 0, added = 0; added < 40 && i < 10000; ++i) {
    const std::string& a = names[rng() % names.size()];
    if (std::count(a.begin(), a.end(), ' ') < 2) continue;
    names.push_back("Zq" + a + "xv and sons of the valley");
    needles.push_back(a);
    ++added;
  }
  // The same with an inner word that is neither rare nor common (more names
  // than the rare lists hold, few enough to walk), and needles that are no
  // name.
  for (int i = 0; i < 30; ++i) {
    const std::string& a = names[rng() % names.size()];
    const std::string& b = names[rng() % names.size()];
    const std::string needle = a.substr(0, a.find(' ')) + " zork " + b.substr(b.rfind(' ') + 1);
    names.push_back("Qz" + needle + "vx and sons");
    names.push_back("zork " + b);
    needles.push_back(needle);
  }
  for (int i = 0; i < 140; ++i) needles.push_back(Perturb(names[rng() % names.size()], rng));
  for (int i = 0; i < 40; ++i) {
    // Words of two names mixed: shared tokens without a subset.
    const std::string& a = names[rng() % names.size()];
    const std::string& b = names[rng() % names.size()];
    needles.push_back(a.substr(0, a.find(' ')) + " " + b.substr(b.find(' ') + 1));
  }
  needles.push_back("zzqx wvvk");
  needles.push_back("inc");
  needles.push_back("inc the");
  needles.push_back("the american society of the international friends of the");
  // More held tokens than the subsets are enumerated for: the character
  // search answers it.
  needles.push_back("the of and inc church school club county city american association "
                    "national center community services");
  for (ScorerKind kind : {ScorerKind::kTokenSetRatio, ScorerKind::kWRatio}) {
    SCOPED_TRACE(ScorerName(kind));
    // WRatio's scan is slow: fewer K and cutoffs.
    const bool slow = kind == ScorerKind::kWRatio;
    const std::vector<size_t> ks =
        slow ? std::vector<size_t>{1, 10} : std::vector<size_t>{1, 3, 10};
    const std::vector<double> cutoffs =
        slow ? std::vector<double>{0, 80} : std::vector<double>{0, 50, 80, 95};
    uint64_t by_tokens = 0, by_chars = 0;
    auto tokens = Build(names, kind, Aids::kTokens);
    ASSERT_TRUE(tokens->has_tokens());
    EXPECT_EQ(ExpectExactEqualsScan(*tokens, kind, needles, ks, cutoffs, &by_tokens), 0u);
    auto chars = Build(names, kind, Aids::kChars);
    ExpectExactEqualsScan(*chars, kind, needles, ks, cutoffs, &by_chars);
    // The token index does the work: far fewer names scored.
    EXPECT_LT(by_tokens * 2, by_chars);
  }
}

// Cases a review found: names of whitespace only (the `none` processor keeps
// them; they hold no token, so the token index cannot look them up as
// substrings), whitespace other than U+0020 (the token forms turn it into
// spaces), and shared tokens joining to more than the per-name counts hold.
TEST(ExactTopK, TokenSearchEdgeCases) {
  const std::vector<ScorerKind> kinds = {ScorerKind::kTokenSetRatio, ScorerKind::kWRatio};
  for (ScorerKind kind : kinds) {
    SCOPED_TRACE(ScorerName(kind));
    auto hay = Build({" ", "a", "ab cd xy", "  ", "\t", "x\xc2\xa0y", "ab\tcd"}, kind,
                     Aids::kTokens, Processor::kNone);
    ExpectExactEqualsScan(*hay, kind,
                          {"a b", "ab\tcd\tef",
                           "ab\xc2\xa0"
                           "cd\xc2\xa0"
                           "ef",
                           "x y", "a  b"},
                          {1, 3}, {0, 70, 88});
  }
  // One shared token longer than 4,095 code points.
  const std::string t(5000, 'a');
  auto one =
      Build({"zzz", t + " " + std::string(5000, 'b')}, ScorerKind::kTokenSetRatio, Aids::kTokens);
  ExpectExactEqualsScan(*one, ScorerKind::kTokenSetRatio, {t + " x"}, {1}, {0, 95});
  // Common tokens joining to more than 65,535 code points: 12 of 6,000, held
  // together by 12 names among 20,000.
  std::vector<std::string> names, tokens;
  for (int i = 0; i < 12; ++i) tokens.push_back(std::string(6000, static_cast<char>('c' + i)));
  for (int i = 0; i < 20000; ++i) names.push_back("f" + std::to_string(i));
  std::string all;
  for (const auto& tk : tokens) all += tk + " ";
  for (int i = 0; i < 12; ++i) names.push_back(all + "q" + std::to_string(i));
  auto many = Build(names, ScorerKind::kTokenSetRatio, Aids::kTokens);
  // The needle's last token is long too, so only the intersection's terms
  // (not the overlap's) let those 12 names reach 99.
  ExpectExactEqualsScan(*many, ScorerKind::kTokenSetRatio, {all + std::string(30000, 'z')}, {1},
                        {0, 99});
}

// Every subset of a handful of tokens, as haystack and needles: the token
// lists, the set lists and the bound on names that share tokens.
TEST(ExactTopK, TokenSetEqualsScanOnTokenCombinations) {
  const std::vector<std::string> words = {"a", "ab", "acme", "acne", "inc", "co", "日本", "é",
                                          "the", "xq"};
  std::mt19937 rng(16);
  auto random_name = [&] {
    std::string s;
    const int n = static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) s += (i ? " " : "") + words[rng() % words.size()];
    return s;
  };
  std::vector<std::string> names;
  for (int i = 0; i < 3000; ++i) names.push_back(random_name());
  std::vector<std::string> needles;
  for (int i = 0; i < 80; ++i) needles.push_back(random_name());
  needles.push_back("a a a");
  needles.push_back("acme acme inc");
  needles.push_back("a ab acme acne inc co 日本 é the xq zz yy qq");
  for (ScorerKind kind : {ScorerKind::kTokenSetRatio, ScorerKind::kWRatio}) {
    auto hay = Build(names, kind, Aids::kTokens);
    ExpectExactEqualsScan(*hay, kind, needles, {1, 3, 10});
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
  // Overlaps of 255 and more (the sweep files them in one top level).
  names.push_back(std::string(280, 'a'));
  names.push_back(std::string(320, 'a'));
  names.push_back(std::string(290, 'a') + std::string(20, 'b'));
  names.push_back(std::string(256, 'b') + std::string(40, 'a'));
  std::vector<std::string> needles;
  for (int i = 0; i < 60; ++i) needles.push_back(random_name());
  needles.push_back("");
  needles.push_back("a");
  needles.push_back(std::string(200, 'a'));
  needles.push_back(std::string(300, 'a'));
  needles.push_back(std::string(290, 'a') + std::string(20, 'b'));
  needles.push_back("aaaa bbbb aaaa");
  needles.push_back("日本日本");
  for (ScorerKind kind : kBoundScorers) {
    for (Aids aids : kAllAids) {
      SCOPED_TRACE(AidsName(aids));
      auto hay = Build(names, kind, aids);
      ExpectExactEqualsScan(*hay, kind, needles, {1, 3, 10});
    }
  }
  for (ScorerKind kind : kCharOnlyScorers) {
    auto hay = Build(names, kind, Aids::kChars);
    ExpectExactEqualsScan(*hay, kind, needles, {1, 3, 10});
  }
  for (ScorerKind kind : {ScorerKind::kTokenSetRatio, ScorerKind::kWRatio}) {
    auto hay = Build(names, kind, Aids::kTokens);
    ExpectExactEqualsScan(*hay, kind, needles, {1, 3, 10});
  }
}

// A haystack whose signatures came with another scorer's NameStat (token
// counts for setratio, token set lengths for WRatio): the bounds must not
// read it as their own. Names of repeated words make the two differ.
TEST(ExactTopK, NameStatsOfAnotherScorerAreNotRead) {
  auto names = DemoNames(3000);
  if (names.empty()) GTEST_SKIP() << "data/demo/haystack.csv not found";
  std::mt19937 rng(23);
  std::vector<std::string> needles;
  for (int i = 0; i < 40; ++i) {
    const std::string& a = names[rng() % names.size()];
    const std::string w = a.substr(0, a.find(' '));
    names.push_back(w + " " + w + " " + w + " " + a);  // many tokens, a short set
    names.push_back(w);
    needles.push_back(i % 2 ? a : w + " " + w);
  }
  for (auto [kind, other] : {std::pair{ScorerKind::kWRatio, NameStat::kTokenCount},
                             std::pair{ScorerKind::kSetRatio, NameStat::kTokenSetLength}}) {
    SCOPED_TRACE(ScorerName(kind));
    HaystackBuilder b(Processor::kDefault, NameFormFor(kind), false, 0);
    for (const auto& n : names) ASSERT_TRUE(b.Add("", n).ok());
    auto hay = WithCharSigs(std::move(b.Finish()).value(), other, 1);
    if (kind == ScorerKind::kWRatio) hay = WithTokenIndex(std::move(hay), 1);
    ASSERT_NE(hay->name_stat_kind(), NameStatFor(kind));
    EXPECT_EQ(hay->name_stat(0, NameStatFor(kind)), 0u);
    EXPECT_EQ(ExpectExactEqualsScan(*hay, kind, needles, {1, 10}, {0, 80}), 0u);
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
  EXPECT_TRUE(st.scanned);  // WRatio has no bigram bound, and there are no signatures
  ExactTopK(*indexed, *scorer, "acme inc", 2, 0, &scratch, &got, &st);
  EXPECT_FALSE(st.scanned);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].row, 0u);
  EXPECT_EQ(got[0].score, 100.0);
  auto both = WithCharSigs(std::move(indexed), NameStat::kTokenSetLength, 1);
  ExactTopK(*both, *wratio, "acme inc", 2, 0, &scratch, &got, &st);
  EXPECT_FALSE(st.scanned);  // the character bound
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].row, 0u);
  auto seqratio = CachedScorer::Create(ScorerKind::kSeqRatio, "acme inc");
  ExactTopK(*both, *seqratio, "acme inc", 2, 0, &scratch, &got, &st);
  EXPECT_TRUE(st.scanned);  // no bound of either kind
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

// The sum over code points of the smaller count: what the signatures bound.
uint32_t ExactOverlap(std::string_view a, std::string_view b) {
  std::u32string ca, cb;
  text::Decode(a, &ca);
  text::Decode(b, &cb);
  std::map<char32_t, int> count;
  for (char32_t c : ca) ++count[c];
  uint32_t common = 0;
  for (char32_t c : cb) {
    if (count[c]-- > 0) ++common;
  }
  return common;
}

std::vector<std::string> PairNames() {
  auto names = DemoNames(3000);
  for (const char* h : {"", "a", "aa", "aaaa", "aaaaa", "abab", "ba", "日本", "日本日本日本日本日本",
                        "é é", "ÀÁÂÃÄÅ àáâãäå", "😀😀😀😀😀😀 x", "AbC abc ABC", "a b c d e f g",
                        "mississippi missouri", "inc", "the inc", "co co co co co co"}) {
    names.push_back(h);
  }
  names.push_back(std::string(70, 'x'));
  names.push_back(std::string(40, 'e') + " " + std::string(20, 'n'));
  return names;
}

TEST(CharSig, OverlapBoundsCommonCodePointsAndTheBatchAgreesOnEveryTarget) {
  const auto names = PairNames();
  std::mt19937 rng(8);
  for (int i = 0; i < 20000; ++i) {
    const std::string& a = names[rng() % names.size()];
    const std::string b = i % 2 ? Perturb(a, rng) : names[rng() % names.size()];
    const NeedleChars chars(a);
    const uint32_t overlap = chars.Overlap(MakeCharSig(b));
    EXPECT_GE(overlap, ExactOverlap(a, b)) << "'" << a << "' '" << b << "'";
    EXPECT_GE(overlap, static_cast<uint32_t>(RawScorePair(ScorerKind::kLcs, a, b)));
    EXPECT_LE(overlap, chars.length());
    // A name against itself: every bucket count is recovered exactly.
    EXPECT_EQ(chars.Overlap(MakeCharSig(a)), chars.length()) << "'" << a << "'";
  }
  // The batch kernel equals the scalar one, tails included, on every target.
  std::vector<uint64_t> lo, hi;
  for (size_t i = 0; i < 997; ++i) {
    const CharSig sig = MakeCharSig(names[(i * 7919) % names.size()]);
    lo.push_back(sig.lo);
    hi.push_back(sig.hi);
  }
  const auto targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    // Names, and words in which no code point occurs 3 times (the kernel
    // then reads only the names' first masks).
    std::vector<std::string> needles = {"acme", "bank", "x", "日本", "ab cd", "mississippi"};
    for (size_t j = 0; j < names.size(); j += 97) needles.push_back(names[j]);
    for (const std::string& needle : needles) {
      const NeedleChars chars(needle);
      for (size_t count : {size_t{997}, size_t{8}, size_t{3}}) {
        std::vector<uint32_t> out(count);
        // Need 0 writes every overlap; a need above 0 writes at least the
        // passing names' (whole vectors of failing names store nothing), so
        // the others keep the marker. Needs up to the needle's length make
        // most vectors fail.
        const uint32_t length = chars.length();
        for (const uint32_t need : {0u, static_cast<uint32_t>(count % 7), length / 2,
                                    length - length / 4, length}) {
          std::fill(out.begin(), out.end(), UINT32_MAX);
          const uint64_t pass = chars.OverlapBatch(lo.data(), hi.data(), count, out.data(), need);
          for (size_t i = 0; i < count; ++i) {
            const uint32_t want = chars.Overlap(CharSig{lo[i], hi[i]});
            const bool passes = want >= need;
            if (need == 0 || passes || out[i] != UINT32_MAX) {
              ASSERT_EQ(out[i], want) << hwy::TargetName(target) << " needle '" << needle
                                      << "' name " << i << " need " << need;
            }
            // The passing names' bits (the batches hold at most 64 names).
            if (i < 64) {
              ASSERT_EQ((pass >> i) & 1, passes ? 1u : 0u)
                  << hwy::TargetName(target) << " needle '" << needle << "' name " << i
                  << " need " << need;
            }
          }
          if (count < 64) {
            ASSERT_EQ(pass >> count, 0u) << hwy::TargetName(target);
          }
        }
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

// PassBlocks, on every target, against the one-name overlap: the blocks
// written are exactly those holding a name of [begin, end) that reaches
// need, in list order, with those names' bits and the block's overlaps.
TEST(CharSig, PassBlocksAgreesWithTheOneNameOverlapOnEveryTarget) {
  const auto names = PairNames();
  constexpr size_t kBlocks = 300;
  std::vector<uint64_t> lo, hi;
  for (size_t i = 0; i < kBlocks * kSigBlock; ++i) {
    const CharSig sig = MakeCharSig(names[(i * 7919) % names.size()]);
    lo.push_back(sig.lo);
    hi.push_back(sig.hi);
  }
  std::mt19937 rng(12);
  std::vector<uint32_t> list;  // blocks in no order, some twice
  for (size_t i = 0; i < 200; ++i) list.push_back(static_cast<uint32_t>(rng() % kBlocks));
  std::vector<uint32_t> offsets(kBlocks * kSigBlock, 0);
  const auto targets = hwy::SupportedAndGeneratedTargets();
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    std::vector<std::string> needles = {"acme", "x", "日本", "mississippi", "aaaaaaaaaaaa bbb"};
    for (size_t j = 0; j < names.size(); j += 211) needles.push_back(names[j]);
    for (const std::string& needle : needles) {
      const NeedleChars chars(needle);
      const uint32_t length = chars.length();
      // Ranges cutting blocks at both ends, and the whole array.
      const std::pair<uint32_t, uint32_t> ranges[] = {
          {0, kBlocks * kSigBlock}, {13, 1203}, {800, 805}, {5, 5}};
      for (const auto& [begin, end] : ranges) {
        for (const uint32_t need : {0u, length / 2, length - length / 4, length}) {
          for (size_t count : {size_t{0}, size_t{1}, size_t{17}, list.size()}) {
            std::vector<uint32_t> blocks(count), overlaps(count * kSigBlock);
            std::vector<uint8_t> masks(count);
            const size_t got =
                chars.PassBlocks(lo.data(), hi.data(), list.data(), count, begin, end, need,
                                 offsets.data(), blocks.data(), masks.data(), overlaps.data());
            size_t at = 0;
            for (size_t t = 0; t < count; ++t) {
              const uint32_t b = list[t];
              uint32_t want_mask = 0;
              for (uint32_t i = 0; i < kSigBlock; ++i) {
                const uint32_t d = b * kSigBlock + i;
                const uint32_t o = chars.Overlap(CharSig{lo[d], hi[d]});
                if (d >= begin && d < end && o >= need) want_mask |= 1u << i;
              }
              if (want_mask == 0) continue;
              ASSERT_LT(at, got) << hwy::TargetName(target) << " '" << needle << "'";
              ASSERT_EQ(blocks[at], b) << hwy::TargetName(target) << " '" << needle << "'";
              ASSERT_EQ(masks[at], want_mask) << hwy::TargetName(target) << " '" << needle
                                              << "' block " << b << " need " << need;
              for (uint32_t i = 0; i < kSigBlock; ++i) {
                if ((want_mask >> i) & 1) {
                  const uint32_t d = b * kSigBlock + i;
                  ASSERT_EQ(overlaps[at * kSigBlock + i], chars.Overlap(CharSig{lo[d], hi[d]}))
                      << hwy::TargetName(target);
                }
              }
              ++at;
            }
            ASSERT_EQ(got, at) << hwy::TargetName(target) << " '" << needle << "' need " << need
                               << " range " << begin << "-" << end << " count " << count;
          }
        }
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

// OverlapLevels and SelectLevel, on every target, against the one-name
// overlap and a plain scan: levels are overlaps capped at 255, the most is
// their maximum, and a level's ids are exactly those of that level, in order.
TEST(CharSig, LevelsAndSelectAgreeWithAPlainScanOnEveryTarget) {
  const auto names = PairNames();
  std::vector<uint64_t> lo, hi;
  for (size_t i = 0; i < 1000; ++i) {
    const CharSig sig = MakeCharSig(names[(i * 7919) % names.size()]);
    lo.push_back(sig.lo);
    hi.push_back(sig.hi);
  }
  // Names whose overlap with a long needle passes 255.
  for (int len : {254, 255, 256, 400}) {
    const CharSig sig = MakeCharSig(std::string(static_cast<size_t>(len), 'a'));
    lo.push_back(sig.lo);
    hi.push_back(sig.hi);
  }
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    std::vector<std::string> needles = {"acme", "x", "mississippi", std::string(300, 'a')};
    for (size_t j = 0; j < names.size(); j += 331) needles.push_back(names[j]);
    for (const std::string& needle : needles) {
      const NeedleChars chars(needle);
      for (size_t count : {size_t{0}, size_t{1}, size_t{63}, size_t{65}, lo.size()}) {
        std::vector<uint8_t> levels(count);
        const uint32_t most = chars.OverlapLevels(lo.data(), hi.data(), count, levels.data());
        uint32_t want_most = 0;
        for (size_t i = 0; i < count; ++i) {
          const uint32_t want = std::min(255u, chars.Overlap(CharSig{lo[i], hi[i]}));
          ASSERT_EQ(levels[i], want) << hwy::TargetName(target) << " '" << needle << "' " << i;
          want_most = std::max(want_most, want);
        }
        ASSERT_EQ(most, want_most) << hwy::TargetName(target) << " '" << needle << "'";
        for (uint32_t level = 0; level <= 255; ++level) {
          std::vector<uint32_t> got(count + 64);
          got.resize(SelectLevel(levels.data(), count, static_cast<uint8_t>(level), 1000, got.data()));
          std::vector<uint32_t> want;
          for (size_t i = 0; i < count; ++i) {
            if (levels[i] == level) want.push_back(1000 + static_cast<uint32_t>(i));
          }
          ASSERT_EQ(got, want) << hwy::TargetName(target) << " level " << level;
        }
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

// A slow SigBlockOrder: the group's bits by how many names hold them (most
// first, then by bit number), names compared bit by bit in that order (a
// name without the bit first), ties in their given order; then, window by
// window of 64 blocks (block sizes as the offset sets them), each block
// grown from the first name left by the name left adding the fewest bits to
// its OR, the first of those.
std::vector<uint32_t> SlowRadixOrder(const std::vector<CharSig>& sigs, std::vector<uint32_t> ids);
std::vector<uint32_t> SlowSigBlockOrder(const std::vector<CharSig>& sigs,
                                        std::vector<uint32_t> ids, uint32_t offset = 0) {
  ids = SlowRadixOrder(sigs, ids);
  std::vector<size_t> sizes;  // every block's size in ids
  for (size_t at = 0, size = kSigBlock - offset % kSigBlock; at < ids.size(); size = kSigBlock) {
    sizes.push_back(std::min(size, ids.size() - at));
    at += sizes.back();
  }
  std::vector<uint32_t> out;
  size_t at = 0;
  for (size_t w = 0; w < sizes.size(); w += 64) {
    size_t names = 0;
    for (size_t b = w; b < std::min(sizes.size(), w + 64); ++b) names += sizes[b];
    std::vector<uint32_t> left(ids.begin() + static_cast<ptrdiff_t>(at),
                               ids.begin() + static_cast<ptrdiff_t>(at + names));
    at += names;
    for (size_t b = w; b < std::min(sizes.size(), w + 64); ++b) {
      CharSig block = sigs[left.front()];
      out.push_back(left.front());
      left.erase(left.begin());
      for (size_t k = 1; k < sizes[b]; ++k) {
        size_t best = 0;
        int best_added = 1000;
        for (size_t i = 0; i < left.size(); ++i) {
          const CharSig& c = sigs[left[i]];
          const int added = std::popcount(c.lo & ~block.lo) + std::popcount(c.hi & ~block.hi);
          if (added < best_added) {
            best_added = added;
            best = i;
          }
        }
        block.lo |= sigs[left[best]].lo;
        block.hi |= sigs[left[best]].hi;
        out.push_back(left[best]);
        left.erase(left.begin() + static_cast<ptrdiff_t>(best));
      }
    }
  }
  return out;
}

std::vector<uint32_t> SlowRadixOrder(const std::vector<CharSig>& sigs, std::vector<uint32_t> ids) {
  auto bit = [&](uint32_t d, int j) {
    return j < 64 ? (sigs[d].lo >> j) & 1 : (sigs[d].hi >> (j - 64)) & 1;
  };
  std::vector<int> order(128);
  std::vector<size_t> held(128, 0);
  for (int j = 0; j < 128; ++j) {
    order[static_cast<size_t>(j)] = j;
    for (uint32_t d : ids) held[static_cast<size_t>(j)] += bit(d, j);
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return held[static_cast<size_t>(a)] > held[static_cast<size_t>(b)];
  });
  std::stable_sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) {
    for (int j : order) {
      if (bit(a, j) != bit(b, j)) return bit(a, j) < bit(b, j);
    }
    return false;
  });
  return ids;
}

TEST(CharSig, SigBlockOrderAgreesWithASlowReference) {
  std::vector<std::string> names = PairNames();
  std::vector<CharSig> sigs;
  for (const auto& n : names) sigs.push_back(MakeCharSig(n));
  std::mt19937_64 rng(11);
  // Random signatures too, most bits rare, so that bits far down the order
  // decide.
  for (int i = 0; i < 2000; ++i) sigs.push_back(CharSig{rng() & rng() & rng(), rng() & rng()});
  for (size_t size : {size_t{0}, size_t{1}, size_t{2}, size_t{50}, size_t{700}, sigs.size()}) {
    for (uint32_t offset : {0u, 3u, 7u}) {
      std::vector<uint32_t> ids;
      for (size_t i = 0; i < size; ++i) ids.push_back(static_cast<uint32_t>((i * 7919) % sigs.size()));
      const std::vector<uint32_t> want = SlowSigBlockOrder(sigs, ids, offset);
      SigBlockOrder(sigs, std::span<uint32_t>(ids), offset);
      EXPECT_EQ(ids, want) << size << " names, offset " << offset;
    }
  }
}

// The haystack's block signatures are the OR of their names' (the last
// block padded with nothing), and within a length group the names are in
// SigBlockOrder, ties by first row.
TEST(CharSig, BlocksAreTheOrOfTheirNamesInSigBlockOrder) {
  for (size_t count : {size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{3000}}) {
    std::vector<std::string> names = DemoNames(count);
    const auto hay = Build(names, ScorerKind::kRatio, Aids::kChars);
    const auto& p = hay->parts();
    ASSERT_EQ(p.block_lo.size(), (hay->distinct() + kSigBlock - 1) / kSigBlock);
    ASSERT_EQ(p.block_hi.size(), p.block_lo.size());
    for (size_t b = 0; b < p.block_lo.size(); ++b) {
      uint64_t lo = 0, hi = 0;
      for (size_t d = b * kSigBlock; d < std::min<size_t>((b + 1) * kSigBlock, hay->distinct());
           ++d) {
        const CharSig sig = MakeCharSig(hay->processed(static_cast<uint32_t>(d)));
        EXPECT_EQ(p.char_lo[d], sig.lo);
        EXPECT_EQ(p.char_hi[d], sig.hi);
        lo |= sig.lo;
        hi |= sig.hi;
      }
      EXPECT_EQ(p.block_lo[b], lo) << count << " names, block " << b;
      EXPECT_EQ(p.block_hi[b], hi) << count << " names, block " << b;
    }
    std::vector<CharSig> sigs;
    for (uint32_t d = 0; d < hay->distinct(); ++d) sigs.push_back(MakeCharSig(hay->processed(d)));
    for (size_t g = 0; g < hay->length_groups(); ++g) {
      std::vector<uint32_t> ids;
      for (uint32_t d = hay->group_begin(g); d < hay->group_begin(g + 1); ++d) ids.push_back(d);
      std::vector<uint32_t> by_row = ids;
      std::sort(by_row.begin(), by_row.end(),
                [&](uint32_t a, uint32_t b) { return hay->first_row(a) < hay->first_row(b); });
      EXPECT_EQ(SlowSigBlockOrder(sigs, by_row, hay->group_begin(g) % kSigBlock), ids)
          << count << " names, group " << g;
    }
  }
}

// Every character bound is at least the score (for the name's own signature
// and token set length) and at most the length bound; and it does rule out
// names the length bound lets through, or it would be no bound at all.
TEST(CharBound, NeverBelowTheScoreOnRealAndHostileNames) {
  const auto names = PairNames();
  std::mt19937 rng(9);
  std::vector<ScorerKind> kinds = kBoundScorers;
  kinds.insert(kinds.end(), kCharOnlyScorers.begin(), kCharOnlyScorers.end());
  for (ScorerKind kind : kinds) {
    ASSERT_TRUE(HasCharBound(kind)) << ScorerName(kind);
    size_t tighter = 0;
    for (int i = 0; i < 4000; ++i) {
      const std::string& a = names[rng() % names.size()];
      const std::string b = i % 2 ? Perturb(a, rng) : names[rng() % names.size()];
      std::string pa, pb, fa, fb;
      ProcessName(Processor::kDefault, a, &pa);
      ProcessName(Processor::kDefault, b, &pb);
      ToNameForm(NameFormFor(kind), pa, &fa);
      ToNameForm(NameFormFor(kind), pb, &fb);
      const auto n = static_cast<uint32_t>(text::CodePointCount(fb));
      const CharSig sig = MakeCharSig(fb);
      const uint32_t overlap = NeedleChars(fa).Overlap(sig);
      auto scorer = CachedScorer::Create(kind, pa);
      const double score = scorer->Score(HayName{fb, n, text::IsAscii(fb)}, 0);
      const double coarse = scorer->MaxScoreForChars(n, overlap);
      const HayName name{fb, n, text::IsAscii(fb)};
      const double fine =
          scorer->MaxScoreForName(name, overlap, sig, NameStatOf(NameStatFor(kind), fb));
      const double unknown = scorer->MaxScoreForName(name, overlap, sig, 0);
      EXPECT_GE(fine, score) << ScorerName(kind) << " '" << fa << "' '" << fb << "'";
      // (Summed in another order, they may differ in the last bits.)
      EXPECT_GE(unknown, fine - 1e-9) << ScorerName(kind) << " '" << fa << "' '" << fb << "'";
      EXPECT_GE(coarse, unknown) << ScorerName(kind) << " '" << fa << "' '" << fb << "'";
      EXPECT_LE(coarse, scorer->MaxScoreForLength(n)) << ScorerName(kind);
      tighter += fine < scorer->MaxScoreForLength(n);
      // A bound that stops early (enough) is still a bound; so is the batch
      // one, with the NameStat and without.
      const uint32_t stat = NameStatOf(NameStatFor(kind), fb);
      EXPECT_GE(scorer->MaxScoreForName(name, overlap, sig, stat, score), score)
          << ScorerName(kind) << " '" << fa << "' '" << fb << "'";
      EXPECT_GE(scorer->MaxScoreForName(name, overlap, sig, stat, score + 1), score)
          << ScorerName(kind) << " '" << fa << "' '" << fb << "'";
      const uint16_t stat16 = static_cast<uint16_t>(stat);
      double batch[2];
      scorer->MaxScoreForSigs(n, &sig.lo, &sig.hi, &stat16, &overlap, 1, &batch[0]);
      scorer->MaxScoreForSigs(n, &sig.lo, &sig.hi, nullptr, &overlap, 1, &batch[1]);
      EXPECT_GE(batch[0], score) << ScorerName(kind) << " '" << fa << "' '" << fb << "'";
      EXPECT_GE(batch[1], batch[0] - 1e-9) << ScorerName(kind) << " '" << fa << "' '" << fb << "'";
      EXPECT_LE(batch[1], coarse + 1e-9) << ScorerName(kind);
    }
    EXPECT_GT(tighter, 400u) << ScorerName(kind);
  }
  EXPECT_FALSE(HasCharBound(ScorerKind::kSeqRatio));
}

// The token bound, with the joined length of the tokens a pair really
// shares, is never below token_set_ratio for a pair where neither token set
// holds the other, and it is tighter than the character bound.
TEST(TokenBound, NeverBelowTheScoreOnRealAndHostileNames) {
  auto names = PairNames();
  const std::vector<std::string> hostile = {"a", "a b", "b a c", "日本 a", "é é", "x", "ab abc",
                                            "a  b a", "b b a"};
  names.insert(names.end(), hostile.begin(), hostile.end());
  std::mt19937 rng(19);
  EXPECT_FALSE(HasTokenBound(ScorerKind::kRatio));
  auto tokens_of = [](const std::string& set) {
    std::vector<std::string> t;
    for (size_t b = 0; b < set.size();) {
      size_t e = set.find(' ', b);
      if (e == std::string::npos) e = set.size();
      t.push_back(set.substr(b, e - b));
      b = e + 1;
    }
    return t;
  };
  for (ScorerKind kind : {ScorerKind::kTokenSetRatio, ScorerKind::kWRatio}) {
    SCOPED_TRACE(ScorerName(kind));
    ASSERT_TRUE(HasTokenBound(kind));
    size_t checked = 0, tighter = 0, exact_tighter = 0;
    for (int i = 0; i < 20000; ++i) {
      const std::string& a = names[rng() % names.size()];
      std::string b;
      if (i % 3 == 0) {
        b = Perturb(a, rng);
      } else if (i % 3 == 1) {
        // A word of a with words of another name: shared tokens.
        const std::string& c = names[rng() % names.size()];
        b = a.substr(0, a.find(' ')) + " " + c;
      } else {
        b = names[rng() % names.size()];
      }
      std::string pa, pb, fb, sa, sb;
      ProcessName(Processor::kDefault, a, &pa);
      ProcessName(Processor::kDefault, b, &pb);
      ToNameForm(NameFormFor(kind), pb, &fb);
      ToNameForm(NameForm::kSortedTokenSet, pa, &sa);
      ToNameForm(NameForm::kSortedTokenSet, pb, &sb);
      const auto ta = tokens_of(sa), tb = tokens_of(sb);
      std::vector<std::string> sect;
      std::set_intersection(ta.begin(), ta.end(), tb.begin(), tb.end(),
                            std::back_inserter(sect));
      if (!sect.empty() && (sect.size() == ta.size() || sect.size() == tb.size())) continue;
      // The needle's tokens the name holds, as a mask.
      uint64_t shared = 0;
      for (size_t j = 0; j < ta.size(); ++j) {
        if (std::binary_search(sect.begin(), sect.end(), ta[j])) shared |= 1ull << j;
      }
      std::string fa;
      ToNameForm(NameFormFor(kind), pa, &fa);
      const auto n = static_cast<uint32_t>(text::CodePointCount(fb));
      const CharSig sig = MakeCharSig(fb);
      const uint32_t overlap = NeedleChars(fa).Overlap(sig);
      auto scorer = CachedScorer::Create(kind, pa);
      const HayName name{fb, n, text::IsAscii(fb)};
      const double score = scorer->Score(name, 0);
      TokenFacts facts;
      facts.shareable = shared;
      // Whether the shorter is a substring of the longer, as the search
      // knows it.
      facts.not_substring = fb.size() < fa.size() && fa.find(fb) == std::string::npos;
      facts.not_superstring = fa.size() < fb.size() && fb.find(fa) == std::string::npos;
      const double coarse = scorer->MaxScoreForTokens(n, overlap, facts);
      const double fine = scorer->MaxScoreForTokenName(name, overlap, sig, TokenSetLength(pb), facts);
      ++checked;
      EXPECT_GE(fine, score) << "'" << fa << "' '" << fb << "' shared " << shared;
      // The coarse bound is never below the score either, and not below the
      // fine one but for the last bits of their own arithmetic.
      EXPECT_GE(coarse, score) << "'" << fa << "' '" << fb << "'";
      EXPECT_GE(coarse, fine - 1e-9) << "'" << fa << "' '" << fb << "'";
      EXPECT_LE(coarse, scorer->MaxScoreForChars(n, overlap)) << "'" << fa << "' '" << fb << "'";
      // With the shared tokens' joined length known exactly.
      TokenFacts exact = facts;
      exact.shared_length = 0;
      for (const auto& t : sect) exact.shared_length += static_cast<int64_t>(text::CodePointCount(t)) + 1;
      if (exact.shared_length > 0) --exact.shared_length;
      const double exact_coarse = scorer->MaxScoreForTokens(n, overlap, exact);
      const double exact_fine =
          scorer->MaxScoreForTokenName(name, overlap, sig, TokenSetLength(pb), exact);
      EXPECT_GE(exact_coarse, score) << "'" << fa << "' '" << fb << "'";
      EXPECT_GE(exact_fine, score) << "'" << fa << "' '" << fb << "'";
      // Tighter than knowing nothing of the tokens it holds, now and then.
      TokenFacts unknown = facts;
      unknown.shareable = ~0ull;
      exact_tighter += exact_fine < scorer->MaxScoreForTokenName(name, overlap, sig,
                                                                 TokenSetLength(pb), unknown) - 1;
      // More shareable tokens never lower it.
      TokenFacts more = facts;
      more.shareable |= 1ull << (rng() % 8);
      EXPECT_GE(scorer->MaxScoreForTokenName(name, overlap, sig, TokenSetLength(pb), more), fine);
      tighter += fine < scorer->MaxScoreForName(name, overlap, sig, TokenSetLength(pb)) - 1;
    }
    EXPECT_GT(checked, 10000u);
    EXPECT_GT(tighter, checked / 10);
    EXPECT_GT(exact_tighter, 0u);
  }
  EXPECT_EQ(NameStatFor(ScorerKind::kWRatio), NameStat::kTokenSetLength);
  EXPECT_EQ(NameStatFor(ScorerKind::kRatio), NameStat::kNone);
}

}  // namespace
}  // namespace needle
