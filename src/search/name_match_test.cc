// The name scorer (needle/name_match.h): what it rewards and punishes, its
// bound never below its score, and NameTopK's exact search equal to scoring
// every name, on real names (data/demo), perturbed, random and hostile ones.
#include "needle/name_match.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "needle/processor.h"
#include "search/test_names.h"

namespace needle {
namespace {

using test_data::DemoNames;

std::string Processed(std::string_view name) {
  std::string p;
  ProcessName(Processor::kName, name, &p);
  return p;
}

double Pair(std::string_view a, std::string_view b) {
  return NameScorePair(Processed(a), Processed(b));
}

std::unique_ptr<Haystack> Build(const std::vector<std::string>& names) {
  HaystackBuilder b(Processor::kName, NameForm::kProcessed, false, 0);
  for (const auto& n : names) EXPECT_TRUE(b.Add("", n).ok());
  auto h = b.Finish();
  EXPECT_TRUE(h.ok());
  return std::move(h).value();
}

// Edits a real name the way registers differ: typos, a dropped, swapped,
// joined or split word, a legal form added or changed, "The".
std::string Perturb(std::string s, std::mt19937& rng) {
  const int edits = 1 + static_cast<int>(rng() % 3);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t at = rng() % s.size();
    const size_t space = s.find(' ');
    const int op = static_cast<int>(rng() % 8);
    switch (op) {
      case 0:
      case 1:
      case 2:
        test_data::TypoAt(&s, at, op, rng);
        break;
      case 3:
        if (space != std::string::npos) s.erase(space, 1);  // join two words
        break;
      case 4:
        s.insert(at, 1, ' ');  // split one
        break;
      case 5:
        s += rng() % 2 ? " Inc" : " LLC";
        break;
      case 6:
        s = "The " + s;
        break;
      default:
        if (space != std::string::npos) s = s.substr(space + 1) + " " + s.substr(0, space);
    }
  }
  return s;
}

TEST(NameScorer, RewardsTheSameOrganisationWrittenDifferently) {
  EXPECT_EQ(Pair("Acme Widgets Inc", "ACME WIDGETS, INC."), 100);
  EXPECT_EQ(Pair("", ""), 100);
  EXPECT_EQ(Pair("Acme", ""), 0);
  EXPECT_EQ(Pair("", "Acme"), 0);
  // Accents, case, the article, initials and abbreviations are normalised.
  EXPECT_EQ(Pair("The Société Générale", "societe generale"), 100);
  EXPECT_EQ(Pair("I.B.M. Intl", "IBM International"), 100);
  // A one-word name pairs with the words its letters abbreviate, both ways,
  // as a near word would (kAcronymScore).
  EXPECT_GT(Pair("IBM", "International Business Machines"), 50);
  EXPECT_GT(Pair("International Business Machines Corp", "IBM Corp"), 50);
  EXPECT_EQ(Pair("IBM Services", "International Business Machines"), 0);
  EXPECT_EQ(Pair("IBM", "Acme Widgets"), 0);
  EXPECT_LT(Pair("IBM", "International Business Machines"), 100);
  // Abbreviations the processor leaves alone pair with their words, less
  // than the same word, both ways; not with other words.
  EXPECT_TRUE(IsAbbreviation("st", "saint") && IsAbbreviation("saint", "st"));
  EXPECT_TRUE(IsAbbreviation("street", "st") && IsAbbreviation("n", "north"));
  EXPECT_FALSE(IsAbbreviation("st", "north") || IsAbbreviation("ch", "chapel"));
  const double abbreviated = Pair("Bethel Baptist Ch", "Bethel Baptist Church");
  EXPECT_GT(abbreviated, 90);
  EXPECT_LT(abbreviated, 100);
  EXPECT_EQ(Pair("Bethel Baptist Church", "Bethel Baptist Ch"), abbreviated);
  EXPECT_GT(abbreviated, Pair("Bethel Baptist Ch", "Bethel Baptist Chapel"));
  EXPECT_GT(Pair("N Main St Cafe", "North Main Street Cafe"), 85);
  // Joined and split words pair.
  EXPECT_EQ(Pair("McDonald Farms", "Mc Donald Farms"), 100);
  EXPECT_EQ(Pair("Mc Donald Farms", "McDonald Farms"), 100);
  // In a join, a word is compared with its own part: "ws" is not "way".
  const double riding = Pair("Ws Community Church", "Waycommunity Church");
  EXPECT_EQ(Pair("Way Community Church", "Waycommunity Church"), 100);
  EXPECT_LT(riding, 78);  // 84 when "ws" took the ratio of the whole join
  EXPECT_GT(riding, Pair("Ws Community Church", "Church"));
  // A typo costs less than a missing word, which costs less than two.
  const double typo = Pair("Riverside Plumbing", "Riversdie Plumbing");
  const double dropped = Pair("Riverside Plumbing", "Plumbing");
  const double none = Pair("Riverside Plumbing", "Acme Widgets");
  EXPECT_LT(typo, 100);
  EXPECT_GT(typo, dropped);
  EXPECT_GT(dropped, none);
  EXPECT_EQ(none, 0);
  // A legal form weighs less than a word; word order costs a little.
  EXPECT_GT(Pair("Riverside Plumbing Inc", "Riverside Plumbing LLC"),
            Pair("Riverside Plumbing Inc", "Riverside Inc"));
  const double swapped = Pair("Riverside Plumbing", "Plumbing Riverside");
  EXPECT_LT(swapped, 100);
  EXPECT_GT(swapped, typo);
  // A legal form that is no other word counts as one wherever it stands
  // (with a haystack; here the pair test sees the processor's parts only).
  EXPECT_GT(Pair("Riverside Plumbing Inc", "Riverside Plumbing"), 90);
}

TEST(NameScorer, StaysInRangeOnRandomAndHostileNames) {
  std::mt19937 rng(3);
  const std::vector<std::string> alphabet = {"a", "b", " ", "&", ".", "inc", "é", "ß",
                                             "\xE4\xB8\xAD", "'", "co", "ltd", "\xC2\xA0"};
  for (int iter = 0; iter < 3000; ++iter) {
    std::string a, b;
    for (int k = static_cast<int>(rng() % 12); k > 0; --k) a += alphabet[rng() % alphabet.size()];
    for (int k = static_cast<int>(rng() % 12); k > 0; --k) b += alphabet[rng() % alphabet.size()];
    const double s = Pair(a, b);
    EXPECT_GE(s, 0) << a << " / " << b;
    EXPECT_LE(s, 100) << a << " / " << b;
    if (Processed(a) == Processed(b)) {
      EXPECT_EQ(s, 100) << a;
    }
  }
}

// Needles for the search tests: perturbed real names, names with no match,
// legal forms alone, empty and hostile ones.
std::vector<std::string> Needles(const std::vector<std::string>& names, size_t count,
                                 std::mt19937& rng) {
  std::vector<std::string> needles;
  for (size_t i = 0; i < count; ++i) needles.push_back(Perturb(names[rng() % names.size()], rng));
  for (const char* s : {"", "Inc", "LLC Ltd", "zzqx wvvk", "The", "& & &", "a b c d e f g h",
                        "IBM", "International Business Machines", "Ymca", "fbc", "FBC Inc",
                        "Société Générale S.A.", "\xE4\xB8\xAD\xE5\x9B\xBD", "co co co co"}) {
    needles.push_back(s);
  }
  return needles;
}

TEST(NameScorer, BoundNeverBelowTheScoreOnRealNames) {
  auto names = DemoNames(8000);
  if (names.empty()) GTEST_SKIP() << "data/demo/haystack.csv not found";
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) names.push_back(Perturb(names[rng() % names.size()], rng));
  names.push_back("");
  names.push_back("Inc");
  for (const char* s : {"International Business Machines Corp", "IBM", "First Baptist Church",
                        "FBC", "Young Mens Christian Association", "YMCA of the Rockies"}) {
    names.push_back(s);
  }
  auto hay = Build(names);
  auto index = NameIndex::Build(*hay, 2);
  NameScratch scratch;
  size_t pruned = 0, checked = 0;
  for (const std::string& n : Needles(names, 120, rng)) {
    NameQuery q(Processed(n), index.get(), &scratch);
    // The names the search meets through the needle words' lists.
    std::vector<char> listed(hay->distinct(), 0);
    for (size_t i = 0; i < q.words(); ++i) {
      for (uint32_t w : q.sources(i)) {
        for (uint32_t d : index->postings(w)) listed[d] = 1;
      }
      for (uint32_t d : q.acronym_names(i)) listed[d] = 1;
    }
    for (uint32_t d = 0; d < hay->distinct(); d += 3) {
      const double s = q.ScoreName(d);
      const double b = q.MaxScoreForName(d);
      ++checked;
      pruned += b < 50;
      ASSERT_GE(b + 1e-9, s) << "'" << n << "' vs '" << hay->processed(d) << "'";
      // A name in no list pairs no needle word: only shared legal forms count.
      if (!listed[d] && q.total_weight() > 0) {
        ASSERT_LE(s, 100 * q.legal_weight() / q.total_weight() + 1e-9)
            << "'" << n << "' vs '" << hay->processed(d) << "'";
      }
      // ScoreName (word ids, near-word lists) and ScoreText (strings) agree.
      if (d % 30 == 0) {
        ASSERT_DOUBLE_EQ(q.ScoreText(hay->processed(d)), s) << n << " / " << hay->processed(d);
      }
    }
  }
  // The bound does prune: most names are far from most needles.
  EXPECT_GT(pruned, checked / 2);
}

