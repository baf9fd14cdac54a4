// The haystack store: interned processed names in one arena, original rows in
// zstd-compressed blocks. See needle/haystack.h for the layout.
#include "needle/haystack.h"

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "needle/charsig.h"
#include "text/utf8.h"

namespace needle {

namespace {
constexpr int kZstdLevel = 3;
constexpr uint32_t kMaxNameCodePoints = (1u << 29) - 1;
constexpr size_t kTrainBytes = 2 << 20;  // raw rows sampled for the dictionary
constexpr size_t kDictionaryBytes = 32 << 10;

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint of raw[*pos..end); false if it runs off the end or past 64
// bits (a corrupt block).
bool GetVarint(std::string_view raw, size_t* pos, uint64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= raw.size()) return false;
    auto b = static_cast<unsigned char>(raw[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

// The id after `prev` in a numbered sequence: its trailing decimal number plus
// one ("h41" -> "h42", "a-099" -> "a-100", "9" -> "10"). False if `prev` does
// not end in a digit.
bool NextId(std::string_view prev, std::string* next) {
  if (prev.empty() || prev.back() < '0' || prev.back() > '9') return false;
  next->assign(prev);
  size_t i = next->size();
  while (i > 0 && (*next)[i - 1] >= '0' && (*next)[i - 1] <= '9') {
    if ((*next)[i - 1] != '9') {
      ++(*next)[i - 1];
      return true;
    }
    (*next)[--i] = '0';
  }
  next->insert(next->begin() + static_cast<ptrdiff_t>(i), '1');
  return true;
}

// A row record in a raw block: the id as varint code (0: NextId of the
// previous row's id in the block; else length + 1, then the bytes; absent
// for tables without ids), then the name as varint length and bytes.
constexpr uint64_t kNextIdCode = 0;
}  // namespace

// ---------------------------------------------------------------- RowReader

RowReader::RowReader() : dctx_(ZSTD_createDCtx()) {}
RowReader::~RowReader() { ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(dctx_)); }

// ---------------------------------------------------------------- Haystack

Haystack::Haystack(const HaystackParts& parts, std::shared_ptr<const void> owner)
    : p_(parts), owner_(std::move(owner)) {
  if (!p_.dictionary.empty()) {
    ddict_ = ZSTD_createDDict(p_.dictionary.data(), p_.dictionary.size());
  }
}

Haystack::~Haystack() { ZSTD_freeDDict(static_cast<ZSTD_DDict*>(ddict_)); }

size_t Haystack::MemoryBytes() const {
  return p_.arena.size_bytes() + p_.offsets.size_bytes() + p_.first_row.size_bytes() +
         p_.dup_bits.size_bytes() + p_.duplicates.size_bytes() + p_.group_lengths.size_bytes() +
         p_.group_begins.size_bytes() + p_.blob.size_bytes() + p_.block_offsets.size_bytes() +
         p_.dictionary.size_bytes() + GramBytes() + TokenBytes() + p_.char_lo.size_bytes() +
         p_.char_hi.size_bytes() + p_.block_lo.size_bytes() + p_.block_hi.size_bytes() +
         p_.name_stats.size_bytes();
}

void Haystack::ForEachDuplicate(uint32_t d, const std::function<void(uint32_t)>& f) const {
  // Binary search on the pairs' first element.
  size_t lo = 0, hi = p_.duplicates.size() / 2;
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (p_.duplicates[2 * mid] < d) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  for (; lo < p_.duplicates.size() / 2 && p_.duplicates[2 * lo] == d; ++lo) {
    f(p_.duplicates[2 * lo + 1]);
  }
}

Status Haystack::LoadBlock(uint64_t block, RowReader* reader) const {
  const auto corrupt = [&](const char* what) {
    reader->owner_ = nullptr;
    return Status::InvalidInput("row block " + std::to_string(block) + " is corrupt (" + what +
                                ")");
  };
  if (block + 1 >= p_.block_offsets.size()) return corrupt("no such block");
  const uint64_t begin = p_.block_offsets[block], end = p_.block_offsets[block + 1];
  if (begin > end || end > p_.blob.size()) return corrupt("bad offsets");
  auto* dctx = static_cast<ZSTD_DCtx*>(reader->dctx_);
  const unsigned long long raw_size = ZSTD_getFrameContentSize(p_.blob.data() + begin, end - begin);
  if (raw_size == ZSTD_CONTENTSIZE_ERROR || raw_size == ZSTD_CONTENTSIZE_UNKNOWN ||
      raw_size > (64ull << 20)) {
    return corrupt("bad frame header");
  }
  reader->raw_.resize(static_cast<size_t>(raw_size));
  size_t got;
  if (ddict_) {
    got = ZSTD_decompress_usingDDict(dctx, reader->raw_.data(), reader->raw_.size(),
                                     p_.blob.data() + begin, end - begin,
                                     static_cast<const ZSTD_DDict*>(ddict_));
  } else {
    got = ZSTD_decompressDCtx(dctx, reader->raw_.data(), reader->raw_.size(),
                              p_.blob.data() + begin, end - begin);
  }
  if (ZSTD_isError(got) || got != raw_size) return corrupt("zstd");
  const std::string_view raw = reader->raw_;
  reader->ids_.clear();
  reader->records_.clear();
  size_t pos = 0;
  while (pos < raw.size()) {
    RowReader::Record rec{};
    if (p_.has_ids) {
      uint64_t code;
      if (!GetVarint(raw, &pos, &code)) return corrupt("truncated record");
      std::string_view id;
      std::string next;
      if (code == kNextIdCode) {
        if (reader->records_.empty()) return corrupt("no previous id");
        const auto& prev = reader->records_.back();
        if (!NextId(std::string_view(reader->ids_).substr(prev.id_at, prev.id_len), &next)) {
          return corrupt("previous id has no number");
        }
        id = next;
      } else {
        if (code - 1 > raw.size() - pos) return corrupt("id past the end");
        id = raw.substr(pos, code - 1);
        pos += code - 1;
      }
      rec.id_at = static_cast<uint32_t>(reader->ids_.size());
      rec.id_len = static_cast<uint32_t>(id.size());
      reader->ids_.append(id);
    }
    uint64_t name_len;
    if (!GetVarint(raw, &pos, &name_len) || name_len > raw.size() - pos) {
      return corrupt("name past the end");
    }
    rec.name_at = static_cast<uint32_t>(pos);
    rec.name_len = static_cast<uint32_t>(name_len);
    pos += name_len;
    reader->records_.push_back(rec);
  }
  reader->owner_ = this;
  reader->block_ = block;
  return Status::Ok();
}

Status Haystack::Row(uint32_t r, RowReader* reader, std::string_view* id,
                     std::string_view* name) const {
  const uint64_t block = r / kRowsPerBlock;
  if (reader->owner_ != this || reader->block_ != block) {
    Status s = LoadBlock(block, reader);
    if (!s.ok()) return s;
  }
  const size_t i = r % kRowsPerBlock;
  if (i >= reader->records_.size()) {
    return Status::InvalidInput("row block " + std::to_string(block) + " is corrupt (short)");
  }
  const RowReader::Record& rec = reader->records_[i];
  if (p_.has_ids) {
    *id = std::string_view(reader->ids_).substr(rec.id_at, rec.id_len);
  } else {
    reader->id_ = std::to_string(static_cast<uint64_t>(r) + 1);
    *id = reader->id_;
  }
  *name = std::string_view(reader->raw_).substr(rec.name_at, rec.name_len);
  return Status::Ok();
}

// ---------------------------------------------------------- HaystackBuilder

struct HaystackBuilder::Storage {
  std::string arena;
  std::vector<uint32_t> offsets, first_row, duplicates, group_lengths, group_begins;
  std::vector<uint64_t> dup_bits, block_offsets;
  std::vector<std::pair<uint32_t, uint32_t>> dup_pairs;  // until Finish
  std::string blob, dictionary;
};

HaystackBuilder::HaystackBuilder(Processor processor, NameForm form, bool has_ids,
                                 uint64_t expected_bytes)
    : processor_(processor), form_(form), has_ids_(has_ids), st_(new Storage()) {
  // Reserving address space is free until it is touched, so the arena gets
  // room for the whole input and does not move (no doubling peak).
  if (expected_bytes > 0) st_->arena.reserve(static_cast<size_t>(expected_bytes));
  // Names run 20-40 bytes a row. The per-name arrays reserve room for rows of
  // 12 bytes: reserved pages cost nothing until written, while a regrowth at
  // the end of the build would hold two copies at once. The interning table is
  // written (zeroed) in full, so it is sized for the likely count instead.
  const size_t expected_rows = static_cast<size_t>(expected_bytes / 32);
  const size_t reserved_rows = static_cast<size_t>(expected_bytes / 12);
  st_->offsets.reserve(reserved_rows + 1);
  st_->first_row.reserve(reserved_rows);
  cp_lens_.reserve(reserved_rows);
  st_->blob.reserve(static_cast<size_t>(expected_bytes / 2));
  st_->block_offsets.reserve(expected_rows / Haystack::kRowsPerBlock + 2);
  st_->offsets.push_back(0);
  size_t cap = 1024;
  while (cap * 7 < expected_rows * 10) cap <<= 1;  // load factor <= 0.7
  slots_.assign(cap, 0);
  cctx_ = ZSTD_createCCtx();
  st_->block_offsets.push_back(0);
}

HaystackBuilder::~HaystackBuilder() {
  ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_));
  ZSTD_freeCDict(static_cast<ZSTD_CDict*>(cdict_));
}

