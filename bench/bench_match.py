#!/usr/bin/env python3
"""Benchmark `needle match` on the shared matching benchmark (../shared/bench).

For every size x scorer x thread count x method, runs

    needle match HAYSTACK NEEDLES --out RESULTS --scorer S --threads T --method M
        --timings TIMINGS --top K --cutoff X

and prints one table row: the needle's own match time and needles per second
and haystack load time (parsed from its summary line on stderr), the wall time
and peak resident memory of the process (from wait4, so no /usr/bin/time is
needed), the per-needle search times (p50, p99, max, from --timings), and the
accuracy of the results (recall@1 and best F1 from
../shared/bench/evaluate.py).

Benchmark data is generated with ../shared/bench/make_bench.py (seed 1) into
--data when absent:
  1m  1,000,000 haystack rows,  2,000 needles  (all needles are matched)
  4m  4,000,000 haystack rows, 30,000 needles  (the first 1,000 are matched)
--needles N matches only the first N needles of the file, to keep exhaustive
scans affordable; recall and F1 are then computed over those N needles only.

Python standard library only. See bench/README.md for what each column means and
the reference figures to compare with.

Examples:
  python3 bench/bench_match.py --quick
  python3 bench/bench_match.py --sizes 1m --needles 300 --threads 1,2
  python3 bench/bench_match.py --sizes 4m --scorers ratio --threads 2 --needles 300
  python3 bench/bench_match.py --sizes 4m --scorers ratio --methods exact,scan --index
"""
import argparse
import csv
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name -> (haystack rows, needles in the file, needles matched by default)
SIZES = {
    "1m": (1_000_000, 2_000, None),  # None: all of them
    "4m": (4_000_000, 30_000, 1_000),
}
SCORERS = ("name", "ratio", "token_sort_ratio", "token_set_ratio", "setratio", "WRatio", "QRatio",
           "levenshtein", "indel")
METHODS = ("exact", "scan")
BENCH_FILES = ("haystack.csv", "needles.csv", "haystack_groups.csv", "needles_truth.csv")
SEED = 1

# needle: 200 needles x 1,000,000 haystack rows (992,801 distinct), ratio, 2 threads:
#   1.73 s, 115.9 needles/s (haystack loaded in 0.73 s, 77.5 MB)
# The name form each scorer's index stores (NameFormFor in src/score/scorer.cc);
# scorers not listed use processed names.
# The name scorer's index is processed names too, but by the name processor.
FORMS = {"token_sort_ratio": "sorted_tokens", "token_set_ratio": "sorted_token_set",
         "name": "name_processed"}

SUMMARY = re.compile(
    r"needle: (?P<needles>[\d,]+) needles x (?P<rows>[\d,]+) haystack rows "
    r"\((?P<distinct>[\d,]+) distinct\), (?P<scorer>[^,\s]+), (?:(?P<method>exact|scan), )?"
    r"(?P<threads>\d+) threads?: "
    r"(?P<match_s>[\d.]+) s, (?P<rate>[\d.]+) needles/s "
    r"\(haystack (?:loaded|index opened and verified) in (?P<load_s>[\d.]+) s, "
    r"(?P<store_mb>[\d.]+) MB\)"
)

# (title, width, key, format); numbers are right-aligned.
COLUMNS = (
    ("size", 4, "size", "{}"),
    ("scorer", 16, "scorer", "{}"),
    ("method", 6, "method", "{}"),
    ("thr", 3, "threads", "{}"),
    ("needles", 7, "needles", "{:,}"),
    ("match s", 8, "match_s", "{:.2f}"),
    ("needles/s", 9, "rate", "{:.1f}"),
    ("load s", 6, "load_s", "{:.2f}"),
    ("wall s", 7, "wall_s", "{:.2f}"),
    ("store MB", 8, "store_mb", "{:.1f}"),
    ("p50 ms", 7, "p50_ms", "{:.2f}"),
    ("p99 ms", 7, "p99_ms", "{:.1f}"),
    ("max ms", 7, "max_ms", "{:.1f}"),
    ("peak RSS MB", 11, "rss_mb", "{:.1f}"),
    ("RSS/CSV", 7, "rss_ratio", "{:.2f}"),
    ("recall@1", 8, "recall1", "{:.4f}"),
    ("best F1", 7, "best_f1", "{:.4f}"),
)


