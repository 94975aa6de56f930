"""Walking the syntax trees of a model and a spec: every declaration and every name that refers
to one, for the symbol index (`checker.lsp.symbols`).

Built from the tree alone, so it works while the file has type errors. The tree carries spans of
whole declarations and statements; the name inside one is found by matching the few tokens that
precede it (`actor NAME`, `goto NAME`), comments between them included.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import fields, replace

from checker.dsl import ast
from checker.lsp.symbols import Decl, Index, Ref
from checker.record import record
from checker.source import Source, Span

_GAP = r"(?:\s|(?:#|//)[^\n]*)*"  # what may stand between two tokens
_NAME = r"([A-Za-z_][A-Za-z0-9_]*)"


def _kw(*words: str) -> re.Pattern:
    return re.compile(_GAP.join(words))


_DECL = {kind: _kw(word, _NAME) for kind, word in (
    ("actor", "actor"), ("state", "state"), ("message", "message"), ("shared", "shared"),
    ("const", "const"), ("enum", "enum"), ("param", "param"), ("timer", "timer"),
    ("group", "group"), ("step", "step"), ("invariant", "invariant"),
    ("liveness", "liveness"), ("goto", "goto"), ("start", "start"), ("cancel", "cancel"),
    ("on", "on"), ("pick", "pick"), ("quant", "(?:forall|exists)"))}
_VAR = _kw("(?:durable", ")?var", _NAME)
_TIMEOUT = _kw("on", "timeout", _NAME)
_CHANNEL = _kw("channel", _NAME, "->", _NAME)
_SET = _kw("set", "<", _NAME)
_TO_ALL = re.compile(r"\bto" + _GAP + "all" + _GAP + _NAME)
_SPEC_NAME = _kw("(?:const|param)", _NAME)


class _Text:
    """Offsets of a source's lines, to match tokens from a span's start."""

    def __init__(self, src: Source):
        self.src = src
        self.starts = [0] + [i + 1 for i, c in enumerate(src.text) if c == "\n"]

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column - 1 if 1 <= line <= len(self.starts) else 0

    def span(self, start: int, end: int) -> Span:
        line = bisect.bisect_right(self.starts, start)
        end_line = bisect.bisect_right(self.starts, end)
        return Span(self.src.path, line, start - self.starts[line - 1] + 1, end_line,
                    end - self.starts[end_line - 1] + 1)

    def names(self, span: Span, pattern: re.Pattern, search: bool = False) -> list[Span]:
        """The spans of the pattern's groups, matched at the span's start (or anywhere in the
        span, with `search`); [] when it does not match."""
        if span.line < 1:
            return []
        start = self.offset(span.line, span.column)
        end = self.offset(span.end_line, span.end_column) if search else len(self.src.text)
        m = (pattern.search if search else pattern.match)(self.src.text, start, end)
        return [self.span(m.start(g), m.end(g)) for g in range(1, pattern.groups + 1)] if m \
            else []


def _word(span: Span, name: str) -> Span:
    """The name at the start of a span (a field, a fault's actor)."""
    return Span(span.path, span.line, span.column, span.line, span.column + len(name))


@record
class _Ctx:
    actor: str = ""
    message: str = ""
    bound: tuple[Decl, ...] = ()


class Walker:
    """Collects the declarations and references of one file's syntax tree."""

    def __init__(self, src: Source):
        self.text = _Text(src)
        self.decls: list[Decl] = []
        self.refs: list[Ref] = []

    def decl(self, kind: str, name: str, node, pattern: re.Pattern | None, owner: str = "",
             at: Span | None = None) -> Decl | None:
        found = [at] if at is not None else self.text.names(node.span, pattern)
        if not found:
            return None
        d = Decl(kind, name, found[-1], owner, node)
        self.decls.append(d)
        return d

    def ref(self, name: str | None, span: Span | None, role: str, ctx: _Ctx,
            qualifier: str = "") -> None:
        if name and span is not None and span.line > 0:
            self.refs.append(Ref(name, span, role, ctx.actor, qualifier, ctx.message,
                                 ctx.bound))

    def named(self, span: Span, pattern: re.Pattern, name: str, role: str, ctx: _Ctx,
              search: bool = False) -> None:
        for s in self.text.names(span, pattern, search)[-1:]:
            self.ref(name, s, role, ctx)

    # ---- expressions and types
    def expr(self, e, ctx: _Ctx) -> None:
        if e is None:
            return
        if isinstance(e, ast.Name):
            self.ref(e.name, e.span, "expr", ctx)
        elif isinstance(e, ast.FieldAccess):
            self.expr(e.target, ctx)
            self.ref(e.field, e.field_span, "field", ctx, _qualifier(e.target))
        elif isinstance(e, ast.AtState):
            self.expr(e.target, ctx)
            self.ref(e.state, e.state_span, "at", ctx, _qualifier(e.target))
        elif isinstance(e, ast.Quant):
            self.domain(e.domain, ctx)
            self.expr(e.body, self.bind(e.var, e, _DECL["quant"], ctx))
        elif e is not None:  # any other expression: its operands
            for part in _parts(e):
                self.expr(part, ctx)

    def domain(self, d: ast.Domain, ctx: _Ctx) -> None:
        self.expr(d.low, ctx)
        self.expr(d.high, ctx)

    def bind(self, var: str, node, pattern: re.Pattern, ctx: _Ctx) -> _Ctx:
        d = self.decl("bound", var, node, pattern)
        return ctx if d is None else replace(ctx, bound=(d, *ctx.bound))

    def type(self, t, ctx: _Ctx) -> None:
        if isinstance(t, ast.NamedType):
            self.ref(t.name, t.span, "type", ctx)
        elif isinstance(t, ast.SetType):
            self.named(t.span, _SET, t.element, "type", ctx)
        elif isinstance(t, ast.RangeType):
            self.expr(t.low, ctx)
            self.expr(t.high, ctx)

    # ---- statements
    def body(self, stmts, ctx: _Ctx) -> None:
        for s in stmts:
            self.stmt(s, ctx)

    def stmt(self, s, ctx: _Ctx) -> None:
        if isinstance(s, (ast.Assign, ast.SetUpdate)):
            self.ref(s.target, s.target_span, "assign", ctx)
            self.expr(s.value, ctx)
        elif isinstance(s, ast.Send):
            self.ref(s.message, s.message_span, "message", ctx)
            for a in s.args:
                self.ref(a.field, _word(a.span, a.field), "field", replace(ctx, message=s.message),
                         "msg")
                self.expr(a.value, ctx)
            if s.to_all:
                self.named(s.span, _TO_ALL, s.to_all, "actor", ctx, search=True)
            self.expr(s.target, ctx)
        elif type(s) in _NAMING:  # goto S, start t, cancel t
            word, what = _NAMING[type(s)]
            self.named(s.span, _DECL[word], getattr(s, what), what, ctx)
        elif isinstance(s, ast.If):
            self.expr(s.cond, ctx)
            self.body(s.then, ctx)
            self.body(s.orelse, ctx)
        elif isinstance(s, ast.Choose):
            for branch in s.branches:
                self.body(branch, ctx)
        elif isinstance(s, ast.Pick):
            self.domain(s.domain, ctx)
            self.body(s.body, self.bind(s.var, s, _DECL["pick"], ctx))
        elif isinstance(s, ast.Assert):
            self.expr(s.cond, ctx)

    # ---- declarations
    def model(self, m: ast.Model) -> None:
        top = _Ctx()
        for c in m.consts:
            self.decl("const", c.name, c, _DECL["const"])
            self.type(c.type, top)
            self.expr(c.value, top)
        for e in m.enums:
            self.decl("enum", e.name, e, _DECL["enum"])
            for member, span in zip(e.members, e.member_spans):
                self.decl("member", member, e, None, e.name, span)
        for msg in m.messages:
            self.decl("message", msg.name, msg, _DECL["message"])
            for f in msg.fields:
                self.decl("field", f.name, f, None, msg.name, _word(f.span, f.name))
                self.type(f.type, top)
        for s in m.shared:
            self.decl("shared", s.name, s, _DECL["shared"])
            self.type(s.type, top)
            self.expr(s.init, top)
        for ch in m.channels:
            for name, span in zip((ch.sender, ch.receiver), self.text.names(ch.span, _CHANNEL)):
                self.ref(name, span, "actor", top)
            self.expr(ch.capacity, top)
        for p in m.params:
            self.decl("param", p.name, p, _DECL["param"])
            self.expr(p.low, top)
            self.expr(p.high, top)
        for a in m.assumes:
            self.expr(a.expr, top)
        for g in m.groups:
            self.decl("group", g.name, g, _DECL["group"])
            for name, span in zip(g.members, g.member_spans):
                self.ref(name, span, "actor", top)
        for actor in m.actors:
            self.actor(actor)

    def actor(self, a: ast.ActorDecl) -> None:
        self.decl("actor", a.name, a, _DECL["actor"])
        ctx = _Ctx(actor=a.name)
        self.expr(a.count, _Ctx())
        for v in a.vars:
            self.decl("variable", v.name, v, _VAR, a.name)
            self.type(v.type, ctx)
            self.expr(v.init, ctx)
        for s in a.states:
            self.decl("state", s.name, s, _DECL["state"], a.name)
        for t in a.timers:
            self.decl("timer", t.name, t, _DECL["timer"], a.name)
            self.expr(t.duration, ctx)
        for h in a.handlers:
            self.named(h.span, _DECL["on"], h.message, "message", ctx)
            self.ref(h.sender, h.sender_span, "actor", ctx)
            self.transition(h, replace(ctx, message=h.message))
        for s in a.steps:
            self.decl("step", s.name, s, _DECL["step"], a.name)
            self.transition(s, ctx)
        for t in a.timeouts:
            self.named(t.span, _TIMEOUT, t.timer, "timer", ctx)
            self.transition(t, ctx)
        for c in a.crash_handlers:
            self.ref(c.crashed, c.crashed_span, "actor", ctx)
            self.transition(c, ctx)
        for s in a.signal_handlers:
            self.transition(s, ctx)
        for r in a.restarts:
            self.body(r.body, ctx)

    def transition(self, t, ctx: _Ctx) -> None:
        for name, span in zip(t.states, t.state_spans):
            self.ref(name, span, "state", ctx)
        for e in getattr(t, "after", None) or ():
            self.expr(e, ctx)
        self.expr(t.guard, ctx)
        self.body(t.body, ctx)

    def spec(self, s: ast.Spec) -> None:
        top = _Ctx()
        self.ref(s.model_path, s.model_span, "model", top)  # go to definition opens it
        for role, items in (("const", s.consts), ("param", s.params)):
            for c in items:
                self.named(c.span, _SPEC_NAME, c.name, role, top)
                self.expr(c.value, top)
        for inv in s.invariants:
            self.decl("invariant", inv.name, inv, _DECL["invariant"])
            self.expr(inv.expr, top)
        for live in s.liveness:
            self.decl("liveness", live.name, live, _DECL["liveness"])
            ctx = top
            for var, dom in live.foralls:
                self.domain(dom, ctx)
                ctx = self.bind(var, live, re.compile(r"(?s).*?\bforall" + _GAP
                                                      + f"({re.escape(var)})" + r"\b"), ctx)
            for e in (live.p, live.q, live.within):
                self.expr(e, ctx)
        for f in s.faults:
            for inst in (f.target, f.sender, f.receiver):
                if inst is not None:
                    self.ref(inst.actor, _word(inst.span, inst.actor), "actor", top)
                    self.expr(inst.index, top)
            self.ref(f.message, f.message_span, "message", top)
            self.expr(f.budget, top)
        for t in s.faults_totals:
            self.expr(t.budget, top)
        for t in s.terminates:
            self.ref(t.target, t.target_span, "actor", top)
            self.expr(t.at, top)
            self.expr(t.grace, top)


# Statements that name one thing after their keyword: (keyword, the attribute and role).
_NAMING = {ast.Goto: ("goto", "state"), ast.StartTimer: ("start", "timer"),
           ast.CancelTimer: ("cancel", "timer")}


def _parts(e) -> list:
    """The operands of an expression node (an index, a call's arguments, a set's elements)."""
    out = []
    for f in fields(e):
        value = getattr(e, f.name)
        for v in value if isinstance(value, tuple) else (value,):
            if not isinstance(v, (Span, str, int, bool)) and v is not None:
                out.append(v)
    return out


def _qualifier(target) -> str:
    """What stands before `.v` or `at S`, as far as the syntax tells: a name (an actor, or a
    bound variable), `self`, or the actor of `A[i]`."""
    if isinstance(target, ast.Name):
        return target.name
    if isinstance(target, ast.SelfRef):
        return "self"
    if isinstance(target, ast.Index) and isinstance(target.target, ast.Name):
        return target.target.name
    return ""


def index_of(model: tuple[ast.Model, Source] | None,
             spec: tuple[ast.Spec, Source] | None = None) -> Index:
    """The index of a model, or of a spec over its model (either may be missing: a file that
    does not parse has no tree)."""
    decls: list[Decl] = []
    refs: list[Ref] = []
    sources = {}
    for tree, src, build in ((*model, Walker.model) if model else (None, None, None),
                             (*spec, Walker.spec) if spec else (None, None, None)):
        if tree is None:
            continue
        w = Walker(src)
        build(w, tree)
        decls += w.decls
        refs += w.refs
        sources[src.path] = src
    return Index(tuple(decls), tuple(refs), sources)
