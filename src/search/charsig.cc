// Character-count signatures (needle/charsig.h): making them, the batch
// overlap kernel, and attaching them to a haystack.
//
// Compiled once per Highway target (foreach_target.h re-includes this file);
// the HWY_ONCE part holds the dispatcher and the rest.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "search/charsig.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>

#include "needle/charsig.h"

HWY_BEFORE_NAMESPACE();
namespace needle {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// One name per 64-bit lane: AND with the needle's masks, popcount, add; the
// needle's excess over 4 weighs the name's ">= 4" mask bit by bit.
// Returns the bits i (i < min(count, 64)) with out[i] >= need. With need 0
// every out[i] is written; with need above 0 only those of the passing
// names (most vectors of a batch have none: they store nothing).
uint64_t OverlapBatchImpl(uint64_t needle_lo, uint64_t needle_hi, const uint64_t* excess,
                          int excess_bits, const uint64_t* lo, const uint64_t* hi, size_t count,
                          uint32_t need, uint32_t* out) {
  const hn::ScalableTag<uint64_t> d;
  const size_t lanes = hn::Lanes(d);
  const auto nlo = hn::Set(d, needle_lo), nhi = hn::Set(d, needle_hi);
  const auto vneed = hn::Set(d, need);
  HWY_ALIGN uint64_t sums[HWY_MAX_BYTES / sizeof(uint64_t)];
  uint8_t bits[HWY_MAX_BYTES / sizeof(uint64_t) / 8 + 8] = {};
  uint64_t pass = 0;
  // Writes the lanes of s that reach `need` (all of them for need 0) to
  // out[i..] and their bits to pass, from position i.
  auto store = [&](const auto s, size_t i) {
    hn::Store(s, d, sums);
    for (size_t k = 0; k < lanes; ++k) out[i + k] = static_cast<uint32_t>(sums[k]);
  };
  auto passing = [&](const auto s, size_t i) {
    if (need == 0) {  // every name passes: the mask is set at the end
      store(s, i);
      return;
    }
    // s >= need, both below 2^32: s - need has its top bit clear (unsigned
    // 64-bit comparisons are missing on some targets).
    const auto reach = hn::Eq(hn::ShiftRight<63>(hn::Sub(s, vneed)), hn::Zero(d));
    if (hn::AllFalse(d, reach)) return;
    store(s, i);
    hn::StoreMaskBits(d, reach, bits);
    uint64_t b = 0;
    for (size_t k = 0; k < (lanes + 7) / 8; ++k) b |= static_cast<uint64_t>(bits[k]) << (8 * k);
    if (lanes < 64) b &= (uint64_t{1} << lanes) - 1;
    if (i < 64) pass |= b << i;
  };
  size_t i = 0;
  if (needle_hi == 0 && excess_bits == 0) {
    // No code point of the needle occurs 3 times (most words, many short
    // names): the names' ">= 3" and ">= 4" masks cannot count, so they are
    // not read, which halves the memory the batch reads.
    for (; i + lanes <= count; i += lanes) {
      passing(hn::PopulationCount(hn::And(hn::LoadU(d, lo + i), nlo)), i);
    }
  }
  for (; i + lanes <= count; i += lanes) {
    const auto blo = hn::LoadU(d, lo + i), bhi = hn::LoadU(d, hi + i);
    auto s = hn::Add(hn::PopulationCount(hn::And(blo, nlo)), hn::PopulationCount(hn::And(bhi, nhi)));
    if (excess_bits > 0) {
      const auto four = hn::ShiftRight<32>(bhi);
      for (int j = 0; j < excess_bits; ++j) {
        const auto e = hn::PopulationCount(hn::And(four, hn::Set(d, excess[j])));
        s = hn::Add(s, hn::ShiftLeftSame(e, j));
      }
    }
    passing(s, i);
  }
  for (; i < count; ++i) {
    uint64_t s = static_cast<uint64_t>(hwy::PopCount(lo[i] & needle_lo) + hwy::PopCount(hi[i] & needle_hi));
    for (int j = 0; j < excess_bits; ++j) {
      s += static_cast<uint64_t>(hwy::PopCount(excess[j] & (hi[i] >> 32))) << j;
    }
    out[i] = static_cast<uint32_t>(s);
    if (i < 64) pass |= static_cast<uint64_t>(s >= need) << i;
  }
  if (need == 0) pass = count >= 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
  return pass;
}

}  // namespace HWY_NAMESPACE
}  // namespace needle
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <vector>

#include "needle/haystack.h"
#include "needle/scorer.h"
#include "text/utf8.h"

namespace needle {

HWY_EXPORT(OverlapBatchImpl);

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
struct SigStorage {
  std::shared_ptr<const void> base;
  std::vector<uint64_t> lo, hi;
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

uint64_t NeedleChars::OverlapBatch(const uint64_t* lo, const uint64_t* hi, size_t count,
                                   uint32_t* out, uint32_t need) const {
  return HWY_DYNAMIC_DISPATCH(OverlapBatchImpl)(sig_.lo, sig_.hi, excess_.data(), excess_bits_, lo,
                                                hi, count, need, out);
}

std::unique_ptr<Haystack> WithCharSigs(std::unique_ptr<Haystack> hay, NameStat stat, int threads) {
  const uint32_t n = hay->distinct();
  auto storage = std::make_shared<SigStorage>();
  storage->lo.resize(n);
  storage->hi.resize(n);
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
  HaystackParts parts = hay->parts();
  parts.char_lo = storage->lo;
  parts.char_hi = storage->hi;
  parts.name_stats = storage->name_stats;
  parts.name_stat_kind = stat;
  storage->base = hay->owner();
  std::shared_ptr<const void> owner = storage;
  return std::make_unique<Haystack>(parts, std::move(owner));
}

}  // namespace needle
#endif  // HWY_ONCE
