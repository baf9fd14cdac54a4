// `needle index HAYSTACK -o FILE.ndx`, `needle index verify FILE`,
// `needle index stats FILE`: build, check and describe index files.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.h"
#include "needle/haystack.h"
#include "needle/index.h"
#include "needle/tokens.h"
#include "needle/table.h"

namespace needle::cli {

namespace {

struct IndexArgs {
  std::string haystack, out;
  std::string scorer = "name", processor;
  std::string format, id_column, name_column;
  std::string file;  // verify, stats
  bool quiet = false, grams = false, no_grams = false;
};

std::string Megabytes(uint64_t bytes) {
  char s[32];
  std::snprintf(s, sizeof s, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return s;
}

int RunBuild(const IndexArgs& a) {
  if (a.haystack.empty()) return Fail("index: no haystack file (needle index HAYSTACK -o FILE)");
  if (a.out.empty()) return Fail("index: no output file (-o FILE.ndx)");
  if (a.out == "-") return Fail("index: the index must be a file, not standard output");
  if (a.haystack == "-") return Fail("index: the haystack must be a file, not standard input");
  if (SameFile(a.haystack, a.out)) {
    return Fail(a.out + ": is the haystack itself; write the index to another file");
  }
  Progress progress(a.quiet);
  ScorerKind scorer_kind;
  Processor processor_kind;
  int exit_code = 0;
  if (!ParseScorerAndProcessor(a.scorer, a.processor, &scorer_kind, &processor_kind,
                               &exit_code)) {
    return exit_code;
  }
  TableOptions opts;
  if (!ParseFormatOption(a.format, "--format", &opts.format, &exit_code)) return exit_code;
  opts.id_column = a.id_column;
  opts.name_column = a.name_column;
  if (IsIndexFile(a.haystack)) {
    return Fail(a.haystack + ": is already an index; index a CSV, TSV or text file");
  }
  auto table = TableReader::Open(a.haystack, opts);
  if (!table.ok()) return Fail(table.status());
  TableReader& reader = *table.value();
  const uint64_t in_bytes = reader.size_bytes();
  auto hay = LoadHaystackWithProgress(reader, processor_kind, NameFormFor(scorer_kind),
                                      "reading haystack", &progress);
  if (!hay.ok()) return Fail(hay.status());
  std::unique_ptr<Haystack> built = std::move(hay.value());
  // The bigram index only on request: match searches blocks of character
  // signatures instead (docs/search.md, "The block sweep"). No scorer that
  // compares sorted token sets has a bigram bound, so their index never has
  // it; nor does the name scorer's (it searches words).
  if (a.grams && !a.no_grams && NameFormFor(scorer_kind) != NameForm::kSortedTokenSet &&
      scorer_kind != ScorerKind::kName) {
    progress.Update("indexing bigrams", true);
    built = WithGramIndex(std::move(built));
  }
  // Scorers with a token bound search the token index (needle/tokens.h).
  if (HasTokenBound(scorer_kind)) {
    progress.Update("indexing tokens", true);
    built = WithTokenIndex(std::move(built));
  }
  const Haystack& h = *built;
  const double read_secs = progress.Seconds();
  Status s = WriteIndex(h, a.out, [&](uint64_t bytes) {
    progress.Update("writing index: " + Megabytes(bytes));
  });
  progress.Clear();
  if (!s.ok()) return Fail(s);
  std::error_code size_error;
  uint64_t size = std::filesystem::file_size(a.out, size_error);
  if (size_error) size = 0;  // only the summary shows it
  char line[512];
  std::snprintf(line, sizeof line,
                "needle: indexed %s rows (%s distinct) of %s into %s: %s (%.2fx the input), "
                "names as %s (for %s), processor %s%s%s; %.2f s (read %.2f s, write %.2f s)",
                Thousands(h.rows()).c_str(), Thousands(h.distinct()).c_str(),
                a.haystack.c_str(), a.out.c_str(), Megabytes(size).c_str(),
                in_bytes > 0 ? static_cast<double>(size) / static_cast<double>(in_bytes) : 0.0,
                NameFormName(h.form()), ScorerName(scorer_kind), ProcessorName(processor_kind),
                h.has_grams() ? (", bigram index " + Megabytes(h.GramBytes())).c_str() : "",
                h.has_tokens() ? (", token index " + Megabytes(h.TokenBytes())).c_str() : "",
                progress.Seconds(), read_secs, progress.Seconds() - read_secs);
  progress.Summary(line);
  return 0;
}

int RunVerify(const IndexArgs& a) {
  Progress progress(a.quiet);
  auto index = Index::Open(a.file);
  if (!index.ok()) return Fail(index.status());
  const double open_secs = progress.Seconds();
  Status s = index.value()->Verify();
  if (!s.ok()) return Fail(s);
  if (a.quiet) return 0;
  std::printf("%s: ok: %zu sections, %s, every checksum and the structure checked "
              "(opened in %.1f ms, verified in %.2f s)\n",
              a.file.c_str(), index.value()->sections().size(),
              Megabytes(index.value()->file_size()).c_str(), open_secs * 1e3,
              progress.Seconds() - open_secs);
  return 0;
}

int RunStats(const IndexArgs& a) {
  auto opened = Index::Open(a.file);
  if (!opened.ok()) return Fail(opened.status());
  const Index& index = *opened.value();
  const Haystack& h = index.haystack();
  std::printf("index       %s\n", a.file.c_str());
  std::printf("format      version %u, %s (%s bytes)\n", index.version(),
              Megabytes(index.file_size()).c_str(), Thousands(index.file_size()).c_str());
  std::printf("rows        %s\n", Thousands(h.rows()).c_str());
  std::printf("distinct    %s processed names (%s rows repeat one)\n",
              Thousands(h.distinct()).c_str(), Thousands(h.rows() - h.distinct()).c_str());
  std::printf("lengths     %s groups, %u to %u code points\n",
              Thousands(h.length_groups()).c_str(), h.group_length(0),
              h.group_length(h.length_groups() - 1));
  std::printf("processor   %s (version %s)\n", ProcessorName(h.processor()),
              index.unicode_version().c_str());
  std::printf("names as    %s\n", NameFormName(h.form()));
  std::printf("ids         %s\n", h.has_ids() ? "from the id column" : "data row numbers");
  std::printf("\n%-8s %14s %14s  %-16s %s\n", "section", "offset", "bytes", "checksum", "");
  for (const auto& s : index.sections()) {
    std::printf("%-8s %14s %14s  %016llx %s\n", s.tag.c_str(), Thousands(s.offset).c_str(),
                Thousands(s.size).c_str(), static_cast<unsigned long long>(s.checksum),
                s.known ? "" : "(not read by this version)");
  }
  return 0;
}

}  // namespace

Command AddIndexCommand(CLI::App& app) {
  auto args = std::make_shared<IndexArgs>();
  CLI::App* c = app.add_subcommand(
      "index",
      "Build an index file of a haystack, to match against without reading the CSV again.\n"
      "needle index HAYSTACK -o FILE.ndx writes ids, names and processed names in one file\n"
      "that `needle match FILE.ndx NEEDLES` maps read-only: opening it takes milliseconds and\n"
      "every process that opens it shares its pages. The processor and the scorer family\n"
      "are recorded: match with the same ones. `needle index verify FILE` checks every\n"
      "checksum; `needle index stats FILE` describes the file.");
  c->add_option("haystack", args->haystack, "Reference names (CSV, TSV or text file)");
  c->add_option("-o,--out", args->out,
                "The index file to write (conventionally .ndx). Written under a\n"
                "temporary name and renamed when complete");
  c->add_option("-s,--scorer", args->scorer,
                "The scorer the index is for; it decides how names are stored:\n"
                "sorted tokens for token_sort_ratio, token_ratio and their\n"
                "partial_ forms; sorted token sets for token_set_ratio and\n"
                "partial_token_set_ratio; processed names for every other\n"
                "scorer. Scorers sharing a form share the index. For\n"
                "token_set_ratio and WRatio the index also holds the token\n"
                "index their exact search reads (about 4 bytes per token and\n"
                "per name, and 8 per two names; built in memory if absent).\nScorers: " +
                    ScorerNames())
      ->capture_default_str();
  c->add_option("-p,--processor", args->processor,
                std::string(kProcessorHelp) + ".\nDefault: name for the name scorer, else default");
  c->add_option("--format", args->format,
                "Input format: csv, tsv or txt (default: by extension)");
  c->add_option("--id-column", args->id_column, kIdColumnHelp);
  c->add_option("--name-column", args->name_column, kNameColumnHelp);
  c->add_flag("--grams", args->grams,
             "Also write a bigram index (about 4 bytes per bigram of the\n"
             "distinct names). needle match does not read it (its exact search\n"
             "reads blocks of character signatures); it is for library callers\n"
             "that search haystacks without signatures. Never written for\n"
             "token_set_ratio's form nor for the name scorer");
  c->add_flag("--no-grams", args->no_grams,
             "No bigram index (the default; kept so that scripts using it run)");
  c->add_flag("-q,--quiet", args->quiet, "No progress line and no summary on stderr");
  CLI::App* verify = c->add_subcommand(
      "verify", "Check an index file: every section's checksum, then its structure. Exit 0 if\n"
                "sound, 2 with a message naming the damaged part otherwise.");
  verify->add_option("file", args->file, "The index file")->required();
  verify->add_flag("-q,--quiet", args->quiet, "Only errors");
  CLI::App* stats = c->add_subcommand(
      "stats", "Describe an index file: rows, distinct names, processor, bytes per section.");
  stats->add_option("file", args->file, "The index file")->required();
  c->require_subcommand(0, 1);
  return Command{c, [args, verify, stats] {
                   if (verify->parsed()) return RunVerify(*args);
                   if (stats->parsed()) return RunStats(*args);
                   return RunBuild(*args);
                 }};
}

}  // namespace needle::cli
