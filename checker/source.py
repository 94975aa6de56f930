"""Source files and spans: where a piece of text came from, for every later diagnostic."""

from __future__ import annotations

from checker.record import record


@record
class Source:
    """One input file: its display path and full text."""

    path: str
    text: str

    def line_text(self, line: int) -> str:
        lines = self.text.split("\n")  # as the parser counts lines: not at \f or U+2028
        if 1 <= line <= len(lines):
            return lines[line - 1]
        return ""

    def slice(self, span: Span) -> str:
        """The text a span covers, whitespace collapsed to single spaces."""
        lines = self.text.split("\n")  # as the parser counts lines: not at \f or U+2028
        if not (1 <= span.line <= span.end_line <= len(lines)):
            return ""
        if span.line == span.end_line:
            text = lines[span.line - 1][span.column - 1:span.end_column - 1]
        else:
            parts = [lines[span.line - 1][span.column - 1:]]
            parts += lines[span.line:span.end_line - 1]
            parts.append(lines[span.end_line - 1][:span.end_column - 1])
            text = "\n".join(parts)
        return " ".join(text.split())


@record
class Span:
    """A 1-based line/column range in a source file (end is exclusive)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


NO_SPAN = Span("<builtin>", 0, 0, 0, 0)
