"""The machine-readable result (`--json`): plain dicts, documented in docs/json.md.

Schema version 1. Everything except `stats.seconds` and `stats.states_per_second` is
deterministic for a given input.
"""

from __future__ import annotations

from checker import __version__
from checker.baseline import (  # SCHEMA_VERSION: one number for the writer and the reader
    PROPERTY_CHANGES,
    SCHEMA_VERSION,
    Comparison,
    TraceSummary,
)
from checker.diagnostics import Diagnostic
from checker.render.itf import counterexample_itf
from checker.render.text import transition_name
from checker.report import Counterexample, Outcome, Report, SimulationReport, SynthesisReport
from checker.source import Span
from checker.trace import FaultEvent, MessageEvent, Trace


def location(span: Span | None) -> dict | None:
    if span is None:
        return None
    return {"file": span.path, "line": span.line, "column": span.column}


def diagnostic_json(d: Diagnostic, spec_path: str | None = None) -> dict:
    """A diagnostic; `spec_path`: the spec file whose check it stopped (its location may be
    in the spec's model)."""
    out = {"severity": d.severity, "code": d.code, "message": d.message,
           "location": location(d.span), "rendered": d.render()}
    if spec_path is not None:
        out["spec_path"] = spec_path
    return out


def message_json(m: MessageEvent) -> dict:
    return {"id": m.id, "message": m.message, "fields": dict(m.fields), "sender": m.sender,
            "receiver": m.receiver}


def fault_json(f: FaultEvent) -> dict:
    return {"kind": f.kind.name, "clause": f.clause, "used": f.used, "budget": f.budget,
            "total": f.total, "target": f.target,
            "message": message_json(f.message) if f.message else None,
            "copy": message_json(f.copy) if f.copy else None,
            "dropped": [message_json(m) for m in f.dropped]}


def trace_json(trace: Trace) -> dict:
    return {
        "initial": {c.name: c.after for c in trace.initial},
        "steps": [
            {
                "number": s.number,
                "instance": s.instance,
                "actor": s.actor,
                "kind": s.kind,
                "name": s.name,
                "location": location(s.span),
                "received": message_json(s.received) if s.received else None,
                "sent": [message_json(m) for m in s.sent],
                "state_before": s.state_before,
                "state_after": s.state_after,
                "changes": [{"name": c.name, "before": c.before, "after": c.after}
                            for c in s.changes],
                "failed": s.failed or None,
                "fault": fault_json(s.fault) if s.fault else None,
                "lost": [message_json(m) for m in s.lost],
                "notice": s.notice or None,
            }
            for s in trace.steps
        ],
        "faults": sum(1 for s in trace.steps if s.fault is not None),
        "in_flight": [message_json(m) for m in trace.in_flight],
    }


def _spec_json(report: Report | SimulationReport) -> dict:
    """What a check's and a simulation's result begin with: the spec, and what came of it."""
    cfg = report.config
    return {
        "spec": cfg.name,
        "path": report.spec_path,
        "model": {"name": report.model.name, "path": report.model.path},
        "constants": dict(report.model.const_display),
        "expect": cfg.expect,
        "verdict": report.verdict,
        "matches_expectation": report.matches,
    }


def _never_fired_json(report: Report | SimulationReport) -> list[dict]:
    return [{"actor": t.actor, "kind": t.kind, "name": t.name, "location": location(t.span),
             "disabled_by_configuration": t.disabled_by_config} for t in report.never_fired]


def _fired_json(report: Report | SimulationReport) -> dict[str, int]:
    """How often each handler or step fired, keyed as the text's coverage names it."""
    return {f"{t.actor}: {transition_name(report.system, t)}": report.fired[t.id]
            for t in report.system.transitions}


def report_json(report: Report, diagrams: dict[str, list[str]] | None = None) -> dict:
    """One spec's result; `diagrams`: property -> the diagram files written for it."""
    cfg, st = report.config, report.stats
    return {
        **_spec_json(report),
        "engine": report.engine,
        "complete": report.complete,
        "limit": report.limit or None,
        "stats": {"states": st.states, "transitions": st.transitions, "depth": st.depth,
                  "seconds": round(st.seconds, 6),
                  "states_per_second": round(st.states_per_second, 1),
                  "omission_probability": st.omission,
                  "symmetry": ({"classes": list(st.symmetry), "represented": st.represented}
                               if st.represented is not None else None),
                  "workers": ({"count": st.workers, "where": st.cluster}
                              if st.cluster else None),
                  "reduction": st.reduction or None,
                  "liveness": ({"edges": st.edges, "seconds": round(st.liveness_seconds, 6)}
                               if cfg.liveness else None)},
        "fairness": cfg.fairness.describe() if cfg.liveness else None,
        "properties": [outcome_json(o, dict(report.notes)) for o in report.outcomes],
        "violations": [counterexample_json(report, cx, (diagrams or {}).get(cx.property.name))
                       for cx in report.counterexamples],
        "coverage": {
            "complete": report.complete,
            "never_fired": _never_fired_json(report),
            "fired": _fired_json(report),
        },
        "vacuous": list(report.vacuous),
        "warnings": [d.render() for d in report.warnings],
    }


