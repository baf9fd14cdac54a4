#include "score/edit_measures.h"

#include <algorithm>
#include <vector>

namespace needle::score {

namespace {
// Per-thread scratch, so the dynamic-programming measures do not allocate per
// pair once warm (house rule: hot paths never allocate per pair).
template <typename T, int kSlot>
std::vector<T>& Scratch(size_t n, T fill) {
  thread_local std::vector<T> v;
  v.assign(n, fill);
  return v;
}
}  // namespace

size_t LevenshteinHyyro2003(const PatternMask& pm, std::u32string_view text, uint64_t* scratch) {
  const size_t m = pm.size(), words = pm.words();
  if (m == 0) return text.size();
  size_t dist = m;
  const size_t last_bit = (m - 1) % 64;
  if (words == 1) {
    uint64_t vp = ~0ull, vn = 0;
    for (char32_t c : text) {
      const uint64_t x = pm.Word0(c) | vn;
      const uint64_t d0 = (((x & vp) + vp) ^ vp) | x;
      const uint64_t hp = vn | ~(d0 | vp);
      const uint64_t hn = d0 & vp;
      dist += (hp >> last_bit) & 1;
      dist -= (hn >> last_bit) & 1;
      const uint64_t hp1 = (hp << 1) | 1;  // row 0 grows by one per column
      vp = (hn << 1) | ~(d0 | hp1);
      vn = d0 & hp1;
    }
    return dist;
  }
  uint64_t* vp = scratch;
  uint64_t* vn = scratch + words;
  for (size_t w = 0; w < words; ++w) {
    vp[w] = ~0ull;
    vn[w] = 0;
  }
  for (char32_t c : text) {
    const uint64_t* mask = pm.Row(c);
    uint64_t add_carry = 0, hp_in = 1, hn_in = 0;
    for (size_t w = 0; w < words; ++w) {
      const uint64_t x = mask[w] | vn[w];
      uint64_t sum;
      const bool c1 = __builtin_add_overflow(x & vp[w], vp[w], &sum);
      const bool c2 = __builtin_add_overflow(sum, add_carry, &sum);
      add_carry = c1 | c2;
      const uint64_t d0 = (sum ^ vp[w]) | x;
      const uint64_t hp = vn[w] | ~(d0 | vp[w]);
      const uint64_t hn = d0 & vp[w];
      if (w == words - 1) {
        dist += (hp >> last_bit) & 1;
        dist -= (hn >> last_bit) & 1;
      }
      const uint64_t hp1 = (hp << 1) | hp_in;
      const uint64_t hn1 = (hn << 1) | hn_in;
      hp_in = hp >> 63;
      hn_in = hn >> 63;
      vp[w] = hn1 | ~(d0 | hp1);
      vn[w] = d0 & hp1;
    }
  }
  return dist;
}

size_t LevenshteinWagnerFischer(std::u32string_view a, std::u32string_view b, size_t insert_cost,
                                size_t delete_cost, size_t substitute_cost) {
  // Row over b; D[i][j] = cost of turning a[0..i) into b[0..j).
  std::vector<size_t>& row = Scratch<size_t, 0>(b.size() + 1, 0);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j * insert_cost;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i * delete_cost;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : substitute_cost);
      best = std::min(best, up + delete_cost);
      best = std::min(best, row[j - 1] + insert_cost);
      row[j] = best;
      diag = up;
    }
  }
  return row[b.size()];
}

size_t OsaDistance(std::u32string_view a, std::u32string_view b) {
  const size_t n = b.size();
  std::vector<size_t>& prev2 = Scratch<size_t, 0>(n + 1, 0);
  std::vector<size_t>& prev = Scratch<size_t, 1>(n + 1, 0);
  std::vector<size_t>& cur = Scratch<size_t, 2>(n + 1, 0);
  for (size_t j = 0; j <= n; ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= n; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, prev2[j - 2] + 1);
      }
      cur[j] = best;
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[n];
}

