// The `name` processor (needle/normalize.h): Unicode normalisation by
// utf8proc, then words, initials, the leading article, legal forms (ISO 20275,
// src/text/legal_forms.inc) and business abbreviations.
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "needle/normalize.h"
#include "text/utf8.h"

namespace needle {

namespace {

struct LegalEntry {
  const char* variant;
  const char* canonical;
};
constexpr LegalEntry kLegalForms[] = {
#include "text/legal_forms.inc"
};

// English legal forms with one spelling each, and common business
// abbreviations with their full word (both sides already normalised).
constexpr std::pair<const char*, const char*> kLegalAliases[] = {
    {"incorporated", "inc"}, {"corporation", "corp"}, {"company", "co"},
    {"limited", "ltd"},      {"cie", "co"},
};
constexpr std::pair<const char*, const char*> kAbbreviations[] = {
    {"intl", "international"},  {"assn", "association"},
    {"assoc", "associates"},    {"ctr", "center"},           {"centre", "center"},
    {"mfg", "manufacturing"},   {"bros", "brothers"},        {"natl", "national"},
    {"univ", "university"},     {"dept", "department"},      {"svcs", "services"},
    {"svc", "services"},        {"fdn", "foundation"},       {"fndn", "foundation"},
    {"mtn", "mountain"},        {"constr", "construction"},  {"ins", "insurance"},
    {"cmnty", "community"},     {"hosp", "hospital"},        {"schl", "school"},
    {"mgmt", "management"},     {"mgt", "management"},       {"devel", "development"},
    {"educ", "education"},      {"govt", "government"},      {"amer", "american"},
    {"grp", "group"},           {"hldgs", "holdings"},       {"twp", "township"},
    {"ptnrs", "partners"},
};

// A word's code points: letters and digits (Python's isalnum), and the marks
// that stay when accents are kept.
bool IsAlnum(char32_t c) {
  if (text::IsAlnum(c)) return true;
  const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC;
}
bool IsLetter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}
bool IsApostrophe(char32_t c) { return c == U'\'' || c == U'\u2019' || c == U'\u02BC'; }

// Step 1: NFKC, case folding, and optionally no marks.
std::u32string Fold(std::string_view name, bool fold_accents) {
  utf8proc_uint8_t* mapped = nullptr;
  const int options = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                      (fold_accents ? UTF8PROC_STRIPMARK : 0);
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(name.data()),
                   static_cast<utf8proc_ssize_t>(name.size()), &mapped,
                   static_cast<utf8proc_option_t>(options));
  std::u32string out;
  if (n < 0) {  // cannot happen on valid UTF-8; fall back to the input
    text::Decode(name, &out);
    return out;
  }
  text::Decode(std::string_view(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n)),
               &out);
  std::free(mapped);
  return out;
}

std::string Utf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) text::AppendUtf8(c, &out);
  return out;
}

// Steps 2 and 3 on folded text: the words, with notes.
std::vector<std::string> Words(std::u32string_view s, std::vector<std::string>* notes) {
  std::vector<std::string> words;
  std::u32string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(Utf8(word));
    word.clear();
  };
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && text::IsSpace(s[i])) ++i;
    size_t end = i;
    while (end < s.size() && !text::IsSpace(s[end])) ++end;
    std::u32string_view chunk = s.substr(i, end - i);
    i = end;
    // Dotted initials: single letters each followed by a dot, the last dot
    // optional ("i.b.m.", "s.a", "l.l.c."), trailing punctuation aside.
    {
      size_t len = chunk.size();
      while (len > 0 && !IsAlnum(chunk[len - 1]) && chunk[len - 1] != U'.') --len;
      const std::u32string_view core = chunk.substr(0, len);
      std::u32string letters;
      size_t k = 0;
      bool ok = true;
      while (k < core.size()) {
        if (!IsLetter(core[k])) {
          ok = false;
          break;
        }
        letters.push_back(core[k]);
        if (k + 1 < core.size() && core[k + 1] != U'.') {
          ok = false;
          break;
        }
        k += 2;
      }
      if (ok && letters.size() >= 2 && core.find(U'.') != std::u32string_view::npos) {
        if (notes) notes->push_back("initials '" + Utf8(core) + "' -> " + Utf8(letters));
        words.push_back(Utf8(letters));
        continue;
      }
    }
    // "&" between short letter groups joins them ("at&t"); elsewhere it is
    // the word "and".
    const size_t amp = chunk.find(U'&');
    bool short_amp = amp != std::u32string_view::npos;
    if (short_amp) {
      size_t run = 0;
      for (char32_t c : chunk) {
        if (c == U'&') {
          short_amp &= run > 0 && run <= 2;
          run = 0;
        } else if (IsLetter(c)) {
          ++run;
        } else {
          short_amp = false;
        }
      }
      short_amp &= run > 0 && run <= 2;
    }
    for (char32_t c : chunk) {
      if (IsAlnum(c)) {
        word.push_back(c);
      } else if (IsApostrophe(c)) {
        // dropped inside a word: "mcdonald's" -> "mcdonalds"
      } else if (c == U'&') {
        if (short_amp) continue;
        flush();
        words.push_back("and");
      } else {
        flush();
      }
    }
    flush();
  }
  // Runs of one-letter words are initials too: "i b m" -> "ibm", and so
  // are two joined by "and" ("a and b" -> "ab", as "a&b").
  std::vector<std::string> joined;
  auto one_letter = [&](size_t at) {
    if (at >= words.size() || text::CodePointCount(words[at]) != 1) return false;
    size_t pos = 0;
    return IsLetter(text::DecodeOne(words[at], &pos));
  };
  for (size_t w = 0; w < words.size();) {
    size_t e = w;
    while (one_letter(e)) {
      ++e;
      if (e < words.size() && words[e] == "and" && one_letter(e + 1)) ++e;
    }
    if (e - w >= 2) {
      std::string run, spaced;
      for (size_t k = w; k < e; ++k) {
        if (words[k] != "and") run += words[k];
        spaced += (k > w ? " " : "") + words[k];
      }
      if (notes) notes->push_back("initials '" + spaced + "' -> " + run);
      joined.push_back(run);
      w = e;
    } else {
      joined.push_back(words[w]);
      ++w;
    }
  }
  return joined;
}

