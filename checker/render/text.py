"""Plain-text rendering of reports (what `protocheck check` prints, and what the pytest
plugin shows on a failure), traces, coverage, syntheses and model summaries."""

from __future__ import annotations

import shlex
import textwrap

from checker import ir
from checker.baseline import (
    ADDED,
    CHANGED,
    DROPPED,
    EXPECT,
    FIXED,
    MOVED,
    NEW,
    PROPERTY_CHANGES,
    REMOVED,
    UNDECIDED,
    UNLOADED,
    VERDICT,
    Comparison,
    PropertyDiff,
    SpecDiff,
    TraceSummary,
)
from checker.compile import System
from checker.diagnostics import visible
from checker.engines.result import Stats
from checker.faults import DOWN_NAME, DUPLICATE
from checker.properties import DEADLOCK, INCONCLUSIVE, NOT_CHECKED, PROVED, RUNTIME, VIOLATED
from checker.report import Counterexample, Report, SimulationReport, SynthesisReport
from checker.trace import Step, Trace, describe_state


def fmt_int(n: int) -> str:
    return f"{n:,}"


def stats_line(st: Stats) -> str:
    line = (f"{fmt_int(st.states)} states, {fmt_int(st.transitions)} transitions, depth "
            f"{st.depth}, {st.seconds:.2f} s ({fmt_int(int(st.states_per_second))} states/s)")
    if st.represented is not None:
        line += (f"; one state per orbit of {', '.join(st.symmetry)} (symmetry), standing for "
                 f"{fmt_int(st.represented)} states")
    if st.reduction:
        line += f"; {st.reduction} reduction (states of the reduced graph)"
    if st.workers > 1 or st.cluster:
        line += f"; {st.workers} workers ({st.cluster})"
    if st.edges:
        line += (f"; {fmt_int(st.edges)} edges kept for liveness (fair-cycle analysis "
                 f"{st.liveness_seconds:.2f} s)")
    if st.omission is not None:
        line += f"; states kept as 64-bit fingerprints: P(a state was missed) ~ {st.omission:.1g}"
    return line


def report_lines(report: Report, diagrams: dict[str, list[str]] | None = None) -> list[str]:
    """Everything `protocheck check` prints for one spec; `diagrams`: property -> files
    written for its counterexample."""
    lines = [_heading(report), verdict_line(report),
             f"explored: {stats_line(report.stats)}{_stopped_note(report)}{_solver_note(report)}"]
    lines += liveness_lines(report)
    for cx in report.counterexamples:
        lines.append("")
        lines += counterexample_lines(report, cx, (diagrams or {}).get(cx.property.name))
    cov = coverage_lines(report)
    if cov:
        lines.append("")
        lines += cov
    return lines


def _heading(report: Report | SimulationReport) -> str:
    consts = constants_text(report.model)
    return (f"== {report.spec_path}: spec {report.config.name} on {report.model.path}"
            + (f" ({consts})" if consts else ""))


def simulation_lines(report: SimulationReport, diagrams: dict[str, list[str]] | None = None
                     ) -> list[str]:
    """Everything `protocheck simulate` prints for one spec (no times: the same seed and input
    give the same text); `diagrams` as in `report_lines`."""
    sim = report.simulation
    runs = f"{fmt_int(sim.runs)} run{'s' if sim.runs != 1 else ''}"
    what = f"run {report.only_run} only" if report.only_run is not None else runs
    stopped = f"; stopped: {sim.limit}" if sim.limit else ""
    lines = [_heading(report), simulation_verdict_line(report),
             (f"simulated: {what} of up to {report.depth} steps from seed {report.seed}, "
              f"{fmt_int(sim.steps)} steps in all{stopped}")]
    for cx in report.counterexamples:
        lines.append("")
        lines += counterexample_lines(report, cx, (diagrams or {}).get(cx.property.name))
        lines += _found_lines(report)
    if report.partly:
        lines.append("")
        lines += [f"partly checked: liveness {name}: {how}" for name, how in report.partly]
    lines.append("")
    lines += simulation_coverage_lines(report)
    if not report.counterexamples:
        lines.append("")
        lines.append("no violation found is not a proof: a violation may need a run these "
                     "did not make; `protocheck check` decides")
    return lines