std::string_view HaystackBuilder::Processed(uint32_t d) const {
  return std::string_view(st_->arena).substr(st_->offsets[d], st_->offsets[d + 1] - st_->offsets[d]);
}

void HaystackBuilder::Grow() {
  std::vector<uint32_t> bigger(slots_.size() * 2, 0);
  const size_t mask = bigger.size() - 1;
  const auto distinct = static_cast<uint32_t>(st_->first_row.size());
  for (uint32_t d = 0; d < distinct; ++d) {
    const std::string_view s = Processed(d);
    size_t i = XXH3_64bits(s.data(), s.size()) & mask;
    while (bigger[i]) i = (i + 1) & mask;
    bigger[i] = d + 1;
  }
  slots_.swap(bigger);
}

void HaystackBuilder::Intern(std::string_view processed, uint32_t cp_len, uint32_t row) {
  if ((st_->first_row.size() + 1) * 10 > slots_.size() * 7) Grow();
  const size_t mask = slots_.size() - 1;
  size_t i = XXH3_64bits(processed.data(), processed.size()) & mask;
  while (uint32_t v = slots_[i]) {
    const uint32_t d = v - 1;
    if (Processed(d) == processed) {
      st_->dup_pairs.emplace_back(d, row);
      return;
    }
    i = (i + 1) & mask;
  }
  const auto d = static_cast<uint32_t>(st_->first_row.size());
  slots_[i] = d + 1;
  st_->arena.append(processed);
  st_->offsets.push_back(static_cast<uint32_t>(st_->arena.size()));
  cp_lens_.push_back(cp_len);
  st_->first_row.push_back(row);
}

