"""Positions: the checker's spans (1-based lines and columns counted in code points, lines split
at "\\n" only, as the parser counts them) to LSP positions (0-based lines, columns in the
negotiated code units: UTF-16 unless the client asked for UTF-8 or UTF-32), and back.

A column past the end of its line (a span that ends at the newline) is clamped to the line's
end, and a line past the end of the text to the text's end: the client gets a range inside the
document whatever the span says.
"""

from __future__ import annotations

from lsprotocol import types

from checker.source import Span

UTF16 = types.PositionEncodingKind.Utf16


def _units(text: str, encoding: str) -> int:
    """How many code units of `encoding` the text takes."""
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    # Each code point beyond the Basic Multilingual Plane is a surrogate pair in UTF-16.
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def _lines(text: str) -> list[str]:
    return text.split("\n")  # as the parser counts lines: not at \f or U+2028


def position(text: str, line: int, column: int, encoding: str = UTF16) -> types.Position:
    """The LSP position of 1-based `line` and code-point `column` in `text`."""
    lines = _lines(text)
    if line < 1:
        return types.Position(0, 0)
    if line > len(lines):
        return types.Position(len(lines) - 1, _units(lines[-1], encoding))
    row = lines[line - 1]
    before = row[:max(column, 1) - 1]
    return types.Position(line - 1, _units(before, encoding))


def span_range(text: str, span: Span, encoding: str = UTF16) -> types.Range:
    """The LSP range of a span; a span with no position (line 0: a whole-file diagnostic such
    as a file too large) is the start of the file."""
    if span.line < 1:
        return types.Range(types.Position(0, 0), types.Position(0, 0))
    start = position(text, span.line, span.column, encoding)
    if (span.end_line, span.end_column) < (span.line, span.column) or span.end_line < 1:
        return types.Range(start, start)
    return types.Range(start, position(text, span.end_line, span.end_column, encoding))


def column_of(text: str, pos: types.Position, encoding: str = UTF16) -> tuple[int, int]:
    """The 1-based line and code-point column of an LSP position (a position inside a
    surrogate pair or a UTF-8 sequence counts as the character it is part of)."""
    lines = _lines(text)
    row = lines[pos.line] if 0 <= pos.line < len(lines) else ""
    units = 0
    for n, c in enumerate(row):
        units += _units(c, encoding)
        if units > pos.character:
            return pos.line + 1, n + 1
    return pos.line + 1, len(row) + 1
