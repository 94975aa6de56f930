"""Liveness over the explored state graph: fair cycles in restricted subgraphs, and lassos.

No automaton product is needed for the four forms; each is one question about the strongly
connected components (SCCs) of a subgraph in which a run may stay forever:

    form                   the run stays in          violated iff
    eventually P           not-P states, from init   a fair SCC of that subgraph
    always eventually P    not-P states              a reachable fair SCC of them
    eventually always P    any states                a fair SCC with a not-P state
    P leads_to Q           not-Q states, entered at  a fair SCC of them, reached inside them
                           a P-and-not-Q state       from such a state

A state with no successor (nothing enabled) stutters forever: runs are maximal, so a run that
reaches it stays there, and it is trivially fair. Fairness (`checker.temporal`) is a set of
constraints over the edges' transition groups (instance, handler or step): a weak constraint is
met by an SCC that disables it somewhere or takes one of its edges inside the SCC; a strong one
that is enabled somewhere and never taken inside refines the SCC (Emerson-Lei): its enabling
states are removed and the rest is split again. Edges leaving the subgraph never count as
taken: a transition that is always enabled and always leaves is the run's way out.

A violation is a lasso: the shortest stem (breadth-first distances in the right subgraph) to
the fair SCC nearest the initial state, then a cycle through that SCC that visits, greedily and
nearest first, what each fairness constraint needs, and returns. Every hop is a real edge. The
cycle is short but not provably minimal: the shortest fair lasso is NP-hard even to
approximate (Ehlers, FM 2019).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace

from checker.compile import CompiledLiveness, EvalError, System
from checker.engines.common import INTERRUPTED, evaluation_failure, path_to, verdict_of
from checker.engines.graph import StateGraph
from checker.engines.result import Lasso, Result, Violation
from checker.properties import LIVENESS
from checker.record import record
from checker.temporal import (
    EVENTUALLY,
    LEADS_TO,
    NO_FAIRNESS,
    NONE,
    RECURRENCE,
    STABILITY,
    STRONG,
    WEAK,
    Fairness,
    Level,
)

# What fairness allows of a run that stops (the lasso's `fair:` line): nothing can happen in
# its last state, or only faults, which are never forced (docs/faults.md).
RESTS = "nothing is enabled in the last state, so the run stays there forever"
RESTS_AFTER_FAULTS = ("only faults could still happen in the last state, and a fault is never "
                      "forced, so the run may stay there forever")


@record
class Constraint:
    """A fairness constraint: when enabled (some of its groups has an edge) long enough, one of
    its groups must fire."""

    level: Level  # WEAK or STRONG
    groups: frozenset[int]  # the groups that make it enabled
    # The groups whose firing meets it (None: `groups`). Wider on a timed model's untimed
    # abstraction, where an instance acts with any transition but only those time cannot
    # hold back count as its being enabled.
    takes: frozenset[int] | None = None


@record
class Component:
    nodes: tuple[int, ...]
    stutter: bool  # a single state with nothing enabled


class Fair:
    """The fairness constraints of a spec over one graph, and what each state enables."""

    def __init__(self, graph: StateGraph, system: System, fairness: Fairness,
                 timed: bool = False):
        self.graph = graph
        self.system = system
        # Faults are never forced, and a state where only faults can happen is one the run
        # may stay in (docs/faults.md).
        self.faulty = bytes(system.transitions[lab[0]].is_fault for lab in graph.labels)
        group_ids: dict[tuple[int, int], int] = {}
        self.group_of: list[int] = []
        for tid, inst, _slot, _msg in graph.labels:
            self.group_of.append(group_ids.setdefault((tid, inst), len(group_ids)))
        self.groups = list(group_ids)  # group -> (transition id, instance)
        self.constraints = _constraints(self.groups, system, fairness, timed)
        of_group: list[list[int]] = [[] for _ in self.groups]
        takes_group: list[list[int]] = [[] for _ in self.groups]
        for c, con in enumerate(self.constraints):
            for g in con.groups:
                of_group[g].append(c)
            for g in con.takes if con.takes is not None else con.groups:
                takes_group[g].append(c)
        self.of_label = [frozenset(of_group[g]) for g in self.group_of]  # what it enables
        self.takes_of_label = [frozenset(takes_group[g]) for g in self.group_of]  # meets
        self.strong = [con.level is STRONG for con in self.constraints]
        self._enabled: dict[int, frozenset[int]] = {}

    def faults_of(self, v: int) -> int:
        return self.system.faults_of(self.graph.states[v])

    def rests(self, v: int) -> bool:
        """Whether nothing but a fault can happen in state v (or nothing at all)."""
        g = self.graph
        return all(self.faulty[g.label[e]] for e in g.edges(v))

    def enabled(self, v: int) -> frozenset[int]:
        """The constraints state v enables (through any of its edges, inside or out)."""
        got = self._enabled.get(v)
        if got is None:
            g = self.graph
            out: set[int] = set()
            for e in g.edges(v):
                out |= self.of_label[g.label[e]]
            got = self._enabled[v] = frozenset(out)
        return got


def _constraints(groups: list[tuple[int, int]], system: System, fairness: Fairness,
                 timed: bool = False) -> list[Constraint]:
    """The spec's fairness over the graph's groups. `timed`: the graph is a timed model's
    untimed abstraction, where fairness must not force what time may forbid: a timeout is
    never forced (its timer may be restarted first), a time-bounded transition is forced at
    most weakly (enabled continuously, its deadline forces it; enabled now and then, time may
    never let it fire), and per actor only untimed transitions make an instance enabled."""
    if fairness.level is NONE:
        return []
    out: list[Constraint] = []
    enables: dict[tuple[int, int], list[int]] = {}
    takes: dict[tuple[int, int], list[int]] = {}
    for g, (tid, inst) in enumerate(groups):
        tr = system.transitions[tid]
        timing = tr.timing if timed else None
        mark = tr.fairness.level
        key = (system.model.actors.index(system.model.actor(tr.actor)), inst)
        if timing:
            takes.setdefault(key, []).append(g)  # the instance acts, whatever it fires
        if mark is NONE or (timing and timing[0] == "timeout"):
            continue
        if not timing:
            enables.setdefault(key, []).append(g)
            takes.setdefault(key, []).append(g)
        level = mark if fairness.per_actor else (mark or fairness.level)
        if level is not None:
            if timing and level is STRONG:
                level = WEAK
            out.append(Constraint(level, frozenset((g,))))
    if fairness.per_actor:
        out += [Constraint(fairness.level, frozenset(gs), frozenset(takes[key]))
                for key, gs in sorted(enables.items())]
    return out


# ---------------------------------------------------------------- SCCs

def _sccs(roots: Iterable[int], allowed, graph: StateGraph) -> list[list[int]]:
    """Tarjan's algorithm, iterative, over the allowed states reachable from `roots`."""
    start, dst = graph.start, graph.dst
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    for r in roots:
        if r in index or not allowed[r]:
            continue
        index[r] = low[r] = len(index)
        stack.append(r)
        on_stack.add(r)
        work = [(r, start[r])]
        while work:
            v, e = work[-1]
            end = start[v + 1]
            while e < end:
                w = dst[e]
                e += 1
                if not allowed[w]:
                    continue
                if w not in index:
                    work[-1] = (v, e)
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, start[w]))
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            else:
                work.pop()
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    comp.sort()
                    out.append(comp)
                if work:
                    u = work[-1][0]
                    low[u] = min(low[u], low[v])
    return out


