"""The partitioned search (`--workers`, `--cluster`) against one process, in one run.

For N = --min-n .. --max-n and each variant, explores models/forwarding_task.model to the end
(no invariant, deadlock off, symmetry off: every configuration does the same work) with
  * 1 process   the level engine (`checker.engines.level`), as `check` runs it by default,
  * 1 shard     the partitioned search with one local worker: the protocol's own cost,
  * W local     --workers W (worker processes on this machine),
  * W Ray       --cluster local --workers W (a Ray cluster started on this machine),
each in a fresh process, and prints states, transitions, wall seconds (pool start-up
included: spawning processes, starting Ray), states/s, the speed-up over one process, and the
partitioning's cost per state: (W x seconds - one process's seconds) / states, in CPU
microseconds (what the shards spend beyond the one-process engine's work, if they ran
perfectly in parallel). Peak memory: the coordinator's, and the largest local worker's.

Usage: python bench/bench_workers.py [--min-n 5] [--max-n 7] [--workers 2]
                                     [--variant fixed|buggy] [--no-ray]
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


def one(n: int, fixed: bool, workers: int, where: str) -> dict:
    sys.path.insert(0, ROOT)
    from benchspec import write_spec

    from checker.load import load_spec
    from checker.run import CheckOptions, check

    spec = write_spec(f"bench_level_{'fixed' if fixed else 'buggy'}_n{n}", "forwarding_task",
                      {"N": n, "FIXED": fixed}, "deadlock off\nexpect holds")
    loaded = load_spec(spec)
    t0 = time.perf_counter()
    if where == "shard":  # one worker process: the run API keeps a single worker in-process
        from checker.engines import pools, shards
        from checker.engines.common import Limits

        r = shards.search(loaded.system, Limits(deadlock=False),
                          lambda args: pools.LocalPool(1, args))
    else:
        r = check(loaded, CheckOptions(symmetry="off", workers=None if where == "one" else
                                       workers, cluster="local" if where == "ray" else None))
    seconds = time.perf_counter() - t0
    return {"states": r.stats.states, "transitions": r.stats.transitions, "seconds": seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "complete": r.complete}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-n", type=int, default=5)
    ap.add_argument("--max-n", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--variant", choices=["fixed", "buggy"], action="append",
                    help="only this variant (repeatable; default both)")
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        n, fixed, workers, where = args.one.split(",")
        print(json.dumps(one(int(n), fixed == "1", int(workers), where)))
        return 0
    w = args.workers
    configs = [("1 process", 1, "one"), ("1 shard", 1, "shard"), (f"{w} local", w, "local")]
    if not args.no_ray:
        configs.append((f"{w} Ray", w, "ray"))
    print(f"{'variant':<7} {'N':>2} {'run':<10} {'states':>11} {'transitions':>12} "
          f"{'seconds':>8} {'states/s':>10} {'speed-up':>8} {'us/state':>8} {'peak MB':>8} "
          f"{'worker MB':>9}")
    for fixed in (True, False):
        if args.variant and ("fixed" if fixed else "buggy") not in args.variant:
            continue
        for n in range(args.min_n, args.max_n + 1):
            base = None
            for name, count, where in configs:
                r = fresh_process(__file__, n, int(fixed), count, where)
                base = base or r
                rate = r["states"] / r["seconds"]
                cost = (count * r["seconds"] - base["seconds"]) / r["states"] * 1e6
                assert (r["states"], r["transitions"]) == (base["states"], base["transitions"])
                worker = (f"{r['worker_mb']:>9.0f}" if where in ("local", "shard")
                          else f"{'-':>9}")
                print(f"{'fixed' if fixed else 'buggy':<7} {n:>2} {name:<10} "
                      f"{r['states']:>11,} {r['transitions']:>12,} {r['seconds']:>8.2f} "
                      f"{rate:>10,.0f} {base['seconds'] / r['seconds']:>8.2f} "
                      f"{cost if where != 'one' else 0:>8.2f} {r['peak_mb']:>8.0f} {worker}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
