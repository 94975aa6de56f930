"""Constants may use one another in any order: each is evaluated after the ones it uses, and a
spec's override of one flows into the constants defined from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import check

MODEL = """protocol p
const N = M + 1
const M = 3
actor A {
  var x: 0..N = 0
  state S initial final
  step up when x < N { x = x + 1 }
}
"""


def test_a_constant_may_use_one_declared_below(tmp_path: Path):
    model = tmp_path / "m.model"
    model.write_text(MODEL)
    _, report = check(tmp_path, model, "invariant small: A.x <= 3\nexpect violated")
    # N = M + 1 = 4: x runs 0..4, so x <= 3 fails after four steps.
    assert report.stats.states == 5
    assert [len(c.trace.steps) for c in report.counterexamples] == [4]


def test_an_override_flows_into_the_constants_that_use_it(tmp_path: Path):
    model = tmp_path / "m.model"
    model.write_text(MODEL)
    _, report = check(tmp_path, model, "invariant small: A.x <= 3\nexpect holds",
                      consts={"M": 1})
    assert report.verdict == "holds"
    assert report.stats.states == 3  # N = 2


TIMED_DIVISION = """protocol p
const HALF = 9 / 2
actor A {{
  timer t = {duration}
  state S initial  state Armed  state T final
  step go in S within 0 {{ start t  goto Armed }}
  on timeout t in Armed {{ goto T }}
}}
"""


@pytest.mark.parametrize("duration", ["HALF", "8 / 2", "4", "(6 + 2) / 2"])
def test_division_means_the_same_in_a_constant_and_in_a_duration(tmp_path: Path, duration):
    # HALF = 9 / 2 rounds down to 4; an exact 8 / 2 is 4 too: the timer fires at t = 4.
    model = tmp_path / "m.model"
    model.write_text(TIMED_DIVISION.format(duration=duration))
    _, report = check(tmp_path, model, "invariant never_t: not (A at T)\nexpect violated")
    (cx,) = report.counterexamples
    assert cx.violation.witness.times == ("0", "4")
