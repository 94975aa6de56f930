"""Liveness: hand-computed models for each form and fairness level, an independent oracle on
random models, every lasso replayed and validated, the errors a spec can make, and the lasso in
every output (text, JSON, ITF, SARIF, sequence chart).

The hand models are in tests/liveness/; each says in its header what it shows. Where weak and
strong fairness differ: blinker (Break is enabled only in On). Where none and weak differ:
spinner (Spinner may spin forever). Where per step and per actor differ: one_actor.
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import ROOT, write_spec
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from liveness_oracle import Graph, constraints, validate_lasso, violation
from test_level_differential import _summary, model_and_spec

from checker import run
from checker.diagnostics import CheckError
from checker.engines import bfs, graph
from checker.engines.common import Limits
from checker.load import load_spec
from checker.properties import BROKEN, LIVENESS, NOT_CHECKED, PROVED
from checker.temporal import FORMS, LEVELS

LIVE = ROOT / "tests" / "liveness"
GOLDEN = ROOT / "tests" / "golden"
FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
LONG = settings(max_examples=1000, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


def _check(spec: str, **options):
    return run.check(str(LIVE / spec), run.CheckOptions(**options))


def _outcome(report, name):
    return next(o for o in report.outcomes if o.property.name == name)


def _lasso(report, name):
    """(stem steps, cycle steps or 'stutter') of a property's counterexample."""
    cx = next(c for c in report.counterexamples if c.property.name == name)
    lasso = cx.violation.lasso
    if lasso.stutter:
        return len(cx.violation.path) - 1, "stutter"
    return lasso.loop, len(cx.violation.path) - 1 - lasso.loop


# (spec, states, edges, {property: PROVED | (stem, cycle)}), all counted by hand from the models.
HAND = [
    ("blinker_weak.spec", 3, 3, {"keeps_going_off": (2, "stutter"), "ends_broken": (0, 2),
                                 "on_leads_to_off": PROVED, "off_or_broken_recurs": PROVED}),
    # Strong fairness forces Break, enabled in every other state of the Off/On cycle.
    ("blinker_strong.spec", 3, 3, {"keeps_going_off": (2, "stutter"), "ends_broken": PROVED,
                                   "on_leads_to_off": PROVED, "off_or_broken_recurs": PROVED}),
    # Weak fairness forces Finish (enabled throughout) but not Win (marked unfair).
    ("spinner_weak.spec", 8, 16, {"finisher_finishes": PROVED, "gambler_wins": (1, 2)}),
    ("spinner_none.spec", 8, 16, {"finisher_finishes": (0, 2), "gambler_wins": (0, 2)}),
    ("one_actor_step.spec", 4, 4, {"stops": PROVED}),
    ("one_actor_per_actor.spec", 4, 4, {"stops": (0, 2)}),
    # Client[0] sends, is answered (3 steps); Client[1] sends and is dropped (2 steps).
    ("request_reply.spec", 20, 31, {"answered[Client[0]]": PROVED,
                                    "answered[Client[1]]": (5, "stutter"),
                                    "never_both_done": PROVED}),
]


@pytest.mark.parametrize(("spec", "states", "edges", "expected"), HAND,
                         ids=[h[0] for h in HAND])
def test_hand_computed_verdicts_and_lassos(spec, states, edges, expected):
    report = _check(spec)
    assert (report.stats.states, report.stats.edges) == (states, edges)
    for name, want in expected.items():
        o = _outcome(report, name)
        if want is PROVED:
            assert o.status is PROVED, name
        else:
            assert o.status is BROKEN, name
            assert _lasso(report, name) == want, name
    assert report.matches


def test_every_holds_says_whether_it_needs_fairness():
    notes = dict(_check("spinner_weak.spec").notes)
    assert notes["finisher_finishes"].startswith("holds only under fairness weak")
    assert dict(_check("blinker_weak.spec").notes)["on_leads_to_off"] == \
        "also holds without fairness"
    assert dict(_check("blinker_strong.spec").notes)["ends_broken"].startswith(
        "holds only under fairness strong")


