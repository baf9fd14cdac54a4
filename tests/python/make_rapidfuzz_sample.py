#!/usr/bin/python3
"""Regenerates data/rapidfuzz_sample.tsv from ../shared/vectors.

A deterministic sample of 2,000 rows of rapidfuzz_vectors.tsv.xz with all its
columns (values copied as text), so the RapidFuzz parity tests also run without ../shared. 150 rows
come from the edge cases (a name that is empty or one code point long), the
rest from all other rows; both drawn with a fixed seed, kept in file order.

Usage: /usr/bin/python3 tests/python/make_rapidfuzz_sample.py
"""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import support  # noqa: E402

COLUMNS = ("s1", "s2", "ratio", "partial_ratio", "token_sort_ratio", "token_set_ratio",
           "token_ratio", "partial_token_sort_ratio", "partial_token_set_ratio",
           "partial_token_ratio", "WRatio", "QRatio", "levenshtein", "indel", "lcs", "osa",
           "damerau_levenshtein", "jaro", "jaro_winkler", "prefix", "postfix")
SAMPLE_ROWS = 2000
EDGE_ROWS = 150
SEED = 20275


def main():
    support.require_shared(support.VECTORS)
    import lzma

    with lzma.open(support.SHARED / support.VECTORS, "rt", encoding="utf-8", newline="\n") as f:
        lines = f.read().split("\n")
    header = lines[0].split("\t")
    index = [header.index(c) for c in COLUMNS]
    rows = [line.split("\t") for line in lines[1:] if line]
    edge = [i for i, r in enumerate(rows) if len(r[0]) <= 1 or len(r[1]) <= 1]
    edge_set = set(edge)
    other = [i for i in range(len(rows)) if i not in edge_set]
    rnd = random.Random(SEED)
    chosen = rnd.sample(edge, EDGE_ROWS) + rnd.sample(other, SAMPLE_ROWS - EDGE_ROWS)
    out = ["\t".join(COLUMNS)]
    for i in sorted(chosen):
        out.append("\t".join(rows[i][j] for j in index))
    support.DATA.mkdir(exist_ok=True)
    target = support.DATA / "rapidfuzz_sample.tsv"
    target.write_bytes(("\n".join(out) + "\n").encode("utf-8"))
    print(f"wrote {len(chosen)} rows to {target}")


if __name__ == "__main__":
    main()
