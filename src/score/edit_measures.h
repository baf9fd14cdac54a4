// score/edit_measures.h: edit distances and similarities on code points.
//
//   LevenshteinHyyro2003  unit-cost Levenshtein distance, bit-parallel: G. Myers,
//                         "A fast bit-vector algorithm for approximate string
//                         matching based on dynamic programming", JACM 46(3),
//                         1999, in the formulation of H. Hyyrö, "A bit-vector
//                         algorithm for computing Levenshtein and Damerau edit
//                         distances", Nordic J. Computing 10, 2003. Several
//                         64-bit words for patterns over 64 code points, with
//                         the addition's carry and the shifted-out bits of the
//                         horizontal deltas passed from word to word.
//   LevenshteinWagnerFischer  weighted (insert, delete, substitute) distance by
//                         dynamic programming: R. Wagner, M. Fischer, "The
//                         string-to-string correction problem", JACM 21(1), 1974.
//   OsaHyyro2003          optimal string alignment distance (adjacent
//                         transpositions, no substring edited twice),
//                         bit-parallel: Hyyrö 2003 adds a transposition term
//                         to Myers' recurrence; patterns up to 64 code points.
//   OsaDistance           the same by dynamic programming (any length).
//   DamerauLevenshteinDistance  unrestricted transpositions: R. Lowrance,
//                         R. Wagner, "An extension of the string-to-string
//                         correction problem", JACM 22(2), 1975.
//   Mbleven2018           Levenshtein or Indel distance when at most k <= 3
//                         edits are allowed: F. Fujimoto's mbleven (2018) tries
//                         every order of the few edits that can fit (a
//                         "model": deletions, insertions, substitutions) and
//                         walks both strings once per model, matching equal
//                         symbols greedily. O(models x length) with no table.
//   JaroSimilarity, JaroWinklerSimilarity  M. Jaro, JASA 84, 1989; W. Winkler,
//                         1990; as RapidFuzz 3.x computes them.
// Every function is pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "score/lcs_hyyro2004.h"

namespace needle::score {

// Levenshtein distance between the pattern of `pm` and `text`. `scratch` must
// hold 2 * pm.words() words.
size_t LevenshteinHyyro2003(const PatternMask& pm, std::u32string_view text, uint64_t* scratch);

size_t LevenshteinWagnerFischer(std::u32string_view a, std::u32string_view b, size_t insert_cost,
                                size_t delete_cost, size_t substitute_cost);
size_t OsaDistance(std::u32string_view a, std::u32string_view b);
// REQUIRES: 1 <= pm.size() <= 64.
size_t OsaHyyro2003(const PatternMask& pm, std::u32string_view text);
size_t DamerauLevenshteinDistance(std::u32string_view a, std::u32string_view b);
// The Levenshtein (substitutions allowed) or Indel (insertions and deletions
// only) distance of a and b if it is at most max_dist, else max_dist + 1.
// REQUIRES: max_dist <= 3.
size_t Mbleven2018(std::u32string_view a, std::u32string_view b, size_t max_dist,
                   bool substitutions);

// Positions that differ, plus the length difference (RapidFuzz's pad=True).
size_t HammingDistance(std::u32string_view a, std::u32string_view b);
size_t CommonPrefix(std::u32string_view a, std::u32string_view b);
size_t CommonSuffix(std::u32string_view a, std::u32string_view b);
double JaroSimilarity(std::u32string_view a, std::u32string_view b);
// Jaro-Winkler: jaro + prefix * weight * (1 - jaro) when jaro > 0.7, prefix <= 4.
double JaroWinklerSimilarity(std::u32string_view a, std::u32string_view b, double prefix_weight);

}  // namespace needle::score
