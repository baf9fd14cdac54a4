// The haystack store: interned processed names in one arena, original rows in
// zstd-compressed blocks. See needle/haystack.h for the layout.
#include "needle/haystack.h"

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "text/utf8.h"

namespace needle {

namespace {
constexpr int kZstdLevel = 3;
constexpr size_t kTrainBytes = 2 << 20;  // raw rows sampled for the dictionary
constexpr size_t kDictionaryBytes = 32 << 10;

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

uint64_t GetVarint(const std::string& s, size_t* pos) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    auto b = static_cast<unsigned char>(s[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
}
}  // namespace

// ---------------------------------------------------------------- RowReader

RowReader::RowReader() : dctx_(ZSTD_createDCtx()) {}
RowReader::~RowReader() { ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(dctx_)); }

// ---------------------------------------------------------------- Haystack

Haystack::~Haystack() { ZSTD_freeDDict(static_cast<ZSTD_DDict*>(ddict_)); }

size_t Haystack::MemoryBytes() const {
  // Sizes, not capacities: reserved but unwritten pages take no memory.
  return arena_.size() + offsets_.size() * 4 + meta_.size() * 4 + first_row_.size() * 4 +
         duplicates_.size() * 8 + blob_.size() + block_offsets_.size() * 8 + dictionary_.size() +
         (by_length_.size() + group_lengths_.size() + group_begins_.size()) * 4;
}

void Haystack::ForEachDuplicate(uint32_t d, const std::function<void(uint32_t)>& f) const {
  auto it = std::lower_bound(duplicates_.begin(), duplicates_.end(), std::make_pair(d, 0u));
  for (; it != duplicates_.end() && it->first == d; ++it) f(it->second);
}

void Haystack::Row(uint32_t r, RowReader* reader, std::string_view* id,
                   std::string_view* name) const {
  const uint64_t block = r / kRowsPerBlock;
  if (reader->owner_ != this || reader->block_ != block) {
    const uint64_t begin = block_offsets_[block], end = block_offsets_[block + 1];
    auto* dctx = static_cast<ZSTD_DCtx*>(reader->dctx_);
    const unsigned long long raw_size = ZSTD_getFrameContentSize(blob_.data() + begin, end - begin);
    reader->raw_.resize(static_cast<size_t>(raw_size));
    size_t got;
    if (ddict_) {
      got = ZSTD_decompress_usingDDict(dctx, reader->raw_.data(), reader->raw_.size(),
                                       blob_.data() + begin, end - begin,
                                       static_cast<const ZSTD_DDict*>(ddict_));
    } else {
      got = ZSTD_decompressDCtx(dctx, reader->raw_.data(), reader->raw_.size(),
                                blob_.data() + begin, end - begin);
    }
    // The blob was written by this process; a failure here is a bug, not input.
    assert(!ZSTD_isError(got) && got == raw_size);
    (void)got;
    reader->starts_.clear();
    size_t pos = 0;
    while (pos < reader->raw_.size()) {
      reader->starts_.push_back(static_cast<uint32_t>(pos));
      pos += GetVarint(reader->raw_, &pos);
      pos += GetVarint(reader->raw_, &pos);
    }
    reader->owner_ = this;
    reader->block_ = block;
  }
  size_t pos = reader->starts_[r % kRowsPerBlock];
  const size_t id_len = GetVarint(reader->raw_, &pos);
  if (has_ids_) {
    *id = std::string_view(reader->raw_).substr(pos, id_len);
  } else {
    reader->id_ = std::to_string(static_cast<uint64_t>(r) + 1);
    *id = reader->id_;
  }
  pos += id_len;
  const size_t name_len = GetVarint(reader->raw_, &pos);
  *name = std::string_view(reader->raw_).substr(pos, name_len);
}

// ---------------------------------------------------------- HaystackBuilder

HaystackBuilder::HaystackBuilder(Processor processor, NameForm form, bool has_ids,
                                 uint64_t expected_bytes)
    : hay_(new Haystack()) {
  hay_->processor_ = processor;
  hay_->form_ = form;
  hay_->has_ids_ = has_ids;
  // Reserving address space is free until it is touched, so the arena gets
  // room for the whole input and does not move (no doubling peak).
  if (expected_bytes > 0) hay_->arena_.reserve(static_cast<size_t>(expected_bytes));
  // Names run 20-40 bytes a row. The per-name arrays reserve room for rows of
  // 12 bytes: reserved pages cost nothing until written, while a regrowth at
  // the end of the build would hold two copies at once. The interning table is
  // written (zeroed) in full, so it is sized for the likely count instead.
  const size_t expected_rows = static_cast<size_t>(expected_bytes / 32);
  const size_t reserved_rows = static_cast<size_t>(expected_bytes / 12);
  hay_->offsets_.reserve(reserved_rows + 1);
  hay_->meta_.reserve(reserved_rows);
  hay_->first_row_.reserve(reserved_rows);
  hay_->blob_.reserve(static_cast<size_t>(expected_bytes / 2));
  hay_->block_offsets_.reserve(expected_rows / Haystack::kRowsPerBlock + 2);
  hay_->offsets_.push_back(0);
  size_t cap = 1024;
  while (cap * 7 < expected_rows * 10) cap <<= 1;  // load factor <= 0.7
  slots_.assign(cap, 0);
  cctx_ = ZSTD_createCCtx();
  hay_->block_offsets_.push_back(0);
}

HaystackBuilder::~HaystackBuilder() {
  ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_));
  ZSTD_freeCDict(static_cast<ZSTD_CDict*>(cdict_));
}

