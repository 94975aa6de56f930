"""SPIN agrees with protocheck on the distinct-state counts of forwarding_task, N = 1..4.

Runs bench/spin_compare.py (which documents the DSL -> Promela mapping). Needs Debian's `spin`
and gcc; .ci/run installs spin and sets PROTOCHECK_REQUIRE_SPIN=1 so that a missing SPIN there
fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

HAVE_SPIN = shutil.which("spin") is not None and shutil.which("gcc") is not None


@pytest.mark.skipif(not HAVE_SPIN and not os.environ.get("PROTOCHECK_REQUIRE_SPIN"),
                    reason="spin is not installed")
def test_spin_counts_equal_protocheck_counts():
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "spin_compare.py"), "--max-n", "4"],
                       capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout + p.stderr
    rows = re.findall(r"^(buggy|fixed)\s+(\d)\s+([\d,]+)\s+([\d,]+)\s+yes$", p.stdout, re.M)
    assert len(rows) == 8
    for variant, n, ours, spin in rows:
        assert ours == spin
        if variant == "fixed":
            assert int(ours.replace(",", "")) == 9 ** int(n)
