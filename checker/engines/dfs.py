"""Depth-first search: a stack instead of a queue, often quicker to a first violation in a
deep state space, but its traces are not shortest. Same findings as BFS (`Findings`)."""

from __future__ import annotations

import time

from checker.compile import System
from checker.engines.common import (
    INTERRUPTED,
    Findings,
    Limits,
    Tree,
    collector_paused,
    stop_checker,
    verdict_of,
)
from checker.engines.result import Result, Stats


def search(system: System, limits: Limits | None = None) -> Result:
    with collector_paused():
        return _search(system, limits or Limits())


def _search(system: System, limits: Limits) -> Result:
    start = time.perf_counter()
    fired = [0] * len(system.transitions)
    tree = Tree(system.initial)
    visited = tree.visited
    found = Findings(system, tree, start, limits.deadlock)
    depth, stack = [0], [0]
    transitions, limit, deepest = 0, "", 0
    why_stop = stop_checker(start, max_states=limits.max_states, timeout=limits.timeout,
                            stop=limits.stop, progress=limits.progress)
    found.check_state(system.initial, 0)
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
                # One hash per successor (80% are duplicates): add, see whether the set grew.
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
    seconds = time.perf_counter() - start
    pending = bool(stack) or limit == INTERRUPTED
    complete = not limit and not (found.violations and limits.stop_at_first and pending)
    return Result(verdict_of(found.violations, limit), tuple(found.violations),
                  Stats(len(tree.states), transitions, deepest, seconds), complete, limit,
                  tuple(fired), found.premises.vacuous(complete))
