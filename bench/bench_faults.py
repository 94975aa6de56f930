"""What faults cost: state-space growth per fault budget on the forwarding task, in one run.

For N = --min-n .. --max-n, the fixed variant of models/forwarding_task.model under three
fault clauses, each at budgets 0 .. --max-budget, each run in a fresh process (so peak memory
is its own) through checker.run with --all-violations, so every reachable state is counted:

    lose      fault lose InvocationRequest to Worker at most B
    crash     fault crash Worker restart at most B
    duplicate fault duplicate InvocationResponse at most B

and prints states, transitions, seconds, states/s, peak resident memory, bytes per state and
the verdict of the invariant (no failed HTTP response) plus deadlock detection (off: a lost
request leaves an invocation waiting, which the liveness specs cover). Budget 0 is the
fault-free state space with the counters: the same count as without the clause.

Usage: python bench/bench_faults.py [--min-n 1] [--max-n 3] [--max-budget 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

from benchspec import fresh_process

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLAUSES = {
    "lose": "fault lose InvocationRequest to Worker at most {b}",
    "crash": "fault crash Worker restart at most {b}",
    "duplicate": "fault duplicate InvocationResponse at most {b}",
}
BODY = """{clause}
deadlock off
invariant no_failed_http_response: forall c in HttpClient: c at Done implies c.ok
expect holds
"""


def one(n: int, kind: str, budget: int) -> dict:
    sys.path.insert(0, ROOT)
    from benchspec import write_spec

    from checker.run import CheckOptions, check

    body = BODY.format(clause=CLAUSES[kind].format(b=budget))
    path = write_spec(f"bench_faults_{kind}_n{n}_b{budget}", "forwarding_task",
                      {"N": n, "FIXED": True}, body)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    r = check(path, CheckOptions(all_violations=True))
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"states": r.stats.states, "transitions": r.stats.transitions, "seconds": seconds,
            "verdict": r.verdict, "complete": r.complete, "peak_mb": peak,
            "bytes_per_state": (peak - before) * 2**20 / max(r.stats.states, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-n", type=int, default=1)
    ap.add_argument("--max-n", type=int, default=3)
    ap.add_argument("--max-budget", type=int, default=3)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        n, kind, budget = args.one.split(",")
        print(json.dumps(one(int(n), kind, int(budget))))
        return 0
    print(f"{'N':>2} {'fault':<9} {'budget':>6} {'states':>10} {'transitions':>12} "
          f"{'x budget 0':>10} {'seconds':>8} {'states/s':>9} {'peak MB':>8} {'B/state':>8} "
          "verdict")
    for n in range(args.min_n, args.max_n + 1):
        for kind in CLAUSES:
            base = None
            for budget in range(args.max_budget + 1):
                r = fresh_process(__file__, n, kind, budget)
                assert r["complete"]
                base = base or r["states"]
                print(f"{n:>2} {kind:<9} {budget:>6} {r['states']:>10,} "
                      f"{r['transitions']:>12,} {r['states'] / base:>10.1f} "
                      f"{r['seconds']:>8.2f} {r['states'] / r['seconds']:>9,.0f} "
                      f"{r['peak_mb']:>8.0f} {r['bytes_per_state']:>8.0f} {r['verdict']}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
