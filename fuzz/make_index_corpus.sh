#!/bin/bash
# Rebuilds the seed corpus of index_reader_fuzz: small index files of every
# name form, with and without ids, duplicates, a zstd dictionary, the
# bigram and the token index. Run it
# after a change to the index format (IndexCorpus.EverySeedOpensAndVerifies
# fails until then). Usage: fuzz/make_index_corpus.sh [build/needle]
set -euo pipefail
cd "$(dirname "$0")/.."
needle=${1:-build/needle}
out=fuzz/corpus/index_reader_fuzz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -21 data/demo/haystack.csv > "$tmp/small.csv"
head -701 data/demo/haystack.csv > "$tmp/mid.csv"
printf 'id,name\nh1,Acme Corp\nh2,ACME corp.\nh3,Beta & Sons\nh4,Z\xc3\xbcrich Versicherung\nx9,\nh5,acme corp\n' > "$tmp/dups.csv"
printf 'Acme\nBeta Gamma\nbeta gamma\n\xc3\x89cole\n' > "$tmp/names.txt"
rm -f "$out"/*.ndx
mkdir -p "$out"
# The bigram index (GRMO is 256 KiB whatever the haystack) in one seed only,
# to keep the inputs small for the others.
"$needle" index "$tmp/small.csv" -o "$out/small.ndx" --scorer ratio --no-grams -q
"$needle" index "$tmp/dups.csv" -o "$out/dups_grams.ndx" --scorer ratio -q
"$needle" index "$tmp/mid.csv" -o "$out/dict.ndx" --scorer ratio --no-grams -q
"$needle" index "$tmp/dups.csv" -o "$out/dups.ndx" --scorer ratio --no-grams -q
# The token index (TOKO, TOKP, TSTO, TSTP), of sorted token sets and of
# processed names; and the name scorer's processor.
"$needle" index "$tmp/dups.csv" -o "$out/dups_token_set.ndx" --scorer token_set_ratio -q
"$needle" index "$tmp/small.csv" -o "$out/small_tokens.ndx" --scorer WRatio --no-grams -q
"$needle" index "$tmp/small.csv" -o "$out/small_name.ndx" --scorer name -q
"$needle" index "$tmp/names.txt" -o "$out/noids_sorted_tokens.ndx" --scorer token_sort_ratio \
  --processor none --no-grams -q
ls -l "$out"
