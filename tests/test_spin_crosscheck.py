"""SPIN agrees with protocheck on the distinct-state counts of forwarding_task, N = 1..6.

Runs bench/spin_compare.py (which documents the DSL -> Promela mapping). From N = 4 on the
count is the level engine's (the reference hands over at 5,000 states), so SPIN checks both
engines; symmetry is off (SPIN counts every state). Needs Debian's `spin`
and gcc, which `.ci/setup` installs; without them this test fails rather than skips, because an
unchecked engine is exactly what the cross-check exists to prevent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_spin_counts_equal_protocheck_counts():
    if shutil.which("spin") is None or shutil.which("gcc") is None:
        pytest.fail("spin and gcc are needed for the cross-check: run `bash .ci/setup`")
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "spin_compare.py"), "--max-n", "6"],
                       check=False, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout + p.stderr
    rows = re.findall(r"^(buggy|fixed)\s+(\d)\s+([\d,]+)\s+([\d,]+)\s+yes$", p.stdout, re.MULTILINE)
    assert len(rows) == 12
    for variant, n, ours, spin in rows:
        assert ours == spin
        # Each client/invocation pair runs on its own: 9 joint states fixed, 13 buggy.
        assert int(ours.replace(",", "")) == (9 if variant == "fixed" else 13) ** int(n)
