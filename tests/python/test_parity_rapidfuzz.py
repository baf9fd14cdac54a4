"""Parity of the RapidFuzz 3.x scorers needle implements with RapidFuzz.

The expected scores are the columns of ../shared/vectors/rapidfuzz_vectors.tsv.xz
(computed by rapidfuzz-cpp 3.3.3 on code points, no processing), so needle runs
with --processor none. data/rapidfuzz_sample.tsv (2,000 rows of that file, see
make_rapidfuzz_sample.py) keeps the check alive without ../shared.
"""

import lzma

import support

SAMPLE = support.DATA / "rapidfuzz_sample.tsv"
CHECKED = ("ratio", "partial_ratio", "token_sort_ratio", "token_set_ratio", "token_ratio",
           "partial_token_sort_ratio", "partial_token_set_ratio", "partial_token_ratio",
           "WRatio", "QRatio",
           "levenshtein", "indel", "lcs", "osa", "damerau_levenshtein", "jaro",
           "jaro_winkler", "prefix", "postfix")
# The scorers the Python reference implementations in support.py cover.
REFERENCED = ("ratio", "token_sort_ratio", "token_set_ratio")


def read_vectors(text):
    """{column: values} plus 'pairs', from TSV text with a header row."""
    lines = text.split("\n")
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:] if line]
    for row in rows:
        assert len(row) == len(header), f"ragged vector row {row[:2]!r}"
    table = {"pairs": [(r[0], r[1]) for r in rows]}
    for column in CHECKED:
        i = header.index(column)
        table[column] = [float(r[i]) for r in rows]
    return table


def full_vectors():
    support.require_shared(support.VECTORS)
    with lzma.open(support.SHARED / support.VECTORS, "rt", encoding="utf-8", newline="\n") as f:
        return read_vectors(f.read())


def sample_vectors():
    return read_vectors(SAMPLE.read_bytes().decode("utf-8"))


def check_scorer(table, scorer):
    pairs = table["pairs"]
    with support.tempdir() as tmp:
        got = support.score_pairs(pairs, scorer, "none", tmp)
    bad = support.mismatches(pairs, got, table[scorer])
    assert not bad, support.describe_mismatches(bad, len(pairs), f"{scorer} scores")


def test_sample_has_2000_rows_with_edge_cases():
    table = sample_vectors()
    assert len(table["pairs"]) == 2000
    assert any(a == "" or b == "" for a, b in table["pairs"]), "no empty name in the sample"
    assert any(not a.isascii() for a, _ in table["pairs"]), "no non-ASCII name in the sample"


def test_sample_rows_come_from_the_shared_vectors():
    full = full_vectors()
    index = {pair: i for i, pair in enumerate(full["pairs"])}
    sample = sample_vectors()
    for k, pair in enumerate(sample["pairs"]):
        assert pair in index, f"sample pair {pair!r} is not in {support.VECTORS}"
        for column in CHECKED:
            assert sample[column][k] == full[column][index[pair]], (pair, column)


def _parity_tests(scorer):
    def on_sample():
        check_scorer(sample_vectors(), scorer)

    def on_all():
        table = full_vectors()
        assert len(table["pairs"]) == 30000
        check_scorer(table, scorer)

    return on_sample, on_all


# One test per scorer and table: test_<scorer>_matches_rapidfuzz_on_{bundled_sample,all_30000_vectors}
for _scorer in CHECKED:
    _sample, _all = _parity_tests(_scorer)
    globals()[f"test_{_scorer}_matches_rapidfuzz_on_bundled_sample"] = _sample
    globals()[f"test_{_scorer}_matches_rapidfuzz_on_all_30000_vectors"] = _all


def test_python_reference_scorers_reproduce_the_sample():
    """The references the top-K tests trust agree with RapidFuzz too."""
    table = sample_vectors()
    for scorer in REFERENCED:
        ref = support.REF_SCORERS[scorer]
        want = [ref(a, b) for a, b in table["pairs"]]
        bad = support.mismatches(table["pairs"], want, table[scorer])
        assert not bad, support.describe_mismatches(bad, len(want), f"Python reference {scorer}")
