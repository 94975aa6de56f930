"""Random simulation of timed models: the timed engine's semantics at one parameter point and
with concrete delays, and Z3 to confirm what a run found (docs/simulate.md).

Each run draws a parameter point: the spec's fixed values, an `int` param uniformly in its
range, a `real` one on the half-unit grid of its range, until the model's `assume`s hold (after
ASSUME_TRIES draws, Z3's canonical point). The clocks are those of the timed engine
(`TimedModel`: each enabled time-bounded handler or step, each armed timer, each deadline's
observer), with exact rational ages. At each step every transition's window of delays is what
the timed engine's zones allow at this point: no later than any pending deadline (urgency),
and within its own firing condition (`on timeout` exactly at expiry, `after lo .. hi` inside
its bounds). A transition is drawn among those whose window is not empty, then a delay in its
window: the earliest, the latest, or one between (so ties, which the engine explores both
ways, are met often); a window without end draws a wait of up to the largest duration or
bound of the model. Ages then follow the engine's rule (`TimedModel.restarts`).

What a spot breaks is decided at the point, as the zone engine decides it for a zone: an
invariant; a failure inside a transition that can fire in time; a deadline (`within`) that
time can pass before anything must fire; deadlock, where nothing can fire however long one
waits; a deadline-free liveness property where a run stops with no deadline due. A violation
found is confirmed by Z3 on the timed engine's own path constraint (`timed.path_constraint`:
the trace is feasible for some params and delays, ending in the violation), which also judges
every candidate while the run is shrunk; the reported witness is the engine's (`timed.witness`,
inside the trace's constraints, as `check` chooses it). A run that Z3 does not confirm is a
bug of this module, never a verdict.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from fractions import Fraction

from checker import ir
from checker.compile import EvalError, System
from checker.engines.common import deadlock_failure, evaluation_failure, transition_failure
from checker.engines.result import Violation
from checker.engines.simulate import Look, Spot, Target, Walker
from checker.properties import DEADLOCK, INVARIANT, LIVENESS, RUNTIME
from checker.record import record
from checker.symbolic.abstraction import untimed_properties
from checker.symbolic.timed import (
    TimedModel,
    feasible,
    late_failure,
    late_message,
    observers_of,
    waiting_hint,
    witness,
)
from checker.symbolic.zones import ParamSpace

ASSUME_TRIES = 100  # parameter draws before Z3's point is taken instead
# The timed model keeps each discrete state's expansion; between runs, past this many states,
# it forgets them (they are recomputed when met again), so memory stays bounded.
KEPT_EXPANSIONS = 100_000
# The region of a simulated violation: only the witness's point is known.
SIMULATED_REGION = ("some parameter values (the witness is one; simulation computes no region: "
                    "protocheck check does)")


@record
class TimedSpot(Spot):
    """A spot of a run of a timed model: also the ages of the clocks live in its state, the
    time, the run's parameter point, and the longest wait it draws where nothing bounds one."""

    ages: tuple[tuple[str, Fraction], ...] = ()
    now: Fraction = Fraction(0)
    params: tuple[tuple[str, Fraction], ...] = ()
    horizon: Fraction = Fraction(1)


@record
class TimedLook(Look):
    """What can happen at a spot of a run, with time: the latest delay before a deadline
    (None: none is pending) and each successor's and failure's window of delays, (earliest,
    latest or None), or None where it cannot fire."""

    deadline: Fraction | None = None
    windows: tuple = ()
    err_windows: tuple = ()


