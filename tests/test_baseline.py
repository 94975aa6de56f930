"""`check --baseline OLD.json`: what a change did since a previous run's --json output, end
to end through the CLI on copies of the seed specs and models, and `--fail-on`'s exit status.
Bad baseline files are located errors (PC506, exit 2), never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

from checker.exitcodes import EXIT_BASELINE, EXIT_INCONCLUSIVE, EXIT_INPUT, EXIT_MISMATCH

MODEL = "forwarding_task.model"
# The fix: the forwarding task is stored before the invocation can be dispatched.
FIX = "    forwarding_task_set = true\n    goto Forwarding\n"
NO_FIX = "    goto Forwarding\n"


def _project(tmp_path, spec: str):
    """A copy of the seed spec and its model, laid out as in the repository."""
    (tmp_path / "specs").mkdir(exist_ok=True)
    (tmp_path / "models").mkdir(exist_ok=True)
    shutil.copy(ROOT / "models" / MODEL, tmp_path / "models" / MODEL)
    target = tmp_path / "specs" / f"{spec}.spec"
    shutil.copy(ROOT / "specs" / f"{spec}.spec", target)
    return target


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old  # the edit lands where meant, or the test is wrong
    path.write_text(text.replace(old, new))


@pytest.fixture
def check(cli, tmp_path):
    """`protocheck check --allow-root TMP ARGS`: (exit code, stdout, stderr)."""
    def run(*args: str):
        return cli("check", "--allow-root", str(tmp_path), "--no-progress", *args)

    return run


def _baseline(check, tmp_path, *args: str):
    code, out, _ = check("--json", *args)
    path = tmp_path / "base.json"
    path.write_text(out)
    return code, str(path)


def _section(out: str) -> list[str]:
    """The lines of the comparison section at the end of the text output."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("compared with "))
    return lines[start:]


def test_removing_a_fix_is_a_new_violation(check, tmp_path):
    spec = _project(tmp_path, "forwarding_task_fixed_n2")
    code, base = _baseline(check, tmp_path, str(spec))
    assert code == 0
    _edit(tmp_path / "models" / MODEL, FIX, NO_FIX)
    code, out, err = check(str(spec), "--baseline", base)
    # The spec expects holds: the mismatch (1) comes before the difference (4).
    assert code == EXIT_MISMATCH, err
    assert _section(out) == [
        f"compared with {base}: 1 new, 0 fixed, 0 changed; 1 verdict changed "
        + "(fails --fail-on new)",
        "  new: forwarding_task_fixed_n2: invariant forwarding_task_set_before_awaited "
        + "violated (6 steps); before: holds",
        "  verdict: forwarding_task_fixed_n2: holds -> violated",
    ]


def test_a_new_violation_in_a_spec_of_a_known_bug_exits_4(check, tmp_path):
    # The spec documents a bug (expect violated), so its verdict matches before and after:
    # only the baseline sees that the change added a second bug (a counter out of its range).
    spec = _project(tmp_path, "forwarding_task_buggy_n1")
    _, base = _baseline(check, tmp_path, str(spec), "--all-violations")
    model = tmp_path / "models" / MODEL
    _edit(model, "  var ok: bool = false\n", "  var ok: bool = false\n  var retries: 0..1 = 0\n")
    _edit(model, "  state Done final\n",
          "  state Done final\n  step Retry in Waiting {\n    retries = retries + 1\n  }\n")
    code, out, _ = check(str(spec), "--all-violations", "--baseline", base, "--fail-on", "new")
    assert code == EXIT_BASELINE
    assert _section(out) == [
        f"compared with {base}: 1 new, 0 fixed, 0 changed (fails --fail-on new)",
        "  new: forwarding_task_buggy_n1: range violated (3 steps); before: holds",
    ]
    assert "verdict: VIOLATED, as expected" in out
    code, _, _ = check(str(spec), "--all-violations", "--baseline", base, "--fail-on", "never")
    assert code == 0  # reported, not failed
    code, doc = _json(check, str(spec), "--all-violations", "--baseline", base)
    assert code == EXIT_BASELINE and doc["exit_code"] == EXIT_BASELINE
    assert doc["baseline"] == {
        "file": base, "fail_on": "new", "fails": True,
        "counts": {"new": 1, "changed": 0, "fixed": 0, "undecided": 0, "dropped": 0},
        "properties": [{"spec": "forwarding_task_buggy_n1", "property": "range",
                        "kind": "range", "change": "new", "before": "holds",
                        "after": "violated", "old": None,
                        "new": {"steps": 3, "faults": 0, "loop_start_step": None,
                                "stutter": False, "region": None}}],
        "specs": []}


