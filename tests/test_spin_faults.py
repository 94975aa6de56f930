"""SPIN agrees with protocheck on models with injected faults, and both with a count by hand.

Each model in tests/faults/ is checked by specs at fault budgets 0, 1 and 2 (`NAME_N.spec`;
their comments, and the model's, derive the reachable state count by hand), and has a
hand-written Promela twin in tests/faults/spin/ whose header says how it mirrors docs/faults.md:
one process per actor instance and one fault injector, each a loop of d_steps (one d_step =
one transition), channel slots as arrays (fifo.h) so that a message can be lost from any
position, duplicated or swapped with its neighbour, and a checker process whose options are
enabled only in a state that violates the spec (an invariant, or a deadlock) and assert false
there, which adds no state.

For every case below the spec is checked with protocheck (checker.run.check, all violations,
so that a violated spec is explored to the end too) and must be complete; the twin is compiled
with the spec's own fault budgets (each clause's budget to the twin's macro for it, the total
to TOTAL, -DDEADLOCK iff the spec checks deadlocks) plus the case's fixed options (which
channels a clause selects, which invariants), and

  * protocheck's state count equals the hand count in the table, and SPIN's (`pan -A`,
    assertions off: every reachable state, "states, stored") equals it too;
  * protocheck's verdict is the spec's `expect`, and SPIN's (plain `pan`: an assertion
    violation is `violated`) is the same.

Each twin configuration is compiled once (`spin -o2 -a`, gcc -DSAFETY -DNOREDUCE: no
partial-order reduction). Needs Debian's `spin` and gcc, which `.ci/setup` installs; without
them this test fails rather than skips, like tests/test_spin_crosscheck.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

from checker import run

FAULTS = ROOT / "tests" / "faults"
TWINS = FAULTS / "spin"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Case:
    spec: str  # tests/faults/<spec>.spec
    twin: str  # tests/faults/spin/<twin>.pml
    budgets: tuple[str, ...]  # the twin's budget macro for each of the spec's clauses, in order
    options: tuple[str, ...]  # fixed -D options: the channels a clause selects, the invariants
    states: int  # the reachable states, counted by hand (the spec's comments say how)


def _cases(stem: str, twin: str, budgets: tuple[str, ...], options: tuple[str, ...],
           counts: tuple[int, int, int]) -> list[Case]:
    """The cases of one spec family at budgets 0, 1, 2."""
    return [Case(f"{stem}_{n}", twin, budgets, options, states)
            for n, states in enumerate(counts)]


CASES = [
    # lose / duplicate on FIFO channels; a total budget over two message clauses
    *_cases("request_reply_lose", "request_reply", ("B_LOSE",),
            ("-DLOSE_REQ=1", "-DLOSE_RESP=1", "-DINV_ONE_REQUEST"), (4, 5, 5)),
    *_cases("request_reply_duplicate", "request_reply", ("B_DUP",),
            ("-DDUP_REQ=1", "-DDUP_RESP=1", "-DINV_IN_FLIGHT", "-DIN_FLIGHT=2"), (4, 10, 20)),
    *_cases("request_reply_total", "request_reply", ("B_LOSE", "B_DUP"),
            ("-DLOSE_RESP=1", "-DDUP_REQ=1", "-DINV_IN_FLIGHT", "-DIN_FLIGHT=3"), (4, 11, 24)),
    # crash-stop; a total budget over two crash clauses
    *_cases("crash_stop", "crash_stop", ("B_CS",), (), (4, 9, 9)),
    *_cases("crash_both", "crash_stop", ("B_CC", "B_CS"), (), (4, 12, 13)),
    # crash and restart: durable var, restart state, on restart, on crash of
    *_cases("crash_restart", "crash_restart", ("B_CW",), (), (3, 11, 27)),
    # a durable channel to a restarting consumer
    *_cases("durable_inbox", "durable_inbox", ("B_CC",), (), (6, 22, 38)),
    # reorder on a FIFO channel
    *_cases("fifo_pair", "fifo_pair", ("B_RE",), (), (6, 9, 12)),
    # duplicate and lose on an unordered channel
    *_cases("bag", "bag", ("B_DUP",), (), (5, 13, 23)),
    *_cases("bag_lose", "bag", ("B_LOSE",), (), (5, 8, 9)),
    # replicated instances: crash any instance / one instance, lose from one instance
    *_cases("watchers_crash", "watchers", ("B_CRASH",), ("-DCRASH_ANY", "-DINV_CRASH"),
            (10, 36, 53)),
    *_cases("watchers_mixed", "watchers", ("B_CRASH", "B_LOSE"), ("-DINV_MIXED",),
            (10, 26, 30)),
    # a supervisor that crashes too: its notices dropped, none while it is down
    *_cases("supervisor", "supervisor", ("B_CW", "B_CS"), (), (1, 10, 31)),
]

BY_ID = {case.spec: case for case in CASES}


def _report(case: Case) -> run.Report:
    return run.check(str(FAULTS / f"{case.spec}.spec"),
                     run.CheckOptions(all_violations=True, symmetry="off"))


def _defines(case: Case, report: run.Report) -> tuple[str, ...]:
    """The twin's -D options for the spec: its budgets, its deadlock setting, the fixed ones."""
    faults = report.config.faults
    assert len(faults.clauses) == len(case.budgets), case.spec
    budgets = [f"-D{macro}={clause.budget}" for macro, clause in zip(case.budgets,
                                                                       faults.clauses)]
    deadlock = ["-DDEADLOCK"] if report.config.deadlock else []
    return (*budgets, f"-DTOTAL={faults.budget}", *deadlock, *case.options)


