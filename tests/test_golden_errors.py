"""Golden tests for diagnostics: every file in tests/errors/ against its .expected output.

Each case is run through the CLI in-process (`parse` for models, `check` for specs). The
expected file holds the exact stderr; cases named `*warning*` must exit 0, all others 2.
Regenerate with PROTOCHECK_UPDATE_GOLDEN=1 (then read the diff before committing).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (ROOT / "tests" / "errors").iterdir()
               if p.suffix in (".model", ".spec") and not p.name.startswith("_"))


def test_corpus_is_large_enough():
    assert len([c for c in CASES if "warning" not in c.name]) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden_error(case: Path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    rel = str(case.relative_to(ROOT))
    command = "check" if case.suffix == ".spec" else "parse"
    code = main([command, rel])
    captured = capsys.readouterr()
    expected_file = case.with_suffix(case.suffix + ".expected")
    if os.environ.get("PROTOCHECK_UPDATE_GOLDEN"):
        expected_file.write_text(captured.err)
    assert code == (0 if "warning" in case.name else 2)
    assert "Traceback" not in captured.err
    assert captured.err == expected_file.read_text()
