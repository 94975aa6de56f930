"""SARIF 2.1.0: each violation a result at the property's line in the spec, with the trace as
a codeFlow whose locations point at the source lines of the handlers and steps that fired.

Levels: a violation the spec does not expect is an `error`; one it expects (`expect violated`,
a documented known bug) is a `note`; a spec that expects a violation but holds, or that is
inconclusive, is a `warning` at its `expect` line.
"""

from __future__ import annotations

import os

from checker import __version__
from checker.source import Span

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULES = [
    ("invariant", "An invariant of the spec is violated in a reachable state."),
    ("deadlock", "No transition is enabled while some actor is not in a final state."),
    ("assert", "An assert statement fails."),
    ("range", "A value is stored outside its variable's range."),
    ("runtime", "An expression is undefined (instance index out of range, division by zero)."),
    ("expectation", "The verdict does not match the spec's expectation, or is inconclusive."),
]


def _uri(path: str, base: str) -> str:
    rel = os.path.relpath(os.path.abspath(path), base)
    return rel.replace(os.sep, "/")


def _location(span: Span, base: str, message: str | None = None) -> dict:
    loc: dict = {"physicalLocation": {
        "artifactLocation": {"uri": _uri(span.path, base), "uriBaseId": "SRCROOT"},
        "region": {"startLine": max(span.line, 1), "startColumn": max(span.column, 1)},
    }}
    if message:
        loc["message"] = {"text": message}
    return loc


def sarif_document(entries: list[dict], base: str) -> dict:
    """`entries`: per spec, the dict built by `checker.render.json.result_json` plus
    `_spans` (property name -> Span), `_expect_span` and `_traces` (Trace per violation)."""
    results = []
    rule_index = {rid: k for k, (rid, _) in enumerate(RULES)}
    for e in entries:
        expected = e["expect"] == "violated"
        for v, trace in zip(e["violations"], e["_traces"]):
            rule = v["kind"] if v["kind"] in rule_index else "invariant"
            span = e["_spans"].get(v["property"]) or e["_expect_span"]
            steps = []
            for s in trace.steps:
                what = f"{s.number}. {s.instance}: {s.kind} {s.name}"
                if s.received is not None:
                    what += f" (receives {s.received.describe()} from {s.received.sender})"
                for m in s.sent:
                    what += f"; sends {m.describe()} to {m.receiver}"
                if s.state_before != s.state_after:
                    what += f"; {s.state_before} -> {s.state_after}"
                for c in s.changes:
                    what += f"; {c.name}: {c.before} -> {c.after}"
                steps.append({"location": _location(s.span, base, what),
                              "executionOrder": s.number})
            text = (f"spec {e['spec']}: {v['property']} violated "
                    f"({'expected: a known bug this spec documents' if expected else 'unexpected'}"
                    f"): {v['description']}. Counterexample of {len(trace.steps)} steps.")
            result = {
                "ruleId": rule,
                "ruleIndex": rule_index[rule],
                "level": "note" if expected else "error",
                "message": {"text": text},
                "locations": [_location(span, base)],
                "partialFingerprints": {"protocheck/v1": f"{e['spec']}/{v['property']}"},
            }
            if steps:
                result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
            results.append(result)
        if e["verdict"] == "inconclusive" or (expected and e["verdict"] == "holds"):
            why = ("inconclusive: " + (e["limit"] or "")) if e["verdict"] == "inconclusive" \
                else "expected a violation but every property holds"
            results.append({
                "ruleId": "expectation",
                "ruleIndex": rule_index["expectation"],
                "level": "warning",
                "message": {"text": f"spec {e['spec']}: {why}"},
                "locations": [_location(e["_expect_span"], base)],
                "partialFingerprints": {"protocheck/v1": f"{e['spec']}/expectation"},
            })
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "protocheck",
                "version": __version__,
                "informationUri": "https://github.com/protocheck/protocheck",
                "rules": [{"id": rid, "name": rid, "shortDescription": {"text": desc},
                           "defaultConfiguration": {"level": "error"}}
                          for rid, desc in RULES],
            }},
            "results": results,
        }],
    }
