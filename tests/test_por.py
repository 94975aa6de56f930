"""Partial-order reduction (`--por`) against the plain search.

On random models (the strategies of test_level_differential), going on after violations so
that every property is decided: the same verdict, the same violated properties, the same
vacuity, never more states; every counterexample is a real run of the model that ends where
its property fails, never shorter than the plain search's shortest, and as short whenever it
says it is shortest. Through the CLI: the reduction is reported, and a model whose instances
do not interact collapses to one interleaving.
"""

from __future__ import annotations

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_level_differential import CAP, load_random, model_and_spec
from test_symmetry import _is_run

from checker.engines import bfs, por
from checker.engines.common import Limits
from checker.load import load_spec

FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _agree(loaded, random: bool = True) -> None:
    limits = Limits(deadlock=loaded.config.deadlock, max_states=CAP, stop_at_first=False)
    plain = bfs.search(loaded.system, limits)
    if random:
        assume(plain.complete)  # a random model past CAP states: not this example
    assert plain.complete
    reduced = por.search(loaded.system, limits)
    assert reduced.complete
    assert reduced.verdict == plain.verdict
    assert reduced.stats.states <= plain.stats.states
    assert reduced.vacuous == plain.vacuous
    shortest = {v.property: v for v in plain.violations}
    assert {v.property for v in reduced.violations} == set(shortest)
    for v in reduced.violations:
        assert _is_run(loaded.system, v.path)
        assert por.violation_at(loaded.system, v, v.path[-1], lambda v=v: v.path) is not None
        assert len(v.path) >= len(shortest[v.property].path)
        if v.shortest:
            assert len(v.path) == len(shortest[v.property].path)
    assert reduced.stats.reduction == por.REDUCTION


@st.composite
def loose_model(draw) -> tuple[str, str]:
    """Models whose actors mostly work alone (local variables, rare sends and shared writes),
    with invariants on A and g, and asserts and range checks in at most one actor: where the
    reduction bites, so where a wrong stubborn set would show."""
    names = ("A", "B", "C")[:draw(st.integers(2, 3))]
    counts = {a: draw(st.sampled_from([1, 1, 2])) for a in names}
    lines = ["protocol loose", "message M(x: 0..2)", "shared g: 0..2 = 0",
             f"channel default capacity {draw(st.integers(1, 2))} fifo"]
    local = ["v = (v + 1) % 3", "v = 2 - v", "if v == 1 { v = 0 } else { v = 2 }",
             "choose { v = 0 } or { v = 1 }"]
    failing = ["v = v + 1", 'assert v < 2, "v stays small"']
    faulty = draw(st.sampled_from([*names, None]))  # the one actor that may fail
    for a in names:
        others = [b for b in names if b != a]
        head = f"actor {a}[{counts[a]}]" if counts[a] > 1 else f"actor {a}"
        lines += [head + " {", "  var v: 0..2 = 0", "  state S0 initial", "  state S1",
                  "  state S2" + (" final" if draw(st.booleans()) else "")]
        rare = [f"send M(x = v) to {b}" if counts[b] == 1 else f"send M(x = v) to {b}[0]"
                for b in others] + ["g = v", "g = (g + 1) % 3"]
        for i in range(draw(st.integers(1, 3))):
            src = draw(st.sampled_from(["S0", "S1", "S0, S1"]))
            kinds = [st.sampled_from(local)] * 8 + [st.sampled_from(rare)]
            if a == faulty:
                kinds.append(st.sampled_from(failing))
            body = draw(st.lists(st.one_of(*kinds), min_size=1, max_size=2))
            guard = draw(st.sampled_from(["", "", "", " when v < 2", " when g == 0"]))
            dst = draw(st.sampled_from(["S0", "S1", "S2"]))
            lines.append(f"  step t{i} in {src}{guard} {{ " + "\n".join(body)
                         + f"\n goto {dst} }}")
        if draw(st.booleans()):
            lines.append(f"  on M in {draw(st.sampled_from(['S0', 'S1', 'S2']))} "
                         "{ v = msg.x }")
        lines.append("}")
    first = "A" if counts["A"] == 1 else "A[0]"
    inv = draw(st.sets(st.sampled_from([
        f"{first}.v < 2", f"not ({first} at S2) or {first}.v == 0", "g < 2",
        f"{first} at S1 implies {first}.v != 2", "forall i in B: i.v < 2"]), max_size=2))
    spec = ["spec loose", 'model "random.model"']
    spec += [f"invariant i{n}: {e}" for n, e in enumerate(sorted(inv))]
    if draw(st.booleans()):
        spec.append("deadlock off")
    spec.append("expect holds")
    return "\n".join(lines) + "\n", "\n".join(spec) + "\n"


