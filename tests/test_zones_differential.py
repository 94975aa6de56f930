"""The polyhedral zones (the default) against the first timed engine (Z3 formulas projected by
quantifier elimination, `zones="z3"`): on every timed spec of the repository and on scaled
seeds, the same symbolic states and transitions, the same verdicts, violated properties,
counterexamples and witnesses, and regions that Z3 proves equivalent."""

from __future__ import annotations

from pathlib import Path

import pytest
import z3
from conftest import ROOT, write_spec

from checker import run
from checker.load import load_spec
from checker.symbolic.zones import ParamSpace

# The dora fix under a node crash has ~1,800 symbolic states with a deadline observer: a few
# seconds in polyhedra, many minutes in the Z3 engine.
SLOW_IN_Z3 = {"specs/dora_drop_token_fixed_node_crash.spec"}
TIMED_SPECS = [pytest.param(s, marks=pytest.mark.long) if s in SLOW_IN_Z3 else s
               for s in sorted(str(p.relative_to(ROOT)) for folder in ("specs", "tests/timed")
                               for p in (ROOT / folder).glob("*.spec")
                               if load_spec(str(p)).model.timed)]

SCALED = [  # (model, constants, body): seeds with more actors than the spec files have
    ("dora_drop_token", {"K": 3, "FIXED": False},
     "invariant acked: forall n in Node: not (n at Killed)"),
    pytest.param("dora_drop_token", {"K": 3, "FIXED": True},  # ~75 s in the Z3 engine
                 "invariant acked: forall n in Node: not (n at Killed)", marks=pytest.mark.long),
    ("graceful_shutdown", {"K": 3, "VARIANT": 2},
     "terminate HostProcess at 0\ndeadlock off\ninvariant torn: forall i in Invocation: not (i at TornDown)"),
    ("graceful_shutdown", {"K": 2, "VARIANT": 0},
     "invariant torn: forall i in Invocation: not (i at TornDown)"),
]


def _equivalent(space: ParamSpace, a, b) -> bool:
    return space.entails(a, b) and space.entails(b, a)


def _compare(spec: str) -> None:
    loaded = load_spec(spec, (str(ROOT),))
    reports = {z: run.check(loaded, run.CheckOptions(zones=z)) for z in ("ppl", "z3")}
    ppl, z3r = reports["ppl"], reports["z3"]
    assert (ppl.stats.states, ppl.stats.transitions) == (z3r.stats.states, z3r.stats.transitions)
    assert ppl.verdict == z3r.verdict
    assert ppl.fired == z3r.fired
    for a, b in zip(ppl.counterexamples, z3r.counterexamples, strict=True):
        assert a.property.name == b.property.name
        assert a.violation.path == b.violation.path
        assert a.violation.region == b.violation.region
        assert a.violation.witness == b.violation.witness
    if ppl.verdict == "holds" or not loaded.model.params or all(
            p.name in dict(loaded.model.fixed_params) for p in loaded.model.params):
        return  # nothing to synthesize: holding for all params is the region `true`
    syns = {z: run.synthesize(loaded, run.SynthesisOptions(zones=z)) for z in ("ppl", "z3")}
    space = ParamSpace(loaded.model)
    assert syns["ppl"].verdict == syns["z3"].verdict
    assert _equivalent(space, syns["ppl"].safe_formula, syns["z3"].safe_formula)
    assert syns["ppl"].safe == syns["z3"].safe


@pytest.mark.parametrize("spec", TIMED_SPECS)
def test_every_timed_spec(spec):
    _compare(str(ROOT / spec))


@pytest.mark.slow
@pytest.mark.parametrize("model,consts,body", SCALED,
                         ids=["dora-K3-buggy", "dora-K3-fixed", "graceful-K3-grace",
                              "graceful-K2-drain"])
def test_scaled_seeds(tmp_path: Path, model, consts, body):
    spec = write_spec(tmp_path, ROOT / "models" / f"{model}.model", f"{body}\nexpect holds",
                      consts)
    _compare(str(spec))


def test_regions_of_each_property_are_equivalent():
    loaded = load_spec(str(ROOT / "specs" / "graceful_shutdown_configurable_grace.spec"))
    space = ParamSpace(loaded.model)
    explored = {}
    from checker.symbolic import timed
    for zones in ("ppl", "z3"):
        explored[zones] = timed.explore_timed(loaded.system, deadlock=loaded.config.deadlock,
                                              stop_at_first=False, zones=zones).regions
    assert explored["ppl"].keys() == explored["z3"].keys()
    for name in explored["ppl"]:
        assert _equivalent(space, explored["ppl"][name], explored["z3"][name]), name
    assert z3.is_expr(explored["ppl"]["no_teardown_before_cleanup"])


def test_a_missing_polyhedra_library_is_a_clear_error(cli, monkeypatch):
    # What a machine without pplpy sees: a message saying what to install, exit 2, no
    # traceback; the Z3 zones still work.
    from checker.symbolic import polyhedra
    monkeypatch.setattr(polyhedra, "ppl", None)
    code, _, err = cli("check", "specs/dora_drop_token_buggy.spec")
    assert code == 2
    assert "needs the Parma Polyhedra Library" in err and "pip install pplpy" in err
    assert "Traceback" not in err
    assert cli("check", "--zones", "z3", "specs/dora_drop_token_buggy.spec")[0] == 0
