"""An independent liveness oracle for small state graphs, and a lasso validator.

Shares nothing with checker.engines.liveness but the compiled successor function and the
fairness vocabulary: the graph is rebuilt here with networkx, a fair cycle is searched by brute
force over every strongly connected *subset* of states (no Tarjan pass, no refinement), and
each counterexample the checker prints is replayed step by step: every hop is a successor of
the state before it (with the transition the trace names), the cycle closes, fairness holds on
it, and the property is false on the run it stands for.
"""

from __future__ import annotations

import heapq
import itertools

import networkx as nx

from checker.compile import EvalError, System
from checker.temporal import EVENTUALLY, LEADS_TO, NONE, RECURRENCE, STABILITY, STRONG, Fairness

MAX_SUBSET = 9  # states of one SCC whose subsets are enumerated (2^9 subsets)


class Graph:
    """Every reachable state, each edge with its (transition id, instance) group."""

    def __init__(self, system: System, cap: int = 5_000):
        self.system = system
        self.states = [system.initial]
        index = {system.initial: 0}
        self.g = nx.MultiDiGraph()
        self.g.add_node(0)
        head = 0
        while head < len(self.states):
            out: list = []
            info: list = []
            try:
                system.successors_traced(self.states[head], out, [],
                                         [0] * len(system.transitions), info)
            except EvalError:
                out, info = [], []  # the checker leaves liveness undecided then
            for t, (tid, inst, _slot, _msg) in zip(out, info):
                if t not in index:
                    if len(self.states) >= cap:
                        raise OverflowError(cap)
                    index[t] = len(self.states)
                    self.states.append(t)
                    self.g.add_node(index[t])
                self.g.add_edge(head, index[t], group=(tid, inst))
            head += 1
        self.index = index

    def groups_out(self, u: int) -> set[tuple[int, int]]:
        return {d["group"] for _, _, d in self.g.out_edges(u, data=True)}


def constraints(system: System, groups: set[tuple[int, int]], fairness: Fairness
                ) -> list[tuple[object, frozenset]]:
    """(level, groups) per constraint, from the definitions in docs/liveness.md."""
    if fairness.level is NONE:
        return []
    out = []
    per_instance: dict = {}
    for tid, inst in sorted(groups):
        mark = system.transitions[tid].fairness.level
        if mark is NONE:
            continue
        if fairness.per_actor:
            per_instance.setdefault((system.transitions[tid].actor, inst), set()).add((tid, inst))
            if mark is not None:
                out.append((mark, frozenset({(tid, inst)})))
        else:
            out.append((mark or fairness.level, frozenset({(tid, inst)})))
    out += [(fairness.level, frozenset(gs)) for gs in per_instance.values()]
    return out


def fair_subset(graph: Graph, nodes: set[int], cons) -> bool:
    """Whether a run can stay in `nodes` forever, visiting all of them, fairly."""
    g = graph.g
    if len(nodes) == 1:
        (u,) = nodes
        if g.out_degree(u) == 0:
            return True  # nothing enabled: the run stutters there
        if not g.has_edge(u, u):
            return False
    elif not nx.is_strongly_connected(g.subgraph(nodes)):
        return False
    inside = {d["group"] for u, v, d in g.edges(nodes, data=True) if v in nodes}
    for level, groups in cons:
        enabled = [bool(graph.groups_out(u) & groups) for u in nodes]
        taken = bool(inside & groups)
        if level is STRONG and any(enabled) and not taken:
            return False
        if level is not STRONG and all(enabled) and not taken:
            return False
    return True


def _reach(graph: Graph, seeds, allowed) -> dict[int, int]:
    """BFS distances inside `allowed` from seeds (each seed at its own start distance)."""
    dist: dict[int, int] = {}
    heap = [(d, s) for s, d in seeds.items()]
    heapq.heapify(heap)
    while heap:
        d, u = heapq.heappop(heap)
        if u in dist:
            continue
        dist[u] = d
        for v in graph.g.successors(u):
            if v in allowed and v not in dist:
                heapq.heappush(heap, (d + 1, v))
    return dist


