// needle/table.h: streaming reader of name tables (CSV, TSV, plain text).
//
// Formats:
//   CSV  RFC 4180: comma-separated, a header row, fields optionally quoted with
//        '"'; inside quotes, '""' is a quote and commas and newlines are data.
//        A bare quote inside an unquoted field is taken literally.
//   TSV  tab-separated with a header row and no quoting (IANA text/tab-separated-
//        values): a field cannot hold a tab or a newline.
//   Text one name per line, no header; the id is the line number.
// All: UTF-8 with or without a BOM, LF or CRLF line ends. Blank lines at the
// end of a file are ignored; elsewhere a blank line is an empty name in a
// one-column table and an error (a ragged row) in a wider one.
//
// Errors (a Status, never an exception) name the file and the line where the
// record starts: ragged rows, unterminated quotes, text after a closing quote,
// invalid UTF-8 or NUL bytes in a used field, missing columns.
//
// Thread safety: a TableReader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "needle/status.h"

namespace needle {

enum class TableFormat { kAuto, kCsv, kTsv, kText };

// "csv", "tsv", "txt" (also "text"); kAuto for anything else is decided by the
// caller. Returns false for an unknown name.
bool ParseTableFormat(std::string_view name, TableFormat* out);
// The format a path's extension implies: .tsv/.tab -> TSV, .txt -> text, else CSV.
TableFormat FormatFromPath(std::string_view path);

struct TableOptions {
  TableFormat format = TableFormat::kAuto;  // kAuto: from the extension
  // A header name or a 1-based column number; empty: the default ("id" if there
  // is such a column, else the data row number; "name" if there is such a
  // column, else the first column that is not the id column).
  std::string id_column;
  std::string name_column;
  // If false, column options are ignored for text files (they were inherited
  // from another file's options); if true they are an error there.
  bool columns_explicit = true;
};

struct TableRecord {
  std::string_view id;    // empty when the table has no id column (use `row`)
  std::string_view name;  // valid UTF-8
  uint64_t row = 0;       // data row number, from 1
  uint64_t line = 0;      // physical line where the record starts, from 1
};

class TableReader {
 public:
  // Opens `path` ("-" is standard input) and reads the header.
  static Result<std::unique_ptr<TableReader>> Open(const std::string& path,
                                                   const TableOptions& options);
  ~TableReader();
  TableReader(const TableReader&) = delete;
  TableReader& operator=(const TableReader&) = delete;

  // Reads the next record. At the end sets *eof = true and leaves *rec alone.
  // The views in *rec stay valid until the next call.
  Status Next(TableRecord* rec, bool* eof);

  bool has_id_column() const { return id_col_ >= 0; }
  const std::string& display_name() const { return display_; }
  TableFormat format() const { return format_; }
  uint64_t bytes_read() const { return consumed_; }
  uint64_t size_bytes() const { return file_size_; }  // 0 when unknown (a pipe)

 private:
  TableReader() = default;
  Status ReadHeader(const TableOptions& options);
  // Parses one physical record into fields_. *eof at end of input.
  Status ParseRecord(bool* eof);
  bool Refill();  // false at end of input
  int Peek();     // -1 at end of input
  Status Error(uint64_t line, const std::string& what) const;
  Status ResolveColumn(const std::string& spec, const char* option, int* col) const;
  Status CheckField(std::string_view f, uint64_t line, const char* what) const;
  Status FillRecord(TableRecord* rec, uint64_t line);

  int fd_ = -1;
  bool own_fd_ = false;
  std::string display_;
  TableFormat format_ = TableFormat::kCsv;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  bool input_done_ = false;
  uint64_t consumed_ = 0, file_size_ = 0;
  uint64_t line_ = 1;  // current physical line
  uint64_t row_ = 0;
  // Fields of the last parsed record: data and end offsets.
  std::string field_data_;
  std::vector<size_t> field_ends_;
  bool record_quoted_ = false;  // the last record had a quoted field ("" is not blank)
  std::vector<std::string> header_;
  int id_col_ = -1, name_col_ = 0;
  size_t ncols_ = 1;
  // Blank lines seen but not yet known to be inside the table.
  uint64_t pending_blank_ = 0, pending_blank_line_ = 0;
  bool have_stash_ = false;
  std::string stash_data_;
  std::vector<size_t> stash_ends_;
  uint64_t stash_line_ = 0;
};

}  // namespace needle
