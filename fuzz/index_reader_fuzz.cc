// libFuzzer target for the index reader (src/store/index.cc): any bytes given
// to Index::FromBytes must give an index or an error, never a crash or an
// out-of-bounds read (the fuzz build runs with ASan and UBSan).
//
// A mutated file almost never keeps its section checksums, so a harness that
// stopped at Verify() would only ever test the header and table parsing.
// Inputs are therefore verified with checksums off (structure only) and, if
// that passes, searched and printed: whatever the structure check lets
// through must be safe to use.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "needle/charsig.h"
#include "needle/index.h"
#include "needle/match.h"
#include "needle/scorer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The reader requires 8-byte alignment (it reads arrays in place).
  std::vector<uint64_t> aligned((size + 7) / 8 + 1, 0);
  if (size > 0) std::memcpy(aligned.data(), data, size);
  const std::span<const char> bytes(reinterpret_cast<const char*>(aligned.data()), size);
  auto opened = needle::Index::FromBytes(bytes, "fuzz");
  if (!opened.ok()) return 0;
  const needle::Index& index = *opened.value();
  (void)index.Verify(true);
  if (!index.Verify(false).ok()) return 0;
  const needle::Haystack& hay = index.haystack();
  // Search with a scorer of the index's form, then print every hit's row.
  needle::ScorerKind kind = needle::ScorerKind::kRatio;
  if (hay.form() == needle::NameForm::kSortedTokens) kind = needle::ScorerKind::kTokenSortRatio;
  if (hay.form() == needle::NameForm::kSortedTokenSet) kind = needle::ScorerKind::kTokenSetRatio;
  for (std::string_view needle : {"acme corp", "b", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"}) {
    auto scorer = needle::CachedScorer::Create(kind, needle);
    std::vector<needle::Hit> hits;
    needle::ScanTopK(hay, *scorer, 3, 0, &hits);
    // The exact search reads the bigram sections (when present) as well.
    std::string formed;
    needle::ToNameForm(hay.form(), needle, &formed);
    needle::ExactScratch scratch;
    std::vector<needle::Hit> exact;
    needle::ExactTopK(hay, *scorer, formed, 3, 0, &scratch, &exact);
    if (hay.has_tokens()) {
      // The token search reads the token sections, with signatures.
      auto with_sigs = needle::WithCharSigs(
          std::make_unique<needle::Haystack>(hay.parts(), nullptr), needle::NameStat::kNone, 1);
      needle::ExactTopK(*with_sigs, *scorer, formed, 3, 0, &scratch, &exact);
      for (const auto& h : exact) {
        if (h.row >= hay.rows()) __builtin_trap();
      }
    }
    needle::RowReader reader;
    for (const auto& h : hits) {
      std::string_view id, name;
      (void)hay.Row(h.row, &reader, &id, &name);
    }
  }
  // Every row of the first blocks, and the last row.
  needle::RowReader reader;
  std::string_view id, name;
  for (uint32_t r = 0; r < hay.rows() && r < 200; ++r) (void)hay.Row(r, &reader, &id, &name);
  (void)hay.Row(hay.rows() - 1, &reader, &id, &name);
  return 0;
}
