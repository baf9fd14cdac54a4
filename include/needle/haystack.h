// needle/haystack.h: the haystack, one compact read-only store.
//
// Layout (no per-name heap objects, no pointers), the same in memory and in an
// index file (needle/index.h), so a Haystack is a set of views over either:
//   - processed names in the scorer's NameForm, interned: one UTF-8 arena holding each distinct
//     processed name once, followed by kArenaPadding zero bytes, an offsets
//     array, and per distinct name its first row;
//   - rows whose processed name repeats an earlier row's: a bitset of the
//     distinct names that have them and a sorted side list (distinct id, row);
//   - distinct names numbered by (code point length, first row), so each
//     length is a range of ids: a search visits only the lengths a score
//     bound allows and reads the arena front to back;
//   - the original ids and names, for output only: blocks of kRowsPerBlock rows
//     compressed with zstd and a dictionary trained on the first rows; an id
//     that is the previous one with its trailing number plus one ("h41",
//     "h42") is stored as one byte. Row() decompresses one block.
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
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "needle/charsig.h"
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
  std::string raw_;  // the decompressed block
  std::string ids_;  // the block's ids, concatenated
  struct Record {
    uint32_t id_at, id_len, name_at, name_len;  // into ids_ and raw_
  };
  std::vector<Record> records_;
  std::string id_;  // the row number, for tables without ids
};

// The parts of a haystack, as views. Filled by HaystackBuilder (over its own
// storage) or by the index reader (over the file's bytes).
struct HaystackParts {
  Processor processor = Processor::kDefault;
  NameForm form = NameForm::kProcessed;
  uint32_t rows = 0;
  bool has_ids = false;
  std::span<const char> arena;  // names + kArenaPadding zero bytes
  std::span<const uint32_t> offsets;  // distinct + 1
  std::span<const uint32_t> first_row;  // per distinct
  std::span<const uint64_t> dup_bits;  // bit d: distinct name d has more rows
  std::span<const uint32_t> duplicates;  // (distinct, row) pairs, sorted
  std::span<const uint32_t> group_lengths;  // the lengths present, ascending
  std::span<const uint32_t> group_begins;  // groups + 1
  std::span<const char> blob;  // compressed row blocks
  std::span<const uint64_t> block_offsets;  // blocks + 1, into blob
  std::span<const char> dictionary;  // zstd dictionary; may be empty
  // The bigram index (needle/grams.h), or both empty: per key the ids of the
  // names holding that bigram, ascending, an id once per occurrence.
  std::span<const uint64_t> gram_offsets;  // kGramKeys + 1, into gram_postings
  std::span<const uint32_t> gram_postings;
  // Character-count signatures (needle/charsig.h), per distinct name, or
  // empty: CharSig::lo and CharSig::hi. Computed when a search is set up
  // (WithCharSigs), not stored in index files.
  std::span<const uint64_t> char_lo, char_hi;
  // With them, the OR of each block of kSigBlock names' signatures (block b:
  // ids 8b..8b+7; needle/charsig.h).
  std::span<const uint64_t> block_lo, block_hi;
  // The scorer's NameStat (needle/scorer.h) per distinct name, or empty:
  // TokenSetLength for WRatio, the token count for setratio.
  std::span<const uint16_t> name_stats;
  NameStat name_stat_kind = NameStat::kNone;  // which statistic name_stats holds
  // The token index (needle/tokens.h), or all empty: per token bucket the ids
  // of the names holding a token of that bucket, ascending, each once; per
  // set bucket the ids of the names whose sorted token set hashes there.
  std::span<const uint32_t> token_offsets;  // buckets + 1, into token_postings
  std::span<const uint32_t> token_postings;
  std::span<const uint32_t> set_offsets;  // buckets + 1, into set_postings
  std::span<const uint32_t> set_postings;
};

class Haystack {
 public:
  static constexpr uint32_t kRowsPerBlock = 64;
  // Zero bytes after the last processed name: SIMD kernels may load whole
  // words, or vectors, past the end of a name.
  static constexpr size_t kArenaPadding = 64;

  // A haystack over `parts`, whose bytes `owner` keeps alive. REQUIRES: the
  // parts are consistent (as HaystackBuilder makes them, or as
  // Index::Verify checks them).
  Haystack(const HaystackParts& parts, std::shared_ptr<const void> owner);
  ~Haystack();
  Haystack(const Haystack&) = delete;
  Haystack& operator=(const Haystack&) = delete;

  uint32_t rows() const { return p_.rows; }
  uint32_t distinct() const { return static_cast<uint32_t>(p_.first_row.size()); }
  Processor processor() const { return p_.processor; }
  // The form names are stored in (the scorer's NameForm).
  NameForm form() const { return p_.form; }
  bool has_ids() const { return p_.has_ids; }
  const HaystackParts& parts() const { return p_; }

  // The processed name of distinct name d (valid UTF-8).
  std::string_view processed(uint32_t d) const {
    return std::string_view(p_.arena.data() + p_.offsets[d], p_.offsets[d + 1] - p_.offsets[d]);
  }
  uint32_t first_row(uint32_t d) const { return p_.first_row[d]; }
  bool has_duplicates(uint32_t d) const { return (p_.dup_bits[d >> 6] >> (d & 63)) & 1; }
  // Calls f(row) for every row (0-based) whose processed name is d, ascending.
  template <typename F>
  void ForEachRow(uint32_t d, F&& f) const {
    f(p_.first_row[d]);
    if (has_duplicates(d)) ForEachDuplicate(d, f);
  }