def fair_components(roots: Iterable[int], allowed: bytearray, graph: StateGraph, fair: Fair
                    ) -> list[Component]:
    """The fair SCCs of the allowed subgraph reachable from `roots` (refined for strong
    fairness): every fair cycle of the subgraph lies in one of them, and each has one."""
    out: list[Component] = []
    for comp in _sccs(roots, allowed, graph):
        out += _refine(comp, allowed, graph, fair)
    return out


class _Members(set):
    """A set that answers `allowed[v]` as a bytearray mask does."""

    __getitem__ = set.__contains__


def _refine(comp: list[int], allowed, graph: StateGraph, fair: Fair) -> list[Component]:
    dst, label = graph.dst, graph.label
    if len(comp) == 1:
        v = comp[0]
        if fair.rests(v):
            return [Component((v,), True)]
        if not any(dst[e] == v for e in graph.edges(v)):
            return []  # a state the run passes through
    members = set(comp)
    en_any: set[int] = set()
    en_all: set[int] | None = None
    taken: set[int] = set()
    for v in comp:
        en = fair.enabled(v)
        en_any |= en
        en_all = set(en) if en_all is None else en_all & en
        for e in graph.edges(v):
            if dst[e] in members:
                taken |= fair.takes_of_label[label[e]]
    bad = {c for c in en_any if fair.strong[c] and c not in taken}
    if bad:
        keep = [v for v in comp if not (fair.enabled(v) & bad)]
        if not keep:
            return []
        sub = _Members(keep)  # not a bytearray of every state: refinements may be many
        out: list[Component] = []
        for part in _sccs(keep, sub, graph):
            out += _refine(part, sub, graph, fair)
        return out
    if any(c not in taken for c in en_all or ()):
        return []  # a weak constraint enabled throughout and never taken: no fair cycle
    return [Component(tuple(comp), False)]


