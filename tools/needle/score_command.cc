// `needle score A B` and `needle score --pairs FILE`: the score of name pairs.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "io/output.h"
#include "needle/name_match.h"
#include "needle/processor.h"
#include "needle/scorer.h"
#include "needle/table.h"
#include "text/utf8.h"

namespace needle::cli {

namespace {

struct ScoreArgs {
  std::vector<std::string> names;
  std::string pairs, scorer = "name", processor, weights;
  bool raw = false;
};

int RunScore(const ScoreArgs& a) {
  ScorerKind scorer_kind;
  Processor processor_kind;
  int exit_code = 0;
  if (!ParseScorerAndProcessor(a.scorer, a.processor, &scorer_kind, &processor_kind,
                               &exit_code)) {
    return exit_code;
  }
  ScorerOptions options;
  if (!ParseWeights(a.weights, &options, &exit_code)) return exit_code;
  // x, y: the names as written; px, py: processed. The name scorer also
  // weighs how alike x and y are written (its spelling term).
  auto score = [&](std::string_view x, std::string_view y, std::string_view px,
                   std::string_view py) {
    if (a.raw) return RawScorePair(scorer_kind, px, py, options);
    if (scorer_kind == ScorerKind::kName) return NameScorePair(x, y, px, py);
    return ScorePair(scorer_kind, px, py, options);
  };
  std::string pa, pb;
  if (a.pairs.empty()) {
    if (a.names.size() != 2) return Fail("score needs two names, or --pairs FILE");
    for (const auto& n : a.names) {
      if (!text::ValidUtf8(n)) return Fail("a name on the command line is not valid UTF-8");
    }
    ProcessName(processor_kind, a.names[0], &pa);
    ProcessName(processor_kind, a.names[1], &pb);
    std::printf("%s\n", io::FormatScore(score(a.names[0], a.names[1], pa, pb)).c_str());
    return 0;
  }
  if (!a.names.empty()) return Fail("give either two names or --pairs FILE, not both");
  TableOptions opts;
  opts.format = TableFormat::kText;
  auto table = TableReader::Open(a.pairs, opts);
  if (!table.ok()) return Fail(table.status());
  auto out = io::OutputFile::Open("-");
  if (!out.ok()) return Fail(out.status());
  TableRecord rec;
  bool eof = false;
  for (;;) {
    Status s = table.value()->Next(&rec, &eof);
    if (!s.ok()) return Fail(s);
    if (eof) break;
    const size_t tab = rec.name.find('\t');
    if (tab == std::string_view::npos || rec.name.find('\t', tab + 1) != std::string_view::npos) {
      return Fail(table.value()->display_name() + ":" + std::to_string(rec.line) +
                  ": expected 2 tab-separated fields");
    }
    const std::string_view x = rec.name.substr(0, tab), y = rec.name.substr(tab + 1);
    ProcessName(processor_kind, x, &pa);
    ProcessName(processor_kind, y, &pb);
    out.value()->Write(io::FormatScore(score(x, y, pa, pb)));
    out.value()->Put('\n');
  }
  Status s = out.value()->Commit();
  return s.ok() ? 0 : Fail(s);
}

}  // namespace

Command AddScoreCommand(CLI::App& app) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* c = app.add_subcommand(
      "score",
      "Print the score of two names (0-100, full precision), or of every pair in a\n"
      "file of two tab-separated columns without a header, one score per line.");
  c->add_option("names", args->names, "The two names A and B (A plays the needle)");
  c->add_option("--pairs", args->pairs, "File of A<TAB>B lines; - for stdin");
  c->add_option("-s,--scorer", args->scorer, "Scorer: " + ScorerNames())->capture_default_str();
  c->add_option("--weights", args->weights, "levenshtein's costs INS,DEL,SUB (default 1,1,1)");
  c->add_flag("--raw", args->raw,
              "Print the raw measure: the distance (levenshtein, indel, osa,\n"
              "damerau_levenshtein, hamming), the similarity (lcs, prefix, postfix;\n"
              "jaro and jaro_winkler from 0 to 1); other scorers print their score");
  c->add_option("-p,--processor", args->processor, "default, name or none (as for match).\nDefault: name for the name scorer, else default")
      ->capture_default_str();
  return Command{c, [args] { return RunScore(*args); }};
}

}  // namespace needle::cli
