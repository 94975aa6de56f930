"""Depth-first search: a stack instead of a queue, often quicker to a first violation in a
deep state space, but its traces are not shortest. Same findings as BFS (`Findings`)."""

from __future__ import annotations

from checker.compile import System
from checker.engines.common import INTERRUPTED, Explicit, Limits, collector_paused
from checker.engines.result import Result


def search(system: System, limits: Limits | None = None) -> Result:
    with collector_paused():
        return _search(Explicit(system, limits or Limits()))


def _search(run: Explicit) -> Result:
    limits, tree, found, fired, why_stop = run.limits, run.tree, run.found, run.fired, run.why_stop
    visited = tree.visited
    depth, stack = [0], [0]
    transitions, limit, deepest = 0, "", 0
    try:
        while stack and not (found.violations and limits.stop_at_first):
            cur = stack.pop()
            d = depth[cur]
            if limits.max_depth is not None and d >= limits.max_depth:
                limit = limit or f"depth bound {limits.max_depth} reached"
                continue
            out = found.expand(tree.states[cur], cur, fired)
            transitions += len(out)
            for t in out:
                seen_before = len(visited)
                visited.add(t)
                if len(visited) > seen_before:
                    idx = tree.append(t, cur)
                    depth.append(d + 1)
                    stack.append(idx)
                    deepest = max(deepest, d + 1)
                    if found.checks_states:
                        found.check_state(t, idx)
            stopped = why_stop(len(tree.states), transitions, deepest)
            if stopped:
                limit = stopped
                break
    except KeyboardInterrupt:
        limit = INTERRUPTED
    return run.result(transitions, deepest, limit, bool(stack) or limit == INTERRUPTED)