def say(*parts):
    print(*parts, flush=True)


def format_row(values):
    cells = []
    for i, (title, width, key, fmt) in enumerate(COLUMNS):
        v = values.get(key)
        text = "-" if v is None else (fmt.format(v) if not isinstance(v, str) else v)
        cells.append(text.ljust(width) if i < 2 else text.rjust(width))
    return "  ".join(cells).rstrip()


def header():
    return format_row({key: title for title, _, key, _ in COLUMNS})


def have_bench(path):
    return all(os.path.isfile(os.path.join(path, f)) for f in BENCH_FILES)


def ensure_bench(size, data_root, make_bench):
    """Returns the folder of benchmark `size`, generating it when absent."""
    path = os.path.join(data_root, "bench" + size)
    if have_bench(path):
        return path
    rows, needles, _ = SIZES[size]
    partial = path + ".partial"  # renamed into place only when complete
    cmd = [sys.executable, make_bench, "--haystack", str(rows), "--needles", str(needles),
           "--seed", str(SEED), "--out", partial]
    say(f"generating benchmark data {size} (1m: about 15 s, 4m: several times longer):")
    say("$ " + shlex.join(cmd))
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    if os.path.isdir(path):  # an incomplete earlier folder
        for f in os.listdir(path):
            os.remove(os.path.join(path, f))
        os.rmdir(path)
    os.rename(partial, path)
    say(f"generated {path} in {time.perf_counter() - start:.0f} s")
    return path


