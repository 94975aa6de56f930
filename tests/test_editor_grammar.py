"""The VS Code extension's TextMate grammars (editors/vscode/syntaxes/) against the DSL itself.

Two checks: the words the grammars highlight are exactly the reserved words the Lark grammar
has (checker.dsl.keywords) plus the built-in functions sema knows, so adding a keyword to the
DSL fails here until the editor knows it; and the grammars, run by VS Code's own tokenizer
(vscode-textmate on Oniguruma, from the extension's node_modules, installed by .ci/setup),
give every token of the seed models and specs the class the parser gives it: a keyword where
the parser read a keyword, a name where it read a name (`grace` is both, in specs), numbers,
strings, operators, punctuation, and comments everywhere else.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from checker.dsl.keywords import START_RULES, reserved_words
from checker.dsl.parse import _parser
from checker.sema.types import BUILTIN_FUNCTIONS

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "editors" / "vscode"
GRAMMARS = {"model_file": EXTENSION / "syntaxes" / "protocheck-model.tmLanguage.json",
            "spec_file": EXTENSION / "syntaxes" / "protocheck-spec.tmLanguage.json"}
# The seeds, the tutorial and the test corpora: every model and spec that parses.
FILES = sorted(p for folder in ("models", "specs", "docs/tutorial", "tests/models",
                                "tests/liveness", "tests/faults", "tests/fault_order",
                                "tests/timed")
               for p in (ROOT / folder).glob("*") if p.suffix in (".model", ".spec"))

# The scopes of each class of token (the innermost scope must start with one of them).
KEYWORD = ("keyword.control", "keyword.operator.word", "storage.type", "storage.modifier",
           "constant.language", "support.type")
NAME = ("variable.other", "entity.name", "support.function.builtin")
OPERATOR = ("keyword.operator.protocheck",)
PUNCTUATION = ("punctuation.",)


def _regexes(node) -> list[str]:
    if isinstance(node, dict):
        out = [v for k, v in node.items() if k in ("match", "begin", "end")]
        for v in node.values():
            out += _regexes(v)
        return out
    if isinstance(node, list):
        return [r for v in node for r in _regexes(v)]
    return []


def _words(regex: str) -> set[str]:
    """The literal words of a regex: what is left once escapes (\\b, \\s) and character
    classes ([A-Za-z_]) are taken out."""
    regex = re.sub(r"\\.", " ", regex)
    regex = re.sub(r"\[[^\]]*\]", " ", regex)
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", regex))


@pytest.mark.parametrize("start", START_RULES)
def test_the_grammar_words_are_the_dsls_reserved_words(start):
    grammar = json.loads(GRAMMARS[start].read_text())
    words = set().union(*(_words(r) for r in _regexes(grammar)))
    reserved = reserved_words(start)
    assert len(reserved) > 40
    assert words - set(BUILTIN_FUNCTIONS) == reserved, (
        f"only in the TextMate grammar: {sorted(words - reserved - set(BUILTIN_FUNCTIONS))}; "
        f"only in the DSL: {sorted(reserved - words)}")


def test_reserved_words_follow_the_lark_grammar():
    """Spot checks that the derivation reads the grammar: a plain keyword, a choice terminal,
    and words that only one kind of file reserves."""
    model, spec = reserved_words("model_file"), reserved_words("spec_file")
    assert {"actor", "durable", "weak", "strong", "goto"} <= model
    assert {"holds", "violated", "lose", "grace", "leads_to"} <= spec
    assert "goto" not in spec and "holds" not in model
    assert {"forall", "implies", "at"} <= model & spec


def _tokens() -> dict:
    out = subprocess.run(["node", str(EXTENSION / "test" / "tokenize.js"),
                          *map(str, FILES)], check=False, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _utf16(line: str, column: int) -> int:
    """A 0-based code-point column as a UTF-16 offset (JavaScript's string index)."""
    return len(line[:column].encode("utf-16-le")) // 2


def _expected(token) -> tuple[str, ...]:
    """The scopes a parser token must get."""
    kind, text = token.type, str(token)
    pattern = next(t.pattern for t in _parser().terminals if t.name == kind)
    if kind == "NAME":
        return NAME
    if kind == "INT":
        return ("constant.numeric",)
    if kind == "STRING":
        return ("string.quoted",)
    if text.isidentifier():  # a keyword, plain or one of a choice (FAIR_LEVEL)
        return KEYWORD
    if pattern.type == "str" and text in "{}()[],:;.":
        return PUNCTUATION
    return OPERATOR


def test_the_grammars_tokenize_the_seeds_as_the_parser_does():
    assert len(FILES) >= 100
    tokens = _tokens()
    checked = comments = 0
    for path in FILES:
        text = path.read_text()
        lines = text.split("\n")
        start = "spec_file" if path.suffix == ".spec" else "model_file"
        tm = tokens[str(path)]
        covered = [set() for _ in lines]  # code-point columns the parser's tokens cover
        for tok in _parser().parse_interactive(text, start=start).iter_parse():
            line = lines[tok.line - 1]
            a, b = tok.column - 1, tok.end_column - 1
            covered[tok.line - 1].update(range(a, b))
            lo, hi = _utf16(line, a), _utf16(line, b)
            spans = [t for t in tm[tok.line - 1] if t[0] < hi and t[1] > lo]
            where = f"{path.name}:{tok.line}:{tok.column} {tok.type} {str(tok)!r}"
            # One TextMate token per parser token, with the same extent...
            assert len(spans) == 1 and spans[0][:2] == [lo, hi], (where, spans)
            # ...and a scope of the right class.
            assert spans[0][2][-1].startswith(_expected(tok)), (where, spans[0][2])
            checked += 1
        for n, line in enumerate(lines):  # the rest is blank or comment
            for t in tm[n]:
                chars = [c for c in range(len(line)) if _in_token(line, c, t)]
                rest = [c for c in chars if c not in covered[n] and not line[c].isspace()]
                if rest:
                    assert t[2][-1].startswith("comment.line"), (path.name, n + 1, t)
                    comments += 1
    assert checked > 3000 and comments > 100


def _in_token(line: str, c: int, token: list) -> bool:
    """Whether code point `c` of the line lies in a TextMate token (UTF-16 offsets)."""
    return token[0] <= _utf16(line, c) < token[1]
