"""protocheck installed as a user installs it (README, "Install"): the wheel built from this
checkout, installed into a fresh venv (no system site-packages: the dependencies come from the
package index), and run from a folder outside the checkout, a user's own repository with seed
models and specs copied into it. Also the pre-commit hooks of docs/ci.md, exactly as written
there but for the two placeholders it asks the user to fill in.

Slow (the build, the venv and pip: about half a minute here, more on a machine whose pip has
nothing cached): one venv for the module.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, WITHOUT_MODULE, json_without

from checker import __version__
from checker.distribution import DISTRIBUTION

pytestmark = pytest.mark.slow

SPECS = ["forwarding_task_buggy_n2", "forwarding_task_fixed_n2", "dora_drop_token_buggy"]
MODELS = ["forwarding_task", "dora_drop_token"]
GIT = ["git", "-c", "user.name=protocheck tests", "-c", "user.email=tests@localhost",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def _env(venv: Path | None = None) -> dict[str, str]:
    """This process's environment without what would let the checkout's code in (PYTHONPATH)
    or point git elsewhere; the venv's bin/ first on PATH."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV") and not k.startswith("GIT_")}
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(cmd: list, cwd: Path, venv: Path | None = None, timeout: float = 120,
         env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env or _env(venv), check=False,
                          capture_output=True, text=True, timeout=timeout)


def _ok(p: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert p.returncode == 0, f"{p.args}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    return p


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> tuple[Path, list[str], str]:
    """The checkout as a clone has it (its files that git tracks or would track, as they are
    in the working tree), committed in a fresh repository: (folder, files, commit)."""
    listed = _ok(_run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                      ROOT, env=_env())).stdout
    files = sorted({f for f in listed.split("\0") if f and (ROOT / f).is_file()})
    folder = tmp_path_factory.mktemp("source") / "protocheck"
    for f in files:
        (folder / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, folder / f)
    _ok(_run([*GIT, "init", "-q"], folder))
    _ok(_run([*GIT, "add", "-A"], folder))
    _ok(_run([*GIT, "commit", "-q", "-m", "the checkout under test"], folder))
    commit = _ok(_run(["git", "rev-parse", "HEAD"], folder)).stdout.strip()
    return folder, files, commit


@pytest.fixture(scope="module")
def wheel(source, tmp_path_factory) -> Path:
    """The wheel, built as the README says (pip wheel, with pip's isolated build)."""
    out = tmp_path_factory.mktemp("dist")
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, source[0]], out,
             timeout=600))
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel and its dependencies from the index, plus pytest (for the
    plugin) and pre-commit (for the hooks)."""
    folder = tmp_path_factory.mktemp("venv") / "venv"
    _ok(_run([sys.executable, "-m", "venv", folder], folder.parent))
    _ok(_run([folder / "bin" / "python", "-m", "pip", "install", "-q", wheel,
              "pytest>=7.4,<10", "pre-commit>=3.2,<5"], folder.parent, timeout=900))
    return folder


@pytest.fixture
def project(tmp_path) -> Path:
    """A user's repository, outside the checkout: the seed models and some seed specs."""
    folder = tmp_path / "project"
    for name in MODELS:
        (folder / "models").mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "models" / f"{name}.model", folder / "models")
    for name in SPECS:
        (folder / "specs").mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "specs" / f"{name}.spec", folder / "specs")
    _ok(_run([*GIT, "init", "-q"], folder))
    return folder


def _without_times(doc):
    """A --json document without what depends on the clock or on where files were written."""
    return json_without(doc, ("diagrams", "plots"))


def test_the_wheel_holds_the_package_and_nothing_else(source, wheel):
    _folder, files, _commit = source
    dist_info = f"{DISTRIBUTION.replace('-', '_')}-{__version__}.dist-info/"
    assert wheel.name == f"{DISTRIBUTION.replace('-', '_')}-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        metadata = z.read(dist_info + "METADATA").decode()
        entry_points = z.read(dist_info + "entry_points.txt").decode()
    # Every file of the package in the checkout (the Lark grammar too), and nothing else:
    # no tests/, models/, docs/, bench/, nothing from outside the repository.
    assert "checker/dsl/grammar.lark" in names
    assert {n for n in names if not n.startswith(dist_info)} == \
        {f for f in files if f.startswith("checker/")}
    assert f"\nName: {DISTRIBUTION}\n" in metadata and f"\nVersion: {__version__}\n" in metadata
    points = configparser.ConfigParser()
    points.read_string(entry_points)
    assert dict(points["console_scripts"]) == {"protocheck": "checker.cli:main"}
    assert dict(points["pytest11"]) == {"protocheck": "checker.pytest_plugin"}


def test_version_and_help_of_the_installed_command(venv, project):
    site = _ok(_run([venv / "bin" / "python", "-c",
                     "import sysconfig; print(sysconfig.get_paths()['purelib'])"], project,
                    venv)).stdout.strip()
    line = f"{DISTRIBUTION} {__version__} (from {Path(site) / 'checker'})\n"
    assert _ok(_run(["protocheck", "--version"], project, venv)).stdout == line
    assert _ok(_run(["python", "-m", "checker", "--version"], project, venv)).stdout == line
    bare = _run(["protocheck"], project, venv)
    assert bare.returncode == 2 and bare.stdout == ""
    assert bare.stderr.startswith("usage: protocheck ") and "synthesize" in bare.stderr
    assert _ok(_run(["protocheck", "--help"], project, venv)).stdout == \
        bare.stderr.removesuffix("protocheck: error: no command given\n")


