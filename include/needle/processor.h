// needle/processor.h: what is done to a name before it is scored.
//
// kDefault follows RapidFuzz's utils.default_process: every code point that is
// not alphanumeric (Unicode general category L* or N*, as Python's
// str.isalnum) becomes a space, letters are lower-cased with the simple
// (one-to-one) Unicode mapping, and spaces are trimmed from both ends.
// Inner runs of spaces are kept, so "A & B" becomes "a   b"; setratio's
// split(' ') sees the empty tokens exactly as Python does.
// kNone scores names as they are.
//
// Thread safety: stateless; call from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace needle {

// kName: the organisation-name normaliser of needle/normalize.h (NFKC, case
// and accent folding, initials, legal forms kept apart, abbreviations).
enum class Processor { kDefault, kNone, kName };

// "default" / "none" / "name"; nullopt for anything else.
std::optional<Processor> ParseProcessor(std::string_view name);
const char* ProcessorName(Processor p);

// The Unicode version of the character tables the default processor uses
// (utf8proc's).
const char* UnicodeVersion();

// The name processor's rules change between releases (legal forms,
// abbreviations); each change raises this number.
inline constexpr int kNameProcessorRevision = 3;

// What an index file records of the processor that made its names: the
// Unicode version, and for the name processor "+n" and its revision
// ("15.1.0+n2"). At most 15 bytes.
std::string ProcessorVersion(Processor p);

// Writes the processed form of `in` to *out (replacing its contents).
// REQUIRES: `in` is valid UTF-8. The result is valid UTF-8.
void ProcessName(Processor p, std::string_view in, std::string* out);

}  // namespace needle
