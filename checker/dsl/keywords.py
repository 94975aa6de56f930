"""The DSL's reserved words, read from the Lark grammar (`grammar.lark`), the one source of truth:
a keyword is a terminal spelled as a word ("actor"), or a terminal that is a choice of words
(FAIR_LEVEL: "weak" | "strong"). Which words a file kind reserves is what the grammar can reach
from its start rule (`model_file` or `spec_file`); expressions are shared by both.

Editors' grammars (editors/vscode/syntaxes/) must list exactly these words, and a test says so.
Keywords are reserved only where the grammar expects them (docs/language.md, "Lexical rules").
"""

from __future__ import annotations

import functools
import re

from checker.dsl.parse import _parser

START_RULES = ("model_file", "spec_file")

# A terminal that is a choice of words: Lark writes FAIR_LEVEL as the regex (?:strong|weak).
_CHOICE = re.compile(r"\(\?:([A-Za-z_]+(?:\|[A-Za-z_]+)*)\)")


def _words(pattern) -> frozenset[str]:
    if pattern.type == "str":
        return frozenset({pattern.value}) if pattern.value.isidentifier() else frozenset()
    m = _CHOICE.fullmatch(pattern.value)
    return frozenset(m[1].split("|")) if m else frozenset()


@functools.lru_cache(maxsize=len(START_RULES))
def reserved_words(start: str) -> frozenset[str]:
    """Every word the grammar reserves somewhere in a file of this start rule."""
    if start not in START_RULES:
        raise ValueError(f"no start rule {start!r}; expected one of {START_RULES}")
    parser = _parser()
    rules: dict[str, list] = {}
    for rule in parser.rules:
        rules.setdefault(rule.origin.name, []).append(rule.expansion)
    patterns = {t.name: t.pattern for t in parser.terminals}
    seen, todo, terminals = {start}, [start], set()
    while todo:
        for expansion in rules.get(todo.pop(), ()):
            for symbol in expansion:
                if symbol.is_term:
                    terminals.add(symbol.name)
                elif symbol.name not in seen:
                    seen.add(symbol.name)
                    todo.append(symbol.name)
    return frozenset().union(*(_words(patterns[t]) for t in terminals if t in patterns))
