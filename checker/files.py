"""Output files for the CLI: atomic writes (complete or absent) and rendering DOT with `dot`."""

from __future__ import annotations

import os
import re
import shutil
import tempfile


def file_stem(name: str) -> str:
    """A property or spec name as part of a file name: a forall-expanded property's brackets,
    commas and spaces become '_' (`answered[Client[1]]` -> `answered_Client_1`)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "_"


def counterexample_stems(spec: str, properties: list[str]) -> dict[str, str]:
    """Each property's `<spec>-<property>` file stem, unique within the spec: two names that
    read alike as file names (`done_W_0`, and `done[W[0]]` expanded from a forall) get
    `-2`, `-3`, ... after the first, in the order given."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in properties:
        stem = base = f"{file_stem(spec)}-{file_stem(name)}"
        k = 1
        while stem in taken:
            k += 1
            stem = f"{base}-{k}"
        taken.add(stem)
        out[name] = stem
    return out


class OutputError(OSError):
    """An output file could not be written (a full disk, a folder where the file should go):
    the CLI says which and exits 2, as for any unusable argument."""


def write_atomic(path: str, data: bytes | str) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    try:
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=os.path.basename(path))
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from err
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; these are ordinary shareable outputs
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException as err:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise OutputError(f"cannot write {path}: {err.strerror or err}") from err
        raise


class DotFailed(OutputError):
    """Graphviz's `dot` was found but could not render (a broken or partial install): the
    CLI says so and what to install, and exits 2, as for any output it cannot write."""


GRAPHVIZ_HINT = "install the Debian package graphviz: apt-get install graphviz"
REINSTALL_GRAPHVIZ = "reinstall the Debian package graphviz: apt-get install --reinstall graphviz"


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render(dot_text: str, fmt: str) -> bytes:
    """Render DOT text with Graphviz's `dot` (svg or png); DotFailed if `dot` fails or is
    gone. (Whatever `dot` printed on stderr is passed through, above the CLI's line.)"""
    import graphviz  # loads only when a diagram is drawn

    try:
        return graphviz.Source(dot_text).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise DotFailed(f"Graphviz's dot was not found on PATH to render {fmt.upper()}: "
                        f"{GRAPHVIZ_HINT}") from None
    except graphviz.CalledProcessError as err:
        raise DotFailed(f"Graphviz's dot ({shutil.which('dot')}) failed to render "
                        f"{fmt.upper()}, exit status {err.returncode} (its message is above): "
                        f"{REINSTALL_GRAPHVIZ}") from None
    except OSError as err:  # it could not be started, or it exited before reading the graph
        raise DotFailed(f"Graphviz's dot ({shutil.which('dot')}) could not render "
                        f"{fmt.upper()}: {err.strerror or err}: {REINSTALL_GRAPHVIZ}") from None


def write_diagram(base: str, dot_text: str, formats: tuple[str, ...] = ("svg",)) -> list[str]:
    """Write BASE.dot and, if `dot` is installed, BASE.<fmt>; returns the paths written."""
    written = [base + ".dot"]
    write_atomic(base + ".dot", dot_text)
    if dot_available():
        for fmt in formats:
            write_atomic(f"{base}.{fmt}", render(dot_text, fmt))
            written.append(f"{base}.{fmt}")
    return written
