// Test helper: real organisation names from the demo haystack shipped in the
// repository (data/demo/haystack.csv), for the search tests.
#pragma once

#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace needle::test_data {

// The first `limit` names of data/demo/haystack.csv that need no CSV quoting
// (empty if the file is missing: the caller skips).
inline std::vector<std::string> DemoNames(size_t limit) {
  std::ifstream in(std::string(NEEDLE_SOURCE_DIR) + "/data/demo/haystack.csv");
  std::vector<std::string> names;
  std::string line;
  std::getline(in, line);
  while (names.size() < limit && std::getline(in, line)) {
    if (line.find('"') == std::string::npos) names.push_back(line.substr(line.find(',') + 1));
  }
  return names;
}

// A typo at byte `at` of an ASCII name: op 0 deletes, 1 inserts a random
// letter, 2 swaps with the next byte, 3 replaces with a random letter.
inline void TypoAt(std::string* s, size_t at, int op, std::mt19937& rng) {
  switch (op) {
    case 0:
      s->erase(at, 1);
      break;
    case 1:
      s->insert(at, 1, static_cast<char>('a' + rng() % 26));
      break;
    case 2:
      if (at + 1 < s->size()) std::swap((*s)[at], (*s)[at + 1]);
      break;
    default:
      (*s)[at] = static_cast<char>('a' + rng() % 26);
  }
}

}  // namespace needle::test_data
