"""`needle match --method exact` (the default) against `--method scan`.

The scan is the reference (tested against naive Python top-K in
test_topk.py); the exact search must print byte-identical output: the same
rows, ranks and scores for every needle. 20,000 needles made from real names
(data/demo, shipped in the repo) with typos, extra words and unrelated names,
against 30,000 real names, for K = 1 and 10 and cutoffs 0, 50, 80 and 95,
with ratio; fewer needles for the other scorers with a bigram or a
character bound, from a CSV and from an index file. --timings must list
every needle once.
"""

import csv
import random
from pathlib import Path

import support

CUTOFFS = (0, 50, 80, 95)
TOPS = (1, 10)


def _perturb(name, rng):
    s = list(name)
    for _ in range(rng.randrange(4)):
        if not s:
            break
        i = rng.randrange(len(s))
        op = rng.randrange(5)
        if op == 0:
            del s[i]
        elif op == 1:
            s.insert(i, rng.choice("abcdefghijklmnopqrstuvwxyz "))
        elif op == 2 and i + 1 < len(s):
            s[i], s[i + 1] = s[i + 1], s[i]
        elif op == 3:
            s[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        else:
            s += list(rng.choice([" Inc", " LLC", " Foundation", " of America"]))
    return "".join(s)


def _fixture(tmp, needles_count, seed):
    rng = random.Random(seed)
    names = support.demo_names(30000)
    others = support.demo_names(100000)[30000:]
    needles = []
    for i in range(needles_count):
        if i % 4 == 3:
            needles.append(rng.choice(others))  # most have no close match
        else:
            needles.append(_perturb(rng.choice(names), rng))
    return support.write_hay_and_needles(tmp, names, needles)


def _same_output(hay, needles, tmp, scorer, top, cutoff):
    outs = {}
    for method in ("scan", "exact"):
        out = tmp / f"{method}.csv"
        support.run_ok(["match", hay, needles, "-s", scorer, "-k", top, "-c", cutoff,
                        "--method", method, "-o", out, "-q", "-t", 2], timeout=300)
        outs[method] = out.read_bytes()
    assert outs["exact"] == outs["scan"], (
        f"{scorer} K={top} cutoff={cutoff}: exact and scan differ")
    return outs["exact"]


def test_exact_equals_scan_on_20000_needles_for_ratio():
    with support.tempdir() as tmpname:
        tmp = Path(tmpname)
        hay, needles = _fixture(tmp, 20000, 1)
        for top in TOPS:
            for cutoff in CUTOFFS:
                out = _same_output(hay, needles, tmp, "ratio", top, cutoff)
                rows = support.parse_match_csv(out.decode("utf-8"))
                # Every needle appears; cutoff 95 leaves some without a match.
                assert len({r[0] for r in rows}) == 20000
        assert any(r[2] == "" for r in rows)


def _same_output_for(scorers, needles_count, seed):
    """exact == scan for each scorer, K and cutoff, on one fixture."""
    with support.tempdir() as tmpname:
        tmp = Path(tmpname)
        hay, needles = _fixture(tmp, needles_count, seed)
        for scorer in scorers:
            for top in TOPS:
                for cutoff in CUTOFFS:
                    _same_output(hay, needles, tmp, scorer, top, cutoff)


def test_exact_equals_scan_for_every_scorer_with_a_bound():
    _same_output_for(("QRatio", "token_sort_ratio", "indel", "lcs", "levenshtein",
                      "token_set_ratio"), 1500, 2)


def test_exact_equals_scan_for_the_slow_scorers_with_a_character_bound():
    # Their scan is slow: fewer needles.
    _same_output_for(("WRatio", "partial_ratio", "setratio"), 400, 6)


def test_exact_from_an_index_equals_scan_from_the_csv():
    with support.tempdir() as tmpname:
        tmp = Path(tmpname)
        hay, needles = _fixture(tmp, 3000, 3)
        for scorer in ("ratio", "token_sort_ratio", "token_set_ratio"):
            index = tmp / f"{scorer}.ndx"
            support.run_ok(["index", hay, "-o", index, "-s", scorer, "-q"])
            stats = support.run_ok(["index", "stats", index])
            if scorer == "token_set_ratio":
                # No scorer of sorted token sets has a bigram bound: no bigram index;
                # its exact search reads the token index instead.
                assert "GRMO" not in stats and "GRMP" not in stats, stats
                assert all(t in stats for t in ("TOKO", "TOKP", "TSTO", "TSTP")), stats
            else:
                # No bigram index unless asked for (match does not read it).
                assert "GRMO" not in stats and "GRMP" not in stats, stats
                assert "TOKO" not in stats, stats
            scan = tmp / "scan.csv"
            exact = tmp / "exact.csv"
            support.run_ok(["match", hay, needles, "-s", scorer, "-k", 10, "--method", "scan",
                            "-o", scan, "-q"], timeout=300)
            support.run_ok(["match", index, needles, "-s", scorer, "-k", 10, "-o", exact, "-q"])
            assert exact.read_bytes() == scan.read_bytes(), scorer
        # An index with the bigram index (--grams) gives the same results (no
        # search reads it where names have character signatures:
        # docs/search.md), as does --no-grams, now the default.
        bare = tmp / "bare.ndx"
        support.run_ok(["index", hay, "-o", bare, "--grams", "-s", "ratio", "-q"])
        assert "GRMO" in support.run_ok(["index", "stats", bare])
        exact = tmp / "grams.csv"
        support.run_ok(["match", bare, needles, "-s", "ratio", "-k", 10, "-o", exact, "-q"])
        scan = tmp / "scan_ratio_grams.csv"
        support.run_ok(["match", hay, needles, "-s", "ratio", "-k", 10, "--method", "scan",
                        "-o", scan, "-q"], timeout=300)
        assert exact.read_bytes() == scan.read_bytes()
        support.run_ok(["index", hay, "-o", bare, "--no-grams", "-q"])
        assert "GRMO" not in support.run_ok(["index", "stats", bare])
        exact = tmp / "bare.csv"
        support.run_ok(["match", bare, needles, "-k", 10, "-o", exact, "-q"])
        scan = tmp / "scan_ratio.csv"
        support.run_ok(["match", hay, needles, "-k", 10, "--method", "scan", "-o", scan, "-q"])
        assert exact.read_bytes() == scan.read_bytes()


def test_timings_list_every_needle_and_scorers_without_a_bound_scan():
    with support.tempdir() as tmpname:
        tmp = Path(tmpname)
        hay, needles = _fixture(tmp, 500, 4)
        timings = tmp / "timings.csv"
        support.run_ok(["match", hay, needles, "-o", tmp / "out.csv", "--timings", timings, "-q"])
        with open(timings, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert [int(r["needle_row"]) for r in rows] == list(range(1, 501))
        assert all(float(r["micros"]) > 0 for r in rows)
        # ratio searches the index: most needles never fall back to the scan.
        assert sum(int(r["scanned"]) for r in rows) < 50
        support.run_ok(["match", hay, needles, "-s", "seqratio", "-o", tmp / "w.csv",
                        "--timings", timings, "-q"])
        with open(timings, encoding="utf-8") as f:
            assert all(r["scanned"] == "1" for r in csv.DictReader(f))
        # setratio has a character bound: it no longer scans.
        support.run_ok(["match", hay, needles, "-s", "setratio", "-o", tmp / "w.csv",
                        "--timings", timings, "-q"])
        with open(timings, encoding="utf-8") as f:
            assert all(r["scanned"] == "0" for r in csv.DictReader(f))


def test_bad_method_and_timings_over_an_input_are_refused():
    with support.tempdir() as tmpname:
        tmp = Path(tmpname)
        hay, needles = _fixture(tmp, 10, 5)
        rc, _, err = support.run_needle(["match", hay, needles, "--method", "fast"])
        assert rc != 0 and "--method" in err and "exact or scan" in err, err
        rc, _, err = support.run_needle(["match", hay, needles, "-o", tmp / "o.csv",
                                         "--timings", needles])
        assert rc != 0 and "--timings" in err, err
        assert needles.read_text(encoding="utf-8").startswith("id,name")
