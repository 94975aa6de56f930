"""`protocheck simulate` through the CLI on real model files, each result held against the
exhaustive engines: it finds the seed bugs and shrinks them to the length of check's shortest
trace (compared with `check --json` in the same test), it is deterministic to the byte, its
exit codes follow the spec's `expect` without ever calling a property proved, bad input is a
located error, coverage is exact on a hand-counted model, and every trace it reports is a real
violation in the reference engine (random models, Hypothesis) and, for timed models, in the
zone engine at the witness's parameter values."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_level_differential import load_random, model_and_spec

from checker.compile import EvalError
from checker.engines import bfs
from checker.engines.common import Discard, Limits
from checker.engines.por import violation_at
from checker.load import load_spec
from checker.run import SimulateOptions, simulate

SEEDS = sorted((ROOT / "specs").glob("*.spec"))
N10 = ROOT / "bench" / "forwarding_task_buggy_n10.spec"
LOCATED = re.compile(r"^\S+:\d+:\d+: error\[PC\d{3}\]: ", re.MULTILINE)


def _json(cli, command: str, *args: str) -> tuple[int, dict]:
    code, out, err = cli(command, "--json", *args)
    assert "Traceback" not in err
    return code, json.loads(out)


def _length(violation: dict) -> tuple[int, int]:
    """(faults, steps) of a JSON counterexample: what fewest-faults-then-steps compares."""
    return violation["trace"]["faults"], len(violation["trace"]["steps"])


@pytest.mark.parametrize("spec", SEEDS, ids=lambda p: p.stem)
def test_simulate_agrees_with_check_on_every_seed(cli, spec):
    """Where check finds a violation that a run can show (all but cycles), simulate finds one
    of the same property, shrunk to check's (faults, steps), by its own shrinking (not by the
    confirming search); where check proves the spec, simulate finds nothing."""
    _, checked = _json(cli, "check", "--all-violations", str(spec))
    _, simulated = _json(cli, "simulate", "--seed", "1", str(spec))
    exhaustive, sim = checked["results"][0], simulated["results"][0]
    assert sim["engine"] == "simulate" and sim["simulation"]["proof"] is False
    if exhaustive["verdict"] == "holds":
        assert sim["verdict"] == "inconclusive" and sim["violations"] == []
        assert simulated["exit_code"] == 0  # `expect holds`, and nothing contradicts it
        return
    assert exhaustive["verdict"] == "violated"
    assert sim["verdict"] == "violated", spec
    assert simulated["exit_code"] == checked["exit_code"] == 0
    [found] = sim["violations"]
    shortest = {v["property"]: v for v in exhaustive["violations"]}
    assert found["property"] in shortest
    assert _length(found) == _length(shortest[found["property"]])
    assert found["shrink"]["replaced_by_confirming_search"] is False
    # The shrunk run's steps; a failure inside a transition adds the step that fails.
    fails = found["trace"]["steps"][-1]["failed"] is not None
    assert found["shrink"]["steps"] + fails == len(found["trace"]["steps"])


def test_forwarding_task_with_ten_invocations(cli):
    """The model of bench/ (N = 10: 9^10 states, more than check explores without symmetry
    reduction): simulate's shrunk trace is check's shortest."""
    _, checked = _json(cli, "check", str(N10))
    code, simulated = _json(cli, "simulate", str(N10))
    assert code == 0
    [found] = simulated["results"][0]["violations"]
    [shortest] = checked["results"][0]["violations"]
    assert found["property"] == shortest["property"] == "forwarding_task_set_before_awaited"
    assert _length(found) == _length(shortest)
    assert found["shortest"] is True and found["shrink"]["shortest"] is True


@pytest.mark.parametrize("spec", ["specs/forwarding_task_buggy_n3.spec",
                                  "specs/azure_linux_specialization_buggy.spec",
                                  "specs/dora_drop_token_buggy.spec",
                                  "specs/forwarding_task_fixed_n2.spec"])
def test_same_seed_same_bytes(cli, spec):
    first = cli("simulate", "--seed", "7", spec)
    again = cli("simulate", "--seed", "7", spec)
    assert first[:2] == again[:2]
    assert cli("simulate", "--json", "--seed", "7", spec)[1] == \
        cli("simulate", "--json", "--seed", "7", spec)[1]


def test_the_reproduce_line_makes_the_violating_run_again(cli):
    code, out, _ = cli("simulate", "--seed", "5", "specs/forwarding_task_buggy_n4.spec")
    assert code == 0
    command = re.search(r"^reproduce: protocheck (.*)$", out, re.MULTILINE).group(1).split()
    run = command[command.index("--run") + 1]
    again = cli(*command)[1]  # (the fixture adds --allow-root once more: harmless)

    def counterexample(text: str) -> str:
        return text.split("\nviolated: ")[1].split("\nreproduce: ")[0]

    # The same counterexample, found by the same run, now the only one made.
    assert counterexample(again) == counterexample(out)
    assert f"simulated: run {run} only of up to 100 steps from seed 5" in again


def test_a_time_budget_changes_how_many_runs_not_which_violation(cli):
    spec = "specs/graceful_shutdown_wait_for_completion_sigkill.spec"  # found after ~40 runs
    counted = cli("simulate", "--seed", "3", spec)
    budgeted = cli("simulate", "--seed", "3", "--time-budget", "120", spec)
    assert counted[0] == budgeted[0] == 0
    assert counted[1] == budgeted[1]


def test_exit_codes_follow_expect_and_never_claim_a_proof(cli, tmp_path):
    code, out, _ = cli("simulate", "--runs", "200", "specs/forwarding_task_fixed_n3.spec")
    assert code == 0
    assert "verdict: no violation found; the spec expects 'holds'" in out
    assert "no violation found is not a proof" in out
    # The same spec expecting a violation: not a pass, inconclusive.
    text = (ROOT / "specs" / "forwarding_task_fixed_n3.spec").read_text()
    expecting = tmp_path / "fixed_expecting_violation.spec"
    expecting.write_text(text.replace('model "../', f'model "{ROOT}/')
                         .replace("expect holds", "expect violated"))
    code, out, _ = cli("simulate", "--runs", "200", str(expecting))
    assert code == 3
    assert "verdict: INCONCLUSIVE: no violation found, but the spec expects one" in out
    # A violation of a spec that expects `holds` is a mismatch.
    text = (ROOT / "specs" / "forwarding_task_buggy_n2.spec").read_text()
    wrong = tmp_path / "buggy_expecting_holds.spec"
    wrong.write_text(text.replace('model "../', f'model "{ROOT}/')
                     .replace("expect violated", "expect holds"))
    code, out, _ = cli("simulate", str(wrong))
    assert code == 1 and "<-- MISMATCH" in out


def test_liveness_that_needs_a_cycle_is_never_reported_as_holding(cli):
    """spinner_weak's violation is a cycle: runs that stop cannot show it. Simulation says
    what it checked of the property and leaves it not fully checked (exit 3: the spec expects
    a violation)."""
    code, doc = _json(cli, "simulate", "--runs", "100", "tests/liveness/spinner_weak.spec")
    assert code == 3
    result = doc["results"][0]
    status = {p["name"]: p["status"] for p in result["properties"]}
    assert status["gambler_wins"] == "not fully checked"
    assert "holds" not in status.values()
    live = {p["name"] for p in result["properties"] if p["kind"] == "liveness"}
    assert {p["property"] for p in result["partly_checked"]} == live >= {"gambler_wins"}


@pytest.mark.parametrize("args, option", [
    (["--seed", "-1"], "--seed"), (["--seed", "x"], "--seed"), (["--depth", "0"], "--depth"),
    (["--runs", "0"], "--runs"), (["--runs", "1e3"], "--runs"),
    (["--time-budget", "0"], "--time-budget"), (["--time-budget", "nan"], "--time-budget"),
    (["--time-budget", "inf"], "--time-budget"), (["--run", "-2"], "--run"),
    (["--runs", "5", "--time-budget", "3"], "--time-budget"), (["--runs", "5", "--run", "1"],
                                                               "--run"),
])
def test_bad_options_are_usage_errors(cli, capsys, args, option):
    with pytest.raises(SystemExit) as stop:  # the argument parser's: exit 2, as for check
        cli("simulate", *args, "specs/forwarding_task_buggy_n1.spec")
    out, err = capsys.readouterr()
    assert stop.value.code == 2 and out == ""
    assert f"protocheck: error: argument {option}" in err and "Traceback" not in err


def test_bad_input_is_a_located_error(cli, tmp_path):
    broken = tmp_path / "broken.spec"
    broken.write_text(f'spec broken\nmodel "{ROOT}/models/forwarding_task.model"\n'
                      "invariant x: Invocation[0] at Nowhere\nexpect holds\n")
    code, _, err = cli("simulate", str(broken))
    assert code == 2 and LOCATED.search(err) and "Traceback" not in err
    code, _, err = cli("simulate", str(tmp_path / "missing.spec"))
    assert code == 2 and "error[PC501]" in err


COVERAGE_MODEL = """protocol coverage
const EXTRA = false
message Ping
message Pong