@FAST
@given(texts=st.one_of(model_and_spec(), loose_model(), loose_model()))
def test_reduced_search_agrees_with_the_plain_search(tmp_path_factory, texts):
    _agree(load_random(tmp_path_factory.mktemp("m"), texts))


def test_seeds_agree():
    for name in ("forwarding_task_buggy_n3.spec", "forwarding_task_fixed_n3.spec",
                 "forwarding_task_buggy_n1.spec", "forwarding_task_fixed_n2.spec"):
        _agree(load_spec(str(ROOT / "specs" / name)), random=False)


def test_independent_instances_collapse(cli, tmp_path):
    """Fixed forwarding with no invariant: every invocation's steps are independent of the
    others' (the worker answers each on its own channel), so one interleaving is kept:
    8 states per invocation plus the initial one, against 9^N."""
    spec = tmp_path / "f.spec"
    spec.write_text(f'spec f\nmodel "{ROOT}/models/forwarding_task.model"\nconst N = 5\n'
                    "const FIXED = true\ndeadlock off\nexpect holds\n")
    code, out, _ = cli("check", str(spec), "--por")
    assert code == 0
    assert "explored: 41 states," in out
    assert "partial order reduction (states of the reduced graph)" in out
    assert "coverage: not known under partial order reduction" in out
    code, out, _ = cli("check", str(spec), "--symmetry", "off")
    assert "explored: 59,049 states," in out


def _spec(tmp_path, model: str, body: str):
    (tmp_path / "m.model").write_text(model)
    (tmp_path / "m.spec").write_text(f'spec m\nmodel "m.model"\n{body}\nexpect violated\n')
    return load_spec(str(tmp_path / "m.spec"))


def test_a_visible_step_is_never_postponed_past_the_state_it_breaks(tmp_path):
    """A sets x then clears it, B the same with y, independently: run alone, A's two steps
    would come first and x = 1 and y = 1 would never hold together. Both steps write what the
    invariant reads, so they are visible, and the state is found, at its shortest."""
    loaded = _spec(tmp_path, (
        "protocol m\nshared x: 0..1 = 0\nshared y: 0..1 = 0\n"
        "actor A {\n  state S0 initial\n  state S1\n  state S2 final\n"
        "  step up in S0 { x = 1\n goto S1 }\n  step down in S1 { x = 0\n goto S2 }\n}\n"
        "actor B {\n  state S0 initial\n  state S1\n  state S2 final\n"
        "  step up in S0 { y = 1\n goto S1 }\n  step down in S1 { y = 0\n goto S2 }\n}\n"),
        "invariant apart: not (x == 1 and y == 1)")
    r = por.search(loaded.system, Limits(deadlock=False))
    assert r.verdict == "violated"
    assert [(v.property, len(v.path), v.shortest) for v in r.violations] == [
        ("apart", 3, True)]


