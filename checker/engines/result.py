"""What an engine returns: the violations it found, statistics, and coverage facts."""

from __future__ import annotations

from checker.properties import PropertyKind
from checker.record import record


@record
class Lasso:
    """How a liveness violation's run goes on forever: from `path[loop]` the steps to the end
    of the path repeat (the last state is `path[loop]` again), or, with `stutter`, nothing more
    happens after the last state (nothing is enabled there)."""

    loop: int
    stutter: bool
    # What fairness allows of the cycle, said per actor instance ("Node[1] never acts again").
    fairness: tuple[str, ...] = ()


@record
class Violation:
    kind: PropertyKind
    property: str  # the invariant's name, or the built-in kind's
    message: str
    path: tuple[tuple, ...]  # states from the initial state to the last one reached
    # For a failure inside a transition (assert/range/runtime): what was executing.
    failing: tuple | None = None  # (transition id, instance, slot, message) or None
    span: object = None  # where the failure is in the source
    # Timed models: the transition taken at each hop (so replay needs no search), the
    # parameter region where this violation is reachable (text), and a witness.
    labels: tuple | None = None
    region: str | None = None
    witness: object = None
    seconds: float = 0.0  # into the search when it was found
    # False: no shorter trace was found, but one may exist (partial-order reduction, when the
    # plain BFS that would tell ran past its budget: checker.engines.por).
    shortest: bool = True
    lasso: Lasso | None = None  # liveness: how the run goes on forever
    # With `shortest` False: what is known of the trace's length, for the reader ("": the
    # partial-order reduction's "none shorter over the transitions it uses").
    shortness: str = ""


@record
class Stats:
    states: int
    transitions: int
    depth: int
    seconds: float
    # Fingerprint storage (the level engine's, past its memory budget or when asked): TLC's
    # estimate of the probability that a fingerprint collision lost a state; None: exact.
    omission: float | None = None
    # Symmetry reduction: how many states the orbits explored stand for (the unreduced count,
    # for a complete search); None: no reduction.
    represented: int | None = None
    symmetry: tuple[str, ...] = ()  # the classes of interchangeable instances, as labels
    # A partitioned search (checker.engines.shards): how many shards, and where they ran
    # ("local" processes, or the Ray cluster's address); 1 and "": one process.
    workers: int = 1
    cluster: str = ""
    reduction: str = ""  # "partial order" (checker.engines.por), or "" for none
    # Liveness (checker.engines.graph): the edges kept, and the seconds of the SCC analysis.
    edges: int = 0
    liveness_seconds: float = 0.0

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else float(self.states)


@record
class Result:
    verdict: str  # one of checker.properties.VERDICTS
    violations: tuple[Violation, ...]
    stats: Stats
    complete: bool  # the whole reachable state space was explored
    limit: str  # why exploration stopped early ("" if it did not)
    fired: tuple[int, ...]  # per transition id, how many times it produced a successor
    vacuous: tuple[str, ...]  # implication-shaped invariants whose premise never held
    # (property, note): what a liveness verdict relies on ("also holds without fairness").
    notes: tuple[tuple[str, str], ...] = ()
    # (property, why): properties a complete search still could not decide.
    undecided: tuple[tuple[str, str], ...] = ()
