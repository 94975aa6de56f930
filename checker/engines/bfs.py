"""Breadth-first search: the reference engine, and the one whose traces are shortest.

Every invariant is checked on a state when it is first discovered, so the first violation of
each property has a shortest path from the initial state. Depth is tracked by level
boundaries: the queue is the tree's list of states itself.

With `handover=N`, the search hands over to the level engine (`checker.engines.level`) at the
first level boundary where N states are known and the next level has at least HANDOVER_PER_GROUP
states per transition group: both number states alike, so the result is the same; a small
model never pays for loading numpy (~0.1 s, a third of a tiny check), and a model with many
instances and few states per level stays where per-state work is cheapest (the level engine
pays a fixed cost per group and batch).
"""

from __future__ import annotations

from checker.compile import System
from checker.engines.common import (
    INTERRUPTED,
    Explicit,
    Limits,
    collector_paused,
    settled_limit,
)
from checker.engines.result import Result

HANDOVER_PER_GROUP = 10


def search(system: System, limits: Limits | None = None, handover: int | None = None,
           store: str = "auto") -> Result:
    """`store`: how the level engine keeps states after a handover (level.search), which a
    system with faults never makes (`System.has_faults`)."""
    if system.has_faults:
        handover = None
    with collector_paused():
        return _search(Explicit(system, limits or Limits()), handover, store)


def _search(run: Explicit, handover: int | None = None, store: str = "auto",
            expand=None) -> Result:
    """`expand(state, index, fired)`: the successors a state is expanded into (default:
    every one, `Findings.expand`; partial-order reduction passes a reduced step)."""
    limits, tree, found, fired, why_stop = run.limits, run.tree, run.found, run.fired, run.why_stop
    expand = expand or found.expand
    groups = None  # how many transition groups the level engine would have (once needed)
    visited = tree.visited
    transitions, limit, head, level, level_end, deepest = 0, "", 0, 0, 1, 0
    try:
        while head < len(tree.states) and not (found.violations and limits.stop_at_first):
            cur = head
            head += 1
            if cur >= level_end:
                if handover is not None and len(tree.states) >= handover:
                    if groups is None:
                        from checker.groups import count_groups

                        groups = count_groups(run.found.system)
                    if len(tree.states) - cur >= HANDOVER_PER_GROUP * groups:
                        from checker.engines import level as level_engine

                        return level_engine.resume(run, level_engine.Resume(
                            cur, level + 1, transitions, deepest), store)
                level, level_end = level + 1, len(tree.states)
            if limits.max_depth is not None and level >= limits.max_depth:
                limit = limit or f"depth bound {limits.max_depth} reached"
                continue
            out = expand(tree.states[cur], cur, fired)
            transitions += len(out)
            for t in out:
                # One hash per successor (80% are duplicates): add, see whether the set grew.
                seen_before = len(visited)
                visited.add(t)
                if len(visited) > seen_before:
                    idx = tree.append(t, cur)
                    deepest = level + 1
                    if found.checks_states:
                        found.check_state(t, idx)
            # Not straight into `limit`: a depth bound noted above must survive.
            stopped = why_stop(len(tree.states), transitions, deepest)
            if stopped:
                limit = stopped
                break
    except KeyboardInterrupt:
        # Ctrl-C without the CLI's flag: stop cleanly, report partial statistics.
        limit = INTERRUPTED
    pending = head < len(tree.states) or limit == INTERRUPTED
    limit = settled_limit(limit, pending)
    return run.result(transitions, deepest, limit, pending)
