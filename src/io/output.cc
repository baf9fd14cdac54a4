#include "io/output.h"

#include <errno.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

namespace needle::io {

Result<std::unique_ptr<OutputFile>> OutputFile::Open(const std::string& path) {
  std::unique_ptr<OutputFile> out(new OutputFile());
  out->path_ = path;
  if (path == "-") {
    out->f_ = stdout;
    out->is_stdout_ = true;
  } else {
    out->tmp_path_ = path + ".tmp-" + std::to_string(::getpid());
    out->f_ = std::fopen(out->tmp_path_.c_str(), "wb");
    if (!out->f_) {
      return Status::IoError(path + ": cannot write: " + std::strerror(errno));
    }
  }
  out->buf_.reserve(kFlushBytes * 2);
  return out;
}

OutputFile::~OutputFile() {
  if (is_stdout_) {
    Flush();
    return;
  }
  if (f_) std::fclose(f_);
  if (!committed_) ::unlink(tmp_path_.c_str());
}

void OutputFile::Field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    buf_.append(s);
    return;
  }
  buf_.push_back('"');
  for (char c : s) {
    if (c == '"') buf_.push_back('"');
    buf_.push_back(c);
  }
  buf_.push_back('"');
}

Status OutputFile::Flush() {
  if (failed_) return Status::IoError(path_ + ": write failed");
  if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size()) {
    failed_ = true;
    return Status::IoError(path_ + ": write failed: " + std::strerror(errno));
  }
  buf_.clear();
  return Status::Ok();
}

Status OutputFile::Commit() {
  Status s = Flush();
  if (!s.ok()) return s;
  if (std::fflush(f_) != 0)
    return Status::IoError(path_ + ": write failed: " + std::strerror(errno));
  if (is_stdout_) return Status::Ok();
  const int rc = std::fclose(f_);
  f_ = nullptr;
  if (rc != 0) return Status::IoError(path_ + ": write failed: " + std::strerror(errno));
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    return Status::IoError(
        path_ + ": cannot rename the finished output into place: " + std::strerror(errno));
  }
  committed_ = true;
  return Status::Ok();
}

std::string FormatScore(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace needle::io
