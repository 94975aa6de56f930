"""The machine-readable result (`--json`): plain dicts, documented in docs/json.md.

Schema version 1. Everything except `stats.seconds` and `stats.states_per_second` is
deterministic for a given input.
"""

from __future__ import annotations

from checker import __version__, ir
from checker.compile import System
from checker.explore import Result
from checker.render.text import BUILTIN_PROPERTIES
from checker.source import Span
from checker.trace import MessageEvent, Trace

SCHEMA_VERSION = 1


def location(span: Span | None) -> dict | None:
    if span is None:
        return None
    return {"file": span.path, "line": span.line, "column": span.column}


def message_json(m: MessageEvent) -> dict:
    return {"id": m.id, "message": m.message, "fields": dict(m.fields), "sender": m.sender,
            "receiver": m.receiver}


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
            }
            for s in trace.steps
        ],
        "in_flight": [message_json(m) for m in trace.in_flight],
    }


def result_json(*, spec_path: str, spec_name: str, model: ir.Model, system: System,
                config: ir.CheckConfig, result: Result, traces: list[Trace | None],
                matches: bool, warnings: list[str]) -> dict:
    invariants = {inv.name: inv for inv in config.invariants}
    violations = []
    for v, trace in zip(result.violations, traces):
        inv = invariants.get(v.property)
        violations.append({
            "kind": v.kind,
            "property": v.property,
            "description": inv.description if inv else BUILTIN_PROPERTIES.get(v.kind, v.kind),
            "location": location(inv.span if inv else v.span),
            "message": v.message,
            "region": v.region,
            "witness": None if v.witness is None else {
                "params": dict(v.witness.params), "times": list(v.witness.times)},
            "trace": trace_json(trace) if trace else None,
        })
    never = [t for t in system.transitions if result.fired[t.id] == 0] if result.complete else []
    st = result.stats
    return {
        "spec": spec_name,
        "path": spec_path,
        "model": {"name": model.name, "path": model.path},
        "constants": dict(model.const_display),
        "expect": config.expect,
        "verdict": result.verdict,
        "matches_expectation": matches,
        "complete": result.complete,
        "limit": result.limit or None,
        "stats": {"states": st.states, "transitions": st.transitions, "depth": st.depth,
                  "seconds": round(st.seconds, 6),
                  "states_per_second": round(st.states_per_second, 1)},
        "violations": violations,
        "coverage": {
            "complete": result.complete,
            "never_fired": [{"actor": t.actor, "kind": t.kind, "name": t.name,
                             "location": location(t.span),
                             "disabled_by_configuration": t.disabled_by_config} for t in never],
            "fired": {f"{t.actor}: {t.label}": result.fired[t.id] for t in system.transitions},
        },
        "vacuous": list(result.vacuous),
        "warnings": warnings,
    }


def document(results: list[dict], errors: list[dict], exit_code: int) -> dict:
    return {
        "tool": "protocheck",
        "version": __version__,
        "schema": SCHEMA_VERSION,
        "results": results,
        "errors": errors,
        "exit_code": exit_code,
    }
