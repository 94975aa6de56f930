"""Start-up cost: how long the CLI takes before and around any real work.

Runs each command --runs times (default 7) in a fresh process and prints the median and the
fastest wall-clock time (after one warm-up run), next to bare `python3 -c pass` (the floor no
command can beat on this machine), with Python's bytecode cache on. The first run of all also builds the parser cache (~/.cache/protocheck); it
is shown separately, with the cache removed first when --cold is given.

Usage: python bench/bench_startup.py [--runs 7] [--cold]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TUTORIAL = os.path.join(ROOT, "docs", "tutorial")
COMMANDS = [
    ("python3 -c pass", [sys.executable, "-c", "pass"]),
    ("protocheck --version", [sys.executable, "-m", "checker", "--version"]),
    ("protocheck parse handshake.model",
     [sys.executable, "-m", "checker", "parse", os.path.join(TUTORIAL, "handshake.model")]),
    ("protocheck check handshake.spec",
     [sys.executable, "-m", "checker", "check", "--no-progress",
      os.path.join(TUTORIAL, "handshake.spec")]),
    ("protocheck check dora_drop_token_fixed.spec (timed)",
     [sys.executable, "-m", "checker", "check", "--no-progress",
      os.path.join(ROOT, "specs", "dora_drop_token_fixed.spec")]),
]


# As a user runs it: with bytecode caching on (some sandboxes and CI images set
# PYTHONDONTWRITEBYTECODE, which makes every run compile every module from source: ~0.13 s).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=False, env=ENV)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--cold", action="store_true", help="remove the parser cache first")
    args = ap.parse_args()
    if args.cold:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
        shutil.rmtree(os.path.join(base, "protocheck"), ignore_errors=True)
        print(f"first run, building the parser cache: {_seconds(COMMANDS[2][1]):.3f} s")
    print(f"{'command':<52} {'median s':>9} {'fastest s':>10}")
    for label, argv in COMMANDS:
        _seconds(argv)  # warm-up: writes the bytecode cache
        times = [_seconds(argv) for _ in range(args.runs)]
        print(f"{label:<52} {statistics.median(times):>9.3f} {min(times):>10.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
