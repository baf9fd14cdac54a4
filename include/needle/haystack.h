// needle/haystack.h: the in-memory haystack, one compact read-only store.
//
// Layout (no per-name heap objects, no pointers):
//   - processed names in the scorer's NameForm, interned: one UTF-8 arena holding each distinct
//     processed name once, an offsets array, and per distinct name a meta word
//     (code point count, ASCII flag, has-duplicates flag) and its first row;
//   - rows whose processed name repeats an earlier row's: a sorted side list
//     (distinct id, row), empty when all names differ;
//   - the distinct ids grouped by code point length, so a search can visit
//     only the lengths a score bound allows;
//   - the original ids and names, for output only: blocks of kRowsPerBlock rows
//     compressed with zstd and a dictionary trained on the first rows, so they
//     cost a third of their size; Row() decompresses one block.
// Identical processed names are therefore scored once per needle, and every
// row keeps its own id.
//
// Thread safety: a built Haystack is immutable; any number of threads may call
// its const methods at once. RowReader holds per-thread decompression scratch.
// Limits: up to 2^32-1 rows, 4 GiB of processed names, 2^29 code points a name
// (Status::TooLarge past them).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "needle/processor.h"
#include "needle/scorer.h"
#include "needle/status.h"
#include "needle/table.h"

namespace needle {

class Haystack;

// Per-thread scratch for Haystack::Row: a decompression context and the last
// block it decoded.
class RowReader {
 public:
  RowReader();
  ~RowReader();
  RowReader(const RowReader&) = delete;
  RowReader& operator=(const RowReader&) = delete;

 private:
  friend class Haystack;
  void* dctx_ = nullptr;
  const Haystack* owner_ = nullptr;
  uint64_t block_ = UINT64_MAX;
  std::string raw_;
  std::vector<uint32_t> starts_;  // offset of each row's record in raw_
  std::string id_;                // the row number, for tables without ids
};

class Haystack {
 public:
  static constexpr uint32_t kRowsPerBlock = 64;
  // Zero bytes after the last processed name: SIMD kernels may load whole
  // words, or vectors, past the end of a name.
  static constexpr size_t kArenaPadding = 64;

  ~Haystack();
  uint32_t rows() const { return rows_; }
  uint32_t distinct() const { return static_cast<uint32_t>(first_row_.size()); }
  Processor processor() const { return processor_; }
  // The form names are stored in (the scorer's NameForm).
  NameForm form() const { return form_; }
  bool has_ids() const { return has_ids_; }

  // The processed name of distinct name d (valid UTF-8).
  std::string_view processed(uint32_t d) const {
    return std::string_view(arena_).substr(offsets_[d], offsets_[d + 1] - offsets_[d]);
  }
  uint32_t cp_len(uint32_t d) const { return meta_[d] & kLenMask; }
  bool ascii(uint32_t d) const { return meta_[d] & kAsciiBit; }
  uint32_t first_row(uint32_t d) const { return first_row_[d]; }
  bool has_duplicates(uint32_t d) const { return meta_[d] & kDupBit; }
  // Calls f(row) for every row (0-based) whose processed name is d, ascending.
  template <typename F>
  void ForEachRow(uint32_t d, F&& f) const {
    f(first_row_[d]);
    if (has_duplicates(d)) ForEachDuplicate(d, f);
  }

  // Distinct names grouped by code point length: group g holds the names of
  // length group_length(g) (ascending in g), ids ascending within it, at
  // positions [group_begin(g), group_begin(g + 1)) of by_length().
  size_t length_groups() const { return group_lengths_.size(); }
  uint32_t group_length(size_t g) const { return group_lengths_[g]; }
  uint32_t group_begin(size_t g) const { return group_begins_[g]; }
  uint32_t by_length(uint32_t i) const { return by_length_[i]; }

  // The original id and name of row r (0-based). The id of a table without an
  // id column is the data row number, r + 1. Views stay valid until the next
  // call with the same reader.
  void Row(uint32_t r, RowReader* reader, std::string_view* id, std::string_view* name) const;

  // Bytes held, by part (for the summary and the memory figures).
  size_t ArenaBytes() const { return arena_.size(); }
  size_t CompressedRowBytes() const { return blob_.size(); }
  size_t MemoryBytes() const;

 private:
  friend class HaystackBuilder;
  static constexpr uint32_t kAsciiBit = 1u << 31;
  static constexpr uint32_t kDupBit = 1u << 30;
  static constexpr uint32_t kLenMask = (1u << 29) - 1;
  Haystack() = default;
  void ForEachDuplicate(uint32_t d, const std::function<void(uint32_t)>& f) const;

  Processor processor_ = Processor::kDefault;
  NameForm form_ = NameForm::kProcessed;
  uint32_t rows_ = 0;
  bool has_ids_ = false;
  std::string arena_;
  std::vector<uint32_t> offsets_;                          // distinct + 1
  std::vector<uint32_t> meta_;                             // per distinct
  std::vector<uint32_t> first_row_;                        // per distinct
  std::vector<std::pair<uint32_t, uint32_t>> duplicates_;  // (distinct, row), sorted
  std::vector<uint32_t> by_length_;      // distinct ids by (length, id)
  std::vector<uint32_t> group_lengths_;  // the lengths present, ascending
  std::vector<uint32_t> group_begins_;   // groups + 1 starts into by_length_
  std::string blob_;                                       // compressed row blocks
  std::vector<uint64_t> block_offsets_;
  std::string dictionary_;
  void* ddict_ = nullptr;
};

// Builds a Haystack one row at a time (rows are numbered in Add order).
class HaystackBuilder {
 public:
  // expected_bytes: the input size if known (0 if not), to size buffers.
  HaystackBuilder(Processor processor, NameForm form, bool has_ids, uint64_t expected_bytes);
  ~HaystackBuilder();
  // REQUIRES: name and id are valid UTF-8.
  Status Add(std::string_view id, std::string_view name);
  Result<std::unique_ptr<Haystack>> Finish();
  uint32_t rows() const { return hay_->rows_; }

 private:
  void Intern(std::string_view processed, uint32_t row);
  void Grow();
  void FlushBlock();
  void TrainAndFlushPending();
  void CompressBlock(std::string_view raw);

  std::unique_ptr<Haystack> hay_;
  std::string scratch_, formed_;
  std::vector<uint32_t> slots_;  // open addressing: distinct id + 1, 0 = empty
  std::string block_raw_;        // the block being filled
  uint32_t block_rows_ = 0;
  std::string pending_raw_;  // raw blocks before the dictionary exists
  std::vector<size_t> pending_sizes_;
  bool dictionary_done_ = false;
  void* cctx_ = nullptr;
  void* cdict_ = nullptr;
};

// Reads every record of `table` into a haystack whose names are processed
// with `processor` and stored in `form`. `progress` (may be empty) is called
// now and then with the rows read so far.
Result<std::unique_ptr<Haystack>> LoadHaystack(TableReader& table, Processor processor,
                                               NameForm form,
                                               const std::function<void(uint64_t)>& progress);

}  // namespace needle
