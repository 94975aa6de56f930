"""Random simulation against exhaustive checking, in one run: how many runs and seconds
`simulate` takes to its first violation on each seed spec that has one, over many seeds, and
whether it shrinks to the length of check's shortest trace.

For each spec (default: every spec of specs/ whose check is violated, and
bench/forwarding_task_buggy_n10.spec), `checker.run.simulate` with seeds 0 .. --seeds - 1, and
`checker.run.check` once plainly (for its time) and once with all_violations (for the shortest
trace of each property). Columns:

    found       seeds whose runs found a violation (of --seeds, each up to --runs runs)
    runs        runs made up to and including the violating one: median and largest
    to first    seconds from the first run to the end of the violating one: median, largest
    total       seconds of the whole simulate call (loading, runs, shrinking, the trace)
    steps       the shrunk trace's faults/steps (every seed), and check's for that property
    check       seconds of a plain `check` (it stops at the first violation), for comparison

Usage: python bench/bench_simulate.py [--seeds 20] [--runs 1000] [SPEC...]
"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from checker.run import CheckOptions, SimulateOptions, check, simulate


def _length(cx) -> str:
    faults = sum(1 for s in cx.trace.steps if s.fault is not None)
    return f"{faults}f/{len(cx.trace.steps)}" if faults else str(len(cx.trace.steps))


def measure(path: str, seeds: int, runs: int) -> str:
    exhaustive = check(path)
    every = check(path, CheckOptions(all_violations=True))
    shortest = {cx.property.name: _length(cx) for cx in every.counterexamples}
    made, first, total, lengths, props = [], [], [], set(), set()
    for seed in range(seeds):
        r = simulate(path, SimulateOptions(seed=seed, runs=runs))
        total.append(r.seconds)
        if not r.counterexamples:
            continue
        cx = r.counterexamples[0]
        made.append(r.simulation.runs)
        first.append(r.simulation.found_after)
        lengths.add(_length(cx))
        props.add(cx.property.name)
    check_len = ", ".join(sorted({shortest.get(p, "-") for p in props})) or "-"
    if not made:
        return (f"| {os.path.relpath(path, ROOT)} | 0/{seeds} | | | "
                f"{statistics.median(total):.3f} | | {exhaustive.seconds:.2f} |")
    return (f"| {os.path.relpath(path, ROOT)} | {len(made)}/{seeds} | "
            f"{statistics.median(made):g} / {max(made)} | "
            f"{statistics.median(first):.4f} / {max(first):.4f} | "
            f"{statistics.median(total):.3f} | {', '.join(sorted(lengths))} (check {check_len}) | "
            f"{exhaustive.seconds:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("specs", nargs="*")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--runs", type=int, default=1000)
    args = ap.parse_args()
    specs = args.specs
    if not specs:
        candidates = sorted(glob.glob(os.path.join(ROOT, "specs", "*.spec")))
        specs = [p for p in candidates if check(p).verdict == "violated"]
        specs.append(os.path.join(HERE, "forwarding_task_buggy_n10.spec"))
    print("| spec | found | runs (median / max) | to first, s (median / max) | total, s "
          "| steps (shrunk; check) | check, s |")
    print("|---|---|---|---|---|---|---|")
    for path in specs:
        print(measure(path, args.seeds, args.runs), flush=True)


if __name__ == "__main__":
    main()
