"""Exactness of `needle match` top-K against a naive Python reference.

The reference scores every haystack row with the Python scorer of
support.REF_SCORERS, sorts by (-score, row), keeps scores >= cutoff and takes
the first K. needle must return the same rows (compared by id) with the same
scores (1e-9), for every scorer, K = 1 and 5, cutoffs 0, 50 and 80, and 1 and
2 threads (which must also give byte-identical output).

Ties: ratio, token_sort_ratio and token_set_ratio are computed, in both
implementations, from one correctly rounded quotient of small integers, so
mathematically equal scores are bitwise equal on both sides: equal reference
scores are exact ties and must be broken by the lower haystack row.
setratio sums floating-point terms in an order python-Levenshtein does not
share, so two setratio scores within 1e-9 may come in either order (and either
may take the last place). A score within 1e-9 of the cutoff may be kept or not.
Whatever the scorer, rows the binary prints with equal scores must be in row
order.

Two fixtures: (i) ~3,000 real names from ../shared with exact duplicate rows
and rows equal after processing, ~150 perturbed and related needles,
--processor default; (ii) random short strings over a tiny alphabet (ties
everywhere), --processor none and default, no shared data needed.
"""

import functools
import random

import Levenshtein

import support

TOL = support.TOLERANCE
CUTOFFS = (0, 50, 80)
TOPS = (1, 5)
THREADS = (1, 2)
STRICT_TIES = {"ratio": True, "token_sort_ratio": True, "token_set_ratio": True,
               "setratio": False}


class Fixture:
    """A haystack and needles on disk, with the reference ranking per scorer."""

    def __init__(self, tmp, hay, needles, processor):
        self.hay_names = [name for _, name in hay]
        self.hay_ids = [i for i, _ in hay]
        self.needles = needles
        self.processor = processor
        self.row_of_id = {hid: row for row, hid in enumerate(self.hay_ids)}
        assert len(self.row_of_id) == len(hay), "haystack ids must be unique"
        self.hay_path = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], hay)
        self.needle_path = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], needles)
        self._scores = {}
        self.timeout = support.TIMEOUT_SECONDS

    def scores(self, scorer):
        """([needle][row] reference scores, [needle] rows by (-score, row)), cached."""
        if scorer not in self._scores:
            scores = reference_scores(
                scorer, [support.process(n, self.processor) for _, n in self.needles],
                [support.process(h, self.processor) for h in self.hay_names])
            rankings = [sorted(range(len(row)), key=lambda r, row=row: (-row[r], r))
                        for row in scores]
            self._scores[scorer] = (scores, rankings)
        return self._scores[scorer]


def _as_is(s):
    return s


def _space_tokens(s):
    return s.split(" ")


def _setratio_of_tokens(a_tokens, b_tokens):
    return Levenshtein.setratio(a_tokens, b_tokens) * 100


def _with_token_set(s):
    return s, support.token_set_parts(s)


def _token_set_ratio_prepared(a, b):
    return support.ref_token_set_ratio(a[0], b[0], a[1], b[1])


# scorer -> (prepare one name once, score two prepared names)
PREPARED_SCORERS = {
    "ratio": (_as_is, support.ref_ratio),
    "setratio": (_space_tokens, _setratio_of_tokens),
    "token_sort_ratio": (support.sorted_joined, support.ref_ratio),
    "token_set_ratio": (_with_token_set, _token_set_ratio_prepared),
}


def reference_scores(scorer, needles, hay):
    """Scores of every needle against every haystack name (both processed)."""
    prepare, score = PREPARED_SCORERS[scorer]
    distinct = sorted(set(hay))
    index = {name: i for i, name in enumerate(distinct)}
    hay_prepared = [prepare(h) for h in distinct]
    out = []
    for needle in needles:
        p = prepare(needle)
        by_distinct = [score(p, h) for h in hay_prepared]
        out.append([by_distinct[index[h]] for h in hay])
    return out