def test_a_premise_that_never_holds_is_vacuous():
    report = _check("request_reply.spec")
    assert report.vacuous == ("never_both_done",)


def test_hand_lassos_are_real_fair_runs():
    for spec, *_ in HAND:
        report = _check(spec)
        for cx in report.counterexamples:
            live = next(c for c in report.system.liveness
                        if c.liveness.name == cx.property.name)
            validate_lasso(report.system, cx.violation, live.liveness.form, live.p, live.q,
                           report.config.fairness)


def test_fairness_facts_name_what_the_cycle_relies_on():
    report = _check("spinner_weak.spec")
    lasso = report.counterexamples[0].violation.lasso
    assert lasso.fairness == (
        "Finisher never acts again: nothing of it is enabled",
        "Gambler: step Win stays enabled and never fires (it is marked unfair)",
        "Spinner: step Spin fires in every turn")
    per_actor = _check("one_actor_per_actor.spec").counterexamples[0].violation.lasso
    assert per_actor.fairness == (("Ticker: step Tick fires in every turn; step Stop stays "
                                  "enabled and never fires (fairness per actor: the instance "
                                  "acts)"),)


# ---------------------------------------------------------------- random models

PREDICATES = ["g == 0", "g > 0", "{a} at S1", "{a} at S2", "{a}.v == 0", "not ({a} at S0)",
              "{b}.f", "forall i in B: i at S0"]


@st.composite
def cyclic_model(draw) -> tuple[str, str]:
    """Models made of cycles: steps and handlers that go round 3 control states, values kept
    in range (mod 3), messages that wake other actors, fairness marks on some transitions."""
    counts = {"A": draw(st.sampled_from([1, 2])), "B": 1}
    lines = ["protocol cyclic", "message Ping", "shared g: 0..2 = 0",
             (f"channel default capacity {draw(st.integers(1, 2))} "
             f"{draw(st.sampled_from(['fifo', 'unordered']))}")]
    for name, other in (("A", "B"), ("B", "A")):
        head = f"actor {name}[{counts[name]}]" if counts[name] > 1 else f"actor {name}"
        lines += [head + " {", "  var v: 0..2 = 0", "  var f: bool = false"]
        finals = draw(st.sets(st.integers(0, 2), max_size=1))
        lines += [f"  state S{k}" + (" initial" if k == 0 else "")
                  + (" final" if k in finals else "") for k in range(3)]
        for i in range(draw(st.integers(1, 3))):
            src, dst = draw(st.integers(0, 2)), draw(st.integers(0, 2))
            guard = draw(st.sampled_from(["", " when v < 2", " when not f", " when g == 0"]))
            mark = draw(st.sampled_from(["", "", "", " unfair", " fair strong"]))
            body = [draw(st.sampled_from(["v = (v + 1) % 3", "f = not f", "g = (g + v) % 3",
                                          "skip"]))]
            if draw(st.booleans()):
                target = other if counts[other] == 1 else f"{other}[{draw(st.integers(0, 1))}]"
                body.append(f"send Ping to {target}")
            if draw(st.booleans()):
                body = ["choose { " + "\n".join(body) + " } or { v = 0 }"]
            lines.append(f"  step t{i} in S{src}{guard}{mark} {{ " + "\n".join(body)
                         + f"\ngoto S{dst} }}")
        if draw(st.booleans()):
            lines.append(f"  on Ping in S{draw(st.integers(0, 2))} {{ f = not f\n"
                         f"goto S{draw(st.integers(0, 2))} }}")
        lines.append("}")
    spec = ["spec random", 'model "random.model"', "deadlock off", "expect holds"]
    return "\n".join(lines) + "\n", "\n".join(spec) + "\n"


