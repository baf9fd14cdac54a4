// Character-count signatures (needle/charsig.h): making them, the batch
// overlap kernel, and attaching them to a haystack.
//
// Compiled once per Highway target (foreach_target.h re-includes this file);
// the HWY_ONCE part holds the dispatcher and the rest.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "search/charsig.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include <algorithm>
#include <array>
#include <bit>

#include "needle/charsig.h"

HWY_BEFORE_NAMESPACE();
namespace needle {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The overlap bound (NeedleChars::Overlap) of the names whose signatures
// are at lo and hi, one per 64-bit lane: AND with the needle's masks,
// popcount, add; the needle's excess over 4 weighs the name's ">= 4" mask
// bit by bit. hi is read only if the needle needs it.
template <class D>
hn::Vec<D> OverlapVec(D d, const NeedleMasks& m, hn::Vec<D> nlo, hn::Vec<D> nhi,
                      const uint64_t* lo, const uint64_t* hi) {
  auto s = hn::PopulationCount(hn::And(hn::LoadU(d, lo), nlo));
  if (!m.reads_hi()) return s;
  const auto bhi = hn::LoadU(d, hi);
  s = hn::Add(s, hn::PopulationCount(hn::And(bhi, nhi)));
  const auto four = hn::ShiftRight<32>(bhi);
  for (int j = 0; j < m.excess_bits; ++j) {
    const auto e = hn::PopulationCount(hn::And(four, hn::Set(d, m.excess[j])));
    s = hn::Add(s, hn::ShiftLeftSame(e, j));
  }
  return s;
}

// The same for one name (the kernels' tails).
inline uint64_t OverlapOne(const NeedleMasks& m, uint64_t lo, uint64_t hi) {
  uint64_t s = static_cast<uint64_t>(hwy::PopCount(lo & m.lo) + hwy::PopCount(hi & m.hi));
  for (int j = 0; j < m.excess_bits; ++j) {
    s += static_cast<uint64_t>(hwy::PopCount(m.excess[j] & (hi >> 32))) << j;
  }
  return s;
}

// The lanes with s >= need, both below 2^32: s - need has its top bit clear
// (unsigned 64-bit comparisons are missing on some targets).
template <class D>
hn::Mask<D> Reaches(D d, hn::Vec<D> s, hn::Vec<D> vneed) {
  return hn::Eq(hn::ShiftRight<63>(hn::Sub(s, vneed)), hn::Zero(d));
}

// Returns the bits i (i < min(count, 64)) with out[i] >= need. With need 0
// every out[i] is written; with need above 0 only those of the passing
// names (most vectors of a batch have none: they store nothing).
uint64_t OverlapBatchImpl(const NeedleMasks& m, const uint64_t* lo, const uint64_t* hi,
                          size_t count, uint32_t need, uint32_t* out) {
  const hn::ScalableTag<uint64_t> d;
  const size_t lanes = hn::Lanes(d);
  const auto nlo = hn::Set(d, m.lo), nhi = hn::Set(d, m.hi);
  const auto vneed = hn::Set(d, need);
  HWY_ALIGN uint64_t sums[HWY_MAX_BYTES / sizeof(uint64_t)];
  uint8_t bits[HWY_MAX_BYTES / sizeof(uint64_t) / 8 + 8] = {};
  uint64_t pass = 0;
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) {
    const auto s = OverlapVec(d, m, nlo, nhi, lo + i, hi + i);
    // Writes the lanes that reach `need` (all of them for need 0) to
    // out[i..] and their bits to pass, from position i.
    const auto reach = Reaches(d, s, vneed);
    if (need > 0 && hn::AllFalse(d, reach)) continue;
    hn::Store(s, d, sums);
    for (size_t k = 0; k < lanes; ++k) out[i + k] = static_cast<uint32_t>(sums[k]);
    if (need == 0) continue;  // every name passes: the mask is set at the end
    hn::StoreMaskBits(d, reach, bits);
    uint64_t b = 0;
    for (size_t k = 0; k < (lanes + 7) / 8; ++k) b |= static_cast<uint64_t>(bits[k]) << (8 * k);
    if (lanes < 64) b &= (uint64_t{1} << lanes) - 1;
    if (i < 64) pass |= b << i;
  }
  for (; i < count; ++i) {
    const uint64_t s = OverlapOne(m, lo[i], hi[i]);
    out[i] = static_cast<uint32_t>(s);
    if (i < 64) pass |= static_cast<uint64_t>(s >= need) << i;
  }
  if (need == 0) pass = count >= 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
  return pass;
}