def test_check_outside_the_checkout_gives_the_checkouts_verdicts(venv, project, cli, tmp_path):
    p = _run(["protocheck", "check", "specs/", "--json", "--no-progress",
              "--diagrams", tmp_path / "diagrams", "--html", tmp_path / "html"], project, venv)
    assert p.returncode == 0, p.stderr
    installed = json.loads(p.stdout)
    assert [(r["spec"], r["verdict"], r["matches_expectation"])
            for r in installed["results"]] == [
        ("dora_drop_token_buggy", "violated", True),
        ("forwarding_task_buggy_n2", "violated", True),
        ("forwarding_task_fixed_n2", "holds", True)]
    # The same document, traces and all, as this checkout's code gives in the checkout.
    code, out, _ = cli("check", "--json", "--no-progress",
                       *[f"specs/{name}.spec" for name in sorted(SPECS)])
    assert code == 0
    assert _without_times(installed) == _without_times(json.loads(out))
    # Graphviz through the installed graphviz package; the HTML report's pages.
    svgs = sorted(f.name for f in (tmp_path / "diagrams").glob("*.svg"))
    assert svgs == sorted(Path(d).name for r in installed["results"]
                          for v in r["violations"] for d in v["diagrams"] if d.endswith(".svg"))
    assert len(svgs) == 2 and all(
        (tmp_path / "diagrams" / s).read_text().lstrip().startswith("<?xml") for s in svgs)
    assert (tmp_path / "html" / "index.html").is_file()


def test_synthesize_and_plot_outside_the_checkout(venv, project, cli, tmp_path):
    # The timed engine: pplpy and z3-solver as the index ships them; matplotlib for the plot.
    p = _run(["protocheck", "synthesize", "specs/dora_drop_token_buggy.spec", "--json",
              "--no-progress", "--plot", tmp_path], project, venv)
    assert p.returncode == 0, p.stderr
    installed = json.loads(p.stdout)
    assert installed["synthesis"][0]["safe"] == "grace > gil_delay"
    code, out, _ = cli("synthesize", "--json", "--no-progress",
                       "specs/dora_drop_token_buggy.spec")
    assert code == 0 and _without_times(installed) == _without_times(json.loads(out))
    assert (tmp_path / "dora_drop_token_buggy-region.svg").read_text().startswith("<?xml")
    assert (tmp_path / "dora_drop_token_buggy-region.png").read_bytes()[:8] == \
        b"\x89PNG\r\n\x1a\n"


def test_the_installed_pytest_plugin(venv, project):
    p = _run(["python", "-m", "pytest", "-p", "no:cacheprovider", "--protocheck", "specs/"],
             project, venv)
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(rf"\b{len(SPECS)} passed\b", p.stdout), p.stdout


def test_a_missing_dependency_is_named_with_the_range_the_wheel_asks_for(venv, project):
    p = _run(["python", "-c", WITHOUT_MODULE, "z3", "synthesize",
              "specs/dora_drop_token_buggy.spec"], project, venv)
    assert p.returncode == 2, p.stderr
    python = venv / "bin" / "python"
    assert f"install it with {python} -m pip install 'z3-solver<6,>=4.12'" in p.stderr \
        or f"install it with {python} -m pip install 'z3-solver>=4.12,<6'" in p.stderr, p.stderr


def _ci_md_hooks() -> list[str]:
    """The YAML snippets of docs/ci.md's pre-commit section, as printed there."""
    text = (ROOT / "docs" / "ci.md").read_text()
    section = re.search(r"^## pre-commit\n(.*?)(?=^## )", text, re.DOTALL | re.MULTILINE)
    assert section, "docs/ci.md has no pre-commit section"
    return re.findall(r"```yaml\n(.*?)```", section.group(1), re.DOTALL)


def test_the_pre_commit_hooks_of_docs_ci_md(venv, project, source, tmp_path):
    folder, _files, commit = source
    remote, local = _ci_md_hooks()
    # The two placeholders the user fills in, and nothing else to change.
    assert remote.count("PROTOCHECK_REPOSITORY") == 1 and remote.count("PINNED_COMMIT") == 1
    configs = {"remote": remote.replace("PROTOCHECK_REPOSITORY", str(folder))
               .replace("PINNED_COMMIT", commit),
               "local": local}
    assert "repo: local" in local
    env = {**_env(venv), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    for name, config in configs.items():
        (project / ".pre-commit-config.yaml").write_text(config)
        _ok(_run(["git", "add", "-A"], project, env=env))
        passed = _run(["pre-commit", "run", "--all-files"], project, env=env, timeout=900)
        assert passed.returncode == 0, f"{name}:\n{passed.stdout}\n{passed.stderr}"
        assert re.search(r"^protocheck.*Passed$", passed.stdout, re.MULTILINE), passed.stdout
        # A spec whose verdict no longer matches its expect fails the commit.
        spec = project / "specs" / "forwarding_task_fixed_n2.spec"
        good = spec.read_text()
        spec.write_text(good.replace("expect holds", "expect violated"))
        _ok(_run(["git", "add", "-A"], project, env=env))
        failed = _run(["pre-commit", "run", "--all-files"], project, env=env)
        assert failed.returncode == 1, f"{name}:\n{failed.stdout}\n{failed.stderr}"
        assert "verdict: HOLDS, but the spec expects 'violated'  <-- MISMATCH" in failed.stdout
        spec.write_text(good)
