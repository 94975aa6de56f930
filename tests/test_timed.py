"""The timed engine: seed verdicts and synthesised regions, a brute-force cross-check of
synthesis against point-by-point checks, witnesses that reproduce, and the equal-time rule."""

from __future__ import annotations

import itertools
import re
from fractions import Fraction

import pytest
import z3
from conftest import MODELS, ROOT, write_spec

from checker import run
from checker.load import load_spec
from checker.symbolic.zones import ParamSpace, describe


@pytest.mark.parametrize("spec,verdict,safe", [
    ("graceful_shutdown_hard_coded_drain", "holds iff", "cleanup < 10"),
    ("graceful_shutdown_linux_no_token", "violated for all", "false"),
    # The grace must also fit StopAsync's 10 s (stop_within_drain).
    ("graceful_shutdown_configurable_grace", "holds iff", "grace <= 10 and cleanup < grace"),
    # Safe, but StopAsync has no time bound (stop_within_drain is violated for all values).
    ("graceful_shutdown_wait_for_completion", "violated for all", "false"),
    ("dora_drop_token_buggy", "holds iff", "grace > gil_delay"),
    # Safe for all values, but the stop finishes within the grace only if the acks do.
    ("dora_drop_token_fixed", "holds iff", "grace >= gil_delay"),
])
def test_seed_synthesis(spec, verdict, safe):
    syn = run.synthesize(str(ROOT / "specs" / f"{spec}.spec"))
    assert syn.complete
    assert (syn.verdict, syn.safe) == (verdict, safe)


def test_synthesize_cli(cli):
    code, out, _ = cli("synthesize", "specs/graceful_shutdown_hard_coded_drain.spec")
    assert code == 0
    assert "every property holds iff cleanup < 10" in out
    assert "no_teardown_before_cleanup is violated iff cleanup >= 10" in out
    code, out, _ = cli("synthesize", "specs/graceful_shutdown_linux_no_token.spec")
    assert "for every parameter value, some property is violated" in out
    code, _, err = cli("synthesize", "specs/forwarding_task_buggy_n1.spec")
    assert code == 2 and "has no params" in err


def _small_model(tmp_path, name: str, ranges: dict[str, str], extra: dict | None = None):
    """The seed model with smaller param ranges (and constants), for brute force."""
    text = (ROOT / "models" / f"{name}.model").read_text()
    for param, rng in ranges.items():
        text, n = re.subn(rf"param {param}: int in \d+\.\.\d+", f"param {param}: int in {rng}",
                          text)
        assert n == 1
    for const, value in (extra or {}).items():
        text, n = re.subn(rf"const {const} = \w+", f"const {const} = {value}", text)
        assert n == 1
    path = tmp_path / f"{name}.model"
    path.write_text(text)
    return path


def _point_holds(tmp_path, model, consts, body, point) -> bool:
    fixes = "\n".join(f"param {k} = {v}" for k, v in point.items())
    spec = write_spec(tmp_path, model, f"{fixes}\n{body}\nexpect holds", consts)
    r = run.check(str(spec))
    assert r.complete and r.engine == "timed"
    return r.verdict == "holds"


def _region_holds(space: ParamSpace, formula, point) -> bool:
    subst = [(space.reals[k], z3.RealVal(v)) for k, v in point.items()]
    value = z3.simplify(z3.substitute(formula, *subst))
    assert z3.is_true(value) or z3.is_false(value)
    return z3.is_true(value)


GRACEFUL_BODY = ("terminate HostProcess at 0\ndeadlock off\ninvariant no_teardown_before_cleanup: forall i in Invocation: "
                 "not (i at TornDown)\ninvariant cancelled: forall i in Invocation: "
                 "i at CleaningUp implies not process_exited")
DORA_BODY = "invariant acked: forall n in Node: not (n at Killed)"


def _brute_force(tmp_path, name: str, ranges: dict[str, range], extra: dict, consts: dict,
                 body: str, deadlock: bool) -> dict[tuple, tuple[bool, bool]]:
    """For every integer point of `ranges`: (inside the synthesised safe region, holds when the
    point is fixed and checked on its own)."""
    model = _small_model(tmp_path, name, {p: f"{r.start}..{r.stop - 1}" for p, r in ranges.items()},
                         extra)
    loaded = load_spec(str(write_spec(tmp_path, model, f"{body}\nexpect holds", consts)),
                       (str(ROOT),))
    assert loaded.config.deadlock == deadlock
    formula = run.synthesize(loaded).safe_formula
    space = ParamSpace(loaded.model)
    out = {}
    for values in itertools.product(*ranges.values()):
        point = dict(zip(ranges, values))
        out[values] = (_region_holds(space, formula, point),
                       _point_holds(tmp_path, model, consts, body, point))
    return out


