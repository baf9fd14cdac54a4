// Pairs per second of every scorer, one thread, on real name pairs (Google
// Benchmark). Pairs: each needle of data/demo/needles.csv with its true match
// (a close pair) and with a random haystack name (a far pair), processed with
// the default processor; the haystack side is converted to the scorer's stored
// form first, as the search does. The score uses no cutoff (the full cost).
//
//   build/bench_scorers [--benchmark_filter=ratio]       (make bench-scorers)
//   NEEDLE_BENCH_LEN=10 build/bench_scorers   cuts both names to 10 code points,
//   the string length of RapidFuzz's published figures.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "needle/processor.h"
#include "needle/scorer.h"
#include "needle/table.h"
#include "text/utf8.h"

namespace {

using needle::ScorerKind;

std::vector<std::pair<std::string, std::string>> LoadPairs() {
  const std::string dir = std::string(NEEDLE_SOURCE_DIR) + "/data/demo/";
  auto read = [&](const std::string& file, const std::string& key_col, const std::string& val_col) {
    std::map<std::string, std::string> out;
    needle::TableOptions o;
    o.id_column = key_col;
    o.name_column = val_col;
    auto t = needle::TableReader::Open(dir + file, o);
    if (!t.ok()) return out;
    needle::TableRecord r;
    bool eof = false;
    while (t.value()->Next(&r, &eof).ok() && !eof) out[std::string(r.id)] = std::string(r.name);
    return out;
  };
  const auto hay = read("haystack.csv", "id", "name");
  const auto hay_group = read("haystack_groups.csv", "id", "group");
  const auto needles = read("needles.csv", "id", "name");
  const auto truth = read("needles_truth.csv", "id", "group");
  std::map<std::string, std::string> group_name;  // group -> one haystack name
  for (const auto& [id, g] : hay_group) group_name.emplace(g, hay.at(id));
  std::vector<std::string> hay_names;
  for (const auto& [id, name] : hay) hay_names.push_back(name);
  std::mt19937 rng(1);
  std::vector<std::pair<std::string, std::string>> pairs;
  std::string a, b;
  for (const auto& [id, name] : needles) {
    needle::ProcessName(needle::Processor::kDefault, name, &a);
    auto g = truth.find(id);
    if (g != truth.end() && group_name.count(g->second)) {
      needle::ProcessName(needle::Processor::kDefault, group_name.at(g->second), &b);
      pairs.emplace_back(a, b);
    }
    needle::ProcessName(needle::Processor::kDefault, hay_names[rng() % hay_names.size()], &b);
    pairs.emplace_back(a, b);
  }
  // Optionally cut both names to N code points.
  if (const char* env = std::getenv("NEEDLE_BENCH_LEN")) {
    const size_t n = std::strtoul(env, nullptr, 10);
    std::u32string cps;
    for (auto& [x, y] : pairs) {
      for (std::string* str : {&x, &y}) {
        needle::text::Decode(*str, &cps);
        if (cps.size() > n) *str = needle::text::Encode(std::u32string_view(cps).substr(0, n));
      }
    }
  }
  return pairs;
}

const std::vector<std::pair<std::string, std::string>>& Pairs() {
  static const auto pairs = LoadPairs();
  return pairs;
}

void BM_Scorer(benchmark::State& state, ScorerKind kind) {
  const auto& pairs = Pairs();
  if (pairs.empty()) {
    state.SkipWithError("data/demo not found");
    return;
  }
  // Prepare as the search does: one cached needle, haystack names in the
  // scorer's stored form.
  struct Prepared {
    std::unique_ptr<needle::CachedScorer> scorer;
    std::string hay;
    needle::HayName name;
  };
  std::vector<Prepared> prepared(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    prepared[i].scorer = needle::CachedScorer::Create(kind, pairs[i].first);
    needle::ToNameForm(needle::NameFormFor(kind), pairs[i].second, &prepared[i].hay);
    const std::string& h = prepared[i].hay;
    prepared[i].name = {h, static_cast<uint32_t>(needle::text::CodePointCount(h)),
                        needle::text::IsAscii(h)};
  }
  double sink = 0;
  for (auto _ : state) {
    for (auto& p : prepared) sink += p.scorer->Score(p.name, 0);
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(prepared.size()));
}

void RegisterAll() {
  for (const char* name :
       {"ratio", "partial_ratio", "token_sort_ratio", "token_set_ratio", "token_ratio",
        "partial_token_sort_ratio", "partial_token_set_ratio", "partial_token_ratio", "WRatio",
        "QRatio", "setratio", "seqratio", "levenshtein", "indel", "lcs", "osa",
        "damerau_levenshtein", "hamming", "jaro", "jaro_winkler", "prefix", "postfix"}) {
    benchmark::RegisterBenchmark(name, BM_Scorer, *needle::ParseScorer(name))
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  RegisterAll();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
