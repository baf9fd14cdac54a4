// The index file: the one place that encodes and decodes it. Layout in
// needle/index.h and docs/format.md.
#include "needle/index.h"

#include "needle/grams.h"

#define XXH_INLINE_ALL
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "text/utf8.h"

namespace needle {

static_assert(std::endian::native == std::endian::little,
              "the index file is little-endian and read in place");

namespace {

constexpr size_t kHeaderBytes = 64;
constexpr size_t kEntryBytes = 32;
constexpr size_t kMetaBytes = 64;
constexpr size_t kAlign = 64;
constexpr uint32_t kRequired = 1;
constexpr uint32_t kMaxSections = 4096;

// Header fields (byte offsets).
constexpr size_t kVersionAt = 8, kMinorAt = 12, kFileSizeAt = 16, kTableAt = 24, kCountAt = 32,
                 kTableSumAt = 40, kHeaderSumAt = 48;
// Meta section fields.
constexpr size_t kProcessorAt = 0, kFormAt = 4, kRowsAt = 8, kDistinctAt = 12, kGroupsAt = 16,
                 kHasIdsAt = 20, kRowsPerBlockAt = 24, kPaddingAt = 28, kDupPairsAt = 32,
                 kBlocksAt = 40, kUnicodeAt = 48;  // 16 bytes, NUL padded

// The sections this version reads: the first kRequiredSections always there
// and required, then two optional groups, each all or nothing: the bigram
// index (GRMO offsets, GRMP postings) and the token index (TOKO/TOKP token
// lists, TSTO/TSTP set lists; needle/tokens.h).
enum SectionId {
  kMeta, kName, kNoff, kFrow, kDupb, kDups, kGlen, kGbeg, kRows, kBoff, kDict,
  kGrmo, kGrmp, kToko, kTokp, kTsto, kTstp, kCount
};
constexpr int kRequiredSections = kGrmo;
constexpr const char* kTags[kCount] = {"META", "NAME", "NOFF", "FROW", "DUPB", "DUPS",
                                       "GLEN", "GBEG", "ROWS", "BOFF", "DICT", "GRMO",
                                       "GRMP", "TOKO", "TOKP", "TSTO", "TSTP"};

uint32_t TagValue(const char* tag) {
  uint32_t v;
  std::memcpy(&v, tag, 4);
  return v;
}

void PutU32(std::string* s, size_t at, uint32_t v) { std::memcpy(s->data() + at, &v, 4); }
void PutU64(std::string* s, size_t at, uint64_t v) { std::memcpy(s->data() + at, &v, 8); }
uint32_t GetU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
uint64_t AlignUp(uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

// The header's checksum: XXH3-64 of its 64 bytes with the checksum field
// (bytes 48-55) taken as zero, so every other byte, reserved ones included,
// is covered.
uint64_t HeaderChecksum(const char* header) {
  char copy[kHeaderBytes];
  std::memcpy(copy, header, kHeaderBytes);
  std::memset(copy + kHeaderSumAt, 0, 8);
  return XXH3_64bits(copy, kHeaderBytes);
}

template <typename T>
std::span<const T> View(std::span<const char> bytes) {
  return {reinterpret_cast<const T*>(bytes.data()), bytes.size() / sizeof(T)};
}

// ------------------------------------------------------------------ writing

// Emits a section's bytes in chunks.
using Emit = std::function<void(std::string_view)>;
using Producer = std::function<void(const Emit&)>;

template <typename T>
Producer CopyOf(std::span<const T> v) {
  return [v](const Emit& emit) {
    emit(std::string_view(reinterpret_cast<const char*>(v.data()), v.size_bytes()));
  };
}

class FileWriter {
 public:
  ~FileWriter() {
    if (f_) std::fclose(f_);
    if (!committed_ && !tmp_.empty()) std::remove(tmp_.c_str());
  }
  Status Open(const std::string& path) {
    path_ = path;
    tmp_ = path + ".tmp-" + std::to_string(::getpid());
    f_ = std::fopen(tmp_.c_str(), "wb");
    if (!f_) return Status::IoError(path + ": cannot write: " + std::strerror(errno));
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
    return Status::Ok();
  }
  void Write(std::string_view s) {
    if (failed_ || s.empty()) return;
    if (std::fwrite(s.data(), 1, s.size(), f_) != s.size()) {
      failed_ = true;
      errno_ = errno;
    }
    written_ += s.size();
  }
  uint64_t written() const { return written_; }
  Status Commit() {
    const int rc = std::fclose(f_);
    f_ = nullptr;
    if (failed_ || rc != 0) {
      return Status::IoError(path_ + ": write failed: " + std::strerror(failed_ ? errno_ : errno));
    }
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      return Status::IoError(path_ + ": cannot rename the finished file into place: " +
                             std::strerror(errno));
    }
    committed_ = true;
    return Status::Ok();
  }

 private:
  std::string path_, tmp_;
  std::FILE* f_ = nullptr;
  bool failed_ = false, committed_ = false;
  int errno_ = 0;
  uint64_t written_ = 0;
};

}  // namespace

Status WriteIndex(const Haystack& hay, const std::string& path,
                  const std::function<void(uint64_t)>& progress) {
  const HaystackParts& p = hay.parts();
  const uint32_t n = hay.distinct();
  const auto groups = static_cast<uint32_t>(p.group_lengths.size());
  const uint64_t blocks = p.block_offsets.size() - 1;
  std::span<const uint32_t> dups = p.duplicates;  // (name, row) pairs
  std::string meta(kMetaBytes, '\0');
  PutU32(&meta, kProcessorAt, static_cast<uint32_t>(p.processor));
  PutU32(&meta, kFormAt, static_cast<uint32_t>(p.form));
  PutU32(&meta, kRowsAt, p.rows);
  PutU32(&meta, kDistinctAt, n);
  PutU32(&meta, kGroupsAt, groups);
  PutU32(&meta, kHasIdsAt, p.has_ids ? 1 : 0);
  PutU32(&meta, kRowsPerBlockAt, Haystack::kRowsPerBlock);
  PutU32(&meta, kPaddingAt, static_cast<uint32_t>(Haystack::kArenaPadding));
  PutU64(&meta, kDupPairsAt, dups.size() / 2);
  PutU64(&meta, kBlocksAt, blocks);
  const std::string unicode = ProcessorVersion(p.processor);
  std::memcpy(meta.data() + kUnicodeAt, unicode.data(), std::min<size_t>(unicode.size(), 15));

  Producer producers[kCount];
  producers[kMeta] = [&](const Emit& emit) { emit(meta); };
  producers[kName] = CopyOf(p.arena);
  producers[kNoff] = CopyOf(p.offsets);
  producers[kFrow] = CopyOf(p.first_row);
  producers[kDupb] = CopyOf(p.dup_bits);
  producers[kDups] = CopyOf(p.duplicates);
  producers[kGlen] = CopyOf(p.group_lengths);
  producers[kGbeg] = CopyOf(p.group_begins);
  producers[kRows] = CopyOf(p.blob);
  producers[kBoff] = CopyOf(p.block_offsets);
  producers[kDict] = CopyOf(p.dictionary);
  producers[kGrmo] = CopyOf(p.gram_offsets);
  producers[kGrmp] = CopyOf(p.gram_postings);
  producers[kToko] = CopyOf(p.token_offsets);
  producers[kTokp] = CopyOf(p.token_postings);
  producers[kTsto] = CopyOf(p.set_offsets);
  producers[kTstp] = CopyOf(p.set_postings);
  std::vector<int> ids;  // the sections written, in file order
  for (int s = 0; s < kRequiredSections; ++s) ids.push_back(s);
  if (hay.has_grams()) ids.insert(ids.end(), {kGrmo, kGrmp});
  if (hay.has_tokens()) ids.insert(ids.end(), {kToko, kTokp, kTsto, kTstp});
  const auto sections = static_cast<int>(ids.size());

  // Pass 1: sizes and checksums, hence the layout.
  std::string table(sections * kEntryBytes, '\0');
  uint64_t at = kHeaderBytes;
  uint64_t offsets[kCount];
  for (int i = 0; i < sections; ++i) {
    const int s = ids[static_cast<size_t>(i)];
    XXH3_state_t* state = XXH3_createState();
    XXH3_64bits_reset(state);
    uint64_t size = 0;
    producers[s]([&](std::string_view chunk) {
      XXH3_64bits_update(state, chunk.data(), chunk.size());
      size += chunk.size();
    });
    const uint64_t sum = XXH3_64bits_digest(state);
    XXH3_freeState(state);
    at = AlignUp(at);
    offsets[s] = at;
    std::memcpy(table.data() + i * kEntryBytes, kTags[s], 4);
    PutU32(&table, i * kEntryBytes + 4, s < kRequiredSections ? kRequired : 0);
    PutU64(&table, i * kEntryBytes + 8, at);
    PutU64(&table, i * kEntryBytes + 16, size);
    PutU64(&table, i * kEntryBytes + 24, sum);
    at += size;
  }
  const uint64_t table_at = AlignUp(at);
  const uint64_t file_size = table_at + table.size();
  std::string header(kHeaderBytes, '\0');
  std::memcpy(header.data(), kIndexMagic, 8);
  PutU32(&header, kVersionAt, kIndexVersion);
  PutU32(&header, kMinorAt, 0);
  PutU64(&header, kFileSizeAt, file_size);
  PutU64(&header, kTableAt, table_at);
  PutU32(&header, kCountAt, static_cast<uint32_t>(sections));
  PutU64(&header, kTableSumAt, XXH3_64bits(table.data(), table.size()));
  PutU64(&header, kHeaderSumAt, HeaderChecksum(header.data()));

  // Pass 2: write.
  FileWriter out;
  Status st = out.Open(path);
  if (!st.ok()) return st;
  out.Write(header);
  uint64_t last_report = 0;
  const std::string zeros(kAlign, '\0');
  for (int s : ids) {
    out.Write(std::string_view(zeros).substr(0, offsets[s] - out.written()));
    producers[s]([&](std::string_view chunk) {
      out.Write(chunk);
      if (progress && out.written() - last_report >= (1u << 20)) {
        last_report = out.written();
        progress(last_report);
      }
    });
  }
  out.Write(std::string_view(zeros).substr(0, table_at - out.written()));
  out.Write(table);
  if (out.written() != file_size) return Status::IoError(path + ": internal error: index layout mismatch");
  return out.Commit();
}

// ------------------------------------------------------------------ reading

namespace {
struct Mapping {
  void* addr = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (addr) ::munmap(addr, size);
  }
};
}  // namespace

