// fuzz/example_fuzz.cc: libFuzzer target for the UTF-8 layer (text/utf8.h) and
// the default processor (needle/processor.h). It checks properties, not just
// crashes:
//   - ValidUtf8 rejects at an offset inside the input, and the bytes before
//     that offset are valid on their own;
//   - valid input survives Decode then Encode byte for byte, CodePointCount
//     agrees with Decode, and ProcessName keeps it valid UTF-8.
// Build and run: `make fuzz` (clang; seeds in fuzz/corpus/example_fuzz/).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "needle/processor.h"
#include "text/utf8.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();  // libFuzzer records the input as a crash
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t bad = size + 1;
  if (!needle::text::ValidUtf8(in, &bad)) {
    Check(bad < size);
    Check(needle::text::ValidUtf8(in.substr(0, bad)));
    return 0;
  }
  std::u32string code_points;
  needle::text::Decode(in, &code_points);
  Check(code_points.size() == needle::text::CodePointCount(in));
  Check(needle::text::Encode(code_points) == in);
  Check(needle::text::IsAscii(in) == (code_points.size() == size));

  std::string processed;
  needle::ProcessName(needle::Processor::kDefault, in, &processed);
  Check(needle::text::ValidUtf8(processed));
  return 0;
}
