// `needle normalize NAME...`: what the `name` processor makes of each name,
// and what it recognised (needle/normalize.h).
#include <cstdio>
#include <memory>

#include "commands.h"
#include "needle/normalize.h"
#include "text/utf8.h"

namespace needle::cli {

namespace {

struct NormalizeArgs {
  std::vector<std::string> names;
  bool keep_accents = false;
};

int RunNormalize(const NormalizeArgs& a) {
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
  c->add_option("names", args->names, "Names to normalize")->required();
  c->add_flag("--keep-accents", args->keep_accents,
              "Keep accents and other marks (by default they are folded:\n"
              "\"Société\" becomes \"societe\")");
  return Command{c, [args] { return RunNormalize(*args); }};
}

}  // namespace needle::cli
