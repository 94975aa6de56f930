"""Diagnostics: error and warning records, their codes, and their caret rendering.

Error codes are grouped by phase:
  PC1xx syntax, PC2xx names, PC3xx types and well-formedness,
  PC4xx specs and configuration, PC5xx input files.
Warnings use PW codes.
"""

from __future__ import annotations

from checker.record import record
from checker.source import Span


@record
class Diagnostic:
    severity: str  # "error" | "warning"
    code: str
    message: str
    span: Span
    line_text: str = ""
    hint: str = ""

    def render(self) -> str:
        head = f"{self.span}: {self.severity}[{self.code}]: {visible(self.message)}"
        lines = [head]
        if self.span.line > 0 and self.line_text:
            text = visible(self.line_text.expandtabs(1))
            lines.append(f"    {text}")
            start = max(self.span.column, 1)
            if self.span.end_line == self.span.line and self.span.end_column > start:
                width = self.span.end_column - start
            else:
                width = max(len(text) - start + 1, 1)
            lines.append("    " + " " * (start - 1) + "^" * max(width, 1))
        if self.hint:
            lines.append(f"    = {self.hint}")
        return "\n".join(lines)


# Control characters from the input would reach the terminal or CI log raw (a NUL, an escape
# sequence); each becomes its one-column Unicode "control picture", so carets still line up.
_PICTURES = {c: 0x2400 + c for c in range(0x20) if c != 0x0A} | {0x7F: 0x2421}


def visible(text: str) -> str:
    return text.translate(_PICTURES)


class CheckError(Exception):
    """Raised by a phase when it found errors; carries every diagnostic it collected."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(d.render() for d in diagnostics))
        self.diagnostics = diagnostics


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def did_you_mean(name: str, candidates: list[str] | set[str]) -> str:
    """A 'did you mean' hint for the closest candidate, or '' when none is close."""
    best = None
    best_d = 10**9
    for c in sorted(candidates):
        d = edit_distance(name.lower(), c.lower())
        if d < best_d:
            best, best_d = c, d
    if best is not None and best_d <= max(1, len(name) // 3) and best_d < len(name):
        return f"did you mean '{best}'?"
    return ""
