// `needle normalize NAME...`: what the `name` processor makes of each name,
// and what it recognised (needle/normalize.h).
#include <cstdio>
#include <memory>

#include "commands.h"
#include "io/output.h"
#include "needle/normalize.h"
#include "needle/table.h"
#include "text/utf8.h"

namespace needle::cli {

namespace {

struct NormalizeArgs {
  std::vector<std::string> names;
  std::string input, output = "-", format, id_column, name_column;
  bool keep_accents = false;
};

// --input: every name of a table, as CSV rows id,name,core,legal.
int NormalizeTable(const NormalizeArgs& a) {
  TableOptions opts;
  int exit_code = 0;
  if (!ParseFormatOption(a.format, "--format", &opts.format, &exit_code)) return exit_code;
  opts.id_column = a.id_column;
  opts.name_column = a.name_column;
  if (a.output != "-" && SameFile(a.output, a.input)) {
    return Fail(a.output + ": is the input file; write to another file");
  }
  auto table = TableReader::Open(a.input, opts);
  if (!table.ok()) return Fail(table.status());
  auto out = io::OutputFile::Open(a.output);
  if (!out.ok()) return Fail(out.status());
  io::OutputFile& o = *out.value();
  o.Write("id,name,core,legal\n");
  NormalizedName n;
  TableRecord rec;
  for (;;) {
    bool eof = false;
    Status s = table.value()->Next(&rec, &eof);
    if (!s.ok()) return Fail(s);
    if (eof) break;
    NormalizeName(rec.name, !a.keep_accents, &n);
    if (table.value()->has_id_column()) {
      o.Field(rec.id);
    } else {
      o.Write(std::to_string(rec.row));
    }
    o.Put(',');
    o.Field(rec.name);
    o.Put(',');
    o.Field(n.core);
    o.Put(',');
    o.Field(n.legal);
    o.Put('\n');
  }
  Status s = o.Commit();
  return s.ok() ? 0 : Fail(s);
}

int RunNormalize(const NormalizeArgs& a) {
  if (!a.input.empty()) {
    if (!a.names.empty()) return Fail("give names or --input FILE, not both");
    return NormalizeTable(a);
  }
  if (a.names.empty()) return Fail("no names: give NAME... or --input FILE");
  NormalizedName n;
  for (const std::string& name : a.names) {
    if (!text::ValidUtf8(name)) return Fail("not valid UTF-8: a name given to normalize");
    NormalizeName(name, !a.keep_accents, &n);
    std::printf("%s\n  core:  %s\n  legal: %s\n", name.c_str(), n.core.c_str(),
                n.legal.empty() ? "(none)" : n.legal.c_str());
    for (const std::string& note : n.notes) std::printf("  - %s\n", note.c_str());
  }
  return 0;
}

}  // namespace

Command AddNormalizeCommand(CLI::App& app) {
  auto args = std::make_shared<NormalizeArgs>();
  CLI::App* c = app.add_subcommand(
      "normalize",
      "Show what the name processor (--processor name) makes of names: the\n"
      "core words, the legal form kept apart (ISO 20275), and each step that\n"
      "changed something (initials, article, legal forms, abbreviations).\n"
      "See docs/scorers.md, \"The name processor\".");
  c->add_option("names", args->names, "Names to normalize");
  c->add_option("-i,--input", args->input,
                "Normalize every name of this table (CSV, TSV or text, as for\n"
                "match; \"-\" is standard input) and write CSV rows\n"
                "id,name,core,legal instead of the notes");
  c->add_option("-o,--output", args->output, "Where --input's rows go (default \"-\", stdout)");
  c->add_option("--format", args->format, "--input's format: csv, tsv or txt (default: from the extension)");
  c->add_option("--id-column", args->id_column, "--input's id column: a header name or a 1-based number");
  c->add_option("--name-column", args->name_column, "--input's name column: a header name or a 1-based number");
  c->add_flag("--keep-accents", args->keep_accents,
              "Keep accents and other marks (by default they are folded:\n"
              "\"Société\" becomes \"societe\")");
  return Command{c, [args] { return RunNormalize(*args); }};
}

}  // namespace needle::cli