size_t OsaHyyro2003(const PatternMask& pm, std::u32string_view text) {
  const size_t m = pm.size();
  const uint64_t last = 1ull << (m - 1);
  uint64_t vp = ~0ull, vn = 0, d0 = 0, pm_prev = 0;
  size_t dist = m;
  for (char32_t c : text) {
    const uint64_t pm_j = pm.Word0(c);
    // A transposition: this symbol matches pattern position i - 1 and the
    // previous one matched position i, where the diagonal did not match.
    const uint64_t tr = (((~d0) & pm_j) << 1) & pm_prev;
    d0 = ((((pm_j & vp) + vp) ^ vp) | pm_j | vn) | tr;
    const uint64_t hp = vn | ~(d0 | vp);
    const uint64_t hn = d0 & vp;
    dist += (hp & last) != 0;
    dist -= (hn & last) != 0;
    const uint64_t hp1 = (hp << 1) | 1;
    vp = (hn << 1) | ~(d0 | hp1);
    vn = hp1 & d0;
    pm_prev = pm_j;
  }
  return dist;
}

size_t DamerauLevenshteinDistance(std::u32string_view a, std::u32string_view b) {
  // Lowrance-Wagner with the last row where each code point was seen in a.
  const size_t m = a.size(), n = b.size();
  const size_t inf = m + n;
  const size_t w = n + 2;
  std::vector<size_t>& d = Scratch<size_t, 0>((m + 2) * w, 0);
  auto at = [&](size_t i, size_t j) -> size_t& { return d[i * w + j]; };
  at(0, 0) = inf;
  for (size_t i = 0; i <= m; ++i) {
    at(i + 1, 0) = inf;
    at(i + 1, 1) = i;
  }
  for (size_t j = 0; j <= n; ++j) {
    at(0, j + 1) = inf;
    at(1, j + 1) = j;
  }
  // The last row (1-based) of a where each code point was seen: a direct
  // table below 256, a short list above (names rarely hold many such).
  thread_local std::vector<size_t> last_small;
  thread_local std::vector<std::pair<char32_t, size_t>> last_large;
  last_small.assign(256, 0);
  last_large.clear();
  auto last = [&](char32_t c) -> size_t {
    if (c < 256) return last_small[c];
    for (const auto& [k, v] : last_large) {
      if (k == c) return v;
    }
    return 0;
  };
  auto set_last = [&](char32_t c, size_t row) {
    if (c < 256) {
      last_small[c] = row;
      return;
    }
    for (auto& [k, v] : last_large) {
      if (k == c) {
        v = row;
        return;
      }
    }
    last_large.emplace_back(c, row);
  };
  for (size_t i = 1; i <= m; ++i) {
    size_t last_col = 0;  // last column in this row where a[i-1] matched
    for (size_t j = 1; j <= n; ++j) {
      const size_t i1 = last(b[j - 1]);
      const size_t j1 = last_col;
      size_t cost = 1;
      if (a[i - 1] == b[j - 1]) {
        cost = 0;
        last_col = j;
      }
      at(i + 1, j + 1) = std::min({at(i, j) + cost, at(i + 1, j) + 1, at(i, j + 1) + 1,
                                   at(i1, j1) + (i - i1 - 1) + 1 + (j - j1 - 1)});
    }
    set_last(a[i - 1], i);
  }
  return at(m + 1, n + 1);
}

namespace {
// An mbleven model: up to 3 edits, 2 bits each (1 delete from the longer
// string, 2 insert = skip a symbol of the shorter, 3 substitute), first edit
// in the low bits.
struct MblevenModels {
  // models[substitutions][k][d]: every sequence of exactly k edits whose
  // deletions minus insertions equal the length difference d.
  std::vector<uint8_t> models[2][4][4];
  MblevenModels() {
    for (int sub = 0; sub < 2; ++sub) {
      for (int k = 0; k <= 3; ++k) {
        const int total = 1 << (2 * k);
        for (int code = 0; code < total; ++code) {
          int del = 0, ins = 0, ok = 1;
          for (int p = 0; p < k; ++p) {
            const int op = (code >> (2 * p)) & 3;
            if (op == 0 || (op == 3 && !sub)) ok = 0;
            del += op == 1;
            ins += op == 2;
          }
          if (ok && del >= ins && del - ins <= 3) {
            models[sub][k][del - ins].push_back(static_cast<uint8_t>(code));
          }
        }
      }
    }
  }
};
}  // namespace

