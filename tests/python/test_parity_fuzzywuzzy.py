"""needle's ratio against fuzzywuzzy 0.18 (Debian's python3-fuzzywuzzy).

fuzzywuzzy's fuzz.ratio is python-Levenshtein's ratio x 100 rounded to an
integer (utils.intr), with no processing of its own; needle keeps the full
precision. So round(needle ratio) must equal fuzzywuzzy on every pair, which
ties needle to the package the original scripts imported, except within 1e-9
of a half, where the last bit of the float decides the rounding (needle
computes 100 * (1 - d / n) as RapidFuzz does, python-Levenshtein (n - d) / n:
7.499999999999996 against 7.5); there either neighbour is accepted.
"""

import math
import random

from fuzzywuzzy import fuzz

import support
import test_parity_levenshtein as lev


def disagrees(needle_score, fuzzy_score):
    low = math.floor(needle_score)
    if abs(needle_score - low - 0.5) < 1e-9:  # a half: either neighbour
        return fuzzy_score not in (low, low + 1)
    return round(needle_score) != fuzzy_score


def test_rounded_ratio_equals_fuzzywuzzy_on_real_pairs():
    pairs = list(lev.real_pairs())
    random.Random(18).shuffle(pairs)
    pairs = pairs[:30000]
    with support.tempdir() as tmp:
        got = support.score_pairs(pairs, "ratio", "none", tmp)
    bad = [(a, b, g, fuzz.ratio(a, b)) for (a, b), g in zip(pairs, got)
           if disagrees(g, fuzz.ratio(a, b))]
    assert not bad, f"{len(bad)} of {len(pairs)} pairs differ, e.g. {bad[:3]!r}"


def test_rounded_ratio_equals_fuzzywuzzy_on_hostile_strings():
    pairs = [p for p in lev.hostile_pairs(False)]
    with support.tempdir() as tmp:
        got = support.score_pairs(pairs, "ratio", "none", tmp)
    bad = [(a, b, g, fuzz.ratio(a, b)) for (a, b), g in zip(pairs, got)
           if disagrees(g, fuzz.ratio(a, b))]
    assert not bad, f"{len(bad)} of {len(pairs)} pairs differ, e.g. {bad[:3]!r}"
