"""The live progress line (only on a terminal, only after ~2 s) and Ctrl-C on timed runs."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import pytest
from conftest import MODELS, ROOT, write_spec

# Each waits seconds for a progress line on a terminal.
pytestmark = pytest.mark.slow

# The progress line of a spec written by write_spec: the search is under way.
PROGRESS = rb"\rtest: [\d,]+ states, [\d,]+ transitions"


def _run_on_terminal(args: list[str], interrupt_on: bytes | None = None,
                     deadline: float = 60.0) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal (stdout a pipe): (exit code, stdout, stderr).

    With `interrupt_on` (a regex), send SIGINT as soon as stderr matches it, and fail if it has
    not within `deadline` seconds or the run ends first. Waiting for the progress line, not a
    fixed time, is what makes a Ctrl-C test land mid-search on a loaded machine too."""
    leader, follower = pty.openpty()
    # Specs in tmp_path name the repository's models: allow them.
    argv = [args[0], "--allow-root", str(ROOT), *args[1:]]
    proc = subprocess.Popen([sys.executable, "-m", "checker", *argv], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=follower, text=True)
    os.close(follower)
    err = b""
    waiting = interrupt_on is not None
    until = time.monotonic() + (deadline if waiting else 120)
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], max(0.0, until - time.monotonic()))
            assert ready, (f"stderr did not show {interrupt_on!r} within {deadline:.0f} s: {err!r}"
                           if waiting else f"the run did not end: {err!r}")
            try:
                data = os.read(leader, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            err += data
            if waiting and re.search(interrupt_on, err):
                proc.send_signal(signal.SIGINT)
                waiting = False
                until = time.monotonic() + 60  # to stop and write the partial statistics
        assert not waiting, f"the run ended before stderr showed {interrupt_on!r}: {err!r}"
        out = proc.stdout.read()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        os.close(leader)
    return proc.returncode, out, err.decode()


def test_progress_line_on_a_terminal_after_two_seconds(tmp_path):
    # 4^12 states: far more than 3 s of work, cut by the timeout.
    spec = write_spec(tmp_path, MODELS / "counters.model", "expect holds", {"K": 12, "M": 3})
    code, out, err = _run_on_terminal(["check", str(spec), "--timeout", "3.5", "--symmetry", "off"])
    assert code == 3, out + err
    lines = re.findall(r"\r(test: [\d,]+ states, [\d,]+ transitions, depth \d+, \d+ s, "
                       r"[\d,]+ states/s)", err)
    assert lines, repr(err)
    assert all(int(re.search(r", (\d+) s,", ln).group(1)) >= 2 for ln in lines)
    assert err.endswith("\r\x1b[K") or "\r\x1b[K" in err  # the line is erased afterwards
    assert "\r" not in out  # never on stdout


def test_no_progress_line_when_stderr_is_not_a_terminal(tmp_path):
    spec = write_spec(tmp_path, MODELS / "counters.model", "expect holds", {"K": 12, "M": 3})
    p = subprocess.run([sys.executable, "-m", "checker", "check", "--allow-root", str(ROOT),
                        str(spec), "--timeout", "2.5", "--symmetry", "off"],
                       check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 3
    assert "\r" not in p.stderr and "states/s" not in p.stderr


def test_no_progress_flag_silences_the_terminal(tmp_path):
    spec = write_spec(tmp_path, MODELS / "counters.model", "expect holds", {"K": 12, "M": 3})
    code, _out, err = _run_on_terminal(["check", str(spec), "--timeout", "2.5", "--no-progress",
                                      "--symmetry", "off"])
    assert code == 3
    assert "states/s" not in err


def test_timed_check_shows_progress(tmp_path):
    spec = write_spec(tmp_path, ROOT / "models" / "graceful_shutdown.model",
                      "terminate HostProcess at 0\ndeadlock off\ninvariant torn: forall i in Invocation: "
                      "not (i at TornDown)\nexpect violated", {"K": 7, "VARIANT": 0})
    code, out, err = _run_on_terminal(["check", str(spec), "--timeout", "3"])
    assert re.search(r"\rtest: [\d,]+ states, [\d,]+ transitions", err), repr(err)
    assert code in (0, 3), out  # K=7 takes ~45 s: cut by the timeout either way


def test_timed_region_cut_short_is_reported_as_a_lower_bound(cli, tmp_path):
    spec = write_spec(tmp_path, ROOT / "models" / "graceful_shutdown.model",
                      "terminate HostProcess at 0\ndeadlock off\ninvariant torn: forall i in Invocation: "
                      "not (i at TornDown)\nexpect violated", {"K": 4, "VARIANT": 0})
    # K=4 has 627 symbolic states; the violation is found before the 200th.
    code, out, _ = cli("check", str(spec), "--max-states", "200")
    assert code == 0, out  # violated, as expected: the witness is real even if the search stopped
    assert "violated for: cleanup >= 10 (at least; the search stopped before the end)" in out
    assert "(stopped: state bound 200 reached)" in out
    code, out, _ = cli("check", str(spec))
    assert code == 0 and "violated for: cleanup >= 10\n" in out


def _slow_timed_spec(tmp_path):
    # K=7 takes about 30 s (35,269 symbolic states): the interrupt, sent once the progress
    # line is up (after 2 s of search), always lands mid-search.
    return write_spec(tmp_path, ROOT / "models" / "graceful_shutdown.model",
                      "terminate HostProcess at 0\ndeadlock off\ninvariant torn: forall i in Invocation: "
                      "not (i at TornDown)\nexpect holds", {"K": 7, "VARIANT": 3})


def test_ctrl_c_on_a_timed_check(tmp_path):
    code, out, err = _run_on_terminal(["check", str(_slow_timed_spec(tmp_path))],
                                      interrupt_on=PROGRESS)
    assert code == 130, err
    assert "Traceback" not in err
    assert "verdict: INCONCLUSIVE (interrupted)" in out
    m = re.search(r"partial statistics: ([\d,]+) states", err)
    assert m and int(m.group(1).replace(",", "")) > 10


def test_ctrl_c_on_synthesize(tmp_path):
    code, out, err = _run_on_terminal(["synthesize", str(_slow_timed_spec(tmp_path))],
                                      interrupt_on=PROGRESS)
    assert code == 130, err
    assert "Traceback" not in err
    assert re.search(r"interrupted while synthesizing .*partial statistics: [\d,]+ symbolic "
                     r"states", err)
    assert "holds iff" not in out and "holds for all" not in out  # no region from half a search


def test_loading_the_polyhedra_library_keeps_our_ctrl_c_handler():
    # pplpy's cysignals takes SIGINT over on import; the CLI's flag must keep it, or Ctrl-C
    # lands inside PPL's C++ code (a run that sometimes never ended after the interrupt).
    script = ("import os, signal, time\nhits = []\n"
              "signal.signal(signal.SIGINT, lambda *a: hits.append(1))\n"
              "import checker.symbolic.polyhedra\n"
              "os.kill(os.getpid(), signal.SIGINT)\ntime.sleep(0.2)\nprint(hits)\n")
    p = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                       text=True, check=False, timeout=60)
    assert (p.returncode, p.stdout.strip()) == (0, "[1]"), p.stderr


def test_ctrl_c_on_synthesize_writes_what_was_done(tmp_path):
    # The dora seed is synthesized, then the slow spec is interrupted: --json and --html still
    # have the first spec's region, and the interrupted one with no region; exit 130.
    import json

    html = tmp_path / "html"
    code, out, err = _run_on_terminal(
        ["synthesize", "--json", "--html", str(html), str(ROOT / "specs" / "dora_drop_token_buggy.spec"),
         str(_slow_timed_spec(tmp_path))], interrupt_on=PROGRESS)
    assert code == 130, err
    assert "Traceback" not in err
    doc = json.loads(out)
    assert doc["exit_code"] == 130
    first, stopped = doc["synthesis"]
    assert (first["spec"], first["verdict"], first["safe"]) == (
        "dora_drop_token_buggy", "holds iff", "grace > gil_delay")
    assert (stopped["spec"], stopped["verdict"], stopped["safe"], stopped["violated"],
            stopped["complete"], stopped["limit"]) == ("test", None, None, {}, False,
                                                        "interrupted")
    page = (html / "index.html").read_text()
    assert "grace &gt; gil_delay" in page and "interrupted after" in page
