"""The command's front matter and its environment: `--version`, a bare `protocheck`, and what
it says when something it needs is not installed (Graphviz's `dot`, found or broken through
PATH; a Python package): one line naming what to install, never an internal error. The
installed command itself is tested in tests/test_install.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT, WITHOUT_MODULE

from checker import __version__
from checker.distribution import DISTRIBUTION, REQUIRED

SPEC = "specs/forwarding_task_buggy_n1.spec"
STEM = "forwarding_task_buggy_n1-forwarding_task_set_before_awaited"


def test_version_line_from_a_checkout(capsys):
    # Run from the checkout, the code's folder is named; the metadata is read when the
    # distribution is installed (the wheel: tests/test_install.py).
    from checker.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    line = capsys.readouterr().out
    assert line.startswith(f"{DISTRIBUTION} {__version__} (")
    assert str(ROOT / "checker") in line


def test_bare_command_prints_the_help_and_exits_2(cli):
    code, out, err = cli()
    assert code == 2 and out == ""
    assert err.startswith("usage: protocheck ")
    for command in ("check", "synthesize", "parse", "diagram", "--version"):
        assert command in err
    assert err.endswith("protocheck: error: no command given\n")


def test_help_exits_0_on_stdout(capsys):
    from checker.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr()
    assert out.out.startswith("usage: protocheck ") and out.err == ""


def test_without_dot_on_path_diagrams_and_html_still_write_what_they_can(cli, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot anywhere on it
    code, _out, err = cli("check", SPEC, "--diagrams", str(tmp_path / "d"),
                          "--html", str(tmp_path / "h"))
    assert code == 0, err
    assert err.count("Graphviz 'dot' was not found") == 1
    assert ("writing .dot files only and HTML pages without sequence charts (install the "
            "Debian package graphviz: apt-get install graphviz)") in err
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == [f"{STEM}.dot"]
    assert "no chart: Graphviz's dot is not installed" in (tmp_path / "h" / f"{STEM}.html") \
        .read_text()


BROKEN_DOTS = {
    # It reads the graph, then fails (a renderer missing from a partial Graphviz install).
    "fails": "#!/bin/sh\n/bin/cat > /dev/null\necho 'Error: renderer for svg is unavailable' >&2\n"
             "exit 1\n",
    # It exits before reading the graph: a broken pipe, or its exit status, whichever comes
    # first.
    "exits at once": "#!/bin/sh\nexit 127\n",
}


@pytest.mark.parametrize("dot", sorted(BROKEN_DOTS))
@pytest.mark.parametrize("args", [["check", SPEC, "--diagrams", "OUT"],
                                  ["check", SPEC, "--html", "OUT"],
                                  ["diagram", "models/forwarding_task.model", "--view", "actors",
                                   "--output", "OUT"]])
def test_a_broken_dot_is_exit_2_naming_graphviz(cli, tmp_path, monkeypatch, args, dot):
    # A dot on PATH that does not work: not an internal error.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text(BROKEN_DOTS[dot])
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    out_dir = tmp_path / "out"
    code, _out, err = cli(*[str(out_dir) if a == "OUT" else a for a in args])
    assert code == 2, err
    line = err.splitlines()[-1]
    assert line.startswith(f"protocheck: Graphviz's dot ({fake}) ") and "render SVG" in line
    assert line.endswith(": reinstall the Debian package graphviz: apt-get install --reinstall "
                         "graphviz"), line
    if dot == "fails":
        assert "failed to render SVG, exit status 1 (its message is above)" in line
    assert "internal error" not in err and "Traceback" not in err
    assert not list(out_dir.glob("*.svg"))


def _without(module: str, *args: str) -> subprocess.CompletedProcess:
    """`protocheck ARGS` in a Python where importing `module` fails as when it is not
    installed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", WITHOUT_MODULE, module, *args], cwd=ROOT,
                          env=env, check=False, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("module, args", [
    ("lark", ["parse", "models/forwarding_task.model"]),
    ("numpy", ["check", "specs/forwarding_task_buggy_n2.spec"]),  # the level engine
    ("z3", ["synthesize", "specs/dora_drop_token_buggy.spec"]),
    ("networkx", ["diagram", "models/forwarding_task.model", "--view", "statespace",
                  "--output", "OUT"]),
])
def test_a_missing_python_package_is_exit_2_naming_it(module, args, tmp_path):
    p = _without(module, *[str(tmp_path) if a == "OUT" else a for a in args])
    assert p.returncode == 2, p.stderr
    dist = REQUIRED[module]
    assert p.stderr.startswith(f"protocheck: the Python package {dist} is not installed in "
                               f"this environment ({sys.executable}): No module named "
                               f"'{module}'; install it with {sys.executable} -m pip install "
                               f"'{dist}"), p.stderr
    assert "internal error" not in p.stderr and "Traceback" not in p.stderr
    assert p.stdout == ""


def test_a_missing_module_of_protocheck_itself_is_still_a_bug():
    p = _without("checker.render.text", "check", SPEC)
    assert p.returncode == 70, p.stderr
    assert "internal error: this is a bug in protocheck" in p.stderr
