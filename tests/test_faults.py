"""Faults end to end: fewest faults first, the budget oracle, what a crash resets and keeps,
deadlock and liveness with faults, and the trace text (docs/faults.md).

The budget oracle re-runs the plain breadth-first search (the reference engine, which knows
nothing of fault order) with a total budget of 0, 1, 2, ...: the first budget at which a
property is violated must be the number of faults of the reported counterexample, and the
plain search's trace at that budget must be as long, since no trace with fewer faults exists.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from checker.cli import main
from checker.compile import compile_system
from checker.engines import bfs
from checker.engines.common import Limits
from checker.load import load_spec
from checker.run import check

ROOT = Path(__file__).resolve().parent.parent
ORDER = ROOT / "tests" / "fault_order"


def _faults(trace) -> int:
    return sum(1 for s in trace.steps if s.fault is not None)


def _plain(loaded, total: int | None):
    """The plain BFS of the spec with the total fault budget set to `total`."""
    cfg = loaded.config
    faults = replace(cfg.faults, total=total)
    system = compile_system(loaded.model, cfg.invariants, liveness=cfg.liveness, faults=faults)
    return system, bfs.search(system, Limits(deadlock=cfg.deadlock, stop_at_first=False))


def oracle(spec: Path) -> None:
    """Every violation's fault count and length against plain searches at budgets 0, 1, ..."""
    loaded = load_spec(str(spec))
    report = check(loaded)
    assert report.counterexamples, "the oracle needs a violated spec"
    for cx in report.counterexamples:
        if cx.violation.lasso is not None:
            continue  # liveness: the plain engine decides safety only
        found = _faults(cx.trace)
        for budget in range(found + 1):
            system, plain = _plain(loaded, budget)
            hit = [v for v in plain.violations if v.property == cx.property.name]
            if budget < found:
                assert not hit, f"{cx.property.name} is violated with {budget} faults already"
            else:
                assert hit, f"{cx.property.name} is not violated with {budget} faults"
                assert len(hit[0].path) == len(cx.violation.path)
                assert system.faults_of(hit[0].path[-1]) == found


def test_fewest_faults_beat_plain_bfs():
    """Plain BFS finds 3 pings after 2 duplicates in 6 steps; the search reports the 11-step
    trace with one duplicate."""
    loaded = load_spec(str(ORDER / "fewest_first.spec"))
    report = check(loaded)
    (cx,) = report.counterexamples
    assert (_faults(cx.trace), len(cx.trace.steps)) == (1, 11)
    _, plain = _plain(loaded, None)
    (v,) = [v for v in plain.violations if v.property == "at_most_two_pings"]
    assert (loaded.system.faults_of(v.path[-1]), len(v.path) - 1) == (2, 6)
    oracle(ORDER / "fewest_first.spec")


def test_fewest_search_counts_what_plain_bfs_counts():
    loaded = load_spec(str(ORDER / "fewest_first.spec"))
    _, plain = _plain(loaded, None)
    from checker.engines import fewest

    full = fewest.search(loaded.system, Limits(stop_at_first=False))
    assert (full.stats.states, full.stats.transitions) == \
        (plain.stats.states, plain.stats.transitions)
    assert full.complete and plain.complete


VIOLATED_SPECS = sorted(p for p in (*ORDER.glob("*.spec"), *(ROOT / "specs").glob("*.spec"),
                                    *(ROOT / "tests" / "faults").glob("*.spec"))
                        if "expect violated" in p.read_text()
                        and "fault " in p.read_text() and "param" not in p.read_text()
                        and "graceful" not in p.name and "dora" not in p.name)


@pytest.mark.parametrize("spec", VIOLATED_SPECS, ids=lambda p: p.stem)
def test_budget_oracle(spec: Path):
    """Every violated spec with faults on an untimed model, the seeds' among them."""
    oracle(spec)


def test_the_oracle_covers_the_seeds():
    names = {p.stem for p in VIOLATED_SPECS}
    assert {"azure_linux_specialization_buggy", "fewest_first", "crash_restart",
            "lost_request"} <= names


def _successor(system, s: tuple, label_of) -> tuple:
    out, info = [], []
    system.successors_traced(s, out, [], [0] * len(system.transitions), info)
    (t,) = [t for t, lab in zip(out, info) if label_of(system.transitions[lab[0]])]
    return t


