// score/lcs_batch.h: LCS of one pattern with several texts per instruction.
//
// Hyyrö's bit-parallel LCS (score/lcs_hyyro2004.h; H. Hyyrö, "Bit-parallel
// LCS-length computation revisited", AWOCA 2004) with one lane per text: a
// pattern of at most 64 code points against ASCII texts of one length. Each
// step of the scalar kernel is U = V & M[c]; V = (V + U) | (V - U), a chain of
// three dependent operations per byte; here every lane runs that chain for
// its own text at once.
//
// Two choices make it pay where a first version (64-bit lanes, texts
// transposed into an index array by scalar code) did not:
//   - the texts are never transposed: each lane gathers the next 4 (or 8)
//     bytes of its text straight from the haystack arena (GatherOffset on
//     byte offsets) and takes them one by one by shifting, so the scalar work
//     per byte is gone;
//   - lanes are as narrow as the pattern allows: 32 bits for patterns of up to
//     32 code points (most names), so AVX-512 runs 16 texts at once and AVX2 8;
//     64 bits up to 64 code points.
// Texts have one length per call (the store groups names by length), so no
// lane ends early. The instruction set is chosen at run time by Highway's
// dynamic dispatch (HWY_DYNAMIC_DISPATCH): one binary runs on any x86-64 and
// builds on arm64. Scorers use them only on targets where they were measured
// to pay (LcsBatchEnabled). SetLcsBatchEnabled(false) (NEEDLE_SIMD=0 for the
// CLI) forces the scalar kernel, and the tests run every compiled target.
//
// Thread safety: LcsBatch* are pure functions; the enable flag is global and
// meant to be set before searching (tests, benchmarks).
#pragma once

#include <cstddef>
#include <cstdint>

namespace needle::score {

// Bytes that must be readable after the end of every text passed to the
// batch kernels (they load whole words). The haystack arena ends with them.
inline constexpr size_t kLcsBatchPadding = 8;

// out[i] = LCS(pattern, texts[i][0..len)) for i < count, where `masks` is the
// pattern's 256-entry mask table (bit j set in masks[c] iff pattern[j] == c)
// and `tail_mask` has the pattern's m low bits set.
// REQUIRES: 1 <= m <= 32 (LcsBatch32) or 64 (LcsBatch64); every text is
// ASCII, `len` bytes long, followed by kLcsBatchPadding readable bytes; the
// texts lie within 2 GiB of each other (LcsBatch32, whose offsets are 32-bit).
void LcsBatch32(const uint32_t* masks, uint32_t tail_mask, const char* const* texts, uint32_t len,
                size_t count, uint32_t* out);
void LcsBatch64(const uint64_t* masks, uint64_t tail_mask, const char* const* texts, uint32_t len,
                size_t count, uint32_t* out);

// Whether scorers use the batch kernels: on by default where they pay (x86
// with AVX2 or AVX-512, whose gathers are in hardware), off elsewhere.
void SetLcsBatchEnabled(bool enabled);
bool LcsBatchEnabled();

// The instruction set the kernels run on now ("AVX3", "AVX2", "SSE4", ...).
const char* LcsBatchTarget();

}  // namespace needle::score
