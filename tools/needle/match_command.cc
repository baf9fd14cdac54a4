// `needle match HAYSTACK NEEDLES`: top-K haystack rows for every needle, as CSV.
#include <tbb/task_arena.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "io/output.h"
#include "needle/charsig.h"
#include "needle/haystack.h"
#include "needle/index.h"
#include "needle/match.h"
#include "needle/name_match.h"
#include "needle/tokens.h"
#include "needle/processor.h"
#include "needle/scorer.h"
#include "needle/table.h"

namespace needle::cli {

namespace {

struct MatchArgs {
  std::string haystack, needles, out = "-";
  std::string scorer = "name", processor, weights;  // processor "": by the scorer, or the index's
  std::string format, needle_format;
  std::string id_column, name_column, needle_id_column, needle_name_column;
  size_t top = 1;
  double cutoff = 0;
  int threads = 0;
  std::string method = "exact", timings;
  bool quiet = false;
};

// Writes one line per needle to --timings: its data row, search time and what
// the search did.
class TimingsFile {
 public:
  explicit TimingsFile(std::unique_ptr<io::OutputFile> out) : out_(std::move(out)) {
    out_->Write("needle_row,micros,lists,postings,candidates,verified,scanned\n");
  }
  void Add(const TableRecord& needle, double micros, const SearchStats& st) {
    char line[160];
    std::snprintf(line, sizeof line, "%llu,%.1f,%u,%llu,%u,%u,%d\n",
                  static_cast<unsigned long long>(needle.row), micros, st.lists,
                  static_cast<unsigned long long>(st.postings), st.candidates, st.verified,
                  st.scanned ? 1 : 0);
    out_->Write(line);
  }
  Status Commit() { return out_->Commit(); }

 private:
  std::unique_ptr<io::OutputFile> out_;
};

// Writes the result rows: needle_id,needle,rank,match_id,match,score.
class CsvSink : public MatchSink {
 public:
  CsvSink(const Haystack& hay, io::OutputFile* out, needle::cli::Progress* progress,
          uint64_t needle_bytes, bool needle_has_ids, TimingsFile* timings)
      : timings_(timings),
        hay_(hay),
        out_(out),
        progress_(progress),
        needle_bytes_(needle_bytes),
        needle_has_ids_(needle_has_ids) {}

  void Timing(const TableRecord& needle, double micros, const SearchStats& st) override {
    if (timings_) timings_->Add(needle, micros, st);
  }

  Status Write(const TableRecord& needle, const std::vector<Hit>& hits) override {
    // Without an id column the needle's id is its data row number.
    const std::string row_id = needle_has_ids_ ? std::string() : std::to_string(needle.row);
    const std::string_view needle_id = needle_has_ids_ ? needle.id : std::string_view(row_id);
    if (hits.empty()) {
      out_->Field(needle_id);
      out_->Put(',');
      out_->Field(needle.name);
      out_->Write(",,,,\n");
    }
    for (size_t i = 0; i < hits.size(); ++i) {
      std::string_view id, name;
      Status s = hay_.Row(hits[i].row, &reader_, &id, &name);
      if (!s.ok()) return s;
      out_->Field(needle_id);
      out_->Put(',');
      out_->Field(needle.name);
      out_->Put(',');
      out_->Write(std::to_string(i + 1));
      out_->Put(',');
      out_->Field(id);
      out_->Put(',');
      out_->Field(name);
      out_->Put(',');
      out_->Write(io::FormatScore(hits[i].score));
      out_->Put('\n');
    }
    return Status::Ok();
  }

  void Progress(uint64_t needles, uint64_t bytes) override {
    done_ = needles;
    const double secs = progress_->Seconds() - start_;
    std::string line = "matching: " + Thousands(needles) + " needles";
    if (needle_bytes_ > 0) {
      char pct[16];
      std::snprintf(pct, sizeof pct, " (%.0f%%)",
                    100.0 * static_cast<double>(bytes) / static_cast<double>(needle_bytes_));
      line += pct;
    }
    if (secs > 0) {
      char rate[64];
      std::snprintf(rate, sizeof rate, ", %.1f needles/s", static_cast<double>(needles) / secs);
      line += rate;
      // Time left, from the share of the needles file read so far.
      const double done = needle_bytes_ > 0 ? static_cast<double>(bytes) /
                                                  static_cast<double>(needle_bytes_)
                                            : 0;
      if (done > 0.01 && done < 1) {
        const auto left = static_cast<long>(secs * (1 - done) / done);
        char eta[48];
        std::snprintf(eta, sizeof eta, ", about %ldm%02lds left", left / 60, left % 60);
        line += eta;
      }
    }
    progress_->Update(line);
  }

