"""The typed results of a run: what every front door (CLI, pytest plugin, benches, tests, a
user's script) gets back from `checker.run`, and what every renderer takes.

A `Report` says, for one spec: the verdict and whether it matches the spec's `expect`, the
outcome of each property (holds, violated, or not fully checked and why), each violation with
its replayed trace, statistics, coverage and vacuity. A `SynthesisReport` is the same for
`synthesize`: the param region where every property holds. Exit codes are decided here, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker import ir
from checker.compile import System, Transition
from checker.diagnostics import Diagnostic
from checker.engines.common import INTERRUPTED
from checker.engines.result import Stats, Violation
from checker.exitcodes import (  # noqa: F401 - re-exported: report users read them here
    EXIT_INCONCLUSIVE,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_MISMATCH,
    EXIT_OK,
)
from checker.properties import (
    ALWAYS_CHECKED,
    BROKEN,
    DEADLOCK,
    HOLDS,
    INCONCLUSIVE,
    INVARIANT,
    LIVENESS,
    NOT_CHECKED,
    PROVED,
    VIOLATED,
    PropertyKind,
    Status,
)
from checker.record import record
from checker.source import Span
from checker.trace import Trace

if TYPE_CHECKING:  # the simulation engine loads only for `simulate`
    from checker.engines.simulate import Simulation


@record
class Property:
    """One property a check decides: a declared invariant, deadlock freedom, or a built-in."""

    name: str
    kind: PropertyKind
    description: str
    span: Span | None  # where it is declared (None for built-ins)
    invariant: ir.Invariant | None = None
    liveness: ir.Liveness | None = None


@record
class Outcome:
    property: Property
    status: Status  # PROVED, BROKEN or NOT_CHECKED
    reason: str  # NOT_CHECKED: why the search did not decide it
    seconds: float  # into the search when it was decided (the whole search for PROVED)


@record
class Counterexample:
    property: Property
    violation: Violation
    trace: Trace


@record
class SolverUse:
    """How much of a timed run went to Z3, and to the polyhedra library."""

    calls: int
    seconds: float
    polyhedra_seconds: float = 0.0


@record
class Report:
    spec_path: str
    config: ir.CheckConfig
    expect_span: Span  # the spec's `expect` line (or the spec itself)
    model: ir.Model
    system: System
    engine: str  # "bfs", "dfs" or "timed"
    verdict: str  # one of checker.properties.VERDICTS
    outcomes: tuple[Outcome, ...]
    counterexamples: tuple[Counterexample, ...]
    stats: Stats
    complete: bool  # the whole reachable state space was explored
    limit: str  # why the search stopped early ("" if it did not)
    fired: tuple[int, ...]  # per transition id: how often it fired
    vacuous: tuple[str, ...]  # implication invariants whose premise never held
    notes: tuple[tuple[str, str], ...]  # (property, note): liveness, on what fairness it needs
    warnings: tuple[Diagnostic, ...]
    seconds: float  # the whole check: loading, search and traces
    solver: SolverUse | None = None  # timed runs

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def interrupted(self) -> bool:
        return self.limit == INTERRUPTED

    @property
    def matches(self) -> bool:
        return self.verdict != INCONCLUSIVE and self.verdict == self.config.expect

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.verdict == INCONCLUSIVE:
            return EXIT_INCONCLUSIVE
        return EXIT_OK if self.matches else EXIT_MISMATCH

    @property
    def violations(self) -> tuple[Violation, ...]:
        return tuple(c.violation for c in self.counterexamples)

    @property
    def never_fired(self) -> tuple[Transition, ...]:
        """Handlers and steps that never fired (only known after a complete search)."""
        if not self.complete or self.stats.reduction:  # a reduced search skips states
            return ()
        return tuple(t for t in self.system.transitions if self.fired[t.id] == 0)


@record
class SimulationReport:
    """What `simulate` found for one spec: a counterexample (at most one: the first run that
    breaks a property, shrunk), or none, which proves nothing. The verdict is VIOLATED or
    INCONCLUSIVE, never HOLDS."""

    spec_path: str
    config: ir.CheckConfig
    expect_span: Span
    model: ir.Model
    system: System
    verdict: str  # VIOLATED or INCONCLUSIVE
    outcomes: tuple[Outcome, ...]
    counterexamples: tuple[Counterexample, ...]
    simulation: Simulation
    seed: int
    depth: int
    runs_asked: int | None  # None: as many as the time budget allowed
    time_budget: float | None
    only_run: int | None  # made only this run (a reproduction)
    roots: tuple[str, ...]  # --allow-root folders: a reproduction needs them too
    partly: tuple[tuple[str, str], ...]  # (property, what simulation checks of it)
    warnings: tuple[Diagnostic, ...]
    seconds: float  # loading, simulating, shrinking and the trace

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def interrupted(self) -> bool:
        return self.simulation.limit == INTERRUPTED

    @property
    def matches(self) -> bool:
        """A violation was found and the spec expects one (no violation found matches
        nothing: it is not a verdict)."""
        return self.verdict == VIOLATED and self.config.expect == VIOLATED

    @property
    def exit_code(self) -> int:
        """0 when what was found agrees with `expect` (a violation it expects; none, where it
        expects `holds`: nothing contradicts it, though nothing is proved); 1 for a violation
        of a spec that expects `holds`; 3 when the violation a spec expects was not found."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.verdict == VIOLATED:
            return EXIT_OK if self.matches else EXIT_MISMATCH
        return EXIT_OK if self.config.expect == HOLDS else EXIT_INCONCLUSIVE

    @property
    def fired(self) -> tuple[int, ...]:
        return self.simulation.fired

    @property
    def never_fired(self) -> tuple[Transition, ...]:
        """Handlers and steps no run took (they may still be reachable)."""
        return tuple(t for t in self.system.transitions if self.fired[t.id] == 0)

    @property
    def reproduce(self) -> tuple[str, ...]:
        """The command line that makes the violating run again (the runs are deterministic:
        the seed and the run's index decide it); () without a violation."""
        run = self.simulation.run
        if run is None:
            return ()
        roots = tuple(x for root in self.roots for x in ("--allow-root", root))
        return ("protocheck", "simulate", self.spec_path, *roots, "--seed", str(self.seed),
                "--depth", str(self.depth), "--run", str(run))