def simulation_verdict_line(report: SimulationReport) -> str:
    expect = report.config.expect
    if report.verdict == VIOLATED:
        if report.matches:
            return "verdict: VIOLATED, as expected (found by random simulation)"
        return (f"verdict: VIOLATED (found by random simulation), but the spec expects "
                f"'{expect}'  <-- MISMATCH")
    if expect == VIOLATED:
        return ("verdict: INCONCLUSIVE: no violation found, but the spec expects one "
                "(random simulation proves nothing; more runs, or `protocheck check`)")
    return (f"verdict: no violation found; the spec expects '{expect}', which these runs do "
            "not contradict (random simulation proves nothing)")


def _found_lines(report: SimulationReport) -> list[str]:
    """Which run found the violation, how it was shrunk, and how to make that run again."""
    sim, sh = report.simulation, report.simulation.shrink
    stages = [f"{sh.raw} steps"]
    if sh.removed != sh.raw:
        stages.append(f"{sh.removed} by removing and reordering steps")
    if sh.focused is not None and sh.focused != sh.removed:
        stages.append(f"{sh.focused} by a search over the transitions those use")
    if sh.replaced:
        stages.append(f"{sh.final} by the search of every transition that checked it")
    lines = [f"found by run {sim.run}: " + " -> ".join(stages)
             + ("; none shorter exists (fewest faults first)" if sh.shortest else "")]
    if sim.params:
        lines.append("  the run had " + ", ".join(f"{k} = {v}" for k, v in sim.params)
                     + "; the witness is Z3's, for the trace's constraints")
    lines.append("reproduce: " + visible(shlex.join(report.reproduce)))
    return lines


def simulation_coverage_lines(report: SimulationReport) -> list[str]:
    """Which handlers and steps the runs took, and which none took (they may still be
    reachable: no run is every run)."""
    system = report.system
    never = _in_source_order(report.never_fired)
    fired = _in_source_order(t for t in system.transitions if report.fired[t.id])
    total = len(system.transitions)
    lines = [f"coverage (these runs): {len(fired)} of {total} handlers/steps fired"
             + (", times taken:" if fired else "")]
    by_actor: dict[str, list[str]] = {}
    for t in fired:
        by_actor.setdefault(t.actor, []).append(
            f"{transition_name(system, t)} {fmt_int(report.fired[t.id])}")
    for actor, items in by_actor.items():
        lines += textwrap.wrap(f"{actor}: {', '.join(items)}", width=96, initial_indent="  ",
                               subsequent_indent="      ")
    if never:
        lines.append("  never fired in these runs (which does not make them unreachable):")
        lines += ["  " + _never_line(system, t) for t in never]
    return lines


def transition_name(system: System, t) -> str:
    """A handler or step as coverage names it: its label, and its line where another of its
    actor's reads alike (two handlers of one message, in different states)."""
    alike = sum(1 for u in system.transitions if (u.actor, u.label) == (t.actor, t.label))
    return t.label + (f" (line {t.span.line})" if alike > 1 else "")


def _in_source_order(transitions) -> list:
    return sorted(transitions, key=lambda t: (t.span.path, t.span.line, t.span.column))


def _never_line(system: System, t) -> str:
    """A handler or step that never fired, where it is, and why if the spec's constants say."""
    why = "  (its guard is false under this configuration)" if t.disabled_by_config else ""
    return f"  {t.span}  {system.model.actor(t.actor).name}: {t.label}{why}"