// The blocks of a list whose names may pass: per block, its 8 names'
// overlaps against need, lanes outside [begin, end) dropped. Writes each
// passing block, its lane bits and its 8 overlaps; returns how many. Reads
// the signatures of the block kAhead places on early, and the name offsets
// (if not null) of each passing block, which the caller reads next.
size_t PassBlocksImpl(const NeedleMasks& m, const uint64_t* lo, const uint64_t* hi,
                      const uint32_t* blocks, size_t count, uint32_t begin, uint32_t end,
                      uint32_t need, const uint32_t* offsets, uint32_t* out_blocks,
                      uint8_t* out_masks, uint32_t* out_overlaps) {
  const hn::CappedTag<uint64_t, kSigBlock> d;
  const size_t lanes = hn::Lanes(d);
  const auto nlo = hn::Set(d, m.lo), nhi = hn::Set(d, m.hi);
  const auto vneed = hn::Set(d, need);
  constexpr size_t kAhead = 16;
  HWY_ALIGN uint64_t sums[kSigBlock];
  uint8_t bits[8];
  size_t passing = 0;
  for (size_t t = 0; t < count; ++t) {
    if (t + kAhead < count) {
      const size_t ahead = static_cast<size_t>(blocks[t + kAhead]) * kSigBlock;
      hwy::Prefetch(lo + ahead);
      if (m.reads_hi()) hwy::Prefetch(hi + ahead);
    }
    const uint32_t block = blocks[t];
    const size_t base = static_cast<size_t>(block) * kSigBlock;
    uint64_t mask = 0;
    for (size_t k = 0; k < kSigBlock; k += lanes) {
      const auto s = OverlapVec(d, m, nlo, nhi, lo + base + k, hi + base + k);
      hn::Store(s, d, sums + k);
      hn::StoreMaskBits(d, Reaches(d, s, vneed), bits);
      mask |= static_cast<uint64_t>(bits[0] & ((1u << lanes) - 1)) << k;
    }
    if (mask == 0) continue;
    // Lanes of names of other lengths (blocks straddle groups).
    if (base + kSigBlock <= begin || base >= end) continue;
    if (base < begin) mask &= ~uint64_t{0} << (begin - base);
    if (base + kSigBlock > end) mask &= (uint64_t{1} << (end - base)) - 1;
    if (mask == 0) continue;
    out_blocks[passing] = block;
    out_masks[passing] = static_cast<uint8_t>(mask);
    for (size_t k = 0; k < kSigBlock; ++k) {
      out_overlaps[passing * kSigBlock + k] = static_cast<uint32_t>(sums[k]);
    }
    if (offsets != nullptr) hwy::Prefetch(offsets + base);
    ++passing;
  }
  return passing;
}