def check_needle(fx, label, needle_scores, ranking, block, k, cutoff, strict):
    """Checks one needle's output rows against its reference scores."""
    nid, nname = block[0][0], block[0][1]
    certain = [r for r in ranking if needle_scores[r] >= cutoff + TOL]
    eligible_count = sum(1 for r in ranking if needle_scores[r] >= cutoff - TOL)
    if len(block) == 1 and block[0][2:] == ["", "", "", ""]:
        assert not certain, f"{label}: needle {nid} got no match, but row {certain[0]} " \
                            f"scores {needle_scores[certain[0]]!r}"
        return
    assert [r[2] for r in block] == [str(i) for i in range(1, len(block) + 1)], \
        f"{label}: needle {nid} ranks {[r[2] for r in block]}"
    out = []
    for _, _, _, match_id, match, score_text in block:
        assert match_id in fx.row_of_id, f"{label}: unknown match_id {match_id!r}"
        row = fx.row_of_id[match_id]
        assert match == fx.hay_names[row], f"{label}: match name of row {row} is {match!r}"
        assert score_text == support.format_shortest(score_text), \
            f"{label}: score {score_text!r} is not in shortest round-trip form"
        out.append((row, float(score_text)))
    rows = [r for r, _ in out]
    assert len(set(rows)) == len(rows), f"{label}: needle {nid} lists a row twice: {rows}"
    assert len(out) <= k
    assert min(k, len(certain)) <= len(out) <= min(k, eligible_count), \
        f"{label}: needle {nid} has {len(out)} rows; reference: {len(certain)} certain, " \
        f"{eligible_count} possible at cutoff {cutoff}"
    for row, got in out:
        want = needle_scores[row]
        assert abs(got - want) <= TOL, \
            f"{label}: needle {nid!r} ({nname!r}) row {row} ({fx.hay_names[row]!r}): " \
            f"score {got!r}, reference {want!r}"
        assert want >= cutoff - TOL, f"{label}: row {row} below the cutoff: {want!r}"
    for (r1, g1), (r2, g2) in zip(out, out[1:]):
        assert g1 >= g2, f"{label}: needle {nid} scores not descending: {g1!r} then {g2!r}"
        assert g1 != g2 or r1 < r2, f"{label}: needle {nid}: equal scores {g1!r} with rows " \
                                    f"{r1} before {r2} (ties go to the lower row)"
        s1, s2 = needle_scores[r1], needle_scores[r2]
        assert not s2 > s1 + TOL, f"{label}: needle {nid}: row {r2} ({s2!r}) after {r1} ({s1!r})"
        assert not (strict and s1 == s2 and r1 > r2), \
            f"{label}: needle {nid}: tie {s1!r} with row {r1} before row {r2}"
    # Nothing left out may beat the weakest row kept.
    chosen = set(rows)
    worst = min(rows, key=lambda r: (needle_scores[r], -r))
    sw = needle_scores[worst]
    for r in ranking:
        s = needle_scores[r]
        if s < sw - TOL:
            break
        if r in chosen:
            continue
        beats = s > sw + TOL or (strict and s == sw and r < worst)
        assert not beats, f"{label}: needle {nid!r} ({nname!r}): row {r} " \
                          f"({fx.hay_names[r]!r}, {s!r}) left out, row {worst} ({sw!r}) kept"
    if len(out) < k:
        missing = [r for r in certain if r not in chosen]
        assert not missing, f"{label}: needle {nid}: rows {missing[:5]} reach the cutoff " \
                            f"but are not listed"


def check_output(fx, scorer, rows, k, cutoff, label):
    scores, rankings = fx.scores(scorer)
    strict = STRICT_TIES[scorer]
    pos = 0
    for n, (nid, nname) in enumerate(fx.needles):
        block = []
        while pos < len(rows) and rows[pos][0] == nid:
            block.append(rows[pos])
            pos += 1
        assert block, f"{label}: needle #{n + 1} ({nid}) missing or out of input order"
        for r in block:
            assert r[1] == nname, f"{label}: needle column {r[1]!r}, expected {nname!r}"
        check_needle(fx, label, scores[n], rankings[n], block, k, cutoff, strict)
    assert pos == len(rows), f"{label}: {len(rows) - pos} rows after the last needle"