def _json(check, *args: str):
    code, out, _ = check("--json", *args)
    return code, json.loads(out)


def test_restoring_a_fix_is_fixed(check, tmp_path):
    spec = _project(tmp_path, "forwarding_task_fixed_n2")
    model = tmp_path / "models" / MODEL
    _edit(model, FIX, NO_FIX)
    _, base = _baseline(check, tmp_path, str(spec))
    _edit(model, NO_FIX, FIX)
    code, out, _ = check(str(spec), "--baseline", base)
    assert code == 0  # a fix fails nothing by default...
    assert _section(out) == [
        f"compared with {base}: 0 new, 1 fixed, 0 changed; 1 verdict changed",
        "  fixed: forwarding_task_fixed_n2: invariant forwarding_task_set_before_awaited "
        + "holds; before: violated (6 steps)",
        "  verdict: forwarding_task_fixed_n2: violated -> holds",
    ]
    code, _, _ = check(str(spec), "--baseline", base, "--fail-on", "any")
    assert code == EXIT_BASELINE  # ...but it is a difference


def test_a_longer_counterexample_is_changed(check, tmp_path):
    spec = _project(tmp_path, "forwarding_task_buggy_n2")
    _, base = _baseline(check, tmp_path, str(spec))
    model = tmp_path / "models" / MODEL
    # The client connects first: one more step before the bug.
    _edit(model, "  state Idle initial\n  state Waiting\n",
          "  state Idle initial\n  state Connecting\n  state Waiting\n")
    _edit(model, "  step SendRequest in Idle {\n",
          "  step Connect in Idle {\n    goto Connecting\n  }\n"
          "  step SendRequest in Connecting {\n")
    code, out, _ = check(str(spec), "--baseline", base)
    assert code == 0  # a changed counterexample is not a new violation
    assert _section(out) == [
        f"compared with {base}: 0 new, 0 fixed, 1 changed",
        "  changed: forwarding_task_buggy_n2: invariant forwarding_task_set_before_awaited: "
        + "counterexample 5 -> 6 steps (longer)",
    ]
    code, out, _ = check(str(spec), "--baseline", base, "--fail-on", "changed")
    assert code == EXIT_BASELINE
    assert "(fails --fail-on changed)" in _section(out)[0]


def test_an_unchanged_run_reports_nothing(check, tmp_path):
    fixed = _project(tmp_path, "forwarding_task_fixed_n2")
    buggy = _project(tmp_path, "forwarding_task_buggy_n2")
    _, base = _baseline(check, tmp_path, str(fixed), str(buggy))
    code, out, _ = check(str(fixed), str(buggy), "--baseline", base, "--fail-on", "any")
    assert code == 0
    assert _section(out) == [f"compared with {base}: 0 new, 0 fixed, 0 changed"]
    code, doc = _json(check, str(fixed), str(buggy), "--baseline", base)
    assert code == 0
    assert (doc["baseline"]["fails"], doc["baseline"]["properties"], doc["baseline"]["specs"]) \
        == (False, [], [])


def test_specs_are_matched_by_name_not_path(check, tmp_path):
    spec = _project(tmp_path, "forwarding_task_buggy_n2")
    _, base = _baseline(check, tmp_path, str(spec))
    moved = tmp_path / "specs" / "bugs" / "n2.spec"
    moved.parent.mkdir()
    moved.write_text(spec.read_text().replace('"../models/', '"../../models/'))
    spec.unlink()
    code, out, _ = check(str(moved), "--baseline", base, "--fail-on", "any")
    assert code == 0  # the same results: moving a file is not a change
    assert _section(out) == [
        f"compared with {base}: 0 new, 0 fixed, 0 changed",
        f"  spec moved: forwarding_task_buggy_n2: {spec} -> {moved}",
    ]