@st.composite
def live_spec(draw):
    model, spec = draw(st.one_of(cyclic_model(), model_and_spec()))
    a = "A" if "actor A[" not in model else "A[0]"
    b = "B" if "actor B[" not in model else "B[1]"
    preds = [x.format(a=a, b=b) for x in PREDICATES]
    props = []
    for n in range(draw(st.integers(1, 3))):
        form = draw(st.sampled_from(FORMS))
        p, q = draw(st.sampled_from(preds)), draw(st.sampled_from(preds))
        body = {"eventually": f"eventually {p}", "always_eventually": f"always eventually {p}",
                "eventually_always": f"eventually always {p}",
                "leads_to": f"{p} leads_to {q}"}[form.name]
        props.append(f"liveness l{n}: {body}")
    level = draw(st.sampled_from(LEVELS))
    per_actor = level.name != "none" and draw(st.booleans())
    fairness = f"fairness {level.name}" + (" per actor" if per_actor else "")
    lines = spec.splitlines()
    return model, "\n".join(lines[:-1] + props + [fairness, lines[-1]]) + "\n"


def _differential(tmp_path, texts) -> None:
    model, spec = texts
    (tmp_path / "random.model").write_text(model)
    (tmp_path / "random.spec").write_text(spec)
    try:
        loaded = load_spec(str(tmp_path / "random.spec"))
    except CheckError:
        assume(False)
    system, cfg = loaded.system, loaded.config
    # The graph engine's safety findings are the reference BFS's.
    limits = Limits(deadlock=cfg.deadlock, max_states=3_000, stop_at_first=False)
    got, _ = graph.search(system, limits)
    assert _summary(got) == _summary(bfs.search(system, limits)), model + spec
    try:
        oracle = Graph(system, cap=3_000)
    except OverflowError:
        assume(False)
    report = run.check(loaded, run.CheckOptions(all_violations=True))
    for live in system.liveness:
        name = live.liveness.name
        o = _outcome(report, name)
        if o.status is NOT_CHECKED or any(v.property == name and v.kind is not LIVENESS
                                          for v in report.violations):
            continue  # not decided (a state bound), or P/Q cannot be evaluated somewhere
        p = [bool(live.p(s)) for s in oracle.states]
        q = [bool(live.q(s)) for s in oracle.states] if live.q is not None else None
        groups = {d["group"] for _, _, d in oracle.g.edges(data=True)}
        try:
            want = violation(oracle, live.liveness.form, p, q,
                             constraints(system, groups, cfg.fairness))
        except OverflowError:
            continue  # an SCC too large to enumerate its subsets
        assert (o.status is BROKEN) == (want is not None), (name, model + spec)
        if want is None:
            continue
        v = next(v for v in report.violations if v.property == name)
        validate_lasso(system, v, live.liveness.form, live.p, live.q, cfg.fairness)
        assert v.lasso.loop == want, ("stem not shortest", name, model + spec)
        if cfg.fairness.level.name != "none":
            continue


@FAST
@given(texts=live_spec())
def test_liveness_matches_brute_force_oracle(tmp_path_factory, texts):
    _differential(tmp_path_factory.mktemp("live"), texts)


@pytest.mark.long
@LONG
@given(texts=live_spec())
def test_liveness_matches_brute_force_oracle_long(tmp_path_factory, texts):
    _differential(tmp_path_factory.mktemp("live"), texts)


def test_a_bounded_search_never_proves_liveness():
    report = _check("request_reply.spec", max_states=10)
    assert not report.complete
    assert all(o.status is NOT_CHECKED for o in report.outcomes
               if o.property.kind is LIVENESS)
    assert report.verdict == "inconclusive"


# ---------------------------------------------------------------- errors

def _error(tmp_path, model, body, *args):
    from checker.cli import main
    spec = write_spec(tmp_path, model, body)
    return main(["check", "--allow-root", str(ROOT), *args, str(spec)])


@pytest.mark.parametrize(("model", "body", "code", "where"), [
    (LIVE / "blinker.model", "liveness soon: eventually Light at On within 3\nexpect holds",
     "PC410", ":3:46"),
    (LIVE / "spinner.model", ("liveness each: forall k in 0..Spinner.turns: eventually "
     "Spinner at Looping\nexpect holds"), "PC411", ":3:28"),
    (LIVE / "blinker.model", "liveness none: forall k in 2..0: eventually Light at On\nexpect holds",
     "PC411", ":3:28"),
    (LIVE / "request_reply.model", ("liveness many: forall a in 0..20: forall b in 0..20: "
     "eventually Server at Up\nexpect holds"), "PC411", ":3:1"),
    (LIVE / "blinker.model", "liveness off: eventually Light at Of\nexpect holds", "PC", ":3:"),
    (LIVE / "blinker.model", ("invariant x: true\nliveness x: eventually Light at On\n"
     "expect holds"), "PC405", ":4:1"),
])
def test_bad_liveness_is_a_located_error(tmp_path, capsys, model, body, code, where):
    assert _error(tmp_path, model, body) == 2
    err = capsys.readouterr().err
    assert code in err and f"test.spec{where}" in err, err
    assert "Traceback" not in err


