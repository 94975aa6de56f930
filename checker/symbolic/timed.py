"""The timed engine: explicit discrete states, each paired with a parametric zone.

Time is dense (non-negative reals). Every actor instance has a clock that restarts when its
control state changes (read by `after lo..hi` steps), and every armed timer has a clock that
restarts when the timer is started (read by `on timeout`). A symbolic state is a discrete state
plus a zone: a Z3 formula over the params and the *ages* of the clocks that matter there.

One transition = time passes by some delta >= 0, then one handler/step fires atomically:
  * nothing may fire later than a pending deadline: an armed timer's expiry, or the upper
    bound of an `after` step that is enabled now (urgency);
  * `on timeout T` fires exactly when T's age reaches its duration; an `after lo..hi` step
    when its instance's clock is in [lo, hi]; other handlers and steps at any time;
  * events due at the same instant are interleaved in every order (ties explore both ways).
The successor zone is computed by quantifier elimination of the old ages and delta (Z3 `qe`),
a branch is kept only if Z3 finds its zone satisfiable for some params, and a zone that implies
an already stored zone of the same discrete state is dropped (subsumption).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

import z3

from checker import ir
from checker.compile import EvalError, System
from checker.explore import Result, Stats, Violation
from checker.symbolic.zones import ParamSpace, describe, rat


@dataclass(frozen=True)
class Witness:
    params: tuple[tuple[str, str], ...]  # name, value as text
    times: tuple[str, ...]  # absolute time of each step

    def params_text(self) -> str:
        return ", ".join(f"{k} = {v}" for k, v in self.params)


@dataclass(frozen=True)
class TimedResult:
    result: Result
    regions: dict  # property -> z3 formula over params (where it is violated); full runs only
    space: ParamSpace


class TimedModel:
    """Timing facts of a compiled system: clocks, deadlines and firing conditions."""

    def __init__(self, system: System, space: ParamSpace):
        self.system = system
        self.space = space
        model, lay = system.model, system.layout
        self.items = [x for a in model.actors for x in (*a.handlers, *a.steps)]
        self.timers = []  # (key, state index of its status var, duration term)
        self.after_states: dict[str, set[int] | None] = {}
        for a in model.actors:
            durations = dict(a.timers)
            for k in range(a.count):
                inst = a.instance_name(k)
                for name, dur in durations.items():
                    idx = lay.vars[(a.name, ir.timer_var(name))] + k
                    self.timers.append((f"{inst}.{name}", idx, space.lin(dur)))
            states: set[int] | None = set()
            for st in a.steps:
                if st.timing and st.timing[0] == "after":
                    if not st.states:
                        states = None
                    elif states is not None:
                        states |= set(st.states)
            if states is None or states:
                self.after_states[a.name] = states
        self.ages: dict[str, z3.ArithRef] = {}

    def age(self, key: str) -> z3.ArithRef:
        if key not in self.ages:
            self.ages[key] = z3.Real(f"age:{key}")
        return self.ages[key]

    def live(self, s: tuple) -> list[str]:
        """The clocks that matter in discrete state s, in a fixed order."""
        model, lay = self.system.model, self.system.layout
        keys = []
        for a in model.actors:
            if a.name not in self.after_states:
                continue
            wanted = self.after_states[a.name]
            for k in range(a.count):
                if wanted is None or s[lay.ctrl[a.name] + k] in wanted:
                    keys.append(a.instance_name(k))
        keys += [key for key, idx, _ in self.timers if s[idx] == ir.TIMER_ARMED]
        return keys

    def normalize(self, t: tuple) -> tuple[tuple, set[str]]:
        started = {key for key, idx, _ in self.timers if t[idx] == ir.TIMER_STARTED}
        if not started:
            return t, started
        lst = list(t)
        for key, idx, _ in self.timers:
            if lst[idx] == ir.TIMER_STARTED:
                lst[idx] = ir.TIMER_ARMED
        return tuple(lst), started

    def expand(self, s: tuple):
        out: list = []
        info: list = []
        fired = [0] * len(self.system.transitions)
        self.system.successors_traced(s, out, [], fired, info)
        return out, info

    def deadlines(self, s: tuple, info: list, old) -> list:
        """Upper bounds on (old age + delta): pending timers and enabled `after` steps."""
        bounds = []
        for key, idx, dur in self.timers:
            if s[idx] == ir.TIMER_ARMED:
                bounds.append((key, dur))
        seen = set()
        for tid, k, _slot, _msg in info:
            item = self.items[tid]
            if isinstance(item, ir.Step) and item.timing and item.timing[0] == "after":
                inst = self.system.model.actor(item.actor).instance_name(k)
                if (tid, inst) not in seen:
                    seen.add((tid, inst))
                    bounds.append((inst, self.space.lin(item.timing[2])))
        return bounds

    def firing(self, label: tuple, old, delta) -> list:
        tid, k, _slot, _msg = label
        item = self.items[tid]
        if not isinstance(item, ir.Step) or not item.timing:
            return []
        inst = self.system.model.actor(item.actor).instance_name(k)
        if item.timing[0] == "timeout":
            dur = next(d for key, _i, d in self.timers if key == f"{inst}.{item.timing[1]}")
            return [old[f"{inst}.{item.timing[1]}"] + delta == dur]
        lo, hi = self.space.lin(item.timing[1]), self.space.lin(item.timing[2])
        return [old[inst] + delta >= lo, old[inst] + delta <= hi]

    def new_ages(self, s: tuple, t: tuple, started: set[str], old, delta) -> list:
        """How each clock live in t relates to the old ages: reset to 0, or aged by delta."""
        model, lay = self.system.model, self.system.layout
        defs = []
        for key in self.live(t):
            if "." in key:  # a timer
                reset = key in started or key not in old
            else:
                actor = model.actor(key.split("[")[0])
                k = int(key.split("[")[1][:-1]) if "[" in key else 0
                cb = lay.ctrl[actor.name] + k
                reset = s[cb] != t[cb] or key not in old
            defs.append(self.age(key) == (0 if reset else old[key] + delta))
        return defs


def _prepare(tm: TimedModel, s: tuple, zone):
    live = tm.live(s)
    old = {key: z3.Real(f"old:{key}") for key in live}
    delta = z3.Real("delta")
    zone_old = z3.substitute(zone, *[(tm.age(k), old[k]) for k in live]) if live else zone
    return live, old, delta, zone_old


def explore_timed(system: System, *, deadlock: bool = True, max_states: int | None = None,
                  timeout: float | None = None, stop_at_first: bool = True,
                  progress=None, stop=None) -> TimedResult:
    space = ParamSpace(system.model)
    tm = TimedModel(system, space)
    start = time.perf_counter()
    invs = [(ci.invariant.name, ci.holds) for ci in system.invariants]
    init = system.initial
    zone0 = z3.And(*[tm.age(k) == 0 for k in tm.live(init)], z3.BoolVal(True))
    states = [(init, zone0)]
    parent = [-1]
    labels: list = [None]
    depth = [0]
    stored: dict[tuple, list[int]] = {init: [0]}
    violations: list[Violation] = []
    regions: dict[str, list] = {}
    transitions = 0
    limit = ""
    fired = [0] * len(system.transitions)

    def path_of(idx: int):
        chain = []
        while idx >= 0:
            chain.append(idx)
            idx = parent[idx]
        chain.reverse()
        return (tuple(states[i][0] for i in chain), tuple(labels[i] for i in chain[1:]))

    def record(kind: str, name: str, message: str, idx: int, region) -> None:
        regions.setdefault(name, []).append(region)
        if any(v.property == name for v in violations):
            return
        path, labs = path_of(idx)
        violations.append(Violation(kind, name, message, path, None, None, labs))

    def check(idx: int) -> None:
        s, zone = states[idx]
        region = None
        for name, holds in invs:
            try:
                ok = holds(s)
            except EvalError as err:
                ok = False
                message = err.message
            else:
                message = "invariant violated"
            if not ok:
                if region is None:
                    region = space.eliminate([tm.age(k) for k in tm.live(s)], zone)
                record("invariant", name, message, idx, region)

    check(0)
    head = 0
    next_report = start + 2.0
    try:
        while head < len(states):
            if violations and stop_at_first:
                break
            cur = head
            head += 1
            s, zone = states[cur]
            out, info = tm.expand(s)
            _live, old, delta, zone_old = _prepare(tm, s, zone)
            bounds = [old[key] + delta <= d for key, d in tm.deadlines(s, info, old)]
            common = [zone_old, delta >= 0, *bounds]
            enabled = []
            for t_raw, label in zip(out, info):
                t, started = tm.normalize(t_raw)
                g = z3.And(*common, *tm.firing(label, old, delta),
                           *tm.new_ages(s, t, started, old, delta))
                if not space.sat(g):
                    continue
                transitions += 1
                fired[label[0]] += 1
                eliminated = space.eliminate([*old.values(), delta], g)
                if deadlock:
                    enabled.append(space.eliminate([delta, *[tm.age(k) for k in tm.live(t)]], g))
                # Subsumption: a zone inside one already stored for t adds no behaviour.
                if any(space.entails(eliminated, states[i][1]) for i in stored.get(t, ())):
                    continue
                idx = len(states)
                states.append((t, eliminated))
                parent.append(cur)
                labels.append(label)
                depth.append(depth[cur] + 1)
                stored.setdefault(t, []).append(idx)
                check(idx)
            if deadlock and not system.all_final(s):
                stuck = z3.And(zone_old, *[z3.Not(e) for e in enabled])
                if space.sat(stuck):
                    region = space.eliminate(list(old.values()), stuck)
                    record("deadlock", "deadlock", "no transition is enabled and some actor is not "
                           "in a final state", cur, region)
            if max_states is not None and len(states) >= max_states:
                limit = f"state bound {max_states} reached"
                break
            if stop is not None and stop():
                limit = "interrupted"
                break
            now = time.perf_counter()
            if timeout is not None and now - start >= timeout:
                limit = f"timeout of {timeout:g} s reached"
                break
            if progress is not None and now >= next_report:
                next_report = now + 0.5
                progress(len(states), transitions, max(depth), now - start)
    except KeyboardInterrupt:
        # Ctrl-C: stop cleanly; the caller reports partial statistics as inconclusive.
        limit = "interrupted"
    seconds = time.perf_counter() - start
    pending = head < len(states)
    complete = not pending and not limit
    if limit and limit != "interrupted" and not pending:
        complete, limit = True, ""
    # Attach the param region and a witness to each reported violation.
    final = []
    for v in violations:
        region = z3.Or(*regions[v.property]) if regions[v.property] else z3.BoolVal(False)
        text = describe(space, region)
        if not complete:
            # Unexplored states may add valuations: what we found is a lower bound.
            text += " (at least; the search stopped before the end)"
        final.append(Violation(v.kind, v.property, v.message, v.path, v.failing, v.span,
                               v.labels, text,
                               witness(tm, v.path, v.labels)))
    verdict = "violated" if final else ("inconclusive" if limit else "holds")
    result = Result(verdict, tuple(final),
                    Stats(len(states), transitions, max(depth), seconds), complete, limit,
                    tuple(fired), ())
    return TimedResult(result, {k: z3.Or(*v) for k, v in regions.items()}, space)


def _value(m, v) -> str:
    val = m(v)
    if z3.is_int_value(val):
        return str(val.as_long())
    f = Fraction(val.numerator_as_long(), val.denominator_as_long())
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def witness(tm: TimedModel, path: tuple, labels: tuple) -> Witness | None:
    """Concrete params and event times for a discrete path: one delta per step, no elimination."""
    space = tm.space
    ages = {k: rat(0) for k in tm.live(path[0])}
    cons = []
    deltas = []
    for i, (s, label) in enumerate(zip(path, labels)):
        t_raw = None
        out, info = tm.expand(s)
        for cand, lab in zip(out, info):
            if lab == label and tm.normalize(cand)[0] == path[i + 1]:
                t_raw = cand
                break
        if t_raw is None:
            return None
        t, started = tm.normalize(t_raw)
        delta = z3.Real(f"delta{i + 1}")
        deltas.append(delta)
        cons.append(delta >= 0)
        cons += [ages[key] + delta <= d for key, d in tm.deadlines(s, info, ages)]
        cons += tm.firing(label, ages, delta)
        new = {}
        for d in tm.new_ages(s, t, started, ages, delta):
            new[str(d.arg(0))[len("age:"):]] = d.arg(1)
        ages = new
    m = space.model_of(z3.And(*cons) if cons else z3.BoolVal(True))
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
    return Witness(tuple(params), tuple(times))


@dataclass(frozen=True)
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


def synthesize(system: System, *, deadlock: bool = True, max_states: int | None = None,
               timeout: float | None = None, progress=None, stop=None) -> Synthesis:
    """The exact region of param values for which every property holds."""
    started = time.perf_counter()
    tr = explore_timed(system, deadlock=deadlock, max_states=max_states, timeout=timeout,
                       stop_at_first=False, progress=progress, stop=stop)
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
    per = tuple((name, describe(space, region)) for name, region in sorted(tr.regions.items()))
    return Synthesis(text, safe, per, verdict, tr.result.complete, tr.result.stats,
                     space.z3_seconds, space.z3_calls, time.perf_counter() - started,
                     tr.result.limit)