def test_renamed_spec_is_added_and_removed(check, tmp_path):
    spec = _project(tmp_path, "forwarding_task_fixed_n1")
    _, base = _baseline(check, tmp_path, str(spec))
    _edit(spec, "spec forwarding_task_fixed_n1\n", "spec forwarding_n1\n")
    code, out, _ = check(str(spec), "--baseline", base)
    assert code == 0  # nothing is violated: nothing new
    assert _section(out) == [
        f"compared with {base}: 0 new, 0 fixed, 0 changed; 1 spec added, 1 spec removed",
        f"  spec added: forwarding_n1 ({spec})",
        f"  spec removed: forwarding_task_fixed_n1 (was {spec})",
    ]


def test_an_inconclusive_verdict_is_a_verdict_change(check, tmp_path):
    spec = _project(tmp_path, "forwarding_task_fixed_n2")
    _, base = _baseline(check, tmp_path, str(spec))
    code, out, _ = check(str(spec), "--max-states", "5", "--baseline", base)
    assert code == EXIT_INCONCLUSIVE  # no violation is new; the search is inconclusive
    assert _section(out) == [
        f"compared with {base}: 0 new, 0 fixed, 0 changed; 1 verdict changed",
        "  verdict: forwarding_task_fixed_n2: holds -> inconclusive",
    ]
    code, _, _ = check(str(spec), "--max-states", "5", "--baseline", base, "--fail-on", "any")
    assert code == EXIT_BASELINE  # a definite difference comes before an inconclusive search


def test_a_spec_that_no_longer_loads_is_not_a_fix(check, tmp_path):
    spec = _project(tmp_path, "forwarding_task_buggy_n1")
    _, base = _baseline(check, tmp_path, str(spec))
    # The error is in the model, not in the spec: the spec is still the one not loaded.
    _edit(tmp_path / "models" / MODEL, "message HttpRequest ", "mesage HttpRequest ")
    code, out, err = check(str(spec), "--baseline", base)
    assert code == EXIT_INPUT
    assert f"{tmp_path / 'models' / MODEL}:" in err and "error[PC1" in err
    assert _section(out) == [
        f"compared with {base}: 0 new, 0 fixed, 0 changed; 1 spec not loaded",
        f"  spec not loaded: forwarding_task_buggy_n1: {spec} has input errors in this run; "
        + "its results are not compared",
    ]


# ---- bad baseline files ------------------------------------------------------------------

HINT = "    = pass the stdout of `protocheck check --json` (docs/json.md)\n"


def _doc(**result) -> str:
    """A one-spec document with the fields of `result` (of the shape read) replaced."""
    spec = {"spec": "x", "path": "x.spec", "verdict": "holds", "expect": "holds",
            "properties": [], "violations": []} | result
    return json.dumps({"tool": "protocheck", "schema": 1, "results": [spec], "errors": []})