def test_reductions_that_break_liveness_are_not_applied(tmp_path, capsys):
    for flag in (["--por"], ["--workers", "2"]):
        assert _error(tmp_path, LIVE / "blinker.model",
                      "liveness off: eventually always Light at Off\nexpect violated",
                      "--json", *flag) == 0
        doc = json.loads(capsys.readouterr().out)["results"][0]
        assert doc["stats"]["reduction"] is None and doc["stats"]["workers"] is None
        assert [p["status"] for p in doc["properties"] if p["kind"] == "liveness"] == \
            ["violated"]
        (warning,) = doc["warnings"]
        assert "warning[PW004]" in warning and f"{flag[0]} not applied" in warning
        assert "test.spec:3:1" in warning


def test_fairness_keyword_typo_is_a_located_syntax_error(tmp_path, capsys):
    assert _error(tmp_path, LIVE / "blinker.model", "fairness medium\nexpect holds") == 2
    err = capsys.readouterr().err
    assert "test.spec:3:10" in err and "'none', 'weak' or 'strong'" in err, err


# ---------------------------------------------------------------- outputs

def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PROTOCHECK_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from its golden file"


def test_lasso_text_golden(cli):
    code, out, _ = cli("check", "--no-progress", "tests/liveness/spinner_weak.spec")
    assert code == 0
    lines = [ln for ln in out.splitlines() if not ln.startswith("explored:")]
    _golden("liveness-spinner_weak.txt", "\n".join(lines) + "\n")


def test_lasso_in_json_itf_and_sarif(cli, tmp_path):
    _, out, _ = cli("check", "--json", "tests/liveness/spinner_weak.spec")
    doc = json.loads(out)["results"][0]
    assert doc["fairness"] == "fairness weak"
    props = {p["name"]: p for p in doc["properties"]}
    assert props["finisher_finishes"]["status"] == "holds"
    assert props["finisher_finishes"]["form"] == "eventually"
    assert props["finisher_finishes"]["note"].startswith("holds only under fairness weak")
    (v,) = doc["violations"]
    assert v["kind"] == "liveness" and v["lasso"]["loop_start_step"] == 2
    assert v["lasso"]["stutter"] is False
    assert len(v["trace"]["steps"]) == 3
    itf = v["itf"]
    # ITF: the closing state is not repeated; `loop` is the state the run returns to.
    assert len(itf["states"]) == 3 and itf["loop"] == 1
    assert itf["states"][1] == {**itf["states"][1], "Spinner": {"state": "Looping",
                                                                  "turns": {"#bigint": "0"}}}
    _code, out, _ = cli("check", "--sarif", str(tmp_path / "r.sarif"),
                       "tests/liveness/spinner_weak.spec")
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    (res,) = sarif["runs"][0]["results"]
    assert res["ruleId"] == "liveness"
    assert "1 step, then a 2-step cycle that repeats forever" in res["message"]["text"]
    flow = res["codeFlows"][0]["threadFlows"][0]["locations"]
    assert flow[1]["location"]["message"]["text"].startswith("cycle, repeating forever from")
    assert flow[2]["location"]["message"]["text"].endswith("then back to step 2")


def test_lasso_sequence_chart_golden(cli, tmp_path):
    code, _, _ = cli("check", "--no-progress", "--diagrams", str(tmp_path),
                     "tests/liveness/spinner_weak.spec", "tests/liveness/request_reply.spec")
    assert code == 0
    dot = (tmp_path / "spinner_weak-gambler_wins.dot").read_text()
    assert 'id="cycle_back"' in dot and "repeats forever" in dot
    _golden("spinner_weak-gambler_wins.dot", dot)
    stutter = (tmp_path / "request_reply-answered_Client_1.dot").read_text()
    assert "then nothing more happens" in stutter