def needle_subset(bench, count, work):
    """Returns (needles file, evaluation folder, needle count) for the first
    `count` needles of `bench` (all of them when count is None or too large).
    The evaluation folder holds the truth of those needles only, so recall is
    computed over the subset and no needle counts as missing."""
    with open(os.path.join(bench, "needles.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    if count is None or count >= len(body):
        return os.path.join(bench, "needles.csv"), bench, len(body)
    body = body[:count]
    ids = {r[head.index("id")] for r in body}
    sub = os.path.join(work, f"{os.path.basename(bench)}_first{count}")
    os.makedirs(sub, exist_ok=True)
    needles = os.path.join(sub, "needles.csv")
    with open(needles, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        w.writerows(body)
    with open(os.path.join(bench, "needles_truth.csv"), encoding="utf-8", newline="") as f:
        truth = list(csv.reader(f))
    with open(os.path.join(sub, "needles_truth.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(truth[0])
        w.writerows(r for r in truth[1:] if r[0] in ids)
    for name in ("haystack_groups.csv", "groups.csv"):
        src = os.path.abspath(os.path.join(bench, name))
        dst = os.path.join(sub, name)
        if os.path.exists(src) and not os.path.lexists(dst):
            os.symlink(src, dst)
    return needles, sub, len(body)


def run_measured(cmd, stderr_path):
    """Runs cmd; returns (exit code, wall seconds, peak RSS in bytes).
    Peak RSS comes from wait4's rusage of this child alone (ru_maxrss is in
    kilobytes on Linux)."""
    start = time.perf_counter()
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return proc.returncode, wall, rss


def evaluate(evaluate_py, bench, results):
    out = subprocess.run([sys.executable, evaluate_py, bench, results], check=True,
                         capture_output=True, text=True).stdout
    values = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        values[key.strip()] = value.strip()
    return values


def percentiles(timings_csv):
    """p50, p99 and max of the per-needle search times (ms) in a --timings file."""
    try:
        with open(timings_csv, encoding="utf-8") as f:
            micros = sorted(float(r["micros"]) for r in csv.DictReader(f))
    except (OSError, KeyError, ValueError):
        return {}
    if not micros:
        return {}
    pick = lambda q: micros[min(len(micros) - 1, int(q * len(micros)))] / 1e3  # noqa: E731
    return {"p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": micros[-1] / 1e3}


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def parse_list(text, what, allowed=None):
    items = [s.strip() for s in text.split(",") if s.strip()]
    if not items:
        sys.exit(f"bench_match: --{what} is empty")
    for s in items:
        if allowed is not None and s not in allowed:
            sys.exit(f"bench_match: unknown {what} '{s}' (choose from {', '.join(allowed)})")
    return items


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--needle", default=os.path.join(REPO, "build", "needle"),
                    help="needle binary (default: build/needle of this repository)")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"),
                    help="the shared repository with bench/make_bench.py and bench/evaluate.py "
                         "(default: ../shared beside this repository)")
    ap.add_argument("--data", default="/tmp/needle-bench",
                    help="where benchmark data is kept, as DATA/bench1m and DATA/bench4m; "
                         "generated when absent (default: /tmp/needle-bench)")
    ap.add_argument("--sizes", default="1m,4m", help="comma-separated: 1m, 4m (default: 1m,4m)")
    ap.add_argument("--scorers", default=",".join(SCORERS),
                    help=f"comma-separated (default: {','.join(SCORERS)})")
    ap.add_argument("--threads", default="1,2",
                    help="comma-separated thread counts; 0 means all cores (default: 1,2)")
    ap.add_argument("--needles", type=int, default=None,
                    help="match only the first N needles of the needle file "
                         "(default: all 2,000 for 1m, 1,000 for 4m)")
    ap.add_argument("--methods", default="exact",
                    help="comma-separated --method values to run: exact, scan (default: exact); "
                         "with both, the summary gives exact's speed-up over scan")
    ap.add_argument("--top", type=int, default=1, help="needle --top (default: 1)")
    ap.add_argument("--cutoff", type=float, default=0, help="needle --cutoff (default: 0)")
    ap.add_argument("--out-dir", default=None,
                    help="keep the result CSVs here (default: a temporary folder, removed)")
    ap.add_argument("--index", action="store_true",
                    help="match against an index file (needle index, built once per size and "
                         "stored name form, timed) instead of the CSV")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: 1m only, ratio only, 200 needles")
    a = ap.parse_args()

    if a.quick:
        a.sizes, a.scorers, a.needles = "1m", "ratio", 200
    sizes = parse_list(a.sizes, "sizes", SIZES)
    scorers = parse_list(a.scorers, "scorers", SCORERS)
    methods = parse_list(a.methods, "methods", METHODS)
    try:
        threads = [int(t) for t in parse_list(a.threads, "threads")]
    except ValueError:
        sys.exit(f"bench_match: --threads takes comma-separated integers, not '{a.threads}'")
    if a.needles is not None and a.needles < 1:
        sys.exit("bench_match: --needles must be at least 1")

    needle = os.path.abspath(a.needle)
    make_bench = os.path.join(a.shared, "bench", "make_bench.py")
    evaluate_py = os.path.join(a.shared, "bench", "evaluate.py")
    if not os.access(needle, os.X_OK):
        sys.exit(f"bench_match: {needle} is not an executable (build it first: make build)")
    for path in (make_bench, evaluate_py):
        if not os.path.isfile(path):
            sys.exit(f"bench_match: {path} not found (set --shared)")

    version = subprocess.run([needle, "--version"], capture_output=True, text=True).stdout.strip()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    say(f"{version or needle}; {os.cpu_count()} cores; load average {load} "
        f"(other work on the machine slows the runs); data in {a.data}")

    work_dir = tempfile.TemporaryDirectory(prefix="needle-bench-")
    out_dir = a.out_dir or work_dir.name
    os.makedirs(out_dir, exist_ok=True)
    rows, failures = [], 0
    try:
        for size in sizes:
            bench = ensure_bench(size, a.data, make_bench)
            count = a.needles if a.needles is not None else SIZES[size][2]
            needles, eval_dir, count = needle_subset(bench, count, work_dir.name)
            haystack = os.path.join(bench, "haystack.csv")
            csv_bytes = os.path.getsize(haystack)
            say(f"\n{size}: {haystack} ({csv_bytes / 1e6:.1f} MB), "
                f"first {count:,} needles of {os.path.join(bench, 'needles.csv')}")
            say(header())
            indexes = {}  # stored name form (given by the scorer) -> index path
            for scorer in scorers:
                source = haystack
                if a.index:
                    form = FORMS.get(scorer, "processed")
                    if form not in indexes:
                        path = os.path.join(work_dir.name, f"{size}_{form}.ndx")
                        cmd = [needle, "index", haystack, "-o", path, "--scorer", scorer, "-q"]
                        say("$ " + shlex.join(cmd))
                        code, wall, rss = run_measured(cmd, path + ".stderr")
                        if code != 0:
                            sys.exit(f"bench_match: needle index failed (exit {code})")
                        ndx = os.path.getsize(path)
                        say(f"index ({form}): {ndx / 1e6:.1f} MB = {ndx / csv_bytes:.2f}x the "
                            f"CSV, built in {wall:.2f} s, peak RSS {rss / 1e6:.1f} MB")
                        indexes[form] = path
                    source = indexes[form]
                for t, method in [(t, mt) for t in threads for mt in methods]:
                    results = os.path.join(out_dir,
                                           f"{size}_{scorer}_{method}_t{t}_n{count}.csv")
                    timings = results + ".timings"
                    cmd = [needle, "match", source, needles, "--out", results,
                           "--scorer", scorer, "--threads", str(t), "--method", method,
                           "--timings", timings,
                           "--top", str(a.top), "--cutoff", f"{a.cutoff:g}"]
                    say("$ " + shlex.join(cmd))
                    err_path = results + ".stderr"
                    code, wall, rss = run_measured(cmd, err_path)
                    with open(err_path, encoding="utf-8", errors="replace") as f:
                        err = f.read()
                    row = {"size": size, "scorer": scorer, "method": method, "threads": t,
                           "needles": count,
                           "wall_s": wall, "rss_mb": rss / 1e6, "rss_ratio": rss / csv_bytes}
                    if code != 0:
                        failures += 1
                        say(f"FAILED: exit {code}" + (f" (signal {-code})" if code < 0 else ""))
                        say(err.rstrip())
                        row["scorer"] = scorer + " FAILED"
                        rows.append(row)
                        say(format_row(row))
                        continue
                    m = SUMMARY.search(err)
                    if m:
                        row.update(threads=int(m["threads"]),
                                   needles=int(m["needles"].replace(",", "")),
                                   match_s=float(m["match_s"]), rate=float(m["rate"]),
                                   load_s=float(m["load_s"]), store_mb=float(m["store_mb"]))
                        if row["needles"] != count:
                            say(f"warning: needle matched {row['needles']:,} needles, "
                                f"expected {count:,}")
                    else:
                        say("warning: no summary line on stderr:\n" + err.rstrip())
                    row.update(percentiles(timings))
                    ev = evaluate(evaluate_py, eval_dir, results)
                    row["recall1"] = number(ev.get("recall@1"))
                    row["best_f1"] = number(ev.get("best_f1"))
                    if ev.get("missing", "0") != "0":
                        say(f"warning: evaluate.py reports {ev['missing']} needles missing")
                    rows.append(row)
                    say(format_row(row))
    finally:
        if a.out_dir is None:
            work_dir.cleanup()

    say("\nsummary")
    say(header())
    for row in rows:
        say(format_row(row))
    # exact's speed-up over scan, for each size, scorer and thread count run both ways.
    rates = {}
    for row in rows:
        if "rate" in row:
            rates[(row["size"], row["scorer"], row["threads"], row["method"])] = row["rate"]
    for (size, scorer, t, method), rate in rates.items():
        scan = rates.get((size, scorer, t, "scan"))
        if method == "exact" and scan:
            say(f"{size} {scorer} {t} thread{'s' if t > 1 else ''}: exact {rate:.1f} "
                f"needles/s / scan {scan:.1f} = {rate / scan:.2f}x")
    if a.out_dir:
        say(f"results kept in {a.out_dir}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
