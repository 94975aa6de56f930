"""Partial-order reduction (`check --por`) against the plain search, in one run.

For N = --min-n .. --max-n and both variants, explores models/forwarding_task.model to the
end (symmetry off) with the spec's two invariants, and with no property at all (deadlock off),
plainly (the level engine) and reduced (`checker.engines.por`), each in a fresh process, and
prints states, transitions, seconds, states/s and the reduction (plain states / reduced).
With the invariants every step of an invocation or client writes what they read (its control
state), so those steps are visible and the reduction can only drop the worker's
interleavings; with no property it keeps one interleaving of independent invocations.

Usage: python bench/bench_por.py [--min-n 3] [--max-n 6]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from benchspec import fresh_process

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
INVARIANTS = """invariant forwarding_task_set_before_awaited:
  forall i in Invocation: i at EnsuringForwarding implies i.forwarding_task_set
invariant no_failed_http_response: forall c in HttpClient: c at Done implies c.ok
"""


def one(n: int, fixed: bool, props: bool, reduced: bool) -> dict:
    sys.path.insert(0, ROOT)
    from benchspec import write_spec

    from checker.load import load_spec
    from checker.run import CheckOptions, check

    body = (INVARIANTS + "expect " + ("holds" if fixed else "violated")) if props else (
        "deadlock off\nexpect holds")
    name = f"bench_por_{'fixed' if fixed else 'buggy'}_n{n}_{'inv' if props else 'none'}"
    loaded = load_spec(write_spec(name, "forwarding_task", {"N": n, "FIXED": fixed}, body))
    t0 = time.perf_counter()
    r = check(loaded, CheckOptions(symmetry="off", por=reduced, all_violations=True))
    return {"states": r.stats.states, "transitions": r.stats.transitions,
            "seconds": time.perf_counter() - t0, "verdict": r.verdict,
            "steps": [len(c.trace.steps) for c in r.counterexamples]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-n", type=int, default=3)
    ap.add_argument("--max-n", type=int, default=6)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        n, fixed, props, reduced = args.one.split(",")
        print(json.dumps(one(int(n), fixed == "1", props == "1", reduced == "1")))
        return 0
    print(f"{'variant':<7} {'N':>2} {'properties':<11} {'search':<8} {'states':>11} "
          f"{'transitions':>12} {'seconds':>8} {'states/s':>10} {'reduction':>9} {'verdict':<9}"
          f" trace steps")
    for fixed in (True, False):
        for props in (True, False):
            for n in range(args.min_n, args.max_n + 1):
                plain = fresh_process(__file__, n, int(fixed), int(props), 0)
                reduced = fresh_process(__file__, n, int(fixed), int(props), 1)
                assert plain["verdict"] == reduced["verdict"]
                for name, r in (("plain", plain), ("por", reduced)):
                    print(f"{'fixed' if fixed else 'buggy':<7} {n:>2} "
                          f"{'invariants' if props else 'none':<11} {name:<8} "
                          f"{r['states']:>11,} {r['transitions']:>12,} {r['seconds']:>8.2f} "
                          f"{r['states'] / r['seconds']:>10,.0f} "
                          f"{plain['states'] / r['states']:>9.1f} {r['verdict']:<9} "
                          f"{r['steps']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