# ---------------------------------------------------------------- deadlines (timed models)

def _fixed_point(tmp_path, model, body, point) -> dict[str, str]:
    fixes = "\n".join(f"param {k} = {v}" for k, v in point.items())
    spec = write_spec(tmp_path, model, f"{fixes}\n{body}\nexpect holds")
    r = run.check(str(spec), run.CheckOptions(roots=(str(ROOT),)))
    assert r.complete and r.engine == "timed"
    return {o.property.name: o.status.name for o in r.outcomes}


def test_deadline_regions_by_hand_and_at_every_integer_point(tmp_path):
    syn = run.synthesize(str(LIVE / "timed_worker.spec"))
    assert syn.complete
    assert dict(syn.violated) == {"busy_then_done": "d < w", "done_in_time": "d < w"}
    assert syn.safe == "d >= w"
    body = "\n".join(ln for ln in (LIVE / "timed_worker.spec").read_text().splitlines()
                     if ln.startswith("liveness"))
    for d in range(5):
        for w in range(5):
            got = _fixed_point(tmp_path, LIVE / "timed_worker.model", body, {"d": d, "w": w})
            want = "holds" if w <= d else "violated"  # done exactly at w; the deadline is inclusive
            assert got["done_in_time"] == got["busy_then_done"] == want, (d, w)
            assert got["done_by_w"] == "holds"


def test_deadline_witness_misses_the_deadline(cli_json):
    _, doc = cli_json("tests/liveness/timed_worker.spec")
    v = next(v for v in doc["results"][0]["violations"] if v["property"] == "done_in_time")
    assert v["kind"] == "liveness" and v["lasso"] is None and v["region"] == "d < w"
    params = {k: int(x) for k, x in v["witness"]["params"].items()}
    assert params["d"] < params["w"]  # the witness is inside the region
    assert "does not hold within d of the start" in v["message"]


def test_polyhedra_and_z3_zones_agree_on_deadlines():
    regions = [dict(run.synthesize(str(LIVE / "timed_worker.spec"),
                                   run.SynthesisOptions(zones=z)).violated)
               for z in ("ppl", "z3")]
    assert regions[0] == regions[1]


def _graceful(tmp_path, bounded_handler: bool, drain: int = 3):
    text = (ROOT / "models" / "graceful_shutdown.model").read_text()
    text = text.replace("param cleanup: int in 0..30", "param cleanup: int in 0..6")
    if bounded_handler:
        text = text.replace("on InvocationCompleted in Stopping {",
                            "on InvocationCompleted in Stopping within 0 {")
    model = tmp_path / "graceful.model"
    model.write_text(text)
    body = (f"const VARIANT = 3\nterminate HostProcess at 0\ndeadlock off\nliveness stop: WebJobsScriptHostService at "
            f"Stopping leads_to WebJobsScriptHostService at Stopped within {drain}")
    return model, body


@pytest.mark.parametrize("bounded", [False, True])
def test_waiting_for_completion_needs_a_delivery_bound(tmp_path, bounded):
    # Without a deadline on the handler the completion message may wait forever: violated
    # for all values; with `within 0` on it, StopAsync ends when the clean-up does.
    model, body = _graceful(tmp_path, bounded)
    spec = write_spec(tmp_path, model, body + "\nexpect holds")
    syn = run.synthesize(str(spec), run.SynthesisOptions(roots=(str(ROOT),)))
    assert dict(syn.violated) == {"stop": "cleanup > 3" if bounded else "true"}
    for cleanup in range(7):
        got = _fixed_point(tmp_path, model, body, {"cleanup": cleanup, "grace": 1})
        assert got["stop"] == ("holds" if bounded and cleanup <= 3 else "violated"), cleanup


