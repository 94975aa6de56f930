"""The README's Python example runs as printed: its comments are its output."""

from __future__ import annotations

import contextlib
import io
import re

from conftest import ROOT


def test_readme_python_example(monkeypatch):
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"## From Python.*?```python\n(.*?)```", readme, re.DOTALL).group(1)
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own documentation
    lines = out.getvalue().splitlines()
    assert lines[0] == "violated True 0"
    assert "deadlock holds " in lines
    assert lines[-2].startswith("forwarding_task_set_before_awaited 5 ['SendRequest'")
