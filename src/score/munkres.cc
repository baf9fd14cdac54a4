#include "score/munkres.h"

#include <algorithm>

namespace needle::score {

namespace {
constexpr double kEpsilon = 1e-14;
constexpr double kInfinity = 1e100;
constexpr size_t kNone = static_cast<size_t>(-1);
}  // namespace

const std::vector<size_t>& MunkresAssign(size_t n_cols, size_t n_rows, std::vector<double>* costs,
                                         MunkresWork* work) {
  std::vector<double>& c = *costs;
  auto at = [&](size_t row, size_t col) -> double& { return c[row * n_cols + col]; };
  std::vector<char>& col_covered = work->col_covered;
  std::vector<char>& row_covered = work->row_covered;
  std::vector<size_t>& star_row_of_col = work->star_row_of_col;
  std::vector<size_t>& star_col_of_row = work->star_col_of_row;
  std::vector<size_t>& prime_col_of_row = work->prime_col_of_row;
  col_covered.assign(n_cols, 0);
  row_covered.assign(n_rows, 0);
  star_row_of_col.assign(n_cols, kNone);
  star_col_of_row.assign(n_rows, kNone);
  prime_col_of_row.assign(n_rows, kNone);

  // Reduce every column by its minimum (the first one on ties) and star a zero
  // in it: the minimum's row if free, else the first other free zero.
  for (size_t col = 0; col < n_cols; ++col) {
    size_t min_row = 0;
    double min = at(0, col);
    for (size_t row = 1; row < n_rows; ++row) {
      if (min > at(row, col)) {
        min_row = row;
        min = at(row, col);
      }
    }
    for (size_t row = 0; row < n_rows; ++row) {
      at(row, col) -= min;
      if (at(row, col) < kEpsilon) at(row, col) = 0.0;
    }
    if (star_row_of_col[col] == kNone && star_col_of_row[min_row] == kNone) {
      star_row_of_col[col] = min_row;
      star_col_of_row[min_row] = col;
    } else {
      for (size_t row = 0; row < n_rows; ++row) {
        if (row != min_row && at(row, col) == 0.0 && star_row_of_col[col] == kNone &&
            star_col_of_row[row] == kNone) {
          star_row_of_col[col] = row;
          star_col_of_row[row] = col;
          break;
        }
      }
    }
  }

  for (;;) {
    // Cover the columns holding a starred zero; done when all are covered.
    size_t covered = 0;
    for (size_t col = 0; col < n_cols; ++col) {
      if (star_row_of_col[col] != kNone) {
        col_covered[col] = 1;
        ++covered;
      }
    }
    if (covered == n_cols) break;

    // Find an uncovered zero and prime it; while its row has a star, cover the
    // row, uncover the star's column and search again from the start. With no
    // uncovered zero, make one (subtract the smallest uncovered entry).
    size_t path_row = kNone;
    while (path_row == kNone) {
      bool restart = false;
      for (size_t col = 0; col < n_cols && !restart && path_row == kNone; ++col) {
        if (col_covered[col]) continue;
        for (size_t row = 0; row < n_rows; ++row) {
          if (!row_covered[row] && at(row, col) == 0.0) {
            prime_col_of_row[row] = col;
            if (star_col_of_row[row] != kNone) {
              row_covered[row] = 1;
              col_covered[star_col_of_row[row]] = 0;
              restart = true;
            } else {
              path_row = row;
            }
            break;
          }
        }
      }
      if (restart || path_row != kNone) continue;
      double min = kInfinity;
      for (size_t col = 0; col < n_cols; ++col) {
        if (col_covered[col]) continue;
        for (size_t row = 0; row < n_rows; ++row) {
          if (!row_covered[row] && min > at(row, col)) min = at(row, col);
        }
      }
      for (size_t row = 0; row < n_rows; ++row) {
        if (!row_covered[row]) continue;
        for (size_t col = 0; col < n_cols; ++col) at(row, col) += min;
      }
      for (size_t col = 0; col < n_cols; ++col) {
        if (col_covered[col]) continue;
        for (size_t row = 0; row < n_rows; ++row) {
          at(row, col) -= min;
          if (at(row, col) < kEpsilon) at(row, col) = 0.0;
        }
      }
    }

    // Augment along the alternating path of primes and stars from path_row.
    size_t row = path_row;
    while (row != kNone) {
      const size_t col = prime_col_of_row[row];
      star_col_of_row[row] = col;
      const size_t next = star_row_of_col[col];
      star_row_of_col[col] = row;
      row = next;
    }
    std::fill(prime_col_of_row.begin(), prime_col_of_row.end(), kNone);
    std::fill(row_covered.begin(), row_covered.end(), 0);
    std::fill(col_covered.begin(), col_covered.end(), 0);
  }
  return star_row_of_col;
}

}  // namespace needle::score