std::string Join(const std::vector<std::string>& words, size_t from, size_t to) {
  std::string out;
  for (size_t k = from; k < to; ++k) {
    if (k > from) out.push_back(' ');
    out += words[k];
  }
  return out;
}

// English legal forms whose misspellings (one letter inserted, deleted,
// changed, or two swapped: "Icn", "LLNC", "Corpration") are read as them
// at the end of a name, with their canonical form.
constexpr std::pair<const char*, const char*> kTypoForms[] = {
    {"inc", "inc"},           {"llc", "llc"},   {"ltd", "ltd"},          {"corp", "corp"},
    {"pllc", "pllc"},         {"incorporated", "inc"}, {"corporation", "corp"},
    {"limited", "ltd"},       {"company", "co"},
};
// Misspellings of those that are words: each is a word at least 10 times
// in the 1.6 million real names of ../shared/data (IRS and Who's on First),
// plus "zinc" and three real words near the long forms.
constexpr const char* kTypoWords[] = {
    "anc",  "bnc",  "cnc",  "dnc",  "gnc",  "ibc",  "icc",  "idc",  "ihc",  "imc",  "ina",
    "inca", "inch", "ind",  "inf",  "ing",  "ink",  "inn",  "ins",  "int",  "inv",  "ipc",
    "itc",  "jnc",  "linc", "nic",  "pnc",  "rnc",  "alc",  "clc",  "dlc",  "elc",  "jlc",
    "lac",  "lcc",  "lcl",  "lic",  "ljc",  "llo",  "llp",  "lmc",  "loc",  "lpc",  "ltc",
    "mlc",  "plc",  "rlc",  "slc",  "tlc",  "dtd",  "lad",  "led",  "ltg",  "ltl",  "ltr",
    "lts",  "std",  "comp", "coop", "cop",  "copp", "cor",  "cora", "cord", "core", "cork",
    "corn", "coro", "corps", "corr", "cort", "cory", "crop", "crp", "pblc", "pllp",
    "zinc", "incorporate", "corporations", "corporacion"};

struct Tables {
  std::unordered_map<std::string, std::string> legal;  // normalised variant -> canonical
  std::unordered_map<std::string, std::string> typos;  // misspelt English form -> canonical
  size_t max_words = 1;
  std::unordered_map<std::string, std::string> aliases;  // word -> full word
  std::unordered_map<std::string, std::string> legal_aliases;
};

const Tables& GetTables() {
  static Tables* tables = [] {
    auto* t = new Tables();
    for (const auto& [from, to] : kLegalAliases) t->legal_aliases.emplace(from, to);
    for (const auto& [from, to] : kAbbreviations) t->aliases.emplace(from, to);
    for (const LegalEntry& e : kLegalForms) {
      const std::vector<std::string> v = Words(Fold(e.variant, true), nullptr);
      std::vector<std::string> c = Words(Fold(e.canonical, true), nullptr);
      if (v.empty() || c.empty()) continue;
      // An abbreviation of step 7 is a word ("Ctr" is Center, "Fdn"
      // Foundation), though the list has an Irish form "CTR" and a "FDN.".
      if (v.size() == 1 && t->aliases.count(v[0])) continue;
      for (std::string& w : c) {
        const auto it = t->legal_aliases.find(w);
        if (it != t->legal_aliases.end()) w = it->second;
      }
      t->legal.emplace(Join(v, 0, v.size()), Join(c, 0, c.size()));
      t->max_words = std::max(t->max_words, v.size());
    }
    // Every misspelling of kTypoForms at one edit, of 3 or more letters,
    // that is no form of the list and no word of kTypoWords.
    const std::unordered_set<std::string_view> words(std::begin(kTypoWords),
                                                     std::end(kTypoWords));
    auto add = [&](const std::string& v, const char* canonical) {
      if (v.size() >= 3 && !t->legal.count(v) && !words.count(v)) t->typos.emplace(v, canonical);
    };
    for (const auto& [form, canonical] : kTypoForms) {
      const std::string f(form);
      for (size_t i = 0; i <= f.size(); ++i) {
        for (char c = 'a'; c <= 'z'; ++c) add(f.substr(0, i) + c + f.substr(i), canonical);
        if (i == f.size()) break;
        add(f.substr(0, i) + f.substr(i + 1), canonical);
        for (char c = 'a'; c <= 'z'; ++c) add(f.substr(0, i) + c + f.substr(i + 1), canonical);
        if (i + 1 < f.size()) add(f.substr(0, i) + f[i + 1] + f[i] + f.substr(i + 2), canonical);
      }
    }
    return t;
  }();
  return *tables;
}

}  // namespace

