"""Random simulation (`protocheck simulate`, docs/simulate.md): random walks over the compiled
transition system, for models too large to explore exhaustively.

A run starts in the initial state and, at each step, takes one transition: an (instance,
handler or step) is chosen uniformly among those that can fire, then one of its successors
(its `choose`/`pick` alternatives, the messages it may take) uniformly. Faults are transitions
like any other, within the spec's budgets (the budgets are counters in the state). A run ends
after `depth` steps, where nothing can happen any more, or at its first violation.

Every state a run visits is checked for every property the spec states, with the constructors
the exhaustive engines use (`checker.engines.common`): invariants (and an invariant that cannot
be evaluated), failures inside the transitions the state enables (assert, range, runtime),
deadlock. Liveness: a run that stops (nothing but faults can happen in its last state) is a
maximal run, and it breaks `eventually P`, `always eventually P`, `eventually always P` or
`P leads_to Q` exactly as the liveness engine's "then nothing more happens" lassos do; that
is what simulation checks of them. A violation that needs a cycle repeating forever is not
looked for, and no property is ever reported to hold.

A violating run is **shrunk**: its steps are removed (halves, quarters, ..., single steps) and
swapped (towards a fixed order of transitions) while the run, replayed through the transition
system, still breaks the same property; untimed, a breadth-first search over only the (instance,
transition) pairs the shrunk run uses, in order of (faults, steps) as `checker.engines.fewest`,
then finds the shortest run over them; and a plain search of every transition, bounded by that
length and by CONFIRM_BUDGET states, says whether none shorter exists (`Violation.shortest`).
The replay is the only judge: the trace reported is a real run of the model.

The walker (`Walker`) is the untimed semantics; `checker.symbolic.simulate` is the timed one,
with random parameter points and delays, and Z3 to confirm what a run found.

Determinism: run k draws from `random.Random` seeded with a text naming the seed and k (seeded
through SHA-512: the same draws on every platform and Python 3 version), so which runs are made
and which of them fails first depend only on the seed and the input. A time budget decides how
many runs are made, never what a run does: a run it cuts short is not counted.
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Callable
from dataclasses import replace

from checker.compile import CompiledLiveness, EvalError, System
from checker.engines.common import (
    INTERRUPTED,
    Discard,
    any_step,
    collector_paused,
    deadlock_failure,
    evaluation_failure,
    invariant_failure,
    transition_failure,
)
from checker.engines.liveness import RESTS, RESTS_AFTER_FAULTS, violation_message
from checker.engines.result import Lasso, Violation
from checker.properties import (
    DEADLOCK,
    INVARIANT,
    LIVENESS,
    RUNTIME,
    PropertyKind,
    kind_named,
)
from checker.record import record
from checker.temporal import EVENTUALLY, LEADS_TO, RECURRENCE

DEFAULT_DEPTH = 100  # steps per run (TLC's -simulate default), unless the spec bounds depth
DEFAULT_RUNS = 1000  # runs, unless a count or a time budget is given
# The breadth-first search over the transitions a shrunk run uses stops past this many states
# (the shrunk run is kept then); the plain one that confirms none is shorter, past the second.
FOCUS_BUDGET = 50_000
CONFIRM_BUDGET = 100_000
POLL_EVERY = 64  # steps between looks at the clock and at stop()


@record
class Plan:
    """What to simulate: which runs, how long each, when to stop."""

    seed: int = 0
    depth: int = DEFAULT_DEPTH
    runs: int | None = DEFAULT_RUNS  # None: as many as the time budget allows
    first: int = 0  # the index of the first run (to make one run again: first=k, runs=1)
    time_budget: float | None = None  # seconds, counted from `since`
    since: float | None = None  # time.perf_counter() when the simulation began (else: now)
    deadlock: bool = True
    stop: Callable[[], bool] | None = None  # polled between steps: True stops (Ctrl-C)


@record
class Move:
    """One step of a run, as a replay finds it again: the transition's label (id, instance,
    channel slot, message) and which of the successors with that label (choose/pick)."""

    label: tuple
    alt: int


@record
class Target:
    """The property a run breaks, which shrinking must keep broken: an invariant or liveness
    property by name (also when it cannot be evaluated), or a built-in kind."""

    kind: PropertyKind
    name: str


@record
class Shrink:
    """How a violating run became the trace reported, in steps at each stage."""

    raw: int  # the run up to its violation
    removed: int  # after removing and swapping steps
    focused: int | None  # after the search over the transitions it uses (None: not made)
    final: int  # reported (the confirming search's own trace, if it found a shorter one)
    shortest: bool  # a search of every transition found none shorter (fewer faults first)
    replaced: bool  # the confirming search found a shorter one, which is the one reported


@record
class Simulation:
    violation: Violation | None
    run: int | None  # the index of the run that found it
    runs: int  # runs made (the violating one included)
    steps: int  # transitions taken over all runs made
    fired: tuple[int, ...]  # per transition id: how often the runs made took it
    limit: str  # why fewer runs were made than asked for ("" if not)
    shrink: Shrink | None
    params: tuple[tuple[str, str], ...] = ()  # timed: the violating run's parameter point
    seconds: float = 0.0
    found_after: float | None = None  # seconds into the simulation when it found it


@record
class Spot:
    """Where a run is: a state and, per deadline-free liveness property, its mark (`Watch`)."""

    state: tuple
    marks: tuple = ()
    # What could not be evaluated on entering it (the timed walker: a deadline's P or Q in the
    # initial state, which the zone engine reports as a runtime violation there).
    error: EvalError | None = None


@record
class Look:
    """What can happen at a spot: the successors with their labels, the failures inside
    transitions, or the error that stopped the expansion."""

    out: tuple
    info: tuple
    errs: tuple
    error: EvalError | None


class Watch:
    """What each deadline-free liveness property needs to know of a run so far to tell whether
    the run, if it stops where it is, breaks it. A mark per property, the same for every run
    to the state (so a breadth-first search over (state, mark) finds the shortest such run):

    * `P leads_to Q`: whether a P is pending that Q has not answered since;
    * `eventually P`: whether P has held;
    * `always eventually P`, `eventually always P`: whether P holds in the last state;

    or the EvalError if P or Q cannot be evaluated in the last state (a runtime violation, as
    the liveness engine reports it). P and Q are evaluated in every state."""

    def __init__(self, props: tuple[CompiledLiveness, ...]):
        self.props = props

    def marks(self, before: tuple | None, s: tuple) -> tuple:
        """The marks after state s (`before`: the marks before it; None at the start)."""
        out = []
        for k, prop in enumerate(self.props):
            try:
                p = bool(prop.p(s))
                q = bool(prop.q(s)) if prop.q is not None else False
            except EvalError as err:
                out.append(err)
                continue
            old = before is not None and before[k] is True
            form = prop.liveness.form
            if form is LEADS_TO:
                out.append(not q and (old or p))
            elif form is EVENTUALLY:
                out.append(old or p)
            else:  # always eventually, eventually always: P now
                out.append(p)
        return tuple(out)

    def breaks(self, k: int, mark: bool) -> bool:
        """Whether a run with `mark` for property k breaks it by stopping where it is: a P
        is pending (leads_to), or P has not held / does not hold in the last state."""
        if self.props[k].liveness.form is LEADS_TO:
            return mark
        return not mark

    def trigger(self, k: int, path: tuple) -> int:
        """Where the violation's message says P held, on a run that breaks property k by
        stopping: the P that Q never answered (leads_to), the last state with P (always
        eventually), else -1."""
        prop = self.props[k]
        form = prop.liveness.form
        if form is LEADS_TO:
            since = next((i + 1 for i in range(len(path) - 1, -1, -1) if prop.q(path[i])), 0)
            return next(i for i in range(since, len(path)) if prop.p(path[i]))
        if form is RECURRENCE:
            return next((i for i in range(len(path) - 1, -1, -1) if prop.p(path[i])), -1)
        return -1


class Walker:
    """The untimed semantics of a run: spots, what can happen there, what a spot breaks, and
    replay. `checker.symbolic.simulate.TimedWalker` is the timed one."""

    exhaustible = True  # shortest runs can be searched for breadth-first over spots

    def __init__(self, system: System, deadlock: bool):
        self.system = system
        self.deadlock = deadlock
        self.invariants = [(ci.invariant.name, ci.holds) for ci in system.invariants]
        self.holds = dict(self.invariants)
        self.watch = Watch(self.watched(system))
        self.watch_index = {p.liveness.name: k for k, p in enumerate(self.watch.props)}

    @staticmethod
    def watched(system: System) -> tuple[CompiledLiveness, ...]:
        """The liveness properties a run that stops can break."""
        return system.liveness

    # ----------------------------------------------------------------- spots
    def begin(self, rng: random.Random | None) -> Spot:
        """The initial spot of a run (`rng`: its draws; None for a replay)."""
        s = self.system.initial
        return Spot(s, self.watch.marks(None, s))

    def look(self, spot: Spot) -> Look:
        out: list = []
        info: list = []
        errs: list = []
        try:
            self.system.successors_traced(spot.state, out, errs, Discard(), info)
        except EvalError as err:
            return Look((), (), (), err)
        return Look(tuple(out), tuple(info), tuple(errs), None)

    def options(self, spot: Spot, look: Look) -> list[list[int]]:
        """The successors a run may take, grouped by (transition, instance), in order."""
        groups: dict[tuple[int, int], list[int]] = {}
        for i, label in enumerate(look.info):
            groups.setdefault(label[:2], []).append(i)
        return list(groups.values())

    def follow(self, spot: Spot, look: Look, i: int) -> Spot | None:
        """The spot after taking successor i of `look` (a replay: no draws); None if it cannot
        be entered (the timed walker's observers)."""
        t = look.out[i]
        return Spot(t, self.watch.marks(spot.marks, t))

    def take(self, spot: Spot, look: Look, i: int, rng: random.Random) -> Spot:
        """As `follow`, in a run (the timed walker also draws the delay)."""
        return self.follow(spot, look, i)

    def point(self, spot: Spot) -> tuple[tuple[str, str], ...]:
        """The parameter point of a run (timed models; here none)."""
        return ()

    # ----------------------------------------------------------------- properties
    def rests(self, spot: Spot, look: Look) -> bool:
        """Whether a run may stay at the spot forever: nothing but faults can happen there."""
        return look.error is None and not look.errs and not any_step(
            self.system, spot.state, look.out)

    def broken(self, spot: Spot, look: Look) -> Target | None:
        """The first property the spot of a run breaks, in a fixed order (None: none)."""
        for target in self.targets(spot, look):
            if self.hits(spot, look, target):
                return target
        return None

    def targets(self, spot: Spot, look: Look):
        """The properties a spot may break, in the order a run reports them: the state's
        invariants, then what its expansion shows, then liveness where the run stops."""
        for name, _holds in self.invariants:
            yield Target(INVARIANT, name)
        if look.error is not None:
            yield Target(RUNTIME, RUNTIME.name)
        for err in look.errs:
            kind = kind_named(err[4])
            yield Target(kind, kind.name)
        if self.deadlock:
            yield Target(DEADLOCK, DEADLOCK.name)
        for prop in self.watch.props:
            yield Target(LIVENESS, prop.liveness.name)

    def hits(self, spot: Spot, look: Look, target: Target) -> bool:
        """Whether the spot breaks the target (a run that stops there, for liveness)."""
        s = spot.state
        kind = target.kind
        if kind is INVARIANT:
            try:
                return not self.holds[target.name](s)
            except EvalError:
                return True
        if kind is LIVENESS:
            k = self.watch_index[target.name]
            mark = spot.marks[k]
            return isinstance(mark, EvalError) or (
                self.rests(spot, look) and self.watch.breaks(k, mark))
        if kind is DEADLOCK:
            return self.deadlock and self.rests(spot, look) and not self.system.all_final(s)
        if kind is RUNTIME and look.error is not None:
            return True
        return any(err[4] == target.name for err in look.errs)

    def violation(self, spot: Spot, look: Look, target: Target, path: tuple,
                  labels: tuple) -> Violation:
        """The target's violation at the end of a run that `hits` it: its states and labels."""
        s = spot.state
        kind = target.kind
        if kind is INVARIANT:
            try:
                self.holds[target.name](s)
                err = None
            except EvalError as e:  # it cannot be evaluated: a runtime violation
                err = e
            v = invariant_failure(target.name, err, path, 0.0)
        elif kind is LIVENESS:
            k = self.watch_index[target.name]
            mark = spot.marks[k]
            if isinstance(mark, EvalError):
                v = Violation(RUNTIME, target.name, mark.message, path, None, mark.span)
            else:
                rest = RESTS_AFTER_FAULTS if look.out else RESTS
                v = Violation(LIVENESS, target.name,
                              violation_message(self.watch.props[k],
                                                self.watch.trigger(k, path)),
                              path, lasso=Lasso(len(path) - 1, True, (rest,)))
        elif kind is DEADLOCK:
            v = deadlock_failure(path, 0.0)
        elif kind is RUNTIME and look.error is not None:
            v = evaluation_failure(look.error, path, 0.0)
        else:
            err = next(err for err in look.errs if err[4] == target.name)
            v = transition_failure(self.system, err, path, 0.0)
        return replace(v, labels=labels)

    # ----------------------------------------------------------------- replay
    def replay(self, moves: list[Move], target: Target, lenient: bool = False
               ) -> tuple[list[Move], Spot, Look, tuple, tuple] | None:
        """Replay `moves` from the initial state, to the first spot that breaks the target:
        the moves taken to get there, the spot, what can happen there, and the run's states
        and labels; None if the target is not broken, or if a move cannot be taken where it
        comes (`lenient`: such a move is left out, and the replay goes on: so removing a send
        from a run also removes the handling of what it sent)."""
        spot = self.begin(None)
        path, labels, taken = [spot.state], [], []
        look = self.look(spot)
        for n in range(len(moves) + 1):
            if self.hits(spot, look, target) and self.in_time(spot, look, target, path,
                                                               labels):
                return taken, spot, look, tuple(path), tuple(labels)
            if n == len(moves):
                return None
            i = find(look, moves[n])
            nxt = None if i is None else self.follow(spot, look, i)
            if nxt is None:
                if lenient:
                    continue
                return None
            spot = nxt
            path.append(spot.state)
            labels.append(look.info[i])
            taken.append(moves[n])
            look = self.look(spot)
        return None

    def in_time(self, spot: Spot, look: Look, target: Target, path: list,
                labels: list) -> bool:
        """Whether time allows the run to reach the spot and break the target there (the
        timed walker asks Z3; untimed, always)."""
        return True

    def finish(self, moves: list[Move], target: Target) -> Violation:
        """The violation the moves end in, as reported (the timed walker adds a witness)."""
        found = self.replay(moves, target)
        assert found is not None, "a shrunk run no longer breaks its property"
        _moves, spot, look, path, labels = found
        return self.violation(spot, look, target, path, labels)


def find(look: Look, move: Move) -> int | None:
    """The successor of `look` that `move` takes, if there is one."""
    seen = 0
    for i, label in enumerate(look.info):
        if label == move.label:
            if seen == move.alt:
                return i
            seen += 1
    return None


def move_at(look: Look, i: int) -> Move:
    """Successor i of `look` as a move."""
    label = look.info[i]
    return Move(label, sum(1 for lab in look.info[:i] if lab == label))


def unchecked(system: System, timed: bool) -> tuple[tuple[str, str], ...]:
    """(property, what simulation checks of it) for those it checks only in part."""
    out = []
    for c in system.liveness:
        if timed and c.liveness.within is not None:
            continue  # a deadline: every spot of a run is checked for it
        where = ("where a run stops: nothing but faults can happen and no deadline is due"
                 if timed else "where a run stops: nothing but faults can happen")
        out.append((c.liveness.name, (f"checked only {where}; a violation that needs a "
                                      "cycle repeating forever is not looked for")))
    return tuple(out)


# ---------------------------------------------------------------------- the door

def simulate(walker: Walker, plan: Plan) -> Simulation:
    """Run random walks as `plan` says; shrink the first violation found."""
    start = time.perf_counter()
    since = start if plan.since is None else plan.since
    fired = [0] * len(walker.system.transitions)
    runs = steps = 0
    limit = ""

    def out_of_time() -> str:
        if plan.stop is not None and plan.stop():
            return INTERRUPTED
        if plan.time_budget is not None and time.perf_counter() - since >= plan.time_budget:
            return f"time budget of {plan.time_budget:g} s reached"
        return ""

    index = plan.first
    with collector_paused():
        try:
            while plan.runs is None or index < plan.first + plan.runs:
                limit = out_of_time()
                if limit:
                    break
                walked = _walk(walker, plan, index, out_of_time)
                if walked is None:  # cut short: not counted
                    limit = out_of_time()
                    break
                moves, target, taken, point = walked
                runs += 1
                steps += len(moves)
                for k, n in enumerate(taken):
                    fired[k] += n
                if target is not None:
                    found_after = time.perf_counter() - start
                    violation, shrink = _shrunk(walker, moves, target)
                    return Simulation(violation, index, runs, steps, tuple(fired), "", shrink,
                                      point, time.perf_counter() - start, found_after)
                index += 1
        except KeyboardInterrupt:  # Ctrl-C without the CLI's flag: stop, report what was done
            limit = INTERRUPTED
    return Simulation(None, None, runs, steps, tuple(fired), limit, None, (),
                      time.perf_counter() - start)


def _walk(walker: Walker, plan: Plan, index: int, out_of_time: Callable[[], str]):
    """Run `index`: (its moves, the property it breaks or None, how often it took each
    transition, its parameter point); None if the budget or stop() cut it short."""
    rng = random.Random(f"protocheck simulate: seed {plan.seed}, run {index}")
    spot = walker.begin(rng)
    moves: list[Move] = []
    taken = [0] * len(walker.system.transitions)
    for depth in range(plan.depth + 1):
        look = walker.look(spot)
        target = walker.broken(spot, look)
        if target is not None or depth == plan.depth:
            return moves, target, taken, walker.point(spot)
        groups = walker.options(spot, look)
        if not groups:
            break
        group = groups[rng.randrange(len(groups))]
        i = group[rng.randrange(len(group))]
        moves.append(move_at(look, i))
        taken[look.info[i][0]] += 1
        spot = walker.take(spot, look, i, rng)
        if depth % POLL_EVERY == POLL_EVERY - 1 and out_of_time():
            return None
    return moves, None, taken, walker.point(spot)


# ---------------------------------------------------------------------- shrinking

def _shrunk(walker: Walker, moves: list[Move], target: Target) -> tuple[Violation, Shrink]:
    """The violating run's moves, shrunk, and the violation they end in."""
    found = walker.replay(moves, target)
    # The walk and the replay are the same semantics: a run that does not replay is a bug.
    assert found is not None, "a violating run of the simulation does not replay"
    best = shrink(found[0], lambda m: _replayed(walker, m, target))
    removed = len(best)
    focused = None
    shortest = replaced = False
    if walker.exhaustible:
        allowed = {m.label[:2] for m in best}
        faster, _complete = shortest_run(walker, target, allowed, _key(walker, best),
                                         FOCUS_BUDGET)
        if faster is not None:
            best = faster
        focused = len(best)
        plain, complete = shortest_run(walker, target, None, _key(walker, best),
                                       CONFIRM_BUDGET)
        if plain is not None:
            best, replaced = plain, True
        shortest = plain is not None or complete
    shortest = shortest or not best  # nothing is shorter than no step at all
    violation = walker.finish(best, target)
    shrink_ = Shrink(len(moves), removed, focused, len(best), shortest, replaced)
    note = "" if shortest else (
        "shrunk by simulation: none shorter over the transitions it uses, but a shorter one "
        "over others may exist" if walker.exhaustible else
        "shrunk by simulation: a shorter one may exist")
    return replace(violation, shortest=shortest, shortness=note), shrink_


def _replayed(walker: Walker, moves: list[Move], target: Target) -> list[Move] | None:
    found = walker.replay(moves, target, lenient=True)
    return None if found is None else found[0]


def shrink(moves: list[Move], fails: Callable[[list[Move]], list[Move] | None]) -> list[Move]:
    """A shorter list of moves that still fails: `fails(moves)` is the moves (of those given,
    in order) that a replay takes to the violation, or None when it does not get there.
    Removes chunks of halving size, then swaps neighbours out of order, until neither helps.
    Every candidate is shorter, or as long with fewer pairs out of order: this ends."""
    best = moves
    changed = True
    while changed:
        changed = False
        size = max(1, len(best) // 2)
        while size >= 1:
            i = 0
            while i < len(best):
                got = fails(best[:i] + best[i + size:])
                if got is not None:
                    best, changed = got, True
                else:
                    i += size
            size //= 2
        for i in range(len(best) - 1):
            if _order(best[i + 1]) < _order(best[i]):
                got = fails(best[:i] + [best[i + 1], best[i]] + best[i + 2:])
                if got is not None:
                    best, changed = got, True
                    break
    return best


def _order(move: Move) -> tuple:
    """The order swaps move towards: transitions in declaration order, then instances."""
    return move.label[:2]


def _key(walker: Walker, moves: list[Move]) -> tuple[int, int]:
    """(faults, steps) of a run: what fewer-faults-then-fewer-steps compares."""
    spot = walker.begin(None)
    for m in moves:
        look = walker.look(spot)
        spot = walker.follow(spot, look, find(look, m))
    return walker.system.faults_of(spot.state), len(moves)


def shortest_run(walker: Walker, target: Target, allowed: set | None, below: tuple[int, int],
                 budget: int) -> tuple[list[Move] | None, bool]:
    """A run with fewer (faults, steps) than `below` that breaks the target, taking only the
    (transition, instance) pairs in `allowed` (None: any), found in order of (faults, steps);
    and whether the search was complete (not stopped by the budget of spots). A spot is its
    state and the target's liveness mark, if it is a liveness property."""
    system = walker.system
    k = next((k for k, p in enumerate(walker.watch.props) if p.liveness.name == target.name),
             None) if target.kind is LIVENESS else None

    def node(spot: Spot) -> tuple:
        return spot.state, (spot.marks[k] if k is not None else None)

    first = walker.begin(None)
    parents: dict[tuple, tuple | None] = {node(first): None}
    heap = [(system.faults_of(first.state), 0, 0, first)]
    count = 1
    while heap:
        faults, depth, _n, spot = heapq.heappop(heap)
        if (faults, depth) >= below:
            return None, True
        look = walker.look(spot)
        if walker.hits(spot, look, target):
            return _moves_to(parents, node(spot)), True
        for i, label in enumerate(look.info):
            if allowed is not None and label[:2] not in allowed:
                continue
            nxt = walker.follow(spot, look, i)
            key = node(nxt)
            if key in parents:
                continue
            parents[key] = (node(spot), move_at(look, i))
            if len(parents) > budget:
                return None, False
            count += 1
            heapq.heappush(heap, (system.faults_of(nxt.state), depth + 1, count, nxt))
    return None, True


def _moves_to(parents: dict, key: tuple) -> list[Move]:
    out = []
    while parents[key] is not None:
        key, move = parents[key]
        out.append(move)
    out.reverse()
    return out