def liveness_lines(report: Report) -> list[str]:
    """Each liveness property that holds, with what it relies on (fairness, or nothing)."""
    notes = dict(report.notes)
    out = []
    for o in report.outcomes:
        if o.property.liveness is not None and o.status is NOT_CHECKED and o.reason \
                and o.reason != report.limit:  # undecided for a reason of its own
            out.append(f"not decided: liveness {o.property.name}: {o.reason}")
        if o.property.liveness is not None and o.status is PROVED:
            note = notes.get(o.property.name, "")
            if o.property.liveness.within is not None:  # a deadline: time, not fairness
                out.append(f"holds: liveness {o.property.name}, for every parameter value")
                continue
            out.append(f"holds: liveness {o.property.name} under "
                       f"{report.config.fairness.describe()}" + (f"; {note}" if note else ""))
    return out


def verdict_line(report: Report) -> str:
    expect = report.config.expect
    if report.verdict == INCONCLUSIVE:
        why = report.limit or next((f"{o.property.name}: {o.reason}" for o in report.outcomes
                                    if o.reason), "")
        return f"verdict: INCONCLUSIVE ({why}); expected {expect}"
    if report.matches:
        return f"verdict: {report.verdict.upper()}, as expected"
    return f"verdict: {report.verdict.upper()}, but the spec expects '{expect}'  <-- MISMATCH"


def _stopped_note(report: Report) -> str:
    if report.verdict != VIOLATED or report.complete:
        return ""
    return f" (stopped: {report.limit})" if report.limit else " (stopped at the first violation)"


def _solver_note(report: Report) -> str:
    if report.solver is None:
        return ""
    return (f"; polyhedra {report.solver.polyhedra_seconds:.2f} s, Z3: "
            f"{report.solver.calls:,} calls, {report.solver.seconds:.2f} s")


def counterexample_lines(report: Report | SimulationReport, cx: Counterexample,
                         diagrams: list[str] | None = None) -> list[str]:
    """One violation: which property, then its trace (and the diagram files, if written)."""
    inv = cx.property.invariant
    lines = ["violated: " + "\n".join(property_header(cx))]
    lines += render_trace(report.system, cx.trace, inv)
    if diagrams:
        pictures = [p for p in diagrams if not p.endswith(".dot")] or diagrams[:1]
        lines.append("  diagram: " + ", ".join(pictures))
    return lines


def _wrap(items: list[str], indent: str, width: int = 96) -> list[str]:
    text = ", ".join(items)
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent) \
        or [indent.rstrip()]


def property_header(cx: Counterexample) -> list[str]:
    invariant, violation = cx.property.invariant, cx.violation
    live = cx.property.liveness
    if live is not None:
        lines = [f"liveness {live.name} ({live.span})"]
        if live.description and live.description != live.declared:
            lines.append(f"  \"{live.description}\"")
        lines.append(f"  {live.source_text}")
        what = "could not be evaluated: " if violation.kind is RUNTIME else ""
        lines.append(f"  {what}{violation.message}")
        return lines
    if invariant is not None:
        lines = [f"invariant {invariant.name} ({invariant.span})"]
        if invariant.description and invariant.description != invariant.name:
            lines.append(f"  \"{invariant.description}\"")
        lines.append(f"  {invariant.source_text}")
        if violation.kind is RUNTIME:
            lines.append(f"  could not be evaluated: {violation.message}")
        return lines
    lines = [f"{violation.kind.name}: {violation.kind.description}"]
    if violation.span is not None:
        lines.append(f"  at {violation.span}: {violation.message}")
    else:
        lines.append(f"  {violation.message}")
    return lines


def _mentioned(e, actors: set[str], shared: set[str]) -> None:
    if isinstance(e, (ir.LocalVar, ir.RemoteVar, ir.At)):
        actors.add(e.actor)
    elif isinstance(e, ir.SharedVar):
        shared.add(e.name)
    if hasattr(e, "__dataclass_fields__"):
        for name in e.__dataclass_fields__:
            v = getattr(e, name)
            if isinstance(v, tuple):
                for x in v:
                    _mentioned(x, actors, shared)
            elif hasattr(v, "__dataclass_fields__") and not isinstance(v, ir.Type.__args__):
                _mentioned(v, actors, shared)


