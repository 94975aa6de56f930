"""The LSP's requests and notifications, and the stdio loop (`protocheck lsp`).

Each handler is guarded: an exception is logged to the client as a message (the traceback kept
in a file, as the CLI keeps it) and the answer is empty; the server goes on. pygls's own log
(a frame it could not read) goes to stderr, one line per message and without tracebacks.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys

from lsprotocol import types

from checker.lsp import lookup
from checker.lsp.analysis import internal_error
from checker.lsp.documents import file_path
from checker.lsp.positions import span_range
from checker.lsp.server import Server


def _guarded(default=None):
    """Run a handler; an exception is a logged internal error and the default answer."""
    def wrap(handler):
        if asyncio.iscoroutinefunction(handler):
            @functools.wraps(handler)
            async def run_async(ls: Server, params):
                try:
                    return await handler(ls, params)
                except Exception:  # noqa: BLE001 - never a traceback to the client
                    _crashed(ls, params)
                    return default
            return run_async

        @functools.wraps(handler)
        def run(ls: Server, params):
            try:
                return handler(ls, params)
            except Exception:  # noqa: BLE001 - never a traceback to the client
                _crashed(ls, params)
                return default
        return run
    return wrap


def _crashed(ls: Server, params) -> None:
    document = getattr(params, "text_document", None)
    ls.log(internal_error(getattr(document, "uri", "a message")))


def make_server(roots: tuple[str, ...] = ()) -> Server:
    """A server with its handlers; `roots` are the --allow-root folders."""
    ls = Server(roots)

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @_guarded()
    def did_open(ls: Server, params: types.DidOpenTextDocumentParams) -> None:
        ls.languages[params.text_document.uri] = params.text_document.language_id
        ls.schedule(params.text_document.uri, 0)
        for spec in ls.dependents(params.text_document.uri):
            ls.schedule(spec)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @_guarded()
    def did_change(ls: Server, params: types.DidChangeTextDocumentParams) -> None:
        for uri in [params.text_document.uri, *ls.dependents(params.text_document.uri)]:
            ls.schedule(uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @_guarded()
    def did_save(ls: Server, params: types.DidSaveTextDocumentParams) -> None:
        for uri in [params.text_document.uri, *ls.dependents(params.text_document.uri)]:
            ls.schedule(uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @_guarded()
    def did_close(ls: Server, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        specs = ls.dependents(uri)  # they now read the file from disk
        ls.forget(uri)
        for spec in specs:
            ls.schedule(spec, 0)

    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @_guarded()
    def files_changed(ls: Server, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            if file_path(change.uri) is not None:
                for spec in ls.dependents(change.uri):
                    ls.schedule(spec)

    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    @_guarded()
    async def hover(ls: Server, params: types.HoverParams) -> types.Hover | None:
        found = await ls.index(params.text_document.uri, params.position)
        if found is None:
            return None
        doc, _docs, index, (line, column) = found
        analysis = ls.analyses.get(doc.uri)
        answer = lookup.hover(index, doc.path, line, column,
                              analysis.loaded if analysis is not None else None)
        if answer is None:
            return None
        text, span = answer
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text),
                           span_range(doc.text, span, ls.encoding))

    @ls.feature(types.TEXT_DOCUMENT_DEFINITION)
    @_guarded()
    async def definition(ls: Server, params: types.DefinitionParams
                         ) -> list[types.Location] | None:
        found = await ls.index(params.text_document.uri, params.position)
        if found is None:
            return None
        doc, docs, index, (line, column) = found
        return [ls.location(t, index, docs)
                for t in lookup.targets(index, doc.path, line, column)] or None

    @ls.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @_guarded()
    async def symbols(ls: Server, params: types.DocumentSymbolParams
                      ) -> list[types.DocumentSymbol] | None:
        found = await ls.index(params.text_document.uri)
        if found is None:
            return None
        doc, _docs, index, _ = found
        return [_symbol(ls, doc.text, d, [_symbol(ls, doc.text, c, []) for c in inner])
                for d, inner in lookup.outline(index, doc.path)]

    @ls.feature(types.SHUTDOWN)
    @_guarded()
    def shutdown(ls: Server, params) -> None:
        ls.shut_down = True

    return ls


_SYMBOL_KIND = {"actor": types.SymbolKind.Class, "message": types.SymbolKind.Struct,
                "field": types.SymbolKind.Field, "state": types.SymbolKind.EnumMember,
                "variable": types.SymbolKind.Variable, "shared": types.SymbolKind.Variable,
                "const": types.SymbolKind.Constant, "enum": types.SymbolKind.Enum,
                "member": types.SymbolKind.EnumMember, "param": types.SymbolKind.TypeParameter,
                "timer": types.SymbolKind.Event, "group": types.SymbolKind.Namespace,
                "step": types.SymbolKind.Method, "invariant": types.SymbolKind.Property,
                "liveness": types.SymbolKind.Property}


def _symbol(ls: Server, text: str, d, children: list) -> types.DocumentSymbol:
    whole = span_range(text, d.node.span, ls.encoding) if d.kind not in ("field", "member") \
        else span_range(text, d.span, ls.encoding)
    name = span_range(text, d.span, ls.encoding)
    if (whole.start.line, whole.start.character) > (name.start.line, name.start.character):
        whole = name  # the selection must lie inside the symbol's range
    return types.DocumentSymbol(d.name, _SYMBOL_KIND.get(d.kind, types.SymbolKind.Variable),
                                whole, name, detail=d.kind, children=children or None)


class _FirstLine(logging.Formatter):
    """pygls logs what it could not read with the traceback in the message: one line only."""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_info = None
        record.exc_text = None
        return "protocheck lsp: " + record.getMessage().split("\n", 1)[0]


def serve(roots: tuple[str, ...] = ()) -> int:
    """Run the server on stdin and stdout until the client says exit (or goes away);
    0 after a shutdown request, 1 without one (as the protocol asks)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_FirstLine())
    for name in ("pygls", "asyncio"):
        log = logging.getLogger(name)
        log.addHandler(handler)
        log.setLevel(logging.WARNING)
        log.propagate = False
    ls = make_server(roots)
    try:
        ls.start_io()
    finally:
        ls.worker.shutdown(wait=False, cancel_futures=True)
    return 0 if ls.shut_down else 1