# ---------------------------------------------------------------- lassos

def _cycle(graph: StateGraph, fair: Fair, comp: Component, entry: int,
           target: bytearray | None) -> list[tuple[int, int]]:
    """A fair cycle from `entry` through the component, as (label, state) hops ending at
    `entry`; it also visits a `target` state, if given."""
    members = set(comp.nodes)
    needed: set[int] = set()
    for v in comp.nodes:
        needed |= fair.enabled(v)
    pending: set[object] = set(needed)
    if target is not None:
        pending.add("target")

    def visit(v: int) -> None:
        for c in [c for c in pending if c != "target" and not fair.strong[c]]:
            if c not in fair.enabled(v):
                pending.discard(c)
        if target is not None and target[v]:
            pending.discard("target")

    def satisfies_edge(lab: int) -> bool:
        return any(c in pending for c in fair.takes_of_label[lab])

    def satisfies_state(v: int) -> bool:
        if target is not None and "target" in pending and target[v]:
            return True
        return any(c != "target" and not fair.strong[c] and c not in fair.enabled(v)
                   for c in pending)

    hops: list[tuple[int, int]] = []
    cur = entry
    visit(entry)
    while pending:
        path = _bfs_hops(graph, members, cur,
                         lambda lab, w: satisfies_edge(lab) or satisfies_state(w))
        for lab, w in path:
            pending.difference_update(fair.takes_of_label[lab])
            visit(w)
        hops += path
        cur = hops[-1][1]
    if cur != entry or not hops:
        hops += _bfs_hops(graph, members, cur, lambda lab, w: w == entry)
    return hops


def _bfs_hops(graph: StateGraph, members: set[int], source: int, goal) -> list[tuple[int, int]]:
    """The shortest hops inside `members` from `source` over an edge (label, w) with goal."""
    dst, label = graph.dst, graph.label
    back: dict[int, tuple[int, int]] = {source: (-1, -1)}
    frontier = [source]
    while frontier:
        nxt = []
        for u in frontier:
            for e in graph.edges(u):
                w = dst[e]
                if w not in members:
                    continue
                if goal(label[e], w):
                    hops = [(label[e], w)]
                    while u != source:
                        pu, lab = back[u]
                        hops.append((lab, u))
                        u = pu
                    hops.reverse()
                    return hops
                if w not in back:
                    back[w] = (u, label[e])
                    nxt.append(w)
        frontier = nxt
    raise AssertionError("a fair component without the cycle its fairness needs")


def _within(graph: StateGraph, seeds: list[int], allowed: bytearray
            ) -> tuple[dict[int, int], dict[int, int]]:
    """Breadth-first distances inside the allowed states from seeds, each seed starting at its
    own BFS depth (so the stem through it is shortest overall): (distance, predecessor; -1 for a
    seed)."""
    depth, dst = graph.depth, graph.dst
    dist: dict[int, int] = {}
    prev: dict[int, int] = {}
    seeds = sorted(seeds, key=lambda s: (depth[s], s))
    si, frontier, d = 0, [], 0
    while si < len(seeds) or frontier:
        if not frontier:
            d = depth[seeds[si]]
        while si < len(seeds) and depth[seeds[si]] <= d:
            s = seeds[si]
            si += 1
            if s not in dist:
                dist[s], prev[s] = d, -1
                frontier.append(s)
        nxt = []
        for v in frontier:
            if not graph.has_edges(v):
                continue
            for e in graph.edges(v):
                w = dst[e]
                if allowed[w] and w not in dist:
                    dist[w], prev[w] = d + 1, v
                    nxt.append(w)
        frontier, d = nxt, d + 1
    return dist, prev


