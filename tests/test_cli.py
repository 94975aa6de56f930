"""End-to-end tests through the CLI on the seed models and specs: verdicts, exit codes, traces."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys

import pytest
from conftest import MODELS, ROOT, write_spec

SEED_SPECS = sorted((ROOT / "specs").glob("*.spec"))


def test_all_seed_specs_match_their_expectations(cli):
    code, out, err = cli("check", "specs")
    assert code == 0, out + err
    assert f"{len(SEED_SPECS)} specs: {len(SEED_SPECS)} as expected, 0 mismatched" in out


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_forwarding_task_verdicts(cli_json, n):
    code, doc = cli_json(f"specs/forwarding_task_buggy_n{n}.spec",
                         f"specs/forwarding_task_fixed_n{n}.spec")
    assert code == 0
    buggy, fixed = doc["results"]
    assert buggy["verdict"] == "violated"
    assert buggy["violations"][0]["property"] == "forwarding_task_set_before_awaited"
    assert fixed["verdict"] == "holds"
    assert fixed["complete"] is True
    # Each client/invocation pair has 9 states: 9^n in all; the pairs are interchangeable, so
    # the search keeps one state per multiset of n of the 9: C(n + 8, n) orbits.
    assert fixed["stats"]["states"] == math.comb(n + 8, n)
    if n > 1:
        assert fixed["stats"]["symmetry"] == {
            "classes": [f"HttpClient/Invocation ({n} instances)"], "represented": 9 ** n}
    else:  # one instance: nothing to permute
        assert fixed["stats"]["symmetry"] is None


def test_forwarding_task_shortest_trace(cli):
    code, out, _ = cli("check", "specs/forwarding_task_buggy_n3.spec")
    assert code == 0
    steps = re.findall(r"^  (\d+)\. (\S+)\s+(.*?)   \[", out, re.MULTILINE)
    assert [(i, a, w) for i, a, w in steps] == [
        ("1", "HttpClient[0]", "step SendRequest"),
        ("2", "Invocation[0]", "on HttpRequest#1 from HttpClient[0]"),
        ("3", "Invocation[0]", "step DispatchInvocation"),
        ("4", "Worker", "on InvocationRequest#2 from Invocation[0]"),
        ("5", "Invocation[0]", "on InvocationResponse#3 from Worker"),
    ]
    assert "state Dispatched -> EnsuringForwarding" in out
    assert "Invocation[0].forwarding_task_set=false" in out
    assert "violated: invariant forwarding_task_set_before_awaited " \
           "(specs/forwarding_task_buggy_n3.spec:7:1)" in out


def test_azure_specialization_trace(cli):
    code, out, _ = cli("check", "specs/azure_linux_specialization_buggy.spec")
    assert code == 0
    assert "verdict: VIOLATED, as expected" in out
    out, lasso = out.split("violated: liveness restart_serves_site")
    steps = re.findall(r"^  \d+\. (\S+)\s+(.*?)   \[", out, re.MULTILINE)
    assert len(steps) == 7
    # One crash of the language worker is enough; JobHost hears of it as a notice.
    assert steps[0] == ("FAULT", ("crash LanguageWorker  (1 of 1: fault crash LanguageWorker "
                                  "at most 1)"))
    assert steps[2] == ("LinuxInstanceManager", "on AssignmentRequest#1 from Platform")
    assert steps[3] == ("JobHost", "on crash of LanguageWorker")
    assert steps[-1] == ("JobHost",
                         "on StartJobHost#4 from LinuxContainerInitializationHostedService")
    assert "specialization_begun: false -> true" in out
    assert "JobHost.indexed=WarmupFunctions" in out
    # The background assignment never ran in the counterexample.
    assert "ApplyAssignmentInBackground" not in out
    # The restart that began after specialization ends with the warm-up functions indexed:
    # the same 7 steps, then the assignment completes and nothing more happens.
    assert "counterexample (1 fault; 8 steps, then nothing more happens):" in lasso
    steps = re.findall(r"^  \d+\. (\S+)\s+(.*?)   \[", lasso, re.MULTILINE)
    assert steps[-1] == ("LinuxInstanceManager", "step ApplyAssignmentInBackground")
    assert "JobHost at Restarting and specialization_begun holds after step 4" in lasso


def test_azure_fixed_holds_with_coverage(cli):
    code, out, _ = cli("check", "specs/azure_linux_specialization_fixed.spec")
    assert code == 0
    assert "verdict: HOLDS, as expected" in out
    assert "LinuxInstanceManager: step ApplyAssignmentInBackground" in out


def test_mismatch_exits_1(cli, tmp_path):
    spec = write_spec(tmp_path, ROOT / "models" / "forwarding_task.model",
                      "invariant set: forall i in Invocation: i at EnsuringForwarding implies "
                      "i.forwarding_task_set\nexpect holds", {"N": 2, "FIXED": False})
    code, out, _ = cli("check", str(spec))
    assert code == 1
    assert "MISMATCH" in out


def test_inconclusive_exits_3(cli):
    code, out, _ = cli("check", "--max-states", "50", "specs/forwarding_task_fixed_n3.spec")
    assert code == 3
    assert "verdict: INCONCLUSIVE (state bound 50 reached)" in out
    assert "HOLDS" not in out


def test_bad_input_exits_2_and_other_specs_still_run(cli):
    code, out, err = cli("check", "tests/errors/22_spec_without_expect.spec",
                         "specs/forwarding_task_fixed_n1.spec")
    assert code == 2
    assert "error[PC406]" in err
    assert "verdict: HOLDS, as expected" in out


def test_usage_error_exits_2(cli):
    with pytest.raises(SystemExit) as exc:
        cli("check")
    assert exc.value.code == 2


def test_missing_file_exits_2(cli):
    code, _, err = cli("check", "specs/no_such.spec")
    assert code == 2
    assert "error[PC501]: no such file: specs/no_such.spec" in err


def test_json_output_document(cli_json):
    code, doc = cli_json("specs/azure_linux_specialization_buggy.spec")
    assert code == 0
    assert doc["schema"] == 1 and doc["exit_code"] == 0
    r = doc["results"][0]
    assert r["constants"] == {"FIXED": "false"}
    v = r["violations"][0]
    assert v["location"] == {"file": "specs/azure_linux_specialization_buggy.spec", "line": 9,
                             "column": 1}
    steps = v["trace"]["steps"]
    assert [s["number"] for s in steps] == list(range(1, 8))
    assert steps[0]["fault"]["kind"] == "crash" and steps[0]["kind"] == "fault"
    assert steps[1]["sent"][0]["message"] == "AssignmentRequest"
    assert steps[2]["received"]["id"] == steps[1]["sent"][0]["id"]
    assert {"name": "specialization_begun", "before": "false", "after": "true"} \
        in steps[2]["changes"]


def test_all_violations_gives_one_trace_per_property(cli_json):
    _code, doc = cli_json("--all-violations", "specs/forwarding_task_buggy_n2.spec")
    props = [v["property"] for v in doc["results"][0]["violations"]]
    assert props == ["forwarding_task_set_before_awaited", "no_failed_http_response"]
    # BFS: the failed response needs the EnsureSuccessfulForwarding step and the delivery.
    lengths = [len(v["trace"]["steps"]) for v in doc["results"][0]["violations"]]
    assert lengths == [5, 7]


def test_dfs_still_finds_the_violation(cli):
    code, out, _ = cli("check", "--search", "dfs", "specs/forwarding_task_buggy_n2.spec")
    assert code == 0
    assert "verdict: VIOLATED, as expected" in out


@pytest.mark.slow
def test_deterministic_output(cli):
    def strip_timing(text: str) -> str:
        text = re.sub(r"[\d.]+ s \([\d,]+ states/s\)", "", text)
        return re.sub(r"[\d.]+ s\b", "", text)  # Z3 time

    first = cli("check", "specs")[1]
    second = cli("check", "specs")[1]
    assert strip_timing(first) == strip_timing(second)


def test_deadlock_report(cli):
    code, out, _ = cli("check", "tests/models/deadlock.spec")
    assert code == 0
    assert "violated: deadlock" in out
    assert "stuck, not in a final state: Left at Waiting, Right at Waiting" in out


def test_deadlock_off(cli):
    code, out, _ = cli("check", "tests/models/deadlock_off.spec")
    assert code == 0
    assert "verdict: HOLDS, as expected" in out


def test_vacuity_reported(cli):
    _code, out, _ = cli("check", "tests/models/nondeterminism.spec")
    assert "VACUOUS: invariant vacuous_example" in out


def test_parse_summarises_model(cli):
    code, out, _ = cli("parse", "models/forwarding_task.model")
    assert code == 0
    assert "protocol forwarding_task: ok" in out
    assert "Invocation[3]" in out
    assert "HttpResponse(ok: bool)" in out
    assert ("states: Idle (initial), Received, Dispatched, Forwarding, AwaitingResult, "
            "EnsuringForwarding, Completed (final), Failed (final)") in out


def test_parse_spec(cli):
    code, out, _ = cli("parse", "specs/azure_linux_specialization_fixed.spec")
    assert code == 0
    assert "spec azure_linux_specialization_fixed: ok" in out


def test_warning_does_not_fail_parse(cli):
    code, _, err = cli("parse", "tests/errors/35_warning_handler_never_fires.model")
    assert code == 0
    assert "warning[PW001]" in err


@pytest.mark.parametrize("cmd", [["protocheck"], [sys.executable, "-m", "checker"]])
def test_console_entry_points(cmd):
    p = subprocess.run(cmd + ["check", "specs/azure_linux_specialization_buggy.spec"],
                       cwd=ROOT, check=False, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "verdict: VIOLATED, as expected" in p.stdout


def test_unordered_bag_trace_names_the_failed_assert(cli):
    code, out, _ = cli("check", str(MODELS / "bag.spec"))
    assert code == 0
    assert "FAILS: items arrive in the order they were sent" in out
    assert "in flight at the end: Item#1(seq=0) Producer -> Consumer" in out


def test_tutorial_model_violated_then_fixed(cli, tmp_path):
    code, out, _ = cli("check", "docs/tutorial/handshake.spec")
    assert code == 0
    assert "2. Host  step BeginRouting" in out
    spec = write_spec(tmp_path, ROOT / "docs" / "tutorial" / "handshake.model",
                      "invariant no_routing_before_ready: Host.routing implies Worker at Running"
                      "\nexpect holds", {"WAIT_FOR_READY": True})
    code, out, _ = cli("check", str(spec))
    assert code == 0
    assert "verdict: HOLDS, as expected" in out
    assert "step BeginRouting  (its guard is false under this configuration)" in out


@pytest.mark.slow
def test_same_bytes_under_any_hash_seed(tmp_path):
    # Python salts str hashes per process: nothing printed or written may depend on set or
    # dict order of strings. Two processes, two seeds: the same text, JSON and diagrams.
    import shutil
    import subprocess
    import sys

    def run(seed: str) -> tuple[str, dict[str, bytes]]:
        out_dir = tmp_path / "diagrams"  # the same path both times: it is in the text
        shutil.rmtree(out_dir, ignore_errors=True)
        p = subprocess.run([sys.executable, "-m", "checker", "check", "specs",
                            "--diagrams", str(out_dir), "--no-progress"], cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True,
                           text=True, check=False, timeout=600)
        assert p.returncode == 0, p.stderr
        text = re.sub(r"[\d.]+ s \([\d,]+ states/s\)|[\d.]+ s\b", "", p.stdout)
        return text, {f.name: f.read_bytes() for f in sorted(out_dir.glob("*.dot"))}

    first, second = run("1"), run("4242")
    assert first[0] == second[0]
    assert first[1] == second[1] and len(first[1]) >= 5


def test_spec_cannot_change_a_constants_type(cli, tmp_path):
    # A bool constant set to 5 used to be accepted and fail later, inside the model.
    model = ROOT / "docs" / "tutorial" / "handshake.model"
    for value, found in (("5", "int"), ("true", "bool")):
        const = "WAIT_FOR_READY" if found == "int" else "X"
        text = model.read_text().replace("const WAIT_FOR_READY = false",
                                         "const WAIT_FOR_READY = false\nconst X = 3")
        (tmp_path / "m.model").write_text(text)
        spec = tmp_path / "s.spec"
        spec.write_text(f'spec s\nmodel "m.model"\nconst {const} = {value}\nexpect holds\n')
        code, _, err = cli("check", str(spec))
        assert code == 2
        model_type = "bool" if found == "int" else "int"
        assert (f"{spec}:3:1: error[PC306]: type mismatch: constant {const} is {model_type} in "
                f"the model but the spec sets it to {found}") in err
        assert "m.model" not in err.split("\n")[0]  # reported at the spec, not later


def test_json_coverage_keeps_two_handlers_of_one_message_apart(cli_json):
    # The dora daemon has two `on DropTokenAck` handlers (Stopping and, with RETRIES, another
    # state): keyed by label alone, the second overwrote the first's count.
    from checker.load import load_spec

    _code, doc = cli_json("specs/dora_drop_token_fixed.spec")
    fired = doc["results"][0]["coverage"]["fired"]
    transitions = load_spec(str(ROOT / "specs" / "dora_drop_token_fixed.spec")).system.transitions
    assert len(fired) == len(transitions)
    acks = sorted(k for k in fired if "on DropTokenAck" in k)
    assert len(acks) == 2 and all(re.search(r" \(line \d+\)$", k) for k in acks)
    assert sum(fired.values()) == doc["results"][0]["stats"]["transitions"]