def test_crash_drops_messages_to_it_resets_volatile_keeps_durable_and_tells():
    """Ask, the server serves, Ask again, then the crash: `served` resets, `boots` is kept,
    the second request (in flight to the server) is lost with it, the client gets a notice;
    the restart resumes in the restart state and runs `on restart`."""
    from checker.engines.result import Violation
    from checker.properties import INVARIANT
    from checker.render.text import render_trace
    from checker.trace import build_trace

    system = load_spec(str(ORDER / "crash_restart.spec")).system
    path = [system.initial]
    for pick in (lambda t: t.name == "Ask", lambda t: t.name == "Req",
                 lambda t: t.name == "Resp", lambda t: t.name == "Ask",
                 lambda t: t.is_fault, lambda t: t.kind == "restart"):
        path.append(_successor(system, path[-1], pick))
    trace = build_trace(system, Violation(INVARIANT, "served_once", "", tuple(path)))
    crash, restart = trace.steps[4], trace.steps[5]
    assert crash.fault is not None and [m.describe() for m in crash.fault.dropped] == ["Req#3"]
    assert crash.state_after == "down"
    names = {c.name: (c.before, c.after) for c in crash.changes}
    assert names["Server.served"] == ("1", "0") and "Server.boots" not in names
    assert names["Client.crash:Server"] == ("{}", "{Server}")
    assert (restart.state_before, restart.state_after) == ("down", "Recovering")
    assert {c.name: c.after for c in restart.changes} == {"Server.boots": "1"}
    text = "\n".join(render_trace(system, trace, None))
    assert "5. FAULT   crash Server  (1 of 1: fault crash Server restart at most 1)" in text
    assert "lost with it: Req#3 from Client to Server" in text


def test_send_to_a_crashed_instance_is_lost(capsys):
    code = main(["check", str(ORDER / "crash_stop.spec")])
    out = capsys.readouterr().out
    assert code == 0
    assert "sends Req#1 to Server: lost, Server is down" in out
    assert "stuck, not in a final state: Client at Waiting" in out  # down counts as final


def test_only_faults_enabled_is_a_deadlock(capsys):
    """Losing the request leaves the client waiting; the only transitions left would be more
    faults, which is no progress."""
    code = main(["check", str(ORDER / "lost_request.spec")])
    out = capsys.readouterr().out
    assert code == 0
    assert "counterexample (1 fault; 2 steps):" in out
    assert "2. FAULT   lose Req#1  (1 of 2: fault lose Req at most 2)" in out


def test_liveness_stem_has_the_fewest_faults(capsys):
    code = main(["check", str(ORDER / "lost_request_liveness.spec")])
    out = capsys.readouterr().out
    assert code == 0
    assert "counterexample (1 fault; 2 steps, then nothing more happens):" in out
    assert "fair: nothing is enabled in the last state" in out


def test_the_json_report_names_the_fault(capsys):
    import json

    main(["check", str(ORDER / "lost_request.spec"), "--json"])
    doc = json.loads(capsys.readouterr().out)
    (v,) = doc["results"][0]["violations"]
    fault = v["trace"]["steps"][1]["fault"]
    assert fault["kind"] == "lose" and fault["clause"] == "fault lose Req at most 2"
    assert (fault["used"], fault["budget"], fault["total"]) == (1, 2, 1)
    assert (fault["target"], fault["message"]["id"], fault["message"]["message"]) == \
        ("Server", 1, "Req")
    assert v["trace"]["faults"] == 1
    itf = v["itf"]["states"][-1]
    assert itf["faults"]["used"] == {"#bigint": "1"} or itf["faults"]["used"] == 1
    assert v["itf"]["states"][2]["#meta"]["action"] == "FAULT: lose Req#1"


def test_sigterm_reaches_the_handler_and_spares_its_group(capsys):
    """The server handles SIGTERM; the helper, in its process, is not killed; the stop is
    fair, so the server always stops."""
    code = main(["check", str(ORDER / "sigterm_process.spec")])
    out = capsys.readouterr().out
    assert code == 0 and "verdict: HOLDS, as expected" in out
    assert "holds: liveness server_stops under fairness weak" in out


def test_sigterm_without_a_handler_kills(capsys):
    code = main(["check", str(ORDER / "sigterm_helper.spec")])
    out = capsys.readouterr().out
    assert code == 0
    assert "1. lifecycle  SIGTERM Helper   [tests/fault_order/sigterm_helper.spec:3:1]" in out \
        or "1. lifecycle  SIGTERM Helper" in out
    assert "Helper: Idle -> down" in out


