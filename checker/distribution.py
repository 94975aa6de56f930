"""protocheck as an installed package: the distribution's name and version for `--version`, and
one line naming what to install when a Python package protocheck needs is missing.

The distribution is `protocheck-mc`, not `protocheck`: that name on PyPI is an unrelated
project, and protocheck is installed from its checkout or a wheel built from it (README,
"Install"). The command, the pytest plugin and the import package keep their names
(`protocheck`, `pytest --protocheck`, `checker`). Nothing here imports more than the standard
library, so that `--version` stays instant and a broken environment can still be described.
"""

from __future__ import annotations

import os
import re
import sys

from checker import __version__

DISTRIBUTION = "protocheck-mc"

# The Python packages protocheck imports, by import name -> the distribution that provides
# it (pyproject.toml's dependencies, and Ray of the `cluster` extra).
REQUIRED = {"lark": "lark", "z3": "z3-solver", "networkx": "networkx", "graphviz": "graphviz",
            "ppl": "pplpy", "numpy": "numpy", "matplotlib": "matplotlib", "ray": "ray"}


def version_line() -> str:
    """`protocheck --version`: the name and version in the installed package's metadata, and
    the folder the running code is in (which install this is). Run from a checkout that is not
    installed (`PYTHONPATH`, or `python3 -m checker` inside it) there is no metadata to read:
    the version is the code's own, and the line says so."""
    from importlib import metadata

    where = os.path.dirname(os.path.abspath(__file__))
    try:
        meta = metadata.metadata(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return f"{DISTRIBUTION} {__version__} (not installed; running from {where})"
    name, version = meta["Name"], meta["Version"]
    if version != __version__:  # an editable install whose version moved since it was made
        return (f"{name} {__version__} (running from {where}; the installed metadata says "
                f"{version}: reinstall to update it)")
    return f"{name} {version} (from {where})"


def missing_dependency(err: ModuleNotFoundError) -> str | None:
    """The line to print when an import failed because a package protocheck needs is not
    installed in this Python; None when the missing module is not one of them (protocheck's
    own: a bug, for the crash handler)."""
    top = (err.name or "").partition(".")[0]
    if top not in REQUIRED:
        return None
    dist = REQUIRED[top]
    state = "not installed" if err.name == top else "incomplete"
    return (f"protocheck: the Python package {dist} is {state} in this environment "
            f"({sys.executable}): {err}; install it with {sys.executable} -m pip install "
            f"'{_requirement(dist)}', or reinstall protocheck with its dependencies (README, "
            "Install)")


def _requirement(dist: str) -> str:
    """`dist` with the version range protocheck's installed metadata asks for (else bare)."""
    from importlib import metadata

    try:
        wanted = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        wanted = []
    for line in wanted:
        requirement = line.partition(";")[0].strip()
        match = re.match(r"[A-Za-z0-9._-]+", requirement)
        if match and _normal(match.group(0)) == _normal(dist):
            return requirement
    return dist


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