  // Distinct names grouped by code point length: group g holds the names of
  // length group_length(g) (ascending in g), the ids [group_begin(g),
  // group_begin(g + 1)), in order of first row.
  size_t length_groups() const { return p_.group_lengths.size(); }
  uint32_t group_length(size_t g) const { return p_.group_lengths[g]; }
  uint32_t group_begin(size_t g) const { return p_.group_begins[g]; }

  // The original id and name of row r (0-based). The id of a table without an
  // id column is the data row number, r + 1. Views stay valid until the next
  // call with the same reader. Fails only on a corrupt row block.
  Status Row(uint32_t r, RowReader* reader, std::string_view* id, std::string_view* name) const;

  // The bigram index, if built (WithGramIndex, or read from an index file).
  bool has_grams() const { return !p_.gram_offsets.empty(); }
  // The ids holding bigram `key` (< kGramKeys), ascending, repeated per
  // occurrence. REQUIRES: has_grams().
  std::span<const uint32_t> gram_list(uint32_t key) const {
    return p_.gram_postings.subspan(p_.gram_offsets[key],
                                    p_.gram_offsets[key + 1] - p_.gram_offsets[key]);
  }
  size_t GramBytes() const {
    return p_.gram_offsets.size_bytes() + p_.gram_postings.size_bytes();
  }
  // The character-count signatures, if computed (WithCharSigs).
  // The token index, if built (WithTokenIndex, or read from an index file).
  bool has_tokens() const { return !p_.token_offsets.empty(); }
  // The ids of the names holding a token whose TokenHash is `hash`, and
  // maybe a few others, ascending. REQUIRES: has_tokens().
  std::span<const uint32_t> token_list(uint64_t hash) const {
    return Bucket(p_.token_offsets, p_.token_postings, hash);
  }
  // The ids of the names whose sorted token set has TokenHash `hash`, and
  // maybe a few others, ascending. REQUIRES: has_tokens().
  std::span<const uint32_t> set_list(uint64_t hash) const {
    return Bucket(p_.set_offsets, p_.set_postings, hash);
  }
  size_t TokenBytes() const {
    return p_.token_offsets.size_bytes() + p_.token_postings.size_bytes() +
           p_.set_offsets.size_bytes() + p_.set_postings.size_bytes();
  }

  bool has_char_sigs() const { return !p_.char_lo.empty(); }
  // REQUIRES: has_char_sigs().
  CharSig char_sig(uint32_t d) const { return CharSig{p_.char_lo[d], p_.char_hi[d]}; }
  // The NameStat of distinct name d, or 0 when not computed (for either
  // statistic a valid lower bound, and "unknown" to the bounds that read it).
  uint32_t name_stat(uint32_t d) const { return p_.name_stats.empty() ? 0 : p_.name_stats[d]; }
  // The same, 0 unless the haystack holds the statistic `kind` (a bound
  // must never read another one's).
  uint32_t name_stat(uint32_t d, NameStat kind) const {
    return kind == p_.name_stat_kind && kind != NameStat::kNone ? name_stat(d) : 0;
  }
  NameStat name_stat_kind() const { return p_.name_stat_kind; }
  // What keeps the parts' bytes alive.
  const std::shared_ptr<const void>& owner() const { return owner_; }

  // Bytes held, by part (for the summary and the memory figures).
  size_t ArenaBytes() const { return p_.arena.size(); }
  size_t CompressedRowBytes() const { return p_.blob.size(); }
  size_t MemoryBytes() const;

 private:
  void ForEachDuplicate(uint32_t d, const std::function<void(uint32_t)>& f) const;
  // The list of `hash`'s bucket; the bucket count is a power of two.
  static std::span<const uint32_t> Bucket(std::span<const uint32_t> offsets,
                                          std::span<const uint32_t> postings, uint64_t hash) {
    const size_t b = hash & (offsets.size() - 2);
    return postings.subspan(offsets[b], offsets[b + 1] - offsets[b]);
  }
  Status LoadBlock(uint64_t block, RowReader* reader) const;

  HaystackParts p_;
  std::shared_ptr<const void> owner_;
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
  uint32_t rows() const { return rows_; }

 private:
  struct Storage;
  void Intern(std::string_view processed, uint32_t cp_len, uint32_t row);
  void Grow();
  void FlushBlock();
  void TrainAndFlushPending();
  void CompressBlock(std::string_view raw);
  std::string_view Processed(uint32_t d) const;

  Processor processor_;
  NameForm form_;
  bool has_ids_;
  uint32_t rows_ = 0;
  std::unique_ptr<Storage> st_;
  std::vector<uint32_t> cp_lens_;  // per distinct, until Finish
  std::string scratch_, formed_, prev_id_, next_id_;
  std::vector<uint32_t> slots_;  // open addressing: distinct id + 1, 0 = empty
  std::string block_raw_;        // the block being filled
  uint32_t block_rows_ = 0;
  std::string pending_raw_;  // raw blocks before the dictionary exists
  std::vector<size_t> pending_sizes_;
  bool dictionary_done_ = false;
  void* cctx_ = nullptr;
  void* cdict_ = nullptr;
};

// The bigram index (needle/grams.h): `hay` plus, per bigram key, the ids of
// the names holding it. Built with `threads` threads (0: all cores); about
// 4 bytes per bigram of the distinct names.
std::unique_ptr<Haystack> WithGramIndex(std::unique_ptr<Haystack> hay, int threads = 0);

// Reads every record of `table` into a haystack whose names are processed
// with `processor` and stored in `form`. `progress` (may be empty) is called
// now and then with the rows read so far.
Result<std::unique_ptr<Haystack>> LoadHaystack(TableReader& table, Processor processor,
                                               NameForm form,
                                               const std::function<void(uint64_t)>& progress);

}  // namespace needle
