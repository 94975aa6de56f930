"""What liveness costs over safety, on the forwarding task, in one run.

For N = --min-n .. --max-n and both variants, checks models/forwarding_task.model three ways,
each in a fresh process (so peak memory is its own), symmetry off so all count the same states:

    safety    the spec's two invariants, in the default engine (level-synchronous, numpy)
    graph     the same invariants in the search that keeps the graph (one state at a time,
              every edge stored), without liveness: the price of keeping the graph
    liveness  the invariants and `forall c in HttpClient: c at Waiting leads_to c at Done`
              (one property per client, each also checked without fairness)

and prints states, transitions, stored edges, seconds (of which fair-cycle analysis),
states/s, peak resident memory and bytes per state (peak minus the process before the search,
over the states).

Usage: python bench/bench_liveness.py [--min-n 3] [--max-n 5]
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
INVARIANTS = """invariant forwarding_task_set_before_awaited:
  forall i in Invocation: i at EnsuringForwarding implies i.forwarding_task_set
invariant no_failed_http_response: forall c in HttpClient: c at Done implies c.ok
"""
LIVENESS = """liveness every_request_answered:
  forall c in HttpClient: c at Waiting leads_to c at Done
"""


def one(n: int, fixed: bool, mode: str) -> dict:
    sys.path.insert(0, ROOT)
    from benchspec import write_spec

    from checker.engines import graph
    from checker.engines.common import Limits
    from checker.load import load_spec
    from checker.run import CheckOptions, check

    body = INVARIANTS + (LIVENESS if mode == "liveness" else "") + "expect " + (
        "holds" if fixed else "violated")
    name = f"bench_liveness_{'fixed' if fixed else 'buggy'}_n{n}_{mode}"
    loaded = load_spec(write_spec(name, "forwarding_task", {"N": n, "FIXED": fixed}, body))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    if mode == "graph":
        r, g = graph.search(loaded.system, Limits(stop_at_first=False))
        edges, scc, verdict = len(g.dst), 0.0, r.verdict
    else:
        r = check(loaded, CheckOptions(symmetry="off", all_violations=True))
        edges, scc, verdict = r.stats.edges, r.stats.liveness_seconds, r.verdict
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"states": r.stats.states, "transitions": r.stats.transitions, "edges": edges,
            "seconds": seconds, "scc": scc, "verdict": verdict, "peak_mb": peak,
            "bytes_per_state": (peak - before) * 2**20 / max(r.stats.states, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-n", type=int, default=3)
    ap.add_argument("--max-n", type=int, default=5)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        n, fixed, mode = args.one.split(",")
        print(json.dumps(one(int(n), fixed == "1", mode)))
        return 0
    print(f"{'variant':<7} {'N':>2} {'search':<9} {'states':>9} {'transitions':>12} "
          f"{'edges':>10} {'seconds':>8} {'of which SCC':>12} {'states/s':>9} {'peak MB':>8} "
          f"{'B/state':>8} verdict")
    for fixed in (True, False):
        for n in range(args.min_n, args.max_n + 1):
            rows = {m: fresh_process(__file__, n, int(fixed), m)
                    for m in ("safety", "graph", "liveness")}
            assert len({r["states"] for r in rows.values()}) == 1
            for mode, r in rows.items():
                print(f"{'fixed' if fixed else 'buggy':<7} {n:>2} {mode:<9} {r['states']:>9,} "
                      f"{r['transitions']:>12,} {r['edges']:>10,} {r['seconds']:>8.2f} "
                      f"{r['scc']:>12.2f} {r['states'] / r['seconds']:>9,.0f} "
                      f"{r['peak_mb']:>8.0f} {r['bytes_per_state']:>8.0f} {r['verdict']}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
