"""JUnit XML: one test suite per spec, one test case per spec x property (each invariant, and
deadlock freedom when it is checked; a built-in property such as assert only when it fails),
plus an `expect violated` case for specs that document a known bug and an `expect holds` case
for specs whose search was cut short.

A property the search did not decide (it stopped at a bound, the timeout, or the first
violation of another property) is a skipped case whose message says why: never a pass. A
case's time is when its property was decided: the moment of its violation, or the whole
search for a proof. Failures carry the text trace.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from checker.properties import BROKEN, DEADLOCK, HOLDS, INCONCLUSIVE, NOT_CHECKED, VIOLATED
from checker.render.text import counterexample_lines
from checker.report import Outcome, Report


def junit_document(reports: list[Report]) -> bytes:
    root = ET.Element("testsuites", name="protocheck")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in reports:
        counts = _suite(root, report)
        for k in totals:
            totals[k] += counts[k]
    for k, n in totals.items():
        root.set(k, str(n))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _cases(report: Report) -> list[Outcome]:
    # Built-ins that cannot fail unnoticed (assert, range, runtime) only get a case when they
    # fail, so that a suite lists what the spec is about.
    return [o for o in report.outcomes
            if o.property.kind.declared or o.property.kind is DEADLOCK or o.status is BROKEN]


def _suite(root: ET.Element, report: Report) -> dict[str, int]:
    suite = ET.SubElement(root, "testsuite", name=report.name, file=report.spec_path)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    expect_violated = report.config.expect == VIOLATED
    texts = {cx.property.name: "\n".join(counterexample_lines(report, cx))
             for cx in report.counterexamples}
    for o in _cases(report):
        case = _case(suite, report, o.property.name, o.seconds)
        counts["tests"] += 1
        if o.status is BROKEN:
            text = texts[o.property.name]
            if expect_violated:
                out = ET.SubElement(case, "system-out")
                out.text = "violated, as the spec expects (a known bug):\n" + text
            else:
                counts["failures"] += 1
                kind = next(cx.violation.kind.name for cx in report.counterexamples
                            if cx.property.name == o.property.name)
                f = ET.SubElement(case, "failure", type=kind,
                                  message=f"{o.property.name} violated: {o.property.description}")
                f.text = text
        elif o.status is NOT_CHECKED:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=f"not fully checked: {o.reason}")
    if expect_violated or report.verdict == INCONCLUSIVE:
        counts["tests"] += 1
        failed_as = _expectation_case(suite, report)
        if failed_as:
            counts[failed_as] += 1
    for k, n in counts.items():
        suite.set(k, str(n))
    suite.set("time", f"{report.seconds:.3f}")
    return counts


def _case(suite: ET.Element, report: Report, name: str, seconds: float) -> ET.Element:
    return ET.SubElement(suite, "testcase", name=name, classname=report.name,
                         file=report.spec_path, time=f"{seconds:.3f}")


def _expectation_case(suite: ET.Element, report: Report) -> str:
    """The case for the spec's `expect` line; returns the count it adds to ("" for a pass)."""
    expect = report.config.expect
    case = _case(suite, report, f"expect {expect}", report.seconds)
    if report.verdict == INCONCLUSIVE:
        err = ET.SubElement(case, "error", type="inconclusive",
                            message=f"inconclusive: {report.limit}")
        err.text = (f"exploration stopped early ({report.limit}) after "
                    f"{report.stats.states} states; the verdict is not known")
        return "errors"
    if report.verdict == HOLDS and expect == VIOLATED:
        ET.SubElement(case, "failure", type="expectation",
                      message="the spec expects a violation but every property holds")
        return "failures"
    return ""