Status HaystackBuilder::Add(std::string_view id, std::string_view name) {
  if (rows_ == UINT32_MAX) {
    return Status::TooLarge("haystack has more than 4294967295 rows");
  }
  ProcessName(processor_, name, &scratch_);
  if (form_ != NameForm::kProcessed) {
    ToNameForm(form_, scratch_, &formed_);
    scratch_.swap(formed_);
  }
  const size_t cp_len = text::CodePointCount(scratch_);
  if (cp_len > kMaxNameCodePoints) {
    return Status::TooLarge("a name is longer than 536870911 code points");
  }
  if (st_->arena.size() + scratch_.size() + Haystack::kArenaPadding > UINT32_MAX) {
    return Status::TooLarge("processed names exceed 4 GiB; split the haystack");
  }
  Intern(scratch_, static_cast<uint32_t>(cp_len), rows_);
  ++rows_;
  if (has_ids_) {
    // A numbered id after the previous one in the block takes one byte.
    if (block_rows_ > 0 && NextId(prev_id_, &next_id_) && next_id_ == id) {
      PutVarint(kNextIdCode, &block_raw_);
    } else {
      PutVarint(id.size() + 1, &block_raw_);
      block_raw_.append(id);
    }
    prev_id_.assign(id);
  }
  PutVarint(name.size(), &block_raw_);
  block_raw_.append(name);
  if (++block_rows_ == Haystack::kRowsPerBlock) FlushBlock();
  return Status::Ok();
}