BAD_BASELINES = [
    ("missing", None,
     "{f}:1:1: error[PC506]: no such file: {f}\n"
     + "    = write the baseline first: protocheck check --json SPEC... > OLD.json\n"),
    ("empty", "\n", "{f}:1:1: error[PC506]: the baseline file is empty\n" + HINT),
    ("syntax", '{\n  "tool": "protocheck",\n  "schema": 1,,\n  "results": []\n}\n',
     "{f}:3:15: error[PC506]: not JSON: Expecting property name enclosed in double quotes\n"
     + '      "schema": 1,,\n'
     + "                  ^\n" + HINT),
    ("truncated", '{"tool": "protocheck", "schema": 1, "results": [',
     "{f}:1:49: error[PC506]: not JSON: Expecting value\n"
     + '    {"tool": "protocheck", "schema": 1, "results": [\n'
     + "                                                    ^\n" + HINT),
    ("array", "[1, 2]",
     "{f}:1:1: error[PC506]: expected a JSON object (a protocheck --json document), found "
     + "an array\n" + HINT),
    ("sarif", '{"version": "2.1.0", "runs": []}',
     '{f}:1:1: error[PC506]: not a protocheck --json document: expected "tool": '
     + '"protocheck"\n    = this looks like a SARIF file; pass the stdout of `protocheck '
     + "check --json` (docs/json.md)\n"),
    ("synthesize", '{"tool": "protocheck", "schema": 1, "synthesis": [], "exit_code": 0}',
     "{f}:1:1: error[PC506]: results: missing (expected an array of results)\n"
     + "    = this is the output of `protocheck synthesize --json`; pass the stdout of "
     + "`protocheck check --json` (docs/json.md)\n"),
    ("schema", '{"tool": "protocheck", "schema": 2, "results": [], "errors": []}',
     "{f}:1:1: error[PC506]: schema version 2: this protocheck reads --json documents of "
     + "schema version 1\n    = regenerate the baseline with this version of protocheck\n"),
    ("status", _doc(properties=[{"name": "p", "kind": "invariant", "status": "ok"}]),
     '{f}:1:1: error[PC506]: results[0].properties[0].status: expected one of "holds", '
     + '"violated", "not fully checked", found "ok"\n' + HINT),
    ("missing_field", _doc(properties=[{"kind": "invariant", "status": "holds"}]),
     "{f}:1:1: error[PC506]: results[0].properties[0].name: missing (expected a string)\n"
     + HINT),
    ("bool_count", _doc(violations=[{"property": "p", "trace": {"steps": [], "faults": True}}]),
     "{f}:1:1: error[PC506]: results[0].violations[0].trace.faults: expected a whole "
     + "number, found true\n" + HINT),
    ("nested", "[" * 100_000,
     "{f}:1:1: error[PC506]: not JSON this reads: arrays or objects nested too deeply\n"
     + HINT),
]


@pytest.mark.parametrize("content,expected", [c[1:] for c in BAD_BASELINES],
                         ids=[c[0] for c in BAD_BASELINES])
def test_bad_baseline_is_a_located_error(check, tmp_path, content, expected):
    path = tmp_path / "old.json"
    if content is not None:
        path.write_text(content)
    code, out, err = check("specs/forwarding_task_fixed_n1.spec", "--baseline", str(path))
    assert code == EXIT_INPUT
    assert err == expected.replace("{f}", str(path))
    assert out == ""  # read before any spec is checked


def test_baseline_that_is_not_utf8(check, tmp_path):
    path = tmp_path / "old.json"
    path.write_bytes(b'{\n  "tool": "proto\xffcheck"}')
    code, _, err = check("specs/forwarding_task_fixed_n1.spec", "--baseline", str(path))
    assert code == EXIT_INPUT
    assert err == (f"{path}:2:17: error[PC506]: not UTF-8 text: byte 0xff cannot be decoded\n"
                   + HINT)


def test_a_one_line_document_shows_the_text_near_the_error(check, tmp_path):
    path = tmp_path / "old.json"
    path.write_text('{"tool": "protocheck", "results": [' + '"x", ' * 50 + "]}")
    code, _, err = check("specs/forwarding_task_fixed_n1.spec", "--baseline", str(path))
    assert code == EXIT_INPUT
    assert err == (f"{path}:1:286: error[PC506]: not JSON: Expecting value\n"
                   "    = near 'x\", \"x\", \"x\", \"x\", \"x\", \"x\", ]}'; pass the stdout of "
                   "`protocheck check --json` (docs/json.md)\n")
    # No line of 287 characters with a caret under it: the text around the column instead.


def test_fail_on_without_baseline_is_a_usage_error(check):
    with pytest.raises(SystemExit) as exc:
        check("specs/forwarding_task_fixed_n1.spec", "--fail-on", "new")
    assert exc.value.code == EXIT_INPUT


