// needle/tokens.h: the token index, for the scorers that compare whole
// tokens (token_set_ratio).
//
// A token is a maximal run of non-space code points of a name (the split of
// NameForm::kSortedTokens); a name's token set is its tokens sorted and
// without repeats, joined by single spaces (NameForm::kSortedTokenSet). The
// index hashes both with TokenHash (XXH3-64) into power-of-two bucket
// tables and keeps, per bucket, the ids of the distinct names:
//   token lists: the names holding a token of that bucket, ascending, once;
//   set lists:   the names whose token set falls in that bucket, ascending.
// A bucket may hold names of other tokens or sets that share it, so a reader
// checks what it finds (the exact search scores it); it never misses one.
//
// TokenHash and the bucket choice (the hash's low bits) are part of the index
// file format (sections TOKO, TOKP, TSTO, TSTP): changing them means new
// section tags.
//
// Thread safety: pure functions; the index is read-only once built.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "needle/haystack.h"

namespace needle {

// XXH3-64 of the token's (or token set's) UTF-8 bytes.
uint64_t TokenHash(std::string_view text);

// The buckets of each table for a haystack of `distinct` names: a power of
// two near distinct / 2, at least 64.
uint32_t TokenBuckets(uint32_t distinct);

// Returns `hay` with the token index of its names (in their stored form; any
// NameForm), built with `threads` threads (0: all cores). The new Haystack
// shares the old one's bytes. About 4 bytes per token and per name, and
// 8 bytes per bucket.
std::unique_ptr<Haystack> WithTokenIndex(std::unique_ptr<Haystack> hay, int threads = 0);

}  // namespace needle
