// needle/normalize.h: what the `name` processor makes of an organisation name.
//
// The steps, in order (docs/scorers.md, "The name processor"):
//   1. Unicode NFKC and case folding (utf8proc); with fold_accents, accents and
//      other combining marks are dropped too ("Société" -> "societe").
//   2. Words: apostrophes are dropped inside a word ("McDonald's" ->
//      "mcdonalds"); dotted initials are joined ("I.B.M." -> "ibm", "S.A." ->
//      "sa"); "&" joins short letter groups ("AT&T" -> "att") and is "and"
//      elsewhere; every other code point that is not a letter or a digit
//      separates words.
//   3. Runs of two or more one-letter words are joined ("I B M" -> "ibm").
//   4. A leading "the" is dropped when more words follow.
//   5. Legal forms at the end ("Inc", "GmbH & Co. KG", "Co., Ltd.", "Pty Ltd",
//      about 2,100 spellings from the ISO 20275 list of GLEIF, plus stacked
//      ones) move, in canonical form, into a separate part: they are kept,
//      with a low weight, never deleted. A name that is only a legal form
//      ("AMBA") keeps it as its core.
//   6. Common business abbreviations become the full word ("Intl" ->
//      "international", "Assn" -> "association"); the English legal forms
//      have one spelling each ("Incorporated" -> "inc", "Limited" -> "ltd").
//
// Thread safety: NormalizeName may be called from any thread (the tables are
// built once, on first use).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace needle {

// Separates the core words from the legal form in the `name` processor's
// output: "acme widgets\x1Finc". U+001F is white space for Python's
// str.split() and for the token scorers, so they see three words.
inline constexpr char kLegalSeparator = '\x1F';

struct NormalizedName {
  std::string core;   // words joined by single spaces
  std::string legal;  // canonical legal-form words, joined by single spaces
  // What was recognised, for `needle normalize`: "legal form 'Co., Ltd.' ->
  // co ltd", "initials 'I.B.M.' -> ibm", "abbreviation 'intl' ->
  // international", "article 'the' dropped".
  std::vector<std::string> notes;
};

// REQUIRES: name is valid UTF-8.
void NormalizeName(std::string_view name, bool fold_accents, NormalizedName* out);

// The processor's output: core, then kLegalSeparator and the legal part if
// there is one.
void NormalizeNameForMatching(std::string_view name, std::string* out);

// Splits the processor's output back into its two parts.
inline void SplitLegal(std::string_view processed, std::string_view* core,
                       std::string_view* legal) {
  const size_t at = processed.find(kLegalSeparator);
  *core = processed.substr(0, at);
  *legal = at == std::string_view::npos ? std::string_view() : processed.substr(at + 1);
}

// The number of legal-form spellings known (after normalisation).
size_t LegalFormCount();

}  // namespace needle