@pytest.mark.parametrize("low,verdict", [(1, "holds"), (0, "inconclusive")])
def test_a_cycle_that_resets_a_timer_and_waits_for_it_takes_time(tmp_path, low, verdict):
    # timer_loop.model: Accept starts the timer, its timeout returns to Idle. With the timer
    # at least 1, every way round takes time: the deadline (stopped within request_time of
    # the SIGTERM) is decided and holds. It used to be reported as a Zeno run. With the timer
    # allowed to be 0, the loop can spin at one instant: still undecided.
    spec = write_spec(tmp_path, LIVE / "timer_loop.model",
                      f"const LOW = {low}\nterminate Server at stop_at\ndeadlock off\n"
                      "liveness stops: eventually Server at Stopped within stop_at + "
                      "request_time\nexpect holds")
    report = run.check(str(spec), run.CheckOptions(roots=(str(ROOT),)))
    assert report.complete and report.verdict == verdict
    o = _outcome(report, "stops")
    if verdict == "holds":
        assert o.status is not NOT_CHECKED
    else:
        assert o.status is NOT_CHECKED and "Zeno" in o.reason


def test_a_zero_time_cycle_leaves_a_deadline_undecided(tmp_path, cli):
    # Spin loops at t=0 forever (zeno.model): no deadline is ever missed, and none is met.
    spec = write_spec(tmp_path, LIVE / "zeno.model",
                      "liveness done: eventually Spin at Done within d\nexpect holds")
    report = run.check(str(spec), run.CheckOptions(roots=(str(ROOT),)))
    assert report.complete and report.verdict == "inconclusive"
    o = _outcome(report, "done")
    assert o.status is NOT_CHECKED and "time may stop" in o.reason and "Zeno" in o.reason
    code, out, _ = cli("synthesize", str(spec))
    assert code == 3 and "INCOMPLETE: done: time may stop" in out
    # Where time can pass, the same deadline is decided: Finish is due at 1.
    calm = tmp_path / "calm.model"
    calm.write_text((LIVE / "zeno.model").read_text().replace(
        "step Again in Loop within 0 { goto Loop }\n", ""))
    spec = write_spec(tmp_path, calm,
                      "liveness done: eventually Spin at Done within d\nexpect holds")
    assert run.check(str(spec), run.CheckOptions(roots=(str(ROOT),))).verdict == "holds"



# ---------------------------------------------------------------- no deadline, timed models

def _timed(tmp_path, model, body):
    spec = write_spec(tmp_path, model, body + "\nexpect holds")
    return run.check(str(spec), run.CheckOptions(roots=(str(ROOT),)))


def test_without_a_deadline_a_timed_model_is_checked_on_its_untimed_abstraction(tmp_path):
    r = _timed(tmp_path, LIVE / "timed_detour.model", "deadlock off\n"
               "liveness done: eventually Worker at Done\n"
               "liveness done_or_jammed: eventually (Worker at Done or Worker at Jammed)\n"
               "liveness settles: eventually always not (Worker at Busy)")
    assert r.engine == "timed" and r.complete
    assert _outcome(r, "settles").status is PROVED
    assert dict(r.notes)["settles"].startswith("checked on the untimed abstraction")
    # Jamming stops the run: a real timed run (its stem has a witness), then nothing more.
    jam = next(c for c in r.counterexamples if c.property.name == "done")
    assert [s.name for s in jam.trace.steps] == ["Start", "Jam"] and jam.trace.stutter
    assert jam.violation.witness is not None and jam.violation.witness.times == ("0", "0")
    # The detour loops through states without timers or deadlines: time passes freely there.
    loop = next(c for c in r.counterexamples if c.property.name == "done_or_jammed")
    assert [s.name for s in loop.trace.steps] == ["Start", "Detour", "GoRight", "GoLeft"]
    assert loop.trace.loop == 3
    for cx in (jam, loop):
        live = next(c for c in r.system.liveness if c.liveness.name == cx.property.name)
        validate_lasso(r.system, cx.violation, live.liveness.form, live.p, live.q,
                       r.config.fairness)


