"""Untrusted models, specs and folder names never become code.

The successor functions are generated Python. No user text may reach that code in any form:
names reach it as state indexes, user strings (assert messages, names in range errors) only
through a table indexed by number, and comments say only numbers. The tests prove the shape
of the generated code on every model in the repository, and attack it as a pull request
would: a folder whose name carries code, committed and cloned through git, and strings built
to close a quote or open an f-string field.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tokenize

import pytest
from conftest import ROOT

from checker import run
from checker.load import load_spec

CORPUS = sorted(p for folder in ("specs", "tests/models", "tests/timed")
                for p in (ROOT / folder).glob("*.spec"))
# Every string literal the generated code may contain: protocheck's own.
OWN_STRINGS = {"'assert'", "'range'", '"division by zero"',
               'f"instance index {k} is out of range 0..{n - 1}"'}
TEXT_TOKENS = {tokenize.STRING, tokenize.COMMENT} | {
    getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE") if hasattr(tokenize, n)}


@pytest.mark.parametrize("spec", CORPUS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_generated_code_holds_no_user_text(spec):
    code = load_spec(str(spec)).system.code
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            assert re.fullmatch(r"# transition \d+, instance \d+", tok.string), tok.string
        elif tok.type == tokenize.STRING:
            assert tok.string in OWN_STRINGS, tok.string
        elif tok.type in TEXT_TOKENS:  # Python 3.12+: f-strings come in pieces
            assert tok.string in "".join(OWN_STRINGS), tok.string


MODEL = """protocol hostile
actor A {
  var x: 0..1 = 0
  state S initial
  state T final
  step Go in S { x = x + 1  goto T }
  step Fail in S { assert false, "%s"  goto T }
}
"""
PAYLOAD = "x'); __import__('os').system('touch PWNED') #{0}\\\\"


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@a", "GIT_COMMITTER_NAME": "a",
                        "GIT_COMMITTER_EMAIL": "a@a", "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("separator", ["\n", "\r"], ids=["newline", "carriage-return"])
def test_a_folder_name_cannot_run_code(cli, tmp_path, separator):
    if shutil.which("git") is None:
        pytest.fail("git is needed to commit the hostile folder as an attacker would")
    repo = tmp_path / "attacker"
    folder = repo / "specs" / f"x{separator}        import os;os.system('touch PWNED'){separator}#"
    folder.mkdir(parents=True)
    (folder / "hostile.model").write_text(MODEL % "boom")
    (folder / "hostile.spec").write_text('spec hostile\nmodel "hostile.model"\n'
                                         "expect violated\n")
    _git("init", "-q", ".", cwd=repo)
    _git("add", ".", cwd=repo)
    _git("commit", "-q", "-m", "innocent", cwd=repo)
    clone = tmp_path / "ci"
    _git("clone", "-q", str(repo), str(clone), cwd=tmp_path)
    code, out, err = cli("check", str(clone / "specs"))
    assert code == 0, out + err
    assert "verdict: VIOLATED, as expected" in out
    assert not (ROOT / "PWNED").exists() and not list(tmp_path.rglob("PWNED"))


def test_a_string_cannot_run_code(cli, tmp_path):
    (tmp_path / "hostile.model").write_text(MODEL % PAYLOAD)
    spec = tmp_path / "hostile.spec"
    spec.write_text('spec hostile\nmodel "hostile.model"\nexpect violated\n')
    code, out, _ = cli("check", str(spec))
    assert code == 0
    assert f"FAILS: {PAYLOAD}\n" in out  # the message, shown verbatim
    assert not (ROOT / "PWNED").exists() and not list(tmp_path.rglob("PWNED"))
    report = run.check(str(spec))
    assert report.counterexamples[0].violation.message == PAYLOAD
