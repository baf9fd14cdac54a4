// tools/needle: the `needle` command line. One file per subcommand; this header
// is what they share (registration, progress display, error exit).
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>

#include "needle/haystack.h"
#include "needle/processor.h"
#include "needle/scorer.h"
#include "needle/status.h"
#include "needle/table.h"

namespace needle::cli {

// Exit code for bad input, bad options and unreadable files.
constexpr int kExitBadInput = 2;

// Each Add* registers a subcommand; the returned function runs it after parsing.
struct Command {
  CLI::App* app;
  std::function<int()> run;
};
Command AddMatchCommand(CLI::App& app);
Command AddScoreCommand(CLI::App& app);
Command AddIndexCommand(CLI::App& app);
Command AddNormalizeCommand(CLI::App& app);

// Resolves --scorer and --processor; an empty processor is the scorer's own
// (name for the name scorer, which reads its legal-form part; default for the
// others). On an unknown name prints the error and returns false with
// *exit_code set.
bool ParseScorerAndProcessor(const std::string& scorer, const std::string& processor,
                             ScorerKind* scorer_kind, Processor* processor_kind, int* exit_code);

// Parses --weights "INS,DEL,SUB" (non-negative integers) into *options.
bool ParseWeights(const std::string& text, ScorerOptions* options, int* exit_code);
// The value of a format option (`option`: "--format", "--needle-format") into
// *format; an empty value leaves it alone. False (after Fail) if unknown.
bool ParseFormatOption(const std::string& value, const char* option, TableFormat* format,
                       int* exit_code);

// Prints "needle: error: <message>" on stderr and returns kExitBadInput.
int Fail(const Status& s);
int Fail(const std::string& message);

// A status line on stderr, rewritten in place when stderr is a terminal (and
// not at all otherwise), and a final summary line unless quiet.
class Progress {
 public:
  explicit Progress(bool quiet);
  // Shows `line` if stderr is a terminal and enough time has passed.
  void Update(const std::string& line, bool force = false);
  // Clears the status line.
  void Clear();
  void Summary(const std::string& line);
  double Seconds() const;  // since construction

 private:
  bool quiet_, tty_, shown_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

// Reads `reader` into a haystack, showing "<what>: N rows (P%)" on the
// progress line.
Result<std::unique_ptr<Haystack>> LoadHaystackWithProgress(TableReader& reader,
                                                           Processor processor, NameForm form,
                                                           const std::string& what,
                                                           Progress* progress);

// Help texts the subcommands share.
extern const char* const kProcessorHelp;
extern const char* const kIdColumnHelp;
extern const char* const kNameColumnHelp;

// True if both paths name one existing file (the same device and inode).
bool SameFile(const std::string& a, const std::string& b);

// "1,234,567"
std::string Thousands(uint64_t n);

}  // namespace needle::cli
