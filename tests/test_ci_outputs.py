"""CI outputs: JUnit, SARIF (validated against the official 2.1.0 schema), ITF, the pytest
plugin, the pre-commit hook, atomic writes and Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from conftest import ROOT, write_spec

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
BUGGY = "specs/azure_linux_specialization_buggy.spec"
FIXED = "specs/azure_linux_specialization_fixed.spec"


def _validate_sarif(doc: dict) -> None:
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(doc)


def _unexpected_violation_spec(tmp_path):
    return write_spec(tmp_path, ROOT / "models" / "forwarding_task.model",
                      "invariant forwarding_task_set_before_awaited: forall i in Invocation: "
                      "i at EnsuringForwarding implies i.forwarding_task_set\nexpect holds",
                      {"N": 2, "FIXED": False})


def test_junit_for_violated_and_holding_specs(cli, tmp_path):
    out = tmp_path / "report.xml"
    code, _, _ = cli("check", BUGGY, FIXED, str(_unexpected_violation_spec(tmp_path)),
                     "--junit", str(out))
    assert code == 1  # the generated spec expects holds but is violated
    root = ET.parse(out).getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"azure_linux_specialization_buggy",
                           "azure_linux_specialization_fixed", "test"}
    fixed_cases = [c.get("name") for c in suites["azure_linux_specialization_fixed"]]
    assert fixed_cases == ["no_jobhost_start_before_env_assigned", "restart_serves_site",
                           "deadlock"]
    assert all(len(c) == 0 for c in suites["azure_linux_specialization_fixed"])  # all pass
    buggy = suites["azure_linux_specialization_buggy"]
    assert buggy.get("failures") == "0"
    assert "counterexample (1 fault; 7 steps)" in buggy.find("testcase/system-out").text
    failure = suites["test"].find("testcase/failure")
    assert failure.get("message").startswith("forwarding_task_set_before_awaited violated")
    assert "5. Invocation[0]  on InvocationResponse#3 from Worker" in failure.text
    assert root.get("failures") == "1"


def test_junit_inconclusive_skips_every_property_and_errs_on_the_expectation(cli, tmp_path):
    out = tmp_path / "report.xml"
    code, _, _ = cli("check", "specs/forwarding_task_fixed_n3.spec", "--max-states", "20",
                     "--junit", str(out))
    assert code == 3
    root = ET.parse(out).getroot()
    suite = root.find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    # Two invariants and deadlock freedom, none proved: skipped with the reason, not passed.
    assert [n for n, c in cases.items() if c.find("skipped") is not None] == \
        ["forwarding_task_set_before_awaited", "no_failed_http_response",
         "deadlock"]
    assert {c.find("skipped").get("message") for n, c in cases.items() if n != "expect holds"} \
        == {"not fully checked: state bound 20 reached"}
    assert cases["expect holds"].find("error").get("type") == "inconclusive"
    assert (root.get("tests"), root.get("skipped"), root.get("errors"), root.get("failures")) \
        == ("4", "3", "1", "0")


def test_junit_skips_properties_after_the_first_violation(cli, tmp_path):
    # The search stops at the first violation: deadlock freedom was never fully checked, so
    # it must not be reported as passed. With --all-violations it is decided.
    out = tmp_path / "report.xml"
    buggy = "specs/forwarding_task_buggy_n2.spec"
    assert cli("check", buggy, "--junit", str(out))[0] == 0
    cases = {c.get("name"): c for c in ET.parse(out).getroot().iter("testcase")}
    skipped = cases["deadlock"].find("skipped")
    assert skipped is not None
    assert "stopped at the first violation (forwarding_task_set_before_awaited)" in \
        skipped.get("message")
    assert cases["forwarding_task_set_before_awaited"].find("system-out") is not None
    assert cli("check", buggy, "--all-violations", "--junit", str(out))[0] == 0
    cases = {c.get("name"): c for c in ET.parse(out).getroot().iter("testcase")}
    assert len(cases["deadlock"]) == 0  # decided: it holds


def test_junit_case_times_are_when_each_property_was_decided(cli, tmp_path):
    out = tmp_path / "report.xml"
    assert cli("check", "specs/forwarding_task_fixed_n3.spec", "--junit", str(out))[0] == 0
    suite = ET.parse(out).getroot().find("testsuite")
    suite_time = float(suite.get("time"))
    case_times = [float(c.get("time")) for c in suite.findall("testcase")]
    # Proofs take the whole search; the suite adds loading and replay on top.
    assert all(0 < t <= suite_time for t in case_times)
    assert suite_time > 0


def test_sarif_is_valid_and_points_at_sources(cli, tmp_path):
    out = tmp_path / "report.sarif"
    code, _, _ = cli("check", BUGGY, FIXED, str(_unexpected_violation_spec(tmp_path)),
                     "--sarif", str(out))
    assert code == 1
    doc = json.loads(out.read_text())
    _validate_sarif(doc)
    results = doc["runs"][0]["results"]
    # The buggy spec's invariant and liveness violations are known bugs (notes).
    assert [r["level"] for r in results] == ["note", "note", "error"]
    assert [r["ruleId"] for r in results] == ["invariant", "liveness", "invariant"]
    known = results[0]
    loc = known["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "specs/azure_linux_specialization_buggy.spec"
    assert loc["region"]["startLine"] == 9
    flow = known["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(flow) == 7
    assert [f["location"]["physicalLocation"]["region"]["startLine"] for f in flow] == \
        [7, 34, 49, 97, 38, 80, 103]
    # The crash is the spec's fault clause; every other step is in the model.
    assert [f["location"]["physicalLocation"]["artifactLocation"]["uri"] for f in flow] == \
        [BUGGY] + ["models/azure_linux_specialization.model"] * 6
    assert flow[0]["location"]["message"]["text"].startswith(
        "1. FAULT crash LanguageWorker (1 of 1: fault crash LanguageWorker at most 1)")
    assert flow[2]["location"]["message"]["text"].startswith(
        "3. LinuxInstanceManager: on AssignmentRequest")
    lasso = results[1]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(lasso) == 8
    assert lasso[-1]["location"]["message"]["text"].endswith("then nothing more happens")
    for r in results:  # one hashed identity per result, the same in both SARIF properties
        (value,) = r["partialFingerprints"].values()
        assert list(r["partialFingerprints"]) == ["protocheckViolation/v1"]
        assert re.fullmatch(r"[0-9a-f]{32}", value)
        assert r["fingerprints"] == r["partialFingerprints"]
    assert len({r["partialFingerprints"]["protocheckViolation/v1"] for r in results}) == 3


def _sarif_results(cli, spec, out) -> list[dict]:
    code, _, err = cli("check", "--allow-root", str(spec.parent.parent), str(spec),
                       "--sarif", str(out))
    assert code == 0, err
    doc = json.loads(out.read_text())
    _validate_sarif(doc)
    return doc["runs"][0]["results"]


def _start_line(result: dict) -> int:
    return result["locations"][0]["physicalLocation"]["region"]["startLine"]


def test_sarif_fingerprints_survive_moved_lines(cli, tmp_path):
    # Code scanning tracks an alert by its fingerprint: lines inserted above the property (in
    # the spec and in the model) move every location, and must not make it a new alert.
    (tmp_path / "specs").mkdir()
    (tmp_path / "models").mkdir()
    spec = tmp_path / "specs" / "azure.spec"
    model = tmp_path / "models" / "azure_linux_specialization.model"
    spec.write_text((ROOT / BUGGY).read_text())
    model.write_text((ROOT / "models" / model.name).read_text())
    before = _sarif_results(cli, spec, tmp_path / "before.sarif")
    spec.write_text("# an unrelated comment\n# and another\n" + spec.read_text())
    model.write_text("# an unrelated comment\n" + model.read_text())
    after = _sarif_results(cli, spec, tmp_path / "after.sarif")
    assert [_start_line(r) + 2 for r in before] == [_start_line(r) for r in after]
    assert [r["partialFingerprints"] for r in before] == \
        [r["partialFingerprints"] for r in after]
    # Two properties of one spec (an invariant, a liveness property): two alerts.
    assert [r["ruleId"] for r in after] == ["invariant", "liveness"]
    assert after[0]["partialFingerprints"] != after[1]["partialFingerprints"]


def test_sarif_fingerprints_name_the_spec(cli, tmp_path):
    # The same property in two specs is two alerts; the expectation result has its own key.
    out = tmp_path / "report.sarif"
    code, _, _ = cli("check", "specs/forwarding_task_buggy_n1.spec",
                     "specs/forwarding_task_buggy_n2.spec", "specs/forwarding_task_fixed_n3.spec",
                     "--max-states", "30", "--sarif", str(out))
    assert code == 3  # n3 is inconclusive with the bound: a warning at its expect line
    results = json.loads(out.read_text())["runs"][0]["results"]
    assert [(r["ruleId"], list(r["partialFingerprints"])) for r in results] == [
        ("invariant", ["protocheckViolation/v1"]), ("invariant", ["protocheckViolation/v1"]),
        ("expectation", ["protocheckExpectation/v1"])]
    assert results[0]["partialFingerprints"] != results[1]["partialFingerprints"]


def test_sarif_for_holding_specs_only(cli, tmp_path):
    out = tmp_path / "report.sarif"
    code, _, _ = cli("check", FIXED, "--sarif", str(out))
    assert code == 0
    doc = json.loads(out.read_text())
    _validate_sarif(doc)
    assert doc["runs"][0]["results"] == []


def _check_itf_value(v) -> None:
    if isinstance(v, (bool, str)):
        return
    if isinstance(v, list):
        for x in v:
            _check_itf_value(x)
        return
    assert isinstance(v, dict), v
    if "#bigint" in v:
        assert set(v) == {"#bigint"} and re.fullmatch(r"-?\d+", v["#bigint"])
    elif "#set" in v or "#tup" in v:
        (items,) = v.values()
        for x in items:
            _check_itf_value(x)
    elif "#map" in v:
        for pair in v["#map"]:
            assert len(pair) == 2
            _check_itf_value(pair[0])
            _check_itf_value(pair[1])
    elif "tag" in v:
        assert set(v) == {"tag", "value"} and isinstance(v["tag"], str)
        _check_itf_value(v["value"])
    else:  # a record
        for x in v.values():
            _check_itf_value(x)


def test_itf_trace_shape(cli, tmp_path):
    code, _, _ = cli("check", "specs/forwarding_task_buggy_n2.spec", "--itf", str(tmp_path))
    assert code == 0
    path = tmp_path / "forwarding_task_buggy_n2-forwarding_task_set_before_awaited.itf.json"
    itf = json.loads(path.read_text())
    assert itf["#meta"]["format"] == "ITF"
    assert itf["vars"] == ["HttpClient", "Invocation", "Worker", "channels"]
    assert len(itf["states"]) == 6  # initial + 5 steps
    for i, state in enumerate(itf["states"]):
        assert state["#meta"]["index"] == i
        assert set(state) - {"#meta"} == set(itf["vars"])
        for var in itf["vars"]:
            _check_itf_value(state[var])
    last = itf["states"][-1]
    inv0 = {k["#bigint"]: v for k, v in last["Invocation"]["#map"]}["0"]
    assert inv0 == {"state": "EnsuringForwarding", "forwarding_task_set": False}
    assert itf["states"][5]["#meta"]["action"] == "Invocation[0]: on InvocationResponse"
    first_send = itf["states"][1]["channels"]["#map"]
    queued = [(k["#tup"], msgs) for k, msgs in first_send if msgs]
    assert queued == [(["HttpClient[0]", "Invocation[0]"], [{"tag": "HttpRequest",
                                                             "value": {}}])]


def test_itf_in_json_output(cli_json):
    code, doc = cli_json(BUGGY)
    assert code == 0
    itf = doc["results"][0]["violations"][0]["itf"]
    assert len(itf["states"]) == 8
    assert itf["states"][7]["JobHost"]["indexed"] == "WarmupFunctions"
    assert itf["states"][0]["placeholder_mode"] is True


def test_pytest_plugin_collects_specs(pytester):
    model = (ROOT / "docs" / "tutorial" / "handshake.model").read_text()
    pytester.makefile(".model", handshake=model)
    pytester.makefile(".spec", good='spec good\nmodel "handshake.model"\ninvariant r: '
                      'Host.routing implies Worker at Running\nexpect violated\n',
                      wrong='spec wrong\nmodel "handshake.model"\ninvariant r: '
                      'Host.routing implies Worker at Running\nexpect holds\n')
    result = pytester.runpytest("--protocheck")  # loaded by its pytest11 entry point
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*: spec wrong on *handshake.model (WAIT_FOR_READY=false)",
                                 "verdict: VIOLATED, but the spec expects 'holds'  <-- MISMATCH",
                                 "*2. Host  step BeginRouting*"])


def test_pytest_plugin_off_by_default(pytester):
    pytester.makefile(".spec", broken="this is not a spec")
    result = pytester.runpytest()
    assert result.ret == 5  # nothing collected: .spec files are ignored without --protocheck


@pytest.mark.slow
def test_pre_commit_hook_entry_runs(tmp_path):
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    entry = re.search(r"^\s*entry:\s*(.+)$", text, re.MULTILINE).group(1).split()
    assert re.search(r"^\s*files:\s*\\\.\(model\|spec\)\$$", text, re.MULTILINE)
    # pre-commit runs the entry with the hook's args (pass_filenames is false: no file names).
    args = re.search(r"^\s*args:\s*\[(.*)\]$", text, re.MULTILINE).group(1).split(",")
    assert re.search(r"^\s*pass_filenames:\s*false$", text, re.MULTILINE)
    p = subprocess.run([*entry, *(a.strip() for a in args)], cwd=ROOT, check=False,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.slow
def test_ctrl_c_prints_partial_statistics_and_writes_complete_files(tmp_path):
    spec = write_spec(tmp_path, ROOT / "models" / "forwarding_task.model", "expect holds",
                      {"N": 7, "FIXED": True})
    junit = tmp_path / "out" / "report.xml"
    proc = subprocess.Popen([sys.executable, "-m", "checker", "check", "--allow-root", str(ROOT),
                             str(spec), "--junit", str(junit), "--no-progress",
                             "--symmetry", "off"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "verdict: INCONCLUSIVE (interrupted)" in out
    m = re.search(r"partial statistics: ([\d,]+) states", err)
    assert m and int(m.group(1).replace(",", "")) > 1000
    root = ET.parse(junit).getroot()  # complete, parseable XML
    assert root.get("errors") == "1"
    assert [p.name for p in junit.parent.iterdir()] == ["report.xml"]  # no temporary files


def test_atomic_write_leaves_nothing_on_failure(tmp_path, monkeypatch):
    from checker import files

    target = tmp_path / "x.json"
    target.write_text("old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    try:
        files.write_atomic(str(target), "new")
    except OSError:
        pass
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