// out[i] = min(255, overlap of signature i); returns the most.
uint32_t OverlapLevelsImpl(const NeedleMasks& m, const uint64_t* lo, const uint64_t* hi,
                           size_t count, uint8_t* out) {
  const hn::ScalableTag<uint64_t> d;
  const size_t lanes = hn::Lanes(d);
  const auto nlo = hn::Set(d, m.lo), nhi = hn::Set(d, m.hi);
  const auto cap = hn::Set(d, 255);
  HWY_ALIGN uint64_t sums[HWY_MAX_BYTES / sizeof(uint64_t)];
  auto most = hn::Zero(d);
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) {
    const auto s = hn::Min(OverlapVec(d, m, nlo, nhi, lo + i, hi + i), cap);
    most = hn::Max(most, s);
    hn::Store(s, d, sums);
    for (size_t k = 0; k < lanes; ++k) out[i + k] = static_cast<uint8_t>(sums[k]);
  }
  hn::Store(most, d, sums);
  uint64_t top = 0;
  for (size_t k = 0; k < lanes; ++k) top = std::max(top, sums[k]);
  for (; i < count; ++i) {
    const uint64_t s = std::min<uint64_t>(OverlapOne(m, lo[i], hi[i]), 255);
    out[i] = static_cast<uint8_t>(s);
    top = std::max(top, s);
  }
  return static_cast<uint32_t>(top);
}

// Writes base + i for every i < count with levels[i] == level, ascending;
// returns how many. Branch-free: 32-bit lanes of indexes, compressed by the
// comparison (out has room for a whole vector past the last index).
size_t SelectLevelImpl(const uint8_t* levels, size_t count, uint8_t level, uint32_t base,
                       uint32_t* out) {
  const hn::ScalableTag<uint32_t> d32;
  const hn::Rebind<uint8_t, decltype(d32)> d8;
  const size_t lanes = hn::Lanes(d32);
  const auto want = hn::Set(d32, level);
  const auto step = hn::Set(d32, static_cast<uint32_t>(lanes));
  auto index = hn::Add(hn::Iota(d32, 0), hn::Set(d32, base));
  size_t got = 0;
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) {
    const auto eq = hn::Eq(hn::PromoteTo(d32, hn::LoadU(d8, levels + i)), want);
    got += hn::CompressStore(index, eq, d32, out + got);
    index = hn::Add(index, step);
  }
  for (; i < count; ++i) {
    if (levels[i] == level) out[got++] = base + static_cast<uint32_t>(i);
  }
  return got;
}

