// Streaming CSV/TSV/text reader. One byte-level state machine for all three
// formats (text is "no delimiter, no quoting"); input is read in 1 MiB chunks,
// so memory stays bounded by the longest record.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "needle/table.h"
#include "text/utf8.h"

namespace needle {

namespace {
constexpr size_t kChunk = 1 << 20;

bool EndsWith(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    char a = s[s.size() - suffix.size() + i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != suffix[i]) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

bool ParseTableFormat(std::string_view name, TableFormat* out) {
  if (name == "csv") {
    *out = TableFormat::kCsv;
  } else if (name == "tsv") {
    *out = TableFormat::kTsv;
  } else if (name == "txt" || name == "text") {
    *out = TableFormat::kText;
  } else {
    return false;
  }
  return true;
}

TableFormat FormatFromPath(std::string_view path) {
  if (EndsWith(path, ".tsv") || EndsWith(path, ".tab")) return TableFormat::kTsv;
  if (EndsWith(path, ".txt")) return TableFormat::kText;
  return TableFormat::kCsv;
}

TableReader::~TableReader() {
  if (own_fd_ && fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<TableReader>> TableReader::Open(const std::string& path,
                                                       const TableOptions& options) {
  std::unique_ptr<TableReader> r(new TableReader());
  if (path == "-") {
    r->fd_ = 0;
    r->display_ = "<stdin>";
  } else {
    r->display_ = path;
    r->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (r->fd_ < 0) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
    r->own_fd_ = true;
  }
  struct stat st;
  if (::fstat(r->fd_, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::IoError(r->display_ + ": is a directory");
    if (S_ISREG(st.st_mode)) r->file_size_ = static_cast<uint64_t>(st.st_size);
  }
  r->format_ = options.format == TableFormat::kAuto
                   ? (path == "-" ? TableFormat::kCsv : FormatFromPath(path))
                   : options.format;
  r->buf_.resize(kChunk);
  Status s = r->ReadHeader(options);
  if (!s.ok()) return s;
  return r;
}

Status TableReader::Error(uint64_t line, const std::string& what) const {
  return Status::InvalidInput(display_ + ":" + std::to_string(line) + ": " + what);
}

bool TableReader::Refill() {
  if (input_done_) return false;
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (buf_.size() - end_ < kChunk / 2) buf_.resize(buf_.size() * 2);
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // a read error ends input like EOF; callers see a short file
      input_done_ = true;
      return false;
    }
    end_ += static_cast<size_t>(n);
    return true;
  }
}

inline int TableReader::Peek() {
  if (pos_ == end_ && !Refill()) return -1;
  return static_cast<unsigned char>(buf_[pos_]);
}

Status TableReader::ParseRecord(bool* eof) {
  field_data_.clear();
  field_ends_.clear();
  record_quoted_ = false;
  *eof = false;
  const int delim = format_ == TableFormat::kCsv ? ',' : format_ == TableFormat::kTsv ? '\t' : -2;
  const bool quoting = format_ == TableFormat::kCsv;
  if (Peek() < 0) {
    *eof = true;
    return Status::Ok();
  }
  for (;;) {  // one field per iteration
    int c = Peek();
    if (quoting && c == '"') {
      record_quoted_ = true;
      const uint64_t quote_line = line_;
      ++pos_;
      ++consumed_;
      for (;;) {
        // Copy up to the next quote in one go.
        if (pos_ == end_ && !Refill()) {
          return Error(quote_line, "unterminated quoted field (opened here, never closed)");
        }
        const char* begin = buf_.data() + pos_;
        const char* q = static_cast<const char*>(std::memchr(begin, '"', end_ - pos_));
        const size_t len = q ? static_cast<size_t>(q - begin) : end_ - pos_;
        line_ += static_cast<uint64_t>(std::count(begin, begin + len, '\n'));
        field_data_.append(begin, len);
        pos_ += len;
        consumed_ += len;
        if (!q) continue;
        ++pos_;  // the quote
        ++consumed_;
        if (Peek() == '"') {  // doubled quote: a literal quote
          field_data_.push_back('"');
          ++pos_;
          ++consumed_;
          continue;
        }
        break;
      }
      c = Peek();
      if (c == '\r') {
        ++pos_;
        ++consumed_;
        c = Peek();
        if (c != '\n' && c != -1) {
          return Error(line_, "stray carriage return after a closing quote");
        }
      }
      if (c != delim && c != '\n' && c != -1) {
        return Error(line_,
                     "unexpected text after a closing quote (quote the whole field and "
                     "double the quotes inside it)");
      }
    } else {
      // Unquoted: up to the delimiter or the end of the line.
      for (;;) {
        if (pos_ == end_ && !Refill()) break;
        const char* begin = buf_.data() + pos_;
        const char* stop = begin;
        const char* lim = buf_.data() + end_;
        if (delim >= 0) {
          const char d = static_cast<char>(delim);
          while (stop < lim && *stop != d && *stop != '\n') ++stop;
        } else {
          stop = static_cast<const char*>(std::memchr(begin, '\n', end_ - pos_));
          if (!stop) stop = lim;
        }
        field_data_.append(begin, static_cast<size_t>(stop - begin));
        consumed_ += static_cast<uint64_t>(stop - begin);
        pos_ += static_cast<size_t>(stop - begin);
        if (stop < lim) break;
      }
      c = Peek();
      // A CR before the LF is part of the line end, not of the field.
      if ((c == '\n' || c == -1) && !field_data_.empty() && field_data_.back() == '\r' &&
          (field_ends_.empty() || field_data_.size() > field_ends_.back())) {
        field_data_.pop_back();
      }
    }
    field_ends_.push_back(field_data_.size());
    if (c == delim) {
      ++pos_;
      ++consumed_;
      continue;
    }
    if (c == '\n') {
      ++pos_;
      ++consumed_;
      ++line_;
    }
    break;
  }
  return Status::Ok();
}

Status TableReader::ResolveColumn(const std::string& spec, const char* option, int* col) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == spec) {
      *col = static_cast<int>(i);
      return Status::Ok();
    }
  }
  for (size_t i = 0; i < header_.size(); ++i) {
    if (EqualsIgnoreCase(Trim(header_[i]), Trim(spec))) {
      *col = static_cast<int>(i);
      return Status::Ok();
    }
  }
  if (!spec.empty() &&
      std::all_of(spec.begin(), spec.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    unsigned long n = spec.size() > 9 ? 0 : std::stoul(spec);
    if (n >= 1 && n <= header_.size()) {
      *col = static_cast<int>(n - 1);
      return Status::Ok();
    }
    return Status::InvalidArgument(display_ + ": " + option + " " + spec + ": the header has " +
                                   std::to_string(header_.size()) + " column(s)");
  }
  std::string names;
  for (size_t i = 0; i < header_.size() && i < 20; ++i) {
    names += (i ? ", " : "") + std::string("'") + header_[i] + "'";
  }
  return Status::InvalidArgument(display_ + ": " + option + " '" + spec +
                                 "': no such column (header: " + names + ")");
}

Status TableReader::CheckField(std::string_view f, uint64_t line, const char* what) const {
  size_t bad = 0;
  if (!text::ValidUtf8(f, &bad)) {
    return Error(line, std::string("invalid UTF-8 in the ") + what + " at byte " +
                           std::to_string(bad + 1) + " of the field");
  }
  if (std::memchr(f.data(), '\0', f.size())) {
    return Error(line, std::string("NUL byte in the ") + what + " (binary data?)");
  }
  return Status::Ok();
}

Status TableReader::ReadHeader(const TableOptions& options) {
  // A UTF-8 byte order mark is not part of the first field. A pipe may hand
  // over fewer than 3 bytes at first: read until there are 3 or input ends.
  while (end_ - pos_ < 3 && Refill()) {
  }
  if (Peek() == 0xEF && end_ - pos_ >= 3 && static_cast<unsigned char>(buf_[pos_ + 1]) == 0xBB &&
      static_cast<unsigned char>(buf_[pos_ + 2]) == 0xBF) {
    pos_ += 3;
    consumed_ += 3;
  }
  if (format_ == TableFormat::kText) {
    if (options.columns_explicit && (!options.id_column.empty() || !options.name_column.empty())) {
      return Status::InvalidArgument(display_ +
                                     ": column options apply to CSV and TSV files, not text");
    }
    ncols_ = 1;
    name_col_ = 0;
    id_col_ = -1;
    return Status::Ok();
  }
  bool eof = false;
  Status s = ParseRecord(&eof);
  if (!s.ok()) return s;
  if (eof) return Error(1, "empty file: expected a header row");
  for (size_t i = 0; i < field_ends_.size(); ++i) {
    size_t b = i ? field_ends_[i - 1] : 0;
    header_.emplace_back(field_data_.substr(b, field_ends_[i] - b));
    s = CheckField(header_.back(), 1, "header");
    if (!s.ok()) return s;
  }
  ncols_ = header_.size();
  if (!options.id_column.empty()) {
    s = ResolveColumn(options.id_column, "--id-column", &id_col_);
    if (!s.ok()) return s;
  } else {
    id_col_ = -1;
    for (size_t i = 0; i < header_.size(); ++i) {
      if (EqualsIgnoreCase(Trim(header_[i]), "id")) {
        id_col_ = static_cast<int>(i);
        break;
      }
    }
  }
  if (!options.name_column.empty()) {
    s = ResolveColumn(options.name_column, "--name-column", &name_col_);
    if (!s.ok()) return s;
  } else {
    name_col_ = -1;
    for (size_t i = 0; i < header_.size(); ++i) {
      if (EqualsIgnoreCase(Trim(header_[i]), "name")) {
        name_col_ = static_cast<int>(i);
        break;
      }
    }
    if (name_col_ < 0) name_col_ = (id_col_ == 0 && header_.size() > 1) ? 1 : 0;
  }
  return Status::Ok();
}

Status TableReader::FillRecord(TableRecord* rec, uint64_t line) {
  if (field_ends_.size() != ncols_) {
    return Error(line, "expected " + std::to_string(ncols_) + " field(s) as in the header, found " +
                           std::to_string(field_ends_.size()));
  }
  auto field = [&](int i) {
    size_t b = i ? field_ends_[static_cast<size_t>(i) - 1] : 0;
    return std::string_view(field_data_).substr(b, field_ends_[static_cast<size_t>(i)] - b);
  };
  rec->name = field(name_col_);
  Status s = CheckField(rec->name, line, "name");
  if (!s.ok()) return s;
  if (id_col_ >= 0) {
    rec->id = field(id_col_);
    s = CheckField(rec->id, line, "id");
    if (!s.ok()) return s;
  } else {
    rec->id = {};
  }
  rec->row = ++row_;
  rec->line = line;
  return Status::Ok();
}

Status TableReader::Next(TableRecord* rec, bool* eof) {
  *eof = false;
  for (;;) {
    // Blank lines held back earlier turned out to be inside a one-column table.
    if (pending_blank_ > 0 && have_stash_) {
      --pending_blank_;
      field_data_.clear();
      field_ends_.assign(1, 0);
      return FillRecord(rec, pending_blank_line_++);
    }
    if (have_stash_) {
      have_stash_ = false;
      field_data_.swap(stash_data_);
      field_ends_.swap(stash_ends_);
      return FillRecord(rec, stash_line_);
    }
    const uint64_t line = line_;
    Status s = ParseRecord(eof);
    if (!s.ok()) return s;
    if (*eof) return Status::Ok();  // trailing blank lines are dropped
    const bool blank = field_ends_.size() == 1 && field_ends_[0] == 0 && !record_quoted_;
    if (blank) {
      if (pending_blank_ == 0) pending_blank_line_ = line;
      ++pending_blank_;
      continue;
    }
    if (pending_blank_ > 0) {
      if (ncols_ != 1) {
        return Error(pending_blank_line_, "blank line inside the table (expected " +
                                              std::to_string(ncols_) + " fields)");
      }
      have_stash_ = true;
      stash_data_.swap(field_data_);
      stash_ends_.swap(field_ends_);
      stash_line_ = line;
      continue;
    }
    return FillRecord(rec, line);
  }
}

}  // namespace needle
