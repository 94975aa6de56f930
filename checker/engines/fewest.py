"""Fewest faults first: the breadth-first search for specs with fault clauses.

A state's fault count is part of it (`System.faults_of`), so every path to a state has the same
number of faults, and the plain BFS path to it is the shortest one with that many. What plain
BFS gets wrong is which violating state it meets first: a 2-fault state at depth 5 before a
0-fault one at depth 9. This search visits states in order of (faults, depth): one layer per
fault count, each a BFS whose sources are the states the previous layer reached by a fault, each
entering at its own depth (`Layers`). The first violation found is then minimal in faults, then
steps, and ties are broken as the plain BFS breaks them. States are numbered in the order they
are visited, which is also the order they are expanded, as in the reference BFS (the graph
search for liveness, `checker.engines.graph`, walks the same order).

Each state is visited once: the counts are those of the plain search (docs/faults.md).
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


class Layers:
    """The states reached by a fault, waiting for their layer: (layer, depth) -> state ->
    parent, in the order they were first reached (the first reach is at the least depth, since
    the layer before is visited in order of depth)."""

    def __init__(self, system: System):
        self.system = system
        self.layer = 0
        self.pending: dict[tuple[int, int], dict[tuple, int]] = {}

    def defer(self, t: tuple, parent: int, depth: int) -> bool:
        """Keep t for its layer if a fault reached it (True); False: it is in this layer."""
        f = self.system.faults_of(t)
        if f == self.layer:
            return False
        bucket = self.pending.setdefault((f, depth), {})
        bucket.setdefault(t, parent)
        return True

    def before(self, head: int, depth: list[int]) -> list[tuple[tuple, int, int]] | None:
        """What to enter before state `head` is expanded (`depth`: of every state numbered so
        far): at a new depth, the states a fault reached at that depth; with nothing left to
        expand, those of the least depth waiting (None: there are none, the search is over)."""
        if head == len(depth):
            return self.due(None) or None
        if head and depth[head] > depth[head - 1]:
            return self.due(depth[head])
        return []

    def due(self, depth: int | None) -> list[tuple[tuple, int, int]]:
        """(state, parent, depth) of the waiting states of this layer up to `depth` (None: the
        least depth waiting in this layer or, if none, in the next layer, which begins)."""
        if depth is None:
            if not self.pending:
                return []
            if all(f != self.layer for f, _ in self.pending):
                self.layer = min(f for f, _ in self.pending)
            depth = min(d for f, d in self.pending if f == self.layer)
        out = []
        for d in sorted(d for f, d in self.pending if f == self.layer and d <= depth):
            out += [(t, p, d) for t, p in self.pending.pop((self.layer, d)).items()]
        return out


def search(system: System, limits: Limits | None = None) -> Result:
    with collector_paused():
        return _search(Explicit(system, limits or Limits()))


def _search(run: Explicit) -> Result:
    limits, tree, found, fired, why_stop = run.limits, run.tree, run.found, run.fired, run.why_stop
    layers = Layers(run.found.system)
    visited, depth = tree.visited, [0]
    transitions, limit, head, deepest = 0, "", 0, 0

    def enter(waiting: list) -> None:
        for t, parent, d in waiting:
            if t not in visited:
                visited.add(t)
                depth.append(d)
                found.check_state(t, tree.append(t, parent))

    try:
        while not (found.violations and limits.stop_at_first):
            due = layers.before(head, depth)
            if due is None:
                break
            if due:
                enter(due)
                continue
            cur = head
            head += 1
            level = depth[cur]
            if limits.max_depth is not None and level >= limits.max_depth:
                limit = limit or f"depth bound {limits.max_depth} reached"
                continue
            out = found.expand(tree.states[cur], cur, fired)
            transitions += len(out)
            for t in out:
                if t in visited or layers.defer(t, cur, level + 1):
                    continue
                visited.add(t)
                depth.append(level + 1)
                deepest = max(deepest, level + 1)
                found.check_state(t, tree.append(t, cur))
            stopped = why_stop(len(tree.states), transitions, deepest)
            if stopped:
                limit = stopped
                break
    except KeyboardInterrupt:
        limit = INTERRUPTED
    pending = head < len(tree.states) or bool(layers.pending) or limit == INTERRUPTED
    limit = settled_limit(limit, pending)
    deepest = max(depth)
    return run.result(transitions, deepest, limit, pending)
