"""Loading: read spec and model files, parse and check them, compile; collect diagnostics.

A spec comes from a pull request, so the model it names is confined: it must be a `.model`
file inside the spec's project (the git work tree that holds the spec, or the spec's own
folder outside any repository), or inside a root the user names (`--allow-root`). Symbolic
links are resolved first, so a link cannot lead outside either. No diagnostic therefore ever
prints a line of a file that is not a model in the project (`/proc/self/environ`, `.env`).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from checker import ir
from checker.compile import System, TooLarge, compile_system
from checker.deadline import NO_DEADLINE, Deadline
from checker.diagnostics import CheckError, Diagnostic
from checker.dsl import ast
from checker.dsl.parse import parse_model, parse_spec
from checker.record import record
from checker.sema.check import check_model
from checker.source import Source, Span

# Lark parses about 60 KB/s here and checking and compiling take as long again: a file of the
# limit loads in about 15 s. Models written by hand are a few KB (the seeds: 2-4 KB).
MAX_FILE_BYTES = 512 * 1024


def read_source(path: str) -> Source:
    try:
        _check_size(path, os.path.getsize(path))
        # utf-8-sig: the byte order mark Windows editors write is not part of the text.
        with open(path, encoding="utf-8-sig") as f:
            return Source(path, f.read())
    except FileNotFoundError:
        raise CheckError([Diagnostic("error", "PC501", f"no such file: {path}",
                                     Span(path, 0, 0, 0, 0))]) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as err:
        raise CheckError([Diagnostic("error", "PC501", f"cannot read {path}: {err}",
                                     Span(path, 0, 0, 0, 0))]) from None


def text_source(path: str, text: str) -> Source:
    """A file's text that did not come from disk (an editor's unsaved buffer), under the same
    size limit and without the byte order mark, as `read_source` would give it."""
    _check_size(path, len(text.encode("utf-8", "surrogatepass")))
    return Source(path, text.removeprefix("\ufeff"))


def _check_size(path: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise CheckError([Diagnostic(
            "error", "PC505", f"{path} has {size:,} bytes, more than the limit of "
            f"{MAX_FILE_BYTES:,} for a model or spec file", Span(path, 0, 0, 0, 0), "",
            "split the model, or generate a smaller one")])


# Where loading gets a file's text: `read_source` from disk; the language server first looks
# among the documents open in the editor (checker.lsp.documents).
Reader = Callable[[str], Source]


@record
class Loaded:
    spec: ast.Spec | None
    config: ir.CheckConfig | None
    model: ir.Model
    system: System
    warnings: tuple[Diagnostic, ...]
    sources: dict


def project_root(spec_path: str) -> str:
    """The git work tree that holds the spec, else the spec's own folder."""
    folder = os.path.dirname(os.path.realpath(spec_path))
    here = folder
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return folder
        here = parent


def _inside(path: str, root: str) -> bool:
    root = os.path.realpath(root)
    return os.path.commonpath([path, root]) == root


def _confine(model_path: str, spec_path: str, roots: tuple[str, ...], spec: ast.Spec,
             spec_src: Source) -> None:
    line = spec_src.line_text(spec.model_span.line)
    if not model_path.endswith(".model"):
        raise CheckError([Diagnostic(
            "error", "PC503", f"the model must be a .model file, not {spec.model_path!r}",
            spec.model_span, line, "name the model file, e.g. model \"../models/x.model\"")])
    project = project_root(spec_path)
    real = os.path.realpath(model_path)
    if not any(_inside(real, r) for r in (project, *roots)):
        raise CheckError([Diagnostic(
            "error", "PC504", f"the model {spec.model_path!r} is outside the project "
            f"{project}: protocheck reads only files inside the spec's repository",
            spec.model_span, line,
            "move the model into the project, or name its folder with --allow-root DIR")])


def spec_model_path(path: str, spec: ast.Spec, spec_src: Source,
                    roots: tuple[str, ...] = ()) -> str:
    """The model file a parsed spec names, resolved against the spec's folder and confined to
    its project and `roots`; CheckError when it names none, or one it may not read, or one
    that is not there."""
    if spec.model_path is None:
        raise CheckError([Diagnostic("error", "PC407", "the spec does not name its model; add "
                                     "'model \"path/to/file.model\"'", spec.span,
                                     spec_src.line_text(spec.span.line))])
    model_path = os.path.normpath(os.path.join(os.path.dirname(path), spec.model_path))
    _confine(model_path, path, roots, spec, spec_src)
    if not os.path.isfile(model_path):
        raise CheckError([Diagnostic("error", "PC408", f"model file not found: {model_path}",
                                     spec.model_span, spec_src.line_text(spec.model_span.line))])
    return model_path


def load_spec(path: str, roots: tuple[str, ...] = (), deadline: Deadline = NO_DEADLINE,
              read: Reader = read_source) -> Loaded:
    """Load a spec and its model; `roots`: folders outside the spec's project that its model
    may also come from. Raises CheckError (bad input) or OutOfTime (the deadline passed)."""
    spec_src = read(path)
    spec = parse_spec(spec_src, deadline)
    model_path = spec_model_path(path, spec, spec_src, roots)
    model_src = read(model_path)
    model = parse_model(model_src, deadline)
    sources = {path: spec_src, model_path: model_src}
    checked = check_model(model, sources, spec)
    deadline.check("checking the model")
    system = _compiled(checked.model, checked.config.invariants, sources, deadline,
                       checked.config.liveness, checked.config.faults)
    warnings = checked.warnings + _idle_clauses(system, checked.warnings, sources)
    return Loaded(spec, checked.config, checked.model, system, warnings, sources)


def _idle_clauses(system: System, warnings: tuple[Diagnostic, ...], sources: dict
                  ) -> tuple[Diagnostic, ...]:
    """PW005 for a message clause that selects channels but none of their slots (the instance
    it names never sends, or is never sent to): it compiled to no transition at all. (One that
    selects no channel was warned about when the spec was checked.)"""
    out = []
    warned = {(d.code, d.span) for d in warnings}
    for n, clause in enumerate(system.faults.clauses):
        if isinstance(clause, ir.MessageFault) and ("PW005", clause.span) not in warned \
                and not any(t.clause == n for t in system.transitions):
            src = sources.get(clause.span.path)
            out.append(Diagnostic(
                "warning", "PW005", f"'{clause.text}' selects no channel slot: the instances "
                "it names never exchange such messages", clause.span,
                src.line_text(clause.span.line) if src is not None else "",
                "check the instance indexes in its from/to"))
    return tuple(out)


def load_model(path: str, deadline: Deadline = NO_DEADLINE, read: Reader = read_source
               ) -> Loaded:
    src = read(path)
    model = parse_model(src, deadline)
    sources = {path: src}
    checked = check_model(model, sources)
    deadline.check("checking the model")
    system = _compiled(checked.model, (), sources, deadline)
    return Loaded(None, None, checked.model, system, checked.warnings, sources)


def _compiled(model: ir.Model, invariants: tuple[ir.Invariant, ...], sources: dict,
              deadline: Deadline, liveness: tuple[ir.Liveness, ...] = (),
              faults: ir.Faults = ir.NO_FAULTS) -> System:
    try:
        return compile_system(model, invariants, deadline, liveness, faults)
    except TooLarge as err:
        src = sources.get(err.span.path)
        line = src.line_text(err.span.line) if src is not None else ""
        raise CheckError([Diagnostic("error", "PC337", err.message, err.span, line,
                                     err.hint)]) from None