void HaystackBuilder::Grow() {
  std::vector<uint32_t> bigger(slots_.size() * 2, 0);
  const size_t mask = bigger.size() - 1;
  for (uint32_t d = 0; d < hay_->distinct(); ++d) {
    const std::string_view s = hay_->processed(d);
    size_t i = XXH3_64bits(s.data(), s.size()) & mask;
    while (bigger[i]) i = (i + 1) & mask;
    bigger[i] = d + 1;
  }
  slots_.swap(bigger);
}

void HaystackBuilder::Intern(std::string_view processed, uint32_t row) {
  if ((hay_->distinct() + 1) * 10 > slots_.size() * 7) Grow();
  const size_t mask = slots_.size() - 1;
  size_t i = XXH3_64bits(processed.data(), processed.size()) & mask;
  while (uint32_t v = slots_[i]) {
    const uint32_t d = v - 1;
    if (hay_->processed(d) == processed) {
      hay_->meta_[d] |= Haystack::kDupBit;
      hay_->duplicates_.emplace_back(d, row);
      return;
    }
    i = (i + 1) & mask;
  }
  const auto d = static_cast<uint32_t>(hay_->first_row_.size());
  slots_[i] = d + 1;
  hay_->arena_.append(processed);
  hay_->offsets_.push_back(static_cast<uint32_t>(hay_->arena_.size()));
  uint32_t meta = static_cast<uint32_t>(text::CodePointCount(processed));
  if (text::IsAscii(processed)) meta |= Haystack::kAsciiBit;
  hay_->meta_.push_back(meta);
  hay_->first_row_.push_back(row);
}

Status HaystackBuilder::Add(std::string_view id, std::string_view name) {
  if (hay_->rows_ == UINT32_MAX) {
    return Status::TooLarge("haystack has more than 4294967295 rows");
  }
  ProcessName(hay_->processor_, name, &scratch_);
  if (hay_->form_ != NameForm::kProcessed) {
    ToNameForm(hay_->form_, scratch_, &formed_);
    scratch_.swap(formed_);
  }
  if (text::CodePointCount(scratch_) > Haystack::kLenMask) {
    return Status::TooLarge("a name is longer than 536870911 code points");
  }
  if (hay_->arena_.size() + scratch_.size() > UINT32_MAX) {
    return Status::TooLarge("processed names exceed 4 GiB; split the haystack");
  }
  Intern(scratch_, hay_->rows_);
  ++hay_->rows_;
  PutVarint(hay_->has_ids_ ? id.size() : 0, &block_raw_);
  if (hay_->has_ids_) block_raw_.append(id);
  PutVarint(name.size(), &block_raw_);
  block_raw_.append(name);
  if (++block_rows_ == Haystack::kRowsPerBlock) FlushBlock();
  return Status::Ok();
}

void HaystackBuilder::CompressBlock(std::string_view raw) {
  std::string& blob = hay_->blob_;
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
  hay_->block_offsets_.push_back(blob.size());
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
      hay_->dictionary_ = std::move(dict);
      cdict_ = ZSTD_createCDict(hay_->dictionary_.data(), hay_->dictionary_.size(), kZstdLevel);
      hay_->ddict_ = ZSTD_createDDict(hay_->dictionary_.data(), hay_->dictionary_.size());
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
  // Padding after the last name, for kernels that load whole words.
  hay_->arena_.append(Haystack::kArenaPadding, '\0');
  // Duplicates were appended in row order; a stable sort by distinct id keeps
  // each name's rows ascending.
  std::stable_sort(hay_->duplicates_.begin(), hay_->duplicates_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  hay_->duplicates_.shrink_to_fit();
  // Group the distinct names by length (a counting sort keeps ids ascending
  // within a length).
  Haystack& h = *hay_;
  const uint32_t n = h.distinct();
  std::vector<std::pair<uint32_t, uint32_t>> counts;  // (length, count), sorted
  {
    std::vector<uint32_t> lengths(n);
    for (uint32_t d = 0; d < n; ++d) lengths[d] = h.cp_len(d);
    std::sort(lengths.begin(), lengths.end());
    for (uint32_t len : lengths) {
      if (counts.empty() || counts.back().first != len) counts.emplace_back(len, 0);
      ++counts.back().second;
    }
  }
  h.group_lengths_.reserve(counts.size());
  h.group_begins_.reserve(counts.size() + 1);
  uint32_t at = 0;
  for (const auto& [len, count] : counts) {
    h.group_lengths_.push_back(len);
    h.group_begins_.push_back(at);
    at += count;
  }
  h.group_begins_.push_back(at);
  std::vector<uint32_t> next(h.group_begins_.begin(), h.group_begins_.end() - 1);
  h.by_length_.resize(n);
  for (uint32_t d = 0; d < n; ++d) {
    const size_t g = static_cast<size_t>(
        std::lower_bound(h.group_lengths_.begin(), h.group_lengths_.end(), h.cp_len(d)) -
        h.group_lengths_.begin());
    h.by_length_[next[g]++] = d;
  }
  return std::move(hay_);
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
