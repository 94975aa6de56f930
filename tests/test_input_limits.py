"""Large or deeply nested input ends in a verdict or in a located diagnostic (exit 2), never in
a Python traceback: long operator chains are rebalanced, and the nesting, literal, constant and
bound limits of docs/language.md ("Limits") are enforced before Python's own limits are hit."""

from __future__ import annotations

from pathlib import Path

import pytest

ACTOR = "actor A {\n  var x: 0..3 = 0\n  state S initial final\n%s}\n"


def write(tmp_path: Path, body: str = "", spec: str = "", head: str = "") -> tuple[Path, Path]:
    """A model (line 1 `protocol p`, then `head`, then actor A whose body starts at line
    5 + lines of head) and a spec (its own lines start at line 3), in tmp_path."""
    model = tmp_path / "m.model"
    model.write_text("protocol p\n" + head + ACTOR % body)
    spec_path = tmp_path / "s.spec"
    spec_path.write_text(f'spec s\nmodel "m.model"\n{spec}expect holds\n')
    return model, spec_path


def check(cli, spec: Path) -> tuple[int, str]:
    code, out, err = cli("check", str(spec))
    assert "Traceback" not in out + err
    return code, out + err


def assert_error(cli, spec: Path, where: Path, line: int, column: int, code: str) -> str:
    exit_code, text = check(cli, spec)
    assert exit_code == 2, text
    assert f"{where}:{line}:{column}: error[{code}]:" in text, text
    return text


# ---------------------------------------------------------------- chains that now just work
def test_200_anded_terms_hold(cli, tmp_path):
    _, spec = write(tmp_path, spec="invariant i: " + " and ".join(["A.x < 4"] * 200) + "\n")
    code, text = check(cli, spec)
    assert code == 0 and "HOLDS, as expected" in text


def test_200_ored_terms_can_be_violated(cli, tmp_path):
    _, spec = write(tmp_path, spec="invariant i: " + " or ".join(["A.x > 0"] * 200) + "\n")
    code, text = check(cli, spec)
    assert code == 1 and "VIOLATED" in text


def test_long_chains_keep_short_circuit_order(cli, tmp_path):
    # The first operand holds, so the division by zero at the end is never evaluated.
    terms = ["A.x == 0"] + ["A.x == 5"] * 30 + ["1 / A.x == 1"]
    _, spec = write(tmp_path, spec="invariant i: " + " or ".join(terms) + "\n")
    code, text = check(cli, spec)
    assert code == 0 and "HOLDS, as expected" in text
    terms = ["A.x == 1"] + ["A.x == 0"] * 30 + ["1 / A.x == 1"]
    _, spec = write(tmp_path, spec="invariant i: " + " and ".join(terms) + "\n")
    code, text = check(cli, spec)
    assert code == 1 and "VIOLATED" in text and "runtime" not in text


@pytest.mark.parametrize("n", [9, 10, 3000])
def test_long_mixed_sums_keep_their_value(cli, tmp_path, n):
    parts = ["7"] + [f"{'-' if k % 3 else '+'} {k}" for k in range(1, n)]
    chain = " ".join(parts)
    value = 7 + sum(-k if k % 3 else k for k in range(1, n))
    _, spec = write(tmp_path, spec=f"invariant i: A.x + {chain} == {value}\n"
                                   f"invariant j: A.x * 2 * 3 * 1 * 1 * 1 * 1 * 1 * 1 * 1 == 0\n")
    code, text = check(cli, spec)
    assert code == 0 and "HOLDS, as expected" in text
    _, spec = write(tmp_path, spec=f"invariant i: A.x + {chain} == {value + 1}\n")
    code, text = check(cli, spec)
    assert code == 1 and "VIOLATED" in text


def test_16_nested_chooses_work(cli, tmp_path):
    body = "  step s {\n" + "choose {\n" * 16 + "x = 1\n" + "} or { skip }\n" * 16 + "}\n"
    _, spec = write(tmp_path, body)
    code, text = check(cli, spec)
    assert code == 0 and "HOLDS, as expected" in text


AT_THE_LIMIT = {  # 16 choose/pick on a path, with statements after each: Python's 20 nested
    # blocks must still be far away in the generated code.
    "nested_with_rest": "choose {\n" * 16 + "x = 1\n" + "} or { skip }\nx = 0\n" * 16,
    "picks_in_a_row": "pick v in 0..1 { x = v }\nx = 0\n" * 16,
    "chooses_in_ifs": "if x < 3 {\nchoose { x = 1 } or { skip }\n" * 16 + "x = 1\n"
                      + "x = 0 }\n" * 16,
    "chooses_in_picks": "pick v in 0..1 {\nchoose { x = v } or { skip }\n" * 8 + "x = 1\n"
                        + "x = 0 }\n" * 8,
}