def check_all_options(fx, scorer):
    """Every K x cutoff x threads combination for one scorer."""
    for k in TOPS:
        for cutoff in CUTOFFS:
            outputs = {}
            for threads in THREADS:
                outputs[threads] = support.run_ok([
                    "match", fx.hay_path, fx.needle_path, "--scorer", scorer,
                    "--processor", fx.processor, "--top", k, "--cutoff", cutoff,
                    "--threads", threads, "--quiet"], timeout=fx.timeout)
            label = f"{scorer} --processor {fx.processor} --top {k} --cutoff {cutoff}"
            assert outputs[1] == outputs[2], f"{label}: 1 and 2 threads differ"
            check_output(fx, scorer, support.parse_match_csv(outputs[1]), k, cutoff, label)


# ------------------------------------------------------- (i) real names

_TMP = {}


def fixture_dir(name):
    """A temporary directory kept for the whole run (removed at exit)."""
    if name not in _TMP:
        _TMP[name] = support.tempdir()
    return _TMP[name].name


def same_after_processing(name, rnd):
    """A different spelling of name that default_process maps to the same text."""
    target = support.default_process(name)
    for make in (str.upper, str.lower, lambda s: "(" + s + ")", lambda s: s + ".",
                 lambda s: s.replace(" ", "-"), lambda s: "*" + s.swapcase()):
        variant = make(name)
        if variant != name and support.default_process(variant) == target:
            return variant
    return None


@functools.lru_cache(maxsize=None)
def real_fixture():
    support.require_shared(support.WOF, support.IRS, support.NSI, support.IRS_HISTORY)
    rnd = random.Random(31337)
    names = (support.sample_names(support.WOF, 1, 1220, seed=41)
             + support.sample_names(support.IRS, 1, 850, seed=42)
             + support.sample_names(support.NSI, 2, 450, seed=43))
    related = []  # (name in the haystack, another name of the same organisation)
    for rel, count in ((support.IRS_HISTORY, 60), (support.NSI, 40)):
        groups = support.name_groups(rel)
        for gid in rnd.sample(sorted(groups), count):
            first, other = rnd.sample(groups[gid], 2)
            names.append(first)
            related.append(other)
    hay_names = list(names)
    hay_names += rnd.sample(names, 150)  # exact duplicates
    variants = [same_after_processing(n, rnd) for n in rnd.sample(names, 200)]
    hay_names += [v for v in variants if v][:150]
    # Same words in another order or with extra spaces: equal for the token scorers.
    multi_word = [n for n in names if n.count(" ") >= 2]
    hay_names += [" ".join(reversed(n.split())) for n in rnd.sample(multi_word, 60)]
    hay_names += [n.replace(" ", "   ", 1) for n in rnd.sample(multi_word, 20)]
    hay_names += ["", "&", "...", "  ", "A", "Z" * 250, "Acme & Sons, Inc."]
    rnd.shuffle(hay_names)
    ids = rnd.sample(range(10**6, 10**7), len(hay_names))
    hay = [[f"h{i}", name] for i, name in zip(ids, hay_names)]

    needle_names = [support.perturb(rnd.choice(names), rnd) for _ in range(95)]
    needle_names += rnd.sample(hay_names, 10)  # exact copies (duplicates tie)
    needle_names += related[:25]
    needle_names += support.sample_names(support.WOF, 1, 12, seed=44)  # unrelated
    needle_names += ["a", "ACME AND SONS INC", "\u30b9\u30bf\u30fc\u30d0\u30c3\u30af\u30b9"]
    needle_names += [needle_names[0], needle_names[1]]  # the same needle twice
    # Needles that are empty after processing have their own test below.
    needle_names = [n for n in needle_names if support.default_process(n)]
    needles = [[f"n{i:03d}", name] for i, name in enumerate(needle_names, 1)]
    return Fixture(fixture_dir("real"), hay, needles, "default")


