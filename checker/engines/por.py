"""Partial-order reduction (opt-in, `protocheck check --por`): a breadth-first search that
expands, in each state, a stubborn set of transition groups (`checker.groups`) instead of all
of them, and shortens each counterexample it finds afterwards.

Two groups are independent when neither writes a slot the other reads (footprints, over-
approximated by `checker.groups`): in any state where both are enabled, each leaves the
other's enabledness and effect alone, and the two orders reach the same state. In a state s,
the stubborn set grows from one enabled group: an enabled member brings in every group
dependent on it; a disabled member brings in the groups that could enable it (those that
write its control state, if that is what disables it, else every group writing a slot it
reads). Its enabled members are expanded (the smallest such set over all seeds), unless

* one of them is visible: it writes a slot that an invariant or an implication's premise
  reads, or that a group which can fail (assert, range check, instance index, division)
  reads, so that no state where an invariant breaks, a premise holds or a group fails can
  be skipped; or
* one of its successors is a state already found (the BFS cycle proviso: every cycle of the
  reduced graph then has a fully expanded state, so no group is postponed forever);

then s is fully expanded. Deadlocks are kept by stubborn sets themselves. These are the
conditions C0-C3 of Clarke, Grumberg and Peled (Model Checking, ch. 10), with Valmari's
stubborn sets for C1: every invariant, assert, range, runtime and deadlock violation of the
full graph is found in the reduced one, and a HOLDS is a HOLDS.

Every group is still run in every state the search keeps (to know which are enabled), so
every failure of a kept state is seen. What the reduction loses is the shortest trace (the
BFS is shortest in the reduced graph only) and which handlers fire: so each counterexample
is re-shortened by a BFS over only the groups its trace uses, then checked against a plain
BFS bounded by its new length (while that stays within a budget); a trace the plain BFS
could not confirm says so (`Violation.shortest`). Coverage is not reported (see
`checker.report.Report.never_fired`).
"""

from __future__ import annotations

import itertools
import time

from checker import ir
from checker.compile import EvalError, System
from checker.engines import bfs
from checker.engines.common import (
    Discard,
    Explicit,
    Limits,
    collector_paused,
    deadlock_failure,
    evaluation_failure,
    invariant_failure,
    refuse_faults,
    transition_failure,
)
from checker.engines.result import Result, Stats, Violation
from checker.groups import Group, compile_groups, constant_writes
from checker.properties import DEADLOCK, RUNTIME
from checker.record import record

REDUCTION = "partial order"  # Stats.reduction of a reduced search
# The plain BFS that confirms a re-shortened trace stops past this many states; the BFS over
# a trace's own groups past FOCUS_BUDGET (the reduced search's trace is kept then).
CONFIRM_BUDGET = 200_000
FOCUS_BUDGET = 2_000_000


@record
class Relations:
    """Per group, as bit masks over groups: what depends on it, what can enable it."""

    dependent: tuple[int, ...]  # groups that read what it writes or write what it reads
    enable_ctrl: tuple[int, ...]  # groups that write its control-state slot
    enable_any: tuple[int, ...]  # groups that write a slot it reads
    visible: int  # groups writing a slot an invariant, a premise or a failing group reads


def relations(system: System, groups: tuple[Group, ...], watched: tuple) -> Relations:
    """`watched`: the conjuncts of the invariants and the premises (checker.groups)."""
    reads = [set(g.footprint) for g in groups]
    writes = [set(g.writes) for g in groups]
    failing: set[int] = set()
    for g, r in zip(groups, reads, strict=True):
        if g.may_fail:
            failing |= r
    effects = constant_writes(system)
    domains = _domains(system)
    n = len(groups)

    def visible(h: int) -> bool:
        if writes[h] & failing:
            return True
        return any(writes[h] & set(p.footprint)
                   and not _invisible(system, groups[h], effects[h], p, domains)
                   for p in watched)

    def mask(pred) -> int:
        return sum(1 << h for h in range(n) if pred(h))

    dependent = tuple(mask(lambda h, i=i: bool(writes[i] & reads[h] or writes[h] & reads[i]))
                      for i in range(n))
    enable_ctrl = tuple(mask(lambda h, i=i: groups[i].ctrl in writes[h]) for i in range(n))
    enable_any = tuple(mask(lambda h, i=i: bool(writes[h] & reads[i])) for i in range(n))
    visible = mask(visible)
    return Relations(dependent, enable_ctrl, enable_any, visible)


MAX_CASES = 4096  # states (of a predicate's slots) enumerated to prove a group invisible


