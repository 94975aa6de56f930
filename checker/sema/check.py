"""Semantic analysis of models and specs: the AST becomes the typed IR, or every error is reported.

This module owns name resolution, typing, constant folding, the send graph (who sends which
message to whom, which decides the channels and the type of `sender`), and the warnings about
design smells such as a handler for a message that nothing sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from checker import ir
from checker.diagnostics import CheckError, Diagnostic, did_you_mean
from checker.dsl import ast
from checker.source import Source, Span

DEFAULT_CAPACITY = 4
BUILTIN_FUNCTIONS = ("size", "index", "pending")


class _NotConstant(Exception):
    pass


@dataclass
class _Scope:
    actor: str | None = None
    message: str | None = None
    sender: ir.RefT | None = None
    sender_problem: str = ""
    bound: dict[str, ir.Type] = field(default_factory=dict)
    in_spec: bool = False
    const_only: bool = False

    def with_bound(self, name: str, t: ir.Type) -> _Scope:
        bound = dict(self.bound)
        bound[name] = t
        return _Scope(self.actor, self.message, self.sender, self.sender_problem, bound,
                      self.in_spec, self.const_only)


@dataclass
class _ActorInfo:
    decl: ast.ActorDecl
    count: int
    vars: dict[str, ir.Variable]
    states: list[str]


class _Analyzer:
    def __init__(self, sources: dict[str, Source]):
        self.sources = sources
        self.diags: list[Diagnostic] = []
        self.muted = 0
        self.consts: dict[str, tuple[object, ir.Type]] = {}
        self.enums: dict[str, ir.EnumT] = {}
        self.members: dict[str, tuple[ir.EnumT, int]] = {}
        self.messages: dict[str, ir.Message] = {}
        self.shared: dict[str, ir.Variable] = {}
        self.actors: dict[str, _ActorInfo] = {}
        self.global_names: dict[str, str] = {}
        self.params: dict[str, ir.Param] = {}
        self.timers: dict[str, dict[str, ir.Lin]] = {}  # actor -> timer -> duration

    # ------------------------------------------------------------ diagnostics
    def error(self, code: str, message: str, span: Span, hint: str = "") -> None:
        if self.muted:
            return
        src = self.sources.get(span.path)
        text = src.line_text(span.line) if src else ""
        self.diags.append(Diagnostic("error", code, message, span, text, hint))

    def warning(self, code: str, message: str, span: Span, hint: str = "") -> None:
        if self.muted:
            return
        src = self.sources.get(span.path)
        text = src.line_text(span.line) if src else ""
        self.diags.append(Diagnostic("warning", code, message, span, text, hint))

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diags if d.severity == "error"]

    # ------------------------------------------------------------ global names
    def declare(self, name: str, kind: str, span: Span) -> bool:
        if name in self.global_names:
            self.error("PC201", f"'{name}' is already declared as {self.global_names[name]}", span)
            return False
        self.global_names[name] = kind
        return True

    # ------------------------------------------------------------ constants
    def const_eval(self, expr: ast.Expr, expected: str = "") -> tuple[object, ir.Type] | None:
        before = len(self.errors())
        typed = self.expr(expr, _Scope(const_only=True))
        if typed is None or len(self.errors()) > before:
            return None
        try:
            return fold(typed), typed.type
        except _NotConstant:
            self.error("PC301", f"{expected or 'this'} must be a constant expression", expr.span)
            return None
        except ZeroDivisionError:
            self.error("PC302", "division by zero in a constant expression", expr.span)
            return None

    def const_int(self, expr: ast.Expr, what: str) -> int | None:
        r = self.const_eval(expr, what)
        if r is None:
            return None
        value, t = r
        if not isinstance(t, ir.IntT):
            self.error("PC303", f"{what} must be an integer, found {t}", expr.span)
            return None
        return int(value)

    # ------------------------------------------------------------ types
    def type_of(self, t: ast.TypeExpr) -> ir.Type | None:
        if isinstance(t, ast.BoolType):
            return ir.BoolT()
        if isinstance(t, ast.RangeType):
            lo = self.const_int(t.low, "a range bound")
            hi = self.const_int(t.high, "a range bound")
            if lo is None or hi is None:
                return None
            if lo > hi:
                self.error("PC304", f"empty range {lo}..{hi}: the low bound exceeds the high",
                           t.span)
                return None
            return ir.IntT(lo, hi)
        if isinstance(t, ast.NamedType):
            if t.name in self.enums:
                return self.enums[t.name]
            if t.name in self.actors:
                return ir.RefT(t.name, self.actors[t.name].count)
            if t.name == "int":
                self.error("PC305", "integers must be bounded: write a range such as 0..5",
                           t.span)
                return None
            self.error("PC202", f"unknown type '{t.name}'", t.span,
                       did_you_mean(t.name, set(self.enums) | set(self.actors) | {"bool"}))
            return None
        if isinstance(t, ast.SetType):
            if t.element in self.enums:
                return ir.SetT(self.enums[t.element])
            if t.element in self.actors:
                return ir.SetT(ir.RefT(t.element, self.actors[t.element].count))
            self.error("PC202", f"unknown set element type '{t.element}' (sets hold enum "
                       "values or actor instances)", t.span,
                       did_you_mean(t.element, set(self.enums) | set(self.actors)))
            return None
        raise AssertionError(t)

    @staticmethod
    def default_value(t: ir.Type):
        """Zero-ish: false, the low bound, the first enum member, instance 0, the empty set."""
        if isinstance(t, ir.BoolT):
            return False
        if isinstance(t, ir.IntT):
            return t.lo
        return 0

    def init_value(self, t: ir.Type, init: ast.Expr | None, what: str):
        if init is None:
            return self.default_value(t)
        r = self.const_eval(init, f"the initial value of {what}")
        if r is None:
            return None
        value, vt = r
        if not ir.compatible(t, vt):
            self.error("PC306", f"type mismatch: {what} is {t} but its initial value is {vt}",
                       init.span)
            return None
        if isinstance(t, ir.IntT) and not (t.lo <= value <= t.hi):
            self.error("PC307", f"initial value {value} of {what} is outside {t}", init.span)
            return None
        return value

    # ------------------------------------------------------------ expressions
    def visible_names(self, scope: _Scope) -> set[str]:
        names = set(scope.bound) | set(self.consts) | set(self.members)
        if not scope.const_only:
            names |= set(self.shared) | set(self.actors)
            if scope.actor:
                names |= set(self.actors[scope.actor].vars)
            if scope.message:
                names.add("msg")
        return names

    def expr(self, e: ast.Expr, scope: _Scope) -> ir.Expr | None:
        method = getattr(self, "_e_" + type(e).__name__)
        return method(e, scope)

    def _e_IntLit(self, e: ast.IntLit, scope: _Scope):
        return ir.Lit(e.value, ir.IntT(e.value, e.value), e.span)

    def _e_BoolLit(self, e: ast.BoolLit, scope: _Scope):
        return ir.Lit(e.value, ir.BoolT(), e.span)

    def _e_SelfRef(self, e: ast.SelfRef, scope: _Scope):
        if scope.actor is None:
            self.error("PC203", "'self' is only meaningful inside an actor", e.span)
            return None
        return ir.SelfRef(ir.RefT(scope.actor, self.actors[scope.actor].count), e.span)

    def _e_SenderRef(self, e: ast.SenderRef, scope: _Scope):
        if scope.message is None:
            self.error("PC203", "'sender' is only meaningful inside an 'on' handler", e.span)
            return None
        if scope.sender is None:
            self.error("PC308", scope.sender_problem or "the sender of this message is unknown",
                       e.span, "name the sender with 'from Actor'")
            return None
        return ir.SenderRef(scope.sender, e.span)

    def _e_Name(self, e: ast.Name, scope: _Scope):
        n = e.name
        if n in scope.bound:
            return ir.Bound(n, scope.bound[n], e.span)
        if not scope.const_only:
            if n == "msg" and scope.message is not None:
                self.error("PC309", "'msg' is a message; read one of its fields, as in msg.field",
                           e.span)
                return None
            if scope.actor and n in self.actors[scope.actor].vars:
                v = self.actors[scope.actor].vars[n]
                return ir.LocalVar(scope.actor, n, v.type, e.span)
            if n in self.shared:
                return ir.SharedVar(n, self.shared[n].type, e.span)
        if n in self.consts:
            value, t = self.consts[n]
            return ir.Lit(value, t, e.span)
        if n in self.params:
            self.error("PC331", f"'{n}' is a timing parameter: it can only appear in timer "
                       "durations, 'after'/'within' bounds and 'assume'", e.span)
            return None
        if n in self.members:
            enum, idx = self.members[n]
            return ir.Lit(idx, enum, e.span)
        if n in self.actors:
            info = self.actors[n]
            if scope.const_only:
                self.error("PC301", f"actor '{n}' cannot appear in a constant expression",
                           e.span)
                return None
            if info.decl.count is not None:
                self.error("PC310", f"'{n}' is replicated; name one instance, as in {n}[0]",
                           e.span)
                return None
            return ir.Lit(0, ir.RefT(n, 1), e.span)
        if scope.const_only and (n in self.shared or any(n in a.vars for a in self.actors.values())):
            self.error("PC301", f"'{n}' is a variable; only constants may appear here", e.span)
            return None
        self.error("PC204", f"unknown name '{n}'", e.span,
                   did_you_mean(n, self.visible_names(scope)))
        return None

    def _e_FieldAccess(self, e: ast.FieldAccess, scope: _Scope):
        if isinstance(e.target, ast.Name) and e.target.name == "msg" and scope.message \
                and "msg" not in scope.bound:
            msg = self.messages[scope.message]
            for i, f in enumerate(msg.fields):
                if f.name == e.field:
                    return ir.MsgField(msg.name, f.name, i, f.type, e.span)
            self.error("PC205", f"message {msg.name} has no field '{e.field}'", e.field_span,
                       did_you_mean(e.field, {f.name for f in msg.fields}))
            return None
        target = self.expr(e.target, scope)
        if target is None:
            return None
        if not isinstance(target.type, ir.RefT):
            self.error("PC311", f"'.{e.field}' needs an actor instance on its left, found "
                       f"{target.type}", e.span)
            return None
        info = self.actors[target.type.actor]
        if e.field not in info.vars:
            self.error("PC206", f"actor {info.decl.name} has no variable '{e.field}'",
                       e.field_span, did_you_mean(e.field, set(info.vars)))
            return None
        v = info.vars[e.field]
        return ir.RemoteVar(target, info.decl.name, e.field, v.type, e.span)

    def _e_Index(self, e: ast.Index, scope: _Scope):
        if not (isinstance(e.target, ast.Name) and e.target.name in self.actors
                and e.target.name not in scope.bound):
            self.error("PC312", "only a replicated actor can be indexed, as in Invocation[0]",
                       e.span)
            return None
        info = self.actors[e.target.name]
        if info.decl.count is None:
            self.error("PC312", f"'{info.decl.name}' is a single actor, not replicated; "
                       "drop the index", e.span)
            return None
        idx = self.expr(e.index, scope)
        if idx is None:
            return None
        if not isinstance(idx.type, ir.IntT):
            self.error("PC313", f"an instance index must be an integer, found {idx.type}",
                       e.index.span)
            return None
        if isinstance(idx, ir.Lit) and not (0 <= idx.value < info.count):
            self.error("PC314", f"instance index {idx.value} is out of range: {info.decl.name} "
                       f"has instances 0..{info.count - 1}", e.index.span)
            return None
        return ir.Instance(idx, ir.RefT(info.decl.name, info.count), e.span)

    def _e_Call(self, e: ast.Call, scope: _Scope):
        if e.func == "pending":
            if scope.const_only:
                self.error("PC301", "pending() cannot appear in a constant expression", e.span)
                return None
            if not (1 <= len(e.args) <= 2) or not isinstance(e.args[0], ast.Name):
                self.error("PC315", "pending takes a message type and optionally a receiver: "
                           "pending(Msg) or pending(Msg, Actor)", e.span)
                return None
            m = e.args[0].name
            if m not in self.messages:
                self.error("PC207", f"unknown message '{m}'", e.args[0].span,
                           did_you_mean(m, set(self.messages)))
                return None
            receiver = None
            ractor = None
            if len(e.args) == 2:
                receiver = self.expr(e.args[1], scope)
                if receiver is None:
                    return None
                if not isinstance(receiver.type, ir.RefT):
                    self.error("PC315", f"the receiver must be an actor instance, found "
                               f"{receiver.type}", e.args[1].span)
                    return None
                ractor = receiver.type.actor
            return ir.Pending(m, receiver, ractor, e.span)
        if e.func not in ("size", "index"):
            self.error("PC208", f"unknown function '{e.func}'", e.span,
                       did_you_mean(e.func, set(BUILTIN_FUNCTIONS)))
            return None
        if len(e.args) != 1:
            self.error("PC315", f"{e.func} takes exactly one argument", e.span)
            return None
        arg = self.expr(e.args[0], scope)
        if arg is None:
            return None
        if e.func == "size":
            if not isinstance(arg.type, ir.SetT):
                self.error("PC315", f"size() needs a set, found {arg.type}", e.args[0].span)
                return None
            return ir.Size(arg, e.span)
        if not isinstance(arg.type, ir.RefT):
            self.error("PC315", f"index() needs an actor instance, found {arg.type}",
                       e.args[0].span)
            return None
        return ir.IndexOf(arg, e.span)

    def _e_SetLit(self, e: ast.SetLit, scope: _Scope):
        elems = []
        elem_t = None
        for el in e.elements:
            t = self.expr(el, scope)
            if t is None:
                return None
            if not isinstance(t.type, (ir.EnumT, ir.RefT)):
                self.error("PC316", f"set elements must be enum values or actor instances, "
                           f"found {t.type}", el.span)
                return None
            if elem_t is not None and t.type != elem_t:
                self.error("PC306", f"type mismatch in set literal: {elem_t} and {t.type}",
                           el.span)
                return None
            elem_t = t.type
            elems.append(t)
        return ir.SetLit(tuple(elems), ir.SetT(elem_t), e.span)

    def _e_Unary(self, e: ast.Unary, scope: _Scope):
        x = self.expr(e.operand, scope)
        if x is None:
            return None
        if e.op == "not":
            if not isinstance(x.type, ir.BoolT):
                self.error("PC317", f"'not' needs a bool, found {x.type}", e.operand.span)
                return None
            return ir.Unary("not", x, ir.BoolT(), e.span)
        if not isinstance(x.type, ir.IntT):
            self.error("PC317", f"'-' needs an integer, found {x.type}", e.operand.span)
            return None
        return ir.Unary("-", x, ir.IntT(), e.span)

    def _e_Binary(self, e: ast.Binary, scope: _Scope):
        left = self.expr(e.left, scope)
        right = self.expr(e.right, scope)
        if left is None or right is None:
            return None
        op = e.op
        lt, rt = left.type, right.type
        if op in ("+", "-", "*", "/", "%"):
            for side, t in ((e.left, lt), (e.right, rt)):
                if not isinstance(t, ir.IntT):
                    self.error("PC317", f"'{op}' needs integers, found {t}", side.span)
                    return None
            return ir.Binary(op, left, right, ir.IntT(), e.span)
        if op in ("and", "or", "implies"):
            for side, t in ((e.left, lt), (e.right, rt)):
                if not isinstance(t, ir.BoolT):
                    self.error("PC317", f"'{op}' needs bools, found {t}", side.span)
                    return None
            return ir.Binary(op, left, right, ir.BoolT(), e.span)
        if op in ("==", "!="):
            if not (ir.compatible(lt, rt) or ir.compatible(rt, lt)):
                self.error("PC306", f"type mismatch: cannot compare {lt} with {rt}", e.span)
                return None
            return ir.Binary(op, left, right, ir.BoolT(), e.span)
        if op in ("<", "<=", ">", ">="):
            for side, t in ((e.left, lt), (e.right, rt)):
                if not isinstance(t, ir.IntT):
                    self.error("PC317", f"'{op}' needs integers, found {t}", side.span)
                    return None
            return ir.Binary(op, left, right, ir.BoolT(), e.span)
        if op in ("in", "notin"):
            if not isinstance(rt, ir.SetT):
                self.error("PC317", f"'in' needs a set on its right, found {rt}", e.right.span)
                return None
            if rt.element is not None and lt != rt.element:
                self.error("PC306", f"type mismatch: {lt} cannot be a member of {rt}",
                           e.left.span)
                return None
            return ir.Binary(op, left, right, ir.BoolT(), e.span)
        raise AssertionError(op)

    def _e_AtState(self, e: ast.AtState, scope: _Scope):
        if scope.const_only:
            self.error("PC301", "'at' cannot appear in a constant expression", e.span)
            return None
        target = self.expr(e.target, scope)
        if target is None:
            return None
        if not isinstance(target.type, ir.RefT):
            self.error("PC311", f"'at' needs an actor instance on its left, found {target.type}",
                       e.target.span)
            return None
        info = self.actors[target.type.actor]
        if e.state not in info.states:
            self.error("PC209", f"actor {info.decl.name} has no state '{e.state}'", e.state_span,
                       did_you_mean(e.state, set(info.states)))
            return None
        return ir.At(target, info.decl.name, info.states.index(e.state), e.state, e.span)

    def domain(self, d: ast.Domain, scope: _Scope) -> ir.Domain | None:
        if d.high is not None:
            lo = self.expr(d.low, scope)
            hi = self.expr(d.high, scope)
            if lo is None or hi is None:
                return None
            for side, t in ((d.low, lo), (d.high, hi)):
                if not isinstance(t.type, ir.IntT):
                    self.error("PC317", f"a range bound must be an integer, found {t.type}",
                               side.span)
                    return None
            if isinstance(lo, ir.Lit) and isinstance(hi, ir.Lit):
                elem = ir.IntT(lo.value, hi.value)
            else:
                elem = ir.IntT()
            return ir.Domain("range", lo, hi, None, elem, d.span)
        if isinstance(d.low, ast.Name) and d.low.name not in scope.bound:
            n = d.low.name
            if n in self.enums:
                return ir.Domain("type", None, None, None, self.enums[n], d.span)
            if n in self.actors:
                return ir.Domain("type", None, None, None,
                                 ir.RefT(n, self.actors[n].count), d.span)
        s = self.expr(d.low, scope)
        if s is None:
            return None
        if not isinstance(s.type, ir.SetT):
            self.error("PC318", f"cannot range over {s.type}: use an actor, an enum, a set or "
                       "a range lo..hi", d.span)
            return None
        if s.type.element is None:
            self.error("PC318", "cannot range over the empty set literal", d.span)
            return None
        return ir.Domain("set", None, None, s, s.type.element, d.span)

    def _e_Quant(self, e: ast.Quant, scope: _Scope):
        dom = self.domain(e.domain, scope)
        if dom is None:
            return None
        body = self.expr(e.body, scope.with_bound(e.var, dom.element))
        if body is None:
            return None
        if not isinstance(body.type, ir.BoolT):
            self.error("PC317", f"the body of '{e.kind}' must be a bool, found {body.type}",
                       e.body.span)
            return None
        return ir.Quant(e.kind, e.var, dom, body, e.span)

    def bool_expr(self, e: ast.Expr, scope: _Scope, what: str) -> ir.Expr | None:
        x = self.expr(e, scope)
        if x is None:
            return None
        if not isinstance(x.type, ir.BoolT):
            self.error("PC319", f"{what} must be a bool, found {x.type}", e.span)
            return None
        return x

    # ------------------------------------------------------------ statements
    def block(self, stmts: tuple[ast.Stmt, ...], scope: _Scope, sends: list) -> tuple:
        out = []
        for s in stmts:
            r = self.stmt(s, scope, sends)
            if r is not None:
                out.append(r)
        return tuple(out)

    def stmt(self, s: ast.Stmt, scope: _Scope, sends: list):
        if isinstance(s, ast.Skip):
            return None
        if isinstance(s, (ast.StartTimer, ast.CancelTimer)):
            timers = self.timers.get(scope.actor, {})
            if s.timer not in timers:
                self.error("PC214", f"actor {scope.actor} has no timer '{s.timer}'", s.span,
                           did_you_mean(s.timer, set(timers)))
                return None
            value = ir.TIMER_STARTED if isinstance(s, ast.StartTimer) else ir.TIMER_OFF
            return ir.Assign("local", ir.timer_var(s.timer), ir.Lit(value, ir.TIMER_T, s.span),
                             ir.TIMER_T, False, s.span)
        if isinstance(s, ast.Assign):
            return self.assign(s, scope)
        if isinstance(s, ast.SetUpdate):
            return self.set_update(s, scope)
        if isinstance(s, ast.Send):
            return self.send(s, scope, sends)
        if isinstance(s, ast.Goto):
            info = self.actors[scope.actor]
            if s.state not in info.states:
                self.error("PC209", f"actor {info.decl.name} has no state '{s.state}'", s.span,
                           did_you_mean(s.state, set(info.states)))
                return None
            return ir.Goto(info.states.index(s.state), s.state, s.span)
        if isinstance(s, ast.If):
            cond = self.bool_expr(s.cond, scope, "an 'if' condition")
            then = self.block(s.then, scope, sends)
            orelse = self.block(s.orelse, scope, sends)
            return ir.If(cond, then, orelse, s.span) if cond is not None else None
        if isinstance(s, ast.Choose):
            return ir.Choose(tuple(self.block(b, scope, sends) for b in s.branches), s.span)
        if isinstance(s, ast.Pick):
            dom = self.domain(s.domain, scope)
            if dom is None:
                return None
            body = self.block(s.body, scope.with_bound(s.var, dom.element), sends)
            return ir.Pick(s.var, dom, body, s.span)
        if isinstance(s, ast.Assert):
            cond = self.bool_expr(s.cond, scope, "an assertion")
            if cond is None:
                return None
            src = self.sources.get(s.span.path)
            text = s.message or (src.line_text(s.span.line).strip() if src else "assert")
            return ir.Assert(cond, text, s.span)
        raise AssertionError(s)

    def _target_var(self, name: str, span: Span, scope: _Scope) -> tuple[str, ir.Variable] | None:
        if name in scope.bound:
            self.error("PC320", f"'{name}' is bound by pick/forall and cannot be assigned", span)
            return None
        info = self.actors[scope.actor]
        if name in info.vars:
            return "local", info.vars[name]
        if name in self.shared:
            return "shared", self.shared[name]
        if name in self.consts:
            self.error("PC320", f"'{name}' is a constant and cannot be assigned", span)
            return None
        self.error("PC210", f"unknown variable '{name}'", span,
                   did_you_mean(name, set(info.vars) | set(self.shared)))
        return None

    def assign(self, s: ast.Assign, scope: _Scope):
        target = self._target_var(s.target, s.target_span, scope)
        value = self.expr(s.value, scope)
        if target is None or value is None:
            return None
        where, var = target
        if not ir.compatible(var.type, value.type):
            self.error("PC306", f"type mismatch: '{s.target}' is {var.type} but the value is "
                       f"{value.type}", s.value.span)
            return None
        check = False
        if isinstance(var.type, ir.IntT):
            lo, hi = static_range(value)
            if lo is not None and (hi < var.type.lo or lo > var.type.hi):
                self.error("PC307", f"value {lo if lo == hi else f'{lo}..{hi}'} is outside "
                           f"{var.type}, the type of '{s.target}'", s.value.span)
                return None
            check = lo is None or lo < var.type.lo or hi > var.type.hi
        return ir.Assign(where, s.target, value, var.type, check, s.span)

    def set_update(self, s: ast.SetUpdate, scope: _Scope):
        if s.method not in ("add", "remove"):
            self.error("PC321", f"unknown set operation '{s.method}'; use add or remove", s.span,
                       did_you_mean(s.method, {"add", "remove"}))
            return None
        target = self._target_var(s.target, s.target_span, scope)
        value = self.expr(s.value, scope)
        if target is None or value is None:
            return None
        where, var = target
        if not isinstance(var.type, ir.SetT):
            self.error("PC321", f"'{s.target}' is {var.type}, not a set", s.target_span)
            return None
        if value.type != var.type.element:
            self.error("PC306", f"type mismatch: {value.type} cannot be a member of {var.type}",
                       s.value.span)
            return None
        current = (ir.LocalVar(scope.actor, s.target, var.type, s.target_span) if where == "local"
                   else ir.SharedVar(s.target, var.type, s.target_span))
        op = "setadd" if s.method == "add" else "setremove"
        return ir.Assign(where, s.target, ir.Binary(op, current, value, var.type, s.span),
                         var.type, False, s.span)

    def send(self, s: ast.Send, scope: _Scope, sends: list):
        if s.message not in self.messages:
            self.error("PC207", f"unknown message '{s.message}'", s.message_span,
                       did_you_mean(s.message, set(self.messages)))
            return None
        msg = self.messages[s.message]
        given: dict[str, ir.Expr] = {}
        ok = True
        for arg in s.args:
            f = next((f for f in msg.fields if f.name == arg.field), None)
            if f is None:
                self.error("PC205", f"message {msg.name} has no field '{arg.field}'", arg.span,
                           did_you_mean(arg.field, {f.name for f in msg.fields}))
                ok = False
                continue
            if arg.field in given:
                self.error("PC211", f"field '{arg.field}' is given twice", arg.span)
                ok = False
                continue
            v = self.expr(arg.value, scope)
            if v is None:
                ok = False
                continue
            if not ir.compatible(f.type, v.type):
                self.error("PC306", f"type mismatch: field '{f.name}' of {msg.name} is {f.type} "
                           f"but the value is {v.type}", arg.value.span)
                ok = False
                continue
            if isinstance(f.type, ir.IntT):
                lo, hi = static_range(v)
                if lo is not None and (lo < f.type.lo or hi > f.type.hi):
                    self.error("PC307", f"value {lo if lo == hi else f'{lo}..{hi}'} is outside "
                               f"{f.type}, the type of field '{f.name}'", arg.value.span)
                    ok = False
                    continue
            given[arg.field] = v
        missing = [f.name for f in msg.fields if f.name not in given]
        if ok and missing:
            self.error("PC212", f"send {msg.name} is missing field(s): {', '.join(missing)}",
                       s.span)
            ok = False
        if s.to_all is not None:
            if s.to_all not in self.actors:
                self.error("PC213", f"unknown actor '{s.to_all}'", s.span,
                           did_you_mean(s.to_all, set(self.actors)))
                return None
            receiver = s.to_all
            target = None
        else:
            target = self.expr(s.target, scope)
            if target is None:
                return None
            if not isinstance(target.type, ir.RefT):
                self.error("PC311", f"a message must be sent to an actor instance, found "
                           f"{target.type}", s.target.span)
                return None
            receiver = target.type.actor
        if not ok:
            return None
        sends.append((scope.actor, msg.name, receiver, s.span))
        args = tuple(given[f.name] for f in msg.fields)
        return ir.Send(msg.name, args, receiver, target, s.span)

    # ------------------------------------------------------------ time
    def lin(self, e: ast.Expr, what: str) -> ir.Lin | None:
        """A duration or bound: linear in the params, with constant coefficients."""
        def go(x):
            if isinstance(x, ast.IntLit):
                return {}, Fraction(x.value)
            if isinstance(x, ast.Name):
                if x.name in self.params:
                    return {x.name: Fraction(1)}, Fraction(0)
                if x.name in self.consts and isinstance(self.consts[x.name][1], ir.IntT):
                    return {}, Fraction(self.consts[x.name][0])
                self.error("PC330", f"{what} may use only numbers, integer constants and "
                           f"params; '{x.name}' is not one", x.span,
                           did_you_mean(x.name, set(self.params) | set(self.consts)))
                raise _NotConstant()
            if isinstance(x, ast.Unary) and x.op == "-":
                t, c = go(x.operand)
                return {k: -v for k, v in t.items()}, -c
            if isinstance(x, ast.Binary) and x.op in ("+", "-"):
                lt, lc = go(x.left)
                rt, rc = go(x.right)
                sign = 1 if x.op == "+" else -1
                terms = dict(lt)
                for k, v in rt.items():
                    terms[k] = terms.get(k, 0) + sign * v
                return terms, lc + sign * rc
            if isinstance(x, ast.Binary) and x.op in ("*", "/"):
                lt, lc = go(x.left)
                rt, rc = go(x.right)
                if x.op == "*" and (not lt or not rt):
                    k, (t, c) = (lc, (rt, rc)) if not lt else (rc, (lt, lc))
                    return {n: k * v for n, v in t.items()}, k * c
                if x.op == "/" and not rt and rc != 0:
                    return {n: v / rc for n, v in lt.items()}, lc / rc
            self.error("PC330", f"{what} must be linear in the params (sums, differences and "
                       "multiples of numbers, constants and params)", x.span)
            raise _NotConstant()
        try:
            terms, const = go(e)
        except _NotConstant:
            return None
        return ir.Lin(tuple(sorted((k, v) for k, v in terms.items() if v != 0)), const)

    def assumption(self, e: ast.Expr, out: list) -> None:
        if isinstance(e, ast.Binary) and e.op == "and":
            self.assumption(e.left, out)
            self.assumption(e.right, out)
            return
        if not (isinstance(e, ast.Binary) and e.op in ("<", "<=", "==", ">=", ">")):
            self.error("PC333", "an assumption must be comparisons between linear expressions "
                       "over params, joined by 'and'", e.span)
            return
        left = self.lin(e.left, "an assumption")
        right = self.lin(e.right, "an assumption")
        if left is not None and right is not None:
            src = self.sources.get(e.span.path)
            out.append(ir.Assumption(left, e.op, right, src.slice(e.span) if src else "",
                                     e.span))

    # ------------------------------------------------------------ whole model
    def model(self, m: ast.Model, overrides: dict[str, ast.SpecConst]) -> ir.Model | None:
        # Names first, so that later declarations can refer to earlier and later ones alike.
        for e in m.enums:
            if self.declare(e.name, "an enum", e.span):
                members = []
                for name, span in zip(e.members, e.member_spans):
                    if name in members:
                        self.error("PC201", f"enum member '{name}' is listed twice", span)
                        continue
                    if self.declare(name, f"a member of enum {e.name}", span):
                        members.append(name)
                t = ir.EnumT(e.name, tuple(members))
                self.enums[e.name] = t
                for i, name in enumerate(members):
                    self.members[name] = (t, i)
        for c in m.consts:
            if not self.declare(c.name, "a constant", c.span):
                continue
            expr = overrides[c.name].value if c.name in overrides else c.value
            r = self.const_eval(expr, f"constant {c.name}")
            if r is None:
                self.consts[c.name] = (0, ir.IntT())  # keep the name: no cascade of errors
                continue
            value, t = r
            if c.type is not None:
                declared = self.type_of(c.type)
                if declared is None:
                    self.consts[c.name] = (value, t)
                    continue
                where = overrides[c.name].span if c.name in overrides else c.value.span
                if not ir.compatible(declared, t):
                    self.error("PC306", f"type mismatch: constant {c.name} is {declared} but "
                               f"its value is {t}", where)
                    self.consts[c.name] = (self.default_value(declared), declared)
                    continue
                if isinstance(declared, ir.IntT) and not (declared.lo <= value <= declared.hi):
                    self.error("PC401", f"constant {c.name} = {value} is outside its declared "
                               f"range {declared}", where)
                    self.consts[c.name] = (declared.lo, declared)
                    continue
                t = declared
            elif isinstance(t, ir.IntT):
                t = ir.IntT(value, value)
            elif c.name in overrides:
                orig = self.const_eval(c.value, f"constant {c.name}")
                if orig is not None and not ir.compatible(orig[1], t):
                    self.error("PC306", f"type mismatch: constant {c.name} is {orig[1]} in the "
                               f"model but the spec sets it to {t}", overrides[c.name].span)
                    continue
            self.consts[c.name] = (value, t)
        for name, sc in overrides.items():
            if name not in {c.name for c in m.consts}:
                self.error("PC402", f"model {m.name} has no constant '{name}'", sc.span,
                           did_you_mean(name, {c.name for c in m.consts}))
        for p in m.params:
            if not self.declare(p.name, "a param", p.span):
                continue
            if p.kind not in ("int", "real"):
                self.error("PC332", f"a param is 'int' or 'real', not '{p.kind}'", p.span)
                continue
            lo = self.const_int(p.low, "a param bound")
            hi = self.const_int(p.high, "a param bound")
            if lo is None or hi is None:
                continue
            if lo > hi or lo < 0:
                self.error("PC304", f"param range {lo}..{hi} must be non-empty and non-negative",
                           p.span)
                continue
            self.params[p.name] = ir.Param(p.name, p.kind, lo, hi, p.span)
        for a in m.actors:
            if not self.declare(a.name, "an actor", a.span):
                continue
            count = 1
            if a.count is not None:
                n = self.const_int(a.count, f"the instance count of {a.name}")
                if n is None:
                    n = 1
                elif n < 1:
                    self.error("PC403", f"actor {a.name} needs at least one instance, "
                               f"found {n}", a.count.span)
                    n = 1
                count = n
            states: list[str] = []
            for st in a.states:
                if st.name in states:
                    self.error("PC201", f"state '{st.name}' is declared twice in {a.name}",
                               st.span)
                else:
                    states.append(st.name)
            self.actors[a.name] = _ActorInfo(a, count, {}, states)
        for msg in m.messages:
            if not self.declare(msg.name, "a message", msg.span):
                continue
            fields = []
            seen = set()
            for f in msg.fields:
                if f.name in seen:
                    self.error("PC201", f"field '{f.name}' is declared twice in {msg.name}",
                               f.span)
                    continue
                seen.add(f.name)
                t = self.type_of(f.type)
                if t is not None:
                    fields.append(ir.Variable(f.name, t, None, f.span))
            self.messages[msg.name] = ir.Message(msg.name, tuple(fields), msg.span)
        for sh in m.shared:
            if not self.declare(sh.name, "a shared variable", sh.span):
                continue
            t = self.type_of(sh.type)
            if t is None:
                continue
            init = self.init_value(t, sh.init, f"shared variable '{sh.name}'")
            if init is not None:
                self.shared[sh.name] = ir.Variable(sh.name, t, init, sh.span)
        for a in m.actors:
            info = self.actors.get(a.name)
            if info is None or info.decl is not a:
                continue
            for v in a.vars:
                if v.name in info.vars:
                    self.error("PC201", f"variable '{v.name}' is declared twice in {a.name}",
                               v.span)
                    continue
                if v.name in self.shared:
                    self.error("PC201", f"variable '{v.name}' in {a.name} hides the shared "
                               f"variable of the same name", v.span)
                    continue
                t = self.type_of(v.type)
                if t is None:
                    continue
                init = self.init_value(t, v.init, f"'{a.name}.{v.name}'")
                if init is not None:
                    info.vars[v.name] = ir.Variable(v.name, t, init, v.span)
            timers: dict[str, ir.Lin] = {}
            for t in a.timers:
                if t.name in timers:
                    self.error("PC201", f"timer '{t.name}' is declared twice in {a.name}", t.span)
                    continue
                d = self.lin(t.duration, "a timer duration")
                if d is not None:
                    timers[t.name] = d
                    info.vars[ir.timer_var(t.name)] = ir.Variable(ir.timer_var(t.name),
                                                                  ir.TIMER_T, 0, t.span)
            self.timers[a.name] = timers
            initials = [s for s in a.states if s.initial]
            if not a.states:
                self.error("PC322", f"actor {a.name} declares no states; add one, as in "
                           "'state Running initial'", a.span)
            elif not initials:
                self.error("PC322", f"actor {a.name} has no initial state; mark one with "
                           "'initial'", a.span)
            elif len(initials) > 1:
                self.error("PC322", f"actor {a.name} has more than one initial state",
                           initials[1].span)
        self._assumes: list[ir.Assumption] = []
        for asm in m.assumes:
            self.assumption(asm.expr, self._assumes)
        self._fixed: list[tuple[str, Fraction]] = []
        for sc in self._param_fixes:
            if sc.name not in self.params:
                self.error("PC402", f"model {m.name} has no param '{sc.name}'", sc.span,
                           did_you_mean(sc.name, set(self.params)))
                continue
            p = self.params[sc.name]
            r = self.const_eval(sc.value, f"param {sc.name}")
            if r is None:
                continue
            if not isinstance(r[1], ir.IntT) or not (p.lo <= r[0] <= p.hi):
                self.error("PC401", f"param {sc.name} = {r[0]} is outside its range "
                           f"{p.lo}..{p.hi}", sc.span)
                continue
            value = Fraction(r[0])
            self._fixed.append((sc.name, value))
            src = self.sources.get(sc.span.path)
            self._assumes.append(ir.Assumption(ir.Lin(((sc.name, Fraction(1)),), Fraction(0)),
                                               "==", ir.Lin((), value),
                                               src.slice(sc.span) if src else "", sc.span))
        channels = self.channels(m)
        if self.errors():
            return None
        actors = self.bodies(m, channels)
        if self.errors() or actors is None:
            return None
        return ir.Model(
            name=m.name,
            path=m.path,
            consts={k: v for k, (v, _) in self.consts.items()},
            enums=tuple(self.enums.values()),
            messages=tuple(self.messages.values()),
            shared=tuple(self.shared.values()),
            actors=actors,
            channels=channels[2],
            const_display={k: ir.format_value(t, v) for k, (v, t) in self.consts.items()},
            params=tuple(self.params.values()),
            assumes=tuple(self._assumes),
            fixed_params=tuple(self._fixed),
        )

    def channels(self, m: ast.Model):
        default_cap = DEFAULT_CAPACITY
        default_ordered = True
        pairs: dict[tuple[str, str], ast.ChannelDecl] = {}
        for c in m.channels:
            if c.sender is None:
                if c.capacity is not None:
                    cap = self.const_int(c.capacity, "a channel capacity")
                    if cap is not None:
                        if cap < 1:
                            self.error("PC404", f"a channel capacity must be at least 1, "
                                       f"found {cap}", c.capacity.span)
                        default_cap = cap
                if c.ordering is not None:
                    default_ordered = c.ordering == "fifo"
                continue
            for name in (c.sender, c.receiver):
                if name not in self.actors:
                    self.error("PC213", f"unknown actor '{name}' in channel declaration",
                               c.span, did_you_mean(name, set(self.actors)))
            if (c.sender, c.receiver) in pairs:
                self.error("PC201", f"channel {c.sender} -> {c.receiver} is declared twice",
                           c.span)
            pairs[(c.sender, c.receiver)] = c
        return default_cap, default_ordered, pairs

    def bodies(self, m: ast.Model, channels) -> tuple[ir.Actor, ...] | None:
        default_cap, default_ordered, declared = channels
        # The type of `sender` in a handler without `from` depends on who sends that message,
        # which depends on the types of send targets, which may mention `sender`: iterate.
        sender_of: dict[int, str | None] = {}
        for a in m.actors:
            for h in a.handlers:
                sender_of[id(h)] = h.sender
        for _ in range(len(sender_of) + 1):
            self.muted += 1
            sends: list = []
            try:
                self._all_bodies(m, sender_of, sends)
            finally:
                self.muted -= 1
            changed = False
            for a in m.actors:
                for h in a.handlers:
                    if sender_of[id(h)] is None:
                        cands = sorted({s for s, msg, r, _ in sends
                                        if msg == h.message and r == a.name})
                        if len(cands) == 1:
                            sender_of[id(h)] = cands[0]
                            changed = True
            if not changed:
                break
        sends = []
        actors = self._all_bodies(m, sender_of, sends)
        edges = {(s, msg, r) for s, msg, r, _ in sends}
        pairs = {(s, r) for s, _, r in edges}
        chans = []
        for (s, r) in sorted(pairs, key=lambda p: (self._order(m, p[0]), self._order(m, p[1]))):
            decl = declared.get((s, r))
            cap, ordered = default_cap, default_ordered
            if decl is not None:
                if decl.capacity is not None:
                    c = self.const_int(decl.capacity, "a channel capacity")
                    if c is not None and c < 1:
                        self.error("PC404", f"a channel capacity must be at least 1, found {c}",
                                   decl.capacity.span)
                    elif c is not None:
                        cap = c
                if decl.ordering is not None:
                    ordered = decl.ordering == "fifo"
            chans.append(ir.Channel(s, r, cap, ordered))
        for (s, r), decl in declared.items():
            if (s, r) not in pairs and s in self.actors and r in self.actors:
                self.warning("PW002", f"channel {s} -> {r} is declared but {s} never sends "
                             f"to {r}", decl.span)
        # Handlers: which channels they read, and whether anything can ever arrive.
        result = []
        for a, actor in zip(m.actors, actors):
            handlers = []
            for h, hi in zip(a.handlers, actor.handlers):
                senders = tuple(sorted({s for s, msg, r in edges
                                        if msg == h.message and r == a.name},
                                       key=lambda n: self._order(m, n)))
                if h.sender is not None:
                    if h.sender not in senders:
                        self.warning("PW001", f"no {h.sender} ever sends {h.message} to "
                                     f"{a.name}; this handler can never fire", h.span)
                    senders = (h.sender,) if h.sender in senders else ()
                elif not senders and h.message in self.messages:
                    self.warning("PW001", f"nothing ever sends {h.message} to {a.name}; this "
                                 "handler can never fire", h.span)
                handlers.append(ir.Handler(hi.actor, hi.message, senders, hi.states, hi.guard,
                                           hi.body, hi.span))
            result.append(ir.Actor(actor.name, actor.count, actor.replicated, actor.vars,
                                   actor.states, actor.initial, actor.finals, tuple(handlers),
                                   actor.steps, actor.span,
                                   tuple(self.timers.get(actor.name, {}).items())))
        self._channel_list = chans
        return tuple(result)

    @staticmethod
    def _order(m: ast.Model, actor: str) -> int:
        for i, a in enumerate(m.actors):
            if a.name == actor:
                return i
        return len(m.actors)

    def _states(self, info: _ActorInfo, names: tuple[str, ...], spans: tuple[Span, ...]):
        out = []
        for n, sp in zip(names, spans):
            if n not in info.states:
                self.error("PC209", f"actor {info.decl.name} has no state '{n}'", sp,
                           did_you_mean(n, set(info.states)))
            else:
                out.append(info.states.index(n))
        return tuple(out)

    def _all_bodies(self, m: ast.Model, sender_of: dict, sends: list) -> list[ir.Actor]:
        actors = []
        for a in m.actors:
            info = self.actors[a.name]
            handlers = []
            for h in a.handlers:
                states = self._states(info, h.states, h.state_spans)
                if h.message not in self.messages:
                    self.error("PC207", f"unknown message '{h.message}'", h.span,
                               did_you_mean(h.message, set(self.messages)))
                    continue
                sender_t = None
                problem = ""
                sname = sender_of.get(id(h))
                if h.sender is not None and h.sender not in self.actors:
                    self.error("PC213", f"unknown actor '{h.sender}'", h.sender_span,
                               did_you_mean(h.sender, set(self.actors)))
                    continue
                if sname is not None:
                    sender_t = ir.RefT(sname, self.actors[sname].count)
                else:
                    problem = (f"cannot tell who sent {h.message}: several actors send it to "
                               f"{a.name}, or none does")
                scope = _Scope(a.name, h.message, sender_t, problem)
                guard = (self.bool_expr(h.guard, scope, "a guard") if h.guard is not None
                         else None)
                body = self.block(h.body, scope, sends)
                handlers.append(ir.Handler(a.name, h.message, (), states, guard, body, h.span))
            steps = []
            seen_steps: set[str] = set()
            for st in a.steps:
                if st.name in seen_steps:
                    self.error("PC201", f"step '{st.name}' is declared twice in {a.name}",
                               st.span)
                seen_steps.add(st.name)
                states = self._states(info, st.states, st.state_spans)
                scope = _Scope(a.name)
                guard = (self.bool_expr(st.guard, scope, "a guard") if st.guard is not None
                         else None)
                body = self.block(st.body, scope, sends)
                timing = None
                if st.after is not None:
                    lo = self.lin(st.after[0], "a time bound")
                    hi = self.lin(st.after[1], "a time bound")
                    timing = ("after", lo, hi) if lo is not None and hi is not None else None
                steps.append(ir.Step(a.name, st.name, states, guard, body, st.span, timing))
            for th in a.timeouts:
                timers = self.timers.get(a.name, {})
                if th.timer not in timers:
                    self.error("PC214", f"actor {a.name} has no timer '{th.timer}'", th.span,
                               did_you_mean(th.timer, set(timers)))
                    continue
                states = self._states(info, th.states, th.state_spans)
                scope = _Scope(a.name)
                tv = ir.timer_var(th.timer)
                armed = ir.Binary("!=", ir.LocalVar(a.name, tv, ir.TIMER_T, th.span),
                                  ir.Lit(ir.TIMER_OFF, ir.TIMER_T, th.span), ir.BoolT(),
                                  th.span)
                guard = armed
                if th.guard is not None:
                    user = self.bool_expr(th.guard, scope, "a guard")
                    if user is not None:
                        guard = ir.Binary("and", armed, user, ir.BoolT(), th.span)
                disarm = ir.Assign("local", tv, ir.Lit(ir.TIMER_OFF, ir.TIMER_T, th.span),
                                   ir.TIMER_T, False, th.span)
                body = (disarm, *self.block(th.body, scope, sends))
                steps.append(ir.Step(a.name, f"timeout {th.timer}", states, guard, body,
                                     th.span, ("timeout", th.timer)))
            initial = next((info.states.index(s.name) for s in a.states if s.initial), 0)
            finals = frozenset(info.states.index(s.name) for s in a.states if s.final)
            actors.append(ir.Actor(a.name, info.count, a.count is not None,
                                   tuple(info.vars.values()), tuple(info.states), initial, finals,
                                   tuple(handlers), tuple(steps), a.span))
        return actors

    # ------------------------------------------------------------ specs
    def invariant(self, inv: ast.InvariantDecl) -> ir.Invariant | None:
        x = self.bool_expr(inv.expr, _Scope(in_spec=True), f"invariant {inv.name}")
        if x is None:
            return None
        src = self.sources.get(inv.span.path)
        text = src.slice(inv.expr.span) if src else ""
        return ir.Invariant(inv.name, inv.description or inv.name, x, inv.span, text,
                            premise_of(x))


def premise_of(e: ir.Expr) -> ir.Expr | None:
    """The premise of an implication-shaped invariant (`p implies q`, `forall x: p implies q`).

    Under `forall`, the premise is existentially closed: it held somewhere if it held for
    some instance.
    """
    if isinstance(e, ir.Binary) and e.op == "implies":
        return e.left
    if isinstance(e, ir.Quant) and e.kind == "forall":
        inner = premise_of(e.body)
        if inner is not None:
            return ir.Quant("exists", e.var, e.domain, inner, e.span)
    return None


def static_range(e: ir.Expr) -> tuple[int | None, int | None]:
    if isinstance(e, ir.Lit) and isinstance(e.value, int) and not isinstance(e.value, bool):
        return e.value, e.value
    t = e.type
    if isinstance(t, ir.IntT) and t.lo is not None:
        return t.lo, t.hi
    return None, None


def fold(e: ir.Expr):
    """Evaluate a constant expression; raises _NotConstant if it reads any state."""
    if isinstance(e, ir.Lit):
        return e.value
    if isinstance(e, ir.Unary):
        v = fold(e.operand)
        return (not v) if e.op == "not" else -v
    if isinstance(e, ir.Binary):
        a = fold(e.left)
        b = fold(e.right)
        op = e.op
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a // b
        if op == "%":
            return a % b
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        if op == ">=":
            return a >= b
        if op == "and":
            return bool(a and b)
        if op == "or":
            return bool(a or b)
        if op == "implies":
            return bool((not a) or b)
        if op == "in":
            return bool(b >> a & 1)
        if op == "notin":
            return not (b >> a & 1)
        if op == "setadd":
            return b | (1 << a)
        if op == "setremove":
            return b & ~(1 << a)
    if isinstance(e, ir.SetLit):
        v = 0
        for el in e.elements:
            v |= 1 << fold(el)
        return v
    if isinstance(e, ir.Size):
        return fold(e.operand).bit_count()
    raise _NotConstant()


@dataclass(frozen=True)
class Checked:
    model: ir.Model
    config: ir.CheckConfig | None
    warnings: tuple[Diagnostic, ...]


def check_model(model: ast.Model, sources: dict[str, Source],
                spec: ast.Spec | None = None) -> Checked:
    """Check a model (and optionally a spec against it); raise CheckError with all errors."""
    an = _Analyzer(sources)
    an._param_fixes = list(spec.params) if spec is not None else []
    overrides: dict[str, ast.SpecConst] = {}
    if spec is not None:
        for c in spec.consts:
            if c.name in overrides:
                an.error("PC405", f"constant '{c.name}' is set twice in this spec", c.span)
            overrides[c.name] = c
    result = an.model(model, overrides)
    config = None
    if result is not None:
        result = ir.Model(result.name, result.path, result.consts, result.enums,
                          result.messages, result.shared, result.actors,
                          tuple(an._channel_list), result.const_display, result.params,
                          result.assumes, result.fixed_params)
    if result is not None and spec is not None:
        invariants = []
        seen: set[str] = set()
        for inv in spec.invariants:
            if inv.name in seen:
                an.error("PC405", f"invariant '{inv.name}' is declared twice", inv.span)
                continue
            seen.add(inv.name)
            x = an.invariant(inv)
            if x is not None:
                invariants.append(x)
        if spec.expect is None:
            an.error("PC406", "the spec does not say what to expect; add 'expect holds' or "
                     "'expect violated'", spec.span)
        if not spec.invariants and not spec.deadlock:
            an.warning("PW003", "this spec checks nothing: no invariants and deadlock "
                       "detection is off", spec.span)
        config = ir.CheckConfig(
            name=spec.name, path=spec.path, expect=spec.expect, deadlock=spec.deadlock,
            max_states=spec.max_states, max_depth=spec.max_depth, search=spec.search,
            invariants=tuple(invariants),
            overrides=tuple((c.name, an.consts.get(c.name, (None,))[0]) for c in spec.consts),
        )
    errors = an.errors()
    if errors or result is None:
        raise CheckError(sorted(an.diags, key=lambda d: (d.severity != "error", d.span.path,
                                                         d.span.line, d.span.column)))
    warnings = tuple(sorted((d for d in an.diags if d.severity == "warning"),
                            key=lambda d: (d.span.path, d.span.line, d.span.column)))
    return Checked(result, config, warnings)
