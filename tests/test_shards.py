"""The partitioned search (`--workers`, `--cluster`) against the one-process level engine.

On random models (the strategies of test_level_differential) with 1, 2 and 3 shards in one
process, and rounds cut small so that levels span many rounds: identical verdicts, counts,
coverage, vacuity and every violation's whole trace, stopping at the first violation or not,
under state and depth bounds, exact and fingerprint storage. Under symmetry: identical results
for any number of shards, and the one-process engine's counts, orbit sums, verdicts and trace
lengths. Through the CLI, on every seed spec: worker processes, and a local Ray cluster of 2
workers, print what one process prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, json_without
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_level_differential import CAP, _summary, model_and_spec

from checker.cli import main
from checker.diagnostics import CheckError
from checker.engines import level, pools, shards
from checker.engines.common import Limits
from checker.load import load_spec
from checker.symmetry import find_symmetry

FAST = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _loaded(tmp_path, texts):
    model, spec = texts
    (tmp_path / "random.model").write_text(model)
    (tmp_path / "random.spec").write_text(spec)
    try:
        return load_spec(str(tmp_path / "random.spec"))
    except CheckError:
        assume(False)


def _sharded(loaded, limits, count: int, store: str = "auto", symmetric: bool = False):
    return shards.search(loaded.system, limits, lambda args: pools.InlinePool(count, args),
                         store, symmetric)


@FAST
@given(texts=model_and_spec(), stop_at_first=st.booleans(),
       max_states=st.one_of(st.none(), st.integers(1, 60)),
       max_depth=st.one_of(st.none(), st.integers(0, 6)),
       count=st.sampled_from([1, 2, 3]), round_=st.sampled_from([1, 3, 50, shards.ROUND]),
       store=st.sampled_from(["auto", "fingerprint"]))
def test_shards_match_the_level_engine(tmp_path_factory, monkeypatch, texts, stop_at_first,
                                       max_states, max_depth, count, round_, store):
    loaded = _loaded(tmp_path_factory.mktemp("m"), texts)
    # Rounds of a few states cost a few calls each: fewer states then.
    cap = CAP if round_ >= 50 else 2_000
    limits = Limits(deadlock=loaded.config.deadlock, max_states=max_states or cap,
                    max_depth=max_depth, stop_at_first=stop_at_first)
    one = level.search(loaded.system, limits, store=store)
    monkeypatch.setattr(shards, "ROUND", round_)
    assert _summary(_sharded(loaded, limits, count, store)) == _summary(one), "".join(texts)


@settings(FAST, max_examples=50)
@given(texts=model_and_spec(symmetric=True), stop_at_first=st.booleans(),
       round_=st.sampled_from([300, shards.ROUND]))
def test_symmetric_shards(tmp_path_factory, monkeypatch, texts, stop_at_first, round_):
    loaded = _loaded(tmp_path_factory.mktemp("m"), texts)
    symmetry = find_symmetry(loaded.system)
    assume(symmetry.classes)
    limits = Limits(deadlock=loaded.config.deadlock, max_states=CAP,
                    stop_at_first=stop_at_first)
    one = level.search(loaded.system, limits, symmetry=symmetry)
    monkeypatch.setattr(shards, "ROUND", round_)
    results = [_sharded(loaded, limits, count, symmetric=True) for count in (1, 2, 3)]
    assert _summary(results[1]) == _summary(results[0]) == _summary(results[2])
    got = results[0]
    assert (got.verdict, got.stats.states, got.stats.transitions, got.stats.depth,
            got.stats.represented, got.complete, got.fired) == (
        one.verdict, one.stats.states, one.stats.transitions, one.stats.depth,
        one.stats.represented, one.complete, one.fired)
    assert ([(v.property, len(v.path)) for v in got.violations]
            == [(v.property, len(v.path)) for v in one.violations])


def test_many_rounds_of_a_seed(monkeypatch):
    """Forwarding N = 4 (6,561 states fixed) in rounds of 400 states over 3 shards."""
    monkeypatch.setattr(shards, "ROUND", 400)
    for name in ("forwarding_task_fixed_n4.spec", "forwarding_task_buggy_n4.spec"):
        loaded = load_spec(str(ROOT / "specs" / name))
        for stop_at_first in (True, False):
            limits = Limits(deadlock=loaded.config.deadlock, stop_at_first=stop_at_first)
            one = level.search(loaded.system, limits)
            assert _summary(_sharded(loaded, limits, 3)) == _summary(one)


def _json_without_times(text: str) -> list:
    """The CLI's JSON with what depends on the clock or the workers left out."""
    return json_without(json.loads(text), ("workers", "solver"))


