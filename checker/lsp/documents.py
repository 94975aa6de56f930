"""The editor's open documents as the loader sees them: a snapshot of their texts, keyed by the
real path of each file, and the reader that prefers them to the disk.

A snapshot is taken on the server's event loop and handed to the checking thread, so the check
reads one consistent set of texts while the editor goes on sending changes. The reader is the
only way the server reads a file, and it is handed only paths the loader has already confined
(`checker.load.spec_model_path`): an open document outside the project is never read through
a spec, exactly as the CLI would not read the file.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

from pygls.uris import from_fs_path, to_fs_path

from checker.load import Reader, read_source, text_source
from checker.record import record
from checker.source import Source


@record
class Document:
    uri: str
    path: str  # the display path the loader and the diagnostics use
    text: str
    version: int | None


def file_path(uri: str) -> str | None:
    """The absolute file system path of a local `file:` URI; None for any other (`untitled:`,
    a remote host's file, a git revision): those have no folder to resolve a model against."""
    parsed = urlparse(uri)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        return None
    path = to_fs_path(uri)
    return os.path.abspath(path) if path else None


def display_path(uri: str) -> str:
    """The path a document's diagnostics are computed under: its file, else its URI."""
    return file_path(uri) or uri


def real(path: str) -> str:
    """The key of a file among the open documents: symbolic links resolved, as the loader's
    confinement resolves them, so a model opened through a link is the model a spec names."""
    return os.path.realpath(path) if os.path.isabs(path) else path


def uri_of(path: str, open_docs: dict[str, Document]) -> str:
    """The URI to publish a path's diagnostics under: the open document's own URI if the file
    is open (whatever link it was opened through), else the file's URI."""
    doc = open_docs.get(real(path))
    if doc is not None:
        return doc.uri
    return from_fs_path(path) if os.path.isabs(path) else path


def reader(open_docs: dict[str, Document]) -> Reader:
    """Read a file as the editor has it: an open document's unsaved text (under the limits
    `read_source` applies), else the file on disk."""
    def read(path: str) -> Source:
        doc = open_docs.get(real(path))
        if doc is not None:
            return text_source(path, doc.text)
        return read_source(path)

    return read
