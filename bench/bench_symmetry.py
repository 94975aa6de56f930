"""Symmetry reduction on the forwarding model: how far one state per orbit goes.

For both variants and N = 2, 3, ..., explores models/forwarding_task.model to the end with
the two invariants of the seed specs, all violations (so the work does not depend on where
the first violation is), with symmetry reduction (the default) and, while it takes under
--plain-limit seconds, without (the level engine, `--symmetry off`), each in a fresh process;
prints orbits, the states they stand for, transitions, seconds, states/s (orbits), peak
memory, the verdict and the shortest counterexample's length. Stops after the N where the
reduced run takes --limit seconds (default 60).

Usage: python bench/bench_symmetry.py [--limit 60] [--max-n 30] [--plain-limit 60]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys

from benchspec import fresh_process

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
INVARIANTS = (
    "invariant forwarding_task_set_before_awaited: forall i in Invocation: "
    "i at EnsuringForwarding implies i.forwarding_task_set\n"
    "invariant no_failed_http_response: forall c in HttpClient: c at Done implies c.ok\n")


def one(n: int, fixed: bool, symmetry: str, timeout: float | None) -> dict:
    sys.path.insert(0, ROOT)
    from benchspec import write_spec

    from checker.run import CheckOptions, check

    spec = write_spec(f"bench_symmetry_{'fixed' if fixed else 'buggy'}_n{n}",
                      "forwarding_task", {"N": n, "FIXED": fixed},
                      INVARIANTS + f"expect {'holds' if fixed else 'violated'}")
    r = check(spec, CheckOptions(symmetry=symmetry, all_violations=True, timeout=timeout))
    return {"states": r.stats.states, "represented": r.stats.represented or r.stats.states,
            "transitions": r.stats.transitions, "seconds": r.stats.seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "verdict": r.verdict, "complete": r.complete,
            "trace": min((len(c.violation.path) - 1 for c in r.counterexamples), default=0)}


def _run(n: int, fixed: bool, symmetry: str, timeout: float = 0) -> dict:
    return fresh_process(__file__, n, int(fixed), symmetry, timeout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--max-n", type=int, default=30)
    ap.add_argument("--plain-limit", type=float, default=60.0)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        n, fixed, symmetry, timeout = args.one.split(",")
        print(json.dumps(one(int(n), fixed == "1", symmetry, float(timeout) or None)))
        return 0
    print(f"{'variant':<7} {'N':>2} {'symmetry':<8} {'states':>11} {'stand for':>14} "
          f"{'transitions':>12} {'seconds':>8} {'states/s':>9} {'peak MB':>8} "
          f"{'verdict':<12} {'trace':>5}")
    for fixed in (False, True):
        plain_on = True
        for n in range(2, args.max_n + 1):
            rows = {"auto": _run(n, fixed, "auto")}
            if plain_on:
                rows["off"] = _run(n, fixed, "off", args.plain_limit)
                plain_on = rows["off"]["complete"]
            for name, r in rows.items():
                rate = r["states"] / r["seconds"] if r["seconds"] else float("inf")
                verdict = r["verdict"] if r["complete"] else f"{r['verdict']} (cut)"
                print(f"{'fixed' if fixed else 'buggy':<7} {n:>2} {name:<8} {r['states']:>11,} "
                      f"{r['represented']:>14,} {r['transitions']:>12,} {r['seconds']:>8.2f} "
                      f"{rate:>9,.0f} {r['peak_mb']:>8.0f} {verdict:<12} {r['trace']:>5}",
                      flush=True)
            if rows["auto"]["seconds"] >= args.limit:
                break
    return 0


if __name__ == "__main__":
    sys.exit(main())
