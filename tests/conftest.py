"""Shared helpers: run the CLI in-process, and check a model with constants set by a spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# The engines and the libraries they load lazily, loaded once for the whole session: a test
# that uses the pytester fixture gets sys.modules put back as it was when the test began, so
# a module first imported during such a test (by an in-process `check` beside the pytester
# run) would be dropped, and later tests would get a second z3, whose objects do not mix with
# the first's, or a numpy, which cannot load twice in one process.
import checker.engines.level  # numpy
import checker.symbolic.timed  # noqa: F401  (z3, pplpy)
from checker import run
from checker.cli import main
from checker.load import load_spec

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "models"


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `protocheck ARGS` in-process from the repository root: (exit code, stdout, stderr)."""
    monkeypatch.chdir(ROOT)

    def run(*args: str):
        # Specs written to tmp_path name the repository's models: allow them.
        argv = list(args)
        if argv and argv[0] in ("check", "synthesize", "parse", "diagram", "simulate"):
            argv[1:1] = ["--allow-root", str(ROOT)]
        code = main(argv)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def main_in_root(*args: str) -> int:
    """`protocheck ARGS` in-process from the repository root, outside any fixture (for a
    module-scoped fixture, which cannot use monkeypatch); the working folder is restored."""
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return main(list(args))
    finally:
        os.chdir(cwd)


@pytest.fixture
def cli_json(cli):
    def run(*args: str):
        code, out, _err = cli("check", "--json", *args)
        return code, json.loads(out)

    return run


def write_spec(tmp_path: Path, model: Path, body: str, consts: dict | None = None) -> Path:
    lines = ["spec test", f'model "{model}"']
    lines += [f"const {k} = {str(v).lower() if isinstance(v, bool) else v}"
              for k, v in (consts or {}).items()]
    lines.append(body)
    path = tmp_path / "test.spec"
    path.write_text("\n".join(lines) + "\n")
    return path


def check(tmp_path: Path, model: Path, body: str = "expect holds", consts: dict | None = None,
          **options):
    """Check a model through a generated spec with `checker.run.check`, the door every front
    end uses; `options` are `CheckOptions` fields. Returns (loaded, report)."""
    loaded = load_spec(str(write_spec(tmp_path, model, body, consts)), (str(ROOT),))
    return loaded, run.check(loaded, run.CheckOptions(**options))


def json_without(doc, keys: tuple[str, ...] = ()):
    """A --json document without what depends on the clock (every key naming seconds) and
    without `keys`, at any depth: for comparing two runs."""
    if isinstance(doc, dict):
        return {k: json_without(v, keys) for k, v in doc.items()
                if "second" not in k and k not in keys}
    if isinstance(doc, list):
        return [json_without(v, keys) for v in doc]
    return doc


# `python -c WITHOUT_MODULE MODULE ARGS...`: `protocheck ARGS` in a Python where importing MODULE
# (or a submodule) fails as it does when the package is not installed.
WITHOUT_MODULE = """
import importlib.abc, sys
BLOCKED = sys.argv.pop(1)
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == BLOCKED or name.startswith(BLOCKED + "."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Missing())
from checker.cli import main
sys.exit(main(sys.argv[1:]))
"""