actor Client {
  state Start initial
  state Asked
  state Done final
  state Unused
  step Ask in Start { send Ping to Server; goto Asked }
  on Pong in Asked { goto Done }
  step Shortcut in Start when EXTRA { goto Done }
  step Never in Unused { goto Done }
}

actor Server {
  state Serving initial final
  on Ping { send Pong to Client }
}
"""


def test_coverage_is_exact_on_a_hand_counted_model(cli, tmp_path):
    """Every run is Ask, Ping, Pong, then all actors are final: each of the three fires once
    a run; Shortcut's guard is false by the constants; Never's state is unreachable."""
    (tmp_path / "coverage.model").write_text(COVERAGE_MODEL)
    spec = tmp_path / "coverage.spec"
    spec.write_text('spec coverage\nmodel "coverage.model"\nexpect holds\n')
    code, doc = _json(cli, "simulate", "--runs", "25", str(spec))
    assert code == 0
    result = doc["results"][0]
    assert result["simulation"]["runs"] == 25 and result["simulation"]["steps"] == 75
    fired = result["coverage"]["fired"]
    assert {k for k, n in fired.items() if n} == {
        "Client: step Ask", "Client: on Pong", "Server: on Ping"}
    assert all(fired[k] == 25 for k in ("Client: step Ask", "Client: on Pong", "Server: on Ping"))
    never = {(t["actor"], t["name"], t["disabled_by_configuration"])
             for t in result["coverage"]["never_fired"]}
    assert never == {("Client", "Shortcut", True), ("Client", "Never", False)}
    _, out, _ = cli("simulate", "--runs", "25", str(spec))
    assert "coverage (these runs): 3 of 5 handlers/steps fired, times taken:" in out
    assert "  Client: step Ask 25, on Pong 25" in out
    assert re.search(r"coverage\.model:13:3  Client: step Shortcut  \(its guard is false", out)
    assert re.search(r"coverage\.model:14:3  Client: step Never$", out, re.MULTILINE)


def test_diagrams_of_a_simulated_counterexample(cli, tmp_path):
    code, out, _ = cli("simulate", "--diagrams", str(tmp_path), "--itf", str(tmp_path),
                       "specs/forwarding_task_buggy_n2.spec")
    assert code == 0
    stem = "forwarding_task_buggy_n2-forwarding_task_set_before_awaited"
    assert (tmp_path / f"{stem}.dot").exists() and (tmp_path / f"{stem}.itf.json").exists()
    assert f"diagram: {tmp_path / stem}" in out


def test_a_timed_witness_is_a_violation_for_the_zone_engine(cli, tmp_path):
    """The witness of each simulated timed violation (the seeds and tests/timed), its params
    fixed in the spec, is a point where the exact engine finds the same property violated."""
    confirmed = []
    for spec in sorted((ROOT / "specs").glob("*.spec")) + sorted(
            (ROOT / "tests" / "timed").glob("*.spec")):
        loaded = load_spec(str(spec), (str(ROOT),))
        if not loaded.model.params:
            continue
        report = simulate(loaded, SimulateOptions(seed=2, runs=300))
        if not report.counterexamples:
            continue
        v = report.counterexamples[0].violation
        fixed = "".join(f"param {k} = {val}\n" for k, val in v.witness.params
                        if k not in dict(loaded.model.fixed_params))
        text = spec.read_text().replace('model "', f'model "{spec.parent}/')
        pinned = tmp_path / spec.name
        pinned.write_text(text.replace("\nexpect ", f"\n{fixed}expect ", 1))
        _, doc = _json(cli, "check", str(pinned))
        assert v.property in {x["property"] for x in doc["results"][0]["violations"]}, spec
        confirmed.append(spec.stem)
    # Every timed seed that has a violation, and the timed corpus's violated specs.
    assert {"dora_drop_token_buggy", "dora_drop_token_fixed", "dora_drop_token_fixed_node_crash",
            "graceful_shutdown_wait_for_completion_sigkill", "witness_edge"} <= set(confirmed)


# ---------------------------------------------------------------------- random models

FAST = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@FAST
@given(texts=model_and_spec(), seed=st.integers(0, 2**32))
def test_every_reported_trace_is_a_real_violation(tmp_path_factory, texts, seed):
    """On random models, every counterexample simulate reports replays in the reference
    engine: each hop is a successor the compiled successor function generates, with the
    label the trace names; its last state breaks the property (checked by
    `por.violation_at`, not by the simulation's code); the reference BFS finds the same
    property violated; and the trace is never shorter than the BFS's, and as long where
    simulate says it is the shortest."""
    loaded = load_random(tmp_path_factory.mktemp("m"), texts)
    report = simulate(loaded, SimulateOptions(seed=seed, runs=30, depth=30))
    if not report.counterexamples:
        return
    system, v = loaded.system, report.counterexamples[0].violation
    for n, (s, t) in enumerate(zip(v.path, v.path[1:])):
        out, info = [], []
        system.successors_traced(s, out, [], Discard(), info)
        assert (t, v.labels[n]) in list(zip(out, info))
    try:
        confirmed = violation_at(system, v, v.path[-1], lambda: v.path)
    except EvalError:
        confirmed = None
    assert confirmed is not None and confirmed.property == v.property
    reference = bfs.search(system, Limits(deadlock=loaded.config.deadlock,
                                          stop_at_first=False, max_states=20_000))
    found = {r.property: r for r in reference.violations}
    if reference.complete or v.property in found:
        assert v.property in found
        assert len(v.path) >= len(found[v.property].path)
        if v.shortest:
            assert len(v.path) == len(found[v.property].path)