void HaystackBuilder::CompressBlock(std::string_view raw) {
  std::string& blob = st_->blob;
  const size_t at = blob.size();
  blob.resize(at + ZSTD_compressBound(raw.size()));
  auto* cctx = static_cast<ZSTD_CCtx*>(cctx_);
  size_t n;
  if (cdict_) {
    n = ZSTD_compress_usingCDict(cctx, blob.data() + at, blob.size() - at, raw.data(), raw.size(),
                                 static_cast<const ZSTD_CDict*>(cdict_));
  } else {
    n = ZSTD_compressCCtx(cctx, blob.data() + at, blob.size() - at, raw.data(), raw.size(),
                          kZstdLevel);
  }
  assert(!ZSTD_isError(n));
  blob.resize(at + n);
  st_->block_offsets.push_back(blob.size());
}

void HaystackBuilder::TrainAndFlushPending() {
  dictionary_done_ = true;
  if (pending_sizes_.size() >= 8) {
    std::string dict(kDictionaryBytes, '\0');
    const size_t n =
        ZDICT_trainFromBuffer(dict.data(), dict.size(), pending_raw_.data(), pending_sizes_.data(),
                              static_cast<unsigned>(pending_sizes_.size()));
    if (!ZDICT_isError(n)) {
      dict.resize(n);
      st_->dictionary = std::move(dict);
      cdict_ = ZSTD_createCDict(st_->dictionary.data(), st_->dictionary.size(), kZstdLevel);
    }
    // A failed training (too little or too uniform data) leaves no dictionary:
    // blocks are then compressed on their own, which is only less compact.
  }
  size_t at = 0;
  for (size_t size : pending_sizes_) {
    CompressBlock(std::string_view(pending_raw_).substr(at, size));
    at += size;
  }
  std::string().swap(pending_raw_);
  std::vector<size_t>().swap(pending_sizes_);
}

void HaystackBuilder::FlushBlock() {
  if (block_rows_ == 0) return;
  if (!dictionary_done_) {
    pending_raw_.append(block_raw_);
    pending_sizes_.push_back(block_raw_.size());
    if (pending_raw_.size() >= kTrainBytes) TrainAndFlushPending();
  } else {
    CompressBlock(block_raw_);
  }
  block_raw_.clear();
  block_rows_ = 0;
}