class TimedWalker(Walker):
    exhaustible = False  # the shortest timed trace is the zone engine's to find

    def __init__(self, system: System, deadlock: bool):
        super().__init__(system, deadlock)
        self.space = ParamSpace(system.model)
        self.tm = TimedModel(system, self.space, observers_of(system))

    @staticmethod
    def watched(system: System):
        return untimed_properties(system)  # those with a deadline have observers

    # ----------------------------------------------------------------- spots
    def begin(self, rng: random.Random | None) -> Spot:
        error = None
        try:
            s = self.tm.initial()
        except EvalError as err:  # a deadline's P or Q: a runtime violation here (`hits`)
            s, error = self.system.initial + (False,) * len(self.tm.observers), err
        base = Spot(s, self.watch.marks(None, s), error)
        if rng is None:
            return base
        self.tm.forget(KEPT_EXPANSIONS)
        params = self._point(rng)
        return TimedSpot(s, base.marks, error,
                         ages=tuple((k, Fraction(0)) for k in self.tm.live(s)), now=Fraction(0),
                         params=params, horizon=_horizon(self.system, dict(params)))

    def _point(self, rng: random.Random) -> tuple[tuple[str, Fraction], ...]:
        model = self.system.model
        fixed = dict(model.fixed_params)
        for _ in range(ASSUME_TRIES):
            point = {p.name: Fraction(fixed[p.name]) if p.name in fixed else _draw(rng, p)
                     for p in model.params}
            if all(_holds(a, point) for a in model.assumes):
                return tuple(point.items())
        m = self.space.model_of(self.space.base)  # the ranges and assumptions only
        return tuple((p.name, _fraction(m(self.space.reals[p.name]))) for p in model.params)

    def look(self, spot: Spot) -> Look:
        try:
            out, info, errs = self.tm.expand(spot.state)
        except EvalError as err:
            return Look((), (), (), err)
        if not isinstance(spot, TimedSpot):
            return Look(tuple(out), tuple(info), tuple(errs), None)
        params, ages = dict(spot.params), dict(spot.ages)
        due = [_value(d, params) - ages[key] for key, d in self.tm.deadline_bounds(spot.state,
                                                                                 info)]
        deadline = min(due) if due else None
        return TimedLook(tuple(out), tuple(info), tuple(errs), None, deadline,
                         tuple(self._window(lab, params, ages, deadline) for lab in info),
                         tuple(self._window(err[:4], params, ages, deadline) for err in errs))

    def _window(self, label: tuple, params: dict, ages: dict, deadline: Fraction | None):
        """The delays after which `label` can fire: (earliest, latest or None), or None."""
        lo, hi = Fraction(0), deadline
        for key, op, bound in self.tm.firing_bounds(label):
            gap = _value(bound, params) - ages[key]
            if op in ("==", ">="):
                lo = max(lo, gap)
            if op in ("==", "<="):
                hi = gap if hi is None else min(hi, gap)
        return (lo, hi) if hi is None or lo <= hi else None

    def options(self, spot: Spot, look: Look) -> list[list[int]]:
        groups: dict[tuple[int, int], list[int]] = {}
        for i, label in enumerate(look.info):
            if look.windows[i] is not None:
                groups.setdefault(label[:2], []).append(i)
        return list(groups.values())

    def follow(self, spot: Spot, look: Look, i: int) -> Spot | None:
        try:
            t = self._entered(spot.state, look.out[i])
        except EvalError:  # an observer's P or Q: the spot before breaks `runtime`
            return None
        return Spot(t, self.watch.marks(spot.marks, t))

    def _entered(self, s: tuple, t_raw: tuple) -> tuple:
        t, _started = self.tm.normalize(t_raw)
        return self.tm.observe(s, t)

    def take(self, spot: Spot, look: Look, i: int, rng: random.Random) -> Spot:
        delay = _delay(rng, look.windows[i], spot.horizon)
        t_raw, label = look.out[i], look.info[i]
        t, started = self.tm.normalize(t_raw)
        t = self.tm.observe(spot.state, t)
        old = dict(spot.ages)
        ages = tuple((key, Fraction(0) if reset else old[key] + delay)
                     for key, reset in self.tm.restarts(label, t, started, old))
        return TimedSpot(t, self.watch.marks(spot.marks, t), ages=ages, now=spot.now + delay,
                         params=spot.params, horizon=spot.horizon)

    def point(self, spot: Spot) -> tuple[tuple[str, str], ...]:
        return tuple((name, _text(v)) for name, v in getattr(spot, "params", ()))

    # ----------------------------------------------------------------- properties
    def rests(self, spot: Spot, look: Look) -> bool:
        # Time must also be free to pass for ever: no deadline is due (the abstraction's rule).
        return super().rests(spot, look) and not self.tm.deadline_bounds(spot.state,
                                                                          list(look.info))

    def targets(self, spot: Spot, look: Look):
        yield from super().targets(spot, look)
        if self.tm.observers:
            yield Target(RUNTIME, RUNTIME.name)  # a successor whose flags cannot be evaluated
        for ob in self.tm.observers:
            yield Target(LIVENESS, ob.name)

    def _observer(self, target: Target):
        return next((ob for ob in self.tm.observers if ob.name == target.name), None)

    def _timed(self, look: Look) -> bool:
        return isinstance(look, TimedLook)

    def _can(self, look: Look, windows: tuple, i: int) -> bool:
        """Whether item i can fire: at the run's point (a run), or at all (a replay)."""
        return not self._timed(look) or windows[i] is not None

    def _unobservable(self, spot: Spot, look: Look) -> list[tuple[tuple, EvalError]]:
        """(label, error) of the successors that can fire but whose observer flags cannot be
        evaluated (an observed property's P or Q)."""
        out = []
        for i, (t_raw, label) in enumerate(zip(look.out, look.info)):
            if self._can(look, getattr(look, "windows", ()), i):
                try:
                    self._entered(spot.state, t_raw)
                except EvalError as err:
                    out.append((label, err))
        return out

    def hits(self, spot: Spot, look: Look, target: Target) -> bool:
        ob = self._observer(target)
        if ob is not None:
            if look.error is not None or not spot.state[ob.slot]:
                return False
            if not self._timed(look):
                return True  # pending: whether time can pass beyond it is Z3's (in_time)
            if look.deadline is None:
                return True
            age = dict(spot.ages)[ob.key]
            return age + look.deadline > _value(ob.deadline, dict(spot.params))
        if target.kind in (INVARIANT, LIVENESS):
            return super().hits(spot, look, target)
        if look.error is not None or spot.error is not None:
            return target.kind is RUNTIME
        if target.kind is DEADLOCK:
            if not self.deadlock or self.system.all_final(spot.state):
                return False
            if not self._timed(look):
                # Whether nothing can fire is Z3's (in_time); but a transition without timing
                # (not a fault) can fire at once, wherever it is enabled or fails.
                items = [*look.info, *(err[:4] for err in look.errs)]
                return all(self.system.transitions[lab[0]].timing
                           or self.system.transitions[lab[0]].is_fault for lab in items)
            can_fail = any(w is not None for w in look.err_windows)
            return not can_fail and not any(
                w is not None and not self.system.transitions[lab[0]].is_fault
                for w, lab in zip(look.windows, look.info))
        if target.kind is RUNTIME and self._unobservable(spot, look):
            return True
        return any(err[4] == target.name and self._can(look, getattr(look, "err_windows", ()), n)
                   for n, err in enumerate(look.errs))

    def in_time(self, spot: Spot, look: Look, target: Target, path: list,
                labels: list) -> bool:
        return self._ending(spot, look, target, tuple(path), tuple(labels)) is not None

    def _ending(self, spot: Spot, look: Look, target: Target, path: tuple, labels: tuple):
        """How the replayed run ends in the target's violation, if time allows it: the
        constraint options of `timed.path_constraint` (failing, late, stuck), and for a
        failure the error it shows; None if Z3 finds no params and delays for it."""
        tm = self.tm
        ob = self._observer(target)
        if ob is not None:
            ending = {"late": (ob.key, ob.deadline)}
        elif target.kind is DEADLOCK and look.error is None:
            ending = {"stuck": True}
        elif target.kind in (INVARIANT, LIVENESS) or look.error is not None \
                or spot.error is not None:
            ending = {}
        else:
            failing = [(err[:4], err) for err in look.errs if err[4] == target.name]
            if target.kind is RUNTIME:
                failing = [(label, err) for label, err in self._unobservable(spot, look)] + \
                    failing
            for label, err in failing:
                if feasible(tm, path, labels, failing=label):
                    return {"failing": label}, err
            return None
        return (ending, None) if feasible(tm, path, labels, **ending) else None

    def violation(self, spot: Spot, look: Look, target: Target, path: tuple,
                  labels: tuple) -> Violation:
        found = self._ending(spot, look, target, path, labels)
        assert found is not None, "a simulated timed violation that Z3 does not confirm"
        ending, err = found
        w = witness(self.tm, path, labels, **ending)
        assert w is not None, "a simulated timed violation without a witness"
        ob = self._observer(target)
        if ob is not None:
            v = replace(late_failure(ob, path, 0.0), message=late_message(
                self.system, ob, path, w, waiting_hint(self.tm, path[-1])))
        elif target.kind is RUNTIME and spot.error is not None:
            v = evaluation_failure(spot.error, path, 0.0)
        elif isinstance(err, EvalError):
            v = evaluation_failure(err, path, 0.0)
        elif err is not None:
            v = transition_failure(self.system, err, path, 0.0)
        elif target.kind is DEADLOCK:
            v = deadlock_failure(path, 0.0)
        else:
            v = super().violation(spot, look, target, path, labels)
        region = SIMULATED_REGION if self.system.model.params else None
        return replace(v, labels=labels, witness=w, region=region)