@record
class SynthesisReport:
    spec_path: str
    config: ir.CheckConfig
    model: ir.Model
    safe: str  # the region where every property holds: "true", "false" or a formula
    safe_formula: object  # the same region as a Z3 formula over the free params
    verdict: str  # "holds for all" | "violated for all" | "holds iff"
    violated: tuple[tuple[str, str], ...]  # property -> where it is violated
    complete: bool
    limit: str
    stats: Stats
    solver: SolverUse
    seconds: float  # exploration plus simplifying the regions

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def interrupted(self) -> bool:
        return self.limit == INTERRUPTED

    @property
    def free_params(self) -> tuple[ir.Param, ...]:
        """The params the region is about: those the spec does not fix."""
        fixed = dict(self.model.fixed_params)
        return tuple(p for p in self.model.params if p.name not in fixed)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_OK if self.complete else EXIT_INCONCLUSIVE


def properties_of(config: ir.CheckConfig) -> tuple[Property, ...]:
    """Every property a check of this spec decides, declared ones first, in spec order."""
    out = [Property(inv.name, INVARIANT, inv.description, inv.span, inv)
           for inv in config.invariants]
    out += [Property(live.name, LIVENESS, live.description, live.span, liveness=live)
            for live in config.liveness]
    if config.deadlock:
        out.append(Property(DEADLOCK.name, DEADLOCK, DEADLOCK.description, None))
    out += [Property(k.name, k, k.description, None) for k in ALWAYS_CHECKED]
    return tuple(out)


def outcomes_of(properties: tuple[Property, ...], violations: tuple[Violation, ...], *,
                complete: bool, limit: str, seconds: float,
                undecided: tuple[tuple[str, str], ...] = ()) -> tuple[Outcome, ...]:
    """Each property's outcome. A property with no violation is proved only by a complete
    search, and only if the search could decide it (`undecided`: why not); otherwise the
    reason says what stopped the search first."""
    why_not = dict(undecided)
    first = {}
    for v in violations:
        first.setdefault(v.property, v)
    if limit:
        why = limit
    elif violations:
        why = (f"the search stopped at the first violation ({violations[0].property}); "
               "use --all-violations to check every property")
    else:
        why = ""
    out = []
    for p in properties:
        if p.name in first:
            out.append(Outcome(p, BROKEN, "", first[p.name].seconds))
        elif p.name in why_not:
            out.append(Outcome(p, NOT_CHECKED, why_not[p.name], 0.0))
        elif complete:
            out.append(Outcome(p, PROVED, "", seconds))
        else:
            out.append(Outcome(p, NOT_CHECKED, why, 0.0))
    return tuple(out)