void ExpectExactEqualsScan(const NameIndex& index, const std::vector<std::string>& needles,
                           const std::vector<size_t>& ks, const std::vector<double>& cutoffs,
                           size_t* scanned) {
  NameScratch scratch;
  for (const std::string& n : needles) {
    const std::string p = Processed(n);
    for (size_t k : ks) {
      for (double cutoff : cutoffs) {
        std::vector<Hit> want, got;
        SearchStats st;
        NameTopK(index, n, p, k, cutoff, false, &scratch, &want);
        NameTopK(index, n, p, k, cutoff, true, &scratch, &got, &st);
        *scanned += st.scanned;
        ASSERT_EQ(got.size(), want.size()) << "'" << n << "' k=" << k << " cutoff=" << cutoff;
        for (size_t i = 0; i < got.size(); ++i) {
          ASSERT_EQ(got[i].row, want[i].row)
              << "'" << n << "' k=" << k << " cutoff=" << cutoff << " rank " << i + 1;
          ASSERT_EQ(got[i].score, want[i].score)
              << "'" << n << "' k=" << k << " cutoff=" << cutoff << " rank " << i + 1;
        }
      }
    }
  }
}

TEST(NameTopK, ExactEqualsScanOnRealNames) {
  auto names = DemoNames(30000);
  if (names.empty()) GTEST_SKIP() << "data/demo/haystack.csv not found";
  std::mt19937 rng(11);
  // Duplicate rows and names equal after processing.
  for (int i = 0; i < 300; ++i) names.push_back(names[rng() % names.size()]);
  for (int i = 0; i < 300; ++i) names.push_back("The " + names[rng() % names.size()] + ", Inc.");
  for (int i = 0; i < 300; ++i) names.push_back(Perturb(names[rng() % names.size()], rng));
  names.push_back("");
  names.push_back("LLC");
  for (const char* s : {"International Business Machines Corp", "IBM", "First Baptist Church",
                        "FBC", "Young Mens Christian Association", "YMCA of the Rockies",
                        "St Marys Ch", "Saint Marys Church", "N Side Cafe", "North Side Cafe"}) {
    names.push_back(s);
  }
  auto hay = Build(names);
  auto index = NameIndex::Build(*hay, 2);
  size_t scanned = 0;
  auto needles = Needles(names, 150, rng);
  for (const char* s : {"Saint Marys Ch", "St Marys Church", "N Side Cafe", "North Side Cafe"}) {
    needles.push_back(s);  // abbreviations
  }
  ExpectExactEqualsScan(*index, needles, {1, 3, 10}, {0, 50, 80, 95}, &scanned);
  // The lists answer nearly every search (the empty needle scans).
  EXPECT_LT(scanned, needles.size() * 12 / 4);
}

