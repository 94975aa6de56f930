"""Fuzzing: random input never crashes protocheck, and every error it reports is located.

Two generators: Hypothesis's `from_lark` on our own grammar (random syntactically valid
models, which mostly fail the semantic checks in every way there is), and byte-level
mutations of the seed models (deleted, duplicated and replaced characters: broken syntax
near real code). Every run must end with exit 0-3, never 70 (internal error), and an exit 2
must come with `file:line:column: error[PCnnn]`. The normal run is derandomized (the same
150 + 150 examples every time); `pytest -m long` runs a longer random one (about 4 minutes).
"""

from __future__ import annotations

import re
from importlib import resources

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark

from checker.cli import main

LOCATED = re.compile(r"^\S+:\d+:\d+: error\[PC\d{3}\]: ", re.MULTILINE)
GRAMMAR = Lark(resources.files("checker.dsl").joinpath("grammar.lark").read_text(),
               parser="lalr", lexer="contextual", start=["model_file", "spec_file"])
SEEDS = {p.name: p.read_text() for p in sorted((ROOT / "models").glob("*.model"))}
# Digits included: a mutated `const N = 3` into `N = 3333` is refused (PC336) or, just under
# the limits, compiled within the timeout (PC601, exit 3) and cut short by the state bound.
ALPHABET = "{}()[]<>=!&|+-*/%.,:;\"'# \n\t0123456789abcdefghijklmnopqrstuvwxyzSW_\x00\r\ufeff"
FAST = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck), database=None)
LONG = settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck),
                database=None)


def _run(capsys, *argv: str) -> None:
    code = main(list(argv))
    out = capsys.readouterr()
    assert code in (0, 1, 2, 3), (code, out.err[-2000:])
    if code == 2:
        assert LOCATED.search(out.err), out.err[-2000:]
    assert "Traceback" not in out.out + out.err


@st.composite
def mutated(draw) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    text = SEEDS[name]
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        how = draw(st.sampled_from(["delete", "duplicate", "replace", "insert"]))
        span = draw(st.integers(1, 12))
        if how == "delete":
            text = text[:at] + text[at + span:]
        elif how == "duplicate":
            text = text[:at] + text[at:at + span] + text[at:]
        else:
            ch = draw(st.sampled_from(ALPHABET))
            text = text[:at] + ch + text[at + (1 if how == "replace" else 0):]
    return name, text


def _grammar_case(tmp_path, capsys, text: str) -> None:
    path = tmp_path / "fuzz.model"
    path.write_text(text, encoding="utf-8")
    _run(capsys, "parse", str(path))


def _mutation_case(tmp_path, capsys, case: tuple[str, str]) -> None:
    name, text = case
    (tmp_path / name).write_text(text, encoding="utf-8")
    spec = tmp_path / "fuzz.spec"
    spec.write_text(f'spec fuzz\nmodel "{name}"\nexpect holds\n', encoding="utf-8")
    _run(capsys, "check", "--max-states", "300", "--timeout", "5", "--no-progress", str(spec))


def test_random_grammatical_models(tmp_path, capsys):
    FAST(given(from_lark(GRAMMAR, start="model_file"))(
        lambda text: _grammar_case(tmp_path, capsys, text)))()


def test_mutated_seed_models(tmp_path, capsys):
    FAST(given(mutated())(lambda case: _mutation_case(tmp_path, capsys, case)))()


@pytest.mark.slow
@pytest.mark.long
def test_long_random_fuzz(tmp_path, capsys):
    LONG(given(from_lark(GRAMMAR, start="model_file"))(
        lambda text: _grammar_case(tmp_path, capsys, text)))()
    LONG(given(mutated())(lambda case: _mutation_case(tmp_path, capsys, case)))()
