"""What every engine shares: when to stop, and what counts as a violation.

`Findings` is the one place that decides, for a state or an expansion, which properties it
breaks: invariants (and an invariant that cannot be evaluated), failures inside a transition
(assert, range, runtime) and deadlock; it also tracks implication premises for vacuity. The
explicit engines (BFS, DFS) call it directly; the timed engine reports through the same
constructors, adding a param region per occurrence.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from contextlib import contextmanager

from checker.compile import EvalError, System
from checker.engines.result import Result, Stats, Violation
from checker.properties import (
    DEADLOCK,
    HOLDS,
    INCONCLUSIVE,
    INVARIANT,
    RUNTIME,
    VIOLATED,
    kind_named,
)
from checker.record import record

DEADLOCK_MESSAGE = "no transition is enabled and some actor is not in a final state"
INTERRUPTED = "interrupted"  # the `limit` of a search that Ctrl-C (or `stop()`) ended


@record
class Limits:
    """What a search checks and when it stops, as `checker.run` sets it from spec and options."""

    deadlock: bool = True
    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    # time.perf_counter() when the run began (before loading): the timeout counts from there.
    since: float | None = None
    stop_at_first: bool = True
    progress: Callable | None = None  # (states, transitions, depth, seconds) -> None
    stop: Callable[[], bool] | None = None  # polled between states: True stops the search


class Tree:
    """The states an explicit search has found, each with the state it was found from; the
    visited set is a set, not a dict: a new state's parent is the one being expanded."""

    def __init__(self, initial: tuple):
        self.states = [initial]
        self.parent = [-1]
        self.visited = {initial}

    def append(self, t: tuple, parent: int) -> int:
        """Store t, already added to `visited`; returns its index."""
        self.states.append(t)
        self.parent.append(parent)
        return len(self.states) - 1

    def path(self, idx: int) -> tuple[tuple, ...]:
        return path_to(self.states, self.parent, idx)


class Premises:
    """Which implication invariants' premises held in some reachable state (vacuity)."""

    def __init__(self, system: System):
        self.premises = [(ci.invariant.name, ci.premise) for ci in system.invariants
                         if ci.premise is not None]
        self.seen: set[str] = set()

    def observe(self, s: tuple) -> None:
        if len(self.seen) == len(self.premises):
            return
        for name, prem in self.premises:
            if name not in self.seen:
                try:
                    if prem(s):
                        self.seen.add(name)
                except EvalError:
                    self.seen.add(name)

    def vacuous(self, complete: bool) -> tuple[str, ...]:
        """Only a complete search knows that a premise never holds."""
        if not complete:
            return ()
        return tuple(name for name, _ in self.premises if name not in self.seen)


def stop_checker(start: float, *, max_states: int | None, timeout: float | None, stop=None,
                 progress=None, since: float | None = None):
    """The per-state check every engine makes after expanding a state: why the search must
    stop now ("" to go on: a state bound, the timeout, or `stop()` saying Ctrl-C was pressed),
    reporting progress every 0.5 s once the run has taken 2 s. The timeout counts from `since`
    (the start of the whole run, loading included) if given, else from `start`."""
    next_report = start + 2.0
    timeout_from = start if since is None else since

    def why_stop(states: int, transitions: int, depth: int) -> str:
        nonlocal next_report
        if max_states is not None and states >= max_states:
            return f"state bound {max_states} reached"
        if stop is not None and stop():
            return INTERRUPTED
        if timeout is None and progress is None:
            return ""
        now = time.perf_counter()
        if timeout is not None and now - timeout_from >= timeout:
            return f"timeout of {timeout:g} s reached"
        if progress is not None and now >= next_report:
            next_report = now + 0.5
            progress(states, transitions, depth, now - start)
        return ""

    return why_stop


