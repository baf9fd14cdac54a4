"""The `name` scorer through the CLI.

Its formula, bound and search are tested in src/search/name_match_test.cc;
here: `match -s name` gives byte-identical output with --method exact and
--method scan on real names (data/demo) with perturbed and unrelated needles,
K 1 and 10, cutoffs 0, 50, 80, 95; from an index file as from the CSV; it
picks the right organisation where ratio picks a look-alike; `score -s name`
and the processor default; `normalize --input`.
"""

import csv
import random
from pathlib import Path

import support


def _perturb(name, rng):
    words = name.split()
    for _ in range(1 + rng.randrange(3)):
        op = rng.randrange(7)
        if op == 0 and words:  # typo
            j = rng.randrange(len(words))
            w = words[j]
            if len(w) > 2:
                i = rng.randrange(len(w) - 1)
                words[j] = w[:i] + w[i + 1] + w[i] + w[i + 2:]
        elif op == 1 and len(words) > 2:  # drop a word
            words.pop(rng.randrange(len(words)))
        elif op == 2 and len(words) > 1:  # swap neighbours
            j = rng.randrange(len(words) - 1)
            words[j], words[j + 1] = words[j + 1], words[j]
        elif op == 3 and len(words) > 1:  # join two words
            j = rng.randrange(len(words) - 1)
            words[j:j + 2] = [words[j] + words[j + 1]]
        elif op == 4:
            words.append(rng.choice(["Inc", "LLC", "Co.", "Corporation"]))
        elif op == 5:
            words.insert(0, "The")
        else:
            words = [w.upper() for w in words]
    return " ".join(words)


def _fixture(tmp, count, seed):
    rng = random.Random(seed)
    names = support.demo_names(20000)
    others = support.demo_names(100000)[20000:]
    needles = []
    for i in range(count):
        needles.append(rng.choice(others) if i % 5 == 4 else _perturb(rng.choice(names), rng))
    needles += ["", "Inc", "LLC", "zzqx wvvk", "The", "& & &", "東京 Tokyo", "Société Générale"]
    return support.write_hay_and_needles(tmp, names, needles)


def test_exact_equals_scan_with_the_name_scorer():
    with support.tempdir() as tmpname:
        tmp = Path(tmpname)
        hay, needles = _fixture(tmp, 200, 7)
        for top in (1, 10):
            for cutoff in (0, 50, 80, 95):
                outs = {}
                for method in ("scan", "exact"):
                    out = tmp / f"{method}.csv"
                    support.run_ok(["match", hay, needles, "-s", "name", "-k", top, "-c", cutoff,
                                    "--method", method, "-o", out, "-q", "-t", 2], timeout=300)
                    outs[method] = out.read_bytes()
                assert outs["exact"] == outs["scan"], f"K={top} cutoff={cutoff}: exact != scan"
                rows = support.parse_match_csv(outs["exact"].decode("utf-8"))
                # Every needle is in the output, and scores respect the cutoff.
                assert len({r[0] for r in rows}) == 208
                assert all(r[5] == "" or float(r[5]) >= cutoff for r in rows)
        # From an index file: the same output.
        ndx = tmp / "hay.ndx"
        support.run_ok(["index", hay, "-s", "name", "-o", ndx, "-q"])
        stats = support.run_ok(["index", "stats", ndx])
        assert "processor   name" in stats, stats
        from_index = tmp / "from_index.csv"
        support.run_ok(["match", ndx, needles, "-s", "name", "-k", 10, "-c", 95,
                        "-o", from_index, "-q"])
        assert from_index.read_bytes() == outs["exact"]


