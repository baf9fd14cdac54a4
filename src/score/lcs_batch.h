// score/lcs_batch.h: LCS of one pattern with several texts per instruction.
//
// Hyyrö's bit-parallel LCS (score/lcs_hyyro2004.h) with one 64-bit lane per
// text: a pattern of at most 64 code points, ASCII texts. Each step loads the
// pattern masks of the next byte of every text into a vector (a text that has
// ended gets mask 0, which leaves its lane unchanged) and updates all lanes at
// once: U = V & M; V = (V + U) | (V - U). The lanes are independent, so the
// loop-carried latency of the scalar kernel is shared by 4 (AVX2) or 8
// (AVX-512) texts. The instruction set is chosen at run time by Highway's
// dynamic dispatch (HWY_DYNAMIC_DISPATCH), so one binary runs on any x86-64
// (and builds on arm64).
//
// Off by default: measured on the 1M benchmark (ratio, one thread) the scan
// ran at 59 needles/s with the scalar kernel and 52 (AVX-512), 49 (AVX2),
// 40 (SSE4) with this one; the table gathers and the transposition cost more
// than the shared loop latency saves on names of ~25 bytes. It is tested on
// every target so that a later change (narrower lanes, batches of candidates
// from an index) can turn it on where it pays: SetLcsBatchEnabled(true), or
// NEEDLE_SIMD=1 for the CLI.
//
// Thread safety: LcsBatch is a pure function; the enable flag is global and
// meant to be set before searching (tests, benchmarks).
#pragma once

#include <cstddef>
#include <cstdint>

namespace needle::score {

// out[i] = LCS(pattern, texts[i][0..lens[i])) for i < count, where
// `ascii_masks` is the pattern's 256-entry single-word mask table and
// `tail_mask` has the pattern's m low bits set. REQUIRES: texts are ASCII,
// 1 <= m <= 64, no text holds a NUL byte (its mask must be 0).
void LcsBatch(const uint64_t* ascii_masks, uint64_t tail_mask, const char* const* texts,
              const uint32_t* lens, size_t count, uint32_t* out);

// Whether scorers use LcsBatch (default false).
void SetLcsBatchEnabled(bool enabled);
bool LcsBatchEnabled();

// The instruction set LcsBatch runs on now ("AVX3", "AVX2", "SSE4", ...).
const char* LcsBatchTarget();

}  // namespace needle::score