def outcome_json(o: Outcome, notes: dict[str, str] | None = None) -> dict:
    out = {"name": o.property.name, "kind": o.property.kind.name, "status": o.status.name,
           "reason": o.reason or None}
    live = o.property.liveness
    if live is not None:
        out["form"] = live.form.name
        out["note"] = (notes or {}).get(o.property.name)
    return out


def counterexample_json(report: Report | SimulationReport, cx: Counterexample,
                        diagrams: list[str] | None) -> dict:
    v = cx.violation
    out = {
        "kind": v.kind.name,
        "property": cx.property.name,
        "description": cx.property.description,
        "location": location(cx.property.span or v.span),
        "message": v.message,
        "region": v.region,
        "witness": None if v.witness is None else {
            "params": dict(v.witness.params), "times": list(v.witness.times),
            "late": getattr(v.witness, "late", "") or None},
        "trace": trace_json(cx.trace),
        "shortest": v.shortest,
        "lasso": None if v.lasso is None else {
            "loop_start_step": cx.trace.loop, "stutter": v.lasso.stutter,
            "fairness": list(v.lasso.fairness)},
        "itf": counterexample_itf(report, cx),
    }
    if diagrams is not None:
        out["diagrams"] = diagrams
    return out


def simulation_json(report: SimulationReport, diagrams: dict[str, list[str]] | None = None
                    ) -> dict:
    """One spec's `simulate` result. No times: the same seed and input give the same bytes."""
    sim = report.simulation
    violations = []
    for cx in report.counterexamples:
        out = counterexample_json(report, cx, (diagrams or {}).get(cx.property.name))
        sh = sim.shrink
        out["found_by_run"] = sim.run
        out["shrink"] = {"raw_steps": sh.raw, "after_removing": sh.removed,
                         "after_focused_search": sh.focused, "steps": sh.final,
                         "shortest": sh.shortest, "replaced_by_confirming_search": sh.replaced}
        out["run_params"] = dict(sim.params) or None
        out["reproduce"] = list(report.reproduce)
        violations.append(out)
    return {
        **_spec_json(report),
        "exit_code": report.exit_code,
        "engine": "simulate",
        "simulation": {"seed": report.seed, "depth": report.depth,
                       "runs_asked": report.runs_asked, "time_budget": report.time_budget,
                       "only_run": report.only_run, "runs": sim.runs, "steps": sim.steps,
                       "stopped": sim.limit or None, "proof": False},
        "properties": [outcome_json(o) for o in report.outcomes],
        "partly_checked": [{"property": name, "how": how} for name, how in report.partly],
        "violations": violations,
        "coverage": {
            "fired": _fired_json(report),
            "never_fired": _never_fired_json(report),
        },
        "warnings": [d.render() for d in report.warnings],
    }


def synthesis_json(syn: SynthesisReport) -> dict:
    return {
        "spec": syn.name, "path": syn.spec_path,
        "params": ", ".join(f"{p.name}: {p.kind} in {p.lo}..{p.hi}" for p in syn.free_params),
        "fixed": ", ".join(f"{n} = {v}" for n, v in syn.model.fixed_params) or None,
        "verdict": syn.verdict, "safe": syn.safe, "violated": dict(syn.violated),
        "complete": syn.complete, "limit": syn.limit or None,
        "stats": {"states": syn.stats.states, "transitions": syn.stats.transitions,
                  "seconds": round(syn.stats.seconds, 6),
                  "z3_seconds": round(syn.solver.seconds, 6),
                  "polyhedra_seconds": round(syn.solver.polyhedra_seconds, 6)},
    }


def _trace_summary_json(t: TraceSummary | None) -> dict | None:
    if t is None:
        return None
    return {"steps": t.steps, "faults": t.faults, "loop_start_step": t.loop,
            "stutter": t.stutter, "region": t.region}


def baseline_json(cmp: Comparison, file: str, fail_on: str) -> dict:
    """The `baseline` object of `check --json --baseline FILE`."""
    return {
        "file": file,
        "fail_on": fail_on,
        "fails": cmp.fails(fail_on),
        "counts": {c.name: len(cmp.of(c)) for c in PROPERTY_CHANGES},
        "properties": [{"spec": d.spec, "property": d.property, "kind": d.kind,
                        "change": d.change.name, "before": d.before, "after": d.after,
                        "old": _trace_summary_json(d.old), "new": _trace_summary_json(d.new)}
                       for d in cmp.properties],
        "specs": [{"spec": d.spec, "change": d.change.name, "before": d.before,
                   "after": d.after} for d in cmp.specs],
    }


def document(results: list[dict], errors: list[dict], exit_code: int,
             baseline: dict | None = None) -> dict:
    """The `check --json` document; `baseline` (baseline_json) only with --baseline."""
    doc = {
        "tool": "protocheck",
        "version": __version__,
        "schema": SCHEMA_VERSION,
        "results": results,
        "errors": errors,
    }
    if baseline is not None:
        doc["baseline"] = baseline
    doc["exit_code"] = exit_code
    return doc