def test_a_cycle_through_timers_is_not_called_a_violation(tmp_path):
    # Without fairness the dora daemon may time out and re-arm forever while acks wait: the
    # abstraction breaks the property, but whether time allows that forever is not decided.
    body = ("const FIXED = true\nliveness finishes: stop_requested leads_to Daemon at Done")
    fair = _timed(tmp_path, ROOT / "models" / "dora_drop_token.model", body)
    assert fair.verdict == "holds" and _outcome(fair, "finishes").status is PROVED
    unfair = _timed(tmp_path, ROOT / "models" / "dora_drop_token.model",
                    "fairness none\n" + body)
    o = _outcome(unfair, "finishes")
    assert unfair.verdict == "inconclusive" and o.status is NOT_CHECKED
    assert "the untimed abstraction breaks it" in o.reason and "1-step cycle" in o.reason


def test_synthesize_says_a_region_without_a_deadline_is_not_exact(tmp_path, cli):
    spec = write_spec(tmp_path, LIVE / "timed_detour.model",
                      "deadlock off\nliveness done: eventually Worker at Done\nexpect violated")
    code, out, _ = cli("synthesize", str(spec))
    assert code == 3
    assert "INCOMPLETE: liveness done is violated for some parameter values" in out
    assert "every property decided exactly holds for all parameter values" in out
    spec = write_spec(tmp_path, ROOT / "models" / "dora_drop_token.model",
                      "const FIXED = true\nliveness finishes: stop_requested leads_to "
                      "Daemon at Done\nexpect holds")
    code, out, _ = cli("synthesize", str(spec))
    assert code == 0 and "every property holds for all parameter values" in out


# Found in review: time that stops without a cycle, a pending deadline on a cycle, failing
# transitions, and a predicate that cannot be evaluated in the initial state.
FORGOT_CANCEL = """protocol forgot_cancel
param d: int in 0..9
message Req
actor A {
  timer t = 1
  state Idle initial
  state Done final
  step Go in Idle within 0 { start t; goto Done }
}
actor B {
  state Waiting initial final
  state Served final
  on Req in Waiting { goto Served }
}
"""
TICKER = """protocol ticker
param d: int in 0..9
actor A {
  state Loop initial
  state Done final
  var n: 0..1 = 0
  step Tick in Loop after 2..2 { n = 1 - n }
}
"""
FAILING = """protocol failing
param d: int in 0..9
actor A {
  state Idle initial
  state Wait
  state Done final
  var x: 0..1 = 0
  step Go in Idle within 0 { choose { assert x == 1 } or { goto Wait } }
  step Fin in Wait within 1 { goto Done }
}
"""
DIVIDES = """protocol divides
param d: int in 0..9
actor A {
  state S0 initial
  state S1 final
  var n: 0..2 = 0
  step a in S0 within 0 { n = 1; goto S1 }
}
"""


def _model(tmp_path, text: str):
    path = tmp_path / (text.split()[1] + ".model")
    path.write_text(text)
    return path


def test_a_timelock_leaves_a_deadline_undecided(tmp_path, cli):
    # Nobody sends Req; A's timer expires at 1 and nothing can handle it: time stops there.
    model = _model(tmp_path, FORGOT_CANCEL)
    r = _timed(tmp_path, model, "param d = 5\nliveness served: eventually B at Served within d")
    o = _outcome(r, "served")
    assert r.verdict == "inconclusive" and o.status is NOT_CHECKED and "timelock" in o.reason
    spec = write_spec(tmp_path, model, "liveness served: eventually B at Served within d\n"
                      "expect violated")
    code, out, _ = cli("synthesize", str(spec))
    assert code == 3 and "INCOMPLETE: served: time may stop" in out
    assert "served is violated iff d < 1" in out  # before the timer expires: a real miss


@pytest.mark.parametrize("zones", ["ppl", "z3"])
def test_a_pending_deadline_on_a_cycle_is_explored_to_the_end(tmp_path, zones):
    # The observer's clock grows on every turn; capped past the largest deadline, zones repeat.
    spec = write_spec(tmp_path, _model(tmp_path, TICKER),
                      "deadlock off\nliveness done: eventually A at Done within d\n"
                      "expect violated")
    syn = run.synthesize(str(spec), run.SynthesisOptions(roots=(str(ROOT),), zones=zones))
    assert syn.complete and dict(syn.violated) == {"done": "true"}
    assert syn.stats.states < 20