def _compile(twin: str, defines: tuple[str, ...], where: Path) -> Path:
    where.mkdir(parents=True)
    # -o2: keep write-only variables in the state vector, so the twin's states are the model's.
    spin = subprocess.run(["spin", *defines, "-o2", "-a", str(TWINS / f"{twin}.pml")],
                          cwd=where, capture_output=True, text=True, timeout=60, check=False)
    assert spin.returncode == 0 and (where / "pan.c").exists(), spin.stdout + spin.stderr
    cc = subprocess.run(["gcc", "-O0", "-DSAFETY", "-DNOREDUCE", "-o", "pan", "pan.c"],
                        cwd=where, capture_output=True, text=True, timeout=120, check=False)
    assert cc.returncode == 0, cc.stderr
    return where


@dataclass(frozen=True)
class Checked:
    report: run.Report
    defines: tuple[str, ...]
    pan: Path  # the folder of the compiled twin


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> dict[str, Checked]:
    """Every case: protocheck's report, and the twin compiled with the spec's budgets."""
    if shutil.which("spin") is None or shutil.which("gcc") is None:
        pytest.fail("spin and gcc are needed for the cross-check: run `bash .ci/setup`")
    base = tmp_path_factory.mktemp("spin_faults")
    reports = {case.spec: _report(case) for case in CASES}
    defines = {case.spec: _defines(case, reports[case.spec]) for case in CASES}
    configs = {(case.twin, defines[case.spec]) for case in CASES}
    with ThreadPoolExecutor(max_workers=2) as pool:
        built = {config: pool.submit(_compile, config[0], config[1], base / f"twin{k}")
                 for k, config in enumerate(sorted(configs))}
        folders = {config: f.result() for config, f in built.items()}
    return {case.spec: Checked(reports[case.spec], defines[case.spec],
                               folders[(case.twin, defines[case.spec])]) for case in CASES}


def _pan(folder: Path, *args: str) -> str:
    p = subprocess.run(["./pan", "-E", "-m10000", *args], cwd=folder, capture_output=True,
                       text=True, timeout=60, check=False)
    out = p.stdout + p.stderr
    assert "Full statespace search for" in out, out
    assert "max search depth too small" not in out, out
    return out


def spin_states(folder: Path) -> int:
    """The twin's reachable states: a full search with its assertions off."""
    out = _pan(folder, "-A")
    assert "assertion violations\t- (disabled by -A flag)" in out, out
    m = re.search(r"errors: 0\s+(\d+) states, stored", out)
    assert m, out
    return int(m.group(1))


def spin_verdict(folder: Path) -> str:
    """'violated' if a reachable state fails an invariant or is a deadlock, else 'holds'."""
    out = _pan(folder)
    m = re.search(r"errors: (\d+)", out)
    assert m, out
    if m.group(1) == "0":
        return "holds"
    assert "assertion violated" in out, out
    return "violated"


def test_every_spec_is_a_case():
    assert sorted(p.stem for p in FAULTS.glob("*.spec")) == sorted(BY_ID)


@pytest.mark.parametrize("case", CASES, ids=[case.spec for case in CASES])
def test_state_counts_agree(checked, case: Case):
    got = checked[case.spec]
    report = got.report
    assert report.complete, (case.spec, report.limit)
    assert report.stats.states == case.states, f"{case.spec}: protocheck, by hand"
    theirs = spin_states(got.pan)
    assert theirs == case.states, (f"{case.spec}: SPIN {theirs}, by hand {case.states} "
                                   f"(twin {case.twin}.pml {' '.join(got.defines)})")


@pytest.mark.parametrize("case", CASES, ids=[case.spec for case in CASES])
def test_verdicts_agree(checked, case: Case):
    got = checked[case.spec]
    report = got.report
    assert report.verdict == report.config.expect, (case.spec, report.verdict)
    theirs = spin_verdict(got.pan)
    assert theirs == report.verdict, (f"{case.spec}: protocheck {report.verdict}, SPIN "
                                      f"{theirs} (twin {case.twin}.pml {' '.join(got.defines)})")
