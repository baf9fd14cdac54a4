#!/usr/bin/env python3
"""How N `needle match` processes share one index file's pages.

Starts N processes matching the same needles against one index (and, with
--compare-csv, against the CSV, where each process loads its own haystack),
samples /proc/PID/smaps_rollup of every process while all of them run, and
prints RSS, PSS and shared bytes per process and in total. PSS (proportional
set size) divides each shared page among the processes that map it, so the sum
of PSS is the real memory the group uses: with an index it should stay near
one file size plus each process's private scratch.

    python3 bench/share_index.py --index /tmp/h1m.ndx --needles needles.csv \\
        [--csv haystack.csv] [--procs 4] [--threads 1]

Standard library only; Linux only (reads /proc).
"""
import argparse
import os
import subprocess
import sys
import time

FIELDS = ("Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty")


def smaps_rollup(pid):
    """The fields of /proc/PID/smaps_rollup in bytes, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            text = f.read()
    except OSError:
        return None
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].rstrip(":") in FIELDS and parts[2] == "kB":
            out[parts[0].rstrip(":")] = int(parts[1]) * 1024
    return out if "Pss" in out else None


def run_group(needle, haystack, needles, procs, threads, scorer):
    """Runs `procs` matches at once; returns the sample with the largest total
    PSS taken while all of them were alive, as a list of per-process dicts."""
    cmd = [needle, "match", haystack, needles, "-o", os.devnull, "-t", str(threads), "-q",
           "--scorer", scorer]
    children = [subprocess.Popen(cmd, stderr=subprocess.PIPE) for _ in range(procs)]
    best, best_total = None, -1
    while all(c.poll() is None for c in children):
        sample = [smaps_rollup(c.pid) for c in children]
        if all(s is not None for s in sample):
            total = sum(s["Pss"] for s in sample)
            if total > best_total:
                best, best_total = sample, total
        time.sleep(0.05)
    failed = []
    for c in children:
        _, err = c.communicate()
        if c.returncode != 0:
            failed.append(err.decode(errors="replace").strip())
    if failed:
        sys.exit("needle match failed: " + failed[0])
    return best


def mb(n):
    return f"{n / 1e6:8.1f}"


def report(title, sample, file_bytes):
    print(f"\n{title}")
    if sample is None:
        print("  the processes ended before a sample could be taken; use more needles")
        return None
    print("  proc    RSS MB    PSS MB  shared MB  private MB")
    for i, s in enumerate(sample):
        shared = s.get("Shared_Clean", 0) + s.get("Shared_Dirty", 0)
        private = s.get("Private_Clean", 0) + s.get("Private_Dirty", 0)
        print(f"  {i + 1:4d}  {mb(s['Rss'])}  {mb(s['Pss'])}   {mb(shared)}    {mb(private)}")
    rss = sum(s["Rss"] for s in sample)
    pss = sum(s["Pss"] for s in sample)
    print(f"  sum   {mb(rss)}  {mb(pss)}")
    if file_bytes:
        print(f"  sum of PSS = {pss / file_bytes:.2f}x the {file_bytes / 1e6:.1f} MB index file; "
              f"sum of RSS = {rss / file_bytes:.2f}x")
    return pss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--needle", default="build/needle", help="the needle binary")
    ap.add_argument("--index", required=True, help="an index file made by needle index")
    ap.add_argument("--needles", required=True, help="the needles file")
    ap.add_argument("--csv", help="the haystack CSV, to run the same group without the index")
    ap.add_argument("--procs", type=int, default=4, help="processes at once (default 4)")
    ap.add_argument("--threads", type=int, default=1, help="threads per process (default 1)")
    ap.add_argument("--scorer", default="ratio", help="scorer (default ratio)")
    a = ap.parse_args()
    size = os.path.getsize(a.index)
    print(f"{a.procs} x needle match, {a.threads} thread(s) each, scorer {a.scorer}, "
          f"needles {a.needles}")
    sample = run_group(a.needle, a.index, a.needles, a.procs, a.threads, a.scorer)
    pss_index = report(f"index {a.index} ({size / 1e6:.1f} MB)", sample, size)
    if a.csv:
        sample = run_group(a.needle, a.csv, a.needles, a.procs, a.threads, a.scorer)
        pss_csv = report(f"CSV {a.csv} (each process loads its own haystack)", sample, size)
        if pss_index and pss_csv:
            print(f"\nsum of PSS: index {pss_index / 1e6:.1f} MB, CSV {pss_csv / 1e6:.1f} MB "
                  f"({pss_csv / pss_index:.2f}x)")


if __name__ == "__main__":
    main()
