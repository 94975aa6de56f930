"""One verdict core: every front door gives every spec the same verdict.

The corpus is every spec in the repository (the seeds, the hand-computed test models and
liveness models, the timed corpus in tests/timed/, the bad inputs in tests/errors/ and the
fault models in tests/faults/ and tests/fault_order/), checked through the CLI
(`check --json`), the pytest plugin (`pytest --protocheck`, its verdicts read back from
pytest's JUnit XML) and the Python API (`checker.run.check`). Verdicts, the violated
properties and the length of each counterexample must be identical; so must pass/fail.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT

from checker import run
from checker.diagnostics import CheckError

CORPUS = sorted(str(p.relative_to(ROOT)) for folder in ("specs", "tests/models", "tests/liveness",
                                                        "tests/timed", "tests/errors",
                                                        "tests/faults", "tests/fault_order")
                for p in (ROOT / folder).glob("*.spec"))

# Hand-derived verdicts of the timed corpus: each was wrong through some door before the
# verdict core (the plugin ignored time; the timed engine dropped failures in transitions).
TIMED = {
    "tests/timed/lateack_late.spec": ("violated", ("deadlock",)),  # the ack comes too late
    "tests/timed/lateack_early.spec": ("holds", ()),
    "tests/timed/graceful_grace_20.spec": ("holds", ()),  # the 20 s grace outlasts cleanup
    "tests/timed/timer_assert.spec": ("violated", ("assert",)),
    "tests/timed/timer_range.spec": ("violated", ("range",)),
    "tests/timed/timer_runtime.spec": ("violated", ("runtime",)),
    "tests/timed/timer_vacuous.spec": ("holds", ()),
    # Clocks that start when their handler or step becomes enabled (tests/test_enabling_clocks.py).
    "tests/timed/react.spec": ("holds", ()),
    "tests/timed/sigterm.spec": ("violated", ("drained_before_kill",)),
    "tests/timed/tick.spec": ("holds", ()),
}


def _api(path: str) -> tuple:
    try:
        r = run.check(str(ROOT / path))
    except CheckError:
        return ("error", (), (), False)
    return (r.verdict, tuple(c.property.name for c in r.counterexamples),
            tuple(len(c.trace.steps) for c in r.counterexamples), r.exit_code == 0)


def _cli(cli_json) -> dict[str, tuple]:
    # Absolute paths: the plugin runs in another folder.
    _code, doc = cli_json(*[str(ROOT / p) for p in CORPUS])
    out = {p: ("error", (), (), False) for p in CORPUS}
    for r in doc["results"]:
        out[str(Path(r["path"]).relative_to(ROOT))] = (r["verdict"], tuple(v["property"] for v in r["violations"]),
                          tuple(len(v["trace"]["steps"]) for v in r["violations"]),
                          r["matches_expectation"])
    return out


def _words(props: dict, key: str) -> tuple[str, ...]:
    return tuple(x for x in props.get(key, "").split(" ") if x)


def _plugin(tmp_path: Path) -> dict[str, tuple]:
    # In a process of its own, not pytester's in-process run: pytester puts sys.modules back
    # as it was when the test began, so the modules this test's CLI and API runs imported
    # first (z3, numpy, the engines) were dropped, and later tests got a second z3 whose
    # objects did not mix with the first's, and a numpy that cannot load twice.
    xml = tmp_path / "plugin.xml"
    subprocess.run([sys.executable, "-m", "pytest", "--protocheck", f"--junitxml={xml}",
                    "-p", "no:cacheprovider", "-q", "--rootdir", str(tmp_path),
                    *[str(ROOT / p) for p in CORPUS]],
                   cwd=tmp_path, capture_output=True, text=True, check=False, timeout=900)
    out = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        path = str(Path(props["spec"]).relative_to(ROOT))
        passed = case.find("failure") is None and case.find("error") is None
        out[path] = (props["verdict"], _words(props, "violated"),
                     tuple(int(n) for n in _words(props, "trace_steps")), passed)
    return out


@pytest.mark.slow
def test_every_door_gives_every_spec_the_same_verdict(cli_json, tmp_path):
    # 23 seeds, 8 test models, 8 liveness, 11 timed, 16 bad inputs, 49 with faults
    assert len(CORPUS) == 115
    api = {p: _api(p) for p in CORPUS}
    cli = _cli(cli_json)
    plugin = _plugin(tmp_path)
    assert set(plugin) == set(CORPUS)
    assert [(p, api[p], cli[p], plugin[p]) for p in CORPUS
            if not (api[p] == cli[p] == plugin[p])] == []
    for path, (verdict, violated) in TIMED.items():
        assert api[path][:2] == (verdict, violated), path
        assert api[path][3], f"{path} does not match its expect"
    assert all(api[p][0] == "error" for p in CORPUS
               if p.startswith("tests/errors/") and "warning" not in p)
