"""SPIN agrees with protocheck on the distinct-state counts of forwarding_task, N = 1..4.

Runs bench/spin_compare.py (which documents the DSL -> Promela mapping). Needs Debian's `spin`
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
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "spin_compare.py"), "--max-n", "4"],
                       check=False, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout + p.stderr
    rows = re.findall(r"^(buggy|fixed)\s+(\d)\s+([\d,]+)\s+([\d,]+)\s+yes$", p.stdout, re.MULTILINE)
    assert len(rows) == 8
    for variant, n, ours, spin in rows:
        assert ours == spin
        if variant == "fixed":
            assert int(ours.replace(",", "")) == 9 ** int(n)
