#!/usr/bin/env python3
"""Accuracy of needle's scorers, and of TF-IDF cosine, on three kinds of truth.

One run, one table: recall@1 and best F1 of each method on
  (a) the matching benchmark of ../shared/bench (4M haystack, its needles,
      scored by ../shared/bench/evaluate.py), with each method's speed there;
  (b) the brand and operator groups of ../shared/data/
      nsi_brand_operator_name_groups.tsv.xz;
  (c) the IRS name-history groups of ../shared/data/
      irs_eo_bmf_name_history_groups.tsv.xz.
In (b) and (c) every name is a needle against all the other names of the
file: right if its best match (itself left out) is in its group. Needles whose
group has no other name are the ones with no true match; best F1 is computed
as evaluate.py does (a best match at or above the threshold counts as
matched; precision = right / matched, recall = right / needles that have a
true match).

Methods: needle's scorers (`name` with the name processor, its default; the
classic ones with the `default` processor, as the reference figures in
../shared/bench/README.md) and TF-IDF cosine of character 3-grams, the method
of string_grouper (lower case, `,-./` and white space removed, 3-grams,
TF-IDF weights, cosine of the best match), written here with scikit-learn.
TF-IDF needs scikit-learn and SciPy (`make accuracy` installs them in a
virtual environment); without them its rows say so.

Examples:
  python3 bench/accuracy.py --needles 3000
  python3 bench/accuracy.py --parts b,c --methods name,ratio,tfidf
"""
import argparse
import csv
import lzma
import os
import re
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METHODS = ("name", "ratio", "token_sort_ratio", "token_set_ratio", "WRatio", "partial_ratio",
           "tfidf")
SUMMARY = re.compile(r"(?P<secs>[\d.]+) s, (?P<rate>[\d.]+) needles/s")


def say(*parts):
    print(*parts, flush=True)


def best_f1(top, matchable):
    """top: list of (score, right) for needles with a best match."""
    scored = sorted(top)
    right_above = sum(1 for _, ok in scored if ok)
    best = 0.0
    for i, (s, ok) in enumerate(scored):
        if i and scored[i - 1][0] == s:
            right_above -= ok
            continue
        matched = len(scored) - i
        p = right_above / matched if matched else 0.0
        r = right_above / matchable if matchable else 0.0
        if p + r:
            best = max(best, 2 * p * r / (p + r))
        right_above -= ok
    return best


# ------------------------------------------------------------------ needle

def run_needle(needle, scorer, haystack, needles, out, top, threads):
    cmd = [needle, "match", haystack, needles, "-o", out, "-s", scorer, "-k", str(top),
           "-t", str(threads)]
    if scorer != "name":
        cmd += ["-p", "default"]
    start = time.monotonic()
    p = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    if p.returncode != 0:
        sys.exit(f"accuracy: {' '.join(cmd)} failed:\n{p.stderr}")
    m = SUMMARY.search(p.stderr.replace("\r", "\n"))
    rate = float(m.group("rate")) if m else float("nan")
    return rate, wall


# ------------------------------------------------------------------ TF-IDF

def tfidf_tools():
    try:
        import numpy  # noqa: F401
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: F401
        return True
    except ImportError:
        return False


CLEAN = re.compile(r"[,\-./]|\s")


def trigrams(s):
    s = CLEAN.sub("", s.lower())
    return [s[i:i + 3] for i in range(len(s) - 2)]