@contextmanager
def collector_paused():
    """Millions of state tuples make the cyclic garbage collector rescan memory that holds no
    cycles at all; pause it for a search (about 10% faster) and restore it afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def broken_invariants(invariants: list, s: tuple, skip: set | tuple = ()):
    """(name, error) of each invariant in `invariants` ((name, holds) pairs, except those named
    in `skip`) that s breaks; the error is set when it could not be evaluated at all."""
    for name, holds in invariants:
        if name in skip:
            continue
        try:
            ok, err = holds(s), None
        except EvalError as e:
            ok, err = False, e
        if not ok:
            yield name, err


def invariant_failure(name: str, err: EvalError | None, path: tuple, seconds: float) -> Violation:
    """An invariant that is false in a state, or (err) cannot be evaluated there."""
    if err is None:
        return Violation(INVARIANT, name, "invariant violated", path, seconds=seconds)
    return Violation(RUNTIME, name, f"{err.message} (at {err.span})", path, None, err.span,
                     seconds=seconds)


def transition_failure(system: System, err: tuple, path: tuple, seconds: float,
                       spans: tuple | None = None) -> Violation:
    """A failure the generated code reported while running a transition:
    (transition id, instance, slot, message, kind name, span id, text); the span id indexes
    `spans` (the span table of the code that ran: default the system's)."""
    kind = kind_named(err[4])
    return Violation(kind, kind.name, err[6], path, (err[0], err[1], err[2], err[3]),
                     (system.spans if spans is None else spans)[err[5]], seconds=seconds)


def evaluation_failure(err: EvalError, path: tuple, seconds: float) -> Violation:
    """An expression outside any transition's own checks could not be evaluated."""
    return Violation(RUNTIME, RUNTIME.name, err.message, path, None, err.span, seconds=seconds)


def deadlock_failure(path: tuple, seconds: float) -> Violation:
    return Violation(DEADLOCK, DEADLOCK.name, DEADLOCK_MESSAGE, path, seconds=seconds)


class Findings:
    """The violations of an explicit search, at most one (the first found) per property."""

    def __init__(self, system: System, tree: Tree, start: float, deadlock: bool):
        self.system = system
        self.tree = tree
        self.start = start
        self.deadlock = deadlock
        self.invariants = [(ci.invariant.name, ci.holds) for ci in system.invariants]
        self.premises = Premises(system)
        self.violated: set[str] = set()
        self.violations: list[Violation] = []
        self.checks_states = bool(system.invariants)

    def _add(self, v: Violation) -> None:
        self.violated.add(v.property)
        self.violations.append(v)

    def _now(self) -> float:
        return time.perf_counter() - self.start

    def check_state(self, s: tuple, idx: int) -> None:
        for name, err in broken_invariants(self.invariants, s, self.violated):
            self._add(invariant_failure(name, err, self.tree.path(idx), self._now()))
        self.premises.observe(s)

    def expand(self, s: tuple, idx: int, fired: list[int], info: list | None = None) -> list:
        """The successors of s (the tree's state idx), recording what fails on the way; with
        `info`, each successor's label (transition id, instance, slot, message) goes there."""
        out: list = []
        errs: list = []
        try:
            if info is None:
                self.system.successors(s, out, errs, fired)
            else:
                self.system.successors_traced(s, out, errs, fired, info)
        except EvalError as err:
            if RUNTIME.name not in self.violated:
                self._add(evaluation_failure(err, self.tree.path(idx), self._now()))
            return []
        for err in errs:  # the first failure of each kind: a state may break several
            if err[4] not in self.violated:
                self._add(transition_failure(self.system, err, self.tree.path(idx),
                                              self._now()))
        if not errs and self.deadlock and DEADLOCK.name not in self.violated \
                and not any_step(self.system, s, out) and not self.system.all_final(s):
            self._add(deadlock_failure(self.tree.path(idx), self._now()))
        return out



def refuse_faults(system: System) -> None:
    """For the engines that cut the successor function into groups: a system with faults is
    the fewest-faults search's (`System.has_faults`)."""
    if system.has_faults:
        raise ValueError("this engine does not handle faults: use checker.engines.fewest")


def any_step(system: System, s: tuple, out: list) -> bool:
    """Whether some successor of s is not a fault: a state where only faults can happen is a
    deadlock all the same (a fault is not the protocol making progress)."""
    total = system.layout.fault_total
    if total is None:
        return bool(out)
    return any(t[total] == s[total] for t in out)


class Discard(list):
    """A `fired` argument that counts nothing: for running a transition group, or the
    successor function, where the caller counts firings itself (or needs no count)."""

    def __getitem__(self, i):
        return 0

    def __setitem__(self, i, v):
        pass


class Explicit:
    """What the explicit searches (BFS, DFS) share: the tree of states found, the findings,
    how often each transition fired and when to stop; `result` says where a search ended."""

    def __init__(self, system: System, limits: Limits):
        self.limits = limits
        self.start = time.perf_counter()
        self.fired = [0] * len(system.transitions)
        self.tree = Tree(system.initial)
        self.found = Findings(system, self.tree, self.start, limits.deadlock)
        self.why_stop = stop_checker(self.start, max_states=limits.max_states,
                                     timeout=limits.timeout, stop=limits.stop,
                                     progress=limits.progress, since=limits.since)
        self.found.check_state(system.initial, 0)

    def result(self, transitions: int, deepest: int, limit: str, pending: bool) -> Result:
        """`pending`: states were left to expand (or Ctrl-C cut the search)."""
        seconds = time.perf_counter() - self.start
        found = self.found
        complete = not limit and not (found.violations and self.limits.stop_at_first and pending)
        return Result(verdict_of(found.violations, limit), tuple(found.violations),
                      Stats(len(self.tree.states), transitions, deepest, seconds), complete,
                      limit, tuple(self.fired), found.premises.vacuous(complete))


def settled_limit(limit: str, pending: bool) -> str:
    """Why a search stopped, as reported: a bound (other than depth) reached exactly as the
    last state was expanded did not cut anything."""
    if limit and not pending and not limit.startswith("depth"):
        return ""
    return limit


def verdict_of(violations: list | tuple, limit: str, undecided: list | tuple = ()) -> str:
    """VIOLATED, else INCONCLUSIVE when the search stopped early or a property could not be
    decided (`undecided`), else HOLDS."""
    if violations:
        return VIOLATED
    return INCONCLUSIVE if limit or undecided else HOLDS


def path_to(states: list, parent: list, idx: int) -> tuple[tuple, ...]:
    out = []
    while idx >= 0:
        out.append(states[idx])
        idx = parent[idx]
    return tuple(reversed(out))