def test_a_step_is_not_ignored_on_a_cycle(tmp_path):
    """A toggles its own variable forever; B's only step breaks the invariant. A's toggle is
    independent of B and invisible, so it alone would be expanded in every state, round the
    cycle, forever; the proviso expands a state fully when its reduced successors are already
    found, so B's step is taken."""
    loaded = _spec(tmp_path, (
        "protocol m\n"
        "actor A {\n  var v: 0..2 = 0\n  state S0 initial final\n"
        "  step toggle in S0 { v = (v + 1) % 3 }\n}\n"
        "actor B {\n  state S0 initial\n  state S1 final\n  step go in S0 { goto S1 }\n}\n"),
        "invariant b_waits: not (B at S1)")
    r = por.search(loaded.system, Limits(deadlock=False))
    assert [(v.property, len(v.path)) for v in r.violations] == [("b_waits", 2)]


def test_the_reduction_keeps_fewer_states_where_it_can(tmp_path):
    """Three instances that only count locally (`% 4`: no range check that could fail), no
    property: one interleaving."""
    loaded = _spec(tmp_path, (
        "protocol m\nactor W[3] {\n  var v: 0..3 = 0\n  state S0 initial\n  state S1 final\n"
        "  step work in S0 when v < 3 { v = (v + 1) % 4 }\n  step stop in S0 when v == 3 { goto S1 }\n"
        "}\n"), "deadlock off")
    plain = bfs.search(loaded.system, Limits(deadlock=False))
    reduced = por.search(loaded.system, Limits(deadlock=False))
    # 5 local states each (v = 0..3 in S0, then S1): 5^3 = 125 states; one interleaving:
    # 4 steps per instance, 12 in all, 13 states.
    assert (plain.stats.states, reduced.stats.states) == (125, 13)


def test_what_can_enable_a_dependent_step_joins_the_set(tmp_path):
    """C's step and B's both write y; B's is disabled until A sets x. Taking C's step alone
    first would miss the run where A, then B, set y = 2, after which C can never move (a
    deadlock): B's step is in C's stubborn set, disabled, so A's step, which can enable it,
    must be too."""
    loaded = _spec(tmp_path, (
        "protocol m\nshared x: 0..1 = 0\nshared y: 0..2 = 0\n"
        "actor C {\n  state S0 initial\n  state S1 final\n"
        "  step t in S0 when y != 2 { y = 1\n goto S1 }\n}\n"
        "actor B {\n  state S0 initial\n  state S1 final\n"
        "  step d in S0 when x == 1 { y = 2\n goto S1 }\n}\n"
        "actor A {\n  state S0 initial\n  state S1 final\n"
        "  step e in S0 { x = 1\n goto S1 }\n}\n"), "")
    r = por.search(loaded.system, Limits(deadlock=True))
    assert [(v.property, len(v.path)) for v in r.violations] == [("deadlock", 3)]


def test_which_steps_are_proved_invisible():
    """Forwarding N = 3, fixed: an invocation's StartForwardingFirst (Received -> Forwarding,
    sets the flag) and its dispatch cannot change `i at EnsuringForwarding implies
    i.forwarding_task_set`; taking the response (-> EnsuringForwarding) can, and so can the
    client's handler, which assigns `ok` a message field (not a constant)."""
    loaded = load_spec(str(ROOT / "specs" / "forwarding_task_fixed_n3.spec"))
    reducer = por._Reducer(loaded.system, Limits())
    names = {g.rank: (loaded.system.transitions[g.tid].label, g.instance)
             for g in reducer.groups}
    visible = {names[g.rank] for g in reducer.groups if reducer.rel.visible >> g.rank & 1}
    invisible = set(names.values()) - visible
    assert {("step StartForwardingFirst", 0), ("step DispatchAfterForwarding", 1),
            ("step SendRequest", 2)} <= invisible
    assert {("on InvocationResponse", 0), ("on HttpResponse", 2)} <= visible


@pytest.mark.long
@settings(FAST, max_examples=1000, derandomize=False)
@given(texts=st.one_of(model_and_spec(), loose_model(), loose_model()))
def test_reduced_search_agrees_with_the_plain_search_long(tmp_path_factory, texts):
    test_reduced_search_agrees_with_the_plain_search.hypothesis.inner_test(tmp_path_factory,
                                                                           texts)
