#!/usr/bin/env bash
# `make demo`: match the 1,000 demo needles against the 100,000-name demo
# haystack (data/demo), show the first results as a table, do it again from an
# index file (needle index) and, when the shared benchmark tools sit beside the
# repository, score them against the truth.
# Usage, from the repository root: bash tools/demo.sh PATH/TO/needle
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 PATH/TO/needle" >&2
  exit 2
fi
needle=$1
data=data/demo
out=build/demo_results.csv
evaluate=../shared/bench/evaluate.py
python=${PY:-python3}

if [ ! -x "$needle" ]; then
  echo "demo: $needle is not an executable (run 'make build' first)" >&2
  exit 1
fi
if [ ! -f "$data/haystack.csv" ] || [ ! -f "$data/needles.csv" ]; then
  echo "demo: $data/haystack.csv or $data/needles.csv is missing; run from the repository root" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"

echo "== needle match $data/needles.csv against $data/haystack.csv (the name scorer, all cores, best match)"
# No --quiet: the summary line (speed, load time, memory) goes to stderr.
"$needle" match "$data/haystack.csv" "$data/needles.csv" --out "$out"
echo

echo "== first 15 results ($out)"
"$python" - "$out" 15 <<'PY'
import csv
import sys

path, count = sys.argv[1], int(sys.argv[2])
with open(path, encoding="utf-8", newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    rows = []
    for row in reader:
        if len(rows) == count:
            break
        rows.append(row)

def cut(text, width=40):
    return text if len(text) <= width else text[: width - 3] + "..."

def show(name, value):
    if name == "score" and value:
        return f"{float(value):.2f}"  # the file keeps full precision
    return cut(value)

table = [header] + [[show(h, v) for h, v in zip(header, row)] for row in rows]
widths = [max(len(r[i]) for r in table) for i in range(len(header))]
numeric = {"rank", "score"}
for r in table:
    cells = []
    for i, v in enumerate(r):
        cells.append(v.rjust(widths[i]) if header[i] in numeric else v.ljust(widths[i]))
    print("  ".join(cells).rstrip())
PY
echo

echo "== the same from an index file: needle index, then needle match against it"
"$needle" index "$data/haystack.csv" -o build/demo.ndx
"$needle" match build/demo.ndx "$data/needles.csv" --out build/demo_results_index.csv
if cmp -s "$out" build/demo_results_index.csv; then
  echo "identical results from the CSV and from the index"
else
  echo "demo: the index gave different results from the CSV" >&2
  exit 1
fi
echo

if [ -f "$evaluate" ]; then
  echo "== accuracy against the truth in $data ($evaluate)"
  "$python" "$evaluate" "$data" "$out"
  echo
  echo "== the same with --scorer ratio (RapidFuzz's fuzz.ratio), for comparison"
  "$needle" match "$data/haystack.csv" "$data/needles.csv" --scorer ratio --out build/demo_results_ratio.csv --quiet
  "$python" "$evaluate" "$data" build/demo_results_ratio.csv
else
  echo "== accuracy: skipped, $evaluate not found (clone the shared repository beside this one to score the run)"
fi
