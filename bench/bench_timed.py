"""Timed engine cost on the two shutdown models as the number of actors K grows: the
polyhedral zones (the default) against the first engine's Z3 zones, in the same run.

For graceful_shutdown (VARIANT 2, configurable grace: two params) and dora_drop_token (buggy
and fixed), runs `synthesize` for K = 1, 2, ... with each zone representation, each run in a
fresh subprocess (so peak memory is its own), until a run of the polyhedra takes --limit
seconds (default 60) or K reaches --max-k; a run of the Z3 engine is cut at --z3-limit seconds
(default 60), and not tried again for larger K (its speed-up is then a lower bound). Prints symbolic states, transitions, seconds, states/s,
peak memory, the time in PPL and in Z3, the speed-up over Z3, and the region (which must not
change with K or with the engine).

Usage: python bench/bench_timed.py [--limit 60] [--z3-limit 60] [--max-k 8]
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

CASES = [
    ("graceful_shutdown", {"VARIANT": 2}),
    ("dora_drop_token", {"FIXED": False}),
    ("dora_drop_token", {"FIXED": True}),
]
INVARIANTS = {
    "graceful_shutdown": "terminate HostProcess at 0\ndeadlock off\ninvariant torn: forall i in Invocation: "
                         "not (i at TornDown)",
    "dora_drop_token": "invariant acked: forall n in Node: not (n at Killed)",
}


def one(case: int, k: int, zones: str, timeout: float | None) -> dict:
    sys.path.insert(0, ROOT)
    from benchspec import write_spec

    from checker.run import SynthesisOptions, synthesize

    model, consts = CASES[case]
    spec = write_spec(f"bench_timed_{case}_k{k}", model, {"K": k, **consts},
                      f"{INVARIANTS[model]}\nexpect holds")
    syn = synthesize(spec, SynthesisOptions(zones=zones, timeout=timeout))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"states": syn.stats.states, "transitions": syn.stats.transitions,
            "seconds": syn.seconds, "z3": syn.solver.seconds,
            "ppl": syn.solver.polyhedra_seconds, "peak_mb": peak_kb / 1024,
            "safe": syn.safe if syn.complete else f"(cut short: {syn.limit})"}


def _run(case: int, k: int, zones: str, timeout: float = 0) -> dict:
    return fresh_process(__file__, case, k, zones, timeout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--z3-limit", type=float, default=60.0)
    ap.add_argument("--max-k", type=int, default=8)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        case, k, zones, timeout = args.one.split(",")
        print(json.dumps(one(int(case), int(k), zones, float(timeout) or None)))
        return 0
    print(f"{'model':<28} {'K':>2} {'zones':<5} {'states':>8} {'trans':>9} {'seconds':>8} "
          f"{'states/s':>9} {'peak MB':>8} {'PPL s':>7} {'Z3 s':>7} {'x vs Z3':>8}  region")
    for case, (model, consts) in enumerate(CASES):
        label = model + " (" + ", ".join(f"{k}={v}" for k, v in consts.items()) + ")"
        z3_on = True
        for k in range(1, args.max_k + 1):
            rows = {"ppl": _run(case, k, "ppl")}
            if z3_on:
                rows["z3"] = _run(case, k, "z3", args.z3_limit)
                z3_on = rows["z3"]["seconds"] < args.z3_limit
            for zones, r in rows.items():
                rate = r["states"] / r["seconds"] if r["seconds"] else float("inf")
                ratio = ""
                if zones == "ppl" and "z3" in rows and r["seconds"]:
                    cut = rows["z3"]["safe"].startswith("(cut")
                    ratio = f"{'>' if cut else ''}{rows['z3']['seconds'] / r['seconds']:.0f}x"
                print(f"{label:<28} {k:>2} {zones:<5} {r['states']:>8,} {r['transitions']:>9,} "
                      f"{r['seconds']:>8.2f} {rate:>9,.0f} {r['peak_mb']:>8.0f} "
                      f"{r['ppl']:>7.2f} {r['z3']:>7.2f} {ratio:>8}  {r['safe']}", flush=True)
            if rows["ppl"]["seconds"] >= args.limit:
                break
    return 0


if __name__ == "__main__":
    sys.exit(main())
