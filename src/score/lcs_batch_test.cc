// The SIMD batch kernels against the scalar kernel, on every instruction set
// Highway compiled and this CPU supports (AVX-512, AVX2, SSE4, ... and the
// portable fallback), with both lane widths, texts of every length up to 90
// (past a gathered word and past 64), and texts scattered through one padded
// buffer as they are in the haystack arena (in any order, not aligned).
#include "score/lcs_batch.h"

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <random>
#include <string>
#include <vector>

#include "score/lcs_hyyro2004.h"

namespace needle::score {
namespace {

TEST(LcsBatch, EqualsScalarKernelOnEveryTarget) {
  std::mt19937 rng(41);
  const std::string alphabet = "abcdefgh &";
  const auto targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    for (int iter = 0; iter < 400; ++iter) {
      // Patterns of 1..64 code points (the kernels' range), some non-ASCII.
      std::u32string pattern(1 + rng() % 64, U'a');
      for (auto& c : pattern) c = rng() % 20 == 0 ? U'\u00e9' : alphabet[rng() % alphabet.size()];
      PatternMask pm;
      pm.Build(pattern);
      const size_t m = pattern.size();
      const auto len = static_cast<uint32_t>(rng() % 90);
      const size_t count = 1 + rng() % 40;
      // One arena: texts at random positions, then the padding, which holds
      // bytes that would change the result if they were read as text.
      std::string arena(count * (len + 3) + kLcsBatchPadding, 'a');
      for (auto& c : arena) c = alphabet[rng() % alphabet.size()];
      std::vector<const char*> ptrs(count);
      for (auto& p : ptrs) p = arena.data() + rng() % (arena.size() - kLcsBatchPadding - len + 1);
      std::vector<uint32_t> got(count);
      uint64_t scratch[2];
      const bool narrow = m <= 32;
      if (narrow) {
        std::vector<uint32_t> masks(pm.AsciiTable(), pm.AsciiTable() + 256);
        const uint32_t tail = m == 32 ? ~0u : ((1u << m) - 1);
        LcsBatch32(masks.data(), tail, ptrs.data(), len, count, got.data());
      } else {
        const uint64_t tail = m == 64 ? ~0ull : ((1ull << m) - 1);
        LcsBatch64(pm.AsciiTable(), tail, ptrs.data(), len, count, got.data());
      }
      for (size_t i = 0; i < count; ++i) {
        ASSERT_EQ(got[i], LcsHyyro2004(pm, ptrs[i], len, scratch))
            << "target " << hwy::TargetName(target) << (narrow ? " 32" : " 64") << "-bit text '"
            << std::string(ptrs[i], len) << "'";
      }
      // The 64-bit kernel also takes short patterns.
      if (narrow) {
        const uint64_t tail = (1ull << m) - 1;
        LcsBatch64(pm.AsciiTable(), tail, ptrs.data(), len, count, got.data());
        for (size_t i = 0; i < count; ++i) {
          ASSERT_EQ(got[i], LcsHyyro2004(pm, ptrs[i], len, scratch))
              << "target " << hwy::TargetName(target) << " 64-bit, short pattern";
        }
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);  // back to the real CPU
}

TEST(LcsBatch, ReportsATarget) { EXPECT_STRNE(LcsBatchTarget(), ""); }

}  // namespace
}  // namespace needle::score