Result<std::unique_ptr<Haystack>> HaystackBuilder::Finish() {
  FlushBlock();
  if (!dictionary_done_) TrainAndFlushPending();
  std::vector<uint32_t>().swap(slots_);
  Storage& st = *st_;
  const auto n = static_cast<uint32_t>(st.first_row.size());
  // Group the distinct names by length (a counting sort keeps first rows
  // ascending within a length) ...
  std::vector<std::pair<uint32_t, uint32_t>> counts;  // (length, count), sorted
  {
    std::vector<uint32_t> lengths(cp_lens_);
    std::sort(lengths.begin(), lengths.end());
    for (uint32_t len : lengths) {
      if (counts.empty() || counts.back().first != len) counts.emplace_back(len, 0);
      ++counts.back().second;
    }
  }
  st.group_lengths.reserve(counts.size());
  st.group_begins.reserve(counts.size() + 1);
  uint32_t at = 0;
  for (const auto& [len, count] : counts) {
    st.group_lengths.push_back(len);
    st.group_begins.push_back(at);
    at += count;
  }
  st.group_begins.push_back(at);
  // ... and renumber them in that order, so each group is a range of ids and
  // a scan reads the arena front to back (measured: ratio on the 4M
  // benchmark ran 1.4x faster than with the names in input order and a
  // separate array of the length order). The arena is copied once; the old
  // one is freed before the smaller arrays are.
  std::vector<uint32_t> old_to_new(n);
  {
    // Within a group, names with like character-count signatures
    // (needle/charsig.h) are put side by side, so that the signature of a
    // block of them (their OR) bounds each closely and a search can rule a
    // whole block out at once (SigBlockOrder).
    std::vector<uint32_t> by_group(n);
    std::vector<uint32_t> next(st.group_begins.begin(), st.group_begins.end() - 1);
    for (uint32_t d = 0; d < n; ++d) {
      const size_t g = static_cast<size_t>(
          std::lower_bound(st.group_lengths.begin(), st.group_lengths.end(), cp_lens_[d]) -
          st.group_lengths.begin());
      by_group[next[g]++] = d;
    }
    std::vector<CharSig> sigs(n);
    for (uint32_t d = 0; d < n; ++d) {
      sigs[d] = MakeCharSig(
          std::string_view(st.arena).substr(st.offsets[d], st.offsets[d + 1] - st.offsets[d]));
    }
    for (size_t g = 0; g < st.group_lengths.size(); ++g) {
      SigBlockOrder(std::span<const CharSig>(sigs),
                    std::span<uint32_t>(by_group.data() + st.group_begins[g],
                                        st.group_begins[g + 1] - st.group_begins[g]),
                    st.group_begins[g] % kSigBlock);
    }
    for (uint32_t i = 0; i < n; ++i) old_to_new[by_group[i]] = i;
  }
  std::vector<uint32_t>().swap(cp_lens_);
  {
    std::vector<uint32_t> new_to_old(n);
    for (uint32_t d = 0; d < n; ++d) new_to_old[old_to_new[d]] = d;
    std::string arena;
    arena.reserve(st.arena.size() + Haystack::kArenaPadding);
    std::vector<uint32_t> offsets(static_cast<size_t>(n) + 1);
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t d = new_to_old[i];
      offsets[i] = static_cast<uint32_t>(arena.size());
      arena.append(st.arena, st.offsets[d], st.offsets[d + 1] - st.offsets[d]);
    }
    offsets[n] = static_cast<uint32_t>(arena.size());
    std::string().swap(st.arena);
    st.arena.swap(arena);
    st.offsets.swap(offsets);
    std::vector<uint32_t>().swap(offsets);
    std::vector<uint32_t> first_row(n);
    for (uint32_t i = 0; i < n; ++i) first_row[i] = st.first_row[new_to_old[i]];
    st.first_row.swap(first_row);
  }
  // Padding after the last name, for kernels that load whole words.
  st.arena.append(Haystack::kArenaPadding, '\0');
  // Duplicates were appended in row order; a stable sort by (new) distinct id
  // keeps each name's rows ascending.
  for (auto& pair : st.dup_pairs) pair.first = old_to_new[pair.first];
  std::vector<uint32_t>().swap(old_to_new);
  std::stable_sort(st.dup_pairs.begin(), st.dup_pairs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  st.dup_bits.assign((n + 63) / 64, 0);
  st.duplicates.reserve(st.dup_pairs.size() * 2);
  for (const auto& [d, row] : st.dup_pairs) {
    st.dup_bits[d >> 6] |= 1ull << (d & 63);
    st.duplicates.push_back(d);
    st.duplicates.push_back(row);
  }
  std::vector<std::pair<uint32_t, uint32_t>>().swap(st.dup_pairs);

  HaystackParts parts;
  parts.processor = processor_;
  parts.form = form_;
  parts.rows = rows_;
  parts.has_ids = has_ids_;
  parts.arena = st.arena;
  parts.offsets = st.offsets;
  parts.first_row = st.first_row;
  parts.dup_bits = st.dup_bits;
  parts.duplicates = st.duplicates;
  parts.group_lengths = st.group_lengths;
  parts.group_begins = st.group_begins;
  parts.blob = st.blob;
  parts.block_offsets = st.block_offsets;
  parts.dictionary = st.dictionary;
  std::shared_ptr<const Storage> owner(st_.release());
  return std::make_unique<Haystack>(parts, std::move(owner));
}

Result<std::unique_ptr<Haystack>> LoadHaystack(TableReader& table, Processor processor,
                                               NameForm form,
                                               const std::function<void(uint64_t)>& progress) {
  HaystackBuilder builder(processor, form, table.has_id_column(), table.size_bytes());
  TableRecord rec;
  bool eof = false;
  for (uint64_t n = 0;; ++n) {
    Status s = table.Next(&rec, &eof);
    if (!s.ok()) return s;
    if (eof) break;
    s = builder.Add(rec.id, rec.name);
    if (!s.ok())
      return Status(Status::TooLarge(table.display_name() + ":" + std::to_string(rec.line) + ": " +
                                     s.message()));
    if (progress && (n & 0xFFFF) == 0) progress(n);
  }
  if (builder.rows() == 0) {
    return Status::InvalidInput(table.display_name() + ": the haystack has no data rows");
  }
  return builder.Finish();
}

}  // namespace needle