def _domains(system: System) -> dict[int, tuple]:
    """The values each enumerable slot can hold: control states, booleans, small ranges."""
    lay, model = system.layout, system.model
    out: dict[int, tuple] = {}

    def values(t) -> tuple | None:
        if isinstance(t, ir.BoolT):
            return (False, True)
        if isinstance(t, ir.IntT) and t.lo is not None and t.hi - t.lo < 64:
            return tuple(range(t.lo, t.hi + 1))
        return None

    for a in model.actors:
        for k in range(a.count):
            out[lay.ctrl[a.name] + k] = tuple(range(len(a.states)))
            for v in a.vars:
                vals = values(v.type)
                if vals is not None:
                    out[lay.vars[(a.name, v.name)] + k] = vals
    for v in model.shared:
        vals = values(v.type)
        if vals is not None:
            out[lay.shared[v.name]] = vals
    return out


def _truth(holds, s: tuple) -> object:
    try:
        return bool(holds(s))
    except EvalError:
        return "error"


def _invisible(system: System, g: Group, effects: dict, p, domains: dict) -> bool:
    """Whether firing g can never change the value of predicate p (a conjunct or premise):
    proved by trying every value of p's slots in which g can be enabled, against every
    combination of the constants g may write to them (or leaving them alone)."""
    slots = list(p.footprint)
    ranges = []
    for slot in slots:
        vals = domains.get(slot)
        if vals is None:
            return False
        if slot == g.ctrl and g.states:
            vals = tuple(v for v in vals if v in g.states)
        ranges.append(vals)
    written = [i for i, slot in enumerate(slots) if slot in g.writes]
    options = []
    for i in written:
        consts = effects.get(slots[i])
        if consts is None:
            return False
        options.append((None, *sorted(consts, key=repr)))  # None: left alone
    cases = 1
    for r in ranges:
        cases *= len(r)
    for o in options:
        cases *= len(o)
    if cases > MAX_CASES:
        return False
    base = list(system.initial)
    for combo in itertools.product(*ranges):
        for slot, v in zip(slots, combo, strict=True):
            base[slot] = v
        before = _truth(p.holds, tuple(base))
        for choice in itertools.product(*options):
            after = list(base)
            for i, v in zip(written, choice, strict=True):
                if v is not None:
                    after[slots[i]] = v
            if _truth(p.holds, tuple(after)) != before:
                return False
    return True


def _bits(x: int):
    while x:
        low = x & -x
        yield low.bit_length() - 1
        x ^= low


class _Reducer:
    def __init__(self, system: System, limits: Limits):
        self.system, self.limits = system, limits
        compiled = compile_groups(system)
        self.groups = compiled.groups
        self.spans = compiled.spans
        self.rel = relations(system, self.groups, compiled.conjuncts + compiled.disjuncts)
        self.cache: dict[tuple[int, int], int] = {}
        self.discard = Discard()

    def outcomes(self, s: tuple) -> tuple[list[list], list]:
        """Every group's successors of s, and the failures they report (raises EvalError)."""
        errs: list = []
        outs = []
        for g in self.groups:
            out: list = []
            g.run(s, out, errs, self.discard)
            outs.append(out)
        return outs, errs

    def stubborn(self, s: tuple, enabled: int) -> int:
        """The enabled groups of the smallest invisible stubborn set, or `enabled` if none."""
        groups, rel = self.groups, self.rel
        by_ctrl = 0  # disabled groups whose control state disables them
        for i, g in enumerate(groups):
            if not enabled >> i & 1 and g.states and s[g.ctrl] not in g.states:
                by_ctrl |= 1 << i
        key = (enabled, by_ctrl)
        got = self.cache.get(key)
        if got is not None:
            return got
        best = enabled
        for seed in _bits(enabled):
            found, work = 1 << seed, [seed]
            while work:
                t = work.pop()
                if enabled >> t & 1:
                    more = rel.dependent[t]
                elif by_ctrl >> t & 1:
                    more = rel.enable_ctrl[t]
                else:
                    more = rel.enable_any[t]
                new = more & ~found
                if new:
                    found |= new
                    work.extend(_bits(new))
            ample = found & enabled
            if ample & rel.visible and ample != enabled:
                continue
            if (ample).bit_count() < (best).bit_count():
                best = ample
                if ample & (ample - 1) == 0:
                    break
        self.cache[key] = best
        return best


def search(system: System, limits: Limits | None = None) -> Result:
    refuse_faults(system)
    limits = limits or Limits()
    with collector_paused():
        run = Explicit(system, limits)
        reducer = _Reducer(system, limits)
        result = bfs._search(run, expand=lambda s, idx, fired: _expand(run, reducer, s, idx,
                                                                         fired))
    violations = tuple(_shortened(system, reducer, v, limits) for v in result.violations)
    stats = Stats(result.stats.states, result.stats.transitions, result.stats.depth,
                  time.perf_counter() - run.start, reduction=REDUCTION)
    return Result(result.verdict, violations, stats, result.complete, result.limit,
                  result.fired, result.vacuous)


