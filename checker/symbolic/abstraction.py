"""Liveness without a deadline on timed models, decided on the untimed abstraction.

The abstraction is the same model with time ignored: every handler and step may fire whenever
its state, guard and message allow. Each run of the timed model is, step for step, a run of
the abstraction; the spec's fairness applies to timed runs too, and on the abstraction it is
weakened wherever time could forbid what it would force (`checker.engines.liveness.
_constraints(timed=True)`): a timeout is never forced (its timer may be restarted first), a
time-bounded step at most weakly (enabled now and then, time may never let it fire), and per
actor only untimed transitions make an instance enabled, while any transition counts as it
acting. So every fair timed run is a fair run of the abstraction. Hence:

* a property that holds on the abstraction holds on the timed model;
* a violation of the abstraction may need runs that time forbids. It is reported as a
  violation only when time allows it: the stem is a feasible timed path (a witness solves its
  timing), and the lasso either stops where nothing is enabled and no deadline is due (time
  passes forever) or repeats a cycle of transitions without timing through states with no
  pending deadline (time may pass freely while it repeats). Otherwise the property is left
  undecided, with the abstract lasso's shape in the reason.

Exact param regions for these properties are not computed: a violation holds "for some
parameter values", shown by the witness.
"""

from __future__ import annotations

from dataclasses import replace

from checker.compile import System
from checker.engines import graph, liveness
from checker.engines.common import Limits, verdict_of
from checker.engines.result import Result, Stats, Violation
from checker.properties import HOLDS
from checker.symbolic.timed import Synthesis, TimedModel, witness
from checker.symbolic.zones import ParamSpace
from checker.temporal import Fairness

SOME_VALUES = "some parameter values (the witness is one; no exact region without a deadline)"


def untimed_properties(system: System) -> tuple:
    return tuple(c for c in system.liveness if c.liveness.within is None)


def abstraction(system: System) -> System:
    """The system for the abstract search: only the deadline-free liveness properties, no
    invariants (the timed engine checks those). How fairness treats timed transitions there
    is `checker.engines.liveness._constraints(timed=True)`."""
    return replace(system, invariants=(), liveness=untimed_properties(system))


def decide(timed: Result, system: System, fairness: Fairness, limits: Limits) -> Result:
    """The timed engine's result with the deadline-free liveness properties decided."""
    if not untimed_properties(system):
        return timed
    why = liveness.failing_transition(timed.violations)
    if why:  # as on untimed models
        return replace(timed, undecided=timed.undecided + tuple(
            (c.liveness.name, why) for c in untimed_properties(system)))
    abstract = abstraction(system)
    found, g = graph.search(abstract, replace(limits, deadlock=False, stop_at_first=False))
    found = replace(found, violations=())  # its own findings are not the timed model's
    decided = liveness.analyse(found, g, abstract, fairness, False, timed=True)
    tm = TimedModel(system, ParamSpace(system.model))
    violations = list(timed.violations)
    undecided = list(timed.undecided)
    names = {c.liveness.name for c in abstract.liveness}
    for v in decided.violations:
        if v.lasso is None:  # P or Q cannot be evaluated in some abstract state
            why = (f"it cannot be evaluated in a state of the untimed abstraction "
                   f"({v.message}), which time may not reach")
            undecided.append((v.property, why))
            continue
        real = _in_time(tm, v)
        if real is not None:
            violations.append(real)
        else:
            undecided.append((v.property, _why(v)))
    if not decided.complete:
        why = f"the untimed abstraction was not explored to the end ({decided.limit})"
        undecided += [(n, why) for n in sorted(names)
                      if all(v.property != n for v in decided.violations)]
    undecided += list(decided.undecided)
    notes = timed.notes + tuple((n, "checked on the untimed abstraction (every timed run is "
                                 "one of its runs); " + _timed_note(note, fairness))
                                for n, note in decided.notes)
    verdict = verdict_of(violations, timed.limit, undecided)
    stats = replace(timed.stats, edges=decided.stats.edges,
                    liveness_seconds=decided.stats.liveness_seconds)
    return replace(timed, verdict=verdict, violations=tuple(violations), stats=stats,
                   notes=notes, undecided=tuple(undecided),
                   vacuous=timed.vacuous + tuple(n for n in decided.vacuous if n in names))


