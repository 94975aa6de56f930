"""The untimed engines against SPIN on the exact Promela twin of forwarding_task, in one run.

For N = 1, 2, ... and both variants, explores models/forwarding_task.model to the end (no
invariant, deadlock off: nothing stops the search, so every engine does the same work) with
  * level      protocheck's default engine (`checker.engines.level`, exact storage),
  * fingerp.   the same with 64-bit fingerprints only (`--store fingerprint`),
  * reference  the one-state-at-a-time engine (`--engine reference`), cut at --ref-limit s,
  * SPIN       `spin -a` + `gcc -O2 -DNOREDUCE -DSAFETY` + `./pan` on the twin that
               bench/spin_compare.py generates (no partial-order reduction: the same states),
each in a fresh process, and prints states, transitions, seconds, states/s, peak memory and
bytes per state (peak resident memory minus the process's memory before the search, over the
states, from 100,000 states on; SPIN: pan's own "total actual memory usage", with its hash
table sized to twice the states), and SPIN's time to verdict over each engine's (x SPIN).
SPIN's time is spin + gcc + pan, as a user waits for it. Stops after a size where the level
engine takes --limit seconds (default 60).

Usage: python bench/bench_level.py [--limit 60] [--min-n 1] [--max-n 8] [--ref-limit 120]
                                   [--variant fixed|buggy] [--no-spin]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from benchspec import fresh_process

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def one(n: int, fixed: bool, engine: str, store: str, timeout: float | None) -> dict:
    sys.path.insert(0, ROOT)
    from benchspec import write_spec

    from checker.load import load_spec
    from checker.run import CheckOptions, check

    spec = write_spec(f"bench_level_{'fixed' if fixed else 'buggy'}_n{n}", "forwarding_task",
                      {"N": n, "FIXED": fixed}, "deadlock off\nexpect holds")
    loaded = load_spec(spec)
    import numpy  # noqa: F401  (loaded before the baseline: it is not per-state memory)

    from checker.engines import level  # noqa: F401

    before = _rss_mb()
    r = check(loaded, CheckOptions(engine=engine, store=store, timeout=timeout,
                                   symmetry="off"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"states": r.stats.states, "transitions": r.stats.transitions,
            "seconds": r.stats.seconds, "peak_mb": peak,
            "bytes_per_state": max(peak - before, 0) * 2 ** 20 / max(r.stats.states, 1),
            "complete": r.complete}


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def spin(n: int, fixed: bool, workdir: str, states: int) -> dict:
    """`states`: how many to expect (pan's hash table is sized to twice that)."""
    sys.path.insert(0, HERE)
    from spin_compare import promela

    pml = os.path.join(workdir, "twin.pml")
    with open(pml, "w") as f:
        f.write(promela(n, fixed))
    run = {"cwd": workdir, "capture_output": True, "text": True}
    t0 = time.perf_counter()
    subprocess.run(["spin", "-a", "twin.pml"], check=True, **run)
    subprocess.run(["gcc", "-O2", "-DNOREDUCE", "-DSAFETY", "-DMEMLIM=16000", "-o", "pan",
                    "pan.c"], check=True, **run)
    t1 = time.perf_counter()
    w = max(16, (2 * states).bit_length())
    p = subprocess.run(["./pan", "-E", "-m1000000", f"-w{w}"], check=False, **run)
    t2 = time.perf_counter()
    if p.returncode != 0 or "states, stored" not in p.stdout:  # e.g. pan ran out of memory
        return {"states": 0, "transitions": 0, "seconds": t2 - t0, "compile": t1 - t0,
                "peak_mb": 0.0, "bytes_per_state": 0.0, "complete": False}
    states = int(re.search(r"(\d+) states, stored", p.stdout).group(1))
    trans = int(re.search(r"(\d+) transitions", p.stdout).group(1))
    mem = float(re.search(r"([\d.]+)\s+total actual memory usage", p.stdout).group(1))
    return {"states": states, "transitions": trans, "seconds": t2 - t0, "compile": t1 - t0,
            "peak_mb": mem, "bytes_per_state": mem * 2 ** 20 / states, "complete": True}


def _run(n: int, fixed: bool, engine: str, store: str = "auto", timeout: float = 0) -> dict:
    return fresh_process(__file__, n, int(fixed), engine, store, timeout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--max-n", type=int, default=8)
    ap.add_argument("--min-n", type=int, default=1)
    ap.add_argument("--variant", choices=["fixed", "buggy"], action="append",
                    help="only this variant (repeatable; default both)")
    ap.add_argument("--ref-limit", type=float, default=120.0)
    ap.add_argument("--no-spin", action="store_true")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        n, fixed, engine, store, timeout = args.one.split(",")
        print(json.dumps(one(int(n), fixed == "1", engine, store, float(timeout) or None)))
        return 0
    use_spin = not args.no_spin and shutil.which("spin") and shutil.which("gcc")
    workdir = tempfile.mkdtemp(prefix="protocheck-bench-")
    print(f"{'variant':<7} {'N':>2} {'engine':<9} {'states':>11} {'transitions':>12} "
          f"{'seconds':>8} {'states/s':>10} {'peak MB':>8} {'B/state':>8} {'x SPIN':>7}")
    for fixed in (True, False):
        if args.variant and ("fixed" if fixed else "buggy") not in args.variant:
            continue
        ref_on = True
        for n in range(args.min_n, args.max_n + 1):
            rows = {"level": _run(n, fixed, "level"),
                    "fingerp.": _run(n, fixed, "level", "fingerprint")}
            if ref_on:
                rows["reference"] = _run(n, fixed, "reference", timeout=args.ref_limit)
                ref_on = rows["reference"]["complete"]
            if use_spin:
                rows["SPIN"] = spin(n, fixed, workdir, rows["level"]["states"])
            for name, r in rows.items():
                rate = r["states"] / r["seconds"] if r["seconds"] else float("inf")
                ratio = ""
                if "SPIN" in rows and name != "SPIN" and r["complete"] \
                        and rows["SPIN"]["complete"]:
                    ratio = f"{rows['SPIN']['seconds'] / r['seconds']:.2f}"
                cut = "" if r["complete"] else " (cut)"
                per = f"{r['bytes_per_state']:>8.0f}" if r["states"] >= 100_000 else f"{'-':>8}"
                print(f"{'fixed' if fixed else 'buggy':<7} {n:>2} {name:<9} {r['states']:>11,} "
                      f"{r['transitions']:>12,} {r['seconds']:>8.2f} {rate:>10,.0f} "
                      f"{r['peak_mb']:>8.0f} {per} {ratio:>7}{cut}",
                      flush=True)
            if rows["level"]["seconds"] >= args.limit:
                break
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