bool LooksLikeIndex(std::span<const char> bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kIndexMagic, 8) == 0;
}

bool IsIndexFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char magic[8];
  const ssize_t got = ::pread(fd, magic, sizeof magic, 0);
  ::close(fd);
  return got == 8 && LooksLikeIndex(magic);
}

Index::~Index() = default;

Result<std::unique_ptr<Index>> Index::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  struct stat sb;
  if (::fstat(fd, &sb) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::IoError(path + ": cannot stat: " + std::strerror(e));
  }
  if (S_ISDIR(sb.st_mode)) {
    ::close(fd);
    return Status::InvalidInput(path + ": is a directory, not an index file");
  }
  if (!S_ISREG(sb.st_mode)) {
    ::close(fd);
    return Status::InvalidInput(path + ": not a regular file (an index must be mapped)");
  }
  if (sb.st_size == 0) {
    ::close(fd);
    return Status::InvalidInput(path + ": empty file, not an index");
  }
  auto mapping = std::make_shared<Mapping>();
  mapping->size = static_cast<size_t>(sb.st_size);
  void* addr = ::mmap(nullptr, mapping->size, PROT_READ, MAP_SHARED, fd, 0);
  const int e = errno;
  ::close(fd);
  if (addr == MAP_FAILED) return Status::IoError(path + ": cannot map: " + std::strerror(e));
  mapping->addr = addr;
  const std::span<const char> bytes(static_cast<const char*>(addr), mapping->size);
  return FromBytes(bytes, path, mapping);
}

