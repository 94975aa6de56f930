"""Symmetry reduction against the plain search: the orbits a reduced search explores stand for
exactly the states the reference engine finds (the orbit sizes sum to its count), the
verdicts, violated properties and shortest trace lengths are the same, and every trace is a
real run of the model that ends in a violating state. The detection refuses every way a
model can tell its instances apart, with the reason.
"""

from __future__ import annotations

import itertools
import re

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_level_differential import CAP, model_and_spec

from checker.compile import EvalError
from checker.diagnostics import CheckError
from checker.engines import bfs, level
from checker.engines.common import Limits
from checker.load import load_spec
from checker.run import CheckOptions, check
from checker.symmetry import find_symmetry

FAST = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _is_run(system, path) -> bool:
    for s, t in itertools.pairwise(path):
        out: list = []
        system.successors(s, out, [], [0] * len(system.transitions))
        if t not in out:
            return False
    return path[0] == system.initial


def _agree(loaded, stop_at_first: bool, max_states: int | None = None) -> None:
    symmetry = find_symmetry(loaded.system)
    limits = Limits(deadlock=loaded.config.deadlock, stop_at_first=stop_at_first,
                    max_states=max_states)
    plain = bfs.search(loaded.system, limits)
    reduced = level.search(loaded.system, limits, symmetry=symmetry)
    if not (plain.complete or plain.violations):
        # The plain search was cut by the state bound: the reduced one explores more of the
        # space in as many states; only what it finds can be checked (a real run, below).
        assert reduced.verdict in ("violated", "inconclusive", "holds")
        plain_violations: tuple = ()
    else:
        assert reduced.verdict == plain.verdict
        plain_violations = plain.violations
    if plain.complete and reduced.complete:
        assert reduced.stats.represented == plain.stats.states
        assert reduced.stats.depth == plain.stats.depth
        assert reduced.stats.states <= plain.stats.states
        # Coverage: a transition fires somewhere iff it fires from some orbit's state.
        assert [f > 0 for f in reduced.fired] == [f > 0 for f in plain.fired]
    if stop_at_first and plain_violations:
        # Both stop after the first state whose expansion shows a violation, but that can be
        # another state of the same level (an orbit's representative orders the instances
        # its own way), with other kinds failing: found by the long run. Each violation
        # reported is still a shortest one of its property.
        every = bfs.search(loaded.system, Limits(deadlock=loaded.config.deadlock,
                                                 stop_at_first=False, max_states=max_states))
        shortest = {v.property: len(v.path) for v in every.violations}
        for v in reduced.violations:
            if every.complete or v.property in shortest:
                assert len(v.path) == shortest[v.property], v.property
    elif plain.complete and reduced.complete:
        assert {v.property for v in reduced.violations} == \
            {v.property for v in plain_violations}
    lengths = {v.property: len(v.path) for v in plain_violations}
    invariants = {ci.invariant.name: ci.holds for ci in loaded.system.invariants}
    for v in reduced.violations:
        if stop_at_first and plain_violations:  # the same depth (above)
            pass
        elif v.property in lengths:
            assert len(v.path) == lengths[v.property], v.property
        assert _is_run(loaded.system, v.path)
        if v.property in invariants:
            try:
                assert not invariants[v.property](v.path[-1])
            except EvalError:
                pass


@pytest.mark.parametrize("spec", [
    "specs/forwarding_task_buggy_n2.spec", "specs/forwarding_task_buggy_n4.spec",
    "specs/forwarding_task_fixed_n3.spec", "specs/forwarding_task_fixed_n4.spec",
    "tests/models/counters.spec", "tests/models/two_steps.spec"])
@pytest.mark.parametrize("stop_at_first", [True, False])
def test_seeds_reduced_agree_with_the_plain_search(spec, stop_at_first):
    loaded = load_spec(str(ROOT / spec))
    assert find_symmetry(loaded.system).classes
    _agree(loaded, stop_at_first)


def test_forwarding_orbits_are_few():
    """N = 4 fixed: the 6,561 states (3^8: each invocation and its client go through 9
    joint states independently) fall into multisets of 4 of the 9, C(12, 4) = 495 orbits."""
    loaded = load_spec(str(ROOT / "specs/forwarding_task_fixed_n4.spec"))
    r = level.search(loaded.system, Limits(deadlock=False, stop_at_first=False),
                     symmetry=find_symmetry(loaded.system))
    assert r.stats.represented == 6561
    assert r.stats.states == 495


@FAST
@given(texts=model_and_spec(symmetric=True), stop_at_first=st.booleans())
def test_random_symmetric_models(tmp_path_factory, texts, stop_at_first):
    d = tmp_path_factory.mktemp("m")
    (d / "random.model").write_text(texts[0])
    (d / "random.spec").write_text(texts[1])
    try:
        loaded = load_spec(str(d / "random.spec"))
    except CheckError:
        assume(False)
    assume(find_symmetry(loaded.system).classes)
    _agree(loaded, stop_at_first, CAP)


