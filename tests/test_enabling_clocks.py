"""The clock of a time-bounded handler or step starts when it becomes enabled and restarts when
it fires (docs/time.md, "Time model"): `when flag within 0` reacts when the flag goes up, not
only at the instant its actor entered the state; `on M ... within d` is a delivery deadline;
a self-loop `after 2 .. 2` ticks every 2 time units. Each case has a hand-derived verdict or
region, and the regions are brute-forced point by point."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, check, write_spec

from checker import run

TIMED = ROOT / "tests" / "timed"


@pytest.mark.parametrize("spec,verdict,safe", [
    ("react", "holds for all", "true"),  # the reaction comes at once, whenever the flag goes up
    ("sigterm", "holds iff", "react < grace"),  # drained before the kill; a tie races
])
def test_regions(spec, verdict, safe):
    syn = run.synthesize(str(TIMED / f"{spec}.spec"))
    assert syn.complete
    assert (syn.verdict, syn.safe) == (verdict, safe)


def test_lateack_region(tmp_path: Path):
    # The client gives up at 5 and takes the ack at once: safe iff the ack comes before 5.
    spec = write_spec(tmp_path, TIMED / "lateack.model", "expect holds")
    syn = run.synthesize(str(spec), run.SynthesisOptions(roots=(str(ROOT),)))
    assert (syn.verdict, syn.safe) == ("holds iff", "ack_delay < 5")


@pytest.mark.parametrize("react,grace", [(0, 0), (0, 1), (2, 3), (3, 3), (4, 2), (5, 5)])
def test_sigterm_points_agree_with_the_region(tmp_path, react, grace):
    body = ("invariant drained_before_kill: Platform at Killed implies App at Draining\n"
            f"param react = {react}\nparam grace = {grace}\nexpect holds")
    r = run.check(str(write_spec(tmp_path, TIMED / "sigterm.model", body)), run.CheckOptions(
        roots=(str(ROOT),)))
    assert r.complete
    assert (r.verdict == "holds") == (react < grace)


def test_a_handler_without_a_deadline_may_wait_forever(tmp_path: Path):
    # Without `within react` the app may handle SIGTERM at any time: drained for no params.
    model = tmp_path / "lazy.model"
    model.write_text((TIMED / "sigterm.model").read_text().replace(" within react", ""))
    _, report = check(tmp_path, model, "invariant drained: Platform at Killed implies App at "
                      "Draining\nexpect violated")
    assert report.verdict == "violated"
    syn = run.synthesize(str(tmp_path / "test.spec"), run.SynthesisOptions(roots=(str(ROOT),)))
    assert syn.verdict == "violated for all"


def test_a_self_loop_restarts_its_clock(tmp_path: Path):
    # Ticks at t = 2, 4, 6: with the timer at 7 the third tick overflows ticks (0..3) at t = 6.
    _, report = check(tmp_path, TIMED / "tick.model", "expect violated", consts={"STOP_AT": 7})
    (cx,) = report.counterexamples
    assert cx.property.name == "range"
    assert cx.violation.witness.times == ("0", "2", "4", "6")
    _, report = check(tmp_path, TIMED / "tick.model", "expect holds", consts={"STOP_AT": 5})
    assert report.verdict == "holds"