Result<std::unique_ptr<Index>> Index::FromBytes(std::span<const char> bytes,
                                                const std::string& display_name,
                                                std::shared_ptr<const void> owner) {
  std::unique_ptr<Index> index(new Index());
  index->name_ = display_name;
  index->bytes_ = bytes;
  index->owner_ = std::move(owner);
  Status s = index->Parse();
  if (!s.ok()) return s;
  return index;
}

Status Index::Parse() {
  const auto bad = [&](const std::string& what) {
    return Status::InvalidInput(name_ + ": " + what);
  };
  const char* b = bytes_.data();
  const uint64_t size = bytes_.size();
  if (size == 0) return bad("empty file, not an index");
  if (size < 8 || std::memcmp(b, kIndexMagic, 8) != 0) {
    return bad("not a needle index (no NEEDLEIX magic; build one with needle index)");
  }
  if (size < kHeaderBytes) return bad("truncated: " + std::to_string(size) + " bytes, no header");
  if (reinterpret_cast<uintptr_t>(b) % 8 != 0) return bad("bytes are not 8-byte aligned");
  if (GetU64(b + kHeaderSumAt) != HeaderChecksum(b)) {
    return bad("header checksum mismatch (the file is damaged)");
  }
  version_ = GetU32(b + kVersionAt);
  if (version_ > kIndexVersion) {
    return bad("index format version " + std::to_string(version_) +
               " is newer than this needle reads (" + std::to_string(kIndexVersion) +
               "); upgrade needle or rebuild the index");
  }
  if (version_ == 0) return bad("index format version 0 is not valid");
  const uint64_t file_size = GetU64(b + kFileSizeAt);
  if (file_size != size) {
    return bad(file_size > size ? "truncated: the header says " + std::to_string(file_size) +
                                      " bytes, the file has " + std::to_string(size)
                                : "the header says " + std::to_string(file_size) +
                                      " bytes, the file has " + std::to_string(size) +
                                      " (trailing bytes)");
  }
  const uint64_t table_at = GetU64(b + kTableAt);
  const uint32_t count = GetU32(b + kCountAt);
  if (count > kMaxSections || table_at < kHeaderBytes || table_at % 8 != 0 || table_at > size ||
      (size - table_at) / kEntryBytes < count) {
    return bad("the section table lies outside the file");
  }
  if (GetU64(b + kTableSumAt) != XXH3_64bits(b + table_at, count * kEntryBytes)) {
    return bad("section table checksum mismatch (the file is damaged)");
  }
  std::span<const char> found[kCount];
  bool have[kCount] = {};
  for (uint32_t i = 0; i < count; ++i) {
    const char* e = b + table_at + i * kEntryBytes;
    Section sec;
    sec.tag.assign(e, 4);
    sec.flags = GetU32(e + 4);
    sec.offset = GetU64(e + 8);
    sec.size = GetU64(e + 16);
    sec.checksum = GetU64(e + 24);
    std::string shown;
    for (char c : sec.tag) shown += (c >= 0x20 && c < 0x7F) ? c : '?';
    if (sec.offset % kAlign != 0 || sec.offset < kHeaderBytes || sec.offset > table_at ||
        sec.size > table_at - sec.offset) {
      return bad("section " + shown + " lies outside the file");
    }
    for (int s = 0; s < kCount; ++s) {
      if (GetU32(e) != TagValue(kTags[s])) continue;
      if (have[s]) return bad("section " + shown + " appears twice");
      have[s] = true;
      sec.known = true;
      found[s] = bytes_.subspan(sec.offset, sec.size);
    }
    if (!sec.known && (sec.flags & kRequired)) {
      return bad("section " + shown + " is required but unknown to this needle; upgrade needle");
    }
    sections_.push_back(sec);
  }
  for (int s = 0; s < kRequiredSections; ++s) {
    if (!have[s]) return bad(std::string("section ") + kTags[s] + " is missing");
  }
  if (have[kGrmo] != have[kGrmp]) return bad("sections GRMO and GRMP come together");
  if (have[kToko] != have[kTokp] || have[kToko] != have[kTsto] || have[kToko] != have[kTstp]) {
    return bad("sections TOKO, TOKP, TSTO and TSTP come together");
  }
  // Sections may not overlap (Verify checks that the gaps are zero padding).
  for (const Section& sec : sections_) spans_.emplace_back(sec.offset, sec.offset + sec.size);
  std::sort(spans_.begin(), spans_.end());
  for (size_t i = 1; i < spans_.size(); ++i) {
    if (spans_[i].first < spans_[i - 1].second) return bad("two sections overlap");
  }
  table_at_ = table_at;
  if (found[kMeta].size() != kMetaBytes) return bad("section META has the wrong size");
  const char* m = found[kMeta].data();
  const uint32_t processor = GetU32(m + kProcessorAt), form = GetU32(m + kFormAt);
  const uint32_t rows = GetU32(m + kRowsAt), distinct = GetU32(m + kDistinctAt);
  const uint32_t groups = GetU32(m + kGroupsAt), has_ids = GetU32(m + kHasIdsAt);
  const uint64_t dup_pairs = GetU64(m + kDupPairsAt), blocks = GetU64(m + kBlocksAt);
  if (processor > static_cast<uint32_t>(Processor::kName)) return bad("unknown processor");
  if (form > static_cast<uint32_t>(NameForm::kSortedTokenSet)) return bad("unknown name form");
  if (has_ids > 1) return bad("META: bad has_ids flag");
  if (GetU32(m + kRowsPerBlockAt) != Haystack::kRowsPerBlock ||
      GetU32(m + kPaddingAt) != Haystack::kArenaPadding) {
    return bad("META: unsupported block size or padding");
  }
  if (rows == 0 || distinct == 0 || distinct > rows || groups == 0 || groups > distinct) {
    return bad("META: inconsistent counts");
  }
  if (blocks != (static_cast<uint64_t>(rows) + Haystack::kRowsPerBlock - 1) /
                    Haystack::kRowsPerBlock ||
      dup_pairs != rows - distinct) {
    return bad("META: inconsistent row counts");
  }
  const auto expect = [&](int s, uint64_t bytes) -> bool { return found[s].size() == bytes; };
  if (!expect(kNoff, (distinct + 1ull) * 4) || !expect(kFrow, distinct * 4ull) ||
      !expect(kDupb, (distinct + 63ull) / 64 * 8) || !expect(kDups, dup_pairs * 8) ||
      !expect(kGlen, groups * 4ull) || !expect(kGbeg, (groups + 1ull) * 4) ||
      !expect(kBoff, (blocks + 1) * 8) || found[kName].size() < Haystack::kArenaPadding ||
      found[kName].size() > UINT32_MAX) {
    return bad("a section's size does not match the counts in META");
  }
  char unicode[16] = {};
  std::memcpy(unicode, m + kUnicodeAt, 15);
  unicode_version_ = unicode;

  HaystackParts parts;
  parts.processor = static_cast<Processor>(processor);
  parts.form = static_cast<NameForm>(form);
  parts.rows = rows;
  parts.has_ids = has_ids == 1;
  parts.arena = found[kName];
  parts.offsets = View<uint32_t>(found[kNoff]);
  parts.first_row = View<uint32_t>(found[kFrow]);
  parts.dup_bits = View<uint64_t>(found[kDupb]);
  parts.duplicates = View<uint32_t>(found[kDups]);
  parts.group_lengths = View<uint32_t>(found[kGlen]);
  parts.group_begins = View<uint32_t>(found[kGbeg]);
  parts.blob = found[kRows];
  parts.block_offsets = View<uint64_t>(found[kBoff]);
  parts.dictionary = found[kDict];
  if (have[kGrmo]) {
    if (found[kGrmo].size() != (kGramKeys + 1ull) * 8 || found[kGrmp].size() % 4 != 0) {
      return bad("sections GRMO/GRMP have the wrong size");
    }
    parts.gram_offsets = View<uint64_t>(found[kGrmo]);
    parts.gram_postings = View<uint32_t>(found[kGrmp]);
    if (parts.gram_offsets.front() != 0 ||
        parts.gram_offsets.back() != parts.gram_postings.size()) {
      return bad("section GRMO does not span section GRMP");
    }
  }
  if (have[kToko]) {
    // Each table: a power of two buckets, offsets spanning the postings.
    auto lists = [&](int off, int post, std::span<const uint32_t>* offsets,
                     std::span<const uint32_t>* postings) {
      const uint64_t buckets = found[off].size() / 4 - 1;
      if (found[off].size() % 4 != 0 || found[off].size() < 8 || !std::has_single_bit(buckets) ||
          found[post].size() % 4 != 0) {
        return false;
      }
      *offsets = View<uint32_t>(found[off]);
      *postings = View<uint32_t>(found[post]);
      return offsets->front() == 0 && offsets->back() == postings->size();
    };
    if (!lists(kToko, kTokp, &parts.token_offsets, &parts.token_postings)) {
      return bad("sections TOKO/TOKP have the wrong size or do not span each other");
    }
    if (!lists(kTsto, kTstp, &parts.set_offsets, &parts.set_postings)) {
      return bad("sections TSTO/TSTP have the wrong size or do not span each other");
    }
  }
  // O(1) spot checks of the ends of the arrays.
  if (parts.offsets.front() != 0 ||
      parts.offsets.back() != parts.arena.size() - Haystack::kArenaPadding) {
    return bad("section NOFF does not span section NAME");
  }
  if (parts.group_begins.front() != 0 || parts.group_begins.back() != distinct) {
    return bad("section GBEG does not span the names");
  }
  if (parts.block_offsets.front() != 0 || parts.block_offsets.back() != parts.blob.size()) {
    return bad("section BOFF does not span section ROWS");
  }
  haystack_ = std::make_unique<Haystack>(parts, owner_);
  return Status::Ok();
}

