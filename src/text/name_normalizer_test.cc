// The `name` processor on real organisation names: each family of legal forms
// (English, German, Nordic, Romance, Dutch, Polish, East Asian stacked
// forms), names that are only a legal form, initials, the article, "&",
// abbreviations, multi-script names from the name-suggestion-index data, and
// the table built from the ISO 20275 list.
#include <gtest/gtest.h>

#include "needle/normalize.h"
#include "needle/processor.h"

namespace needle {
namespace {

struct Case {
  const char* name;
  const char* core;
  const char* legal;
};

void ExpectCases(const std::vector<Case>& cases) {
  NormalizedName n;
  for (const Case& c : cases) {
    NormalizeName(c.name, true, &n);
    EXPECT_EQ(n.core, c.core) << "'" << c.name << "'";
    EXPECT_EQ(n.legal, c.legal) << "'" << c.name << "'";
  }
}

TEST(NameNormalizer, LegalFormsOfEachFamilyAreKeptApart) {
  ExpectCases({
      {"Acme Widgets, Inc.", "acme widgets", "inc"},
      {"Acme Widgets Incorporated", "acme widgets", "inc"},
      {"Smf Corp", "smf", "corp"},
      {"Sanders Engineering LLC", "sanders engineering", "llc"},
      {"Sanders Engineering L.L.C.", "sanders engineering", "llc"},
      {"Holt Law PLLC", "holt law", "pllc"},
      {"BHP Billiton Pty Ltd", "bhp billiton", "pty ltd"},
      {"Tesco PLC", "tesco", "plc"},
      {"Innsbrucker Soziale Dienste GmbH", "innsbrucker soziale dienste", "gmbh"},
      {"Müller Transporte GmbH & Co. KG", "muller transporte", "gmbh and co kg"},
      {"Siemens Aktiengesellschaft", "siemens", "ag"},
      {"Eolus Vind AB", "eolus vind", "ab"},
      {"Ragn-Sells AS", "ragn sells", "as"},
      {"Transportadora de Gas del Norte S.A.", "transportadora de gas del norte", "sa"},
      {"Zonnepark Wolvega B.V.", "zonnepark wolvega", "bv"},
      {"ZWiK Sp. z o.o.", "zwik", "sp z oo"},
      {"Toyota Motor Co., Ltd.", "toyota motor", "co ltd"},
  });
}

TEST(NameNormalizer, WordsThatEndNamesAreNotLegalForms) {
  // The list has forms spelt like English words, US abbreviations and the
  // processor's own abbreviations; at the end of an English name they are
  // words (docs/scorers.md, step 5).
  ExpectCases({
      {"Hot Springs School District", "hot springs school district", ""},
      {"Detailers Unlimited Inc", "detailers unlimited", "inc"},
      {"DetailersUnlimited", "detailersunlimited", ""},
      {"Physical Therapy Center VTLLC", "physical therapy center vt", "llc"},
      {"Pioneer Unltd", "pioneer unltd", ""},
      {"Acme Zinc Corp", "acme zinc", "corp"},
      {"Smith & Son", "smith and son", ""},
      {"Navy Federal Credit Union", "navy federal credit union", ""},
      {"Community Health Ctr", "community health center", ""},
      {"Hale Family Fdn", "hale family foundation", ""},
      {"City Zoo", "city zoo", ""},
      // The forms that are no such words stay.
      {"Luxottica Group S.p.A.", "luxottica group", "spa"},
      {"Heineken N.V.", "heineken", "nv"},
  });
}

TEST(NameNormalizer, MisspeltEnglishLegalFormsAtTheEndAreRead) {
  ExpectCases({
      {"Frank Cox Icn", "frank cox", "inc"},
      {"Lilias Mexican Restaurant LLNC", "lilias mexican restaurant", "llc"},
      {"Ocean Shore Designs OLTD", "ocean shore designs", "ltd"},
      {"Phileo Corporatioq", "phileo", "corp"},
      {"Best Name Tate Cumpany", "best name tate", "co"},
      {"Seals and Services Incqrporated", "seals and services", "inc"},
      // Words near a form stay words, and so does a name of one word.
      {"Holiday Inn", "holiday inn", ""},
      {"Acme Zinc", "acme zinc", ""},
      {"Apple Core", "apple core", ""},
      {"Peace Corps", "peace corps", ""},
      {"Twin Lakes Club NIC", "twin lakes club nic", ""},
      {"Icn", "icn", ""},
      // Only at the end.
      {"Icn Pharmaceuticals", "icn pharmaceuticals", ""},
  });
}

TEST(NameNormalizer, ANameThatIsOnlyALegalFormSurvives) {
  ExpectCases({
      {"AMBA", "amba", ""},
      {"GmbH", "gmbh", ""},
      {"Inc.", "inc", ""},
      {"Co Ltd", "co", "ltd"},
  });
}

TEST(NameNormalizer, InitialsArticleAmpersandAndAbbreviations) {
  ExpectCases({
      {"I.B.M. Corp", "ibm", "corp"},
      {"I B M", "ibm", ""},
      {"The Boeing Company", "boeing", "co"},
      {"The", "the", ""},
      {"AT&T Inc", "att", "inc"},
      {"A & B Plumbing", "ab plumbing", ""},
      {"A&B Plumbing", "ab plumbing", ""},
      {"Smith & Sons", "smith and sons", ""},
      {"McDonald's", "mcdonalds", ""},
      {"Caspa Cmnty Assn", "caspa community association", ""},
      {"Intl Bros Mfg Co", "international brothers manufacturing", "co"},
      {"Natl Univ Dept of Svcs", "national university department of services", ""},
      {"  ", "", ""},
      {"", "", ""},
  });
}

TEST(NameNormalizer, UnicodeFromTheNameSuggestionIndex) {
  ExpectCases({
      {"Société Générale S.A.", "societe generale", "sa"},
      {"Banco Provincia de Neuquén", "banco provincia de neuquen", ""},
      {"宁波轨道交通", "宁波轨道交通", ""},
      {"аптека низьких цін", "аптека низьких цін", ""},
      {"Wafacash وفاكاش", "wafacash وفاكاش", ""},
      {"ＡＣＭＥ　Ｉｎｃ", "acme", "inc"},  // NFKC: full-width forms
      {"STRASSE Straße", "strasse strasse", ""},  // case folding: ß
  });
  NormalizedName n;
  NormalizeName("Société Générale", false, &n);
  EXPECT_EQ(n.core, "société générale");
}

TEST(NameNormalizer, ProcessorOutputSeparatesTheLegalPart) {
  std::string out;
  ProcessName(Processor::kName, "Acme Widgets, Inc.", &out);
  EXPECT_EQ(out, std::string("acme widgets") + kLegalSeparator + "inc");
  std::string_view core, legal;
  SplitLegal(out, &core, &legal);
  EXPECT_EQ(core, "acme widgets");
  EXPECT_EQ(legal, "inc");
  ProcessName(Processor::kName, "Acme", &out);
  EXPECT_EQ(out, "acme");
  EXPECT_EQ(ParseProcessor("name"), Processor::kName);
  EXPECT_STREQ(ProcessorName(Processor::kName), "name");
  // The ISO 20275 table: about 2,100 spellings after normalisation.
  EXPECT_GT(LegalFormCount(), 1500u);
}

}  // namespace
}  // namespace needle