def tfidf_best(hay_names, needle_names, exclude_self=False, chunk=500):
    """For each needle, (best row, cosine x 100), or (None, 0)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    vec = TfidfVectorizer(analyzer=trigrams, lowercase=False, dtype=np.float32)
    hay = vec.fit_transform(hay_names)
    hay_t = hay.T.tocsr()
    q = vec.transform(needle_names)
    out = []
    for start in range(0, q.shape[0], chunk):
        sims = (q[start:start + chunk] @ hay_t).tocsr()
        for r in range(sims.shape[0]):
            lo, hi = sims.indptr[r], sims.indptr[r + 1]
            cols, vals = sims.indices[lo:hi], sims.data[lo:hi]
            if exclude_self:
                keep = cols != start + r
                cols, vals = cols[keep], vals[keep]
            if len(vals) == 0:
                out.append((None, 0.0))
                continue
            # Highest cosine, then the lowest row (as needle breaks ties).
            best = vals.max()
            row = cols[vals == best].min()
            out.append((int(row), float(best) * 100))
    return out


# ------------------------------------------------------------------ (a)

def part_a(a, work, methods):
    bench = a.bench
    evaluate = os.path.join(a.shared, "bench", "evaluate.py")
    needles = os.path.join(bench, "needles.csv")
    if a.needles:
        sub = os.path.join(work, "bench_sub")
        os.makedirs(sub, exist_ok=True)
        for f, keep in (("needles.csv", a.needles), ("needles_truth.csv", a.needles)):
            with open(os.path.join(bench, f), encoding="utf-8") as src, \
                    open(os.path.join(sub, f), "w", encoding="utf-8") as dst:
                for i, line in enumerate(src):
                    if i > keep:
                        break
                    dst.write(line)
        for f in ("haystack_groups.csv", "groups.csv"):
            os.symlink(os.path.join(bench, f), os.path.join(sub, f))
        needles = os.path.join(sub, "needles.csv")
        truth_dir = sub
    else:
        truth_dir = bench
    rows = {}
    for m in methods:
        out = os.path.join(work, f"a_{m}.csv")
        if m == "tfidf":
            if not tfidf_tools():
                rows[m] = None
                continue
            start = time.monotonic()
            hay_ids, hay_names = read_table(os.path.join(bench, "haystack.csv"))
            fitted = time.monotonic()
            ids, names = read_table(needles)
            best = tfidf_best(hay_names, names)
            wall = time.monotonic() - start
            with open(out, "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f)
                w.writerow(["needle_id", "rank", "match_id", "score"])
                for nid, (row, s) in zip(ids, best):
                    w.writerow([nid, 1 if row is not None else "",
                                hay_ids[row] if row is not None else "", s])
            rate = len(ids) / (wall - (fitted - start))
        else:
            source = a.index.get(m, os.path.join(bench, "haystack.csv"))
            rate, wall = run_needle(a.needle, m, source, needles, out, 1, a.threads)
        p = subprocess.run([sys.executable, evaluate, truth_dir, out], capture_output=True,
                           text=True, check=True)
        got = dict(line.split(": ", 1) for line in p.stdout.splitlines() if ": " in line)
        rows[m] = (float(got["recall@1"]), float(got["best_f1"]), rate, wall)
        say(f"  (a) {m}: recall@1 {got['recall@1']}, best F1 {got['best_f1']}, "
            f"{rate:.1f} needles/s, {wall:.1f} s")
    return rows


def read_table(path):
    ids, names = [], []
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            ids.append(row[0])
            names.append(row[1])
    return ids, names


# ------------------------------------------------------------------ (b), (c)

def read_groups(path, name_col):
    names, groups = [], []
    with lzma.open(path, "rt", encoding="utf-8", newline="") as f:
        r = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(r)
        for row in r:
            if row[name_col].strip():
                groups.append(row[0])
                names.append(row[name_col])
    return names, groups


def part_groups(a, work, methods, label, names, groups):
    size = {}
    for g in groups:
        size[g] = size.get(g, 0) + 1
    matchable = sum(1 for g in groups if size[g] > 1)
    hay = os.path.join(work, f"{label}_names.csv")
    with open(hay, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name"])
        for i, n in enumerate(names):
            w.writerow([f"r{i}", n])
    rows = {}
    for m in methods:
        if m == "tfidf":
            if not tfidf_tools():
                rows[m] = None
                continue
            best = tfidf_best(names, names, exclude_self=True)
        else:
            out = os.path.join(work, f"{label}_{m}.csv")
            run_needle(a.needle, m, hay, hay, out, 2, a.threads)
            best = [(None, 0.0)] * len(names)
            with open(out, encoding="utf-8", newline="") as f:
                for r in csv.DictReader(f):
                    i = int(r["needle_id"][1:])
                    if not r["match_id"] or r["match_id"] == r["needle_id"]:
                        continue
                    if best[i][0] is None:
                        best[i] = (int(r["match_id"][1:]), float(r["score"]))
        top = [(s, groups[j] == groups[i]) for i, (j, s) in enumerate(best) if j is not None]
        right = sum(1 for i, (j, _) in enumerate(best)
                    if j is not None and size[groups[i]] > 1 and groups[j] == groups[i])
        rows[m] = (right / matchable, best_f1(top, matchable))
        say(f"  ({label}) {m}: recall@1 {rows[m][0]:.4f}, best F1 {rows[m][1]:.4f}")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--needle", default=os.path.join(REPO, "build", "needle"))
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--bench", default="/tmp/needle-bench/bench4m",
                    help="the 4M benchmark made by make_bench.py (default /tmp/needle-bench/"
                         "bench4m, as bench_match.py makes it)")
    ap.add_argument("--needles", type=int, default=0,
                    help="(a): only the first N needles (default: all 30,000)")
    ap.add_argument("--methods", default=",".join(METHODS),
                    help=f"comma-separated (default {','.join(METHODS)})")
    ap.add_argument("--parts", default="a,b,c", help="which of a, b, c (default all)")
    ap.add_argument("--threads", type=int, default=0, help="needle's threads (0: all cores)")
    ap.add_argument("--index", action="store_true",
                    help="(a): match against index files (needle index, built once per form)")
    a = ap.parse_args()
    methods = [m for m in a.methods.split(",") if m]
    for m in methods:
        if m not in METHODS:
            sys.exit(f"accuracy: unknown method {m!r} (choose from {', '.join(METHODS)})")
    parts = [p for p in a.parts.split(",") if p]
    if not os.path.exists(a.needle):
        sys.exit(f"accuracy: {a.needle} not found: run make build first")
    if "tfidf" in methods and not tfidf_tools():
        say("accuracy: scikit-learn is not installed: the TF-IDF rows are skipped "
            "(make accuracy installs it in a virtual environment)")
    results = {}
    with tempfile.TemporaryDirectory(prefix="needle-accuracy-") as work:
        use_index, a.index = a.index, {}
        if "a" in parts:
            if not os.path.exists(os.path.join(a.bench, "needles.csv")):
                sys.exit(f"accuracy: no benchmark in {a.bench}: make it with "
                         f"{a.shared}/bench/make_bench.py --out {a.bench}")
            if use_index:
                for m in methods:
                    if m == "tfidf":
                        continue
                    path = os.path.join(work, f"{m}.ndx")
                    cmd = [a.needle, "index", os.path.join(a.bench, "haystack.csv"), "-o", path,
                           "-s", m, "-q"] + ([] if m == "name" else ["-p", "default"])
                    subprocess.run(cmd, check=True)
                    a.index[m] = path
            say(f"(a) the benchmark in {a.bench}" +
                (f", first {a.needles} needles" if a.needles else ""))
            results["a"] = part_a(a, work, methods)
        data = os.path.join(a.shared, "data")
        if "b" in parts:
            names, groups = read_groups(
                os.path.join(data, "nsi_brand_operator_name_groups.tsv.xz"), 2)
            say(f"(b) NSI brand and operator groups: {len(names):,} names")
            results["b"] = part_groups(a, work, methods, "b", names, groups)
        if "c" in parts:
            names, groups = read_groups(
                os.path.join(data, "irs_eo_bmf_name_history_groups.tsv.xz"), 1)
            say(f"(c) IRS name-history groups: {len(names):,} names")
            results["c"] = part_groups(a, work, methods, "c", names, groups)

    say("")
    head = "| method |"
    rule = "|---|"
    if "a" in results:
        head += " (a) recall@1 | (a) best F1 | (a) needles/s |"
        rule += "---|---|---|"
    for p in ("b", "c"):
        if p in results:
            head += f" ({p}) recall@1 | ({p}) best F1 |"
            rule += "---|---|"
    say(head)
    say(rule)
    for m in methods:
        line = f"| {m} |"
        if "a" in results:
            r = results["a"].get(m)
            line += (" skipped | | |" if r is None else
                     f" {r[0]:.4f} | {r[1]:.4f} | {r[2]:.1f} |")
        for p in ("b", "c"):
            if p in results:
                r = results[p].get(m)
                line += " skipped | |" if r is None else f" {r[0]:.4f} | {r[1]:.4f} |"
        say(line)


if __name__ == "__main__":
    main()