// out[i] = the bits of name i not in (or_lo, or_hi): how many bits it would
// add to a block with that OR.
void NewBitsImpl(uint64_t or_lo, uint64_t or_hi, const uint64_t* lo, const uint64_t* hi,
                 size_t count, uint32_t* out) {
  const hn::ScalableTag<uint64_t> d;
  const size_t lanes = hn::Lanes(d);
  const auto olo = hn::Set(d, or_lo), ohi = hn::Set(d, or_hi);
  HWY_ALIGN uint64_t sums[HWY_MAX_BYTES / sizeof(uint64_t)];
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) {
    const auto s = hn::Add(hn::PopulationCount(hn::AndNot(olo, hn::LoadU(d, lo + i))),
                           hn::PopulationCount(hn::AndNot(ohi, hn::LoadU(d, hi + i))));
    hn::Store(s, d, sums);
    for (size_t k = 0; k < lanes; ++k) out[i + k] = static_cast<uint32_t>(sums[k]);
  }
  for (; i < count; ++i) {
    out[i] = static_cast<uint32_t>(hwy::PopCount(lo[i] & ~or_lo) + hwy::PopCount(hi[i] & ~or_hi));
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace needle
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <sys/mman.h>

#include <new>
#include <vector>

#include "needle/haystack.h"
#include "needle/scorer.h"
#include "text/utf8.h"

namespace needle {

HWY_EXPORT(OverlapBatchImpl);
HWY_EXPORT(PassBlocksImpl);
HWY_EXPORT(NewBitsImpl);
HWY_EXPORT(OverlapLevelsImpl);
HWY_EXPORT(SelectLevelImpl);

namespace {

// Bucket counts of a name into counts[kCharBuckets]; returns its length.
uint32_t CountBuckets(std::string_view name, uint32_t* counts) {
  std::fill(counts, counts + kCharBuckets, 0u);
  uint32_t length = 0;
  size_t pos = 0;
  while (pos < name.size()) {
    const auto byte = static_cast<unsigned char>(name[pos]);
    char32_t c;
    if (byte < 0x80) {
      c = byte;
      ++pos;
    } else {
      c = text::DecodeOne(name, &pos);
    }
    ++counts[CharBucket(c)];
    ++length;
  }
  return length;
}

CharSig SigOfCounts(const uint32_t* counts) {
  CharSig sig;
  for (uint32_t c = 0; c < kCharBuckets; ++c) {
    const uint32_t k = counts[c];
    sig.lo |= (k >= 1 ? 1ull : 0ull) << c | (k >= 2 ? 1ull : 0ull) << (32 + c);
    sig.hi |= (k >= 3 ? 1ull : 0ull) << c | (k >= 4 ? 1ull : 0ull) << (32 + c);
  }
  return sig;
}

// Owns the signature arrays and keeps the haystack's own bytes alive.
// Zeroed 64-bit words, on transparent huge pages where the system gives
// them on request (Linux's madvise mode): a search reads scattered blocks of
// signatures, and with 4 KiB pages most of those reads also miss the TLB.
class Words {
 public:
  Words() = default;
  Words(const Words&) = delete;
  Words& operator=(const Words&) = delete;
  ~Words() {
    if (mem_ != nullptr) munmap(mem_, bytes_);
  }
  // REQUIRES: called once.
  void Resize(size_t count) {
    constexpr size_t kHuge = size_t{2} << 20;
    size_ = count;
    bytes_ = count * sizeof(uint64_t) + kHuge;
    mem_ = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem_ == MAP_FAILED) throw std::bad_alloc();
    const auto at = reinterpret_cast<uintptr_t>(mem_);
    const uintptr_t aligned = (at + kHuge - 1) & ~(kHuge - 1);
    data_ = reinterpret_cast<uint64_t*>(aligned);
#ifdef MADV_HUGEPAGE
    madvise(data_, (count * sizeof(uint64_t) + kHuge - 1) & ~(kHuge - 1), MADV_HUGEPAGE);
#endif
  }
  uint64_t* data() { return data_; }
  uint64_t& operator[](size_t i) { return data_[i]; }
  size_t size() const { return size_; }

 private:
  void* mem_ = nullptr;
  size_t bytes_ = 0, size_ = 0;
  uint64_t* data_ = nullptr;
};

struct SigStorage {
  std::shared_ptr<const void> base;
  Words lo, hi, block_lo, block_hi;
  std::vector<uint16_t> name_stats;
};

}  // namespace

CharSig MakeCharSig(std::string_view name) {
  uint32_t counts[kCharBuckets];
  CountBuckets(name, counts);
  return SigOfCounts(counts);
}

void NeedleChars::Reset(std::string_view name) {
  uint32_t counts[kCharBuckets];
  length_ = CountBuckets(name, counts);
  sig_ = SigOfCounts(counts);
  excess_.fill(0);
  excess_bits_ = 0;
  for (uint32_t c = 0; c < kCharBuckets; ++c) {
    const uint32_t extra = counts[c] > 4 ? counts[c] - 4 : 0;
    for (int j = 0; j < 32; ++j) {
      if ((extra >> j) & 1) {
        excess_[static_cast<size_t>(j)] |= 1ull << c;
        excess_bits_ = std::max(excess_bits_, j + 1);
      }
    }
  }
}

uint32_t NeedleChars::OverlapLevels(const uint64_t* lo, const uint64_t* hi, size_t count,
                                    uint8_t* out) const {
  return HWY_DYNAMIC_DISPATCH(OverlapLevelsImpl)(masks(), lo, hi, count, out);
}

size_t SelectLevel(const uint8_t* levels, size_t count, uint8_t level, uint32_t base,
                   uint32_t* out) {
  return HWY_DYNAMIC_DISPATCH(SelectLevelImpl)(levels, count, level, base, out);
}

size_t NeedleChars::PassBlocks(const uint64_t* lo, const uint64_t* hi, const uint32_t* blocks,
                               size_t count, uint32_t begin, uint32_t end, uint32_t need,
                               const uint32_t* offsets, uint32_t* out_blocks, uint8_t* out_masks,
                               uint32_t* out_overlaps) const {
  return HWY_DYNAMIC_DISPATCH(PassBlocksImpl)(masks(), lo, hi, blocks, count, begin, end, need,
                                              offsets, out_blocks, out_masks, out_overlaps);
}

uint64_t NeedleChars::OverlapBatch(const uint64_t* lo, const uint64_t* hi, size_t count,
                                   uint32_t* out, uint32_t need) const {
  return HWY_DYNAMIC_DISPATCH(OverlapBatchImpl)(masks(), lo, hi, count, need, out);
}

namespace {

// Regroups ids, already in radix order, into blocks of like names (the
// second step of SigBlockOrder): per window of kPackWindow blocks, each
// block is the first name left plus, one at a time, the name left that adds
// the fewest bits to the block's OR (the first such). Blocks keep their
// sizes and places: ids[0] is name `offset` of its block.
void PackBlocks(std::span<const CharSig> sigs, std::span<uint32_t> ids, uint32_t offset) {
  // Measured offline (300 benchmark needles at their final ratio, length
  // groups 24 and 14): radix order alone left 13.8% and 5.7% of the blocks
  // passing; windows of 128 names 9.9%, of 512 8.7% and 2.7%, of 2,048
  // 8.1%. (Pairing names, then pairs, then quads did worse: 11%.)
  constexpr size_t kPackWindow = 64;  // blocks
  std::vector<uint64_t> lo, hi;
  std::vector<uint32_t> left, cost, packed;
  size_t at = 0;
  size_t block_size = kSigBlock - offset % kSigBlock;
  while (at < ids.size()) {
    // The window: whole blocks, their sizes in order.
    std::vector<size_t> sizes;
    size_t end = at;
    while (end < ids.size() && sizes.size() < kPackWindow) {
      const size_t size = std::min(block_size, ids.size() - end);
      sizes.push_back(size);
      end += size;
      block_size = kSigBlock;
    }
    left.assign(ids.begin() + static_cast<ptrdiff_t>(at), ids.begin() + static_cast<ptrdiff_t>(end));
    lo.clear();
    hi.clear();
    for (uint32_t d : left) {
      lo.push_back(sigs[d].lo);
      hi.push_back(sigs[d].hi);
    }
    packed.clear();
    auto take = [&](size_t i) {
      packed.push_back(left[i]);
      left.erase(left.begin() + static_cast<ptrdiff_t>(i));
      lo.erase(lo.begin() + static_cast<ptrdiff_t>(i));
      hi.erase(hi.begin() + static_cast<ptrdiff_t>(i));
    };
    for (size_t size : sizes) {
      uint64_t or_lo = lo[0], or_hi = hi[0];
      take(0);
      for (size_t k = 1; k < size; ++k) {
        cost.resize(left.size());
        HWY_DYNAMIC_DISPATCH(NewBitsImpl)(or_lo, or_hi, lo.data(), hi.data(), left.size(),
                                          cost.data());
        size_t best = 0;
        for (size_t i = 1; i < cost.size() && cost[best] > 0; ++i) {
          if (cost[i] < cost[best]) best = i;
        }
        or_lo |= lo[best];
        or_hi |= hi[best];
        take(best);
      }
    }
    std::copy(packed.begin(), packed.end(), ids.begin() + static_cast<ptrdiff_t>(at));
    at = end;
  }
}

}  // namespace

void SigBlockOrder(std::span<const CharSig> sigs, std::span<uint32_t> ids, uint32_t offset) {
  if (ids.size() < 2) return;
  // How many names hold each of the 128 bits (lo's bits 0-63, hi's 64-127).
  std::array<uint32_t, 128> freq{};
  for (uint32_t d : ids) {
    for (int j = 0; j < 64; ++j) {
      freq[static_cast<size_t>(j)] += static_cast<uint32_t>((sigs[d].lo >> j) & 1);
      freq[static_cast<size_t>(64 + j)] += static_cast<uint32_t>((sigs[d].hi >> j) & 1);
    }
  }
  std::array<int, 128> rank;  // the bits, most common first
  for (int j = 0; j < 128; ++j) rank[static_cast<size_t>(j)] = j;
  std::stable_sort(rank.begin(), rank.end(), [&](int a, int b) {
    return freq[static_cast<size_t>(a)] > freq[static_cast<size_t>(b)];
  });
  // Each name's key: its bits in that order, the most common as the most
  // significant bit of key[0].
  struct Keyed {
    uint64_t key[2];
    uint32_t id;
  };
  std::vector<Keyed> keyed(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const CharSig& sig = sigs[ids[i]];
    Keyed k{{0, 0}, ids[i]};
    for (size_t r = 0; r < 128; ++r) {
      const int j = rank[r];
      const uint64_t bit = j < 64 ? (sig.lo >> j) & 1 : (sig.hi >> (j - 64)) & 1;
      k.key[r / 64] |= bit << (63 - r % 64);
    }
    keyed[i] = k;
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    return a.key[0] != b.key[0] ? a.key[0] < b.key[0] : a.key[1] < b.key[1];
  });
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = keyed[i].id;
  PackBlocks(sigs, ids, offset);
}

