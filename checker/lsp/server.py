"""The server's state: the open documents' checks, when each document is checked, and what is
published where (the handlers that drive it are in `checker.lsp.protocol`).

Checking runs on one worker thread, one document at a time, a short while after the last
change (typing a word is one check, not one per key); a check whose document changed in the
meantime is dropped. A spec's diagnostics in its model are published under the model's URI,
merged with the model's own (each told once). When an open model changes, the open specs that
read it are checked again.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from checker import __version__
from checker.lsp import lookup
from checker.lsp.analysis import Analysis, analyse, internal_error, kind_of
from checker.lsp.documents import Document, display_path, real, uri_of
from checker.lsp.positions import column_of, span_range

DEBOUNCE_SECONDS = 0.2  # after the last change, before checking (a typed word is one check)


class _Protocol(LanguageServerProtocol):
    """pygls's protocol, except that a request whose params do not fit its method (a negative
    line, a missing document) is answered with the error, Invalid Params, where pygls would
    log it and not answer at all, leaving the editor waiting."""

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as err:
            ident = data.get("id")
            if "method" in data and isinstance(ident, (int, str)) \
                    and not isinstance(ident, bool):
                self._send_response(ident, error=types.ResponseError(err.code, err.message))
            raise


class Server(LanguageServer):
    """The server and what it knows of the open documents: their last checks, the checks
    pending, and the diagnostics each check contributes to each URI."""

    def __init__(self, roots: tuple[str, ...]):
        super().__init__("protocheck", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Full,
                         protocol_cls=_Protocol)
        self.roots = roots
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="protocheck")
        self.languages: dict[str, str] = {}  # URI -> the languageId it was opened with
        self.analyses: dict[str, Analysis] = {}
        self.pending: dict[str, asyncio.Future] = {}
        self.contributions: dict[str, dict] = {}  # checked URI -> {URI: its diagnostics}
        self.published: dict[str, tuple] = {}
        self.shut_down = False

    # ---- the open documents
    def snapshot(self) -> dict[str, Document]:
        docs = {}
        for uri, d in self.workspace.text_documents.items():
            path = display_path(uri)
            docs[real(path)] = Document(uri, path, d.source, d.version)
        return docs

    def document(self, uri: str, docs: dict[str, Document]) -> Document | None:
        return docs.get(real(display_path(uri)))

    def kind(self, doc: Document) -> str:
        return kind_of(doc, self.languages.get(doc.uri))

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    def log(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        self.window_log_message(types.LogMessageParams(kind, message))

    def report_server_error(self, error: Exception, source) -> None:
        # pygls's own errors (a message it could not read): a line in the log, not a pop-up.
        self.log(f"protocheck: the server could not handle a message: {type(error).__name__}",
                 types.MessageType.Warning)

    # ---- checking
    def schedule(self, uri: str, delay: float = DEBOUNCE_SECONDS) -> None:
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        self.pending[uri] = asyncio.ensure_future(self._check_later(uri, delay))

    def dependents(self, uri: str) -> list[str]:
        """The open specs whose last check read this file."""
        key = real(display_path(uri))
        return [u for u, a in self.analyses.items() if key in a.depends and u != uri]

    async def _check_later(self, uri: str, delay: float) -> None:
        try:
            await self._check(uri, delay)
        except Exception:  # noqa: BLE001 - a task's error would reach stderr with its traceback
            self.log(internal_error(uri))

    async def _check(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        docs = self.snapshot()
        doc = self.document(uri, docs)
        if doc is None:
            return
        loop = asyncio.get_running_loop()
        analysis = await loop.run_in_executor(
            self.worker, functools.partial(analyse, doc, self.kind(doc), docs, self.roots,
                                           self.encoding))
        now = self.document(uri, self.snapshot())
        if now is None or now.version != doc.version or now.text != doc.text:
            return  # changed meanwhile: its next check is scheduled
        self.analyses[uri] = analysis
        if analysis.crash:
            self.log(analysis.crash)
        self.contribute(uri, analysis.diagnostics)

    def contribute(self, owner: str, by_uri: dict) -> None:
        before = self.contributions.get(owner, {})
        if by_uri:
            self.contributions[owner] = by_uri
        else:
            self.contributions.pop(owner, None)
        for uri in sorted(set(before) | set(by_uri)):
            self.publish(uri)

    def publish(self, uri: str) -> None:
        """All diagnostics for one URI: its own check's first, then those of the specs that
        read it, each (range, code, message) once."""
        owners = [uri] + sorted(o for o in self.contributions if o != uri
                                and not self.stale(o, uri))
        merged, seen = [], set()
        for owner in owners:
            for d in self.contributions.get(owner, {}).get(uri, ()):
                r = d.range
                key = (r.start.line, r.start.character, r.end.line, r.end.character, d.code,
                       d.message, d.severity)
                if key not in seen:
                    seen.add(key)
                    merged.append(d)
        if self.published.get(uri) != tuple(merged):
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=merged))
        if any(uri in c for c in self.contributions.values()):
            self.published[uri] = tuple(merged)
        else:  # nothing is known of it any more: a later check publishes even an empty list
            self.published.pop(uri, None)

    def stale(self, owner: str, uri: str) -> bool:
        """Whether a spec's check read an older text of an open document than the editor's
        now: its diagnostics there wait for its next check (due, since the document changed)
        rather than show next to those of the new text."""
        analysis = self.analyses.get(owner)
        doc = self.workspace.text_documents.get(uri)
        if analysis is None or doc is None:
            return False
        key = real(display_path(uri))
        return key in analysis.versions and analysis.versions[key] != doc.version

    def forget(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.languages.pop(uri, None)
        self.analyses.pop(uri, None)
        self.contribute(uri, {})

    # ---- lookups (on the worker thread, after any check already queued)
    async def index(self, uri: str, position: types.Position | None = None):
        """The open document, the snapshot, its index and (with a position) the 1-based line
        and column there; None when the document is not open."""
        docs = self.snapshot()
        doc = self.document(uri, docs)
        if doc is None:
            return None
        loop = asyncio.get_running_loop()
        index = await loop.run_in_executor(
            self.worker, functools.partial(lookup.index_for, doc, self.kind(doc), docs,
                                           self.roots))
        at = column_of(doc.text, position, self.encoding) if position is not None else (0, 0)
        return doc, docs, index, at

    def location(self, target: lookup.Target, index, docs) -> types.Location:
        src = index.sources.get(target.path)
        text = src.text if src is not None else ""
        return types.Location(uri_of(target.path, docs),
                              span_range(text, target.span, self.encoding))