def test_name_picks_the_organisation_where_ratio_picks_a_look_alike():
    with support.tempdir() as tmpname:
        tmp = Path(tmpname)
        hay = tmp / "hay.csv"
        rows = [["h1", "Riverside Plumbing Company Incorporated"], ["h2", "Riverside Pumping"],
                ["h3", "Mc Donald Farms LLC"], ["h4", "McDonnell Farms"],
                ["h5", "Baptist Church of Springfield"], ["h6", "First Baptist Church"]]
        # Common words make rare ones stand out.
        rows += [[f"d{i}", f"Filler{i} Church"] for i in range(50)]
        support.write_csv(hay, ["id", "name"], rows)
        needles = tmp / "needles.csv"
        support.write_csv(needles, ["id", "name"], [
            ["n1", "RIVERSIDE PLUMBING"],
            ["n2", "McDonald Farms"],
            ["n3", "Springfield Baptist Church"],
        ])
        out = tmp / "out.csv"
        support.run_ok(["match", hay, needles, "-s", "name", "-o", out, "-q"])
        got = [(r[0], r[3]) for r in support.parse_match_csv(out.read_text(encoding="utf-8"))]
        assert got == [("n1", "h1"), ("n2", "h3"), ("n3", "h5")], got
        # ratio takes the look-alike for the first (the legal form is long).
        support.run_ok(["match", hay, needles, "-s", "ratio", "-o", out, "-q"])
        got = [(r[0], r[3]) for r in support.parse_match_csv(out.read_text(encoding="utf-8"))]
        assert got[0] == ("n1", "h2"), got


def test_spelling_breaks_ties_of_the_words():
    # The three rows have the same words after the name processor; the one
    # written like the needle wins, though a lower row would win a tie. h1
    # and h2 differ only in case and punctuation: they tie, lower row first.
    with support.tempdir() as tmpname:
        tmp = Path(tmpname)
        hay = tmp / "hay.csv"
        support.write_csv(hay, ["id", "name"], [
            ["h1", "SPANKY'S FOOD-MART"], ["h2", "Spanky's Food Mart"],
            ["h3", "Spankys Food Mart"], ["h4", "Frank's Food Mart"]])
        needles = tmp / "needles.csv"
        support.write_csv(needles, ["id", "name"], [["n1", "SPANKYS FOOD MART LLC"],
                                                    ["n2", "spanky's food mart"]])
        out = tmp / "out.csv"
        for method in ("exact", "scan"):
            support.run_ok(["match", hay, needles, "-k", "3", "-m", method, "-o", out, "-q"])
            rows = support.parse_match_csv(out.read_text(encoding="utf-8"))
            got = [(r[0], r[3]) for r in rows]
            assert got == [("n1", "h3"), ("n1", "h1"), ("n1", "h2"),
                           ("n2", "h1"), ("n2", "h2"), ("n2", "h3")], (method, rows)
            scores = [float(r[5]) for r in rows]
            # Written the same up to case and punctuation: 100; otherwise the
            # spelling costs at most 2% of the words' score.
            assert scores[3] == scores[4] == 100 and 98 <= scores[5] < 100, scores
            assert scores[1] == scores[2] < scores[0] <= scores[1] / 0.98, scores


def test_score_with_the_name_scorer_uses_the_name_processor():
    same = support.run_ok(["score", "-s", "name", "Acme Widgets, Inc.", "ACME WIDGETS INC"])
    assert float(same) == 100
    # The legal form is apart and weighs little; with -p default it is a word.
    legal = float(support.run_ok(["score", "-s", "name", "Acme Widgets Inc", "Acme Widgets LLC"]))
    plain = float(support.run_ok(["score", "-s", "name", "-p", "default",
                                  "Acme Widgets Inc", "Acme Widgets LLC"]))
    assert 80 < legal < 100 and plain < legal, (legal, plain)


def test_normalize_input_writes_every_row():
    with support.tempdir() as tmpname:
        tmp = Path(tmpname)
        src = tmp / "names.csv"
        support.write_csv(src, ["id", "name"], [["a", "The I.B.M. Intl Corp"], ["b", "AMBA"],
                                                ["c", 'Smith, "Jr" & Sons, LLC']])
        out = tmp / "out.csv"
        support.run_ok(["normalize", "--input", src, "-o", out])
        with open(out, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows == [["id", "name", "core", "legal"],
                        ["a", "The I.B.M. Intl Corp", "ibm international", "corp"],
                        ["b", "AMBA", "amba", ""],
                        ["c", 'Smith, "Jr" & Sons, LLC', "smith jr and sons", "llc"]], rows
        rc, _, err = support.run_needle(["normalize", "--input", src, "Acme"])
        assert rc == 2 and "not both" in err, err
        bad = tmp / "bad.csv"
        support.write_bytes(bad, b"id,name\nx,Acme \xff Inc\n")
        rc, _, err = support.run_needle(["normalize", "--input", bad, "-o", tmp / "o2.csv"])
        assert rc == 2 and "bad.csv:2" in err and "UTF-8" in err, err
        assert not (tmp / "o2.csv").exists()