# ---------------------------------------------------------------- one property

@record
class Finding:
    """A liveness violation: the lasso's states and hop labels, and what it shows."""

    path: tuple[int, ...]  # state numbers: the stem, then the cycle back to path[loop]
    labels: tuple[int | None, ...]  # per hop: the edge label (None: any edge between them)
    loop: int
    stutter: bool
    trigger: int  # leads_to: where in the path P held (else -1)


def _truth(graph: StateGraph, fn) -> tuple[bytearray, tuple[int, EvalError] | None]:
    """fn on every state (1/0), and the first state where it cannot be evaluated, with why."""
    out = bytearray(len(graph.states))
    for i, s in enumerate(graph.states):
        try:
            out[i] = 1 if fn(s) else 0
        except EvalError as err:
            return out, (i, err)
    return out, None


def staying_states(graph: StateGraph, fair: Fair) -> bytearray:
    """1 for each expanded state a run can stay around forever: on a cycle of the whole graph
    (a non-trivial SCC, or a self-loop) or with no successor. Every fair component of every
    property lies in these, so one pass here spares each property a pass over the rest
    (start-up and shutdown protocols are mostly acyclic)."""
    n, expanded = len(graph.states), graph.expanded
    allowed = bytearray(b"\x01") * expanded + bytearray(n - expanded)
    for v in graph.cut:
        allowed[v] = 0
    out = bytearray(n)
    for comp in _sccs(range(expanded), allowed, graph):
        if len(comp) > 1:
            for v in comp:
                out[v] = 1
        else:
            v = comp[0]
            if fair.rests(v) or any(graph.dst[e] == v for e in graph.edges(v)):
                out[v] = 1
    return out


def _lasso(graph: StateGraph, fair: Fair, prop: CompiledLiveness, p: bytearray,
           q: bytearray | None, staying: bytearray) -> Finding | None:
    """The violation of one property, if there is one among the expanded states."""
    form = prop.liveness.form
    n = len(graph.states)
    target = None
    if form is EVENTUALLY and p[0]:
        return None
    if form is LEADS_TO:
        inside = bytearray(1 - x for x in q)  # where the run must stay: not Q
    elif form is STABILITY:
        inside = bytearray(b"\x01") * n
        target = bytearray(1 - x for x in p)
    else:
        inside = bytearray(1 - x for x in p)
    allowed = bytearray(a & b for a, b in zip(inside, staying))
    comps = fair_components([i for i in range(n) if allowed[i]], allowed, graph, fair)
    if target is not None:
        comps = [c for c in comps if any(target[v] for v in c.nodes)]
    dist = prev = trigger_of = None
    if comps and form is EVENTUALLY:
        dist, prev = _within(graph, [0], inside)
    elif comps and form is LEADS_TO:
        dist, prev = _within(graph, [i for i in range(n) if p[i] and not q[i]], inside)
        trigger_of = prev
    if dist is not None:  # only components the run can reach inside the subgraph
        comps = [c for c in comps if any(v in dist for v in c.nodes)]
    if not comps:
        return None
    # The entry nearest the initial state, with the fewest faults first: the search numbers
    # states in order of (faults, depth), and every path to a state has its number of faults.
    faults = fair.faults_of
    key = (lambda v: (faults(v), dist.get(v, n), v)) if dist is not None else \
        (lambda v: (v, v, v))
    comp, entry = min(((c, min(c.nodes, key=key)) for c in comps), key=lambda ce: key(ce[1]))
    stem, trigger = _stem(graph, entry, prev, trigger_of)
    if form is RECURRENCE:  # the last state of the stem where P held
        trigger = max((k for k, v in enumerate(stem) if p[v]), default=-1)
    labels: list[int | None] = [None] * (len(stem) - 1)
    if comp.stutter:
        return Finding(tuple(stem), tuple(labels), len(stem) - 1, True, trigger)
    hops = _cycle(graph, fair, comp, entry, target)
    path = stem + [w for _, w in hops]
    labels += [lab for lab, _ in hops]
    return Finding(tuple(path), tuple(labels), len(stem) - 1, False, trigger)