TEST(NameTopK, ExactEqualsScanOnRandomAndHostileNames) {
  std::mt19937 rng(13);
  const std::vector<std::string> alphabet = {"ab", "ba", "abc", " ", " ", "&", "inc", " co",
                                             "é",  "'",  "ltd", "x", "\xE4\xB8\xAD", "."};
  std::vector<std::string> names;
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    for (int k = static_cast<int>(rng() % 10); k > 0; --k) s += alphabet[rng() % alphabet.size()];
    names.push_back(s);
  }
  auto hay = Build(names);
  auto index = NameIndex::Build(*hay, 1);
  std::vector<std::string> needles;
  for (int i = 0; i < 120; ++i) {
    std::string s;
    for (int k = static_cast<int>(rng() % 10); k > 0; --k) s += alphabet[rng() % alphabet.size()];
    needles.push_back(s);
  }
  size_t scanned = 0;
  ExpectExactEqualsScan(*index, needles, {1, 10}, {0, 50, 80, 95}, &scanned);
}

// The spelling term, the slow way: lower-case ASCII, every other byte that
// is no letter or digit a space, one space between words.
std::string AsciiSpelling(std::string_view name) {
  std::string out;
  bool space = false;
  for (char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

// The crowd, the slow way: every distinct name, each needle word against
// each of its words by ratio (or as an abbreviation).
size_t SlowCrowd(const NameQuery& q, const NameIndex& index) {
  if (q.words() == 0 || q.words() > 64) return 0;
  size_t crowd = 0;
  for (uint32_t d = 0; d < index.haystack().distinct(); ++d) {
    bool all = true;
    for (size_t i = 0; i < q.words() && all; ++i) {
      bool found = false;
      for (uint32_t id : index.core(d)) {
        const std::string_view w = index.word(id);
        found |= ScorePair(ScorerKind::kRatio, q.text(i), w) >= kCrowdSpelling ||
                 IsAbbreviation(q.text(i), w);
      }
      all = found;
    }
    crowd += all;
  }
  return crowd;
}

TEST(NameCrowd, CountsTheNamesHoldingEveryWordOnRealNames) {
  auto names = DemoNames(6000);
  if (names.empty()) GTEST_SKIP() << "data/demo/haystack.csv not found";
  std::mt19937 rng(19);
  for (const char* s : {"Life Center", "New Life Center Inc", "Life Centre", "Lyfe Center",
                        "Center for Life", "St Marys Church", "Saint Marys Ch", "Marys"}) {
    names.push_back(s);
  }
  auto hay = Build(names);
  auto index = NameIndex::Build(*hay, 2);
  NameScratch scratch;
  auto needles = Needles(names, 300, rng);
  for (const char* s : {"Life Center", "Lief Centre", "St Marys", "Church", "Foundation",
                        "Family Foundation", "THE CHURCH OF GOD", "Inc"}) {
    needles.push_back(s);
  }
  size_t crowded = 0, many = 0;
  for (const std::string& n : needles) {
    NameQuery q(Processed(n), index.get(), &scratch);
    const size_t got = NameCrowd(q, *index, &scratch);
    ASSERT_EQ(got, SlowCrowd(q, *index)) << "'" << n << "'";
    crowded += got >= 2;
    many += got >= 20;
    // The factor: 1 up to one name, then falling with every doubling.
    ASSERT_LE(CrowdFactor(got), 1.0);
    ASSERT_GE(CrowdFactor(got), CrowdFactor(2 * got + 2));
  }
  EXPECT_EQ(CrowdFactor(0), 1.0);
  EXPECT_EQ(CrowdFactor(1), 1.0);
  EXPECT_LT(CrowdFactor(2), 1.0);
  // The count is not trivial: the short needles share their words with many
  // names, perturbed whole names with a few.
  EXPECT_GE(crowded, 8u);
  EXPECT_GE(many, 4u);
}

TEST(NameTopK, ScoreIsTheWordsTimesTheSpellingTerm) {
  auto names = DemoNames(5000);
  if (names.empty()) GTEST_SKIP() << "data/demo/haystack.csv not found";
  std::mt19937 rng(17);
  // The same words written differently: case, punctuation, apostrophes.
  for (int i = 0; i < 400; ++i) {
    std::string n = names[rng() % names.size()];
    for (char& c : n) {
      if (c == ' ' && rng() % 4 == 0) c = '-';
      if (c >= 'a' && c <= 'z' && rng() % 5 == 0) c = static_cast<char>(c - 'a' + 'A');
    }
    names.push_back(rng() % 2 ? n + ", Inc." : "The " + n);
  }
  auto hay = Build(names);
  auto index = NameIndex::Build(*hay, 1);
  NameScratch scratch;
  RowReader reader;
  size_t checked = 0, lowered = 0;
  for (const std::string& n : Needles(names, 200, rng)) {
    bool ascii = true;
    for (char c : n) ascii &= static_cast<unsigned char>(c) < 0x80;
    if (!ascii) continue;
    std::vector<Hit> hits;
    NameTopK(*index, n, Processed(n), 5, 0, true, &scratch, &hits);
    NameQuery q(Processed(n), index.get(), &scratch);
    const double crowd = CrowdFactor(SlowCrowd(q, *index));
    for (const Hit& h : hits) {
      std::string_view id, name;
      ASSERT_TRUE(hay->Row(h.row, &reader, &id, &name).ok());
      const std::string written(name);
      const std::string processed = Processed(written);
      uint32_t d = 0;
      while (hay->processed(d) != processed) ++d;
      const double words = q.ScoreName(d);
      const double r = ScorePair(ScorerKind::kRatio, AsciiSpelling(n), AsciiSpelling(written));
      ASSERT_DOUBLE_EQ(h.score, words * (1 - kSpellingWeight * (1 - r / 100)) * crowd)
          << "'" << n << "' / '" << written << "'";
      ASSERT_LE(h.score, words);
      ++checked;
      lowered += h.score < words;
    }
  }
  EXPECT_GT(checked, 500u);
  EXPECT_GT(lowered, checked / 4);
}

TEST(NameQuery, AWordNearALegalFormWeighsLikeIt) {
  // "incco" is within the word cutoff of "inc", which 30 names hold as their
  // legal form and one as a word; typed beside other words, it is likely
  // that legal form (two edits away, the processor leaves it a word).
  std::vector<std::string> names = {"Incco Research", "Smith Incco Plumbing"};
  for (int i = 0; i < 30; ++i) names.push_back("Firm " + std::to_string(i) + " Inc");
  names.push_back("Cox Frank");
  auto hay = Build(names);
  auto index = NameIndex::Build(*hay, 1);
  NameScratch scratch;
  const uint32_t inc = index->Find("inc"), incco = index->Find("incco");
  ASSERT_NE(inc, UINT32_MAX);
  ASSERT_NE(incco, UINT32_MAX);
  ASSERT_EQ(index->legal_postings(inc).size(), 30u);
  NameQuery two(Processed("Frank Cox Incco"), index.get(), &scratch);
  ASSERT_EQ(two.words(), 3u);
  EXPECT_DOUBLE_EQ(two.weight(2), index->WeightForDf(30));
  EXPECT_LT(two.weight(2), two.weight(1));  // cheaper than "cox"
  // Alone it is the name: it weighs as the word it is near (held by two).
  NameQuery one(Processed("Incco"), index.get(), &scratch);
  ASSERT_EQ(one.words(), 1u);
  EXPECT_DOUBLE_EQ(one.weight(0), index->WeightForDf(2));
  // So the typo costs little: as a word held by two names it would cost
  // nearly half the score.
  EXPECT_GT(two.ScoreText(Processed("Frank Cox Inc")), 90);
  EXPECT_GT(two.ScoreText(Processed("Frank Cox")), 90);
}

TEST(NameIndex, CountsWordsAndListsTheirNames) {
  auto hay = Build({"Acme Widgets Inc", "Acme Tools", "The Widgets Company", "Acme Widgets Inc",
                    "Smith Inc Plumbing"});
  auto index = NameIndex::Build(*hay, 1);
  const uint32_t acme = index->Find("acme"), widgets = index->Find("widgets");
  ASSERT_NE(acme, UINT32_MAX);
  ASSERT_NE(widgets, UINT32_MAX);
  EXPECT_EQ(index->Find("the"), UINT32_MAX);  // the leading article is dropped
  EXPECT_EQ(index->names(), 4u);              // distinct processed names
  EXPECT_EQ(index->df(acme), 2u);
  EXPECT_EQ(index->df(widgets), 2u);
  EXPECT_GT(index->weight(index->Find("tools")), index->weight(acme));
  // "inc" in the middle of a name is a legal-form word, as at the end.
  EXPECT_TRUE(index->IsLegalWord("inc"));
  EXPECT_FALSE(index->IsLegalWord("acme"));
  EXPECT_EQ(index->df(index->Find("inc")), 0u);
  EXPECT_EQ(index->legal_postings(index->Find("inc")).size(), 2u);
  for (uint32_t d = 0; d < index->names(); ++d) {
    for (uint32_t w : index->core(d)) {
      const auto list = index->postings(w);
      EXPECT_TRUE(std::binary_search(list.begin(), list.end(), d));
    }
  }
}

}  // namespace
}  // namespace needle