def _cli(*args: str) -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, "-m", "checker", *args], check=False, cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def test_worker_processes_print_what_one_process_prints():
    code1, one, _ = _cli("check", "specs/", "--json")
    code2, two, err = _cli("check", "specs/", "--json", "--workers", "2")
    assert code2 == code1 == 0, err
    one_doc, two_doc = _json_without_times(one), _json_without_times(two)
    # Specs with liveness or faults run in one process, and warn that --workers was not
    # applied.
    alone = {r["spec"] for r in two_doc["results"] if r["engine"] == "bfs" and (
        r["fairness"] is not None or load_spec(str(ROOT / r["path"])).system.has_faults)}
    for r in two_doc["results"]:
        if r["spec"] in alone:
            (warning,) = r.pop("warnings")
            assert "PW004" in warning and "--workers not applied" in warning
    for r in one_doc["results"]:
        if r["spec"] in alone:
            assert r.pop("warnings") == []
    assert two_doc == one_doc
    # The other untimed specs ran on 2 local workers, and say so.
    runs = [r for r in json.loads(two)["results"] if r["engine"] == "bfs"]
    assert all((r["stats"]["workers"] == {"count": 2, "where": "local processes"})
               == (r["spec"] not in alone) for r in runs)
    assert sum(r["spec"] not in alone for r in runs) == 8


def test_a_local_ray_cluster_of_two_workers():
    specs = ["specs/forwarding_task_buggy_n4.spec", "specs/forwarding_task_fixed_n4.spec",
             "specs/forwarding_task_buggy_n2.spec"]
    code1, one, _ = _cli("check", *specs, "--json", "--all-violations")
    code2, two, err = _cli("check", *specs, "--json", "--all-violations", "--cluster", "local",
                           "--workers", "2")
    assert code2 == code1 == 0, err
    assert _json_without_times(two) == _json_without_times(one)
    assert {r["stats"]["workers"]["where"] for r in json.loads(two)["results"]} == {
        "a local Ray cluster"}


def test_cluster_without_ray_is_an_input_error(tmp_path):
    (tmp_path / "ray").mkdir()
    (tmp_path / "ray" / "__init__.py").write_text("raise ImportError('no ray here')\n")
    p = subprocess.run([sys.executable, "-m", "checker", "check",
                        "specs/forwarding_task_buggy_n1.spec", "--cluster", "local"],
                       check=False, cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert p.returncode == 2, p.stderr
    assert "--cluster needs Ray: pip install 'ray>=2.9,<3'" in p.stderr


@pytest.mark.parametrize("args", [["--workers", "0"], ["--workers", "two"],
                                  ["--workers", "2", "--engine", "reference"]])
def test_bad_worker_options(capsys, args):
    with pytest.raises(SystemExit) as stop:
        main(["check", str(ROOT / "specs/forwarding_task_buggy_n1.spec"), *args])
    assert stop.value.code == 2
    assert "protocheck: error:" in capsys.readouterr().err


@pytest.mark.long
@settings(FAST, max_examples=500, derandomize=False)
@given(texts=model_and_spec(), stop_at_first=st.booleans(),
       max_states=st.one_of(st.none(), st.integers(1, 60)),
       count=st.sampled_from([2, 3, 4]), round_=st.sampled_from([7, 50, shards.ROUND]))
def test_shards_match_the_level_engine_long(tmp_path_factory, monkeypatch, texts,
                                            stop_at_first, max_states, count, round_):
    test_shards_match_the_level_engine.hypothesis.inner_test(
        tmp_path_factory, monkeypatch, texts, stop_at_first, max_states, None, count, round_,
        "auto")
