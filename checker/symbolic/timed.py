"""The timed engine: explicit discrete states, each paired with a parametric zone.

Time is dense (non-negative reals). Every time-bounded handler or step (`after lo..hi`,
`within hi`) of every instance has a clock that starts when it becomes enabled (its state,
guard and message allow it) and restarts when it fires; it matters only while enabled. Every
armed timer has a clock that restarts when the timer is started (read by `on timeout`). A
symbolic state is a discrete state plus a zone: a Z3 formula over the params and the *ages* of
the clocks that matter there.

One transition = time passes by some delta >= 0, then one handler/step fires atomically:
  * nothing may fire later than a pending deadline: an armed timer's expiry, or the upper
    bound of a time-bounded handler or step that is enabled now (urgency);
  * `on timeout T` fires exactly when T's age reaches its duration; a time-bounded handler or
    step when its own clock is in [lo, hi]; other handlers and steps at any time;
  * events due at the same instant are interleaved in every order (ties explore both ways).
Zones are exact polyhedra (checker/symbolic/polyhedra.py, the default) or, to cross-check
them, Z3 formulas projected by quantifier elimination (`zones="z3"`). A branch is kept only if
its zone has a point with integer `int` params, and a zone included in one already stored for
the same discrete state is dropped (subsumption). docs/time.md describes both.
"""

from __future__ import annotations

import math
import time
from dataclasses import field, replace
from fractions import Fraction

import z3

from checker import ir
from checker.compile import EvalError, System
from checker.engines.common import (
    INTERRUPTED,
    Premises,
    broken_invariants,
    deadlock_failure,
    evaluation_failure,
    invariant_failure,
    stop_checker,
    transition_failure,
    verdict_of,
)
from checker.engines.liveness import failing_transition
from checker.engines.result import Result, Stats, Violation
from checker.properties import LIVENESS
from checker.record import record
from checker.symbolic.polyhedra import PolyZones
from checker.symbolic.zones import ParamSpace, compare, describe, rat


@record
class Witness:
    params: tuple[tuple[str, str], ...]  # name, value as text
    times: tuple[str, ...]  # absolute time of each step
    late: str = ""  # a missed deadline: a time after the last step when it has passed

    def params_text(self) -> str:
        return ", ".join(f"{k} = {v}" for k, v in self.params)


@record
class TimedResult:
    result: Result
    regions: dict  # property -> z3 formula over params (where it is violated); full runs only
    space: ParamSpace
    polyhedra_seconds: float = 0.0  # time in PPL (zones="ppl")
    # With fault clauses: property -> where it is violated, per number of faults (in words).
    by_faults: dict = field(default_factory=dict)


@record
class Observer:
    """A bounded response property (`P leads_to Q within d`, `eventually P within d`), watched
    the way UPPAAL and IMITATOR users write observers: a flag in the discrete state, *pending*
    from a state where P holds and Q does not until one where Q holds, and a clock that starts
    when the flag is raised (a P that comes while pending does not restart it: the earliest
    unanswered P is the one with the least time left). The property is violated wherever time
    can pass beyond d while the flag is up."""

    name: str
    key: str  # the observer clock
    slot: int  # where its flag is in the discrete state, past the system's own slots
    trigger: object  # P (a callable on states); None: `eventually`, pending from the start
    target: object  # Q; for `eventually P within d`, P
    deadline: ir.Lin
    cap: ir.Lin  # a constant: the largest value the deadline takes over the param ranges


def observers_of(system: System) -> tuple[Observer, ...]:
    out = []
    for live in system.liveness:
        lv = live.liveness
        if lv.within is None:
            continue
        eventually = live.q is None
        out.append(Observer(lv.name, f"observer:{lv.name}", system.layout.size + len(out),
                            None if eventually else live.p,
                            live.p if eventually else live.q, lv.within,
                            _largest(system.model, lv.within)))
    return tuple(out)


def _largest(model: ir.Model, e: ir.Lin) -> ir.Lin:
    """The largest value of e over the params' ranges, as a constant (rounded up)."""
    ranges = {p.name: (p.lo, p.hi) for p in model.params}
    value = Fraction(e.const) + sum(Fraction(c) * (ranges[name][1] if c > 0 else ranges[name][0])
                                    for name, c in e.terms)
    return ir.Lin((), Fraction(math.ceil(value)))