def _value(e: ir.Lin, params: dict[str, Fraction]) -> Fraction:
    return Fraction(e.const) + sum((Fraction(c) * params[name] for name, c in e.terms),
                                   Fraction(0))


def _holds(a: ir.Assumption, point: dict[str, Fraction]) -> bool:
    left, right = _value(a.left, point), _value(a.right, point)
    return {"<": left < right, "<=": left <= right, "==": left == right, ">=": left >= right,
            ">": left > right}[a.op]


def _draw(rng: random.Random, p: ir.Param) -> Fraction:
    if p.kind == "int":
        return Fraction(rng.randrange(p.lo, p.hi + 1))
    return p.lo + Fraction(rng.randrange(2 * (p.hi - p.lo) + 1), 2)


def _fraction(value) -> Fraction:
    return Fraction(value.numerator_as_long(), value.denominator_as_long())


def _text(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def _horizon(system: System, params: dict[str, Fraction]) -> Fraction:
    """The longest wait a run draws where nothing bounds it: a unit past the largest duration,
    bound or deadline of the model at the run's point (at least 1)."""
    lins = [t.duration for t in system.timers]
    for tr in system.transitions:
        if tr.timing and tr.timing[0] == "after":
            lins += [tr.timing[1], tr.timing[2]]
    lins += [c.liveness.within for c in system.liveness if c.liveness.within is not None]
    largest = max([_value(e, params) for e in lins] + [Fraction(0)])
    return Fraction(math.ceil(largest) + 1)


def _delay(rng: random.Random, window: tuple, horizon: Fraction) -> Fraction:
    """A delay in the window: the earliest or latest (where ties happen) or one between; with
    no latest, the earliest or a wait of up to `horizon`, on the half-unit grid."""
    lo, hi = window
    if hi == lo:
        return lo
    pick = rng.randrange(3)
    if pick == 0:
        return lo
    if hi is None:
        return lo + Fraction(rng.randrange(1, 2 * int(horizon) + 1), 2)
    if pick == 1:
        return hi
    parts = max(2, math.ceil((hi - lo) * 2))
    return lo + (hi - lo) * Fraction(rng.randrange(1, parts), parts)