def render_trace(system: System, trace: Trace, invariant: ir.Invariant | None) -> list[str]:
    lines = []
    v = trace.violation
    if v.region is not None:
        lines.append(f"  violated for: {v.region}")
    if v.witness is not None:
        params = v.witness.params_text()
        lines.append(f"  witness: {params} (the trace below, with its times)" if params
                     else "  witness: the trace below, with its times")
    times = v.witness.times if v.witness is not None else ()
    steps = length_text(trace)
    if not v.shortest:
        steps += "; " + (v.shortness or "none shorter over the transitions it uses, but a "
                         "shorter one may exist: partial-order reduction")
    lines.append(f"counterexample ({steps}):")
    init = [f"{c.name}={c.after}" for c in trace.initial]
    lines.append("  initial state:")
    lines += _wrap(init, "      ")
    width = max([len(f"{s.number}. {_who(s)}") for s in trace.steps] + [0])
    for s in trace.steps:
        if s.number == trace.loop:
            lines.append(f"  -- from here, steps {trace.loop}..{len(trace.steps)} repeat "
                         "forever --")
        head = f"{s.number}. {_who(s)}".ljust(width)
        at = f"  @ t={times[s.number - 1]}" if s.number - 1 < len(times) else ""
        lines.append(f"  {head}  {_what(s, system)}{at}   [{s.span}]")
        pad = "  " + " " * (len(str(s.number)) + 2)
        lines += [pad + line for line in step_details(s)]
    if v.witness is not None and getattr(v.witness, "late", ""):
        lines.append(f"  -- then nothing has to happen until t={v.witness.late}, past the "
                     "deadline --")
    if trace.loop is not None:
        lines.append(f"  -- back to the state after step {trace.loop - 1}: the cycle repeats "
                     "forever --" if trace.loop > 1 else
                     "  -- back to the initial state: the cycle repeats forever --")
    elif trace.stutter:
        lines.append("  -- then nothing more happens --")
    if v.lasso is not None and v.lasso.fairness:
        lines.append("  fair: " + v.lasso.fairness[0])
        lines += [f"        {f}" for f in v.lasso.fairness[1:]]
    if trace.in_flight:
        lines.append("  in flight at the end: " + ", ".join(
            f"{m.describe()} {m.sender} -> {m.receiver}" for m in trace.in_flight))
    if trace.violation.kind is DEADLOCK:
        stuck = [f"{c.name} at {c.after}" for c in describe_state(system, trace.final_state)
                 if "." not in c.name and not c.shared and not _is_final(system, c.name, c.after)]
        lines.append("  stuck, not in a final state: " + ", ".join(stuck))
    if invariant is not None:
        actors: set[str] = set()
        shared: set[str] = set()
        _mentioned(invariant.expr, actors, shared)
        relevant = []
        for c in describe_state(system, trace.final_state):
            base = c.name.split(".")[0].split("[")[0]
            if (not c.shared and base in actors) or (c.shared and c.name in shared):
                relevant.append(f"{c.name}={c.after}")
        if relevant:
            lines.append("  in the last state:")
            lines += _wrap(relevant, "      ")
    return lines


def step_headline(s: Step, system: System) -> str:
    """Who did what in a step, as the text trace's step line says it (without its number)."""
    return f"{_who(s)}  {_what(s, system)}"


