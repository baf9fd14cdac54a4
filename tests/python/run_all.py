#!/usr/bin/python3
"""Runs every test module of the needle Python suite (tests/python/test_*.py).

A test is a module-level function whose name starts with test_; tests run in
the order they are defined, modules in alphabetical order. A test passes when
it returns, is skipped when it raises support.Skip, fails on anything else.

Usage: /usr/bin/python3 tests/python/run_all.py [SUBSTRING ...]
  SUBSTRING: run only the tests whose "module.function" name contains one.
Environment:
  NEEDLE_BIN     the binary (default: build/needle in this repository)
  NEEDLE_SHARED  the shared data directory (default: ../shared beside the repo)
The last line is "N passed, N failed" (", N skipped" when some were skipped);
the exit status is 1 when any test failed.
"""

import importlib
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import support  # noqa: E402  (needs the path set above)


def collect(filters):
    tests = []
    for path in sorted(HERE.glob("test_*.py")):
        try:
            module = importlib.import_module(path.stem)
        except Exception:  # report a module that does not import as one failure
            error = traceback.format_exc()

            def import_failed(error=error):
                raise AssertionError(f"cannot import the module:\n{error}")

            tests.append((f"{path.stem}.<import>", import_failed))
            continue
        for name, func in vars(module).items():
            if name.startswith("test_") and callable(func):
                full = f"{path.stem}.{name}"
                if not filters or any(f in full for f in filters):
                    tests.append((full, func))
    return tests


def main(argv):
    if not __debug__:
        print("run without -O: the tests check with assert", file=sys.stderr)
        return 2
    print(f"needle binary: {support.NEEDLE_BIN}")
    shared_note = "" if support.SHARED.is_dir() else "  (absent: tests needing it are skipped)"
    print(f"shared data:   {support.SHARED}{shared_note}")
    if not support.NEEDLE_BIN.is_file():
        print("FAIL the needle binary is missing: build it (cmake --build build) "
              "or set NEEDLE_BIN")
        print("0 passed, 1 failed")
        return 1

    passed = failed = skipped = 0
    started = time.monotonic()
    for full, func in collect(argv[1:]):
        t0 = time.monotonic()
        try:
            func()
        except support.Skip as e:
            skipped += 1
            print(f"SKIP {full}: {e}", flush=True)
            continue
        except Exception:  # a failed assert or an unexpected error
            failed += 1
            print(f"FAIL {full} ({time.monotonic() - t0:.2f} s)", flush=True)
            print("    " + traceback.format_exc().rstrip().replace("\n", "\n    "), flush=True)
            continue
        passed += 1
        print(f"ok   {full} ({time.monotonic() - t0:.2f} s)", flush=True)

    print(f"total time {time.monotonic() - started:.1f} s")
    summary = f"{passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
