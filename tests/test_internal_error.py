"""A crash inside protocheck is reported as our bug with its own exit code (70), never as
exit 1 ("a verdict does not match"), and its traceback is kept in a file, not dumped."""

from __future__ import annotations

import re

from checker import run


def test_a_crash_is_exit_70_with_the_traceback_in_a_file(cli, monkeypatch):
    def broken(*_args, **_kw):
        raise RuntimeError("deliberately broken for the test")

    monkeypatch.setattr(run, "check", broken)
    code, out, err = cli("check", "specs/forwarding_task_fixed_n1.spec")
    assert code == 70
    assert "Traceback" not in out + err
    m = re.search(r"internal error: this is a bug in protocheck, not a verdict; the traceback "
                  r"is in (\S+\.txt)$", err.strip())
    assert m, err
    with open(m.group(1), encoding="utf-8") as f:
        text = f.read()
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: deliberately broken for the test" in text
    assert "command:" in text and "forwarding_task_fixed_n1.spec" in text
