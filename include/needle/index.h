// needle/index.h: the index file, a haystack built once and opened in O(1).
//
// An index file holds a Haystack (needle/haystack.h) as it sits in memory:
// little-endian fixed-width arrays, each a section aligned to 64 bytes, so
// opening it maps the file and points views at the sections, and every
// process that opens the same file shares its pages through the page cache.
// docs/format.md draws the layout. In short:
//
//   header (64 bytes): magic "NEEDLEIX", format version, file size, section
//     table offset and count, checksums of the table and of the header;
//   sections, each at a multiple of 64 bytes, zero padded;
//   section table: per section a tag ("NAME", "NOFF", ...), flags, offset,
//     size and XXH3-64 checksum.
//
// A reader skips sections it does not know unless their "required" flag is
// set, so later versions can add sections (the search index) without breaking
// older readers; a change older readers cannot skip raises the version.
//
// Open checks the magic, version, header and table checksums, every section's
// bounds and the sizes the counts imply: O(number of sections), milliseconds
// for any file. Verify reads everything: each section's checksum, then the
// structure (offsets in bounds and ascending, valid UTF-8 names of their
// group's length, rows in range), which is what makes a file safe to search.
// `needle match` verifies before searching; a library caller that opens a
// file it did not write should too.
//
// Thread safety: an opened Index is immutable; its const methods and its
// haystack may be used from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "needle/haystack.h"
#include "needle/status.h"

namespace needle {

inline constexpr char kIndexMagic[8] = {'N', 'E', 'E', 'D', 'L', 'E', 'I', 'X'};
inline constexpr uint32_t kIndexVersion = 1;

// True if `bytes` starts with the index magic (to tell an index from a CSV).
bool LooksLikeIndex(std::span<const char> bytes);
// True if the file at `path` starts with the index magic.
bool IsIndexFile(const std::string& path);

class Index {
 public:
  struct Section {
    std::string tag;  // four characters, e.g. "NAME"
    uint32_t flags = 0;  // bit 0: required (a reader that does not know it must refuse)
    uint64_t offset = 0, size = 0, checksum = 0;
    bool known = false;  // read by this version
  };

  // Maps the file read-only and checks it as described above.
  static Result<std::unique_ptr<Index>> Open(const std::string& path);
  // The same over bytes the caller holds (a buffer, its own mapping), which
  // must stay valid, unchanged and 8-byte aligned while the index (or its
  // haystack) is alive; `owner`, if given, is kept alive with it.
  static Result<std::unique_ptr<Index>> FromBytes(std::span<const char> bytes,
                                                  const std::string& display_name,
                                                  std::shared_ptr<const void> owner = nullptr);
  ~Index();

  // Every section's checksum (unless `checksums` is false: the fuzz target
  // checks the structure of files whose checksums it cannot forge), then
  // the structure. Errors name the file and section.
  Status Verify(bool checksums = true) const;

  const Haystack& haystack() const { return *haystack_; }
  uint32_t version() const { return version_; }
  uint64_t file_size() const { return bytes_.size(); }
  const std::vector<Section>& sections() const { return sections_; }
  // The Unicode version of the utf8proc that processed the names.
  const std::string& unicode_version() const { return unicode_version_; }
  const std::string& display_name() const { return name_; }

 private:
  Index() = default;
  Status Parse();

  std::string name_;
  std::span<const char> bytes_;
  std::shared_ptr<const void> owner_;
  uint32_t version_ = 0;
  std::vector<Section> sections_;
  std::vector<std::pair<uint64_t, uint64_t>> spans_;  // [offset, end) of each section, sorted
  uint64_t table_at_ = 0;
  std::string unicode_version_;
  std::unique_ptr<Haystack> haystack_;
};

// Writes `hay` as an index file at `path`: under "<path>.tmp-<pid>", renamed
// into place when complete (removed on failure): the haystack's arrays as
// they are, one section each. `progress` (may be empty) is called after each
// section with the bytes written.
Status WriteIndex(const Haystack& hay, const std::string& path,
                  const std::function<void(uint64_t)>& progress);

}  // namespace needle