def violation(graph: Graph, form, p: list[bool], q: list[bool] | None, cons
              ) -> int | None:
    """The shortest stem of a violating lasso (in steps), or None when the property holds.
    Raises OverflowError when an SCC is too large to enumerate."""
    n = len(graph.states)
    depth = nx.single_source_shortest_path_length(graph.g, 0)
    if form is EVENTUALLY:
        if p[0]:
            return None
        dist = _reach(graph, {0: 0}, {i for i in range(n) if not p[i]})
        region, need = set(dist), None
    elif form is LEADS_TO:
        dist = _reach(graph, {i: depth[i] for i in range(n) if p[i] and not q[i]},
                      {i for i in range(n) if not q[i]})
        region, need = set(dist), None
    elif form is RECURRENCE:
        region, need, dist = {i for i in range(n) if not p[i]}, None, depth
    else:
        assert form is STABILITY
        region, need, dist = set(range(n)), {i for i in range(n) if not p[i]}, depth
    best = None
    for scc in nx.strongly_connected_components(graph.g.subgraph(region)):
        if len(scc) > MAX_SUBSET:
            raise OverflowError(len(scc))
        members = sorted(scc)
        for k in range(1, len(members) + 1):
            for sub in itertools.combinations(members, k):
                s = set(sub)
                if need is not None and not (s & need):
                    continue
                if fair_subset(graph, s, cons):
                    d = min(dist[u] for u in s)
                    best = d if best is None else min(best, d)
    return best


def validate_lasso(system: System, violation, form, p_fn, q_fn, fairness: Fairness) -> None:
    """Assert that a liveness counterexample is a real, fair, violating run."""
    path, labels, lasso = violation.path, violation.labels, violation.lasso
    assert path[0] == system.initial
    used = []
    for k in range(len(path) - 1):
        out: list = []
        info: list = []
        system.successors_traced(path[k], out, [], [0] * len(system.transitions), info)
        hops = [lab for t, lab in zip(out, info) if t == path[k + 1]]
        assert hops, f"hop {k + 1} is not a transition"
        if labels[k] is not None:
            assert labels[k] in hops, f"hop {k + 1} did not take the transition it names"
        used.append(labels[k] or hops[0])
    loop = lasso.loop
    cycle = path[loop:]
    if lasso.stutter:
        out = []
        system.successors_traced(path[-1], out, [], [0] * len(system.transitions), [])
        assert not out, "a run that stops must stop where nothing is enabled"
    else:
        assert len(path) - 1 > loop and path[-1] == path[loop], "the cycle does not close"
        _assert_fair(system, cycle, used[loop:], fairness)
    ps = [p_fn(s) for s in path]
    if form is EVENTUALLY:
        assert not any(ps)
    elif form is RECURRENCE:
        assert not any(ps[loop:])
    elif form is STABILITY:
        assert not all(ps[loop:])
    else:
        qs = [q_fn(s) for s in path]
        assert any(ps[k] and not any(qs[k:]) for k in range(loop + 1))


def _assert_fair(system: System, cycle, hops, fairness: Fairness) -> None:
    enabled = []
    for s in cycle:
        info: list = []
        system.successors_traced(s, [], [], [0] * len(system.transitions), info)
        enabled.append({(tid, inst) for tid, inst, _s, _m in info})
    groups = set().union(*enabled)
    fired = {(lab[0], lab[1]) for lab in hops}
    for level, gs in constraints(system, groups, fairness):
        on = [bool(e & gs) for e in enabled]
        if level is STRONG:
            assert not any(on) or fired & gs, f"strong fairness broken for {sorted(gs)}"
        else:
            assert not all(on) or fired & gs, f"weak fairness broken for {sorted(gs)}"
