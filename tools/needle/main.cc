// needle: fuzzy matching of names at scale. `needle --help` lists the
// subcommands; `needle SUBCOMMAND --help` documents every option.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <vector>

#include "commands.h"
#include "score/lcs_batch.h"

namespace needle::cli {

int Fail(const Status& s) { return Fail(s.message()); }

bool ParseScorerAndProcessor(const std::string& scorer, const std::string& processor,
                             ScorerKind* scorer_kind, Processor* processor_kind, int* exit_code) {
  const auto s = ParseScorer(scorer);
  if (!s) {
    *exit_code = Fail("unknown scorer '" + scorer + "' (choose from " + ScorerNames() + ")");
    return false;
  }
  std::string chosen = processor;
  if (chosen.empty()) chosen = *s == ScorerKind::kName ? "name" : "default";
  const auto p = ParseProcessor(chosen);
  if (!p) {
    *exit_code = Fail("unknown processor '" + processor + "' (choose default, name or none)");
    return false;
  }
  *scorer_kind = *s;
  *processor_kind = *p;
  return true;
}

int Fail(const std::string& message) {
  std::fflush(stdout);
  // One line, whatever the message quotes (a header name may hold a newline).
  std::string line;
  for (char c : message) {
    if (c == '\n') {
      line += "\\n";
    } else if (c == '\r') {
      line += "\\r";
    } else {
      line += c;
    }
  }
  std::fprintf(stderr, "needle: error: %s\n", line.c_str());
  return kExitBadInput;
}

Progress::Progress(bool quiet)
    : quiet_(quiet),
      tty_(!quiet && ::isatty(2)),
      start_(std::chrono::steady_clock::now()),
      last_(start_ - std::chrono::seconds(1)) {}

void Progress::Update(const std::string& line, bool force) {
  if (!tty_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void Progress::Clear() {
  if (shown_) std::fprintf(stderr, "\r\x1b[K");
  shown_ = false;
}

void Progress::Summary(const std::string& line) {
  Clear();
  if (!quiet_) std::fprintf(stderr, "%s\n", line.c_str());
}

double Progress::Seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

bool ParseFormatOption(const std::string& value, const char* option, TableFormat* format,
                       int* exit_code) {
  if (value.empty() || ParseTableFormat(value, format)) return true;
  *exit_code = Fail(std::string("unknown ") + option + " '" + value + "' (choose csv, tsv or txt)");
  return false;
}

bool ParseWeights(const std::string& text, ScorerOptions* options, int* exit_code) {
  if (text.empty()) return true;
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == ',') {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  bool ok = parts.size() == 3;
  for (const auto& part : parts) {
    ok = ok && !part.empty() && part.size() <= 9 &&
         part.find_first_not_of("0123456789") == std::string::npos;
  }
  if (!ok) {
    *exit_code = Fail("--weights '" + text + "': expected three non-negative integers INS,DEL,SUB");
    return false;
  }
  options->insert_cost = std::stoul(parts[0]);
  options->delete_cost = std::stoul(parts[1]);
  options->substitute_cost = std::stoul(parts[2]);
  return true;
}

const char* const kProcessorHelp =
    "default: lower-case, non-alphanumerics to spaces, trim\n"
    "(RapidFuzz default_process); name: organisation names (NFKC,\n"
    "case and accents folded, initials, leading 'The', legal forms\n"
    "of ISO 20275 kept apart, abbreviations; see needle normalize);\n"
    "none: names as they are";
const char* const kIdColumnHelp =
    "Id column: header name or 1-based number (default: the column\n"
    "named id, else the data row number from 1)";
const char* const kNameColumnHelp =
    "Name column: header name or 1-based number (default: the column\n"
    "named name, else the first column that is not the id)";

Result<std::unique_ptr<Haystack>> LoadHaystackWithProgress(TableReader& reader,
                                                           Processor processor, NameForm form,
                                                           const std::string& what,
                                                           Progress* progress) {
  const uint64_t total = reader.size_bytes();
  auto hay = LoadHaystack(reader, processor, form, [&](uint64_t rows) {
    std::string line = what + ": " + Thousands(rows) + " rows";
    if (total > 0) {
      char pct[16];
      std::snprintf(pct, sizeof pct, " (%.0f%%)",
                    100.0 * static_cast<double>(reader.bytes_read()) / static_cast<double>(total));
      line += pct;
    }
    progress->Update(line);
  });
  if (!hay.ok()) progress->Clear();
  return hay;
}

bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return a != "-" && b != "-" && ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

std::string Thousands(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s.push_back(',');
    s.push_back(digits[i]);
  }
  return s;
}

}  // namespace needle::cli

int main(int argc, char** argv) {
  using namespace needle::cli;
  // NEEDLE_SIMD=0 forces the scalar kernels (the SIMD batch kernel is on by
  // default; see docs/design.md).
  if (const char* v = std::getenv("NEEDLE_SIMD"); v && std::string(v) == "0") {
    needle::score::SetLcsBatchEnabled(false);
  }
  CLI::App app{
      "needle: fuzzy matching of names at scale.\n"
      "Matches query names (needles) against a large reference list (the haystack)\n"
      "with the scorers of RapidFuzz and python-Levenshtein, on all cores.\n"
      "Exit codes: 0 success, 2 bad input or options (the message names the file\n"
      "and line), 1 anything else."};
  app.set_version_flag("--version", "needle 0.1.0");
  app.require_subcommand(1);
  app.fallthrough(false);
  Command match = AddMatchCommand(app);
  Command score = AddScoreCommand(app);
  Command index = AddIndexCommand(app);
  Command normalize = AddNormalizeCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (what.empty()) what = "bad command line (see needle --help)";
    return Fail(what + " (see needle --help)");
  }
  try {
    if (match.app->parsed()) return match.run();
    if (score.app->parsed()) return score.run();
    if (index.app->parsed()) return index.run();
    if (normalize.app->parsed()) return normalize.run();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "needle: error: out of memory\n");
    return 1;
  }
  return Fail("no subcommand (see needle --help)");
}