def _expand(run: Explicit, reducer: _Reducer, s: tuple, idx: int, fired: list[int]) -> list:
    """The successors of s that the reduced search takes, in the order the plain search
    generates them, counted in `fired`; failures of s are recorded as the plain search
    records them (Findings.expand)."""
    found = run.found
    try:
        outs, errs = reducer.outcomes(s)
    except EvalError as err:
        if RUNTIME.name not in found.violated:
            found._add(evaluation_failure(err, run.tree.path(idx), found._now()))
        return []
    for err in errs:
        if err[4] not in found.violated:
            found._add(transition_failure(run.found.system, err, run.tree.path(idx),
                                          found._now(), reducer.spans))
    enabled = sum(1 << i for i, o in enumerate(outs) if o)
    if not enabled:
        if not errs and found.deadlock and DEADLOCK.name not in found.violated \
                and not found.system.all_final(s):
            found._add(deadlock_failure(run.tree.path(idx), found._now()))
        return []
    ample = reducer.stubborn(s, enabled)
    if ample != enabled and any(t in run.tree.visited for i in _bits(ample) for t in outs[i]):
        ample = enabled
    taken = []
    for i in _bits(ample):
        fired[reducer.groups[i].tid] += len(outs[i])
        taken += outs[i]
    return taken


# ---------------------------------------------------------------------- shorter traces
def violation_at(system: System, v: Violation, s: tuple, path) -> Violation | None:
    """The violation of v's property in state s, if s has it; `path()`: the run to s."""
    for ci in system.invariants:
        if ci.invariant.name == v.property:
            try:
                ok, err = ci.holds(s), None
            except EvalError as e:
                ok, err = False, e
            return None if ok else invariant_failure(v.property, err, path(), v.seconds)
    out: list = []
    errs: list = []
    try:
        system.successors(s, out, errs, Discard())
    except EvalError as err:
        return (evaluation_failure(err, path(), v.seconds) if v.property == RUNTIME.name
                else None)
    if v.property == DEADLOCK.name:
        if not out and not errs and not system.all_final(s):
            return deadlock_failure(path(), v.seconds)
        return None
    for err in errs:
        if err[4] == v.property:
            return transition_failure(system, err, path(), v.seconds)
    return None


def _used(reducer: _Reducer, path: tuple) -> int:
    """The groups that take each step of `path`, and those that can fail in its last state."""
    used = 0
    for a, b in itertools.pairwise(path):
        for i, g in enumerate(reducer.groups):
            out: list = []
            try:
                g.run(a, out, [], reducer.discard)
            except EvalError:
                continue
            if b in out:
                used |= 1 << i
                break
    for i, g in enumerate(reducer.groups):
        if g.may_fail:
            used |= 1 << i
    return used


def _bfs_to(system: System, reducer: _Reducer, v: Violation, groups: int | None,
            below: int, budget: int | None) -> tuple[Violation | None, bool]:
    """A shortest run, over the groups `groups` (None: all), to a state with v's violation,
    of fewer than `below` states; and whether the search was complete (not over budget)."""
    start = system.initial
    parents = {start: None}
    level = [start]
    chosen = [i for i in range(len(reducer.groups)) if groups is None or groups >> i & 1]
    depth = 1
    while level and depth < below:
        nxt = []
        for s in level:
            try:
                outs, _ = reducer.outcomes(s)
            except EvalError:  # some group raises here: the state has no successors at all
                continue
            for i in chosen:
                for t in outs[i]:
                    if t in parents:
                        continue
                    parents[t] = s
                    hit = violation_at(system, v, t, lambda t=t: _path_to(parents, t))
                    if hit is not None:
                        return hit, True
                    nxt.append(t)
                    if budget is not None and len(parents) > budget:
                        return None, False
        level, depth = nxt, depth + 1
    return None, True


def _path_to(parents: dict, t: tuple) -> tuple:
    out = []
    while t is not None:
        out.append(t)
        t = parents[t]
    return tuple(reversed(out))


def _shortened(system: System, reducer: _Reducer, v: Violation, limits: Limits) -> Violation:
    """v with a trace as short as the reduction allows finding, and whether it is shortest."""
    best = v
    if len(v.path) > 1:
        again, _ = _bfs_to(system, reducer, v, _used(reducer, v.path), len(v.path),
                           FOCUS_BUDGET)
        if again is not None:
            best = again
    if len(best.path) <= 1:
        return best
    plain, complete = _bfs_to(system, reducer, v, None, len(best.path), CONFIRM_BUDGET)
    if plain is not None:
        return plain
    return best if complete else Violation(
        best.kind, best.property, best.message, best.path, best.failing, best.span,
        best.labels, best.region, best.witness, best.seconds, shortest=False)