@pytest.mark.parametrize("name", sorted(AT_THE_LIMIT))
def test_16_choices_in_a_handler_work(cli, tmp_path, name):
    body = "  on M {\n" + AT_THE_LIMIT[name] + "}\n  step t { send M to A }\n"
    _, spec = write(tmp_path, body, head="message M\n")
    code, text = check(cli, spec)
    assert code == 0 and "HOLDS, as expected" in text, text


def test_32_nested_ifs_work(cli, tmp_path):
    body = "  step s {\n" + "if x < 3 {\n" * 32 + "x = 1\n" + "}\n" * 32 + "}\n"
    _, spec = write(tmp_path, body)
    code, text = check(cli, spec)
    assert code == 0 and "HOLDS, as expected" in text


def _sequential_chooses(tmp_path: Path, k: int) -> Path:
    body = ("  step s in S when y == 0 {\n"
            + "    choose { x = x + 1 } or { y = y + 1 }\n" * k
            + "    y = y + 1\n  }\n")
    model = tmp_path / f"seq{k}.model"
    model.write_text("protocol p\nactor A {\n  var x: 0..20 = 0\n  var y: 0..20 = 0\n"
                     "  state S initial final\n" + body + "}\n")
    return model


def test_code_is_linear_in_sequential_chooses(tmp_path):
    # Each choose used to copy the rest of the step into both branches: 2^k copies.
    from checker.load import load_model
    lines = {k: load_model(str(_sequential_chooses(tmp_path, k))).system.code.count("\n")
             for k in (2, 8, 14)}
    assert lines[14] - lines[8] == lines[8] - lines[2] > 0, lines


def test_sequential_chooses_give_every_combination(tmp_path):
    # From x = y = 0, k two-way chooses reach x + y' = k for every split: 2^k transitions into
    # k + 1 distinct successors (y' = y + 1 after the last line); y > 0 then disables the step.
    from conftest import check
    for k in (1, 5, 12):
        _, report = check(tmp_path, _sequential_chooses(tmp_path, k))
        assert (report.stats.states, report.stats.transitions) == (k + 2, 2 ** k), k
        assert report.verdict == "holds"


def test_forks_inside_forks_then_more_statements(tmp_path):
    # pick then choose inside it, then statements that read both; a full channel (capacity 1)
    # abandons the branch that sends twice.
    model = tmp_path / "nested.model"
    model.write_text("""protocol p
message M
channel A -> A capacity 1
actor A {
  var x: 0..9 = 0
  var y: 0..9 = 0
  state S initial
  state T final
  step s in S {
    pick i in 0..2 {
      choose { x = i } or { x = i + 3 }
      y = x + 1
    }
    choose { skip } or { send M to A; send M to A } or { y = y + 2 }
    goto T
  }
  on M in T { skip }
}
""")
    from conftest import check
    _, report = check(tmp_path, model, "invariant small: A.y <= 7\nexpect violated")
    # x in {0, 1, 2, 3, 4, 5}; the second choose keeps y = x + 1 or makes it x + 3 (the double
    # send is abandoned): 12 successors of S, all distinct; y = 8 only for x = 5, + 2.
    assert report.stats.transitions == 12
    assert report.stats.states == 13
    assert [c.property.name for c in report.counterexamples] == ["small"]


# ---------------------------------------------------------------- limits, located
def test_100_nested_ifs(cli, tmp_path):
    body = "  step s {\n" + "if x < 3 {\n" * 100 + "x = 1\n" + "}\n" * 100 + "}\n"
    model, spec = write(tmp_path, body)
    text = assert_error(cli, spec, model, 5 + 33, 1, "PC105")
    assert "more than 32 deep" in text


def test_40_nested_chooses(cli, tmp_path):
    body = "  step s {\n" + "choose {\n" * 40 + "x = 1\n" + "} or { skip }\n" * 40 + "}\n"
    model, spec = write(tmp_path, body)
    assert_error(cli, spec, model, 5 + 33, 1, "PC105")


def test_17_nested_chooses(cli, tmp_path):
    body = "  on M {\n" + "choose {\n" * 17 + "x = 1\n" + "} or { skip }\n" * 17 + "}\n"
    body += "  step t { send M to A }\n"
    model, spec = write(tmp_path, body, head="message M\n")
    text = assert_error(cli, spec, model, 6 + 17, 1, "PC334")
    assert "more than 16 choose/pick" in text


def test_17_picks_one_after_another(cli, tmp_path):
    body = "  step s {\n" + "pick v in 0..1 { x = v }\n" * 17 + "}\n"
    model, spec = write(tmp_path, body)
    assert_error(cli, spec, model, 5 + 17, 1, "PC334")


def test_5000_nots(cli, tmp_path):
    _, spec = write(tmp_path, spec="invariant i: " + "not " * 5000 + "true\n")
    text = assert_error(cli, spec, spec, 3, 14 + 50 * 4, "PC104")
    assert "more than 50 deep" in text


