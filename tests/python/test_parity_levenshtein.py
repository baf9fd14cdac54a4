"""Parity of `ratio`, `setratio`, `seqratio` (x 100) and the Levenshtein distance
with python-Levenshtein 0.12.

Real pairs come from ../shared/data: perturbed copies of venue, charity and
brand names (typos, dropped and swapped words, '&'/'and', punctuation, runs
of spaces, case, legal suffixes), same-organisation pairs from the two
ground-truth group files, random pairs, legal-form names and abbreviations
in many scripts. A second, smaller set of hostile strings (random code points
up to the astral planes, empty and space-only names, 200+ code point names,
repeated characters) needs no shared data.

Each check scores every pair in one `needle score --pairs` call, with
--processor none on the raw strings and with --processor default (the Python
side then applies support.default_process to both names first).
"""

import functools
import random
import unicodedata

import support

MIN_REAL_PAIRS = 200_000


def python_knows(c):
    """True when this Python's Unicode database assigns c (its category is not Cn).

    Code points assigned by later Unicode versions have no defined isalnum
    here, so default-processor checks do not use them.
    """
    return unicodedata.category(c) != "Cn"


def fit_for_default(pair):
    return all(python_knows(c) for c in pair[0] + pair[1])


@functools.lru_cache(maxsize=None)
def real_pairs():
    support.require_shared(support.WOF, support.IRS, support.NSI, support.IRS_HISTORY, support.ELF)
    rnd = random.Random(20251121)
    wof = support.sample_names(support.WOF, 1, 60000, seed=11)
    irs = support.sample_names(support.IRS, 1, 40000, seed=12)
    nsi = support.sample_names(support.NSI, 2, 15000, seed=13)
    pairs = []
    # Perturbed copies, two of each name, in both directions (A plays the needle).
    for name in wof[:50000] + irs[:32000] + nsi[:12000]:
        for _ in range(2):
            variant = support.perturb(name, rnd)
            pairs.append((name, variant) if rnd.random() < 0.5 else (variant, name))
    # Two variants of one multi-script brand name.
    for name in nsi[12000:15000]:
        pairs.append((support.perturb(name, rnd), support.perturb(name, rnd)))
    # Names one organisation held, and names of one brand across scripts.
    for rel in (support.NSI, support.IRS_HISTORY):
        for names in support.name_groups(rel).values():
            for a, b in zip(names, names[1:]):
                pairs.append((a, b))
    # Legal forms: local names against transliterations and abbreviations.
    pairs.extend(support.elf_name_pairs())
    # Unrelated names.
    pool = wof[50000:] + irs[32000:] + nsi[:3000]
    for _ in range(15000):
        pairs.append((rnd.choice(pool), rnd.choice(pool)))
    return tuple(pairs)


# Code point ranges the hostile generator draws from: ASCII, Latin-1 and
# Latin Extended (with case), combining marks, Greek/Cyrillic, Arabic/Hebrew,
# CJK and kana, odd spaces and format characters, private use, astral
# letters, emoji and CJK Extension B, and the whole range.
RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x300, 0x36F),
    (0x370, 0x4FF),
    (0x590, 0x6FF),
    (0x3040, 0x30FF),
    (0x4E00, 0x4FFF),
    (0x2000, 0x206F),
    (0xE000, 0xE0FF),
    (0x10400, 0x1044F),
    (0x1F300, 0x1F64F),
    (0x20000, 0x200FF),
    (0x1, 0x10FFFF),
)


def random_code_point(rnd, assigned_only):
    while True:
        lo, hi = rnd.choice(RANGES)
        c = chr(rnd.randint(lo, hi))
        if 0xD800 <= ord(c) <= 0xDFFF or c in "\t\n\r\0\ufeff":
            continue
        if assigned_only and not python_knows(c):
            continue
        return c


def random_string(rnd, length, assigned_only):
    out = []
    for _ in range(length):
        out.append(" " if rnd.random() < 0.15 else random_code_point(rnd, assigned_only))
    return "".join(out)


@functools.lru_cache(maxsize=None)
def hostile_pairs(assigned_only):
    rnd = random.Random(7 if assigned_only else 8)
    fixed = [
        ("", ""), ("", "a"), ("a", ""), (" ", ""), ("", " "), (" ", " "), ("  ", " "),
        ("   ", "a"), ("a  b", "a b"), (" a ", "a"), ("a", "A"), ("\u00e9", "e\u0301"),
        ("\U0001F600", "\U0001F600\U0001F600"), ("\U00020000x", "x\U00020000"),
        ("aaaaaaaaaa", "aaa"), ("a" * 300, "a" * 299 + "b"), ("ab" * 150, "ba" * 150),
        ("\u00a0", " "), ("\u3000x", "x"), ("x\u200by", "xy"), ("...", "---"),
    ]
    # Lengths around the 64 code point word boundary of bit-parallel kernels.
    for n in (63, 64, 65, 127, 128, 129, 200, 257, 640):
        a = random_string(rnd, n, assigned_only)
        fixed.append((a, support.perturb(a, rnd)))
        fixed.append((random_string(rnd, rnd.randint(1, 40), assigned_only), a))
    pairs = [p for p in fixed if not assigned_only or fit_for_default(p)]
    for _ in range(1500):  # short random strings
        pairs.append(
            (random_string(rnd, rnd.randint(0, 12), assigned_only),
             random_string(rnd, rnd.randint(0, 12), assigned_only)))
    for _ in range(600):  # a string against a variant of itself
        a = random_string(rnd, rnd.randint(1, 60), assigned_only)
        pairs.append((a, support.perturb(a, rnd, steps=rnd.randint(1, 6))))
    for _ in range(300):  # long strings (200+ code points)
        a = random_string(rnd, rnd.randint(200, 420), assigned_only)
        pairs.append((a, support.perturb(a, rnd, steps=rnd.randint(1, 30))))
    for _ in range(300):  # repeated characters and runs of spaces
        c, d = random_code_point(rnd, assigned_only), random_code_point(rnd, assigned_only)
        a = c * rnd.randint(0, 80) + " " * rnd.randint(0, 4) + d * rnd.randint(0, 5)
        b = " " * rnd.randint(0, 3) + c * rnd.randint(0, 80) + " " * rnd.randint(0, 3)
        pairs.append((a, b) if rnd.random() < 0.5 else (b, a))
    for _ in range(300):  # many empty tokens: setratio's worst case
        a = " ".join(rnd.choice(["", "", "x", "ab", "&", "b"]) for _ in range(rnd.randint(1, 9)))
        b = " ".join(rnd.choice(["", "x", "ab", "ba", "-"]) for _ in range(rnd.randint(1, 9)))
        pairs.append((a, b))
    if pairs[0][0].startswith("\ufeff"):
        pairs.insert(0, ("a", "b"))
    return tuple(pairs)