@pytest.mark.parametrize("variant", [0, 1, 2, 3])
def test_brute_force_graceful_shutdown(tmp_path, variant):
    results = _brute_force(tmp_path, "graceful_shutdown",
                           {"cleanup": range(6), "grace": range(1, 6)}, {"HARD_CODED_DRAIN": 3},
                           {"VARIANT": variant}, GRACEFUL_BODY, deadlock=False)
    disagreements = [(p, e, a) for p, (e, a) in results.items() if e != a]
    assert disagreements == []
    holds_somewhere = any(a for _e, a in results.values())
    violated_somewhere = not all(a for _e, a in results.values())
    # The regions are the interesting ones, not trivially all-or-nothing (except by design).
    assert (holds_somewhere, violated_somewhere) == {0: (True, True), 1: (False, True),
                                                     2: (True, True), 3: (True, False)}[variant]


def test_brute_force_graceful_shutdown_three_invocations(tmp_path):
    # Scaled: three in-flight invocations, the configurable grace (two params).
    results = _brute_force(tmp_path, "graceful_shutdown",
                           {"cleanup": range(5), "grace": range(1, 5)},
                           {"HARD_CODED_DRAIN": 3, "K": 3}, {"VARIANT": 2}, GRACEFUL_BODY,
                           deadlock=False)
    assert [(p, e, a) for p, (e, a) in results.items() if e != a] == []
    assert all(a == (cleanup < grace) for (cleanup, grace), (_e, a) in results.items())


@pytest.mark.parametrize("fixed,k", [(False, 1), (True, 1), (False, 3), (True, 3)])
def test_brute_force_dora(tmp_path, fixed, k):
    results = _brute_force(tmp_path, "dora_drop_token",
                           {"grace": range(1, 5), "gil_delay": range(5)}, {"K": k},
                           {"FIXED": fixed}, DORA_BODY, deadlock=True)
    for (grace, gil), (expected, actual) in results.items():
        assert expected == actual, (grace, gil)
        if not fixed:
            assert actual == (gil < grace), (grace, gil)


@pytest.mark.parametrize("spec", ["graceful_shutdown_hard_coded_drain",
                                  "graceful_shutdown_configurable_grace",
                                  "dora_drop_token_buggy"])
def test_witness_reproduces_the_violation(cli_json, tmp_path, spec):
    code, doc = cli_json(f"specs/{spec}.spec")
    assert code == 0
    v = doc["results"][0]["violations"][0]
    witness = v["witness"]["params"]
    text = (ROOT / "specs" / f"{spec}.spec").read_text()
    text = text.replace('model "../models/', f'model "{ROOT}/models/')
    text += "".join(f"param {k} = {val}\n" for k, val in witness.items())
    fixed = tmp_path / "witness.spec"
    fixed.write_text(text)
    code, doc2 = cli_json(str(fixed))
    assert code == 0  # still violated, as the spec expects
    v2 = next(x for x in doc2["results"][0]["violations"] if x["property"] == v["property"])
    assert [s["name"] for s in v2["trace"]["steps"]] == [s["name"] for s in v["trace"]["steps"]]
    # With every param fixed, the region is exactly that point.
    assert v2["region"] == "true"
    times = [Fraction(t) for t in v["witness"]["times"]]
    assert times == sorted(times)  # time never runs backwards along a trace


def test_hard_coded_drain_witness_times(cli):
    code, out, _ = cli("check", "specs/graceful_shutdown_hard_coded_drain.spec")
    assert code == 0
    assert "violated for: cleanup >= 10" in out
    # Strictly inside the region (cleanup = 10 would be a tie with the drain, on its edge).
    assert "witness: cleanup = 11" in out
    assert "4. WebJobsScriptHostService  on timeout hard_coded_delay  @ t=10" in out


def test_dora_witness_is_inside_the_region_and_takes_time(cli_json):
    # The all-minimum point (gil_delay = 0, grace = 1, every step at t=0) is on the region's
    # edge and shows nothing unfold: the witness is strictly inside, and the kill comes when
    # the grace period has run out, later than the stop.
    code, doc = cli_json("specs/dora_drop_token_buggy.spec")
    assert code == 0
    v = doc["results"][0]["violations"][0]
    assert v["region"] == "grace <= gil_delay"
    params = {k: int(x) for k, x in v["witness"]["params"].items()}
    assert 1 < params["grace"] < params["gil_delay"] < 20
    times = [Fraction(t) for t in v["witness"]["times"]]
    assert times[0] == 0 and times[-1] == params["grace"]


def test_witness_prefers_the_region_over_the_range(cli_json):
    # One sum of slacks tied d = 3 (on the region's edge: timers c and a fire at once) with
    # d = 4 (on the range's end): the region comes first.
    code, doc = cli_json("tests/timed/witness_edge.spec")
    assert code == 0
    v = doc["results"][0]["violations"][0]
    assert v["region"] == "d >= 3"
    assert v["witness"]["params"] == {"d": "4"}
    assert len(set(v["witness"]["times"])) == len(v["witness"]["times"])  # no tie of timers