def test_deep_parentheses(cli, tmp_path):
    _, spec = write(tmp_path, spec="invariant i: " + "(-" * 300 + "A.x" + ")" * 300 + " == 0\n")
    assert_error(cli, spec, spec, 3, 14 + 49 * 2 + 1, "PC104")


def test_integer_literal_beyond_python_printing(cli, tmp_path):
    _, spec = write(tmp_path, spec="invariant i: A.x < " + "9" * 5000 + "\n")
    text = assert_error(cli, spec, spec, 3, 20, "PC106")
    assert "5000 digits" in text and "at most 18 digits" in text


def test_integer_literal_19_digits(cli, tmp_path):
    model, spec = write(tmp_path, "  step s when x < 1000000000000000000 { x = 1 }\n")
    assert_error(cli, spec, model, 5, 19, "PC106")


def test_constant_too_large(cli, tmp_path):
    head = "const BIG = " + " * ".join(["999999999999999999"] * 300) + "\n"
    model, spec = write(tmp_path, head=head)
    text = assert_error(cli, spec, model, 2, 13, "PC335")
    assert "10^18" in text


def test_bound_with_5000_nines(cli, tmp_path):
    _, spec = write(tmp_path, spec="bound states " + "9" * 5000 + "\n")
    text = assert_error(cli, spec, spec, 3, 14, "PC409")
    assert "at most 1,000,000,000,000" in text and "5000-digit" in text


def test_bound_at_the_limit_is_accepted(cli, tmp_path):
    _, spec = write(tmp_path, spec="bound depth 1000000000000\n")
    code, text = check(cli, spec)
    assert code == 0 and "HOLDS, as expected" in text


def test_control_characters_are_shown_not_sent_to_the_terminal(cli, tmp_path):
    # A NUL or an escape sequence in a model must not reach the terminal or CI log raw.
    model = tmp_path / "m.model"
    model.write_bytes(b"protocol x\nactor A { state S initial final \x1b[31m }\n")
    code, out, err = cli("parse", str(model))
    assert code == 2
    assert "\x1b" not in out + err
    assert f"{model}:2:33: error[PC101]: unexpected character '\u241b'" in err
    assert "    actor A { state S initial final \u241b[31m }\n" in err
    assert "\n                                    ^" in err  # the caret still lines up


def test_too_many_instances_is_refused_at_once(cli, tmp_path):
    model = tmp_path / "m.model"
    model.write_text("protocol x\nconst N = 1000000\nactor W[N] { state S initial final }\n")
    code, _, err = cli("parse", str(model))
    assert code == 2
    assert f"{model}:3:9: error[PC336]: actor W has 1,000,000 instances, more than the limit " \
           "of 1,000" in err
    model.write_text("protocol x\nconst N = 1000\nactor W[N] { state S initial final }\n")
    assert cli("parse", str(model))[0] == 0


QUADRATIC = """protocol q
const N = {n}
message M
actor A[N] {{
  var t: 0..N-1 = 0
  state S initial final
  step go in S {{ send M to B[{target}] }}
}}
actor B[N] {{
  state S initial final
  on M {{ skip }}
}}
"""


def test_too_many_channel_slots_is_refused_at_once(cli, tmp_path):
    # 300 x 300 instances that may all talk compiled for 34 s in 5.8 GB before the limit.
    model = tmp_path / "m.model"
    model.write_text(QUADRATIC.format(n=300, target="t"))
    code, _, err = cli("parse", str(model))
    assert code == 2
    assert f"{model}:7:18: error[PC337]: the channels need 90,000 slots, more than the limit " \
           "10,000: A (300 instances) -> B (300 instances) alone needs 90,000" in err
    assert "B[index(self)]" in err
    # The same instances, each addressing its own partner: 300 slots.
    model.write_text(QUADRATIC.format(n=300, target="index(self)"))
    assert cli("parse", str(model))[0] == 0
    model.write_text(QUADRATIC.format(n=100, target="t"))
    assert cli("parse", str(model))[0] == 0


def test_a_million_alternatives_is_the_limit(cli, tmp_path):
    # pick 0..999 twice: exactly 1,000,000 alternatives, accepted; one value more is PC338.
    body = "  step s when x == 0 {\n    pick i in 0..999 {\n      pick j in 0..%d { x = 1 }\n" \
           "    }\n  }\n"
    model, _ = write(tmp_path, body % 999)
    assert cli("parse", str(model))[0] == 0
    model, _ = write(tmp_path, body % 1000)
    code, _, err = cli("parse", str(model))
    assert code == 2
    assert f"{model}:6:5: error[PC338]: this pick makes up to 1,001,000 alternatives" in err


def test_huge_quantifier_in_an_invariant_is_refused_at_once(cli, tmp_path):
    # Used to evaluate a billion values for the first state, past any --timeout.
    _, spec = write(tmp_path, spec="invariant i: forall v in 0..1000000000: v >= 0\n")
    text = assert_error(cli, spec, spec, 3, 14, "PC338")
    assert "visits up to 1,000,000,001 values in one evaluation" in text
