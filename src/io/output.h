// io/output.h: buffered output that never leaves a complete-looking file
// behind a failed run.
//
// OutputFile writes to "<path>.tmp-<pid>" and renames it to <path> on Commit();
// destroyed without Commit (an error, a crash of the run), the temporary file
// is removed. "-" writes to standard output (which cannot be taken back).
// CsvQuote and FormatScore make RFC 4180 fields and round-trip numbers.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "needle/status.h"

namespace needle::io {

class OutputFile {
 public:
  static Result<std::unique_ptr<OutputFile>> Open(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void Write(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kFlushBytes) Flush();
  }
  void Put(char c) { buf_.push_back(c); }
  // Appends s as one CSV field (quoted when it holds a comma, quote, CR or LF).
  void Field(std::string_view s);
  Status Flush();
  // Flushes, closes and moves the file into place.
  Status Commit();

 private:
  static constexpr size_t kFlushBytes = 1 << 16;
  OutputFile() = default;
  std::string path_, tmp_path_;
  std::FILE* f_ = nullptr;
  bool is_stdout_ = false, committed_ = false, failed_ = false;
  std::string buf_;
};

// The shortest decimal text that reads back as exactly `v` ("100", "87.5").
std::string FormatScore(double v);

}  // namespace needle::io
