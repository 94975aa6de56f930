"""The level engine against the reference BFS on random models: identical verdicts, state and
transition counts, depth, coverage, vacuity, and every violation's property, message, span and
whole trace (so the same states are found in the same order), with and without stopping at
the first violation, under a state bound, and under a depth bound.

Models come from a Hypothesis strategy over what the engines must get right: replicated
actors, FIFO and unordered channels of small capacity (full channels block), shared and
remote variables, `choose`/`pick`/`if` forks, failing asserts and out-of-range assignments,
an instance index that can be out of range (a runtime error while expanding), handlers that
read fields and answer the sender, and invariants over every kind of slot.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.diagnostics import CheckError
from checker.engines import bfs, level
from checker.engines.common import Limits
from checker.load import load_spec

FAST = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
LONG = settings(max_examples=1500, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))

ACTORS = ("A", "B", "C")
CAP = 20_000


@st.composite
def statement(draw, me: str, counts: dict, depth: int, handler: bool,
              symmetric: bool = False) -> str:
    other = draw(st.sampled_from([a for a in counts if a != me] or [me]))
    kinds = ["assign", "shared", "goto", "send", "send", "assert"]
    if depth < 2:
        kinds += ["choose", "pick", "if"]
    if handler:
        kinds += ["field", "reply"]
    kind = draw(st.sampled_from(kinds))
    sub = st.lists(statement(me, counts, depth + 1, handler, symmetric), min_size=1,
                   max_size=2)
    if kind == "assign":
        return draw(st.sampled_from(["v = (v + 1) % 3", "v = v + 1", "v = 2 - v", "f = not f"]))
    if kind == "shared":
        remote = f"g = {other}.v" if counts[other] == 1 else (
            f"g = {other}[0].v" if not symmetric else "g = v")
        return draw(st.sampled_from(["g = (g + 1) % 3", "g = g + v", remote]))
    if kind == "goto":
        return f"goto S{draw(st.integers(0, 2))}"
    if kind == "assert":
        return draw(st.sampled_from(['assert v < 2, "v stays small"', 'assert not f, "no f"']))
    if kind == "field":
        return "v = msg.x"
    if kind == "reply":
        return "send Ack to sender"
    if kind == "send":
        msg = draw(st.sampled_from(["M(x = v)", "M(x = g)", "Ack"]))
        if counts[other] == 1 or symmetric:  # to a replicated actor: to every instance
            return f"send {msg} to {other}"
        target = draw(st.sampled_from(["0", "1", "v % 2", "v"]))  # `v` may be out of range
        return f"send {msg} to {other}[{target}]"
    if kind == "choose":
        branches = draw(st.lists(sub, min_size=2, max_size=3))
        return "choose " + " or ".join("{ " + "\n".join(b) + " }" for b in branches)
    if kind == "pick":
        return "pick p in 0..2 { v = p\n" + "\n".join(draw(sub)) + " }"
    cond = draw(st.sampled_from(["v == 1", "f", "g > 0", "v < g"]))
    return f"if {cond} {{ " + "\n".join(draw(sub)) + " } else { " + "\n".join(draw(sub)) + " }"


@st.composite
def actor(draw, name: str, counts: dict, symmetric: bool = False) -> str:
    head = f"actor {name}[{counts[name]}]" if counts[name] > 1 else f"actor {name}"
    finals = draw(st.sets(st.integers(0, 2), max_size=2))
    lines = [head + " {", "  var v: 0..2 = 0", "  var f: bool = false"]
    for s in range(3):
        lines.append(f"  state S{s}" + (" initial" if s == 0 else "")
                     + (" final" if s in finals else ""))
    for i in range(draw(st.integers(1, 3))):
        states = draw(st.sets(st.integers(0, 2), max_size=2))
        where = (" in " + ", ".join(f"S{s}" for s in sorted(states))) if states else ""
        guard = draw(st.sampled_from(["", " when v < 2", " when not f", " when g < 2"]))
        body = draw(st.lists(statement(name, counts, 0, False, symmetric), min_size=1,
                             max_size=3))
        lines.append(f"  step t{i}{where}{guard} {{ " + "\n".join(body) + " }")
    for msg in draw(st.sets(st.sampled_from(["M", "Ack"]), max_size=2)):
        state = draw(st.integers(0, 2))
        body = draw(st.lists(statement(name, counts, 0, msg == "M", symmetric), min_size=1,
                             max_size=2))
        if msg == "Ack":
            body = [b for b in body if b != "v = msg.x"] or ["f = true"]
        lines.append(f"  on {msg} in S{state} {{ " + "\n".join(body) + " }")
    lines.append("}")
    return "\n".join(lines)


@st.composite
def model_and_spec(draw, symmetric: bool = False) -> tuple[str, str]:
    """`symmetric`: never name an instance by number (so the instances of a replicated actor
    are interchangeable, and symmetry reduction applies)."""
    names = ACTORS[:draw(st.integers(2, 3))]
    counts = {a: draw(st.sampled_from([1, 2, 2] if symmetric else [1, 1, 2])) for a in names}
    cap = draw(st.integers(1, 2))
    order = draw(st.sampled_from(["fifo", "unordered"]))
    parts = ["protocol random", "message M(x: 0..2)", "message Ack",
             "shared g: 0..2 = 0", f"channel default capacity {cap} {order}"]
    parts += [draw(actor(a, counts)) for a in names]
    inv = draw(st.sets(st.sampled_from([
        "g < 2", "not (A at S2)" if counts["A"] == 1 else "not (A[1] at S2)", "forall i in B: not (i at S1) or g == 0",
        "A.v + g < 4" if counts["A"] == 1 else "A[0].v + g < 4",
        "A at S1 implies g == 0" if counts["A"] == 1 else "A[1] at S1 implies A[0].v == 0",
        "pending(M) < 2", "exists i in B: i.v == 0",
    ]), max_size=3))
    spec = ["spec random", 'model "random.model"']
    spec += [f"invariant i{n}: {e}" for n, e in enumerate(sorted(inv))]
    if draw(st.booleans()):
        spec.append("deadlock off")
    spec.append("expect holds")
    return "\n".join(parts) + "\n", "\n".join(spec) + "\n"


def _summary(r) -> tuple:
    return (r.verdict, r.stats.states, r.stats.transitions, r.stats.depth, r.complete,
            r.limit, r.fired, r.vacuous,
            [(v.kind, v.property, v.message, v.path, v.failing, v.span) for v in r.violations])


def load_random(tmp_path, texts: tuple[str, str]):
    """A generated (model, spec) written to tmp_path and loaded; Hypothesis drops the example
    if it is not a valid model."""
    model, spec = texts
    (tmp_path / "random.model").write_text(model)
    (tmp_path / "random.spec").write_text(spec)
    try:
        return load_spec(str(tmp_path / "random.spec"))
    except CheckError:
        assume(False)


def _compare(tmp_path, texts, stop_at_first: bool, max_states: int | None,
             max_depth: int | None, handover: int | None = None, store: str = "auto") -> None:
    model, spec = texts
    loaded = load_random(tmp_path, texts)
    # A random model can have millions of states: at most CAP, cut the same way in both.
    limits = Limits(deadlock=loaded.config.deadlock, max_states=max_states or CAP,
                    max_depth=max_depth, stop_at_first=stop_at_first)
    ref = bfs.search(loaded.system, limits)
    if handover is None:
        lvl = level.search(loaded.system, limits, store=store)
    else:  # the reference first, the level engine from the first level with `handover` states
        lvl = bfs.search(loaded.system, limits, handover=handover)
    assert _summary(lvl) == _summary(ref), model + spec


@FAST
@given(texts=model_and_spec(), stop_at_first=st.booleans(),
       max_states=st.one_of(st.none(), st.integers(1, 60)),
       max_depth=st.one_of(st.none(), st.integers(0, 6)),
       handover=st.sampled_from([None, 1, 2, 5, 20]),
       store=st.sampled_from(["auto", "fingerprint"]))
def test_level_engine_matches_reference(tmp_path_factory, texts, stop_at_first, max_states,
                                        max_depth, handover, store):
    _compare(tmp_path_factory.mktemp("m"), texts, stop_at_first, max_states, max_depth,
             handover, store)


@pytest.mark.long
@LONG
@given(texts=model_and_spec(), stop_at_first=st.booleans(),
       max_states=st.one_of(st.none(), st.integers(1, 200)),
       handover=st.sampled_from([None, 1, 3, 10]))
def test_level_engine_matches_reference_long(tmp_path_factory, texts, stop_at_first,
                                             max_states, handover):
    _compare(tmp_path_factory.mktemp("m"), texts, stop_at_first, max_states, None, handover)


def test_handler_of_an_instance_nobody_addresses(tmp_path):
    """B[1] has an `on Ack` handler but A only ever sends to B[0]: the generated dispatch for
    B[1] had an empty block (an IndentationError, exit 70) before."""
    (tmp_path / "m.model").write_text(
        "protocol m\nmessage Ack\nactor A {\n  state S0 initial\n  state S1 final\n"
        "  step t in S0 { send Ack to B[0]\n goto S1 }\n}\n"
        "actor B[2] {\n  state S0 initial final\n  state S1 final\n"
        "  on Ack in S0 { goto S1 }\n}\n")
    (tmp_path / "m.spec").write_text('spec m\nmodel "m.model"\nexpect holds\n')
    loaded = load_spec(str(tmp_path / "m.spec"))
    for engine in (bfs, level):
        r = engine.search(loaded.system, Limits())
        # A: S0 -> S1 (Ack in flight), then B[0] takes it: 3 states, 2 transitions.
        assert (r.verdict, r.stats.states, r.stats.transitions) == ("holds", 3, 2)


@pytest.mark.parametrize("spec", ["forwarding_task_buggy_n3.spec", "forwarding_task_fixed_n4.spec",
                                  "forwarding_task_fixed_n3.spec"])
@pytest.mark.parametrize("budget", [None, 64, 4096])
def test_fingerprint_and_exact_storage_agree(monkeypatch, spec, budget):
    """Fingerprints from the start, or from when the exact rows pass a (tiny) budget, give the
    exact search's counts, violations and traces (replayed from fingerprints), and report the
    omission estimate; the exact search reports none."""
    from conftest import ROOT

    loaded = load_spec(str(ROOT / "specs" / spec))
    limits = Limits(deadlock=loaded.config.deadlock, stop_at_first=False)
    exact = level.search(loaded.system, limits, store="exact")
    if budget is None:
        other = level.search(loaded.system, limits, store="fingerprint")
    else:
        monkeypatch.setattr(level, "EXACT_BUDGET", budget)
        other = level.search(loaded.system, limits, store="auto")
    assert _summary(other) == _summary(exact) == _summary(bfs.search(loaded.system, limits))
    assert exact.stats.omission is None
    assert other.stats.omission is not None and 0 < other.stats.omission < 1e-9


@pytest.mark.parametrize("handover", [None, 1, 30])
def test_rows_repacked_as_slots_outgrow_their_bits(tmp_path, monkeypatch, handover):
    """A slot gets only the bits its codes need when the level engine starts (exact fit, so
    that the forwarding model's rows are 2 words, not 4): counters that take new values level
    after level outgrow them again and again, and every row is repacked each time, before and
    after the handover from the reference engine (levels are wide enough for it: D counts too).
    A counts 0..40, B 0..12 and D 0..5, a step at a time, and C toggles a flag: 41 * 13 * 6 * 2
    states, and a transition for every enabled step of every state."""
    (tmp_path / "m.model").write_text(
        "protocol m\n"
        "actor A {\n  var v: 0..40 = 0\n  state S initial final\n"
        "  step inc in S when v < 40 { v = v + 1 }\n}\n"
        "actor B {\n  var w: 0..12 = 0\n  state S initial final\n"
        "  step inc in S when w < 12 { w = w + 1 }\n}\n"
        "actor C {\n  var f: bool = false\n  state S initial final\n"
        "  step flip in S { f = not f }\n}\n"
        "actor D {\n  var u: 0..5 = 0\n  state S initial final\n"
        "  step inc in S when u < 5 { u = u + 1 }\n}\n")
    resume = level.resume
    (tmp_path / "m.spec").write_text('spec m\nmodel "m.model"\ninvariant i: A.v <= 40\n'
                                     "expect holds\n")
    loaded = load_spec(str(tmp_path / "m.spec"))
    limits = Limits(deadlock=loaded.config.deadlock, stop_at_first=False)
    resumed = []
    monkeypatch.setattr(level, "resume", lambda *a, **k: resumed.append(1) or resume(*a, **k))
    lvl = (level.search(loaded.system, limits) if handover is None
           else bfs.search(loaded.system, limits, handover=handover))
    assert resumed == ([] if handover is None else [1])  # the level engine took over
    ref = bfs.search(loaded.system, limits)
    states = 41 * 13 * 6 * 2
    # C flips everywhere; A, B and D count while below their tops.
    transitions = states + (40 * 13 * 6 + 41 * 12 * 6 + 41 * 13 * 5) * 2
    assert (lvl.verdict, lvl.stats.states, lvl.stats.transitions) == ("holds", states,
                                                                     transitions)
    assert _summary(lvl) == _summary(ref)