class TimedModel:
    """Timing facts of a compiled system: clocks, deadlines and firing conditions. Reads the
    system only through its interface: transitions with their timing, and timers. With
    observers, discrete states carry one flag per observer after the system's own slots (the
    generated successor function copies them along; `observe` sets them)."""

    def __init__(self, system: System, space: ParamSpace, observers: tuple[Observer, ...] = ()):
        self.system = system
        self.space = space
        self.observers = observers
        self.duration_lin = {t.key: t.duration for t in system.timers}
        self.bounded = frozenset(t.id for t in system.transitions
                                 if t.timing and t.timing[0] == "after")
        self.ages: dict[str, z3.ArithRef] = {}
        self._expanded: dict[tuple, tuple] = {}
        self._live: dict[tuple, list[str]] = {}

    def age(self, key: str) -> z3.ArithRef:
        if key not in self.ages:
            self.ages[key] = z3.Real(f"age:{key}")
        return self.ages[key]

    def clock(self, label: tuple) -> str:
        """The clock of the time-bounded transition `label` fires (its instance's own; two
        handlers of one message in different states have a clock each)."""
        tr = self.system.transitions[label[0]]
        return f"{tr.instances[label[1]]}/{tr.label}#{tr.id}"

    def enabled(self, s: tuple) -> list[str]:
        """The clocks of the time-bounded transitions enabled in s (able to fire, or to fail
        inside), in a fixed order."""
        try:
            _out, info, errs = self.expand(s)
        except EvalError:  # s cannot be expanded: reported as a runtime failure when it is
            return []
        pairs = {lab[:2] for lab in (*info, *errs) if lab[0] in self.bounded}
        return [self.clock(p) for p in sorted(pairs)]

    def live(self, s: tuple) -> list[str]:
        """The clocks that matter in discrete state s, in a fixed order (a list the caller
        must not change: it is kept, like the expansion it comes from)."""
        keys = self._live.get(s)
        if keys is None:
            keys = self.enabled(s)
            keys += [t.key for t in self.system.timers if s[t.index] == ir.TIMER_ARMED]
            keys += [ob.key for ob in self.observers if s[ob.slot]]
            self._live[s] = keys
        return keys

    def initial(self) -> tuple:
        """The initial discrete state, with the observers' flags (raises EvalError if a
        property's P or Q cannot be evaluated there)."""
        s = self.system.initial
        if not self.observers:
            return s
        return s + tuple(bool((ob.trigger is None or ob.trigger(s)) and not ob.target(s))
                         for ob in self.observers)

    def observe(self, s: tuple, t: tuple) -> tuple:
        """t, reached from s, with each observer's flag: down where Q holds, else up if it was
        up in s or P holds in t. (Raises EvalError if P or Q cannot be evaluated in t.)"""
        if not self.observers:
            return t
        base = self.system.layout.size
        flags = []
        for ob in self.observers:
            up = s[ob.slot] or (ob.trigger is not None and ob.trigger(t))
            flags.append(bool(up and not ob.target(t)))
        return t[:base] + tuple(flags)

    def normalize(self, t: tuple) -> tuple[tuple, set[str]]:
        started = {tm.key for tm in self.system.timers if t[tm.index] == ir.TIMER_STARTED}
        if not started:
            return t, started
        lst = list(t)
        for tm in self.system.timers:
            if lst[tm.index] == ir.TIMER_STARTED:
                lst[tm.index] = ir.TIMER_ARMED
        return tuple(lst), started

    def expand(self, s: tuple):
        """(successors, their labels, failures inside transitions) of discrete state s; kept,
        since every transition into s asks which clocks s enables."""
        if s not in self._expanded:
            out: list = []
            info: list = []
            errs: list = []
            fired = [0] * len(self.system.transitions)
            try:
                self.system.successors_traced(s, out, errs, fired, info)
            except EvalError as err:
                self._expanded[s] = err
                raise
            self._expanded[s] = (out, info, errs)
        kept = self._expanded[s]
        if isinstance(kept, EvalError):
            raise kept
        return kept

    def forget(self, beyond: int) -> None:
        """Drop the kept expansions once more than `beyond` states have them: a simulation's
        runs may visit more states than fit, and an expansion is only ever recomputed."""
        if len(self._expanded) > beyond:
            self._expanded.clear()
            self._live.clear()

    def all_clocks(self) -> list[str]:
        """Every clock the model can have, in a fixed order."""
        keys = [self.clock((tid, k)) for tid in sorted(self.bounded)
                for k in range(len(self.system.transitions[tid].instances))]
        return keys + [t.key for t in self.system.timers] + [ob.key for ob in self.observers]

    def deadline_bounds(self, s: tuple, info: list) -> list[tuple[str, ir.Lin]]:
        """Upper bounds on the age of a clock when the next transition fires: pending timers
        and enabled time-bounded transitions (those with a successor: one that can only fail
        is not urgent)."""
        bounds = [(t.key, self.duration_lin[t.key]) for t in self.system.timers
                  if s[t.index] == ir.TIMER_ARMED]
        seen = set()
        for label in info:
            if label[0] in self.bounded and label[:2] not in seen:
                seen.add(label[:2])
                tr = self.system.transitions[label[0]]
                bounds.append((self.clock(label), tr.timing[2]))
        return bounds

    def firing_bounds(self, label: tuple) -> list[tuple[str, str, ir.Lin]]:
        """(clock, op, bound) that the clock's age must meet when `label` fires."""
        tr = self.system.transitions[label[0]]
        if not tr.timing:
            return []
        if tr.timing[0] == "timeout":
            key = f"{tr.instances[label[1]]}.{tr.timing[1]}"
            return [(key, "==", self.duration_lin[key])]
        key = self.clock(label)
        return [(key, ">=", tr.timing[1]), (key, "<=", tr.timing[2])]

    def deadlines(self, s: tuple, info: list) -> list:
        """deadline_bounds as Z3 terms."""
        return [(key, self.space.lin(d)) for key, d in self.deadline_bounds(s, info)]

    def firing(self, label: tuple, old, delta) -> list:
        """firing_bounds as Z3 constraints on (old age + delta)."""
        return [compare(old[key] + delta, op, self.space.lin(b))
                for key, op, b in self.firing_bounds(label)]

    def restarts(self, label: tuple, t: tuple, started: set[str], old) -> list[tuple[str, bool]]:
        """Each clock live in t, and whether it is 0 after `label` fired (newly enabled, the
        transition that just fired, a timer just started) rather than aged by the delay
        (`old`: the clocks live before, with their ages)."""
        fired = self.clock(label) if label[0] in self.bounded else None
        return [(key, key not in old or key == fired or key in started) for key in self.live(t)]

    def new_ages(self, label: tuple, t: tuple, started: set[str], old, delta) -> list:
        """How each clock live in t relates to the old ages after `label` fired: reset to 0,
        or aged (`restarts`)."""
        return [self.age(key) == (0 if reset else old[key] + delta)
                for key, reset in self.restarts(label, t, started, old)]