Status Index::Verify(bool checksums) const {
  const auto bad = [&](const std::string& what) {
    return Status::InvalidInput(name_ + ": " + what);
  };
  if (checksums) {
    for (const Section& s : sections_) {
      if (XXH3_64bits(bytes_.data() + s.offset, s.size) != s.checksum) {
        return bad("section " + s.tag + " checksum mismatch (the file is damaged)");
      }
    }
  }
  // Every byte outside the header, the sections and the table is zero
  // padding.
  {
    uint64_t at = kHeaderBytes;
    auto spans = spans_;
    spans.emplace_back(table_at_, table_at_);
    for (const auto& [begin, end] : spans) {
      for (; at < begin; ++at) {
        if (bytes_[at] != 0) return bad("padding at byte " + std::to_string(at) + " is not zero");
      }
      at = std::max(at, end);
    }
  }
  const HaystackParts& p = haystack_->parts();
  const uint32_t n = haystack_->distinct();
  // Names: offsets ascending; each name valid UTF-8 with its group's length,
  // groups ascending; the padding zero.
  for (uint32_t d = 0; d < n; ++d) {
    if (p.offsets[d] > p.offsets[d + 1]) return bad("section NOFF is not ascending");
  }
  for (size_t i = p.arena.size() - Haystack::kArenaPadding; i < p.arena.size(); ++i) {
    if (p.arena[i] != 0) return bad("section NAME: padding is not zero");
  }
  for (size_t g = 0; g < p.group_lengths.size(); ++g) {
    if (p.group_begins[g] > p.group_begins[g + 1] ||
        (g > 0 && p.group_lengths[g - 1] >= p.group_lengths[g])) {
      return bad("sections GLEN/GBEG are not ascending");
    }
    for (uint32_t d = p.group_begins[g]; d < p.group_begins[g + 1]; ++d) {
      const std::string_view name = haystack_->processed(d);
      if (!text::ValidUtf8(name)) {
        return bad("name " + std::to_string(d) + " is not valid UTF-8");
      }
      if (text::CodePointCount(name) != p.group_lengths[g]) {
        return bad("name " + std::to_string(d) + " is not in its length group");
      }
    }
  }
  for (uint32_t r : p.first_row) {
    if (r >= p.rows) return bad("section FROW: row out of range");
  }
  // Duplicates: sorted pairs of a flagged name and a row in range; every
  // flagged name has some; no bits past the last name.
  std::vector<uint64_t> seen(p.dup_bits.size(), 0);
  for (size_t i = 0; i + 1 < p.duplicates.size(); i += 2) {
    const uint32_t d = p.duplicates[i], r = p.duplicates[i + 1];
    if (d >= n || r >= p.rows || !haystack_->has_duplicates(d)) {
      return bad("section DUPS: entry out of range");
    }
    if (i > 0 && std::make_pair(p.duplicates[i - 2], p.duplicates[i - 1]) >= std::make_pair(d, r)) {
      return bad("section DUPS is not sorted");
    }
    seen[d >> 6] |= 1ull << (d & 63);
  }
  if (!std::equal(seen.begin(), seen.end(), p.dup_bits.begin())) {
    return bad("section DUPB does not match section DUPS");
  }
  for (size_t i = 0; i + 1 < p.block_offsets.size(); ++i) {
    if (p.block_offsets[i] > p.block_offsets[i + 1]) return bad("section BOFF is not ascending");
  }
  // The bigram index: offsets ascending, each list ascending, ids in range.
  if (haystack_->has_grams()) {
    for (uint32_t k = 0; k < kGramKeys; ++k) {
      if (p.gram_offsets[k] > p.gram_offsets[k + 1] ||
          p.gram_offsets[k + 1] > p.gram_postings.size()) {
        return bad("section GRMO is not ascending");
      }
      const std::span<const uint32_t> list = haystack_->gram_list(k);
      for (size_t i = 0; i < list.size(); ++i) {
        if (list[i] >= n || (i > 0 && list[i - 1] > list[i])) {
          return bad("section GRMP: list " + std::to_string(k) + " is out of order or range");
        }
      }
    }
  }
  // The token index: offsets ascending, each list strictly ascending (an id
  // once per bucket), ids in range.
  if (haystack_->has_tokens()) {
    auto check = [&](std::span<const uint32_t> offsets, std::span<const uint32_t> postings,
                     const char* off_tag, const char* post_tag) -> Status {
      for (size_t b = 0; b + 1 < offsets.size(); ++b) {
        if (offsets[b] > offsets[b + 1] || offsets[b + 1] > postings.size()) {
          return bad(std::string("section ") + off_tag + " is not ascending");
        }
        for (uint32_t i = offsets[b]; i < offsets[b + 1]; ++i) {
          if (postings[i] >= n || (i > offsets[b] && postings[i - 1] >= postings[i])) {
            return bad(std::string("section ") + post_tag + ": list " + std::to_string(b) +
                       " is out of order or range");
          }
        }
      }
      return Status::Ok();
    };
    Status s = check(p.token_offsets, p.token_postings, "TOKO", "TOKP");
    if (!s.ok()) return s;
    s = check(p.set_offsets, p.set_postings, "TSTO", "TSTP");
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace needle
