"""The keyword table of docs/language.md is the grammar's: every keyword, where it has a
meaning, and where it takes a name's place, derived here from checker/dsl/grammar.lark and the
parser built from it (its LALR table, and parsing)."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from lark.parsers.lalr_analysis import Shift

from checker.diagnostics import CheckError
from checker.dsl.parse import _keywords, _parser, parse_model
from checker.source import Source

GRAMMAR = (ROOT / "checker" / "dsl" / "grammar.lark").read_text()
WORDS = sorted(set(re.findall(r'"([a-z_]+)"', GRAMMAR)))


def documented() -> dict[str, list[str]]:
    text = (ROOT / "docs" / "language.md").read_text()
    section = text.split("### Keywords", 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in section.split("\n"):
        m = re.match(r"\| `([a-z_]+)` \|(.*)\|\s*$", line)
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} is listed twice"
            rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


class Table:
    """The parser's LALR table: which states each kind of file can reach, and what each
    state shifts."""

    def __init__(self):
        parser = _parser()
        self.table = parser.parser.parser.parser.parse_table
        self.terminals = {t.name: t for t in parser.terminals}
        self.reach = {kind: self._reach(f"{kind}_file") for kind in ("model", "spec")}

    def _reach(self, start: str) -> set:
        seen, todo = set(), [self.table.start_states[start]]
        while todo:
            state = todo.pop()
            if state not in seen:
                seen.add(state)
                todo += [arg for action, arg in self.table.states[state].values()
                         if action is Shift]
        return seen

    def terminals_of(self, word: str) -> list[str]:
        return [name for name, t in self.terminals.items()
                if name != "NAME" and re.fullmatch(t.pattern.to_regexp(), word)]

    def shifts(self, state, terminal: str) -> bool:
        return self.table.states[state].get(terminal, (None,))[0] is Shift

    def used_in(self, word: str, kind: str) -> bool:
        return any(self.shifts(s, t) for s in self.reach[kind] for t in self.terminals_of(word))

    def takes_a_names_place(self, word: str) -> bool:
        return any(self.shifts(s, t) and self.shifts(s, "NAME")
                   for kind in self.reach for s in self.reach[kind]
                   for t in self.terminals_of(word))


@pytest.fixture(scope="module")
def table():
    return Table()


def _later_statement_fails(word: str) -> bool:
    text = (f"protocol p\nactor A {{\n  var {word}: bool\n  var a: bool\n"
            f"  state S initial final\n  step X {{\n    a = true\n    {word} = true\n  }}\n}}\n")
    try:
        parse_model(Source("m.model", text))
    except CheckError as e:
        assert all(d.code.startswith("PC1") and d.span.line == 8 for d in e.diagnostics), \
            [str(d) for d in e.diagnostics]
        return True
    return False


def test_every_keyword_is_listed_once():
    rows = documented()
    assert len(WORDS) > 80
    assert sorted(rows) == WORDS, (
        f"missing from docs/language.md: {sorted(set(WORDS) - set(rows))}; "
        f"not keywords: {sorted(set(rows) - set(WORDS))}")
    # Every keyword the parser knows is one of the grammar's words (named terminals such as
    # FAIR_LEVEL included), and every word is a terminal of the parser.
    assert _keywords() <= set(WORDS)
    table = Table()
    assert all(table.terminals_of(w) for w in WORDS)


def test_where_each_keyword_means_something(table):
    wrong = []
    for word, cells in documented().items():
        for kind, cell in zip(("model", "spec"), cells[:2]):
            expected = "yes" if table.used_in(word, kind) else "—"
            if cell.split(" ")[0] != expected:
                wrong.append(f"{word} in {kind}s: documented {cell!r}, the grammar says "
                             f"{expected!r}")
    assert not wrong, "\n".join(wrong)


def test_where_a_keyword_takes_a_names_place(table):
    wrong = []
    for word, cells in documented().items():
        if (cells[2] != "—") != table.takes_a_names_place(word):
            wrong.append(f"{word}: documented {cells[2]!r}")
    assert not wrong, "\n".join(wrong)
    # The statement keywords are among them, as the page says.
    assert all(table.takes_a_names_place(w) for w in ("start", "send", "goto", "skip"))
    assert not table.takes_a_names_place("state")


def test_later_statement_column_is_what_the_parser_does():
    wrong = [word for word, cells in documented().items()
             if (cells[3] == "yes") != _later_statement_fails(word)]
    assert not wrong, f"the 'later statement' column is wrong for {wrong}"


def test_the_documented_examples():
    def parse(body: str) -> CheckError | None:
        text = ("protocol p\nactor A {\n  var state: bool\n  var a: bool\n"
                f"  state S initial final\n  step X {{\n{body}\n  }}\n}}\n")
        try:
            parse_model(Source("m.model", text))
        except CheckError as e:
            return e
        return None

    # A keyword the block cannot take, where a name fits, is the name.
    assert parse("    a = true\n    state = false") is None
    assert parse("    state = false\n    a = true") is None
    assert parse("    goto S\n    state = false") is None
    # ... unless the token after it does not fit a name either: the keyword's error, as before
    # (a block missing its `}` before the next declaration).
    err = parse("    a = true\n  state T final")
    assert err is not None and "unexpected 'state'" in err.diagnostics[0].message
    assert err.diagnostics[0].span.line == 8
    # A statement keyword still begins a statement.
    err = parse("    a = true\n    goto = false")
    assert err is not None