def test_equal_times_explore_both_orders(tmp_path):
    body = "invariant a_first: Racer.first != 2\nexpect violated"
    loaded = load_spec(str(write_spec(tmp_path, MODELS / "tie.model", body, {"GAP": 0})), (str(ROOT),))
    r = run.check(loaded)
    assert r.verdict == "violated"
    steps = [loaded.system.transitions[lab[0]].name for lab in r.violations[0].labels]
    assert steps == ["Arm", "timeout b"]
    assert r.violations[0].witness.times == ("0", "5")
    # Both orders at t = 5: the `a`-first branch exists too (first = 1 reachable).
    first = loaded.system.layout.vars[("Racer", "first")]
    assert r.violations[0].path[-1][first] == 2
    assert r.stats.states == 6  # Idle, Armed, a fired, b fired, then the other timer in each
    loaded = load_spec(str(write_spec(tmp_path, MODELS / "tie.model",
                                      "invariant a_first: Racer.first != 2\nexpect holds",
                                      {"GAP": 1})), (str(ROOT),))
    assert run.check(loaded).verdict == "holds"


def test_urgency_timer_fires_before_time_passes_it(tmp_path):
    # The `a` expiry at 5 is urgent: `b` (at 6) cannot fire first, so `first` is never 2.
    loaded = load_spec(str(write_spec(tmp_path, MODELS / "tie.model",
                                      "invariant never_b_first: Racer.first != 2\nexpect holds",
                                      {"GAP": 1})), (str(ROOT),))
    r = run.check(loaded)
    assert r.verdict == "holds" and r.complete
    # Idle; Armed (both timers running); `a` fired at 5; `b` fired at 6. Without urgency `b`
    # could fire first (at any time) and there would be more states.
    assert (r.stats.states, r.stats.transitions) == (4, 3)


def test_regions_are_written_with_coprime_coefficients():
    # Projections at larger K hand back scaled atoms such as `2*grace > 2*cleanup`; the region
    # shown to the user must read as written by hand.
    loaded = load_spec(str(ROOT / "specs" / "graceful_shutdown_configurable_grace.spec"))
    space = ParamSpace(loaded.model)
    grace, cleanup = space.reals["grace"], space.reals["cleanup"]
    assert describe(space, 2 * grace > 2 * cleanup) == "cleanup < grace"
    assert describe(space, 3 * grace >= 6 * cleanup + 3) == "2*cleanup <= grace - 1"
    assert describe(space, grace / 2 <= cleanup / 4) == "cleanup >= 2*grace"
    # The first declared param goes on the left, whichever way round the atom was built.
    assert describe(space, grace - cleanup > 0) == describe(space, cleanup < grace)


def test_witness_and_region_do_not_depend_on_what_ran_before(cli_json):
    # Z3's choice of model depends on every term created earlier in the process: the witness
    # is solved canonically (inside the region, then smallest int params in declaration
    # order) in a fresh context.
    spec = "specs/graceful_shutdown_configurable_grace.spec"

    def answer():
        _code, doc = cli_json(spec)
        return [(v["property"], v["region"], v["witness"]) for v in doc["results"][0]["violations"]]

    first = answer()
    for other in ("specs/dora_drop_token_buggy.spec", "specs/graceful_shutdown_hard_coded_drain.spec",
                  "specs/graceful_shutdown_linux_no_token.spec"):
        cli_json(other)
    assert answer() == first
    # Not the all-minimum point cleanup = grace = 1, on the region's edge and on the range's,
    # where the cleanup and the drain tie: strictly inside both, a unit away.
    found = {prop: (region, w) for prop, region, w in first}
    assert found["cancelled_function_completes_cleanup"][1]["params"] == {"cleanup": "3",
                                                                         "grace": "2"}
    assert found["cancelled_function_completes_cleanup"][0] == "cleanup >= grace"
    # StopAsync misses its 10 s once the grace is longer (the witness must be inside).
    assert found["stop_within_drain"][0] == "grace > 10"
    assert int(found["stop_within_drain"][1]["params"]["grace"]) > 10


def _region_lines(*specs: str) -> list[str]:
    """The region lines `protocheck synthesize SPECS` prints for the last spec, in a fresh
    process (Z3's term ids start over)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "checker", "synthesize", *specs], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    last = out.split("== ")[-1]
    return [ln for ln in last.splitlines() if " iff " in ln]


def test_region_wording_does_not_depend_on_what_ran_before():
    # Z3's simplify orders disjuncts by term ids, which every earlier term in the process
    # moves: another spec synthesized first once reversed the `or` of serving_within_10.
    alone = _region_lines("docs/cookbook/grace_step.spec")
    after = _region_lines("docs/cookbook/handler.spec", "docs/cookbook/grace_step.spec")
    assert alone == after
    assert any(" or " in ln for ln in alone)  # the case where the order can differ
