// needle/status.h: how the library reports failure.
//
// The library never throws across its API. Anything that can fail at a
// boundary (opening or parsing a file, building a haystack) returns a Status or
// a Result<T>; the CLI turns it into a one-line message and exit code 2.
// Hot paths (scorers, search) cannot fail and return plain values.
//
// Thread safety: Status and Result are values; copies are independent.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace needle {

class Status {
 public:
  enum class Code { kOk, kInvalidInput, kIoError, kInvalidArgument, kTooLarge };

  Status() = default;
  static Status Ok() { return Status(); }
  // Malformed user data: a bad CSV row, invalid UTF-8, an empty haystack.
  static Status InvalidInput(std::string msg) {
    return Status(Code::kInvalidInput, std::move(msg));
  }
  // The operating system refused: missing file, unreadable, disk full.
  static Status IoError(std::string msg) { return Status(Code::kIoError, std::move(msg)); }
  // A bad option value or an unknown name (scorer, processor, column).
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  // A documented limit was reached (see docs/design.md, "Limits").
  static Status TooLarge(std::string msg) { return Status(Code::kTooLarge, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: !ok()
  const Status& status() const { return std::get<Status>(v_); }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace needle