def step_details(s: Step) -> list[str]:
    """What a step did besides its headline: messages sent and lost, the state it moved to,
    the variables it changed, how it failed."""
    lines = [f"sends {m.describe()} to {m.receiver}" for m in s.sent]
    lines += [f"sends {m.describe()} to {m.receiver}: lost, {m.receiver} is down"
              for m in s.lost]
    gone = s.fault.dropped if s.fault is not None else s.dropped
    if gone:
        lines.append("lost with it: " + ", ".join(
            f"{m.describe()} from {m.sender} to {m.receiver}" for m in gone))
    if s.fault is not None and s.fault.copy is not None and s.fault.kind is DUPLICATE:
        lines.append(f"{s.fault.copy.describe()} is a copy of {s.fault.message.describe()}, "
                     f"to {s.fault.target}")
    if s.state_before != s.state_after:
        lines.append(f"state {s.state_before} -> {s.state_after}")
    lines += [f"{c.name}: {c.before} -> {c.after}" for c in s.changes]
    if s.failed:
        lines.append(f"FAILS: {s.failed}")
    return lines


def _who(s) -> str:
    return "FAULT" if s.fault is not None else s.instance


def _what(s, system: System) -> str:
    """What a step did, as its line says: the handler, step or fault."""
    if s.fault is not None:
        f = s.fault
        budget = f"{f.used} of {f.budget}: {f.clause}"
        total = system.faults.total
        if total is not None:
            budget += f"; {f.total} of {system.faults.budget} in all"
        return f"{f.describe()}  ({budget})"
    if s.received is not None:
        return f"on {s.received.describe()} from {s.received.sender}"
    if s.notice:
        return f"on crash of {s.notice}"
    if s.kind == "lifecycle":
        return s.name
    return "restart" if s.kind == "restart" else f"{s.kind} {s.name}"


def faults_text(trace: Trace) -> str:
    """'1 fault; ' when the trace has faults (else '')."""
    n = sum(1 for s in trace.steps if s.fault is not None)
    return f"{_plural(n, 'fault')}; " if n else ""


def length_text(trace: Trace) -> str:
    """How long a counterexample is: its faults, then its steps, or a lasso's stem and cycle."""
    return faults_text(trace) + _steps_text(trace)


def _steps_text(trace: Trace) -> str:
    return _steps_words(len(trace.steps), trace.loop, trace.stutter)


def _steps_words(n: int, loop: int | None, stutter: bool) -> str:
    if loop is not None:
        stem = loop - 1
        cycle = f"a {n - stem}-step cycle"
        return (f"{_plural(stem, 'step')}, then {cycle} that repeats forever" if stem else
                f"{cycle} from the initial state, repeating forever")
    if stutter:
        return _plural(n, "step") + ", then nothing more happens"
    return _plural(n, "step")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _is_final(system: System, instance: str, state: str) -> bool:
    actor = system.model.actor(instance.split("[")[0])
    return state == DOWN_NAME or actor.states.index(state) in actor.finals


def constants_text(model: ir.Model) -> str:
    return ", ".join(f"{k}={v}" for k, v in model.const_display.items())


def coverage_lines(report: Report) -> list[str]:
    if not report.complete:
        return []
    system = report.system
    never = _in_source_order(report.never_fired)
    lines = []
    if report.stats.reduction:
        lines.append(f"coverage: not known under {report.stats.reduction} reduction (it skips "
                     "states a handler may fire in); check without it to know")
    elif never:
        lines.append(f"coverage: {len(never)} of {len(system.transitions)} handlers/steps never "
                     "fired:")
        lines += [_never_line(system, t) for t in never]
    else:
        lines.append(f"coverage: all {len(system.transitions)} handlers/steps fired")
    live = {lv.name for lv in report.config.liveness}
    for name in report.vacuous:
        kind = "liveness" if name in live else "invariant"
        lines.append(f"VACUOUS: {kind} {name}: its premise never held in any reachable state, "
                     "so it proves nothing")
    return lines


