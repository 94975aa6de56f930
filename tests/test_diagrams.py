"""Diagrams: golden DOT for the seed counterexamples and every view, real `dot` runs whose SVG
is parsed and searched, a 60-step trace, determinism, and the no-`dot` fallback.

Regenerate the goldens with PROTOCHECK_UPDATE_GOLDEN=1 (and look at the rendered SVGs).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT, main_in_root

from checker import files
from checker.render.palette import VIOLATION

GOLDEN = ROOT / "tests" / "golden"
SVG = "{http://www.w3.org/2000/svg}"
VIOLATED_SEEDS = [
    ("azure_linux_specialization_buggy", "no_jobhost_start_before_env_assigned"),
    ("azure_linux_specialization_buggy", "restart_serves_site"),  # a lasso
    *[(f"forwarding_task_buggy_n{n}", "forwarding_task_set_before_awaited") for n in (1, 2, 3, 4)],
    ("dora_drop_token_buggy", "drop_token_acknowledged_before_kill"),
    ("dora_drop_token_fixed", "stop_finishes"),  # the stop outlasts the grace period
    ("graceful_shutdown_configurable_grace", "cancelled_function_completes_cleanup"),
    ("graceful_shutdown_configurable_grace", "no_teardown_before_cleanup"),
    ("graceful_shutdown_hard_coded_drain", "cancelled_function_completes_cleanup"),
    ("graceful_shutdown_hard_coded_drain", "no_teardown_before_cleanup"),
    ("graceful_shutdown_linux_no_token", "no_teardown_before_cleanup"),
    ("graceful_shutdown_configurable_grace", "stop_within_drain"),  # a missed deadline
    ("graceful_shutdown_wait_for_completion", "stop_within_drain"),
    # Faults: a crash breaks a lifeline, a lost message ends in a bar, SIGKILL takes the
    # process down.
    ("forwarding_task_fixed_lost_request", "every_request_answered_HttpClient"),
    ("forwarding_task_fixed_worker_crash", "every_request_answered_HttpClient"),
    ("dora_drop_token_fixed_node_crash", "stop_finishes"),
    ("graceful_shutdown_wait_for_completion_sigkill", "no_invocation_killed_in_cleanup"),
]
VIEWS = [
    ("models/azure_linux_specialization.model", "structure", "azure_linux_specialization"),
    ("models/azure_linux_specialization.model", "actors", "azure_linux_specialization"),
    ("models/forwarding_task.model", "structure", "forwarding_task"),
    ("models/forwarding_task.model", "actors", "forwarding_task"),
    ("specs/forwarding_task_buggy_n1.spec", "statespace", "forwarding_task_buggy_n1"),
    ("specs/azure_linux_specialization_fixed.spec", "statespace",
     "azure_linux_specialization_fixed"),
]


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PROTOCHECK_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from its golden file"


def _svg_elements(path: Path) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    return {el.get("id"): el for el in root.iter() if el.get("id")}


@pytest.fixture(scope="module")
def seed_diagrams(tmp_path_factory):
    out = tmp_path_factory.mktemp("diagrams")
    assert main_in_root("check", "specs", "--diagrams", str(out), "--no-progress") == 0
    return out


@pytest.mark.parametrize("spec,prop", VIOLATED_SEEDS)
def test_seed_counterexample_golden_dot(seed_diagrams, spec, prop):
    text = (seed_diagrams / f"{spec}-{prop}.dot").read_text()
    _golden(f"{spec}-{prop}.dot", text)
    # diagrams/ in the repository is what the README's main command writes: keep it current.
    assert (ROOT / "diagrams" / f"{spec}-{prop}.dot").read_text() == text
    assert (ROOT / "diagrams" / f"{spec}-{prop}.svg").read_bytes() == \
        (seed_diagrams / f"{spec}-{prop}.svg").read_bytes()


def test_only_violated_specs_get_diagrams(seed_diagrams):
    names = sorted(p.name for p in seed_diagrams.iterdir())
    expected = sorted(f"{s}-{p}.{ext}" for s, p in VIOLATED_SEEDS for ext in ("dot", "svg"))
    assert names == expected


def test_svg_has_every_lifeline_and_the_highlighted_step(seed_diagrams):
    svg = seed_diagrams / ("azure_linux_specialization_buggy-"
                           "no_jobhost_start_before_env_assigned.svg")
    els = _svg_elements(svg)
    for inst in ["Platform", "LinuxInstanceManager", "LanguageWorker",
                 "LinuxContainerInitializationHostedService", "JobHost", "shared"]:
        assert f"lifeline_{inst}" in els
    assert [f"step_{n}" in els for n in range(1, 8)] == [True] * 7
    last = els["step_7"]
    assert "violation" in last.get("class")
    assert VIOLATION in ET.tostring(last, encoding="unicode")  # drawn in vermilion
    assert "involved" in els["step_3"].get("class")  # it set specialization_begun
    assert "fault" in els["step_1"].get("class")  # the crash of the language worker
    note = " ".join(t.text or "" for t in els["violation"].iter(f"{SVG}text"))
    assert "VIOLATED: invariant no_jobhost_start_before_env_assigned" in note
    assert "specs/azure_linux_specialization_buggy.spec:9:1" in note


def test_replicated_instances_each_get_a_lifeline(seed_diagrams):
    svg = seed_diagrams / "forwarding_task_buggy_n4-forwarding_task_set_before_awaited.svg"
    els = _svg_elements(svg)
    for k in range(4):
        assert f"lifeline_Invocation[{k}]" in els
        assert f"lifeline_HttpClient[{k}]" in els
    # Each message of the trace is an arrow joining its send to its delivery.
    assert {"msg_1", "msg_2", "msg_3"} <= set(els)


@pytest.mark.parametrize("file,view,name", VIEWS)
def test_views_golden(cli, tmp_path, file, view, name):
    code, _out, err = cli("diagram", file, "--view", view, "--output", str(tmp_path))
    assert code == 0, err
    text = (tmp_path / f"{name}-{view}.dot").read_text()
    _golden(f"{name}-{view}.dot", text)
    ET.parse(tmp_path / f"{name}-{view}.svg")  # dot produced well-formed SVG


def test_statespace_highlights_the_counterexample(cli, tmp_path):
    code, _, _ = cli("diagram", "specs/forwarding_task_buggy_n1.spec", "--view", "statespace",
                     "--output", str(tmp_path))
    assert code == 0
    text = (tmp_path / "forwarding_task_buggy_n1-statespace.dot").read_text()
    assert "13 states, 13 edges" in text
    assert text.count('penwidth=2];') == 6 + 5  # 6 states and 5 edges on the 5-step path


def test_statespace_is_capped(cli, tmp_path):
    code, _, err = cli("diagram", "specs/forwarding_task_fixed_n4.spec", "--view", "statespace",
                       "--output", str(tmp_path))
    assert code == 2
    assert "more than 2,000 states" in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_sixty_step_trace_renders(cli, tmp_path):
    code, _out, err = cli("check", "tests/models/long.spec", "--diagrams", str(tmp_path), "--png")
    assert code == 0, err
    els = _svg_elements(tmp_path / "long-below_limit.svg")
    assert all(f"step_{n}" in els for n in range(1, 61))
    assert "violation" in els["step_60"].get("class")
    png = (tmp_path / "long-below_limit.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_diagrams_are_deterministic(cli, tmp_path):
    for run in ("a", "b"):
        cli("check", "specs/forwarding_task_buggy_n2.spec", "--diagrams", str(tmp_path / run))
    for ext in ("dot", "svg"):
        name = f"forwarding_task_buggy_n2-forwarding_task_set_before_awaited.{ext}"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_without_dot_the_dot_file_is_still_written(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(files, "dot_available", lambda: False)
    code, _out, err = cli("check", "specs/forwarding_task_buggy_n1.spec", "--diagrams",
                         str(tmp_path))
    assert code == 0
    assert err.count("Graphviz 'dot' was not found") == 1
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".dot"]


def test_diagram_path_in_json(cli_json, tmp_path):
    _code, doc = cli_json("specs/forwarding_task_buggy_n1.spec", "--diagrams", str(tmp_path))
    written = doc["results"][0]["violations"][0]["diagrams"]
    assert [Path(p).suffix for p in written] == [".dot", ".svg"]
    assert all(Path(p).exists() for p in written)
