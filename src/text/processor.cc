// Name processors. The default one mirrors RapidFuzz's default_process on code
// points: utf8proc supplies the Unicode general category and the simple
// lower-case mapping, so non-Latin names are processed as in Python.
#include "needle/processor.h"

#include <utf8proc.h>

#include "needle/normalize.h"
#include "text/utf8.h"

namespace needle {

namespace text {

bool IsAlnum(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

}  // namespace text

std::optional<Processor> ParseProcessor(std::string_view name) {
  if (name == "default") return Processor::kDefault;
  if (name == "none") return Processor::kNone;
  if (name == "name") return Processor::kName;
  return std::nullopt;
}

const char* UnicodeVersion() { return utf8proc_unicode_version(); }

std::string ProcessorVersion(Processor p) {
  std::string v = UnicodeVersion();
  if (p == Processor::kName) v += "+n" + std::to_string(kNameProcessorRevision);
  return v;
}

const char* ProcessorName(Processor p) {
  switch (p) {
    case Processor::kDefault:
      return "default";
    case Processor::kNone:
      return "none";
    case Processor::kName:
      return "name";
  }
  return "default";
}

namespace {

void DefaultProcess(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  size_t pos = 0;
  while (pos < in.size()) {
    const auto b = static_cast<unsigned char>(in[pos]);
    if (b < 0x80) {
      ++pos;
      if (b >= 'A' && b <= 'Z') {
        out->push_back(static_cast<char>(b + ('a' - 'A')));
      } else if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')) {
        out->push_back(static_cast<char>(b));
      } else {
        out->push_back(' ');
      }
      continue;
    }
    const char32_t c = text::DecodeOne(in, &pos);
    if (text::IsAlnum(c)) {
      text::AppendUtf8(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))),
                       out);
    } else {
      out->push_back(' ');
    }
  }
  // Trim the spaces the replacement left at both ends.
  size_t end = out->size();
  while (end > 0 && (*out)[end - 1] == ' ') --end;
  size_t begin = 0;
  while (begin < end && (*out)[begin] == ' ') ++begin;
  out->erase(end);
  out->erase(0, begin);
}

}  // namespace

void ProcessName(Processor p, std::string_view in, std::string* out) {
  if (p == Processor::kNone) {
    out->assign(in);
    return;
  }
  if (p == Processor::kName) {
    NormalizeNameForMatching(in, out);
    return;
  }
  DefaultProcess(in, out);
}

}  // namespace needle
