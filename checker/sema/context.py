"""What every semantic pass shares: the source files and the diagnostics sink.

One Context is made per `check_model` call and handed to each pass; there is no module-level
state. The sink keeps diagnostics in the order they are reported; `check_model` sorts them
once at the end (a stable sort, so reports at the same position keep that order).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from checker.diagnostics import Diagnostic
from checker.source import Source, Span


class Context:
    """The sources of one check and the diagnostics reported against them."""

    def __init__(self, sources: dict[str, Source]):
        self.sources = sources
        self.diags: list[Diagnostic] = []
        self._muted = 0

    def error(self, code: str, message: str, span: Span, hint: str = "") -> None:
        self._report("error", code, message, span, hint)

    def warning(self, code: str, message: str, span: Span, hint: str = "") -> None:
        self._report("warning", code, message, span, hint)

    def _report(self, severity: str, code: str, message: str, span: Span, hint: str) -> None:
        if self._muted:
            return
        self.diags.append(Diagnostic(severity, code, message, span, self.line(span) or "",
                                     hint))

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diags if d.severity == "error"]

    @contextmanager
    def muted(self) -> Iterator[None]:
        """Drop every report made inside the block (for the trial runs of a fixpoint)."""
        self._muted += 1
        try:
            yield
        finally:
            self._muted -= 1

    def line(self, span: Span) -> str | None:
        """The source line a span starts on; None when its file is not among the sources."""
        src = self.sources.get(span.path)
        return src.line_text(span.line) if src else None

    def text(self, span: Span) -> str:
        """The source text a span covers, whitespace collapsed; '' for an unknown file."""
        src = self.sources.get(span.path)
        return src.slice(span) if src else ""