def check_parity(pairs, scorer, processor):
    ref = support.REF_SCORERS[scorer]
    if processor == "default":
        want = [ref(support.default_process(a), support.default_process(b)) for a, b in pairs]
    else:
        want = [ref(a, b) for a, b in pairs]
    with support.tempdir() as tmp:
        got = support.score_pairs(pairs, scorer, processor, tmp)
    bad = support.mismatches(pairs, got, want)
    assert not bad, support.describe_mismatches(
        bad, len(pairs), f"{scorer} scores (--processor {processor})")


def default_fit_real_pairs():
    return [p for p in real_pairs() if fit_for_default(p)]


def test_real_pair_set_is_large_and_varied():
    pairs = real_pairs()
    assert len(pairs) >= MIN_REAL_PAIRS, f"only {len(pairs)} real pairs"
    assert len(default_fit_real_pairs()) >= MIN_REAL_PAIRS
    assert len(set(pairs)) >= 0.95 * len(pairs), "too many repeated pairs"
    text_count = {
        "non-Latin script": sum(1 for a, b in pairs if any(ord(c) > 0x24F for c in a + b)),
        "double space": sum(1 for a, b in pairs if "  " in a or "  " in b),
        "ampersand": sum(1 for a, b in pairs if "&" in a or "&" in b),
        "case-only difference": sum(1 for a, b in pairs if a != b and a.lower() == b.lower()),
    }
    for what, n in text_count.items():
        assert n >= 300, f"only {n} pairs with {what}"


def test_ratio_equals_python_levenshtein_on_real_pairs_unprocessed():
    check_parity(real_pairs(), "ratio", "none")


def test_ratio_equals_python_levenshtein_on_real_pairs_default_processor():
    check_parity(default_fit_real_pairs(), "ratio", "default")


def test_setratio_equals_python_levenshtein_on_real_pairs_unprocessed():
    check_parity(real_pairs(), "setratio", "none")


def test_setratio_equals_python_levenshtein_on_real_pairs_default_processor():
    check_parity(default_fit_real_pairs(), "setratio", "default")


def test_ratio_equals_python_levenshtein_on_hostile_strings_unprocessed():
    check_parity(hostile_pairs(False), "ratio", "none")


def test_ratio_equals_python_levenshtein_on_hostile_strings_default_processor():
    check_parity(hostile_pairs(True), "ratio", "default")


def test_setratio_equals_python_levenshtein_on_hostile_strings_unprocessed():
    check_parity(hostile_pairs(False), "setratio", "none")


def test_setratio_equals_python_levenshtein_on_hostile_strings_default_processor():
    check_parity(hostile_pairs(True), "setratio", "default")


def test_seqratio_equals_python_levenshtein_on_real_pairs_unprocessed():
    check_parity(real_pairs(), "seqratio", "none")


def test_seqratio_equals_python_levenshtein_on_real_pairs_default_processor():
    check_parity(default_fit_real_pairs(), "seqratio", "default")


def test_seqratio_equals_python_levenshtein_on_hostile_strings():
    check_parity(hostile_pairs(False), "seqratio", "none")


def test_levenshtein_distance_equals_python_levenshtein_on_real_pairs():
    check_parity(real_pairs(), "levenshtein --raw", "none")


def test_levenshtein_distance_equals_python_levenshtein_on_hostile_strings():
    check_parity(hostile_pairs(False), "levenshtein --raw", "none")


def test_hostile_set_has_astral_empty_and_long_strings():
    pairs = hostile_pairs(False)
    names = [s for p in pairs for s in p]
    assert len(pairs) >= 3000
    assert sum(1 for s in names if any(ord(c) > 0xFFFF for c in s)) >= 200
    assert sum(1 for s in names if s == "") >= 20
    assert sum(1 for s in names if len(s) >= 200) >= 300


def test_score_of_two_names_on_the_command_line_equals_pairs_mode():
    pairs = [("Acme, Inc.", "ACME INC"), ("", ""), ("Caf\u00e9  du Monde", "cafe du monde"),
             ("\u30b9\u30bf\u30fc\u30d0\u30c3\u30af\u30b9", "Starbucks"), ("A & B", "a  b")]
    with support.tempdir() as tmp:
        for scorer in support.SCORERS:
            for processor in ("default", "none"):
                batch = support.score_pairs(pairs, scorer, processor, tmp)
                for (a, b), want in zip(pairs, batch):
                    out = support.run_ok(["score", "--scorer", scorer, "--processor", processor,
                                          a, b])
                    assert float(out) == want, (scorer, processor, a, b, out, want)
