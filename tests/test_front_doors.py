"""Each way of running a spec gives the verdict `protocheck check` gives, and each kind of
violation is reported by the timed engine as by the untimed one. Every test here failed
before the verdict core (checker/run.py): it is written against the CLI and the pytest
plugin only, so it runs unchanged against older versions."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

LATEACK = (ROOT / "tests" / "timed" / "lateack.model").read_text()
GRACEFUL = (ROOT / "models" / "graceful_shutdown.model").read_text()
GRACE_20 = """spec grace_20
model "graceful_shutdown.model"
const VARIANT = 2
terminate HostProcess at 0
param cleanup = 5
param grace = 20
deadlock off
invariant no_teardown_before_cleanup: forall i in Invocation: not (i at TornDown)
expect holds
"""


def test_plugin_fails_a_timed_spec_that_check_fails(pytester, cli):
    # The ack comes at 10, the client waits only 5: stuck in Waiting. The plugin used to run
    # the untimed engine, which ignores durations, and passed.
    pytester.makefile(".model", lateack=LATEACK)
    spec = pytester.makefile(".spec", late='spec late\nmodel "lateack.model"\n'
                             "param ack_delay = 10\nexpect holds\n")
    # The spec named: `cli` has changed the working directory to the repository.
    result = pytester.runpytest("--protocheck", str(spec))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["verdict: VIOLATED, but the spec expects 'holds'  <-- MISMATCH",
                                 "violated: deadlock: *"])
    assert cli("check", str(spec))[0] == 1


def test_plugin_passes_a_timed_spec_that_check_passes(pytester, cli):
    # The 20-unit grace outlasts the 5-unit cleanup. The untimed engine fired the timer at
    # once and failed the spec.
    pytester.makefile(".model", graceful_shutdown=GRACEFUL)
    spec = pytester.makefile(".spec", grace_20=GRACE_20)
    pytester.runpytest("--protocheck", str(spec)).assert_outcomes(passed=1)
    code, out, _ = cli("check", str(spec))
    assert code == 0 and "verdict: HOLDS, as expected" in out


def test_timed_engine_reports_failures_inside_timer_handlers(cli, tmp_path):
    for spec, kind, where in [("timer_assert", "assert", "timer_assert.model:20:18"),
                              ("timer_range", "range", "timer_assert.model:21:18"),
                              ("timer_runtime", "runtime", "timer_assert.model:22:26")]:
        code, out, _ = cli("check", f"tests/timed/{spec}.spec")
        assert code == 0, out  # these specs expect the violation
        assert f"violated: {kind}: " in out
        assert where in out
        # And with `expect holds` the same spec is a mismatch, not a pass.
        text = (ROOT / "tests" / "timed" / f"{spec}.spec").read_text()
        wrong = tmp_path / f"{spec}.spec"
        wrong.write_text(text.replace('model "', f'model "{ROOT}/tests/timed/')
                         .replace("expect violated", "expect holds"))
        assert cli("check", str(wrong))[0] == 1


def test_failing_timer_handler_step_has_its_time(cli):
    _, out, _ = cli("check", "tests/timed/timer_assert.spec")
    # delay in 1..3: the witness takes the middle of the range, not its end.
    assert "  2. Racer  on timeout a  @ t=2   [tests/timed/timer_assert.model:20:3]" in out
    assert "FAILS: the first timer to expire must be a's" in out


def test_timed_engine_reports_vacuity(cli):
    code, out, _ = cli("check", "tests/timed/timer_vacuous.spec")
    assert code == 0
    assert "VACUOUS: invariant never_two" in out


def test_exit_status_survives_a_closed_stdout(tmp_path):
    # `check | head -1`: head exits after the first line, later writes hit a closed pipe; the
    # status must still say "mismatch", not 0.
    wrong = tmp_path / "wrong.spec"
    wrong.write_text((ROOT / "specs" / "forwarding_task_buggy_n1.spec").read_text()
                     .replace('model "../', f'model "{ROOT}/').replace("expect violated",
                                                                    "expect holds"))
    script = (f"set -o pipefail; {sys.executable} -m checker check --allow-root {ROOT} {wrong} "
              "specs/forwarding_task_fixed_n3.spec specs/forwarding_task_fixed_n4.spec | head -1")
    p = subprocess.run(["bash", "-c", script], check=False, cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert p.stdout.startswith("== ")
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr


def test_synthesize_substitutes_a_fixed_param(cli, tmp_path):
    spec = tmp_path / "fixed_grace.spec"
    spec.write_text((ROOT / "specs" / "graceful_shutdown_configurable_grace.spec").read_text()
                    .replace('model "../', f'model "{ROOT}/')
                    .replace("const VARIANT = 2", "const VARIANT = 2\nparam grace = 4"))
    code, out, _ = cli("synthesize", str(spec))
    assert code == 0
    assert "(cleanup: int in 0..30; fixed: grace = 4)" in out
    assert "every property holds iff cleanup < 4" in out
    assert "grace" not in out.split("\n", 1)[1].split("explored")[0]