def _timed_note(note: str, fairness: Fairness) -> str:
    """The abstraction's "without fairness" note, as far as it says anything of time."""
    if note.startswith("holds only under"):
        return (f"without fairness the untimed abstraction breaks it, which is not decided in "
                f"time (it holds under {fairness.describe()})")
    return note


def _why(v: Violation) -> str:
    lasso = v.lasso
    shape = liveness.lasso_shape(len(v.path) - 1, lasso.loop, lasso.stutter)
    if lasso.stutter:
        return (f"the untimed abstraction breaks it ({shape}), but that run is not possible "
                "in time, or time cannot pass in its last state (a timer nobody handles): not "
                "decided")
    return (f"the untimed abstraction breaks it ({shape}), but whether time allows that cycle "
            "forever is not decided (it goes through timers or deadlines)")


def _in_time(tm: TimedModel, v: Violation) -> Violation | None:
    """The abstract violation as a timed one, if time allows it (see the module doc)."""
    path, labels = _timed_path(tm, v.path, v.labels)
    if path is None:
        return None
    lasso = v.lasso
    if not lasso.stutter and not _free_cycle(tm, path[lasso.loop:], labels[lasso.loop:]):
        return None
    if lasso.stutter:  # nothing enabled there; time must also be free to pass forever
        _out, info, _errs = tm.expand(path[-1])
        if tm.deadline_bounds(path[-1], info):
            return None
    stem = lasso.loop if not lasso.stutter else len(path) - 1
    w = witness(tm, path[:stem + 1], labels[:stem])
    if w is None:
        return None
    region = SOME_VALUES if tm.system.model.params else None
    return replace(v, path=path, labels=labels, region=region, witness=w)


def _timed_path(tm: TimedModel, path: tuple, labels: tuple):
    """The abstract path with timers normalized as the timed engine keeps them, and the label
    of each hop; (None, None) if some hop has no matching transition."""
    out = [tm.normalize(path[0])[0]]
    hops = []
    for k in range(len(path) - 1):
        succ, info, _errs = tm.expand(path[k])
        want = tm.normalize(path[k + 1])[0]
        lab = next((lab for t, lab in zip(succ, info)
                    if tm.normalize(t)[0] == want and (labels[k] is None or lab == labels[k])),
                   None)
        if lab is None:
            return None, None
        out.append(want)
        hops.append(lab)
    return tuple(out), tuple(hops)


def _free_cycle(tm: TimedModel, states: tuple, labels: tuple) -> bool:
    """A cycle time cannot stop: no transition on it has timing, and no state on it has a
    pending deadline (an armed timer or an enabled time-bounded step)."""
    for s, lab in zip(states, labels):
        if tm.system.transitions[lab[0]].timing:
            return False
        _out, info, _errs = tm.expand(s)
        if tm.deadline_bounds(s, info):
            return False
    return True


def in_synthesis(syn: Synthesis, system: System, fairness: Fairness, limits: Limits
                 ) -> Synthesis:
    """A synthesis with the deadline-free liveness properties in it: one that holds leaves the
    region as it is; one violated for some values, or undecided, makes it inexact (its own
    region is not computed)."""
    if not untimed_properties(system):
        return syn
    alone = Result(HOLDS, (), Stats(0, 0, 0, 0.0), True, "", (), ())
    decided = decide(alone, system, fairness, limits)
    problems = [f"liveness {v.property} is violated for {SOME_VALUES}"
                for v in decided.violations]
    problems += [f"liveness {name}: {why}" for name, why in decided.undecided]
    if not problems:
        return syn
    return replace(syn, complete=False, limit="; ".join(filter(None, [syn.limit, *problems])),
                   per_property=syn.per_property + tuple(
                       (v.property, SOME_VALUES) for v in decided.violations))
