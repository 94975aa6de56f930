"""Small helpers for writing Graphviz DOT text by hand: quoting and label wrapping."""

from __future__ import annotations

import textwrap


def quote(text: str) -> str:
    """A DOT double-quoted string; newlines become centred line breaks."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrap(text: str, width: int = 30) -> str:
    """Wrap each line of `text` at `width` characters (long words are kept whole)."""
    out = []
    for line in text.split("\n"):
        out += textwrap.wrap(line, width=width, break_long_words=False,
                             subsequent_indent="  ") or [""]
    return "\n".join(out)


def attrs(**kw) -> str:
    parts = []
    for k, v in kw.items():
        if v is None:
            continue
        key = k.rstrip("_")
        if isinstance(v, bool):
            v = "true" if v else "false"
        if isinstance(v, (int, float)):
            parts.append(f"{key}={v}")
        else:
            parts.append(f"{key}={quote(str(v))}")
    return "[" + ", ".join(parts) + "]"
