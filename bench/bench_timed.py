"""Timed engine cost on the two shutdown models as the number of actors K grows.

For graceful_shutdown (VARIANT 2, configurable grace: two params) and dora_drop_token (buggy
and fixed), runs `synthesize` for K = 1, 2, ... until a run takes --limit seconds (default 60)
or K reaches --max-k, and prints symbolic states, transitions, seconds, the share of time
spent in Z3, Z3 calls and the synthesised region (which must not change with K).
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from benchspec import write_spec

from checker.run import synthesize

CASES = [
    ("graceful_shutdown", {"VARIANT": "2"}, True),
    ("dora_drop_token", {"FIXED": "false"}, False),
    ("dora_drop_token", {"FIXED": "true"}, False),
]
INVARIANTS = {
    "graceful_shutdown": "deadlock off\ninvariant torn: forall i in Invocation: "
                         "not (i at TornDown)",
    "dora_drop_token": "invariant acked: forall n in Node: not (n at Killed)",
}


def run(model: str, consts: dict, k: int):
    spec = write_spec(f"bench_timed_{model}_k{k}", model, {"K": k, **consts},
                      f"{INVARIANTS[model]}\nexpect holds")
    return synthesize(spec)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--max-k", type=int, default=6)
    args = ap.parse_args()
    print(f"{'model':<34} {'K':>2} {'states':>8} {'trans':>8} {'seconds':>8} {'Z3 %':>5} "
          f"{'Z3 calls':>9}  region where every property holds")
    for model, consts, _ in CASES:
        label = model + " (" + ", ".join(f"{k}={v}" for k, v in consts.items()) + ")"
        for k in range(1, args.max_k + 1):
            syn = run(model, consts, k)
            st = syn.stats
            share = 100 * syn.solver.seconds / syn.seconds if syn.seconds else 0
            calls = f"{syn.solver.calls:,}"
            print(f"{label:<34} {k:>2} {st.states:>8,} {st.transitions:>8,} {syn.seconds:>8.2f} "
                  f"{share:>5.0f} {calls:>9}  {syn.safe}", flush=True)
            if syn.seconds >= args.limit:
                break
    return 0


if __name__ == "__main__":
    sys.exit(main())