def test_bad_baseline_through_the_command_line(tmp_path):
    # The real command in a fresh process: exit 2 and the located error, no traceback.
    path = tmp_path / "old.json"
    path.write_text("{not json")
    p = subprocess.run([sys.executable, "-m", "checker", "check",
                        "specs/forwarding_task_fixed_n1.spec", "--baseline", str(path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == EXIT_INPUT
    assert p.stderr.startswith(f"{path}:1:2: error[PC506]: not JSON: Expecting property name")
    assert "Traceback" not in p.stderr
    p = subprocess.run([sys.executable, "-m", "checker", "check",
                        "specs/forwarding_task_fixed_n1.spec", "--fail-on", "any"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == EXIT_INPUT
    assert p.stderr.endswith("protocheck: error: --fail-on says when a difference from the "
                             "baseline fails the run: it needs --baseline OLD.json\n")


# ---- the comparison itself, on a real document edited by hand ----------------------------


@pytest.fixture(scope="module")
def azure_doc() -> dict:
    """The --json document of the buggy Azure spec: an invariant violated with one fault,
    and a liveness lasso that ends where nothing more happens."""
    p = subprocess.run([sys.executable, "-m", "checker", "check", "--json",
                        "specs/azure_linux_specialization_buggy.spec"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def _lines(old: dict, new: dict) -> list[str]:
    from checker import baseline
    from checker.render.text import baseline_lines

    return baseline_lines(baseline.compare(old, new), "old.json", "changed")


def test_fewer_faults_and_another_lasso_are_changed(azure_doc):
    old = json.loads(json.dumps(azure_doc))
    live = old["results"][0]["violations"][1]
    live["trace"]["faults"] = 0
    live["lasso"] = {"loop_start_step": 3, "stutter": False, "fairness": []}
    old["results"][0]["violations"][0]["region"] = "cleanup >= 10"
    assert _lines(old, azure_doc) == [
        "compared with old.json: 0 new, 0 fixed, 2 changed (fails --fail-on changed)",
        "  changed: azure_linux_specialization_buggy: invariant "
        + "no_jobhost_start_before_env_assigned: region cleanup >= 10 -> none",
        "  changed: azure_linux_specialization_buggy: liveness restart_serves_site: "
        + "0 -> 1 faults (more); lasso cycling from step 3 -> ending where nothing more "
        + "happens",
    ]


def test_a_property_renamed_is_new_and_dropped(azure_doc):
    new = json.loads(json.dumps(azure_doc))
    result = new["results"][0]
    result["properties"][1]["name"] = "restart_serves_the_site"
    result["violations"][1]["property"] = "restart_serves_the_site"
    assert _lines(azure_doc, new) == [
        "compared with old.json: 1 new, 0 fixed, 0 changed; 1 dropped "
        + "(fails --fail-on changed)",
        "  new: azure_linux_specialization_buggy: liveness restart_serves_the_site violated "
        + "(1 fault; 8 steps, then nothing more happens); before: not in the baseline",
        "  dropped: azure_linux_specialization_buggy: liveness restart_serves_site is no "
        + "longer in the spec; before: violated (1 fault; 8 steps, then nothing more happens)",
    ]


def test_a_violation_left_undecided_is_not_a_fix(azure_doc):
    new = json.loads(json.dumps(azure_doc))
    result = new["results"][0]
    result["properties"][1]["status"] = "not fully checked"
    del result["violations"][1]
    assert _lines(azure_doc, new) == [
        "compared with old.json: 0 new, 0 fixed, 0 changed; 1 undecided",
        "  undecided: azure_linux_specialization_buggy: liveness restart_serves_site not "
        + "fully checked; before: violated (1 fault; 8 steps, then nothing more happens)",
    ]


def test_names_from_the_baseline_cannot_drive_the_terminal(azure_doc):
    old = json.loads(json.dumps(azure_doc))
    old["results"][0]["spec"] = "gone\x1b[2J"
    lines = _lines(old, azure_doc)
    assert "  spec removed: gone\u241b[2J (was specs/azure_linux_specialization_buggy.spec)" \
        in lines
    assert not any("\x1b" in line for line in lines)


def test_specs_of_one_name_pair_by_path_first(azure_doc):
    from checker import baseline

    a, b = (json.loads(json.dumps(azure_doc["results"][0])) for _ in range(2))
    a["path"], b["path"] = "one.spec", "two.spec"
    b["properties"][0]["status"] = "holds"
    b["violations"] = b["violations"][1:]
    old = dict(azure_doc, results=[a, b])
    new = dict(azure_doc, results=[b, a])  # the same two, in the other order: no change
    assert baseline.compare(old, new) == baseline.Comparison((), ())
