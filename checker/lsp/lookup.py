"""What is under the cursor: the syntax trees of a document (and of a spec's model, found and
confined as the loader finds it), their symbol index, and the answers hover, go to definition
and the outline give from it.

A file that does not parse has no tree: its index is empty, or, for a spec whose model parses,
holds the model's declarations alone. Trees are kept for the last few texts, so hovering over
an unchanged file does not parse it again.
"""

from __future__ import annotations

import functools

from checker.diagnostics import CheckError
from checker.dsl import ast
from checker.dsl.parse import parse_model, parse_spec
from checker.load import Loaded, spec_model_path
from checker.lsp.describe import hover_markdown
from checker.lsp.documents import Document, reader
from checker.lsp.symbols import Decl, Index, Ref
from checker.lsp.walk import index_of
from checker.record import record
from checker.source import Source, Span


@functools.lru_cache(maxsize=16)
def _tree(kind: str, src: Source) -> ast.Model | ast.Spec | None:
    try:
        return (parse_spec if kind == "spec" else parse_model)(src)
    except CheckError:
        return None


def index_for(doc: Document, kind: str, open_docs: dict[str, Document],
              roots: tuple[str, ...] = ()) -> Index:
    """The index of an open document as the editor has it (and of a spec's model)."""
    read = reader(open_docs)
    try:
        src = read(doc.path)
    except CheckError:  # over the size limit: the diagnostics say so
        return index_of(None)
    tree = _tree(kind, src)
    if kind == "model":
        return index_of((tree, src) if tree is not None else None)
    if tree is None or doc.path == doc.uri:  # no tree, or an unsaved spec: no model to find
        return index_of(None, (tree, src) if tree is not None else None)
    try:
        model_src = read(spec_model_path(doc.path, tree, src, roots))
    except CheckError:
        return index_of(None, (tree, src))
    model = _tree("model", model_src)
    return index_of((model, model_src) if model is not None else None, (tree, src))


def fresh(loaded: Loaded | None, index: Index) -> Loaded | None:
    """The checked IR if it was built from exactly the texts the index was: else None, and
    hover says only what the source says."""
    if loaded is None or not index.sources:
        return None
    same = all(p in loaded.sources and loaded.sources[p].text == s.text
               for p, s in index.sources.items())
    return loaded if same else None


@record
class Target:
    """Where a definition is: a file and a span in it (line 0: the start of the file)."""

    path: str
    span: Span


def targets(index: Index, path: str, line: int, column: int) -> list[Target]:
    """Go to definition: the declarations the name under the cursor refers to (itself, on a
    declaration), or the model file, on a spec's `model "..."`."""
    hit = index.at(path, line, column)
    if isinstance(hit, Decl):
        return [Target(hit.span.path, hit.span)]
    if isinstance(hit, Ref) and hit.role == "model":
        model = next((p for p in index.sources if p != path), None)
        return [Target(model, Span(model, 0, 0, 0, 0))] if model else []
    if isinstance(hit, Ref):
        return [Target(d.span.path, d.span) for d in index.resolve(hit)]
    return []


def hover(index: Index, path: str, line: int, column: int, loaded: Loaded | None
          ) -> tuple[str, Span] | None:
    """The hover text for the name under the cursor, and the span it is about."""
    hit = index.at(path, line, column)
    if hit is None:
        return None
    decls = (hit,) if isinstance(hit, Decl) else index.resolve(hit)
    if not decls:
        return None
    loaded = fresh(loaded, index)
    model = loaded.model if loaded is not None else None
    config = loaded.config if loaded is not None else None
    text = "\n\n---\n\n".join(hover_markdown(d, index.sources, model, config) for d in decls)
    return text, hit.span


# The outline: which declarations nest inside which.
_NESTED = {"actor": ("variable", "state", "timer", "step"), "message": ("field",),
           "enum": ("member",)}


def outline(index: Index, path: str) -> list[tuple[Decl, list[Decl]]]:
    """The declarations of one file, each top-level one with those nested in it."""
    mine = [d for d in index.decls if d.span.path == path and d.kind != "bound"]
    out = []
    for d in mine:
        if d.owner:
            continue
        inner = _NESTED.get(d.kind, ())
        out.append((d, [c for c in mine if c.owner == d.name and c.kind in inner]))
    return out
