"""One document's check: the CLI's loader (`load_spec` for a spec, as `protocheck check` runs
it; `load_model` for a model, as `protocheck parse` does) on the editor's texts, and its
diagnostics as LSP diagnostics grouped by the URI of the file each is in.

Nothing here re-implements a check: whatever the loader reports is what the CLI prints, with
the same code, position and message (the hint on a second line). Loading is bounded by a
deadline (the CLI's PC601 when it runs out); a crash is our bug, reported to the server as a
message with the traceback kept in a file, never as a diagnostic or a traceback to the client.
"""

from __future__ import annotations

import os
import tempfile
import traceback

from lsprotocol import types

from checker import __version__
from checker.deadline import Deadline, OutOfTime
from checker.diagnostics import CheckError, Diagnostic, visible
from checker.dsl.parse import parse_spec
from checker.load import Loaded, load_model, load_spec
from checker.lsp.documents import Document, reader, real, uri_of
from checker.lsp.positions import UTF16, span_range
from checker.record import record
from checker.source import Source, Span

# A file of the size limit loads in about 15 s (docs/language.md, "Limits"); the seeds in
# milliseconds. Past this the editor gets PC601 rather than a checker busy for minutes.
LOAD_SECONDS = 20.0

_SEVERITY = {"error": types.DiagnosticSeverity.Error,
             "warning": types.DiagnosticSeverity.Warning}


@record
class Analysis:
    uri: str
    version: int | None
    diagnostics: dict  # URI -> tuple[types.Diagnostic, ...], the document's own URI included
    depends: frozenset[str]  # the real paths of the other files it read (a spec's model)
    versions: dict  # real path -> the version of each open document it read
    loaded: Loaded | None  # the checked model and spec when there were no errors
    crash: str = ""  # an internal error: what to log


def kind_of(doc: Document, language: str | None) -> str:
    """'spec' or 'model': the editor's language, else the file's extension (a spec is what
    `protocheck check` takes, a model what `protocheck parse` checks on its own)."""
    if language in ("protocheck-spec", "protocheck-model"):
        return language.removeprefix("protocheck-")
    return "spec" if doc.path.endswith(".spec") else "model"


def analyse(doc: Document, kind: str, open_docs: dict[str, Document],
            roots: tuple[str, ...] = (), encoding: str = UTF16,
            seconds: float = LOAD_SECONDS) -> Analysis:
    """Check one open document with the other open documents' texts; never raises."""
    sources: dict[str, Source] = {}
    base = reader(open_docs)

    def read(path: str) -> Source:
        src = base(path)
        sources[path] = src
        return src

    loaded = None
    try:
        diags = _load(doc, kind, read, roots, seconds)
        if isinstance(diags, Loaded):
            loaded, diags = diags, list(diags.warnings)
        by_uri = _by_uri(doc, diags, sources, open_docs, encoding)
    except Exception:  # noqa: BLE001 - a bug of ours must not stop the server
        return Analysis(doc.uri, doc.version, {doc.uri: ()}, frozenset(), {}, None,
                        internal_error(doc.path))
    depends = frozenset(real(p) for p in sources if p != doc.path)
    versions = {real(p): open_docs[real(p)].version for p in sources if real(p) in open_docs}
    return Analysis(doc.uri, doc.version, by_uri, depends, versions, loaded)


def _load(doc: Document, kind: str, read, roots: tuple[str, ...], seconds: float
          ) -> Loaded | list[Diagnostic]:
    """The loader's result, or the diagnostics that stopped it."""
    deadline = Deadline.start(seconds)
    try:
        if kind == "model":
            return load_model(doc.path, deadline, read)
        if not os.path.isabs(doc.path):
            return _unsaved_spec(doc, read, deadline)
        return load_spec(doc.path, roots, deadline, read)
    except CheckError as err:
        return list(err.diagnostics)
    except OutOfTime as err:
        return [Diagnostic("error", "PC601", str(err), Span(doc.path, 1, 1, 1, 1), "",
                           f"the language server gives a file {seconds:g} s; run protocheck "
                           "on it to load it without a limit")]


def _unsaved_spec(doc: Document, read, deadline: Deadline) -> list[Diagnostic]:
    """A spec with no file (untitled) names its model relative to a folder it does not have:
    its syntax is checked, its model is not looked for."""
    parse_spec(read(doc.path), deadline)
    return [Diagnostic("info", "", "this spec is not saved: its model is found relative to its "
                       "file, so it is checked against its model once it is saved",
                       Span(doc.path, 1, 1, 1, 1))]


def _by_uri(doc: Document, diags: list[Diagnostic], sources: dict[str, Source],
            open_docs: dict[str, Document], encoding: str) -> dict:
    out: dict[str, list[types.Diagnostic]] = {doc.uri: []}
    for d in diags:
        uri = doc.uri if d.span.path == doc.path else uri_of(d.span.path, open_docs)
        src = sources.get(d.span.path)
        text = src.text if src is not None else "\n" * max(d.span.line - 1, 0) + d.line_text
        out.setdefault(uri, []).append(lsp_diagnostic(d, text, encoding))
    return {uri: tuple(ds) for uri, ds in out.items()}


def lsp_diagnostic(d: Diagnostic, text: str, encoding: str = UTF16) -> types.Diagnostic:
    """A checker diagnostic at its range in `text` (the file as the loader read it), with the
    CLI's message, made visible as the CLI makes it, and its hint on a second line."""
    message = visible(d.message) + (f"\n{visible(d.hint)}" if d.hint else "")
    return types.Diagnostic(range=span_range(text, d.span, encoding), message=message,
                            severity=_SEVERITY.get(d.severity,
                                                   types.DiagnosticSeverity.Information),
                            code=d.code or None, source="protocheck")


def internal_error(path: str) -> str:
    """Keep the traceback of the exception being handled in a file; what to log instead."""
    report = f"protocheck {__version__} lsp crashed on {path}\n\n" + traceback.format_exc()
    where = os.path.join(tempfile.gettempdir(), f"protocheck-lsp-crash-{os.getpid()}.txt")
    try:
        from checker.files import write_atomic

        write_atomic(where, report)
        kept = f"the traceback is in {where}"
    except OSError:
        kept = "the traceback could not be saved"
    return (f"protocheck: internal error while checking {visible(path)}: this is a bug in "
            f"protocheck, not a problem in the file; {kept}")