def _stem(graph: StateGraph, entry: int, prev: dict[int, int] | None,
          trigger_of: dict[int, int] | None) -> tuple[list[int], int]:
    """The states from the initial one to `entry`: the tree path, or the path inside the
    subgraph back to its seed and the tree path to that. Also where the seed is (leads_to)."""
    if prev is None:
        return _tree(graph, entry), -1
    inside = [entry]
    while prev[inside[-1]] != -1:
        inside.append(prev[inside[-1]])
    inside.reverse()
    head = _tree(graph, inside[0])
    return head + inside[1:], (len(head) - 1 if trigger_of is not None else -1)


# ---------------------------------------------------------------- what the lasso shows

def fairness_facts(system: System, graph: StateGraph, fair: Fair, found: Finding,
                   fairness: Fairness) -> tuple[str, ...]:
    """Per actor instance, what the cycle relies on."""
    if found.stutter:
        return (RESTS_AFTER_FAULTS if graph.edges(found.path[-1]) else RESTS,)
    cycle = found.path[found.loop:]
    fired = {fair.group_of[lab] for lab in found.labels[found.loop:] if lab is not None}
    enabled_any: set[int] = set()
    enabled_all: set[int] | None = None
    for v in cycle:
        groups = {fair.group_of[graph.label[e]] for e in graph.edges(v)}
        enabled_any |= groups
        enabled_all = groups if enabled_all is None else enabled_all & groups
    lines = []
    idle = []
    for a in system.model.actors:
        for k in range(a.count):
            name = a.instance_name(k)
            # Faults are never forced and never fire on a cycle: not what a cycle relies on.
            mine = [g for g, (tid, inst) in enumerate(fair.groups)
                    if inst == k and system.transitions[tid].actor == a.name
                    and not system.transitions[tid].is_fault]
            if not any(g in enabled_any for g in mine):
                idle.append(name)
                continue
            parts = []
            fires = [_group_text(system, fair, g) for g in mine if g in fired]
            if fires:
                parts.append(", ".join(fires) + (" fire" if len(fires) > 1 else " fires")
                             + " in every turn")
            for g in mine:
                if g in enabled_any and g not in fired:
                    parts.append(_starved(system, fair, g, g in (enabled_all or set()),
                                          fairness))
            lines.append(f"{name}: " + "; ".join(parts))
    if len(idle) == 1:
        lines.insert(0, f"{idle[0]} never acts again: nothing of it is enabled")
    elif idle:
        lines.insert(0, f"{', '.join(idle)} never act again: nothing of theirs is enabled")
    return tuple(lines)


def _group_text(system: System, fair: Fair, g: int) -> str:
    return system.transitions[fair.groups[g][0]].label


def _starved(system: System, fair: Fair, g: int, always: bool, fairness: Fairness) -> str:
    tr = system.transitions[fair.groups[g][0]]
    if not always:
        return f"{tr.label} is enabled only now and then, and never fires"
    if fairness.level is NONE:
        return f"{tr.label} stays enabled and never fires (no fairness)"
    if tr.timing and tr.timing[0] == "timeout":
        return f"{tr.label} stays enabled and never fires (a timer may be restarted first)"
    if tr.is_fault:
        return f"{tr.label} stays enabled and never fires (a fault is never forced)"
    if tr.fairness.level is NONE:
        return f"{tr.label} stays enabled and never fires (it is marked unfair)"
    return f"{tr.label} stays enabled and never fires (fairness per actor: the instance acts)"


def lasso_shape(steps: int, loop: int, stutter: bool) -> str:
    """A lasso's length in words: `steps` hops in all, the cycle from hop `loop` on."""
    def count(n: int) -> str:
        return f"{n} step{'s' if n != 1 else ''}"

    if stutter:
        return f"{count(steps)}, then nothing more happens"
    cycle = f"a {steps - loop}-step cycle"
    return f"{count(loop)}, then {cycle}" if loop else f"{cycle} from the start"


def _message(prop: CompiledLiveness, found: Finding) -> str:
    return violation_message(prop, found.trigger)


