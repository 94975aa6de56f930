"""SARIF 2.1.0: each violation a result at the property's line in the spec, with the trace as
a codeFlow whose locations point at the source lines of the handlers and steps that fired.

Levels: a violation the spec does not expect is an `error`; one it expects (`expect violated`,
a documented known bug) is a `note`; a spec that expects a violation but holds, or that is
inconclusive, is a `warning` at its `expect` line.

Fingerprints: code scanning tracks an alert across runs by its result's `partialFingerprints`.
Ours hash what names the result (spec name, property kind and name), never a line number or a
path, so lines moving above the property and an edit of its expression leave it unchanged;
renaming the property or the spec changes it.
"""

from __future__ import annotations

import hashlib
import json
import os

from checker import __version__
from checker.properties import EXPECTATION_RULE, HOLDS, INCONCLUSIVE, KINDS, VIOLATED
from checker.render.text import length_text
from checker.report import Counterexample, Report
from checker.source import Span
from checker.trace import Trace

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VIOLATION_FINGERPRINT = "protocheckViolation/v1"
EXPECTATION_FINGERPRINT = "protocheckExpectation/v1"
RULES = [(k.name, k.rule) for k in KINDS] + [EXPECTATION_RULE]


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


def _flow(trace: Trace, base: str) -> list[dict]:
    steps = []
    for s in trace.steps:
        what = f"{s.number}. {s.instance}: {s.kind} {s.name}"
        if s.fault is not None:  # the location is the spec's fault clause
            what = (f"{s.number}. FAULT {s.fault.describe()} ({s.fault.used} of "
                    f"{s.fault.budget}: {s.fault.clause})")
        if s.received is not None:
            what += f" (receives {s.received.describe()} from {s.received.sender})"
        for m in s.sent:
            what += f"; sends {m.describe()} to {m.receiver}"
        for m in s.lost:
            what += f"; sends {m.describe()} to {m.receiver}, lost: {m.receiver} is down"
        if s.state_before != s.state_after:
            what += f"; {s.state_before} -> {s.state_after}"
        for c in s.changes:
            what += f"; {c.name}: {c.before} -> {c.after}"
        if s.number == trace.loop:
            what = "cycle, repeating forever from here: " + what
        if s.number == len(trace.steps) and trace.loop is not None:
            what += f"; then back to step {trace.loop}"
        elif s.number == len(trace.steps) and trace.stutter:
            what += "; then nothing more happens"
        steps.append({"location": _location(s.span, base, what), "executionOrder": s.number})
    return steps


def _violation_result(report: Report, cx: Counterexample, base: str) -> dict:
    expected = report.config.expect == VIOLATED
    rule = cx.violation.kind.name
    span = cx.property.span or report.expect_span
    text = (f"spec {report.name}: {cx.property.name} violated "
            f"({'expected: a known bug this spec documents' if expected else 'unexpected'}"
            f"): {cx.property.description}. Counterexample of {length_text(cx.trace)}.")
    result = {
        "ruleId": rule,
        "ruleIndex": _RULE_INDEX[rule],
        "level": "note" if expected else "error",
        "message": {"text": text},
        "locations": [_location(span, base)],
        **_fingerprints(VIOLATION_FINGERPRINT, report.name, cx.property.kind.name,
                        cx.property.name),
    }
    steps = _flow(cx.trace, base)
    if steps:
        result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
    return result


def _expectation_result(report: Report, base: str) -> dict | None:
    if report.verdict == INCONCLUSIVE:
        why = f"inconclusive: {report.limit}"
    elif report.config.expect == VIOLATED and report.verdict == HOLDS:
        why = "expected a violation but every property holds"
    else:
        return None
    # Which of the two, not the bound's text: raising --max-states keeps the alert.
    fingerprints = _fingerprints(EXPECTATION_FINGERPRINT, report.name, report.verdict)
    rule = EXPECTATION_RULE[0]
    return {
        "ruleId": rule,
        "ruleIndex": _RULE_INDEX[rule],
        "level": "warning",
        "message": {"text": f"spec {report.name}: {why}"},
        "locations": [_location(report.expect_span, base)],
        **fingerprints,
    }


def fingerprint(*parts: str) -> str:
    """sha256 of the parts, 32 hex digits. JSON-encoded first: no two lists of parts have
    the same text (a '/' in a name cannot make ('a/b', 'c') equal to ('a', 'b/c'))."""
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


def _fingerprints(key: str, *parts: str) -> dict:
    """GitHub reads `partialFingerprints`; SARIF's `fingerprints` (a stable identity of the
    result, which ours is: one result per spec and property) serves other viewers."""
    value = {key: fingerprint(*parts)}
    return {"partialFingerprints": value, "fingerprints": dict(value)}


_RULE_INDEX = {rid: k for k, (rid, _) in enumerate(RULES)}


def sarif_document(reports: list[Report], base: str) -> dict:
    """Every report's violations as SARIF results; paths relative to `base`."""
    results = []
    for report in reports:
        results += [_violation_result(report, cx, base) for cx in report.counterexamples]
        expectation = _expectation_result(report, base)
        if expectation is not None:
            results.append(expectation)
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