size_t Mbleven2018(std::u32string_view a, std::u32string_view b, size_t max_dist,
                   bool substitutions) {
  static const MblevenModels kModels;
  if (a.size() < b.size()) std::swap(a, b);  // a is the longer
  const size_t diff = a.size() - b.size();
  if (diff > max_dist) return max_dist + 1;
  // Common prefix and suffix cost nothing.
  const size_t prefix = CommonPrefix(a, b);
  a.remove_prefix(prefix);
  b.remove_prefix(prefix);
  const size_t suffix = CommonSuffix(a, b);
  a.remove_suffix(suffix);
  b.remove_suffix(suffix);
  if (b.empty()) return a.size() <= max_dist ? a.size() : max_dist + 1;
  size_t best = max_dist + 1;
  for (size_t k = diff; k <= max_dist; ++k) {
    for (uint8_t model : kModels.models[substitutions ? 1 : 0][k][diff]) {
      size_t i = 0, j = 0, cost = 0, ops = model;
      while (i < a.size() && j < b.size()) {
        if (a[i] == b[j]) {
          ++i;
          ++j;
          continue;
        }
        if (++cost > k) break;  // the model has no edit left
        const size_t op = ops & 3;
        ops >>= 2;
        i += op != 2;  // delete or substitute: consume a's symbol
        j += op != 1;  // insert or substitute: consume b's symbol
      }
      cost += (a.size() - i) + (b.size() - j);
      best = std::min(best, cost);
    }
    if (best <= k) break;  // a cheaper k cannot follow
  }
  return best <= max_dist ? best : max_dist + 1;
}

size_t HammingDistance(std::u32string_view a, std::u32string_view b) {
  const size_t common = std::min(a.size(), b.size());
  size_t dist = std::max(a.size(), b.size()) - common;
  for (size_t i = 0; i < common; ++i) dist += a[i] != b[i];
  return dist;
}

size_t CommonPrefix(std::u32string_view a, std::u32string_view b) {
  size_t k = 0;
  while (k < a.size() && k < b.size() && a[k] == b[k]) ++k;
  return k;
}

size_t CommonSuffix(std::u32string_view a, std::u32string_view b) {
  size_t k = 0;
  while (k < a.size() && k < b.size() && a[a.size() - 1 - k] == b[b.size() - 1 - k]) ++k;
  return k;
}

double JaroSimilarity(std::u32string_view a, std::u32string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const size_t longer = std::max(a.size(), b.size());
  const size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
  std::vector<char>& a_matched = Scratch<char, 0>(a.size(), 0);
  std::vector<char>& b_matched = Scratch<char, 1>(b.size(), 0);
  size_t matches = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t lo = i > window ? i - window : 0;
    const size_t hi = std::min(b.size(), i + window + 1);
    for (size_t j = lo; j < hi; ++j) {
      if (!b_matched[j] && a[i] == b[j]) {
        a_matched[i] = b_matched[j] = 1;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  size_t transpositions = 0;
  for (size_t i = 0, j = 0; i < a.size(); ++i) {
    if (!a_matched[i]) continue;
    while (!b_matched[j]) ++j;
    transpositions += a[i] != b[j];
    ++j;
  }
  transpositions /= 2;
  const double mm = static_cast<double>(matches);
  double sim = 0;
  sim += mm / static_cast<double>(a.size());
  sim += mm / static_cast<double>(b.size());
  sim += (mm - static_cast<double>(transpositions)) / mm;
  return sim / 3.0;
}

double JaroWinklerSimilarity(std::u32string_view a, std::u32string_view b, double prefix_weight) {
  const size_t prefix = std::min<size_t>(CommonPrefix(a, b), 4);
  double sim = JaroSimilarity(a, b);
  if (sim > 0.7) sim += static_cast<double>(prefix) * prefix_weight * (1.0 - sim);
  return sim;
}

}  // namespace needle::score
