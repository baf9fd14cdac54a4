// Compiled once per Highway target (foreach_target.h re-includes this file);
// the HWY_ONCE part holds the dispatcher.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "score/lcs_batch.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "score/lcs_batch.h"
#include "score/lcs_hyyro2004.h"

HWY_BEFORE_NAMESPACE();
namespace needle::score {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void LcsBatchImpl(const uint64_t* ascii_masks, uint64_t tail_mask, const char* const* texts,
                  const uint32_t* lens, size_t count, uint32_t* out) {
  const hn::ScalableTag<uint64_t> d;
  const hn::RebindToSigned<decltype(d)> di;
  const size_t lanes = hn::Lanes(d);
  HWY_ALIGN uint64_t state[HWY_MAX_BYTES / sizeof(uint64_t)];
  // The batch's bytes transposed to [step][lane] as gather indices; texts
  // that have ended read index 0, whose mask is 0 (names hold no NUL), so
  // their lanes stop changing.
  thread_local std::vector<int64_t> index;
  for (size_t base = 0; base < count; base += lanes) {
    const size_t k = std::min(lanes, count - base);
    uint32_t longest = 0;
    for (size_t j = 0; j < k; ++j) longest = std::max(longest, lens[base + j]);
    index.assign(static_cast<size_t>(longest) * lanes, 0);
    for (size_t j = 0; j < k; ++j) {
      const auto* t = reinterpret_cast<const unsigned char*>(texts[base + j]);
      for (uint32_t i = 0; i < lens[base + j]; ++i) index[i * lanes + j] = t[i];
    }
    auto v = hn::Set(d, ~0ull);
    for (uint32_t i = 0; i < longest; ++i) {
      const auto m = hn::GatherIndex(d, ascii_masks, hn::LoadU(di, &index[i * lanes]));
      const auto u = hn::And(v, m);
      v = hn::Or(hn::Add(v, u), hn::Sub(v, u));
    }
    hn::Store(v, d, state);
    for (size_t j = 0; j < k; ++j) {
      out[base + j] = static_cast<uint32_t>(PopCount64(~state[j] & tail_mask));
    }
  }
}

const char* TargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace needle::score
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace needle::score {

HWY_EXPORT(LcsBatchImpl);
HWY_EXPORT(TargetNameImpl);

namespace {
std::atomic<bool> g_enabled{false};
}

void LcsBatch(const uint64_t* ascii_masks, uint64_t tail_mask, const char* const* texts,
              const uint32_t* lens, size_t count, uint32_t* out) {
  HWY_DYNAMIC_DISPATCH(LcsBatchImpl)(ascii_masks, tail_mask, texts, lens, count, out);
}

void SetLcsBatchEnabled(bool enabled) { g_enabled = enabled; }
bool LcsBatchEnabled() { return g_enabled; }
const char* LcsBatchTarget() { return HWY_DYNAMIC_DISPATCH(TargetNameImpl)(); }

}  // namespace needle::score
#endif  // HWY_ONCE
