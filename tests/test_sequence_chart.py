"""The sequence chart explains itself: the causal chain of a violation (across actors and
transitively), which final states are highlighted, the legend, source lines and time labels.

Through the layout API (`checker.render.sequence.layout`: roles, lifelines, legend entries,
time marks) and the DOT text; a trace with a step that is on the way but not on the chain is
built by hand (breadth-first search finds none). Golden files are in tests/golden
(PROTOCHECK_UPDATE_GOLDEN=1 rewrites them).
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT

from checker import run
from checker.engines.result import Violation
from checker.properties import INVARIANT
from checker.render import palette
from checker.render.sequence import TimeMark, draw, layout, sequence_dot
from checker.trace import build_trace

GOLDEN = ROOT / "tests" / "golden"
CHART = "tests/chart"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # spans, as the goldens show them, are relative to the root


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PROTOCHECK_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from its golden file"


def _report(spec: str):
    return run.check(spec)


def _cx(report, prop: str):
    return next(c for c in report.counterexamples if c.property.name == prop)


def _layout(report, prop: str):
    cx = _cx(report, prop)
    return layout(report.system, cx.trace, title=prop, invariant=cx.property.invariant,
                  liveness=cx.property.liveness)


def _roles(lay) -> list[str]:
    return [b.role for b in lay.boxes]


def _hand_trace(report, prop: str, moves: list[tuple[str, str]]):
    """The trace that takes `moves` ((instance, step name), ...) from the initial state, as
    if a search had found it violating `prop`."""
    system = report.system
    state, path = system.initial, [system.initial]
    for instance, name in moves:
        out: list = []
        info: list = []
        system.successors_traced(state, out, [], [0] * len(system.transitions), info)
        state = next(t for t, (tid, k, _slot, _msg) in zip(out, info)
                     if system.transitions[tid].name == name
                     and system.transitions[tid].instances[k] == instance)
        path.append(state)
    return build_trace(system, Violation(INVARIANT, prop, "", tuple(path)))


def _hand_layout(report, prop: str, moves: list[tuple[str, str]]):
    cx = _cx(report, prop)
    return layout(report.system, _hand_trace(report, prop, moves), title=prop,
                  invariant=cx.property.invariant)


# ---------------------------------------------------------------- the causal chain

def test_a_read_of_another_actors_variable_marks_the_step_that_wrote_it():
    # App[0]'s exit reads Envoy[index(self)].forwarding, set by Envoy[0]'s first step; the
    # property reads only App's variable.
    report = _report(f"{CHART}/envoy_sidecar.spec")
    lay = _layout(report, "no_dropped_requests")
    assert [(b.cell[0], b.lines[0]) for b in lay.boxes] == [
        (0, "1. step StartForwarding"), (2, "2. step Exit")]
    assert _roles(lay) == ["involved", "violation"]


# Envoy[1] starts forwarding first, then Envoy[0], then App[0] (which reads Envoy[0]) exits.
BOTH_ENVOYS_START = [("Envoy[1]", "StartForwarding"), ("Envoy[0]", "StartForwarding"),
                     ("App[0]", "Exit")]


def test_the_instance_read_is_resolved_and_other_instances_stay_neutral():
    report = _report(f"{CHART}/envoy_sidecar.spec")
    lay = _hand_layout(report, "no_dropped_requests", BOTH_ENVOYS_START)
    assert _roles(lay) == ["step", "involved", "violation"]
    # Only the final state the property reads, of the instance that breaks it, is highlighted.
    assert [ln.instance for ln in lay.lifelines if ln.relevant] == ["App[0]"]
    assert next(ln for ln in lay.lifelines if ln.instance == "App[0]").final == (
        "Exited", "dropped_requests=true")


def test_a_property_that_reads_another_actor_marks_its_writer():
    report = _report(f"{CHART}/envoy_sidecar.spec")
    lay = _hand_layout(report, "exit_after_drain", BOTH_ENVOYS_START)
    assert _roles(lay) == ["step", "involved", "violation"]
    assert [ln.instance for ln in lay.lifelines if ln.relevant] == ["Envoy[0]", "App[0]"]


def test_envoy_sidecar_charts_golden(cli, tmp_path):
    code, _out, err = cli("check", f"{CHART}/envoy_sidecar.spec", "--diagrams", str(tmp_path),
                          "--no-progress")
    assert code == 0, err
    for prop in ("no_dropped_requests", "exit_after_drain"):
        text = (tmp_path / f"envoy_sidecar-{prop}.dot").read_text()
        _golden(f"envoy_sidecar-{prop}.dot", text)
        assert 'id="step_1", class="step involved"' in text
        assert 'id="step_2", class="step violation"' in text


def test_the_chain_is_transitive_and_an_unrelated_step_stays_neutral():
    # Writer sets x; Relay reads Writer.x, sets y; Reader reads Relay.y and breaks the
    # invariant. Idler's step, second, touches nothing they read.
    report = _report(f"{CHART}/relay.spec")
    moves = [("Writer", "WriteX"), ("Idler", "Tick"), ("Relay", "CopyX"), ("Reader", "ReadY")]
    cx = _cx(report, "never_broken")
    trace = _hand_trace(report, "never_broken", moves)
    lay = layout(report.system, trace, title="relay", invariant=cx.property.invariant)
    assert _roles(lay) == ["involved", "step", "involved", "violation"]
    assert [ln.instance for ln in lay.lifelines if ln.relevant] == ["Reader"]
    text = sequence_dot(report.system, trace, title="relay: a hand-made trace",
                        invariant=cx.property.invariant)
    _golden("relay-never_broken.dot", text)
    assert re.search(r'id="step_2", class="step", label=<[^>]*Tick', text)
    assert 'id="end_Idler", label="Done", style="filled,rounded", fontsize=9, ' \
        'fillcolor="gray95"' in text


def test_messages_link_the_chain_and_the_own_state_link_is_not_followed():
    # forwarding_task: the response (5) answers the request (4) the dispatch (3) sent; the
    # steps that brought Invocation[0] to Received (1, 2) are not followed (causal.py).
    report = _report("specs/forwarding_task_buggy_n2.spec")
    lay = _layout(report, "forwarding_task_set_before_awaited")
    assert _roles(lay) == ["step", "step", "involved", "involved", "violation"]
    assert {a.message_id: a.on_chain for a in lay.arrows} == {1: False, 2: True, 3: True}
    assert [ln.instance for ln in lay.lifelines if ln.relevant] == ["Invocation[0]"]


def test_a_forall_highlights_only_the_instance_that_breaks_it():
    report = _report("specs/forwarding_task_buggy_n4.spec")
    lay = _layout(report, "forwarding_task_set_before_awaited")
    relevant = [ln.instance for ln in lay.lifelines if ln.relevant]
    assert relevant == ["Invocation[0]"]
    assert lay.shared is None


def test_a_liveness_stop_follows_the_fault_that_lost_the_request():
    # The client waits for ever: its request was dispatched (4), and the crash (5) lost it.
    report = _report("specs/forwarding_task_fixed_worker_crash.spec")
    lay = _layout(report, "every_request_answered[HttpClient]")
    assert [b.kind for b in lay.boxes] == ["internal", "handler", "internal", "internal",
                                           "fault", "handler"]
    assert _roles(lay) == ["involved", "step", "step", "involved", "involved", "step"]
    assert [a.on_chain for a in lay.arrows if a.lost] == [True]


# ---------------------------------------------------------------- legend, sources, time

def _legend_texts(dot: str) -> set[str]:
    legend = re.search(r'legend \[id="legend", label=<(.*)>, shape="plaintext"', dot).group(1)
    return {text for _key, text in palette.LEGEND if f">{text}</TD>" in legend}


def test_the_legend_lists_exactly_the_roles_present():
    report = _report("specs/forwarding_task_buggy_n2.spec")
    lay = _layout(report, "forwarding_task_set_before_awaited")
    assert lay.legend == ("violation", "involved", "handler", "internal", "message",
                          "message_chain", "final")
    texts = dict(palette.LEGEND)
    assert _legend_texts(draw(lay)) == {texts[k] for k in lay.legend}

    crash = _report("specs/forwarding_task_fixed_worker_crash.spec")
    lay = _layout(crash, "every_request_answered[HttpClient]")
    assert lay.legend == ("involved", "handler", "internal", "fault", "message", "lost",
                          "down", "final")
    assert _legend_texts(draw(lay)) == {texts[k] for k in lay.legend}


def test_every_box_shows_its_source_line(cli, tmp_path):
    code, _out, err = cli("check", "specs/forwarding_task_fixed_worker_crash.spec",
                          "--diagrams", str(tmp_path), "--no-progress")
    assert code == 0, err
    base = tmp_path / "forwarding_task_fixed_worker_crash-every_request_answered_HttpClient"
    dot = base.with_suffix(".dot").read_text()
    sources = re.findall(r'id="step_\d+", .*?<FONT POINT-SIZE="8" COLOR="#555555">([^<]*)</FONT>',
                         dot)
    assert sources == ["forwarding_task.model:28", "forwarding_task.model:50",
                       "forwarding_task.model:65", "forwarding_task.model:69",
                       "forwarding_task_fixed_worker_crash.spec:8",  # the fault's clause
                       "forwarding_task_fixed_worker_crash.spec:8"]  # the restart's
    # Visible text in the picture, not a tooltip.
    svg = ET.parse(base.with_suffix(".svg")).getroot()
    step = next(g for g in svg.iter(f"{SVG}g") if g.get("id") == "step_2")
    assert "forwarding_task.model:50" in [t.text for t in step.iter(f"{SVG}text")]


def test_a_timed_trace_has_time_labels_and_an_untimed_one_none():
    timed = _report("specs/dora_drop_token_buggy.spec")
    lay = _layout(timed, "drop_token_acknowledged_before_kill")
    assert lay.times == (TimeMark(1, "0", ""), TimeMark(2, "2", "2"), TimeMark(3, "2", ""))
    dot = draw(lay)
    labels = re.findall(r'time_(\d) \[id="time_\d", class="time", label="([^"]*)"', dot)
    assert labels == [("0", "time"), ("1", "t=0"), ("2", "t=2\\n(+2)"), ("3", "t=2"), ("4", "")]
    assert "@ t=" not in dot  # the time is in the margin, not in the boxes
    # Time passes between rows 1 and 2 only: the axis is solid there.
    assert re.findall(r"time_(\d) -> time_\d \[style=\"solid\"", dot) == ["1"]

    untimed = _report("specs/forwarding_task_buggy_n2.spec")
    lay = _layout(untimed, "forwarding_task_set_before_awaited")
    assert lay.times == ()
    dot = draw(lay)
    assert 'class="time"' not in dot and not re.search(r"\btime_\d|\"t=\d", dot)


def test_a_missed_deadline_says_when_at_the_end_of_the_axis():
    report = _report("specs/dora_drop_token_fixed.spec")
    lay = _layout(report, "stop_finishes")
    assert lay.late and lay.times
    dot = draw(lay)
    passed = int(lay.late) - int(lay.times[-1].time)
    assert f'label="t={lay.late}\\n(+{passed})\\ndeadline\\npassed"' in dot


def test_a_deadlock_follows_the_guard_that_holds_the_stuck_instance():
    # Closer shuts `open`, which Waiter's only step waits on; Other's step comes last and is
    # unrelated. The chain is the step that made the guard false; no step is "the violation"
    # (the deadlock is the final state's), and the guard's variable is highlighted.
    report = _report(f"{CHART}/stuck.spec")
    lay = _layout(report, "deadlock")
    assert [b.lines[0] for b in lay.boxes] == ["1. step Close", "2. step Finish"]
    assert _roles(lay) == ["involved", "step"]
    assert [ln.instance for ln in lay.lifelines if ln.relevant] == ["Waiter"]
    assert lay.shared is not None and lay.shared.relevant and lay.shared.final == ("open=false",)
