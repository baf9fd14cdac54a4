// Compiled once per Highway target (foreach_target.h re-includes this file);
// the HWY_ONCE part holds the dispatcher.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "score/lcs_batch.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>

#include "score/lcs_batch.h"
#include "score/lcs_hyyro2004.h"

HWY_BEFORE_NAMESPACE();
namespace needle::score {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// T: the lane type (uint32_t or uint64_t), which is also the width of the
// text words each lane gathers.
template <typename T>
void LcsBatchT(const T* masks, T tail_mask, const char* const* texts, uint32_t len, size_t count,
               uint32_t* out) {
  static_assert(std::endian::native == std::endian::little, "bytes come from a word's low end");
  const hn::ScalableTag<T> d;
  const hn::RebindToSigned<decltype(d)> di;
  using TI = hn::TFromD<decltype(di)>;
  const size_t lanes = hn::Lanes(d);
  HWY_ALIGN TI offsets[HWY_MAX_BYTES / sizeof(T)];
  HWY_ALIGN T state[HWY_MAX_BYTES / sizeof(T)];
  const auto byte_mask = hn::Set(d, T{0xFF});
  for (size_t base = 0; base < count; base += lanes) {
    const size_t k = std::min(lanes, count - base);
    // Offsets from the lowest text of the batch; unused lanes repeat text 0.
    const char* origin = texts[base];
    for (size_t j = 1; j < k; ++j) origin = std::min(origin, texts[base + j]);
    for (size_t j = 0; j < lanes; ++j) {
      offsets[j] = static_cast<TI>(texts[base + (j < k ? j : 0)] - origin);
    }
    auto offset = hn::Load(di, offsets);
    const auto step = hn::Set(di, static_cast<TI>(sizeof(T)));
    // GatherOffset takes byte offsets from a T pointer; the words it loads
    // need no alignment.
    const T* origin_t = reinterpret_cast<const T*>(origin);
    auto v = hn::Set(d, ~T{0});
    for (uint32_t i = 0; i < len; i += sizeof(T)) {
      auto word = hn::GatherOffset(d, origin_t, offset);
      offset = hn::Add(offset, step);
      const uint32_t bytes = std::min<uint32_t>(sizeof(T), len - i);
      for (uint32_t b = 0; b < bytes; ++b) {
        const auto c = hn::BitCast(di, hn::And(word, byte_mask));
        word = hn::ShiftRight<8>(word);
        const auto u = hn::And(v, hn::GatherIndex(d, masks, c));
        v = hn::Or(hn::Add(v, u), hn::Sub(v, u));
      }
    }
    hn::Store(v, d, state);
    for (size_t j = 0; j < k; ++j) {
      out[base + j] = static_cast<uint32_t>(PopCount64(static_cast<uint64_t>(~state[j] & tail_mask)));
    }
  }
}

void LcsBatch32Impl(const uint32_t* masks, uint32_t tail_mask, const char* const* texts,
                    uint32_t len, size_t count, uint32_t* out) {
  LcsBatchT<uint32_t>(masks, tail_mask, texts, len, count, out);
}
void LcsBatch64Impl(const uint64_t* masks, uint64_t tail_mask, const char* const* texts,
                    uint32_t len, size_t count, uint32_t* out) {
  LcsBatchT<uint64_t>(masks, tail_mask, texts, len, count, out);
}

const char* TargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

// Whether the kernels beat the scalar one on this target. Measured (1M
// benchmark, ratio, one thread): AVX-512 and AVX2 gather in hardware and win;
// SSE4 emulates gathers and lost (79 needles/s against 92 scalar). Other
// architectures have not been measured, so they keep the scalar kernel.
bool PaysImpl() {
#if HWY_ARCH_X86
  return HWY_TARGET <= HWY_AVX2;  // x86 targets: lower values are wider
#else
  return false;
#endif
}

}  // namespace HWY_NAMESPACE
}  // namespace needle::score
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace needle::score {

HWY_EXPORT(LcsBatch32Impl);
HWY_EXPORT(LcsBatch64Impl);
HWY_EXPORT(TargetNameImpl);
HWY_EXPORT(PaysImpl);

namespace {
std::atomic<bool> g_enabled{true};
}

void LcsBatch32(const uint32_t* masks, uint32_t tail_mask, const char* const* texts, uint32_t len,
                size_t count, uint32_t* out) {
  HWY_DYNAMIC_DISPATCH(LcsBatch32Impl)(masks, tail_mask, texts, len, count, out);
}
void LcsBatch64(const uint64_t* masks, uint64_t tail_mask, const char* const* texts, uint32_t len,
                size_t count, uint32_t* out) {
  HWY_DYNAMIC_DISPATCH(LcsBatch64Impl)(masks, tail_mask, texts, len, count, out);
}

void SetLcsBatchEnabled(bool enabled) { g_enabled = enabled; }
bool LcsBatchEnabled() { return g_enabled && HWY_DYNAMIC_DISPATCH(PaysImpl)(); }
const char* LcsBatchTarget() { return HWY_DYNAMIC_DISPATCH(TargetNameImpl)(); }

}  // namespace needle::score
#endif  // HWY_ONCE
