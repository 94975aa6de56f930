"""Explorer throughput on the fixed forwarding_task (full exploration, nothing violated).

Runs N = 1, 2, ... each in a fresh subprocess (so peak memory is per run) until a run takes
at least --limit seconds (default 60), and prints: N, distinct states, transitions, seconds,
states/s and peak resident memory. Usage: python bench/bench_explore.py [--limit 60] [--max-n K]
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


def one(n: int) -> dict:
    sys.path.insert(0, ROOT)
    from benchspec import write_spec

    from checker.run import CheckOptions, check

    spec = write_spec(f"bench_explore_n{n}", "forwarding_task", {"N": n, "FIXED": True},
                      "invariant set: forall i in Invocation: i at EnsuringForwarding implies "
                      "i.forwarding_task_set\nexpect holds")
    r = check(spec, CheckOptions(symmetry="off"))  # the engine, not the reduction
    assert r.verdict == "holds" and r.complete
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"n": n, "states": r.stats.states, "transitions": r.stats.transitions,
            "seconds": r.stats.seconds, "peak_mb": peak_kb / 1024}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--max-n", type=int, default=12)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one)))
        return 0
    print(f"{'N':>3} {'states':>12} {'transitions':>13} {'seconds':>9} {'states/s':>10} "
          f"{'peak MB':>9}")
    for n in range(1, args.max_n + 1):
        row = fresh_process(__file__, n)
        rate = row["states"] / row["seconds"] if row["seconds"] > 0 else float("inf")
        print(f"{n:>3} {row['states']:>12,} {row['transitions']:>13,} {row['seconds']:>9.2f} "
              f"{rate:>10,.0f} {row['peak_mb']:>9.0f}", flush=True)
        if row["seconds"] >= args.limit:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
