"""A report's counterexample as a sequence chart (DOT): the title says which spec, which
constants, how many steps and, for a timed violation, the witness and its param region."""

from __future__ import annotations

from checker.render.sequence import sequence_dot
from checker.render.text import constants_text, length_text
from checker.report import Counterexample, Report, SimulationReport


def counterexample_dot(report: Report | SimulationReport, cx: Counterexample) -> str:
    consts = constants_text(report.model)
    title = (f"spec {report.name}" + (f" ({consts})" if consts else "")
             + f": counterexample, {length_text(cx.trace)}")
    v = cx.violation
    if v.witness is not None:
        title += f"\nwitness: {v.witness.params_text()}; violated for {v.region}"
    return sequence_dot(report.system, cx.trace, title=title, invariant=cx.property.invariant,
                        liveness=cx.property.liveness)