  void set_start(double s) { start_ = s; }
  uint64_t done() const { return done_; }

 private:
  TimingsFile* timings_;
  const Haystack& hay_;
  io::OutputFile* out_;
  needle::cli::Progress* progress_;
  uint64_t needle_bytes_;
  bool needle_has_ids_;
  RowReader reader_;
  double start_ = 0;
  uint64_t done_ = 0;
};

int RunMatch(const MatchArgs& a) {
  Progress progress(a.quiet);
  ScorerKind scorer_kind;
  Processor processor_kind;
  int exit_code = 0;
  if (!ParseScorerAndProcessor(a.scorer, a.processor, &scorer_kind, &processor_kind,
                               &exit_code)) {
    return exit_code;
  }
  // Written so that NaN, which fails every comparison, is refused too.
  if (!(a.cutoff >= 0 && a.cutoff <= 100)) return Fail("--cutoff must be a number from 0 to 100");
  ScorerOptions scorer_options;
  if (!ParseWeights(a.weights, &scorer_options, &exit_code)) return exit_code;
  SearchMethod method;
  if (a.method == "exact") {
    method = SearchMethod::kExact;
  } else if (a.method == "scan") {
    method = SearchMethod::kScan;
  } else {
    return Fail("unknown --method '" + a.method + "' (choose exact or scan)");
  }
  // Scorers with a character bound (every one with a bigram bound among
  // them) search the names' character signatures and their blocks
  // (docs/search.md, "The block sweep"), so the bigram index is never read
  // here; for the scorers without a bound exact is the scan.
  const bool use_chars =
      method == SearchMethod::kExact && HasCharBound(scorer_kind, scorer_options);
  const bool use_tokens = method == SearchMethod::kExact && HasTokenBound(scorer_kind);

  TableOptions hay_opts;
  if (!ParseFormatOption(a.format, "--format", &hay_opts.format, &exit_code)) return exit_code;
  hay_opts.id_column = a.id_column;
  hay_opts.name_column = a.name_column;
  TableOptions needle_opts;
  needle_opts.format = hay_opts.format;
  if (!ParseFormatOption(a.needle_format, "--needle-format", &needle_opts.format, &exit_code)) {
    return exit_code;
  }
  const bool own_columns = !a.needle_id_column.empty() || !a.needle_name_column.empty();
  needle_opts.id_column = own_columns ? a.needle_id_column : a.id_column;
  needle_opts.name_column = own_columns ? a.needle_name_column : a.name_column;
  needle_opts.columns_explicit = own_columns;

  if (a.needles == "-" && a.haystack == "-") return Fail("only the needles can be read from stdin");
  if (SameFile(a.out, a.haystack) || SameFile(a.out, a.needles)) {
    return Fail(a.out + ": is an input file; write the results to another file");
  }
  if (!a.timings.empty() && (SameFile(a.timings, a.haystack) || SameFile(a.timings, a.needles) ||
                             SameFile(a.timings, a.out))) {
    return Fail(a.timings + ": --timings would overwrite another file of this run");
  }
  // The haystack: an index file (recognised by its magic), mapped and
  // verified, or a table read into memory.
  const bool from_index = a.haystack != "-" && IsIndexFile(a.haystack);
  std::unique_ptr<TableReader> hay_table;
  std::unique_ptr<Index> index;
  if (from_index) {
    auto opened = Index::Open(a.haystack);
    if (!opened.ok()) return Fail(opened.status());
    index = std::move(opened.value());
    const Haystack& ih = index->haystack();
    if (!a.processor.empty() && processor_kind != ih.processor()) {
      return Fail(a.haystack + ": the index was built with --processor " +
                  ProcessorName(ih.processor()) + ", not " + a.processor +
                  "; match with that processor or rebuild the index");
    }
    processor_kind = ih.processor();
    if (ih.form() != NameFormFor(scorer_kind)) {
      return Fail(a.haystack + ": the index stores names as " + NameFormName(ih.form()) +
                  ", but " + ScorerName(scorer_kind) + " compares " +
                  NameFormName(NameFormFor(scorer_kind)) +
                  "; rebuild it with needle index --scorer " + ScorerName(scorer_kind));
    }
    progress.Update("verifying index", true);
    Status v = index->Verify();
    progress.Clear();
    if (!v.ok()) return Fail(v);
    if (processor_kind != Processor::kNone &&
        index->unicode_version() != ProcessorVersion(processor_kind)) {
      progress.Summary("needle: warning: " + a.haystack + " was processed with processor version " +
                       index->unicode_version() + ", this needle has " +
                       ProcessorVersion(processor_kind) +
                       "; some names may process differently (rebuild the index to be sure)");
    }
  } else {
    auto opened = TableReader::Open(a.haystack, hay_opts);
    if (!opened.ok()) return Fail(opened.status());
    hay_table = std::move(opened.value());
  }
  auto needle_table = TableReader::Open(a.needles, needle_opts);
  if (!needle_table.ok()) return Fail(needle_table.status());
  auto out = io::OutputFile::Open(a.out);
  if (!out.ok()) return Fail(out.status());

  std::unique_ptr<Haystack> loaded;
  if (!from_index) {
    auto hay = LoadHaystackWithProgress(*hay_table, processor_kind, NameFormFor(scorer_kind),
                                        "loading haystack", &progress);
    if (!hay.ok()) return Fail(hay.status());
    loaded = std::move(hay.value());
  }
  if (use_tokens && !(loaded ? *loaded : index->haystack()).has_tokens()) {
    // A table, or an index written without the token index: build it here.
    progress.Update("indexing tokens", true);
    if (!loaded) loaded = std::make_unique<Haystack>(index->haystack().parts(), nullptr);
    loaded = WithTokenIndex(std::move(loaded), a.threads);
    progress.Clear();
  }
  if (use_chars) {
    progress.Update("character signatures", true);
    if (!loaded) loaded = std::make_unique<Haystack>(index->haystack().parts(), nullptr);
    loaded = WithCharSigs(std::move(loaded), NameStatFor(scorer_kind), a.threads);
    progress.Clear();
  }
  const Haystack& h = loaded ? *loaded : index->haystack();
  std::unique_ptr<NameIndex> names;
  if (scorer_kind == ScorerKind::kName) {
    progress.Update("indexing words", true);
    names = NameIndex::Build(h, a.threads);
    progress.Clear();
  }
  const double load_secs = progress.Seconds();

  MatchOptions opts;
  opts.scorer = scorer_kind;
  opts.scorer_options = scorer_options;
  opts.top_k = a.top;
  opts.cutoff = a.cutoff;
  opts.threads = a.threads;
  opts.method = method;
  opts.names = names.get();
  std::unique_ptr<TimingsFile> timings;
  if (!a.timings.empty()) {
    auto t = io::OutputFile::Open(a.timings);
    if (!t.ok()) return Fail(t.status());
    timings = std::make_unique<TimingsFile>(std::move(t.value()));
  }
  io::OutputFile& o = *out.value();
  o.Write("needle_id,needle,rank,match_id,match,score\n");
  CsvSink sink(h, &o, &progress, needle_table.value()->size_bytes(),
               needle_table.value()->has_id_column(), timings.get());
  sink.set_start(load_secs);
  Status s = MatchTable(h, *needle_table.value(), opts, &sink);
  if (s.ok()) s = o.Commit();
  if (s.ok() && timings) s = timings->Commit();
  progress.Clear();
  if (!s.ok()) return Fail(s);

  const double match_secs = progress.Seconds() - load_secs;
  const int threads = a.threads > 0 ? a.threads : tbb::this_task_arena::max_concurrency();
  char line[512];
  std::snprintf(line, sizeof line,
                "needle: %s needles x %s haystack rows (%s distinct), %s, %s, %d thread%s: "
                "%.2f s, %.1f needles/s (haystack %s in %.2f s, %.1f MB)",
                Thousands(sink.done()).c_str(), Thousands(h.rows()).c_str(),
                Thousands(h.distinct()).c_str(), ScorerName(scorer_kind),
                use_chars || (names && method == SearchMethod::kExact) ? "exact"
                                                                                    : "scan",
                threads,
                threads == 1 ? "" : "s", match_secs,
                match_secs > 0 ? static_cast<double>(sink.done()) / match_secs : 0.0,
                from_index ? "index opened and verified" : "loaded", load_secs,
                static_cast<double>(h.MemoryBytes()) / 1e6);
  progress.Summary(line);
  return 0;
}

}  // namespace

Command AddMatchCommand(CLI::App& app) {
  auto args = std::make_shared<MatchArgs>();
  CLI::App* c = app.add_subcommand(
      "match",
      "Find the best haystack rows for every needle.\n"
      "Writes CSV: needle_id,needle,rank,match_id,match,score; rows in needle order, up to\n"
      "--top rows per needle ranked 1..K (ties: lower haystack row first). A needle with no\n"
      "match at or above --cutoff gets one row with empty rank, match_id, match and score.\n"
      "Files are CSV (RFC 4180), TSV (.tsv, no quoting) or text (.txt, one name per line),\n"
      "UTF-8 with or without BOM, LF or CRLF; CSV and TSV have a header row.");
  c->add_option("haystack", args->haystack,
                "Reference names: a CSV, TSV or text file, or an index file\n"
                "made by needle index (mapped, not read; its processor is used)")
      ->required();
  c->add_option("needles", args->needles, "Query names (CSV, TSV or text file; - for stdin)")
      ->required();
  c->add_option("-o,--out", args->out,
                "Output CSV file; - for stdout. Written under a\n"
                "temporary name and renamed when complete")
      ->capture_default_str();
  c->add_option("-s,--scorer", args->scorer,
                "Scorer: " + ScorerNames() +
                    ".\nname: words weighted by how rare they are in the haystack,\n"
                    "typos, joined and split words, legal forms apart; a needle\n"
                    "whose words many names hold scores lower (its crowd term)\n"
                    "(docs/scorers.md); the others: RapidFuzz and\n"
                    "python-Levenshtein's scores")
      ->capture_default_str();
  c->add_option("--weights", args->weights,
                "levenshtein's costs INS,DEL,SUB (default 1,1,1): inserting into\n"
                "the needle, deleting from it, substituting");
  c->add_option("-p,--processor", args->processor,
                std::string(kProcessorHelp) +
                    ".\nDefault: the processor an index was built with; else name for\n"
                    "the name scorer, default for the others");
  c->add_option("-k,--top", args->top, "Rows per needle (K)")
      ->capture_default_str()
      ->check(CLI::Range(static_cast<size_t>(1), static_cast<size_t>(1000000)));
  c->add_option("-c,--cutoff", args->cutoff, "Lowest score kept, 0-100")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  c->add_option("-t,--threads", args->threads, "Threads; 0: all cores")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  c->add_option("--format", args->format,
                "Input format for both files: csv, tsv or txt (default: by\n"
                "extension; .tsv/.tab TSV, .txt text, else CSV)");
  c->add_option("--needle-format", args->needle_format, "Input format of the needles file");
  c->add_option("--id-column", args->id_column, kIdColumnHelp);
  c->add_option("--name-column", args->name_column, kNameColumnHelp);
  c->add_option("--needle-id-column", args->needle_id_column,
                "Id column of the needles when it differs from --id-column");
  c->add_option("--needle-name-column", args->needle_name_column,
                "Name column of the needles when it differs from --name-column");
  c->add_option("-m,--method", args->method,
                "exact: score only the names whose proven score bound can\n"
                "still reach the K-th best: the same rows and scores as scan,\n"
                "3x (setratio) and 34x (ratio) to over 1,000x (token_set_ratio)\n"
                "faster on the benchmark (docs/search.md).\n"
                "Word lists and a bound per name: name (the default scorer;\n"
                "240x faster than its scan at 1M).\n"
                "Token lists (names within, holding or inside the needle looked\n"
                "up; the rest bounded by the tokens they can share):\n"
                "token_set_ratio, WRatio.\n"
                "Character-count bounds of blocks of 8 names, then of each\n"
                "name, best bound first: ratio, QRatio, token_sort_ratio,\n"
                "indel, lcs, levenshtein (unit weights), partial_ratio;\n"
                "setratio (then bounded by its token pairs).\n"
                "The other scorers scan (seqratio, token_ratio, the partial\n"
                "token scorers, osa, damerau_levenshtein, hamming, jaro,\n"
                "jaro_winkler, prefix, postfix, weighted levenshtein).\n"
                "scan: score every name the length bound allows")
      ->capture_default_str();
  c->add_option("--timings", args->timings,
                "Also write a CSV of each needle's search time (microseconds)\n"
                "and work: needle_row,micros,lists,postings,candidates,verified,\n"
                "scanned");
  c->add_flag("-q,--quiet", args->quiet, "No progress line and no summary on stderr");
  return Command{c, [args] { return RunMatch(*args); }};
}

}  // namespace needle::cli