std::unique_ptr<Haystack> WithCharSigs(std::unique_ptr<Haystack> hay, NameStat stat, int threads) {
  const uint32_t n = hay->distinct();
  auto storage = std::make_shared<SigStorage>();
  // The last block is padded with zero signatures (which OR to nothing).
  const uint32_t blocks = (n + kSigBlock - 1) / kSigBlock;
  storage->lo.Resize(static_cast<size_t>(blocks) * kSigBlock);
  storage->hi.Resize(static_cast<size_t>(blocks) * kSigBlock);
  storage->block_lo.Resize(blocks);
  storage->block_hi.Resize(blocks);
  if (stat != NameStat::kNone) storage->name_stats.resize(n);
  const int workers = threads > 0 ? threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(workers);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<uint32_t>(0, n, 16384), [&](const auto& r) {
      uint32_t counts[kCharBuckets];
      for (uint32_t d = r.begin(); d < r.end(); ++d) {
        const std::string_view name = hay->processed(d);
        CountBuckets(name, counts);
        const CharSig sig = SigOfCounts(counts);
        storage->lo[d] = sig.lo;
        storage->hi[d] = sig.hi;
        if (stat != NameStat::kNone) {
          storage->name_stats[d] = static_cast<uint16_t>(NameStatOf(stat, name));
        }
      }
    });
  });
  for (uint32_t b = 0; b < blocks; ++b) {
    uint64_t l = 0, h = 0;
    for (uint32_t d = b * kSigBlock; d < (b + 1) * kSigBlock; ++d) {
      l |= storage->lo[d];
      h |= storage->hi[d];
    }
    storage->block_lo[b] = l;
    storage->block_hi[b] = h;
  }
  HaystackParts parts = hay->parts();
  parts.char_lo = std::span<const uint64_t>(storage->lo.data(), n);
  parts.char_hi = std::span<const uint64_t>(storage->hi.data(), n);
  parts.block_lo = std::span<const uint64_t>(storage->block_lo.data(), blocks);
  parts.block_hi = std::span<const uint64_t>(storage->block_hi.data(), blocks);
  parts.name_stats = storage->name_stats;
  parts.name_stat_kind = stat;
  storage->base = hay->owner();
  std::shared_ptr<const void> owner = storage;
  return std::make_unique<Haystack>(parts, std::move(owner));
}

}  // namespace needle
#endif  // HWY_ONCE