size_t LegalFormCount() { return GetTables().legal.size(); }

void NormalizeName(std::string_view name, bool fold_accents, NormalizedName* out) {
  const Tables& t = GetTables();
  out->core.clear();
  out->legal.clear();
  out->notes.clear();
  std::vector<std::string> words = Words(Fold(name, fold_accents), &out->notes);
  // Step 4: the leading article.
  if (words.size() >= 2 && words[0] == "the") {
    words.erase(words.begin());
    out->notes.push_back("article 'the' dropped");
  }
  // Step 5: an English legal form written onto the last word
  // ("FoundationInc", "BotanicalLtd", "VTLLC") is split off first, when at
  // least three code points remain, two for the abbreviations (so "zinc"
  // and "unlimited" stay whole), and not from "...unlimited" or from the
  // words of kGluedWords.
  static constexpr const char* kGluedWords[] = {"arinc", "clinc", "incorp", "princ", "thinc",
                                                "unltd"};
  if (!words.empty() && std::find(std::begin(kGluedWords), std::end(kGluedWords),
                                  words.back()) == std::end(kGluedWords)) {
    static constexpr const char* kGlued[] = {"incorporated", "corporation", "limited", "company",
                                             "pllc", "corp", "inc", "llc", "ltd"};
    std::string& last = words.back();
    for (const char* form : kGlued) {
      const std::string_view f(form);
      const size_t least = f.size() <= 4 ? 2 : 3;  // code points left before the form
      if (last.size() < f.size() + least || !std::string_view(last).ends_with(f)) continue;
      // "DetailersUnlimited" is two words, not "detailersun" limited.
      if (f == "limited" && std::string_view(last).ends_with("unlimited")) break;
      const std::string head = last.substr(0, last.size() - f.size());
      if (text::CodePointCount(head) < least) continue;
      out->notes.push_back("legal form written onto '" + last + "' split off");
      last = head;
      words.emplace_back(f);
      break;
    }
  }
  // Step 5b: a misspelt English legal form at the end of two or more words.
  if (words.size() >= 2) {
    const auto it = t.typos.find(words.back());
    if (it != t.typos.end()) {
      out->notes.push_back("legal form '" + words.back() + "' read as '" + it->second + "'");
      words.back() = it->second;
    }
  }
  // Step 6: legal forms from the end, longest spelling first, stacked, while
  // a core word remains. The table is folded with accents dropped, so look
  // the words up that way too.
  std::vector<std::string> legal;
  for (bool found = true; found && words.size() >= 2;) {
    found = false;
    const size_t longest = std::min(t.max_words, words.size() - 1);
    for (size_t len = longest; len >= 1 && !found; --len) {
      const size_t from = words.size() - len;
      std::string key = Join(words, from, words.size());
      if (!fold_accents) {
        const std::vector<std::string> folded = Words(Fold(key, true), nullptr);
        key = Join(folded, 0, folded.size());
      }
      const auto it = t.legal.find(key);
      if (it == t.legal.end()) continue;
      out->notes.push_back("legal form '" + Join(words, from, words.size()) + "' -> " +
                           it->second);
      legal.insert(legal.begin(), it->second);
      words.resize(from);
      found = true;
    }
  }
  // Step 7: abbreviations in the core, one spelling for the legal forms.
  for (std::string& w : words) {
    const auto it = t.aliases.find(w);
    if (it == t.aliases.end()) continue;
    out->notes.push_back("abbreviation '" + w + "' -> " + it->second);
    w = it->second;
  }
  out->core = Join(words, 0, words.size());
  for (size_t k = 0; k < legal.size(); ++k) {
    if (k) out->legal.push_back(' ');
    out->legal += legal[k];
  }
}

void NormalizeNameForMatching(std::string_view name, std::string* out) {
  NormalizedName n;
  NormalizeName(name, true, &n);
  *out = std::move(n.core);
  if (!n.legal.empty()) {
    out->push_back(kLegalSeparator);
    *out += n.legal;
  }
}

}  // namespace needle
