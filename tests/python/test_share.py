"""Processes matching against one index file share its pages.

Runs bench/share_index.py's measurement on the demo data (4 processes, one
thread each) and checks what sharing means, not how fast or how small: in
every process most of the index's pages are counted as shared (mapped by the
others too) rather than private, and the sum of PSS is below the sum of RSS.
The figures on the benchmark data are in docs/design.md ("Index files").
"""

import csv
import importlib.util
import os
import tempfile
from pathlib import Path

import support

DEMO = support.REPO / "data" / "demo"


def load_share_module():
    path = support.REPO / "bench" / "share_index.py"
    spec = importlib.util.spec_from_file_location("share_index", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_four_processes_share_the_index_pages():
    if not Path("/proc/self/smaps_rollup").exists():
        raise support.Skip("no /proc/PID/smaps_rollup (Linux 4.14+ only)")
    share = load_share_module()
    with tempfile.TemporaryDirectory() as tmp:
        index = os.path.join(tmp, "demo.ndx")
        code, _, err = support.run_needle(
            ["index", str(DEMO / "haystack.csv"), "-o", index, "-q"])
        assert code == 0, err
        # Enough needles that the processes live long enough to be sampled.
        needles = os.path.join(tmp, "needles.txt")
        with open(DEMO / "needles.csv", encoding="utf-8", newline="") as f:
            names = [row["name"] for row in csv.DictReader(f)]
        with open(needles, "w", encoding="utf-8") as f:
            for _ in range(1):
                f.write("\n".join(names) + "\n")
        sample = share.run_group(str(support.NEEDLE_BIN), index, needles, 4, 1, "ratio")
        if sample is None:
            raise support.Skip("the processes ended before a sample could be taken")
        size = os.path.getsize(index)
        for s in sample:
            shared = s.get("Shared_Clean", 0) + s.get("Shared_Dirty", 0)
            # Pages of the index that this process touched and the other three
            # map too: the scan touches every name, so at least half the file.
            assert shared >= size // 2, (shared, size, s)
        assert sum(s["Pss"] for s in sample) < sum(s["Rss"] for s in sample)