def summarize_model(model: ir.Model, system: System) -> list[str]:
    lines = [f"protocol {model.name}: ok"]
    if model.consts:
        lines.append("  constants: " + ", ".join(
            f"{k} = {v}" for k, v in model.const_display.items()))
    for e in model.enums:
        lines.append(f"  enum {e.name}: {', '.join(e.members)}")
    if model.messages:
        msgs = []
        for m in model.messages:
            fields = ", ".join(f"{f.name}: {f.type}" for f in m.fields)
            msgs.append(f"{m.name}({fields})" if fields else m.name)
        lines += _wrap(msgs, "  messages: ")
    for v in model.shared:
        lines.append(f"  shared {v.name}: {v.type} = {ir.format_value(v.type, v.init)}")
    lines.append(f"  actors ({len(model.actors)}):")
    for a in model.actors:
        name = f"{a.name}[{a.count}]" if a.replicated else a.name
        states = []
        for k, st in enumerate(a.states):
            flags = [f for f, on in (("initial", k == a.initial), ("final", k in a.finals)) if on]
            states.append(f"{st} ({', '.join(flags)})" if flags else st)
        lines.append(f"    {name}")
        lines.append(f"      states: {', '.join(states)}")
        if a.vars:
            lines.append("      vars: " + ", ".join(
                f"{v.name}: {v.type} = {ir.format_value(v.type, v.init)}" for v in a.vars))
        labels = [h.label for h in a.handlers] + [s.label for s in a.steps]
        if labels:
            lines.append(f"      transitions: {', '.join(labels)}")
    if model.channels:
        lines.append("  channels: " + ", ".join(
            f"{c.sender} -> {c.receiver} (capacity {c.capacity}, "
            f"{'fifo' if c.ordered else 'unordered'})" for c in model.channels))
    lines.append(f"  state vector: {system.layout.size} slots")
    return lines


def synthesis_verdict(syn: SynthesisReport) -> str:
    """The synthesis in one sentence (the text output's, the plot's title, the HTML's)."""
    # Incomplete: the region is what the decided part says, not a claim about every property.
    every = "every property" if syn.complete else "every property decided exactly"
    if syn.verdict == "holds iff":
        return f"{every} holds iff {syn.safe}"
    if syn.verdict == "holds for all":
        return f"{every} holds for all parameter values"
    some = "some property" if syn.complete else "some property decided exactly"
    return f"for every parameter value, {some} is violated"


def synthesis_lines(syn: SynthesisReport) -> list[str]:
    """What `protocheck synthesize` prints for one spec."""
    ranges = ", ".join(f"{p.name}: {p.kind} in {p.lo}..{p.hi}" for p in syn.free_params)
    fixed = ", ".join(f"{n} = {v}" for n, v in syn.model.fixed_params)
    lines = [f"== {syn.spec_path}: spec {syn.name} ({ranges or 'no free params'}"
             + (f"; fixed: {fixed}" if fixed else "") + ")"]
    if not syn.complete:
        why = syn.limit or "a bound stopped the search"
        lines.append(f"INCOMPLETE: {why}; the region below is not exact")
    lines.append(synthesis_verdict(syn))
    for name, region in syn.violated:
        if syn.config.faults.clauses and " fault" in region:  # per number of faults
            lines.append(f"  {name} is violated for: {region}")
        elif region == "true":
            lines.append(f"  {name} is violated for every parameter value")
        elif region.startswith("some "):  # no exact region (liveness without a deadline)
            lines.append(f"  {name} is violated for {region}")
        else:
            lines.append(f"  {name} is violated iff {region}")
    lines.append(f"explored: {syn.stats.states:,} symbolic states, {syn.stats.transitions:,} "
                 f"transitions, {syn.stats.seconds:.2f} s (polyhedra "
                 f"{syn.solver.polyhedra_seconds:.2f} s, Z3 {syn.solver.seconds:.2f} s)")
    return lines


def baseline_lines(cmp: Comparison, file: str, fail_on: str) -> list[str]:
    """The section `check --baseline FILE` prints after the results: the counts, then each
    difference, new violations first. Names in it may come from the baseline, an untrusted
    file: control characters are made visible."""
    counts = (f"{len(cmp.of(NEW))} new, {len(cmp.of(FIXED))} fixed, "
              f"{len(cmp.of(CHANGED))} changed")
    more = ", ".join(_more_counts(cmp))
    fails = f" (fails --fail-on {fail_on})" if cmp.fails(fail_on) else ""
    lines = [f"compared with {file}: {counts}" + (f"; {more}" if more else "") + fails]
    for change in PROPERTY_CHANGES:
        lines += [f"  {_property_diff_text(d)}" for d in cmp.of(change)]
    lines += [f"  {_spec_diff_text(d)}" for d in cmp.specs]
    return [visible(line) for line in lines]