def test_sigkill_after_the_grace_period_races_the_cleanup():
    """Kubernetes' SIGTERM, then SIGKILL 30 s later: the clean-up survives iff it takes less
    than the grace period (at exactly 30 both orders happen)."""
    from checker.run import synthesize

    syn = synthesize(str(ROOT / "specs" / "graceful_shutdown_wait_for_completion_sigkill.spec"))
    assert syn.complete and syn.safe == "cleanup < 30"
    report = check(str(ROOT / "specs" / "graceful_shutdown_wait_for_completion_sigkill.spec"))
    (cx,) = report.counterexamples
    kill = cx.trace.steps[-1]
    assert kill.name == "SIGKILL HostProcess" and cx.violation.witness.times[-1] == "30"
    assert ("Invocation[0]", "CleaningUp", "down") in {
        (c.name, c.before, c.after) for c in kill.changes}


def _with_total(loaded, total: int):
    """The loaded spec with a total fault budget (recompiled), for the timed engine."""
    cfg = replace(loaded.config, faults=replace(loaded.config.faults, total=total))
    system = compile_system(loaded.model, cfg.invariants, liveness=cfg.liveness,
                            faults=cfg.faults)
    return replace(loaded, config=cfg, system=system)


def test_timed_budget_oracle_on_the_dora_crash():
    """The retrying daemon finishes with no fault and hangs with one crash, for every value:
    the timed engine's trace has the one fault, and the budget-0 run holds."""
    loaded = load_spec(str(ROOT / "specs" / "dora_drop_token_fixed_node_crash.spec"))
    report = check(loaded)
    (cx,) = report.counterexamples
    assert _faults(cx.trace) == 1
    assert cx.violation.region == ("no parameter value with no fault; every parameter value with "
                                   "at most 1 fault")
    assert check(_with_total(loaded, 0)).verdict == "holds"
    assert check(_with_total(loaded, 1)).verdict == "violated"


def test_a_killed_process_does_not_come_back():
    """A helper a crash left waiting for its restart is killed for good by SIGTERM's default
    action (it used to be skipped, and restart after the kill)."""
    report = check(str(ORDER / "killed_for_good.spec"))
    assert report.verdict == "holds" and report.complete


def test_a_depth_bound_does_not_hide_the_fault_layers():
    """With liveness (the graph search) and a depth bound, states past the bound in the
    fault-free layer are cut, and the 1-fault layer is still explored."""
    report = check(str(ORDER / "depth_bound.spec"))
    (cx,) = [c for c in report.counterexamples if c.property.name == "served"]
    assert (_faults(cx.trace), len(cx.trace.steps)) == (1, 2)
    assert report.limit == "depth bound 5 reached"


def test_a_clause_on_an_instance_that_is_never_sent_to_is_warned(capsys):
    code = main(["check", str(ORDER / "one_receiver.spec")])
    err = capsys.readouterr().err
    assert code == 0
    assert "warning[PW005]: 'fault lose Req to Server[1] at most 1' selects no channel slot" \
        in err


def test_diagrams_of_traces_that_end_in_a_fault(tmp_path: Path, capsys):
    code = main(["check", str(ROOT / "tests" / "faults" / "request_reply_lose_1.spec"),
                 str(ORDER / "crash_stop.spec"), "--diagrams", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    dots = sorted(p.name for p in tmp_path.glob("*.dot"))
    assert dots == ["crash_stop-deadlock.dot", "request_reply_lose_1-deadlock.dot"]
    lost = (tmp_path / "request_reply_lose_1-deadlock.dot").read_text()
    # The trace ends in the fault: a fault's box on the causal chain (the client waits in
    # Waiting for the reply to the request it lost; a deadlock has no violating step).
    assert 'class="step fault involved"' in lost and 'id="lost_' in lost \
        and 'arrowhead="tee"' in lost


def test_dfs_and_por_on_a_fault_spec(capsys):
    """search dfs with --por: the faults are still injected (plain DFS), with PW004."""
    code = main(["check", str(ORDER / "lost_request.spec"), "--search", "dfs", "--por"])
    captured = capsys.readouterr()
    assert code == 0 and "verdict: VIOLATED, as expected" in captured.out
    assert "PW004" in captured.err
