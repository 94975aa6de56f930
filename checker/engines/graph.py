"""Breadth-first search that keeps the state graph, for specs with liveness properties.

The search is the reference BFS (`checker.engines.bfs`): the same order, the same state
numbers, the same safety findings through `Findings`, so invariants, deadlock and failures get
the same verdicts and shortest traces as without liveness. On top, it keeps every edge with
the label of the transition that made it (transition id, instance, sender slot, message), in
compressed rows: state i's edges are `dst[start[i]:start[i + 1]]`. Only the states below
`expanded` have all their edges; the liveness analysis (`checker.engines.liveness`) looks for
fair cycles among those only, so a bounded search can still report a real violation but never
proves a liveness property.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from checker.compile import System
from checker.engines.common import (
    INTERRUPTED,
    Explicit,
    Limits,
    collector_paused,
    settled_limit,
)
from checker.engines.fewest import Layers
from checker.engines.result import Result


@dataclass(eq=False)
class StateGraph:
    """The explored graph: states in BFS order (0 is initial), tree parents, labelled edges."""

    states: list[tuple]
    parent: list[int]
    start: array = field(default_factory=lambda: array("q", [0]))
    dst: array = field(default_factory=lambda: array("q"))
    label: array = field(default_factory=lambda: array("q"))  # index into `labels`
    labels: list[tuple] = field(default_factory=list)  # (tid, instance, slot, message)
    depth: list[int] = field(default_factory=lambda: [0])
    cut: set[int] = field(default_factory=set)  # below `expanded`, but left out (depth bound)

    @property
    def expanded(self) -> int:
        """States 0 .. expanded-1 have a row: all their edges, except those in `cut`."""
        return len(self.start) - 1

    def has_edges(self, v: int) -> bool:
        """Whether v's row holds all of its edges."""
        return v < self.expanded and v not in self.cut

    def edges(self, i: int) -> range:
        return range(self.start[i], self.start[i + 1])


def search(system: System, limits: Limits | None = None) -> tuple[Result, StateGraph]:
    with collector_paused():
        return _search(Explicit(system, limits or Limits()))


def _search(run: Explicit) -> tuple[Result, StateGraph]:
    """In order of (faults, depth), as `checker.engines.fewest` (without fault clauses: the
    reference BFS order). An edge to a state a fault reached, which waits for its layer, gets
    its number when the state is entered."""
    limits, tree, found, fired, why_stop = run.limits, run.tree, run.found, run.fired, run.why_stop
    graph = StateGraph(tree.states, tree.parent)
    layers = Layers(found.system)
    index = {tree.states[0]: 0}
    waiting: dict[tuple, int] = {}  # a waiting state -> the provisional number of edges to it
    label_ids: dict[tuple, int] = {}
    start, dst, lab, depth = graph.start, graph.dst, graph.label, graph.depth
    transitions, limit, head, deepest = 0, "", 0, 0

    def enter(due: list) -> None:
        for t, parent, d in due:
            if t not in index:
                index[t] = tree.append(t, parent)
                depth.append(d)
                if found.checks_states:
                    found.check_state(t, index[t])

    try:
        while not (found.violations and limits.stop_at_first):
            due = layers.before(head, depth)
            if due is None:
                break
            if due:
                enter(due)
                continue
            cur = head
            level = depth[cur]
            head += 1
            if limits.max_depth is not None and level >= limits.max_depth:
                # Not expanded (an empty row, marked cut); a later fault layer may still have
                # shallower states, so the search goes on.
                limit = f"depth bound {limits.max_depth} reached"
                graph.cut.add(cur)
                start.append(len(dst))
                continue
            info: list = []
            out = found.expand(tree.states[cur], cur, fired, info)
            transitions += len(out)
            for t, how in zip(out, info):
                j = index.get(t)
                if j is None and layers.defer(t, cur, level + 1):
                    j = waiting.setdefault(t, -1 - len(waiting))
                elif j is None:
                    j = index[t] = tree.append(t, cur)
                    depth.append(level + 1)
                    deepest = max(deepest, level + 1)
                    if found.checks_states:
                        found.check_state(t, j)
                k = label_ids.get(how)
                if k is None:
                    k = label_ids[how] = len(graph.labels)
                    graph.labels.append(how)
                dst.append(j)
                lab.append(k)
            start.append(len(dst))
            stopped = why_stop(len(tree.states), transitions, deepest)
            if stopped:
                limit = stopped
                break
    except KeyboardInterrupt:
        limit = INTERRUPTED
    # An expansion cut short by Ctrl-C has no row: drop its edges.
    del dst[start[-1]:]
    del lab[start[-1]:]
    pending = head < len(tree.states) or bool(layers.pending) or limit == INTERRUPTED
    _number_waiting(graph, index, waiting, layers)
    limit = settled_limit(limit, pending)
    return run.result(transitions, max(depth), limit, pending), graph


def _number_waiting(graph: StateGraph, index: dict, waiting: dict, layers: Layers) -> None:
    """Edges to states that waited for their layer point at their numbers; a search cut short
    also numbers those still waiting (unexpanded, as any state past `expanded`)."""
    if not waiting:
        return
    for bucket in sorted(layers.pending):
        for t, parent in layers.pending[bucket].items():
            if t not in index:
                index[t] = len(graph.states)
                graph.states.append(t)
                graph.parent.append(parent)
                graph.depth.append(bucket[1])
    number = {v: index[t] for t, v in waiting.items()}
    dst = graph.dst
    for e in range(len(dst)):
        if dst[e] < 0:
            dst[e] = number[dst[e]]