def test_real_fixture_has_duplicates_and_rows_equal_after_processing():
    fx = real_fixture()
    assert 2800 <= len(fx.hay_names) <= 3300, len(fx.hay_names)
    assert 140 <= len(fx.needles) <= 170, len(fx.needles)
    processed = [support.default_process(n) for n in fx.hay_names]
    assert len(fx.hay_names) - len(set(fx.hay_names)) >= 100, "too few exact duplicates"
    twins = len(set(fx.hay_names)) - len(set(processed))
    assert twins >= 100, f"only {twins} rows equal to another after processing"
    sorted_forms = [support.sorted_joined(p) for p in processed]
    token_twins = len(set(processed)) - len(set(sorted_forms))
    assert token_twins >= 50, f"only {token_twins} rows equal to another after token sorting"


def test_topk_ratio_on_real_names():
    check_all_options(real_fixture(), "ratio")


def test_topk_setratio_on_real_names():
    check_all_options(real_fixture(), "setratio")


def test_topk_token_sort_ratio_on_real_names():
    check_all_options(real_fixture(), "token_sort_ratio")


def test_topk_token_set_ratio_on_real_names():
    check_all_options(real_fixture(), "token_set_ratio")


# ---------------------------------------------------- (ii) tiny alphabet


@functools.lru_cache(maxsize=None)
def tiny_fixture(processor):
    rnd = random.Random(5 if processor == "none" else 6)

    def word():
        return "".join(rnd.choice("aaabbb   -A") for _ in range(rnd.randint(0, 5)))

    hay_names = [word() for _ in range(400)]
    ids = rnd.sample(range(1000, 100000), len(hay_names))
    hay = [[f"t{i}", name] for i, name in zip(ids, hay_names)]
    # Needles that are empty after processing have their own test below.
    needle_words = [w for w in (word() for _ in range(60)) if support.process(w, processor)]
    needles = [[f"q{i}", w] for i, w in enumerate(needle_words[:40], 1)]
    return Fixture(fixture_dir(f"tiny-{processor}"), hay, needles, processor)


def test_tiny_fixture_is_full_of_ties():
    fx = tiny_fixture("none")
    assert len(set(fx.hay_names)) < len(fx.hay_names) / 2, "expected many duplicate rows"
    scores = fx.scores("ratio")[0][0]
    assert len(set(scores)) < len(scores) / 10, "expected many tied scores"


def expect_rejected(fx, scorer, rows, k, cutoff, what):
    try:
        check_output(fx, scorer, rows, k, cutoff, what)
    except AssertionError:
        return
    raise AssertionError(f"the checker accepted {what}")


def test_checker_rejects_wrong_answers():
    """The reference check itself: a correct output passes, doctored ones fail."""
    fx = tiny_fixture("none")
    out = support.run_ok(["match", fx.hay_path, fx.needle_path, "--scorer", "ratio",
                          "--processor", "none", "--top", "5", "--quiet"])
    rows = support.parse_match_csv(out)
    check_output(fx, "ratio", rows, 5, 0, "unchanged output")
    tie = next(i for i in range(len(rows) - 1)
               if rows[i][0] == rows[i + 1][0] and rows[i][5] == rows[i + 1][5])
    swapped = [list(r) for r in rows]
    swapped[tie][3:5], swapped[tie + 1][3:5] = swapped[tie + 1][3:5], swapped[tie][3:5]
    expect_rejected(fx, "ratio", swapped, 5, 0, "a tie out of row order")
    shifted = [list(r) for r in rows]
    shifted[0][5] = repr(float(shifted[0][5]) - 1e-6)
    expect_rejected(fx, "ratio", shifted, 5, 0, "a score off by 1e-6")
    expect_rejected(fx, "ratio", rows[:-1], 5, 0, "a missing last row")
    expect_rejected(fx, "ratio", rows[1:], 5, 0, "a missing first row")
    expect_rejected(fx, "ratio", rows, 4, 0, "more rows than K")
    worst = min(range(len(fx.hay_names)), key=lambda r: fx.scores("ratio")[0][0][r])
    replaced = [list(r) for r in rows]
    replaced[0][3], replaced[0][4] = fx.hay_ids[worst], fx.hay_names[worst]
    replaced[0][5] = support.format_shortest(fx.scores("ratio")[0][0][worst])
    expect_rejected(fx, "ratio", replaced, 5, 0, "a weak row in place of the best")


