"""The one door to a verdict: `check` and `synthesize` a spec, get a typed report back.

The CLI, the pytest plugin, the benches and the tests all come through here, so a spec gets the
same verdict whichever way it is run. This module picks the engine (the timed engine for a
model with params, timers or time-bounded steps; BFS or DFS otherwise), applies the spec's
bounds and the caller's options, replays every violation into a trace, and decides each
property's outcome.

    from checker.run import CheckOptions, check
    report = check("specs/forwarding_task_buggy.spec", CheckOptions(max_states=100_000))
    print(report.verdict, report.matches, [c.property.name for c in report.counterexamples])

`simulate` makes random runs instead, for models too large to explore (docs/simulate.md): it
finds violations, never proves a property.

Bad input raises `checker.diagnostics.CheckError` with located diagnostics; a timeout that runs
out before exploring begins (while parsing, checking or compiling) raises
`checker.deadline.OutOfTime`. Once exploring has begun, a timeout is an inconclusive report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from checker import symbolic
from checker.deadline import Deadline
from checker.diagnostics import Diagnostic
from checker.engines import ENGINES, bfs, dfs  # noqa: F401  (ENGINES: CheckOptions.engine)
from checker.engines.common import Limits
from checker.engines.result import Result
from checker.load import Loaded, load_spec
from checker.properties import BROKEN, INCONCLUSIVE, NOT_CHECKED, VIOLATED
from checker.record import record
from checker.report import (
    Counterexample,
    Outcome,
    Report,
    SimulationReport,
    SolverUse,
    SynthesisReport,
    outcomes_of,
    properties_of,
)
from checker.trace import build_trace

Progress = Callable[[int, int, int, float], None]  # states, transitions, depth, seconds
ZONES = symbolic.ZONES  # how the timed engine keeps zones: see checker.symbolic.timed
# An untimed BFS starts in the reference engine and hands over to the level engine at the
# first level boundary past this many states (see checker.engines.bfs).
LEVEL_AFTER = 5_000


@record
class CheckOptions:
    search: str | None = None  # "bfs" | "dfs"; default: the spec's (untimed models only)
    max_states: int | None = None  # default: the spec's `bound states`
    timeout: float | None = None  # seconds
    all_violations: bool = False  # go on after the first violation (timed runs always do)
    progress: Progress | None = None  # called about twice a second once a run takes 2 s
    stop: Callable[[], bool] | None = None  # polled between states: True stops the search
    roots: tuple[str, ...] = ()  # folders outside the spec's project its model may come from
    # time.perf_counter() when the run began, if before this call (the CLI loads the spec first):
    # the timeout counts loading and compiling too. Default: when check() is called.
    started: float | None = None
    zones: str = "ppl"  # timed models: "ppl" polyhedra, or "z3" (the first engine)
    # Untimed BFS: "level" (checker.engines.level), or "reference" (checker.engines.bfs, one
    # state at a time; the engine the level engine is held identical to).
    engine: str = "level"
    # The level engine's visited set: "auto" (exact rows while they fit a quarter of the
    # machine's memory, then 64-bit fingerprints), "exact" or "fingerprint".
    store: str = "auto"
    # Untimed BFS: "auto" explores one state per orbit of interchangeable replicated instances
    # when checker.symmetry proves them so (counts then are of orbits); "off" never.
    symmetry: str = "auto"
    # Untimed BFS in the level engine, partitioned by fingerprint owner (checker.engines.shards;
    # the result is the one-process result): `workers` processes on this machine, or with
    # `cluster` (a Ray address, or "local") that many Ray actors (None: one per CPU there).
    workers: int | None = None
    cluster: str | None = None
    # Untimed: a BFS with partial-order reduction (checker.engines.por): fewer states, traces
    # re-shortened afterwards, no coverage. Symmetry reduction does not apply with it.
    por: bool = False


@record
class SimulateOptions:
    seed: int = 0  # the runs are a function of the seed and their index alone
    depth: int | None = None  # steps per run; default: the spec's `bound depth`, else 100
    runs: int | None = None  # default: 1,000, or as many as `time_budget` allows
    time_budget: float | None = None  # seconds of runs (from when they begin)
    run: int | None = None  # make only the run of this index (a reproduction)
    roots: tuple[str, ...] = ()
    stop: Callable[[], bool] | None = None  # polled between steps: True stops (Ctrl-C)


@record
class SynthesisOptions:
    roots: tuple[str, ...] = ()
    max_states: int | None = None
    timeout: float | None = None
    progress: Progress | None = None
    stop: Callable[[], bool] | None = None
    started: float | None = None  # as in CheckOptions
    zones: str = "ppl"  # as in CheckOptions


def _deadline(options: CheckOptions | SynthesisOptions) -> Deadline:
    if options.started is None:
        return Deadline.start(options.timeout)
    return Deadline(options.timeout, options.started)


def _loaded(spec: str | Loaded, roots: tuple[str, ...], deadline: Deadline) -> Loaded:
    """The spec loaded (raises CheckError, or OutOfTime if the deadline passes first)."""
    return load_spec(str(spec), roots, deadline) if not isinstance(spec, Loaded) else spec


def _search(loaded: Loaded, options: CheckOptions, deadline: Deadline
            ) -> tuple[str, Result, SolverUse | None]:
    cfg = loaded.config
    max_states = options.max_states if options.max_states is not None else cfg.max_states
    if loaded.model.timed:
        # Timed models are explored to the end, so each violation's param region is exact.
        from checker.symbolic import timed  # Z3 and PPL load only for timed models

        tr = timed.explore_timed(loaded.system, deadlock=cfg.deadlock, max_states=max_states,
                                 timeout=options.timeout, since=deadline.started,
                                 zones=options.zones, stop_at_first=False,
                                 progress=options.progress, stop=options.stop)
        result = tr.result
        if cfg.liveness:  # those without a deadline: on the untimed abstraction
            from checker.symbolic import abstraction

            result = abstraction.decide(result, loaded.system, cfg.fairness, Limits(
                max_states=max_states, timeout=options.timeout, since=deadline.started,
                progress=options.progress, stop=options.stop))
        return "timed", result, SolverUse(tr.space.z3_calls, tr.space.z3_seconds,
                                          tr.polyhedra_seconds)
    limits = Limits(
        deadlock=cfg.deadlock, max_states=max_states, max_depth=cfg.max_depth,
        timeout=options.timeout, since=deadline.started, stop_at_first=not options.all_violations,
        progress=options.progress, stop=options.stop)
    if cfg.liveness:
        return "bfs", _liveness_search(loaded, options, limits), None
    engine = options.search or cfg.search
    if loaded.system.has_faults:  # no reductions (PW004); BFS in order of (faults, steps)
        from checker.engines import fewest

        search = fewest.search if engine == "bfs" else dfs.search
        return engine, search(loaded.system, limits), None
    search = {"bfs": bfs.search, "dfs": dfs.search}[engine]
    if options.por:
        from checker.engines import por

        engine, search = "bfs", por.search
    elif engine == "bfs" and options.engine == "level":
        search = _level_search(loaded, options)
    return engine, search(loaded.system, limits), None


def _liveness_search(loaded: Loaded, options: CheckOptions, limits: Limits) -> Result:
    """A spec with liveness properties: a breadth-first search that keeps the state graph,
    then the fair-cycle analysis on it (checker.engines.graph, checker.engines.liveness).
    Reductions that drop states or interleavings do not preserve liveness and are not applied
    (`unapplied` says which the options asked for); nor is symmetry reduction."""
    from checker.engines import graph, liveness

    # Liveness needs the whole graph, so the search goes on past safety violations (the first
    # of each property is kept, as with --all-violations).
    limits = replace(limits, stop_at_first=False)
    result, g = graph.search(loaded.system, limits)
    return liveness.analyse(result, g, loaded.system, loaded.config.fairness, False)


def _level_search(loaded: Loaded, options: CheckOptions):
    """The untimed BFS the options ask for: the reference engine handing over to the level
    engine once levels are large, the level engine from the start under symmetry, or the
    level engine partitioned over workers."""
    symmetry = None
    if options.symmetry == "auto":
        from checker.symmetry import find_symmetry

        symmetry = find_symmetry(loaded.system)
    if options.cluster is not None or (options.workers or 1) > 1:
        from checker.engines import pools, shards

        make = pools.pool_for(options.workers, options.cluster)
        symmetric = bool(symmetry and symmetry.classes)
        return lambda system, limits: shards.search(system, limits, make, options.store,
                                                    symmetric)
    if symmetry and symmetry.classes:
        from checker.engines import level

        return lambda system, limits: level.search(system, limits, options.store, symmetry)
    return lambda system, limits: bfs.search(system, limits, handover=LEVEL_AFTER,
                                             store=options.store)


def check(spec: str | Loaded, options: CheckOptions = CheckOptions()) -> Report:
    """Check one spec (a path, or a spec already loaded with `checker.load.load_spec`)."""
    started = time.perf_counter()
    deadline = _deadline(options)
    loaded = _loaded(spec, options.roots, deadline)
    engine, result, solver = _search(loaded, options, deadline)
    warnings = loaded.warnings + _unapplied(loaded, options)
    properties = properties_of(loaded.config)
    by_name = {p.name: p for p in properties}
    counterexamples = tuple(
        Counterexample(by_name[v.property], v, build_trace(loaded.system, v))
        for v in result.violations)
    return Report(
        spec_path=loaded.config.path,
        config=loaded.config,
        expect_span=loaded.spec.expect_span or loaded.spec.span,
        model=loaded.model,
        system=loaded.system,
        engine=engine,
        verdict=result.verdict,
        outcomes=outcomes_of(properties, result.violations, complete=result.complete,
                             limit=result.limit, seconds=result.stats.seconds,
                             undecided=result.undecided),
        counterexamples=counterexamples,
        stats=result.stats,
        complete=result.complete,
        limit=result.limit,
        fired=result.fired,
        vacuous=result.vacuous,
        notes=result.notes,
        warnings=warnings,
        seconds=time.perf_counter() - started,
        solver=solver,
    )


def _unapplied(loaded: Loaded, options: CheckOptions) -> tuple[Diagnostic, ...]:
    """PW004 for the options a spec with liveness or faults is checked without."""
    cfg = loaded.config
    if cfg is None or not (cfg.liveness or loaded.system.has_faults) or loaded.model.timed:
        return ()
    flags = [flag for flag, on in (("--por", options.por),
                                   ("--workers", (options.workers or 1) > 1),
                                   ("--cluster", options.cluster is not None)) if on]
    if not flags:
        return ()
    if cfg.liveness:
        first = cfg.liveness[0]
        return (Diagnostic(
            "warning", "PW004", f"{' and '.join(flags)} not applied: spec {cfg.name} has "
            f"liveness properties (the first is {first.declared}), which are checked in one "
            "process on the whole state graph", first.span, _line(loaded, first.span),
            "liveness needs every state and interleaving; put liveness in a spec of its own "
            "to keep the reductions for the safety properties"),)
    clause = cfg.faults.clauses[0] if cfg.faults.clauses else None
    span = clause.span if clause is not None else loaded.spec.span
    what = f"injects faults ('{clause.text}')" if clause is not None else \
        "takes instances down (terminate, or a model with crash handlers)"
    return (Diagnostic(
        "warning", "PW004", f"{' and '.join(flags)} not applied: spec {cfg.name} {what}, "
        "and its counterexamples have the fewest faults, which only the one-process search "
        "in order of faults finds", span, _line(loaded, span),
        "check the fault-free protocol in a spec of its own to keep the reductions"),)


def _line(loaded: Loaded, span) -> str:
    src = loaded.sources.get(span.path)
    return src.line_text(span.line) if src is not None else ""


def simulate(spec: str | Loaded, options: SimulateOptions = SimulateOptions()
             ) -> SimulationReport:
    """Random runs of one spec (checker.engines.simulate; timed models:
    checker.symbolic.simulate), the first violation found shrunk and replayed into a trace.
    Finding none proves nothing: the verdict is then INCONCLUSIVE, never HOLDS."""
    from checker.engines import simulate as engine  # loads only to simulate

    started = time.perf_counter()
    loaded = _loaded(spec, options.roots, Deadline.start(None))
    cfg = loaded.config
    depth = options.depth if options.depth is not None else (
        cfg.max_depth if cfg.max_depth is not None else engine.DEFAULT_DEPTH)
    if options.run is not None:
        first, runs = options.run, 1
    else:
        first = 0
        runs = options.runs if options.runs is not None else (
            None if options.time_budget is not None else engine.DEFAULT_RUNS)
    plan = engine.Plan(seed=options.seed, depth=depth, runs=runs, first=first,
                       time_budget=options.time_budget, deadlock=cfg.deadlock,
                       stop=options.stop)
    if loaded.model.timed:
        from checker.symbolic.simulate import TimedWalker  # Z3 and PPL load only for time

        walker: engine.Walker = TimedWalker(loaded.system, cfg.deadlock)
    else:
        walker = engine.Walker(loaded.system, cfg.deadlock)
    sim = engine.simulate(walker, plan)
    properties = properties_of(cfg)
    by_name = {p.name: p for p in properties}
    counterexamples = () if sim.violation is None else (Counterexample(
        by_name[sim.violation.property], sim.violation,
        build_trace(loaded.system, sim.violation)),)
    done = f"{sim.runs:,} random run{'s' if sim.runs != 1 else ''} of up to {depth} steps"
    why = (f"simulation stopped at the first violation ({sim.violation.property})"
           if sim.violation is not None else
           f"no violation in {done}; simulation is not a proof")
    outcomes = tuple(Outcome(p, BROKEN, "", sim.found_after or 0.0)
                     if sim.violation is not None and p.name == sim.violation.property
                     else Outcome(p, NOT_CHECKED, why, 0.0) for p in properties)
    return SimulationReport(
        spec_path=cfg.path, config=cfg, expect_span=loaded.spec.expect_span or loaded.spec.span,
        model=loaded.model, system=loaded.system,
        verdict=VIOLATED if sim.violation is not None else INCONCLUSIVE,
        outcomes=outcomes, counterexamples=counterexamples, simulation=sim,
        seed=options.seed, depth=depth, runs_asked=runs, time_budget=options.time_budget,
        only_run=options.run, roots=options.roots,
        partly=engine.unchecked(loaded.system, loaded.model.timed),
        warnings=loaded.warnings, seconds=time.perf_counter() - started)


def synthesize(spec: str | Loaded, options: SynthesisOptions = SynthesisOptions()
               ) -> SynthesisReport:
    """The exact region of the spec's free params in which every property holds.

    Raises `NoParams` for a model without params (there is nothing to synthesize)."""
    deadline = _deadline(options)
    loaded = _loaded(spec, options.roots, deadline)
    if not loaded.model.params:
        raise NoParams(f"model {loaded.model.name} has no params to synthesize")
    from checker.symbolic import timed

    syn = timed.synthesize(loaded.system, deadlock=loaded.config.deadlock,
                           max_states=options.max_states, timeout=options.timeout,
                           since=deadline.started, zones=options.zones,
                           progress=options.progress, stop=options.stop)
    if loaded.config.liveness:
        from checker.symbolic import abstraction

        syn = abstraction.in_synthesis(syn, loaded.system, loaded.config.fairness, Limits(
            max_states=options.max_states, timeout=options.timeout, since=deadline.started,
            stop=options.stop))
    return SynthesisReport(
        spec_path=loaded.config.path,
        config=loaded.config,
        model=loaded.model,
        safe=syn.safe,
        safe_formula=syn.safe_formula,
        verdict=syn.verdict,
        violated=syn.per_property,
        complete=syn.complete,
        limit=syn.limit,
        stats=syn.stats,
        solver=SolverUse(syn.z3_calls, syn.z3_seconds, syn.polyhedra_seconds),
        seconds=syn.total_seconds,
    )


class NoParams(ValueError):
    """`synthesize` on a model that has no params."""