def _more_counts(cmp: Comparison) -> list[str]:
    """The other differences, counted, those there are."""
    def specs(change):
        return sum(1 for d in cmp.specs if d.change == change)

    counts = [(len(cmp.of(UNDECIDED)), "undecided", "undecided"),
              (len(cmp.of(DROPPED)), "dropped", "dropped"),
              (specs(VERDICT), "verdict changed", "verdicts changed"),
              (specs(EXPECT), "expectation changed", "expectations changed"),
              (specs(ADDED), "spec added", "specs added"),
              (specs(REMOVED), "spec removed", "specs removed"),
              (specs(UNLOADED), "spec not loaded", "specs not loaded")]
    return [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]


def _summary_text(t: TraceSummary | None) -> str:
    if t is None:
        return "no counterexample recorded"
    faults = f"{_plural(t.faults, 'fault')}; " if t.faults else ""
    return faults + _steps_words(t.steps, t.loop, t.stutter)


def _property_diff_text(d: PropertyDiff) -> str:
    # A built-in property is named by its kind (`deadlock`, `range`): said once.
    what = d.kind if d.property == d.kind else f"{d.kind} {d.property}"
    head = f"{d.change.name}: {d.spec}: {what}"
    was = f"before: violated ({_summary_text(d.old)})"
    if d.change == NEW:
        return (f"{head} violated ({_summary_text(d.new)}); before: "
                f"{d.before or 'not in the baseline'}")
    if d.change == CHANGED:
        return f"{head}: {'; '.join(_trace_changes(d.old, d.new))}"
    if d.change == FIXED:
        return f"{head} holds; {was}"
    if d.change == UNDECIDED:
        return f"{head} not fully checked; {was}"
    return f"{head} is no longer in the spec; {was}"


def _trace_changes(old: TraceSummary | None, new: TraceSummary | None) -> list[str]:
    """What differs between two counterexamples of a property, each as 'before -> now'."""
    if old is None or new is None:
        return [f"counterexample: {_summary_text(old)} -> {_summary_text(new)}"]
    out = []
    if old.steps != new.steps:
        out.append(f"counterexample {old.steps} -> {new.steps} steps "
                   f"({'longer' if new.steps > old.steps else 'shorter'})")
    if old.faults is not None and new.faults is not None and old.faults != new.faults:
        out.append(f"{old.faults} -> {new.faults} faults "
                   f"({'more' if new.faults > old.faults else 'fewer'})")
    if (old.loop, old.stutter) != (new.loop, new.stutter):
        out.append(f"lasso {_shape_text(old)} -> {_shape_text(new)}")
    if old.region != new.region:
        out.append(f"region {old.region or 'none'} -> {new.region or 'none'}")
    return out


def _shape_text(t: TraceSummary) -> str:
    if t.loop is not None:
        return f"cycling from step {t.loop}"
    return "ending where nothing more happens" if t.stutter else "without a cycle"


def _spec_diff_text(d: SpecDiff) -> str:
    if d.change in (VERDICT, EXPECT):
        return f"{d.change.name}: {d.spec}: {d.before} -> {d.after}"
    if d.change == ADDED:
        return f"spec added: {d.spec} ({d.after})"
    if d.change == REMOVED:
        return f"spec removed: {d.spec} (was {d.before})"
    if d.change == UNLOADED:
        return (f"spec not loaded: {d.spec}: {d.before} has input errors in this run; its "
                "results are not compared")
    assert d.change == MOVED
    return f"spec moved: {d.spec}: {d.before} -> {d.after}"