def test_topk_ratio_on_tiny_alphabet():
    for processor in ("none", "default"):
        check_all_options(tiny_fixture(processor), "ratio")


def test_topk_setratio_on_tiny_alphabet():
    for processor in ("none", "default"):
        check_all_options(tiny_fixture(processor), "setratio")


def test_topk_token_sort_ratio_on_tiny_alphabet():
    for processor in ("none", "default"):
        check_all_options(tiny_fixture(processor), "token_sort_ratio")


def test_topk_token_set_ratio_on_tiny_alphabet():
    for processor in ("none", "default"):
        check_all_options(tiny_fixture(processor), "token_set_ratio")


def test_topk_needles_empty_after_processing():
    """Empty and punctuation-only needles against a haystack holding empty
    names too: every scorer, K, cutoff and thread count."""
    tiny = tiny_fixture("default")
    hay = [[hid, name] for hid, name in zip(tiny.hay_ids, tiny.hay_names)]
    hay += [["real1", "Acme Inc"], ["real2", "!!!"], ["real3", ""]]
    needles = [["e1", ""], ["e2", "!!!"], ["e3", " - "], ["e4", "ab"], ["e5", "..."]]
    fx = Fixture(fixture_dir("empty"), hay, needles, "default")
    fx.timeout = 10
    failures = []
    for scorer in support.SCORERS:
        try:
            check_all_options(fx, scorer)
        except AssertionError as e:
            failures.append(f"{scorer}: {e}")
    assert not failures, "\n".join(failures)


def test_no_match_row_keeps_needle_id_and_original_name():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Zebra Zone"]])
        needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"],
                                    [["n1", "Acme, \"Inc\""], ["n2", "zebra zone!"]])
        out = support.run_ok(["match", hay, needles, "--cutoff", "90", "--quiet"])
        assert out == ('needle_id,needle,rank,match_id,match,score\n'
                       'n1,"Acme, ""Inc""",,,,\n'
                       'n2,zebra zone!,1,h1,Zebra Zone,100\n'), out


def test_exact_duplicates_are_ranked_by_row():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"],
                                [["x9", "Bolt"], ["x3", "Nut"], ["x7", "NUT"], ["x1", "nut."],
                                 ["x5", "Nut"]])
        needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], [["n", "nut"]])
        rows = support.match_rows([hay, needles, "--top", "5"])
        assert [r[3] for r in rows] == ["x3", "x7", "x1", "x5", "x9"], rows
        assert [r[5] for r in rows[:4]] == ["100"] * 4, rows


# ------------------------------------------- a large haystack (many blocks)


def test_original_rows_come_back_intact_from_a_120000_row_haystack():
    support.require_shared(support.WOF)
    lines = support.shared_lines(support.WOF)
    rnd = random.Random(77)
    start = rnd.randrange(len(lines) - 120000)
    hay = [line.split("\t")[:2] for line in lines[start:start + 120000]]
    hay = [[hid, name] for hid, name in hay if support.usable(name)]
    first_row = {}
    for row, (_, name) in enumerate(hay):
        first_row.setdefault(name, row)
    picks = sorted(rnd.sample(range(len(hay)), 300))
    with support.tempdir() as tmp:
        hay_path = support.write_csv(f"{tmp}/hay.csv", ["wof_id", "name"], hay)
        needles = [[str(i), hay[r][1]] for i, r in enumerate(picks)]
        needle_path = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], needles)
        rows = support.match_rows([hay_path, needle_path, "--id-column", "wof_id",
                                   "--needle-id-column", "id", "--processor", "none",
                                   "--scorer", "ratio", "--threads", "2"])
    assert len(rows) == len(picks)
    for (nid, name, rank, match_id, match, score), r in zip(rows, picks):
        expected = hay[first_row[hay[r][1]]]
        assert (rank, match_id, match, score) == ("1", expected[0], expected[1], "100"), \
            f"needle {name!r}: got {match_id} {match!r} {score}, expected {expected}"