def test_a_failing_transition_leaves_deadlines_undecided(tmp_path):
    r = _timed(tmp_path, _model(tmp_path, FAILING),
               "param d = 3\nliveness ev: eventually A at Done within d")
    assert {v.kind.name for v in r.violations} == {"assert"}
    o = _outcome(r, "ev")
    assert o.status is NOT_CHECKED and o.reason.startswith("a transition fails (assert")


def test_a_predicate_that_fails_in_the_initial_state_is_a_runtime_violation(tmp_path):
    r = _timed(tmp_path, _model(tmp_path, DIVIDES),
               "liveness bad: eventually 1 / (A.n) == 1 within d")
    assert [v.kind.name for v in r.violations] == ["runtime"]
    assert "division by zero" in r.violations[0].message


# Found in review of the abstraction: fairness that forces what time forbids (false HOLDS),
# a stop where a timer nobody handles is due, and two handlers of one message sharing a clock.
STRONG_SLOW = """protocol strong_slow
actor X {
  state S initial
  state T
  state Done final
  step Slow in S after 2..2 { goto Done }
  step Leave in S within 1 { goto T }
  step Back in T within 1 { goto S }
}
"""
PER_ACTOR = """protocol per_actor
message Ack
actor Daemon {
  timer g = 1
  state Init initial
  state Wait
  state Done final
  step Begin in Init within 0 { start g; goto Wait }
  on timeout g in Wait { start g }
  on Ack in Wait { goto Done }
}
actor Node {
  state Run initial
  state Sent final
  step Send in Run within 0 { send Ack to Daemon; goto Sent }
}
"""
TOGGLE = """protocol toggle
shared flag: bool = false
actor X {
  state S initial
  state Done final
  step A in S when flag after 2..2 { goto Done }
  step B in S when not flag after 2..2 { goto Done }
}
actor Y {
  state Run initial
  step Toggle in Run after 1..1 { flag = not flag }
}
"""
SHARED_CLOCK = """protocol shared_clock
param d: int in 0..10
message M
actor Src {
  state S initial
  state Sent final
  step Send in S within 0 { send M to X; goto Sent }
}
actor X {
  state A initial
  state B
  state Done final
  step Move in A after 2..2 { goto B }
  on M in A after 3..3 { goto Done }
  on M in B after 3..3 { goto Done }
}
"""


@pytest.mark.parametrize(("text", "fairness", "prop"), [
    (STRONG_SLOW, "strong", "eventually X at Done"),  # Slow's clock never reaches 2
    (TOGGLE, "strong", "eventually X at Done"),  # A and B each disabled before they are due
    (TOGGLE, "weak per actor", "eventually X at Done"),
    (PER_ACTOR, "weak per actor", "eventually Daemon at Done"),  # it acts: timing out
    (PER_ACTOR, "strong per actor", "eventually Daemon at Done"),
])
def test_fairness_never_forces_what_time_forbids(tmp_path, text, fairness, prop):
    r = _timed(tmp_path, _model(tmp_path, text),
               f"deadlock off\nfairness {fairness}\nliveness p: {prop}")
    assert r.verdict != "holds" and _outcome(r, "p").status is not PROVED


def test_a_stop_where_a_timer_is_due_is_not_a_violation(tmp_path):
    r = _timed(tmp_path, _model(tmp_path, FORGOT_CANCEL),
               "param d = 5\nliveness served: eventually B at Served")
    o = _outcome(r, "served")
    assert o.status is NOT_CHECKED and "time cannot pass in its last state" in o.reason


def test_two_handlers_of_one_message_have_a_clock_each(tmp_path):
    # Move is forced at 2; `on M in B` is enabled only then, and fires 3 later.
    spec = write_spec(tmp_path, _model(tmp_path, SHARED_CLOCK),
                      "deadlock off\nliveness done: eventually X at Done within d\n"
                      "expect violated")
    syn = run.synthesize(str(spec), run.SynthesisOptions(roots=(str(ROOT),)))
    assert dict(syn.violated) == {"done": "d < 5"}
