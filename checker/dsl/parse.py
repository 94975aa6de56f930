"""Parsing: text -> AST, and the one place where Lark's errors become our diagnostics."""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from importlib import resources

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.tree import Meta

from checker.deadline import NO_DEADLINE, Deadline
from checker.diagnostics import CheckError, Diagnostic, did_you_mean
from checker.dsl import ast
from checker.faults import CRASH
from checker.source import Source, Span


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files("checker.dsl").joinpath("grammar.lark").read_text()
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        start=["model_file", "spec_file"],
        propagate_positions=True,
        maybe_placeholders=True,
        cache=_cache_file(),
    )


def _cache_file() -> str | bool:
    """Where Lark keeps the built parser between runs (building it takes a quarter of a
    second; loading it, 30 ms). In the user's own cache folder, never a shared temporary one:
    the file is a pickle, and a pickle planted by someone else would run their code. Lark
    checks the grammar's hash stored in the file, so a changed grammar is rebuilt."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "protocheck")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if os.stat(folder).st_uid != os.getuid() or not os.access(folder, os.W_OK):
            return False
    except OSError:
        return False
    from lark import __version__ as lark_version

    return os.path.join(folder, f"grammar-lark{lark_version}.cache")


@functools.lru_cache(maxsize=1)
def _keywords() -> frozenset[str]:
    return frozenset(t.pattern.value for t in _parser().terminals
                     if t.pattern.type == "str" and t.pattern.value.isidentifier())


# Regex terminals have no spelling; say what they are in words.
_TERMINAL_WORDS = {
    "NAME": "a name",
    "INT": "a number",
    "STRING": 'a string in "double quotes"',
    "CMP_OP": "a comparison (==, !=, <, <=, >, >=)",
    "ADD_OP": "'+' or '-'",
    "MUL_OP": "'*', '/' or '%'",
    "EXPECTATION": "'holds' or 'violated'",
    "SWITCH": "'on' or 'off'",
    "BOUND_KIND": "'states' or 'depth'",
    "SEARCH_KIND": "'bfs' or 'dfs'",
    "FAIRNESS_LEVEL": "'none', 'weak' or 'strong'",
    "FAIR_LEVEL": "'weak' or 'strong'",
    "$END": "end of file",
}


def _spell(terminal: str) -> str:
    if terminal in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[terminal]
    for t in _parser().terminals:
        if t.name == terminal:
            if t.pattern.type == "str":
                return f"'{t.pattern.value}'"
            break
    return terminal.lower()


# Groups of terminals that read better as one phrase than as a list of tokens.
_EXPR_START = {"LPAR", "INT", "LBRACE", "NAME", "MINUS", "EXISTS", "FORALL", "NOT", "SENDER",
               "SELF", "TRUE", "FALSE"}
_STMT_START = {"SEND", "GOTO", "IF", "CHOOSE", "PICK", "ASSERT", "SKIP", "NAME", "START",
               "CANCEL"}
_DECL_START = {"CONST", "ENUM", "MESSAGE", "SHARED", "CHANNEL", "ACTOR", "PARAM", "ASSUME",
               "GROUP"}
_SPEC_START = {"MODEL", "CONST", "INVARIANT", "EXPECT", "DEADLOCK", "BOUND", "SEARCH", "PARAM",
               "LIVENESS", "FAIRNESS", "FAULT", "FAULTS", "TERMINATE"}
# What may begin a line: if the parser would accept one of these, the line before may well be
# complete, so the unexpected token itself is the mistake (a typo like `actr`).
_LINE_START = _STMT_START | _DECL_START | _SPEC_START | {"RBRACE", "$END", "STATE", "VAR", "ON",
                                                          "STEP", "TIMER", "PROTOCOL", "SPEC"}
_OPERATORS = {"ADD_OP", "MUL_OP", "CMP_OP", "AND", "OR", "IMPLIES", "IN", "AT", "DOT", "LSQB",
              "NOT", "MINUS", "DOUBLE_DOT", "__ANON_0", "__ANON_1"}


def _group(expected: set[str]) -> tuple[set[str], list[str]]:
    rest = set(expected)
    phrases = []
    if {"INT", "TRUE", "LPAR"} <= rest:
        rest -= _EXPR_START
        phrases.append("an expression")
    if {"SEND", "GOTO"} <= rest:
        rest -= _STMT_START
        phrases.append("a statement")
    if {"ACTOR", "MESSAGE"} <= rest:
        rest -= _DECL_START
        phrases.append("a declaration (const, enum, message, shared, channel, actor, param, "
                       "assume or group)")
    if {"INVARIANT", "EXPECT"} <= rest:
        rest -= _SPEC_START
        phrases.append("a spec item (model, const, param, invariant, liveness, fairness, fault, "
                       "faults, terminate, expect, deadlock, bound or search)")
    if {"ADD_OP", "MUL_OP"} <= rest:
        rest = {t for t in rest if t not in _OPERATORS and _spell(t) not in ("'..'", "'->'")}
        phrases.append("an operator")
    if len(rest) + len(phrases) > 1:
        rest.discard("SEMICOLON")  # statement terminators are optional; never the real fix
    return rest, phrases


def _describe_expected(expected: set[str]) -> str:
    rest, phrases = _group(expected)
    words = sorted({_spell(t) for t in rest}) + phrases
    # Keywords first, then descriptions, so the list reads naturally.
    words.sort(key=lambda w: (not w.startswith("'"), w))
    if not words:
        return "nothing more"
    if len(words) == 1:
        return words[0]
    if len(words) <= 8:
        return ", ".join(words[:-1]) + " or " + words[-1]
    return ", ".join(words[:8]) + ", ..."


def syntax_error(source: Source, err: UnexpectedInput, previous: Token | None = None,
                 accepts: set[str] = frozenset()) -> Diagnostic:
    """Turn any Lark parse error into one diagnostic with a caret and plain-word expectations.

    `previous` is the last token the parser accepted: when the unexpected token (or the end of
    the file) comes on a later line, what is missing belongs after `previous`, so the caret
    goes there (`param x: int` then `actor` two lines on: the `in` is missing after `int`)."""
    line = getattr(err, "line", 1) or 1
    column = getattr(err, "column", 1) or 1
    if isinstance(err, UnexpectedCharacters):
        ch = source.text[err.pos_in_stream] if err.pos_in_stream < len(source.text) else ""
        message = f"unexpected character '{ch}'"
        width = 1
        expected = set()
        code = "PC101"
    elif isinstance(err, UnexpectedToken) and err.token.type != "$END":
        token: Token = err.token
        message = f"unexpected '{token.value}'"
        width = max(len(str(token.value)), 1)
        expected = set(accepts or getattr(err, "accepts", None) or err.expected)
        code = "PC102"
    else:
        lines = source.text.splitlines() or [""]
        line = len(lines)
        column = len(lines[-1]) + 1
        message = "unexpected end of file"
        width = 1
        expected = set(accepts or getattr(err, "accepts", None) or getattr(err, "expected", ())
                       or ())
        code = "PC103"
    hint = ""
    if expected:
        message += f"; expected {_describe_expected(expected)}"
        if code == "PC102":
            keywords = {_spell(t).strip("'") for t in expected}
            keywords = {k for k in keywords if k.isidentifier()}
            hint = did_you_mean(str(err.token.value), keywords)
    before = source.line_text(line)[: column - 1].split()
    if before and before[-1] in ("forall", "exists") and code == "PC102":
        message = f"unexpected '{before[-1]}' here"
        hint = (f"a quantifier inside a larger expression needs parentheses: "
                f"({before[-1]} x in D: ...)")
        column -= len(before[-1]) + 1
        width = len(before[-1])
    if code == "PC102" and previous is not None and str(previous) in _keywords() \
            and str(previous) not in ("forall", "exists"):  # those are explained above
        if previous.type == "NAME":  # a keyword read as a name: what should precede it is missing
            message = (f"'{previous}' is read as a name here, so something is missing before "
                       "it")
            line, column, width = previous.line, previous.column, len(str(previous))
        elif str(err.token) == "=":
            # Keywords are reserved only where the grammar expects them: `var start` is fine,
            # but a statement that begins with `start` is the start statement.
            message = (f"unexpected '='; a statement that begins with '{previous}' is the "
                       f"'{previous}' statement, not an assignment")
            hint = f"rename the variable (e.g. '{previous}_')"
    elif code in ("PC102", "PC103") and previous is not None and previous.end_line < line \
            and expected and not expected & _LINE_START:
        found = "the end of the file" if code == "PC103" else f"'{err.token.value}' on line {line}"
        message = f"expected {_describe_expected(expected)} after '{previous.value}', found {found}"
        line, column, width = previous.end_line, previous.end_column, 1
    span = Span(source.path, line, column, line, column + width)
    return Diagnostic("error", code, message, span, source.line_text(line), hint)


def _span(source: Source, meta) -> Span:
    if getattr(meta, "empty", True):
        return Span(source.path, 0, 0, 0, 0)
    return Span(source.path, meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_span(source: Source, tok: Token) -> Span:
    return Span(source.path, tok.line, tok.column, tok.end_line, tok.end_column)


@v_args(meta=True)
class _ToAst(Transformer):
    """Builds AST dataclasses bottom-up; every node gets the span Lark propagated."""

    def __init__(self, source: Source):
        super().__init__()
        self.src = source
        self.errors: list[Diagnostic] = []

    def sp(self, meta) -> Span:
        return _span(self.src, meta)

    def ts(self, tok: Token) -> Span:
        return _tok_span(self.src, tok)

    # ---- expressions
    def name(self, meta, c):
        return ast.Name(str(c[0]), self.sp(meta))

    def int_lit(self, meta, c):
        return ast.IntLit(self.number(c[0], self.sp(meta)), self.sp(meta))

    def number(self, tok: Token, span: Span) -> int:
        """An integer literal; one too long to be a sane bound is an error (PC106), not a
        number Python could not print."""
        digits = str(tok)
        if len(digits.lstrip("0")) > MAX_INT_DIGITS:
            self.errors.append(Diagnostic(
                "error", "PC106", f"this number has {len(digits.lstrip('0'))} digits: integers in models and "
                f"specs have at most {MAX_INT_DIGITS} digits", _tok_span(self.src, tok),
                self.src.line_text(tok.line), "use a smaller number: every type of a model is "
                "a small finite range"))
            return 0
        return int(digits)

    def true_lit(self, meta, c):
        return ast.BoolLit(True, self.sp(meta))

    def false_lit(self, meta, c):
        return ast.BoolLit(False, self.sp(meta))

    def self_ref(self, meta, c):
        return ast.SelfRef(self.sp(meta))

    def sender_ref(self, meta, c):
        return ast.SenderRef(self.sp(meta))

    def field_access(self, meta, c):
        return ast.FieldAccess(c[0], str(c[1]), self.sp(meta), self.ts(c[1]))

    def index(self, meta, c):
        return ast.Index(c[0], c[1], self.sp(meta))

    def call(self, meta, c):
        args = tuple(a for a in c[1:] if a is not None)
        return ast.Call(str(c[0]), args, self.sp(meta))

    def set_lit(self, meta, c):
        return ast.SetLit(tuple(a for a in c if a is not None), self.sp(meta))

    def negate(self, meta, c):
        return ast.Unary("-", c[0], self.sp(meta))

    def not_(self, meta, c):
        return ast.Unary("not", c[0], self.sp(meta))

    def arith(self, meta, c):
        return ast.Binary(str(c[1]), c[0], c[2], self.sp(meta))

    def compare(self, meta, c):
        return ast.Binary(str(c[1]), c[0], c[2], self.sp(meta))

    def member(self, meta, c):
        return ast.Binary("in", c[0], c[1], self.sp(meta))

    def not_member(self, meta, c):
        return ast.Binary("notin", c[0], c[1], self.sp(meta))

    def and_(self, meta, c):
        return ast.Binary("and", c[0], c[1], self.sp(meta))

    def or_(self, meta, c):
        return ast.Binary("or", c[0], c[1], self.sp(meta))

    def implies(self, meta, c):
        return ast.Binary("implies", c[0], c[1], self.sp(meta))

    def at_state(self, meta, c):
        return ast.AtState(c[0], str(c[1]), self.sp(meta), self.ts(c[1]))

    def domain(self, meta, c):
        return ast.Domain(c[0], c[1], self.sp(meta))

    def forall(self, meta, c):
        return ast.Quant("forall", str(c[0]), c[1], c[2], self.sp(meta))

    def exists(self, meta, c):
        return ast.Quant("exists", str(c[0]), c[1], c[2], self.sp(meta))

    # ---- types
    def type_bool(self, meta, c):
        return ast.BoolType(self.sp(meta))

    def type_range(self, meta, c):
        return ast.RangeType(c[0], c[1], self.sp(meta))

    def type_name(self, meta, c):
        return ast.NamedType(str(c[0]), self.sp(meta))

    def type_set(self, meta, c):
        return ast.SetType(str(c[0]), self.sp(meta))

    # ---- statements
    def block(self, meta, c):
        return tuple(c)

    def assign(self, meta, c):
        return ast.Assign(str(c[0]), c[1], self.sp(meta), self.ts(c[0]))

    def set_update(self, meta, c):
        return ast.SetUpdate(str(c[0]), str(c[1]), c[2], self.sp(meta), self.ts(c[0]))

    def send_arg(self, meta, c):
        return ast.SendArg(str(c[0]), c[1], self.sp(meta))

    def send_args(self, meta, c):
        return tuple(a for a in c if a is not None)

    def target_all(self, meta, c):
        return ("all", str(c[0]))

    def target_one(self, meta, c):
        return ("one", c[0])

    def send(self, meta, c):
        kind, target = c[2]
        return ast.Send(
            str(c[0]),
            c[1] or (),
            target if kind == "all" else None,
            target if kind == "one" else None,
            self.sp(meta),
            self.ts(c[0]),
        )

    def goto(self, meta, c):
        return ast.Goto(str(c[0]), self.sp(meta))

    def if_stmt(self, meta, c):
        orelse = c[2] if len(c) > 2 else None
        if orelse is None:
            orelse = ()
        elif isinstance(orelse, ast.If):
            orelse = (orelse,)
        return ast.If(c[0], c[1], orelse, self.sp(meta))

    def choose(self, meta, c):
        return ast.Choose(tuple(c), self.sp(meta))

    def pick(self, meta, c):
        return ast.Pick(str(c[0]), c[1], c[2], self.sp(meta))

    def assert_stmt(self, meta, c):
        msg = str(c[1])[1:-1] if c[1] is not None else None
        return ast.Assert(c[0], msg, self.sp(meta))

    def skip(self, meta, c):
        return ast.Skip(self.sp(meta))

    def start_timer(self, meta, c):
        return ast.StartTimer(str(c[0]), self.sp(meta))

    def cancel_timer(self, meta, c):
        return ast.CancelTimer(str(c[0]), self.sp(meta))

    def param_decl(self, meta, c):
        return ast.ParamDecl(str(c[0]), str(c[1]), c[2], c[3], self.sp(meta))

    def assume_decl(self, meta, c):
        return ast.AssumeDecl(c[0], self.sp(meta))

    def timer_decl(self, meta, c):
        return ast.TimerDecl(str(c[0]), c[1], self.sp(meta))

    def after_clause(self, meta, c):
        return ("after", c[0], c[1])

    def within_clause(self, meta, c):
        return ("after", ast.IntLit(0, self.sp(meta)), c[0])

    def timeout_handler(self, meta, c):
        name_tok = c[0]
        states = c[1]
        guard = c[2]
        span = Span(self.src.path, meta.line, meta.column, name_tok.end_line, name_tok.end_column)
        return ast.TimeoutHandler(str(name_tok), states[1] if states else (),
                                  guard[1] if guard else None, c[3], span,
                                  states[2] if states else ())

    def spec_param(self, meta, c):
        return ("param_fix", ast.SpecConst(str(c[0]), c[1], self.sp(meta)))

    # ---- declarations
    def const_decl(self, meta, c):
        return ast.ConstDecl(str(c[0]), c[1], c[2], self.sp(meta))

    def enum_decl(self, meta, c):
        toks = [t for t in c if isinstance(t, Token)]
        return ast.EnumDecl(
            str(toks[0]),
            tuple(str(t) for t in toks[1:]),
            self.sp(meta),
            tuple(self.ts(t) for t in toks[1:]),
        )

    def field(self, meta, c):
        return ast.Field(str(c[0]), c[1], self.sp(meta))

    def message_decl(self, meta, c):
        fields = tuple(f for f in c[1:] if isinstance(f, ast.Field))
        return ast.MessageDecl(str(c[0]), fields, self.sp(meta))

    def shared_decl(self, meta, c):
        return ast.SharedDecl(str(c[0]), c[1], c[2], self.sp(meta))

    def channel_pair(self, meta, c):
        return (str(c[0]), str(c[1]))

    def channel_default(self, meta, c):
        return (None, None)

    def opt_capacity(self, meta, c):
        return ("capacity", c[0])

    def opt_fifo(self, meta, c):
        return ("ordering", "fifo")

    def opt_durable(self, meta, c):
        return ("durable", True)

    def opt_unordered(self, meta, c):
        return ("ordering", "unordered")

    def channel_decl(self, meta, c):
        sender, receiver = c[0]
        capacity = None
        ordering = None
        durable = False
        for key, value in c[1:]:
            if key == "capacity":
                capacity = value
            elif key == "durable":
                durable = True
            else:
                ordering = value
        return ast.ChannelDecl(sender, receiver, capacity, ordering, self.sp(meta), durable)

    def var_decl(self, meta, c):
        return ast.VarDecl(str(c[1]), c[2], c[3], self.sp(meta), c[0] is not None)

    def restart_handler(self, meta, c):
        span = Span(self.src.path, meta.line, meta.column, meta.line, meta.column + 10)
        return ast.RestartHandler(c[0], span)

    def signal_handler(self, meta, c):
        name_tok, states, timing, guard, mark, body = c
        span = Span(self.src.path, meta.line, meta.column, name_tok.end_line,
                    name_tok.end_column)
        return ast.SignalHandler(str(name_tok), states[1] if states else (),
                                 guard[1] if guard else None, body, span, self.ts(name_tok),
                                 states[2] if states else (),
                                 (timing[1], timing[2]) if timing else None, mark or "")

    def group_decl(self, meta, c):
        names = [t for t in c[1:] if t is not None]
        return ast.GroupDecl(str(c[0]), tuple(str(t) for t in names),
                             tuple(self.ts(t) for t in names), self.sp(meta))

    def terminate(self, meta, c):
        return ast.TerminateDecl(str(c[0]), self.ts(c[0]), c[1], c[2], self.sp(meta))

    def term_at(self, meta, c):
        return c[0]

    def term_grace(self, meta, c):
        return c[0]

    def crash_handler(self, meta, c):
        name_tok, states, guard, mark, body = c
        span = Span(self.src.path, meta.line, meta.column, name_tok.end_line,
                    name_tok.end_column)
        return ast.CrashHandler(str(name_tok), states[1] if states else (),
                                guard[1] if guard else None, body, span, self.ts(name_tok),
                                states[2] if states else (), mark or "")

    def flag_initial(self, meta, c):
        return "initial"

    def flag_final(self, meta, c):
        return "final"

    def flag_restart(self, meta, c):
        return "restart"

    def state_decl(self, meta, c):
        flags = c[1:]
        return ast.StateDecl(str(c[0]), "initial" in flags, "final" in flags, self.sp(meta),
                             "restart" in flags)

    def from_clause(self, meta, c):
        return ("from", str(c[0]), self.ts(c[0]))

    def in_clause(self, meta, c):
        return ("in", tuple(str(t) for t in c), tuple(self.ts(t) for t in c))

    def when_clause(self, meta, c):
        return ("when", c[0])

    def handler(self, meta, c):
        msg_tok = c[0]
        sender = c[1]
        states = c[2]
        timing = c[3]
        guard = c[4]
        span = Span(self.src.path, meta.line, meta.column, msg_tok.end_line, msg_tok.end_column)
        return ast.Handler(
            str(msg_tok),
            sender[1] if sender else None,
            states[1] if states else (),
            guard[1] if guard else None,
            c[6],
            span,
            sender[2] if sender else None,
            states[2] if states else (),
            (timing[1], timing[2]) if timing else None,
            c[5] or "",
        )

    def handler_timed_after_guard(self, meta, c):
        # `on M in X when g within d { }`: the timing may also follow the guard.
        return self.handler(meta, [c[0], c[1], c[2], c[4], c[3], c[5], c[6]])

    def step(self, meta, c):
        name_tok = c[0]
        states = c[1]
        timing = c[2]
        guard = c[3]
        span = Span(self.src.path, meta.line, meta.column, name_tok.end_line, name_tok.end_column)
        return ast.Step(
            str(name_tok),
            states[1] if states else (),
            guard[1] if guard else None,
            c[5],
            span,
            states[2] if states else (),
            (timing[1], timing[2]) if timing else None,
            c[4] or "",
        )

    def mark_unfair(self, meta, c):
        return "unfair"

    def mark_fair(self, meta, c):
        return f"fair {c[0]}"

    def step_timed_after_guard(self, meta, c):
        # `step S in X when g within d { }`: the timing may also follow the guard.
        return self.step(meta, [c[0], c[1], c[3], c[2], c[4], c[5]])

    def actor_decl(self, meta, c):
        items = c[2:]
        return ast.ActorDecl(
            str(c[0]),
            c[1],
            tuple(i for i in items if isinstance(i, ast.VarDecl)),
            tuple(i for i in items if isinstance(i, ast.StateDecl)),
            tuple(i for i in items if isinstance(i, ast.Handler)),
            tuple(i for i in items if isinstance(i, ast.Step)),
            self.sp(meta),
            tuple(i for i in items if isinstance(i, ast.TimerDecl)),
            tuple(i for i in items if isinstance(i, ast.TimeoutHandler)),
            tuple(i for i in items if isinstance(i, ast.RestartHandler)),
            tuple(i for i in items if isinstance(i, ast.CrashHandler)),
            tuple(i for i in items if isinstance(i, ast.SignalHandler)),
        )

    def model_file(self, meta, c):
        items = c[1:]
        return ast.Model(
            str(c[0]),
            tuple(i for i in items if isinstance(i, ast.ConstDecl)),
            tuple(i for i in items if isinstance(i, ast.EnumDecl)),
            tuple(i for i in items if isinstance(i, ast.MessageDecl)),
            tuple(i for i in items if isinstance(i, ast.SharedDecl)),
            tuple(i for i in items if isinstance(i, ast.ChannelDecl)),
            tuple(i for i in items if isinstance(i, ast.ActorDecl)),
            self.src.path,
            self.sp(meta),
            tuple(i for i in items if isinstance(i, ast.ParamDecl)),
            tuple(i for i in items if isinstance(i, ast.AssumeDecl)),
            tuple(i for i in items if isinstance(i, ast.GroupDecl)),
        )

    # ---- specs
    def spec_model(self, meta, c):
        return ("model", str(c[0])[1:-1], self.ts(c[0]))

    def spec_const(self, meta, c):
        return ast.SpecConst(str(c[0]), c[1], self.sp(meta))

    def invariant(self, meta, c):
        desc = str(c[1])[1:-1] if c[1] is not None else None
        return ast.InvariantDecl(str(c[0]), desc, c[2], self.sp(meta))

    def liveness(self, meta, c):
        desc = str(c[1])[1:-1] if c[1] is not None else None
        foralls, (form, p, q, within, body_span) = c[2]
        return ast.LivenessDecl(str(c[0]), desc, form, p, q, within, foralls, self.sp(meta),
                                body_span)

    # A temporal formula: (forall prefixes, (form name, P, Q, within, span of the body)).
    def t_forall(self, meta, c):
        inner_foralls, body = c[2]
        return ((str(c[0]), c[1]), *inner_foralls), body

    def t_eventually(self, meta, c):
        return (), ("eventually", c[0], None, c[1], self.sp(meta))

    def t_recurrence(self, meta, c):
        return (), ("always_eventually", c[0], None, None, self.sp(meta))

    def t_stability(self, meta, c):
        return (), ("eventually_always", c[0], None, None, self.sp(meta))

    def t_leads_to(self, meta, c):
        return (), ("leads_to", c[0], c[1], c[2], self.sp(meta))

    def fairness(self, meta, c):
        return ("fairness", (str(c[0]), c[1] is not None), self.sp(meta))

    def per_actor(self, meta, c):
        return True

    def fault(self, meta, c):
        return replace(c[0], budget=c[1], span=self.sp(meta))

    def f_crash(self, meta, c):
        return ast.FaultDecl(CRASH.name, c[0], c[1] is not None, None, None, None, None,
                             None, self.sp(meta))

    def f_message(self, meta, c):
        kind, (message, message_span), sender, receiver = c
        return ast.FaultDecl(str(kind), None, False, message, message_span, sender, receiver,
                             None, self.sp(meta))

    def msg_one(self, meta, c):
        return str(c[0]), self.ts(c[0])

    def msg_any(self, meta, c):
        return None, self.sp(meta)

    def from_sel(self, meta, c):
        return c[0]

    def to_sel(self, meta, c):
        return c[0]

    def instances(self, meta, c):
        return ast.Instances(str(c[0]), c[1], self.sp(meta))

    def faults_total(self, meta, c):
        return ast.FaultsTotal(c[0], self.sp(meta))

    def expect(self, meta, c):
        return ("expect", str(c[0]), self.sp(meta))

    def deadlock(self, meta, c):
        return ("deadlock", str(c[0]) == "on", self.sp(meta))

    def bound(self, meta, c):
        digits = str(c[1]).lstrip("0") or "0"
        if len(digits) > len(str(MAX_BOUND)) or int(digits) > MAX_BOUND:
            size = f"a {len(digits)}-digit number" if len(digits) > 18 else digits
            self.errors.append(Diagnostic(
                "error", "PC409", f"bound {c[0]} may be at most {MAX_BOUND:,} (10^12), found "
                f"{size}", _tok_span(self.src, c[1]), self.src.line_text(c[1].line),
                "use a smaller bound, or leave it out to explore every reachable state"))
            return ("bound_" + str(c[0]), MAX_BOUND, self.sp(meta))
        return ("bound_" + str(c[0]), int(digits), self.sp(meta))

    def search(self, meta, c):
        return ("search", str(c[0]), self.sp(meta))

    def spec_file(self, meta, c):
        items = c[1:]
        settings: dict[str, tuple] = {}
        params = []
        for item in items:
            if isinstance(item, tuple) and item[0] == "param_fix":
                params.append(item[1])
            elif isinstance(item, tuple):
                settings[item[0]] = item
        model = settings.get("model")
        expect = settings.get("expect")
        return ast.Spec(
            name=str(c[0]),
            model_path=model[1] if model else None,
            model_span=model[2] if model else None,
            consts=tuple(i for i in items if isinstance(i, ast.SpecConst)),
            invariants=tuple(i for i in items if isinstance(i, ast.InvariantDecl)),
            expect=expect[1] if expect else None,
            expect_span=expect[2] if expect else None,
            deadlock=settings["deadlock"][1] if "deadlock" in settings else True,
            max_states=settings["bound_states"][1] if "bound_states" in settings else None,
            max_depth=settings["bound_depth"][1] if "bound_depth" in settings else None,
            search=settings["search"][1] if "search" in settings else "bfs",
            path=self.src.path,
            span=self.sp(meta),
            params=tuple(params),
            liveness=tuple(i for i in items if isinstance(i, ast.LivenessDecl)),
            fairness=settings["fairness"][1] if "fairness" in settings else None,
            fairness_span=settings["fairness"][2] if "fairness" in settings else None,
            faults=tuple(i for i in items if isinstance(i, ast.FaultDecl)),
            faults_totals=tuple(i for i in items if isinstance(i, ast.FaultsTotal)),
            terminates=tuple(i for i in items if isinstance(i, ast.TerminateDecl)),
        )


def _parse(source: Source, start: str, deadline: Deadline) -> Tree:
    # Token by token, so that the deadline is checked while parsing and a syntax error knows
    # the last good token (a missing `in` at the end of a line is reported there).
    interactive = _parser().parse_interactive(source.text, start=start)
    fed: Token | None = None  # the last token the parser accepted
    current: Token | None = None  # the token being fed
    # A keyword read as a name (`_as_name`) and the error it would have been, kept until the
    # token after it is accepted.
    held: tuple[Token, CheckError] | None = None
    n = 0
    while True:
        try:
            for token in interactive.iter_parse():
                if n % 1024 == 0:
                    deadline.check(f"parsing {source.path}")
                n += 1
                if held is not None and current is not held[0]:
                    held = None  # `current`, the token after the keyword, was accepted
                fed, current = current, token  # reaching the next token: `current` was accepted
            return interactive.feed_eof(current)
        except UnexpectedInput as err:
            if held is not None:  # the name did not fit either: the keyword was the mistake
                raise held[1] from None
            # What `Lark.parse` would have computed: every terminal the parser could take here.
            accepts = interactive.accepts() if isinstance(err, UnexpectedToken) else set()
            previous = fed if getattr(err, "token", None) is current else current
            error = CheckError([syntax_error(source, err, previous, accepts)])
            if not _as_name(interactive, err, accepts):
                raise error from None
            held, current = (err.token, error), err.token


def _as_name(interactive, err: UnexpectedInput, accepts: set[str]) -> bool:
    """Feed a keyword the parser cannot take as the name it is spelled like, where a name fits.

    The parser's state after an expression, a `;` or a `}` is shared by every place where one
    can end, so the contextual lexer reads every keyword that may follow one anywhere: a
    variable `state` assigned after `a = true` came as the keyword `state`, which the block
    then refused. Any run of the LALR automaton that ends in acceptance is a derivation, so
    this changes nothing for a text that parses; for one that does not, the keyword's own
    error is reported if the token after it does not fit either."""
    token = getattr(err, "token", None)
    if not isinstance(err, UnexpectedToken) or token is None or token.type == "NAME" \
            or "NAME" not in accepts or token.value not in _keywords():
        return False
    try:
        interactive.feed_token(Token.new_borrow_pos("NAME", token.value, token))
    except UnexpectedInput:
        return False
    return True


# ---------------------------------------------------------------- input limits
# Depth that comes from the user must not reach Python's own limits (recursion in the passes,
# parentheses and indentation in the generated code), so it is measured here, on Lark's tree and
# without recursion, before anything else walks it. Long chains of one associative operator
# (`a and b and c ...`, `x + y - z ...`, `x * y * z ...`) are first rebalanced into a tree of
# logarithmic depth: evaluation order, short-circuiting and values are unchanged.
MAX_EXPR_DEPTH = 50  # operators nested inside one another (parentheses alone do not count)
MAX_STMT_DEPTH = 32  # if / else if / choose / pick nested inside one another
MAX_INT_DIGITS = 18  # integer literals
MAX_BOUND = 10**12  # `bound states` / `bound depth`
_BALANCE_MIN = 9  # shorter chains keep their left-nested shape (and their exact spans)

_LEAVES = {"name", "int_lit", "true_lit", "false_lit", "self_ref", "sender_ref"}
_EXPR_NODES = {"field_access", "index", "call", "set_lit", "negate", "not_", "arith", "compare",
               "member", "not_member", "and_", "or_", "implies", "at_state", "domain", "forall",
               "exists"}
_STMT_NODES = {"if_stmt", "choose", "pick"}
_KEYWORD = {"not_": 3, "negate": 1, "forall": 6, "exists": 6, "if_stmt": 2, "choose": 6,
            "pick": 4}


def _chain_op(node) -> str | None:
    """The chain a node links: 'and', 'or', '+' (for + and -), '*'; None if it links none."""
    if not isinstance(node, Tree):
        return None
    if node.data in ("and_", "or_"):
        return node.data
    if node.data == "arith":
        op = str(node.children[1])
        return "+" if op in ("+", "-") else "*" if op == "*" else None
    return None


def _meta(first: Tree, last: Tree) -> Meta:
    m = Meta()
    m.empty = False
    m.line, m.column, m.start_pos = first.meta.line, first.meta.column, first.meta.start_pos
    m.end_line, m.end_column = last.meta.end_line, last.meta.end_column
    m.end_pos = last.meta.end_pos
    return m


class _Shape:
    """Rebalances long operator chains and enforces the nesting limits (PC104, PC105)."""

    def __init__(self, source: Source):
        self.src = source
        self.balanced: set[int] = set()

    def check(self, tree: Tree) -> None:
        stack = [(tree, 0, 0)]
        while stack:
            node, expr_depth, stmt_depth = stack.pop()
            if not isinstance(node, Tree):
                continue
            if id(node) not in self.balanced and _chain_op(node):
                self._rebalance(node)
            if node.data in _EXPR_NODES:
                expr_depth += 1
                if expr_depth > MAX_EXPR_DEPTH:
                    self._fail(node, "PC104", f"this expression nests operators more than "
                               f"{MAX_EXPR_DEPTH} deep, the limit",
                               "simplify it, or split it into several invariants, guards or "
                               "constants")
            elif node.data in _STMT_NODES:
                stmt_depth += 1
                if stmt_depth > MAX_STMT_DEPTH:
                    self._fail(node, "PC105", f"statements nest more than {MAX_STMT_DEPTH} deep "
                               "here (each if, else if, choose and pick is a level), the limit",
                               "flatten the conditions, or move the inner part into a step or "
                               "handler of its own")
            stack.extend((c, expr_depth, stmt_depth) for c in node.children)

    def _fail(self, node: Tree, code: str, message: str, hint: str) -> None:
        m = node.meta
        if node.data in _KEYWORD:
            end_line, end_column = m.line, m.column + _KEYWORD[node.data]
        else:
            end_line, end_column = m.end_line, m.end_column
        span = Span(self.src.path, m.line, m.column, end_line, end_column)
        raise CheckError([Diagnostic("error", code, message, span, self.src.line_text(m.line),
                                     hint)])

    def _rebalance(self, node: Tree) -> None:
        op = _chain_op(node)
        items = []  # (operator, operand) from the right; the first operand has no operator
        cur = node
        while _chain_op(cur) == op and id(cur) not in self.balanced:
            if op in ("and_", "or_"):
                items.append((op, cur.children[1]))
            else:
                items.append((str(cur.children[1]), cur.children[2]))
            cur = cur.children[0]
        if len(items) + 1 < _BALANCE_MIN:
            return
        terms = [("+" if op == "+" else op, cur)] + items[::-1]
        root = self._build(node.data, terms)
        node.children = root.children

    def _build(self, data: str, terms: list) -> Tree:
        """A balanced tree over terms [(op, operand)], the first op being the identity one.
        For + and -, a right half that starts with '-' is subtracted with its signs flipped."""
        if len(terms) == 1:
            return terms[0][1]
        mid = len(terms) // 2
        left, right = terms[:mid], terms[mid:]
        join = right[0][0]
        if join == "-":
            right = [("+", right[0][1])] + [("-" if o == "+" else "+", t) for o, t in right[1:]]
        elif join == "+":
            right = [("+", right[0][1])] + right[1:]
        a, b = self._build(data, left), self._build(data, right)
        if data == "arith":
            children = [a, Token("ADD_OP" if join in "+-" else "MUL_OP", join), b]
        else:
            children = [a, b]
        tree = Tree(data, children, meta=_meta(a, b))
        self.balanced.add(id(tree))
        return tree


def _to_ast(source: Source, start: str, deadline: Deadline):
    tree = _parse(source, start, deadline)
    deadline.check(f"parsing {source.path}")
    _Shape(source).check(tree)
    builder = _ToAst(source)
    result = builder.transform(tree)
    deadline.check(f"parsing {source.path}")
    if builder.errors:
        raise CheckError(builder.errors)
    return result


def parse_model(source: Source, deadline: Deadline = NO_DEADLINE) -> ast.Model:
    return _to_ast(source, "model_file", deadline)


def parse_spec(source: Source, deadline: Deadline = NO_DEADLINE) -> ast.Spec:
    return _to_ast(source, "spec_file", deadline)


def file_kind(source: Source) -> str:
    """'model' or 'spec', from the first keyword, so `protocheck parse` accepts either."""
    for line in source.text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//")):
            continue
        return "spec" if stripped.split()[0] == "spec" else "model"
    return "model"