def violation_message(prop: CompiledLiveness, trigger: int) -> str:
    """What a lasso shows of the property (`trigger`: where in the path P held, for
    leads_to; the last state where it held, for always eventually; else -1)."""
    live = prop.liveness
    form = live.form
    bound = "".join(f" (with {var} = {text})" for var, _, text in live.bound)
    if form is EVENTUALLY:
        return f"{live.p_text} never holds{bound}"
    if form is LEADS_TO:
        return (f"{live.p_text} holds after step {trigger}, and {live.q_text} never "
                f"holds from there on{bound}")
    if form is RECURRENCE:
        when = (f"again after step {trigger}" if trigger > 0 else
                "again after the initial state" if trigger == 0 else "at all")
        return f"{live.p_text} never holds {when}{bound}"
    return f"{live.p_text} fails again and again, in every turn of the cycle{bound}"


# ---------------------------------------------------------------- the door

def analyse(result: Result, graph: StateGraph, system: System, fairness: Fairness,
            stop_at_first: bool, timed: bool = False) -> Result:
    """The search's result with the liveness properties decided on its graph (`timed`: the
    graph of a timed model's untimed abstraction; see `_constraints`)."""
    if not system.liveness or result.limit == INTERRUPTED or \
            (stop_at_first and result.violations):
        return result
    why = failing_transition(result.violations)
    if why:
        return replace(result, undecided=tuple((p.liveness.name, why) for p in system.liveness))
    t0 = time.perf_counter()
    violations = list(result.violations)
    vacuous = list(result.vacuous)
    notes: list[tuple[str, str]] = []
    fair = Fair(graph, system, fairness, timed)
    unfair = Fair(graph, system, NO_FAIRNESS) if fairness.level is not NONE else fair
    staying = staying_states(graph, fair)
    for prop in system.liveness:
        name = prop.liveness.name
        p, bad = _truth(graph, prop.p)
        q, bad_q = _truth(graph, prop.q) if prop.q is not None else (None, None)
        bad = bad if bad is not None else bad_q
        if bad is not None:
            v = evaluation_failure(bad[1], path_to(graph.states, graph.parent, bad[0]),
                                   result.stats.seconds)
            violations.append(Violation(v.kind, name, v.message, v.path, None, v.span,
                                        seconds=v.seconds))
            continue
        found = _lasso(graph, fair, prop, p, q, staying)
        if found is not None:
            violations.append(_violation(system, graph, fair, prop, found, fairness,
                                         result.stats.seconds + time.perf_counter() - t0))
            continue
        if prop.liveness.form is LEADS_TO and result.complete and not any(p):
            vacuous.append(name)
        if fairness.level is not NONE:
            weaker = _lasso(graph, unfair, prop, p, q, staying)
            notes.append((name, "also holds without fairness" if weaker is None else
                          f"holds only under {fairness.describe()}: without fairness it is "
                          f"violated ({lasso_shape(len(weaker.path) - 1, weaker.loop, weaker.stutter)})"))
    seconds = time.perf_counter() - t0
    stats = replace(result.stats, edges=len(graph.dst), liveness_seconds=seconds,
                    seconds=result.stats.seconds + seconds)
    return Result(verdict_of(violations, result.limit), tuple(violations), stats,
                  result.complete, result.limit, result.fired, tuple(vacuous),
                  result.notes + tuple(notes))


def failing_transition(violations) -> str:
    """Why liveness cannot be decided when a transition fails ("" when none does): a state
    where one fails has successors nobody knows, so no cycle through it can be trusted and no
    property proved. (Also the timed engine's rule, for deadlines and the abstraction.)"""
    failed = [v for v in violations if v.kind.in_transition]
    if not failed:
        return ""
    return (f"a transition fails ({failed[0].kind.name}: {failed[0].message}); liveness is "
            "decided only on models whose transitions all complete")


def _tree(graph: StateGraph, i: int) -> list[int]:
    """The state numbers on the BFS tree's path from the initial state to state i."""
    return list(path_to(range(len(graph.parent)), graph.parent, i))


def _violation(system: System, graph: StateGraph, fair: Fair, prop: CompiledLiveness,
               found: Finding, fairness: Fairness, seconds: float) -> Violation:
    labels = tuple(graph.labels[lab] if lab is not None else None for lab in found.labels)
    lasso = Lasso(found.loop, found.stutter,
                  fairness_facts(system, graph, fair, found, fairness))
    return Violation(LIVENESS, prop.liveness.name, _message(prop, found),
                     tuple(graph.states[i] for i in found.path), labels=labels,
                     seconds=seconds, lasso=lasso)