def _refused(tmp_path, model: str, invariant: str = "true") -> dict:
    (tmp_path / "m.model").write_text(model)
    (tmp_path / "m.spec").write_text(f'spec m\nmodel "m.model"\ninvariant i: {invariant}\n'
                                     "expect holds\n")
    sym = find_symmetry(load_spec(str(tmp_path / "m.spec")).system)
    assert not sym.classes
    return dict(sym.refused)


NODES = """protocol m
message Ping
actor Hub {{
  state S initial final
  on Ping {{ {hub} }}
}}
actor Node[2] {{
  var v: 0..3 = 0
  state S initial final
  step go when v < 1 {{ {node} }}
}}
"""


def test_an_instance_named_by_number_breaks_symmetry(tmp_path):
    why = _refused(tmp_path, NODES.format(hub="goto S", node="v = v + 1"), "Node[0].v < 2")
    assert "named by number" in why["Node"]


def test_index_as_a_number_breaks_symmetry(tmp_path):
    why = _refused(tmp_path, NODES.format(hub="goto S", node="v = index(self)"))
    assert "index() used as a number" in why["Node"]


def test_a_variable_holding_instances_breaks_symmetry(tmp_path):
    model = NODES.format(hub="last = sender", node="send Ping to Hub").replace(
        "actor Hub {\n", "actor Hub {\n  var last: Node\n")
    why = _refused(tmp_path, model)
    assert "variable Hub.last holds instances of it" in why["Node"]


def test_symmetric_nodes_are_found(tmp_path):
    (tmp_path / "m.model").write_text(NODES.format(hub="goto S",
                                                   node="v = v + 1\n send Ping to Hub"))
    (tmp_path / "m.spec").write_text('spec m\nmodel "m.model"\n'
                                     "invariant i: forall n in Node: n.v < 2\nexpect holds\n")
    loaded = load_spec(str(tmp_path / "m.spec"))
    sym = find_symmetry(loaded.system)
    assert [c.label for c in sym.classes] == ["Node (2 instances)"]
    _agree(loaded, False)


def test_reduction_is_the_default_and_can_be_turned_off(cli):
    r = check(str(ROOT / "specs/forwarding_task_fixed_n3.spec"))
    assert r.verdict == "holds" and r.stats.represented == 729 and r.stats.states == 165
    assert r.stats.symmetry == ("HttpClient/Invocation (3 instances)",)
    off = check(str(ROOT / "specs/forwarding_task_fixed_n3.spec"), CheckOptions(symmetry="off"))
    assert off.stats.states == 729 and off.stats.represented is None
    code, out, _ = cli("check", "specs/forwarding_task_fixed_n3.spec")
    assert code == 0
    # C(3 + 8, 3) = 165 multisets of 3 of the 9 pair states; 3 pairs of 8 steps: depth 24.
    assert (re.search(r"explored: 165 states, [\d,]+ transitions, depth 24,", out)
            and "one state per orbit of HttpClient/Invocation (3 instances) (symmetry), "
                "standing for 729 states" in out), out


@pytest.mark.long
@settings(max_examples=1000, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(texts=model_and_spec(symmetric=True), stop_at_first=st.booleans())
def test_random_symmetric_models_long(tmp_path_factory, texts, stop_at_first):
    test_random_symmetric_models.hypothesis.inner_test(tmp_path_factory, texts, stop_at_first)


def test_canonical_form_does_not_change_when_blocks_grow_past_63_bits(tmp_path):
    """60 booleans and a counter per instance: a block's codes need more than 63 bits once
    the counter has taken a few values, and the sort switches from packed keys to column by
    column; both must order blocks alike, or an orbit is stored twice. Each instance has
    2 * 16 = 32 states: 32^2 = 1,024 states in C(33, 2) = 528 orbits."""
    fillers = "\n".join(f"  var c{i:02}: bool = false" for i in range(60))
    (tmp_path / "m.model").write_text(
        f"protocol m\nactor A[2] {{\n{fillers}\n  var x: 0..15 = 0\n"
        "  state S initial final\n  state T final\n  step go in S { goto T }\n"
        "  step back in T { goto S }\n  step inc when x < 15 { x = x + 1 }\n}\n")
    (tmp_path / "m.spec").write_text('spec m\nmodel "m.model"\n'
                                     "invariant i: forall i in A: i.x <= 15\nexpect holds\n")
    loaded = load_spec(str(tmp_path / "m.spec"))
    r = level.search(loaded.system, Limits(stop_at_first=False),
                     symmetry=find_symmetry(loaded.system))
    assert (r.stats.states, r.stats.represented) == (528, 1024)
