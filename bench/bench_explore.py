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
import subprocess
import sys
import time
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODEL = os.path.join(ROOT, "models", "forwarding_task.model")


def one(n: int) -> dict:
    sys.path.insert(0, ROOT)
    from checker.compile import compile_system
    from checker.dsl.parse import parse_model, parse_spec
    from checker.explore import explore
    from checker.sema.check import check_model
    from checker.source import Source

    spec = Source("bench.spec", f'spec bench\nmodel "m"\nconst N = {n}\nconst FIXED = true\n'
                  "invariant set: forall i in Invocation: i at EnsuringForwarding implies "
                  "i.forwarding_task_set\nexpect holds\n")
    model = Source(MODEL, Path(MODEL).read_text())
    checked = check_model(parse_model(model), {MODEL: model, "bench.spec": spec},
                          parse_spec(spec))
    system = compile_system(checked.model, checked.config.invariants)
    start = time.perf_counter()
    r = explore(system)
    seconds = time.perf_counter() - start
    assert r.verdict == "holds" and r.complete
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"n": n, "states": r.stats.states, "transitions": r.stats.transitions,
            "seconds": seconds, "peak_mb": peak_kb / 1024}


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
        p = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True,
                           text=True, check=True)
        row = json.loads(p.stdout)
        rate = row["states"] / row["seconds"] if row["seconds"] > 0 else float("inf")
        print(f"{n:>3} {row['states']:>12,} {row['transitions']:>13,} {row['seconds']:>9.2f} "
              f"{rate:>10,.0f} {row['peak_mb']:>9.0f}", flush=True)
        if row["seconds"] >= args.limit:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
