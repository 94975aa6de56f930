"""A step's sends are listed, and their messages numbered, in the order the statements ran.

The receivers are declared Yak before Zed, so the channel slots are laid out Boss->Yak before
Boss->Zed: a trace that recovered sends from the slots, in layout order, would list the send
to Yak first. The same holds for a timed model, whose search hands the trace each step's
transition.
"""

from __future__ import annotations

import re

import pytest

MODEL = """\
protocol order
message Go
message Stop

channel Boss -> Zed capacity 2
channel Boss -> Yak capacity 2 unordered

actor Boss {
  var branch: 0..2 = 0
  state Idle initial
  state Done final
  step start in Idle TIMING{
    STEP
    goto Done
  }
}

actor Yak {
  var got: 0..2 = 0
  state Waiting initial final
  on Go { got = got + 1 }
}

actor Zed {
  var got: 0..2 = 0
  state Waiting initial final
  on Go { got = got + 1 }
  on Stop { got = got + 1 }
}
"""

SPEC = """\
spec order
model "order.model"
invariant not_all_delivered: not (Zed.got == 2 and Yak.got == 1 and CONDITION)
expect violated
"""


def _trace(cli, tmp_path, step: str, condition: str = "true", timing: str = "") -> list[str]:
    (tmp_path / "order.model").write_text(MODEL.replace("STEP", step).replace("TIMING", timing))
    spec = tmp_path / "order.spec"
    spec.write_text(SPEC.replace("CONDITION", condition))
    code, out, err = cli("check", str(spec), "--no-progress")
    assert code == 0, err
    return [line.strip() for line in out.splitlines()]


def _sends(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("sends ")]


def _ids(lines: list[str]) -> list[int]:
    return [int(n) for line in lines for n in re.findall(r"#(\d+) to ", line)]


@pytest.mark.parametrize("timing", ["", "within 1 "], ids=["untimed", "timed"])
def test_sends_are_listed_in_program_order(cli, tmp_path, timing):
    lines = _trace(cli, tmp_path, "send Go to Zed\n    send Go to Yak\n    send Stop to Zed",
                   timing=timing)
    assert _sends(lines) == ["sends Go#1 to Zed", "sends Go#2 to Yak", "sends Stop#3 to Zed"]
    ids = _ids(_sends(lines))
    assert ids == sorted(ids) == [1, 2, 3]
    # Each delivery names the message by the id its send was given.
    delivered = dict(m.group(2, 1) for line in lines
                     if (m := re.match(r"\d+\. (\w+) +on (\w+#\d+) from Boss", line)))
    assert delivered == {"Go#1": "Zed", "Go#2": "Yak", "Stop#3": "Zed"}


def test_each_branch_of_a_choose_lists_its_own_order(cli, tmp_path):
    step = ("choose {\n      send Go to Zed\n      send Go to Yak\n      branch = 1\n"
            "    } or {\n      send Stop to Zed\n      send Go to Yak\n      send Go to Zed\n"
            "      branch = 2\n    }")
    # Only the second branch sends Zed two messages, and the property asks for it.
    lines = _trace(cli, tmp_path, step, condition="Boss.branch == 2")
    assert _sends(lines) == ["sends Stop#1 to Zed", "sends Go#2 to Yak", "sends Go#3 to Zed"]
    assert _ids(_sends(lines)) == [1, 2, 3]
