"""Small helpers for writing Graphviz DOT text by hand: quoting, label wrapping, HTML-like
labels."""

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


class Html(str):
    """An HTML-like label (`label=<...>`), written as is: build it with `escape`."""


def escape(text: str) -> str:
    """Text for an HTML-like label."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def attrs(**kw) -> str:
    parts = []
    for k, v in kw.items():
        if v is None:
            continue
        key = k.rstrip("_")
        if isinstance(v, Html):
            parts.append(f"{key}=<{v}>")
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        if isinstance(v, (int, float)):
            parts.append(f"{key}={v}")
        else:
            parts.append(f"{key}={quote(str(v))}")
    return "[" + ", ".join(parts) + "]"
