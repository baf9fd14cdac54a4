// The SIMD batch kernel against the scalar kernel, on every instruction set
// Highway compiled and this CPU supports (AVX-512, AVX2, SSE4, ... and the
// portable fallback), with texts of mixed lengths so lanes end at different
// steps.
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
    for (int iter = 0; iter < 300; ++iter) {
      // Patterns of 1..64 code points (the kernel's range), some non-ASCII.
      std::u32string pattern(1 + rng() % 64, U'a');
      for (auto& c : pattern) c = rng() % 20 == 0 ? U'\u00e9' : alphabet[rng() % alphabet.size()];
      PatternMask pm;
      pm.Build(pattern);
      const size_t count = 1 + rng() % 40;
      std::vector<std::string> texts(count);
      std::vector<const char*> ptrs(count);
      std::vector<uint32_t> lens(count), got(count);
      for (size_t i = 0; i < count; ++i) {
        texts[i].resize(rng() % 90);  // includes empty texts and texts longer than 64
        for (auto& c : texts[i]) c = alphabet[rng() % alphabet.size()];
        ptrs[i] = texts[i].data();
        lens[i] = static_cast<uint32_t>(texts[i].size());
      }
      const uint64_t tail = pattern.size() == 64 ? ~0ull : ((1ull << pattern.size()) - 1);
      LcsBatch(pm.AsciiTable(), tail, ptrs.data(), lens.data(), count, got.data());
      uint64_t scratch[2];
      for (size_t i = 0; i < count; ++i) {
        ASSERT_EQ(got[i], LcsHyyro2004(pm, texts[i].data(), texts[i].size(), scratch))
            << "target " << hwy::TargetName(target) << " text '" << texts[i] << "'";
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);  // back to the real CPU
}

TEST(LcsBatch, ReportsATarget) { EXPECT_STRNE(LcsBatchTarget(), ""); }

}  // namespace
}  // namespace needle::score
