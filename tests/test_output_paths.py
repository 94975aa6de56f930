"""Where outputs go: unusable output paths are found before the search and refused with exit 2
(not a crash after it), specs of one run need distinct names (their outputs are named after
them), and properties whose names read alike as file names get distinct files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SMALL = "protocol p\nactor A {\n  var x: 0..2 = 0\n  state S initial\n  state T final\n" \
        "  step Go in S { x = %d\n    goto T }\n}\n"


def protocheck(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checker", *args, "--no-progress"], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def write(folder: Path, name: str, value: int, spec_name: str = "same") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.model").write_text(SMALL % value)
    spec = folder / f"{name}.spec"
    spec.write_text(f'spec {spec_name}\nmodel "{name}.model"\ninvariant small: A.x == 0\n'
                    "expect violated\n")
    return spec


@pytest.mark.parametrize("option,kind", [("--html", "a folder"), ("--diagrams", "a folder"),
                                          ("--itf", "a folder"), ("--sarif", "a file"),
                                          ("--junit", "a file")])
def test_unusable_output_paths_are_refused_before_the_search(tmp_path, option, kind):
    write(tmp_path, "m", 1, "m")
    (tmp_path / "afile").write_text("")
    (tmp_path / "afolder").mkdir()
    target = "afile" if kind == "a folder" else "afolder"
    done = protocheck(tmp_path, "check", "m.spec", option, target)
    assert done.returncode == 2
    assert done.stdout == ""  # refused before anything was checked
    assert f"protocheck: {option} '{target}': cannot write there" in done.stderr
    assert f"expected {kind}" in done.stderr and "Traceback" not in done.stderr


def test_an_empty_output_path_is_refused(tmp_path):
    write(tmp_path, "m", 1, "m")
    done = protocheck(tmp_path, "check", "m.spec", "--html", "")
    assert done.returncode == 2 and "--html '': cannot write there (an empty path)" in \
        done.stderr


def test_two_specs_of_one_name_in_a_run(tmp_path):
    write(tmp_path / "a", "m", 1)
    write(tmp_path / "b", "m", 2)
    done = protocheck(tmp_path, "check", "a/m.spec", "b/m.spec", "--html", "html")
    assert done.returncode == 2
    assert "b/m.spec:1:1: error[PC507]: spec same is already the name of a/m.spec in this " \
           "run" in done.stderr
    page = (tmp_path / "html" / "same-small.html").read_text()
    assert "x: 0 -&gt; 1" in page or "0 -\\u003e 1" in page  # a's trace, not overwritten by b's
    assert "-\\u003e 2" not in page


def test_property_names_that_read_alike_get_their_own_files(tmp_path):
    # `done[W[0]]`, one of the properties a liveness forall expands to, reads `done_W_0`.
    (tmp_path / "w.model").write_text(
        "protocol w\nactor W[2] {\n  var v: 0..2 = 0\n  state A initial\n  state B\n"
        "  state C final\n  step go in A { v = 2; goto B }\n  step stay in B { v = 2 }\n}\n")
    (tmp_path / "w.spec").write_text(
        'spec w\nmodel "w.model"\ninvariant done_W_0: forall w in W: w.v < 2\n'
        "liveness done: forall w in W: eventually w at C\ndeadlock off\nexpect violated\n")
    done = protocheck(tmp_path, "check", "w.spec", "--all-violations", "--html", "html",
                      "--itf", "itf")
    assert done.returncode == 0, done.stderr
    pages = sorted(p.name for p in (tmp_path / "html").iterdir())
    assert pages == ["index.html", "w-done_W_0-2.html", "w-done_W_0.html", "w-done_W_1.html"]
    assert sorted(p.name for p in (tmp_path / "itf").iterdir()) == \
        ["w-done_W_0-2.itf.json", "w-done_W_0.itf.json", "w-done_W_1.itf.json"]
    index = (tmp_path / "html" / "index.html").read_text()
    assert 'href="w-done_W_0.html">done_W_0<' in index
    assert 'href="w-done_W_0-2.html">done[W[0]]<' in index