def _prepare(tm: TimedModel, s: tuple, zone):
    live = tm.live(s)
    old = {key: z3.Real(f"old:{key}") for key in live}
    delta = z3.Real("delta")
    zone_old = z3.substitute(zone, *[(tm.age(k), old[k]) for k in live]) if live else zone
    return live, old, delta, zone_old


def _cycles(edges: list[tuple[int, int]], nodes: set[int]) -> list[list[int]]:
    """The strongly connected sets of `nodes` (over `edges`) that hold a cycle."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_edges_from((a, b) for a, b in edges if a in nodes and b in nodes)
    return [sorted(c) for c in nx.strongly_connected_components(g)
            if len(c) > 1 or any(g.has_edge(v, v) for v in c)]


def _components(edges: list[tuple[int, int]]) -> dict[int, int]:
    """Each node of `edges`, numbered by the strongly connected set it is in."""
    import networkx as nx

    g = nx.DiGraph(edges)
    return {v: k for k, c in enumerate(nx.strongly_connected_components(g)) for v in c}


def late_message(system: System, ob: Observer, path: tuple, w: Witness | None,
                 waiting: str = "") -> str:
    """What a missed deadline shows: since when the property's observer has been pending on
    `path`, and when time has passed beyond the deadline (`waiting`: `waiting_hint`'s)."""
    live = next(c.liveness for c in system.liveness if c.liveness.name == ob.name)
    since = len(path) - 1
    while since > 0 and path[since - 1][ob.slot]:
        since -= 1
    when = f" (at t={w.late})" if w is not None and w.late else ""
    if ob.trigger is None:
        return (f"{live.p_text} does not hold within {live.within_text} of the start: "
                f"time passes beyond it{when}{waiting}")
    after = f"after step {since}" if since else "in the initial state"
    return (f"{live.p_text} holds {after}, and {live.q_text} does not follow within "
            f"{live.within_text}: time passes beyond it{when}{waiting}")


def waiting_hint(tm: TimedModel, s: tuple) -> str:
    """If a message waits in s for a handler that no deadline makes run, a clause that says
    so (the usual reason a deadline fails for every value); else ""."""
    _out, info, _errs = tm.expand(s)
    idle = sorted({(tid, inst) for tid, inst, slot, _m in info
                   if slot >= 0 and not tm.system.transitions[tid].timing})
    if not idle:
        return ""
    tr = tm.system.transitions[idle[0][0]]
    return (f"; in some runs a message waits for {tr.instances[idle[0][1]]}: {tr.label}, "
            f"which has no deadline (if it is handled at once, write `{tr.label} ... "
            "within 0`)")


def late_failure(ob: Observer, path: tuple, seconds: float) -> Violation:
    """A bounded response that is not given in time: at the end of `path`, time can pass
    beyond the deadline while the property's observer is pending."""
    return Violation(LIVENESS, ob.name, "", path, seconds=seconds)


class _Search:
    """One timed exploration: symbolic states (discrete state, zone), their tree, and what
    was found, with every param region in which each property fails.

    Zones are PPL polyhedra (`zones="ppl"`, see checker/symbolic/polyhedra.py) or Z3 formulas
    projected by quantifier elimination (`zones="z3"`, the first engine, kept to cross-check
    the polyhedra); regions are then lists of param polyhedra or Z3 formulas."""

    def __init__(self, system: System, deadlock: bool, zones: str = "ppl"):
        self.system = system
        self.deadlock = deadlock
        self.space = ParamSpace(system.model)
        self.tm = TimedModel(system, self.space, observers_of(system))
        self.start = time.perf_counter()
        self.poly = PolyZones(system.model, self.tm.all_clocks(), self.space) \
            if zones == "ppl" else None
        try:
            init = self.tm.initial()
            init_error = None
        except EvalError as err:  # reported below, once there is a state 0
            init = system.initial + (False,) * len(self.tm.observers)
            init_error = err
        if self.poly is not None:
            zone0 = self.poly.initial()
        else:
            zone0 = z3.And(*[self.tm.age(k) == 0 for k in self.tm.live(init)],
                           z3.BoolVal(True))
        self.states: list = [(init, zone0)]
        self.parent = [-1]
        self.labels: list = [None]
        self.depth = [0]
        self.stored: dict[tuple, list[int]] = {init: [0]}
        self.violations: list[Violation] = []
        self.regions: dict[str, list] = {}
        self.transitions = 0
        self.fired = [0] * len(system.transitions)
        self.invariants = [(ci.invariant.name, ci.holds) for ci in system.invariants]
        self.premises = Premises(system)
        # With deadlines to watch: the symbolic graph's edges (to a new or a subsuming state)
        # and the states where time may be unable to pass, to find zero-time cycles.
        self.edges: list[tuple[int, int]] = []
        # Per edge: the clocks it resets, and its transition's label (see _edge).
        self.edge_clocks: list[tuple[frozenset[str], tuple]] = []
        self._slow: dict[tuple, frozenset[str]] = {}
        self.instant: set[int] = set()
        self.timelocked: set[int] = set()  # where time stops at a deadline, nothing firing
        self.waiting: dict[str, str] = {}  # property -> the hint _note_waiting found
        self.by_faults: dict[str, dict[int, list]] = {}  # property -> faults -> regions
        self.check_state(0)
        if init_error is not None:
            self.record(self._hop(0, evaluation_failure, init_error), [self.state_region(0)])

    def path_of(self, idx: int) -> tuple[tuple, tuple]:
        chain = []
        while idx >= 0:
            chain.append(idx)
            idx = self.parent[idx]
        chain.reverse()
        return (tuple(self.states[i][0] for i in chain),
                tuple(self.labels[i] for i in chain[1:]))

    def record(self, found: Violation, regions: list) -> None:
        """Keep the first (shortest) trace per property with the fewest faults, and the union
        of all its regions (by the faults of the runs they come from)."""
        faults = self.system.faults_of(found.path[-1])
        self.regions.setdefault(found.property, []).extend(regions)
        self.by_faults.setdefault(found.property, {}).setdefault(faults, []).extend(regions)
        for n, v in enumerate(self.violations):
            if v.property == found.property:
                if faults < self.system.faults_of(v.path[-1]):
                    self.violations[n] = found
                return
        self.violations.append(found)

    def region_text(self, prop: str) -> str:
        """Where a property is violated; with faults, for each number of faults that widens
        the region, where it is violated with at most that many."""
        text = describe(self.space, self.region_formula(self.regions[prop]))
        if self.system.layout.fault_total is None:
            return text
        levels = sorted(self.by_faults[prop].items())
        parts = [] if levels[0][0] == 0 else ["no parameter value with no fault"]
        seen, upto = "", []
        for f, regions in levels:
            upto += regions
            now = describe(self.space, self.region_formula(upto))
            if now != seen:
                where = "every parameter value" if now == "true" else now
                many = "no fault" if f == 0 else f"at most {f} fault{'s' if f > 1 else ''}"
                parts.append(f"{where} with {many}")
                seen = now
        return "; ".join(parts)

    def _hop(self, idx: int, make, *args) -> Violation:
        """make(*args, path, seconds), for the path to state idx, with its labels."""
        path, labels = self.path_of(idx)
        return replace(make(*args, path, time.perf_counter() - self.start), labels=labels)

    def state_region(self, idx: int):
        s, zone = self.states[idx]
        if self.poly is not None:
            return self.poly.region(zone)
        return self.space.eliminate([self.tm.age(k) for k in self.tm.live(s)], zone)

    def check_state(self, idx: int) -> None:
        s = self.states[idx][0]
        region = None
        for name, err in broken_invariants(self.invariants, s):
            region = self.state_region(idx) if region is None else region
            self.record(self._hop(idx, invariant_failure, name, err), [region])
        self.premises.observe(s)

    def expand(self, cur: int) -> None:
        s = self.states[cur][0]
        try:
            out, info, errs = self.tm.expand(s)
        except EvalError as err:
            self.record(self._hop(cur, evaluation_failure, err), [self.state_region(cur)])
            return
        if self.poly is not None:
            self._expand_polyhedra(cur, out, info, errs)
        else:
            self._expand_z3(cur, out, info, errs)

    def _expand_polyhedra(self, cur: int, out: list, info: list, errs: list) -> None:
        s, zone = self.states[cur]
        pz, tm = self.poly, self.tm
        live = tm.live(s)
        bounds = [pz.age_bound(key, "<=", d) for key, d in tm.deadline_bounds(s, info)]
        common = pz.restrict(pz.elapsed(zone, live), bounds)  # ages at the firing instant
        if tm.observers and any(pz.feasible(pz.restrict(zone, [pz.age_bound(key, ">=", d)]))
                                for key, d in tm.deadline_bounds(s, info)):
            self.instant.add(cur)  # somewhere in the zone a deadline is due now
        pending = [ob for ob in tm.observers if s[ob.slot]]
        # Where nothing can fire: deadlock detection, and, while a deadline is watched, time
        # that stops at a deadline with nothing able to fire (a timelock).
        track = self.deadlock or bool(pending)
        for ob in pending:  # can time pass beyond the deadline before anything fires?
                late = pz.restrict(common, [pz.age_bound(ob.key, ">", ob.deadline)])
                if pz.feasible(late):
                    self.record(self._hop(cur, late_failure, ob), [pz.region(late)])
                    self._note_waiting(ob, s)
        # Transitions without a firing condition can fire wherever `common` allows: decide
        # that once per state, not once per transition.
        untimed = {"feasible": None, "from": None}

        def firing_set(label: tuple):
            """(where label fires, from where in zone) or None if it cannot fire."""
            cons = self._firing(label)
            if cons:
                fires = pz.restrict(common, cons)
                if not pz.feasible(fires):
                    return None
                return fires, (pz.from_where(zone, fires, live) if track else None)
            if untimed["feasible"] is None:
                untimed["feasible"] = pz.feasible(common)
                if untimed["feasible"] and track:
                    untimed["from"] = pz.from_where(zone, common, live)
            if not untimed["feasible"]:
                return None
            return pz.copy(common), untimed["from"]

        enabled = []
        for err in errs:
            # A failure inside a transition counts where that transition can fire in time.
            found = firing_set(err[:4])
            if found is not None:
                self.record(self._hop(cur, transition_failure, self.system, err),
                            [pz.region(found[0])])
                if track:  # where it can fire, the state is not stuck: it fails
                    enabled.append(found[1])
        for t_raw, label in zip(out, info):
            t, started = tm.normalize(t_raw)
            found = firing_set(label)
            if found is None:
                continue
            t = self._observed(cur, s, t, found[0])
            if t is None:
                continue
            fires, origin = found
            self.transitions += 1
            self.fired[label[0]] += 1
            # A fault is not progress: where only faults can fire, the state is stuck.
            if track and not self.system.transitions[label[0]].is_fault \
                    and all(origin is not e for e in enabled):
                enabled.append(origin)
            live_t = set(tm.live(t))
            fired = tm.clock(label) if label[0] in tm.bounded else None
            # Clocks that stop mattering are pinned at 0; the fired one and timers restarted
            # restart. A clock not live in s is pinned at 0 already (a newly enabled one, a
            # timer started from off).
            pz.reset(fires, [k for k in live if k not in live_t or k == fired or k in started])
            self._cap(t, fires)
            self.add(cur, t, label, fires, started)
        if track:
            stuck = [p for p in pz.minus(zone, enabled) if pz.feasible(p)]
            if stuck and self.deadlock and not self.system.all_final(s):
                self.record(self._hop(cur, deadlock_failure), [pz.region(p) for p in stuck])
            if stuck and pending and tm.deadline_bounds(s, info):
                self.timelocked.add(cur)  # time reaches a deadline there, and nothing fires

    def _cap(self, t: tuple, zone) -> None:
        """An observer clock past the largest deadline it can have, everywhere in the zone,
        is set to just past it: how far past no longer matters (the deadline is missed), and
        without the cap a pending deadline on a cycle would make zones grow forever."""
        pz = self.poly
        for ob in self.tm.observers:
            if t[ob.slot] and not pz.feasible(pz.restrict(
                    zone, [pz.age_bound(ob.key, "<=", ob.cap)])):
                pz.set_clock(zone, ob.key, int(ob.cap.const) + 1)

    def _cap_z3(self, t: tuple, zone):
        for ob in self.tm.observers:
            age = self.tm.age(ob.key)
            if t[ob.slot] and not self.space.sat(z3.And(zone, age <= self.space.lin(ob.cap))):
                zone = z3.And(self.space.eliminate([age], zone), age == int(ob.cap.const) + 1)
        return zone

    def _observed(self, cur: int, s: tuple, t: tuple, fires) -> tuple | None:
        """t with the observers' flags; None (and a runtime failure recorded) when a
        property's P or Q cannot be evaluated in t. `fires`: where the transition fires
        (polyhedra), for the failure's region."""
        try:
            return self.tm.observe(s, t)
        except EvalError as err:
            where = self.poly.region(fires) if fires is not None else self.state_region(cur)
            self.record(self._hop(cur, evaluation_failure, err), [where])
            return None

    def _firing(self, label: tuple) -> list:
        return [self.poly.age_bound(key, op, b) for key, op, b in self.tm.firing_bounds(label)]

    def _expand_z3(self, cur: int, out: list, info: list, errs: list) -> None:
        s, zone = self.states[cur]
        space, tm = self.space, self.tm
        _live, old, delta, zone_old = _prepare(tm, s, zone)
        bounds = [old[key] + delta <= d for key, d in tm.deadlines(s, info)]
        common = [zone_old, delta >= 0, *bounds]
        if tm.observers and any(space.sat(z3.And(zone_old, old[key] >= d))
                                for key, d in tm.deadlines(s, info)):
            self.instant.add(cur)
        pending = [ob for ob in tm.observers if s[ob.slot]]
        track = self.deadlock or bool(pending)
        for ob in pending:
            late = z3.And(*common, old[ob.key] + delta > space.lin(ob.deadline))
            if space.sat(late):
                self.record(self._hop(cur, late_failure, ob),
                            [space.eliminate([*old.values(), delta], late)])
                self._note_waiting(ob, s)
        enabled = []
        for err in errs:
            g = z3.And(*common, *tm.firing(err[:4], old, delta))
            if space.sat(g):
                self.record(self._hop(cur, transition_failure, self.system, err),
                            [space.eliminate([*old.values(), delta], g)])
                if track:
                    enabled.append(space.eliminate([delta], g))
        for t_raw, label in zip(out, info):
            t, started = tm.normalize(t_raw)
            t = self._observed(cur, s, t, None)
            if t is None:
                continue
            g = z3.And(*common, *tm.firing(label, old, delta),
                       *tm.new_ages(label, t, started, old, delta))
            if not space.sat(g):
                continue
            self.transitions += 1
            self.fired[label[0]] += 1
            if track and not self.system.transitions[label[0]].is_fault:  # as above
                enabled.append(space.eliminate([delta, *[tm.age(k) for k in tm.live(t)]], g))
            zone_t = space.eliminate([*old.values(), delta], g)
            self.add(cur, t, label, self._cap_z3(t, zone_t), started)
        if track:
            stuck = z3.And(zone_old, *[z3.Not(e) for e in enabled])
            if space.sat(stuck):
                if self.deadlock and not self.system.all_final(s):
                    self.record(self._hop(cur, deadlock_failure),
                                [space.eliminate(list(old.values()), stuck)])
                if pending and tm.deadline_bounds(s, info):
                    self.timelocked.add(cur)

    def add(self, cur: int, t: tuple, label: tuple, zone, started: set[str]) -> None:
        """`started`: the timers the transition `label` started."""
        # Subsumption: a zone inside one already stored for t adds no behaviour.
        for i in self.stored.get(t, ()):
            if (self.poly.includes(self.states[i][1], zone) if self.poly is not None
                    else self.space.entails(zone, self.states[i][1])):
                if self.tm.observers:
                    self._edge(cur, i, t, label, started)
                return
        idx = len(self.states)
        if self.tm.observers:
            self._edge(cur, idx, t, label, started)
        self.states.append((t, zone))
        self.parent.append(cur)
        self.labels.append(label)
        self.depth.append(self.depth[cur] + 1)
        self.stored.setdefault(t, []).append(idx)
        self.check_state(idx)

    def _edge(self, cur: int, to: int, t: tuple, label: tuple, started: set[str]) -> None:
        """An edge of the zone graph, with its transition and the clocks it resets."""
        before = set(self.tm.live(self.states[cur][0]))
        resets = frozenset(k for k, reset in self.tm.restarts(label, t, started, before) if reset)
        self.edges.append((cur, to))
        self.edge_clocks.append((resets, label))

    def _waits_for(self, label: tuple) -> frozenset[str]:
        """The clocks `label` needs to have aged a positive time (for every param value)
        before it can fire (asked only of the edges of a cycle: Z3 calls are reported)."""
        slow = self._slow.get(label)
        if slow is None:
            slow = self._slow[label] = frozenset(
                key for key, op, b in self.tm.firing_bounds(label) if op in (">=", "==")
                and self.space.entails(z3.BoolVal(True), self.space.lin(b) > 0))
        return slow

    def _zeno_cycles(self) -> list[list[int]]:
        """The cycles of states where a deadline may be due at once (`_cycles` over
        `instant`), but for those in which every way round takes time: a cycle that waits for
        a clock to age a positive time and also resets it (a timer started, then its timeout)
        takes that long each time round (strong non-Zenoness, Tripakis), so it can repeat only
        as time passes. An edge that waits for clock x counts where every cycle through it
        resets x; if the edges left still close a cycle, time may stop there."""
        out = []
        for c in _cycles(self.edges, self.instant):
            inside = set(c)
            edges = [(a, b, rs, self._waits_for(label))
                     for (a, b), (rs, label) in zip(self.edges, self.edge_clocks, strict=True)
                     if a in inside and b in inside]
            timed = set()
            for x in sorted({x for *_, slow in edges for x in slow}):
                # An edge that does not reset x is on a way round that never does iff its
                # ends are in one strongly connected set of the edges that do not reset x.
                part = _components([(a, b) for a, b, rs, _ in edges if x not in rs])
                timed |= {n for n, (a, b, resets, slow) in enumerate(edges)
                          if x in slow and (x in resets or part[a] != part[b])}
            rest = [(a, b) for n, (a, b, _, _) in enumerate(edges) if n not in timed]
            if _cycles(rest, inside):
                out.append(c)
        return out

    def _zeno(self, violated: set[str]) -> tuple[tuple[str, str], ...]:
        """Deadlines that time stopping could make hold vacuously, with why: a reachable cycle
        of symbolic states in each of which some deadline may be due at once (time may never
        pass there: a Zeno run), or a state where a deadline comes due and nothing can fire
        (a timelock), with the property's observer pending. Also, as on untimed models, every
        deadline not violated when a transition fails."""
        cycles = self._zeno_cycles()
        out = []
        failed = failing_transition(self.violations)
        for ob in self.tm.observers:
            # A violated property stays violated; its region is then not exact where time
            # stops (synthesize says so).
            if failed and ob.name not in violated:  # as on untimed models
                out.append((ob.name, failed))
                continue
            locked = sorted(i for i in self.timelocked if self.states[i][0][ob.slot])
            if locked:
                path, _ = self.path_of(locked[0])
                out.append((ob.name, (f"time may stop: after {len(path) - 1} steps, a deadline "
                            "comes due that nothing can meet (a timelock: no transition can "
                            "fire then), so this deadline is not decided")))
                continue
            stuck = [c for c in cycles if any(self.states[i][0][ob.slot] for i in c)]
            if stuck:
                first = min(min(c) for c in stuck)
                path, _ = self.path_of(first)
                why = (f"time may stop: a cycle of steps that take no time is reachable in "
                       f"{len(path) - 1} steps while it waits (a Zeno run), so its deadline "
                       "is not decided")
                out.append((ob.name, why))
        return tuple(out)

    def _late_message(self, ob: Observer, path: tuple, w: Witness | None) -> str:
        return late_message(self.system, ob, path, w, self.waiting.get(ob.name, ""))

    def _note_waiting(self, ob: Observer, s: tuple) -> None:
        """Where a deadline is missed while a message waits for a handler that no deadline
        makes run (the usual reason a deadline fails for every value), say so, once."""
        if ob.name not in self.waiting:
            hint = waiting_hint(self.tm, s)
            if hint:
                self.waiting[ob.name] = hint

    def region_formula(self, regions: list) -> z3.BoolRef:
        if self.poly is not None:
            return self.poly.union_formula(regions)
        return z3.Or(*regions)

    def finish(self, head: int, limit: str) -> TimedResult:
        seconds = time.perf_counter() - self.start
        pending = head < len(self.states)
        if limit and limit != INTERRUPTED and not pending:
            limit = ""  # the bound was reached exactly as the last state was expanded
        complete = not pending and not limit
        final = []
        for v in self.violations:
            text = self.region_text(v.property)
            if not complete:
                # Unexplored states may add valuations: what we found is a lower bound.
                text += " (at least; the search stopped before the end)"
            ob = next((ob for ob in self.tm.observers
                       if v.kind is LIVENESS and ob.name == v.property), None)
            w = witness(self.tm, v.path, v.labels, v.failing,
                        (ob.key, ob.deadline) if ob is not None else None)
            if ob is not None:
                v = replace(v, message=self._late_message(ob, v.path, w))
            final.append(replace(v, region=text, witness=w))
        vacuous = self.premises.vacuous(complete)
        undecided = self._zeno({v.property for v in final})
        stops = dict(undecided)
        final = [replace(v, region=v.region + "; where time may stop, not decided")
                 if v.property in stops and v.kind is LIVENESS else v for v in final]
        result = Result(verdict_of(final, limit, undecided), tuple(final),
                        Stats(len(self.states), self.transitions, max(self.depth), seconds),
                        complete, limit, tuple(self.fired), vacuous, undecided=undecided)
        by_faults = ({k: self.region_text(k) for k in self.regions}
                     if self.system.layout.fault_total is not None else {})
        return TimedResult(result, {k: self.region_formula(v) for k, v in self.regions.items()},
                           self.space, self.poly.seconds if self.poly is not None else 0.0,
                           by_faults)


def explore_timed(system: System, *, deadlock: bool = True, max_states: int | None = None,
                  timeout: float | None = None, stop_at_first: bool = True,
                  progress=None, stop=None, since: float | None = None,
                  zones: str = "ppl") -> TimedResult:
    """Explore every symbolic state breadth-first (or until a bound); see the module doc.
    `since`: as in `checker.engines.common.Limits`; `zones`: "ppl" or "z3" (checker.run.ZONES)."""
    search = _Search(system, deadlock, zones)
    why_stop = stop_checker(search.start, max_states=max_states, timeout=timeout, stop=stop,
                            progress=progress, since=since)
    head, limit = 0, ""
    try:
        while head < len(search.states) and not (search.violations and stop_at_first):
            head += 1
            search.expand(head - 1)
            limit = why_stop(len(search.states), search.transitions, search.depth[-1])
            if limit:
                break
    except KeyboardInterrupt:
        # Ctrl-C without the CLI's flag: stop cleanly, report partial statistics.
        limit = INTERRUPTED
    return search.finish(head, limit)


def _value(m, v) -> str:
    val = m(v)
    if z3.is_int_value(val):
        return str(val.as_long())
    f = Fraction(val.numerator_as_long(), val.denominator_as_long())
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def path_constraint(tm: TimedModel, path: tuple, labels: tuple, failing: tuple | None = None,
                    late: tuple | None = None, stuck: bool = False
                    ) -> tuple[list, list, list] | None:
    """The timing of a discrete path as constraints over the params and one delay per step:
    (cons, the deadlines and firing conditions a witness keeps away from where it can; plain,
    that delays are not negative and what must hold at the end; the delays), or None if some
    hop of the path has no transition with its label. With `failing`, the last step fails
    inside that transition; with `late` (observer clock, deadline), time passes beyond the
    deadline after the last step, before anything must fire; with `stuck`, nothing can fire
    after the last step however long one waits (a timed deadlock)."""
    ages = {k: rat(0) for k in tm.live(path[0])}
    cons = []  # timer bounds and the region: the witness goes inside them where it can
    plain = []  # that time does not run backwards, and how ages follow from delays
    deltas = []
    for i, (s, label) in enumerate(zip(path, labels)):
        t_raw = None
        out, info, _errs = tm.expand(s)
        for cand, lab in zip(out, info):
            if lab == label and tm.observe(s, tm.normalize(cand)[0]) == path[i + 1]:
                t_raw = cand
                break
        if t_raw is None:
            return None
        t, started = tm.normalize(t_raw)
        t = tm.observe(s, t)
        delta = z3.Real(f"delta{i + 1}")
        deltas.append(delta)
        plain.append(delta >= 0)
        cons += [ages[key] + delta <= d for key, d in tm.deadlines(s, info)]
        cons += tm.firing(label, ages, delta)
        new = {}
        for d in tm.new_ages(label, t, started, ages, delta):
            new[str(d.arg(0))[len("age:"):]] = d.arg(1)
        ages = new
    if failing is not None:
        _out, info, _errs = tm.expand(path[-1])
        delta = z3.Real(f"delta{len(path)}")
        deltas.append(delta)
        plain.append(delta >= 0)
        cons += [ages[key] + delta <= d for key, d in tm.deadlines(path[-1], info)]
        cons += tm.firing(failing, ages, delta)
    if late is not None:
        _out, info, _errs = tm.expand(path[-1])
        delta = z3.Real("delta_late")
        plain.append(delta >= 0)
        cons += [ages[key] + delta <= d for key, d in tm.deadlines(path[-1], info)]
        cons.append(ages[late[0]] + delta > tm.space.lin(late[1]))
        deltas.append(delta)
    if stuck:
        plain.append(_stuck(tm, path[-1], ages))
    return cons, plain, deltas


def _stuck(tm: TimedModel, s: tuple, ages: dict) -> z3.BoolRef:
    """Nothing can fire in s, with these clock ages, however long one waits: for each
    transition enabled (or failing) there, no delay meets its firing condition and every
    deadline. One delay per transition, so its existence is Fourier-Motzkin on one variable:
    every lower bound at most every upper bound."""
    _out, info, errs = tm.expand(s)
    ups = [d - ages[key] for key, d in tm.deadlines(s, info)]
    labels = [lab for lab in info if not tm.system.transitions[lab[0]].is_fault]
    labels += [err[:4] for err in errs]
    blocked = []
    for label in dict.fromkeys(labels):  # a label once: choose alternatives fire alike
        lows, highs = [rat(0)], list(ups)
        for key, op, b in tm.firing_bounds(label):
            gap = tm.space.lin(b) - ages[key]
            if op in ("==", ">="):
                lows.append(gap)
            if op in ("==", "<="):
                highs.append(gap)
        if not highs:  # it may fire at any time from now on
            return z3.BoolVal(False)
        blocked.append(z3.Or(*[lo > hi for lo in lows for hi in highs]))
    return z3.And(*blocked, z3.BoolVal(True))


def feasible(tm: TimedModel, path: tuple, labels: tuple, failing: tuple | None = None,
             late: tuple | None = None, stuck: bool = False) -> bool:
    """Whether some params in range (and the assumptions) and some delays make the path a
    timed run, ending as `path_constraint`'s options say."""
    built = path_constraint(tm, path, labels, failing, late, stuck)
    return built is not None and tm.space.sat(z3.And(*built[0], *built[1], z3.BoolVal(True)))


def witness(tm: TimedModel, path: tuple, labels: tuple, failing: tuple | None = None,
            late: tuple | None = None, stuck: bool = False) -> Witness | None:
    """Concrete params and event times for a discrete path: one delta per step, no elimination,
    the params inside the path's region and every timer away from its bounds where they can be
    (ParamSpace.inner_model_of); with `failing`, also the time of the last step, which fails
    inside its transition; with `late` (observer clock, deadline), also a time after the last
    step, before anything must fire, at which that clock is past the deadline (`Witness.late`);
    with `stuck`, at the end nothing can fire any more (`path_constraint`)."""
    built = path_constraint(tm, path, labels, failing, late, stuck)
    if built is None:
        return None
    cons, plain, deltas = built
    space = tm.space
    m = space.inner_model_of(cons, plain, deltas)
    if m is None:
        return None
    params = []
    for p in space.model.params:
        var = space.ints.get(p.name, space.reals[p.name])
        params.append((p.name, _value(m, var)))
    times, now = [], Fraction(0)
    for d in deltas:
        val = m(d)
        now += Fraction(val.numerator_as_long(), val.denominator_as_long())
        times.append(str(now.numerator) if now.denominator == 1
                     else f"{float(now):.3f}".rstrip("0").rstrip("."))
    if late is not None:  # the last "time" is not a step's: when the deadline has passed
        return Witness(tuple(params), tuple(times[:-1]), times[-1])
    return Witness(tuple(params), tuple(times))


@record
class Synthesis:
    safe: str  # where every property holds
    safe_formula: object  # the same region as a Z3 formula over the params (as reals)
    per_property: tuple[tuple[str, str], ...]  # property -> where it is violated
    verdict: str  # "holds for all" | "violated for all" | "holds iff"
    complete: bool
    stats: Stats
    z3_seconds: float
    z3_calls: int = 0
    total_seconds: float = 0.0  # exploration plus simplifying the regions
    limit: str = ""  # why the search stopped early: a bound, the timeout, "interrupted"
    polyhedra_seconds: float = 0.0  # time in PPL (zones="ppl")


def synthesize(system: System, *, deadlock: bool = True, max_states: int | None = None,
               timeout: float | None = None, progress=None, stop=None,
               since: float | None = None, zones: str = "ppl") -> Synthesis:
    """The exact region of param values for which every property holds."""
    started = time.perf_counter()
    tr = explore_timed(system, deadlock=deadlock, max_states=max_states, timeout=timeout,
                       stop_at_first=False, progress=progress, stop=stop, since=since,
                       zones=zones)
    space = tr.space
    bad = z3.Or(*tr.regions.values()) if tr.regions else z3.BoolVal(False)
    safe = z3.Not(bad)
    text = describe(space, safe)
    if text == "true":
        verdict = "holds for all"
    elif text == "false":
        verdict = "violated for all"
    else:
        verdict = "holds iff"
    per = tuple((name, tr.by_faults.get(name) or describe(space, region))
                for name, region in sorted(tr.regions.items()))
    # A deadline a zero-time cycle leaves undecided makes the region inexact.
    undecided = "; ".join(f"{name}: {why}" for name, why in tr.result.undecided)
    return Synthesis(text, safe, per, verdict, tr.result.complete and not undecided,
                     tr.result.stats, space.z3_seconds, space.z3_calls,
                     time.perf_counter() - started, tr.result.limit or undecided,
                     tr.polyhedra_seconds)
