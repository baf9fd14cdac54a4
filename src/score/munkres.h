// score/munkres.h: optimal assignment, step for step as python-Levenshtein 0.12.
//
// The Hungarian method (H. W. Kuhn, "The Hungarian method for the assignment
// problem", 1955; J. Munkres, "Algorithms for the assignment and
// transportation problems", J. SIAM 5(1), 1957), in the sequence of steps
// python-Levenshtein's setratio uses ("munkers_blackman"): column reduction
// with a greedy starring, then cover/prime/augment with the same scan order,
// the same 1e-14 snapping of near-zero entries and the same order of
// floating-point additions. Several assignments can be optimal (empty tokens
// tie with everything); following the same steps picks the same one, so
// setratio's score is the same to the last bit.
//
// Thread safety: pure function.
#pragma once

#include <cstddef>
#include <vector>

namespace needle::score {

// Scratch space reused across calls, so scoring pairs does not allocate.
struct MunkresWork {
  std::vector<char> col_covered, row_covered;
  std::vector<size_t> star_row_of_col, star_col_of_row, prime_col_of_row;
};

// `costs` is row-major, n_rows x n_cols, REQUIRES n_cols <= n_rows; it is
// modified. Returns, for every column, the row assigned to it (a view into
// `work`, valid until its next use).
const std::vector<size_t>& MunkresAssign(size_t n_cols, size_t n_rows, std::vector<double>* costs,
                                         MunkresWork* work);

}  // namespace needle::score
