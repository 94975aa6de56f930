"""Typing of expressions: an `ast.Expr` read in a `Scope` becomes a typed `ir.Expr`.

Owns the typing rules of every expression form (operators, field access, instance indexing,
`at`, the builtins `size`, `index` and `pending`, set literals, quantifiers) and of the domains
that `pick`, `forall` and `exists` range over. Each rule reports what is wrong (PC3xx, with
names looked up through `scope.Names`) and returns None; callers stop at the first None of a
sub-expression, so one mistake is reported once.

Declared types (`0..5`, `set<E>`, an enum or actor name) are resolved in `declare.py`, because
their range bounds are constant expressions, which this pass is used to evaluate.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker import ir
from checker.diagnostics import did_you_mean
from checker.dsl import ast
from checker.sema.context import Context
from checker.sema.scope import Names, Scope, Symbols

BUILTIN_FUNCTIONS = ("size", "index", "pending", "down")
_ARITHMETIC = ("+", "-", "*", "/", "%")
_LOGICAL = ("and", "or", "implies")
_ORDERING = ("<", "<=", ">", ">=")


@dataclass(eq=False)
class Typer:
    """Expression typing over the symbol tables; one `_e_<Node>` method per expression form."""

    ctx: Context
    syms: Symbols
    names: Names

    def expr(self, e: ast.Expr, scope: Scope) -> ir.Expr | None:
        method = getattr(self, "_e_" + type(e).__name__)
        return method(e, scope)

    def bool_expr(self, e: ast.Expr, scope: Scope, what: str) -> ir.Expr | None:
        x = self.expr(e, scope)
        if x is None:
            return None
        if not isinstance(x.type, ir.BoolT):
            self.ctx.error("PC319", f"{what} must be a bool, found {x.type}", e.span)
            return None
        return x

    # ------------------------------------------------------------ leaves
    def _e_IntLit(self, e: ast.IntLit, scope: Scope) -> ir.Expr | None:
        return ir.Lit(e.value, ir.IntT(e.value, e.value), e.span)

    def _e_BoolLit(self, e: ast.BoolLit, scope: Scope) -> ir.Expr | None:
        return ir.Lit(e.value, ir.BoolT(), e.span)

    def _e_Name(self, e: ast.Name, scope: Scope) -> ir.Expr | None:
        return self.names.resolve(e, scope)

    def _e_SelfRef(self, e: ast.SelfRef, scope: Scope) -> ir.Expr | None:
        if scope.actor is None:
            self.ctx.error("PC203", "'self' is only meaningful inside an actor", e.span)
            return None
        return ir.SelfRef(self.syms.ref(scope.actor), e.span)

    def _e_SenderRef(self, e: ast.SenderRef, scope: Scope) -> ir.Expr | None:
        if scope.message is None and scope.sender is None:  # `on crash of A`: the crashed A
            self.ctx.error("PC203", "'sender' is only meaningful inside an 'on' handler", e.span)
            return None
        if scope.sender is None:
            self.ctx.error("PC308", scope.sender_problem or "the sender of this message is "
                           "unknown", e.span, "name the sender with 'from Actor'")
            return None
        return ir.SenderRef(scope.sender, e.span)

    # ------------------------------------------------------------ instances and messages
    def _e_FieldAccess(self, e: ast.FieldAccess, scope: Scope) -> ir.Expr | None:
        if isinstance(e.target, ast.Name) and e.target.name == "msg" and scope.message \
                and "msg" not in scope.bound:
            msg = self.syms.messages[scope.message]
            found = self.names.field(msg, e.field, e.field_span)
            if found is None:
                return None
            i, f = found
            return ir.MsgField(msg.name, f.name, i, f.type, e.span)
        target = self.expr(e.target, scope)
        if target is None:
            return None
        if not isinstance(target.type, ir.RefT):
            self.ctx.error("PC311", f"'.{e.field}' needs an actor instance on its left, found "
                           f"{target.type}", e.span)
            return None
        info = self.syms.actors[target.type.actor]
        if e.field not in info.vars:
            self.ctx.error("PC206", f"actor {info.decl.name} has no variable '{e.field}'",
                           e.field_span, did_you_mean(e.field, set(info.vars)))
            return None
        v = info.vars[e.field]
        return ir.RemoteVar(target, info.decl.name, e.field, v.type, e.span)

    def _e_Index(self, e: ast.Index, scope: Scope) -> ir.Expr | None:
        if not (isinstance(e.target, ast.Name) and e.target.name in self.syms.actors
                and e.target.name not in scope.bound):
            self.ctx.error("PC312", "only a replicated actor can be indexed, as in "
                           "Invocation[0]", e.span)
            return None
        info = self.syms.actors[e.target.name]
        if info.decl.count is None:
            self.ctx.error("PC312", f"'{info.decl.name}' is a single actor, not replicated; "
                           "drop the index", e.span)
            return None
        idx = self.expr(e.index, scope)
        if idx is None:
            return None
        if not isinstance(idx.type, ir.IntT):
            self.ctx.error("PC313", f"an instance index must be an integer, found {idx.type}",
                           e.index.span)
            return None
        if isinstance(idx, ir.Lit) and not (0 <= idx.value < info.count):
            self.ctx.error("PC314", f"instance index {idx.value} is out of range: "
                           f"{info.decl.name} has instances 0..{info.count - 1}", e.index.span)
            return None
        return ir.Instance(idx, ir.RefT(info.decl.name, info.count), e.span)

    def _e_AtState(self, e: ast.AtState, scope: Scope) -> ir.Expr | None:
        if scope.const_only:
            self.ctx.error("PC301", "'at' cannot appear in a constant expression", e.span)
            return None
        target = self.expr(e.target, scope)
        if target is None:
            return None
        if not isinstance(target.type, ir.RefT):
            self.ctx.error("PC311", f"'at' needs an actor instance on its left, found "
                           f"{target.type}", e.target.span)
            return None
        info = self.syms.actors[target.type.actor]
        index = self.names.state(info, e.state, e.state_span)
        if index is None:
            return None
        return ir.At(target, info.decl.name, index, e.state, e.span)

    # ------------------------------------------------------------ builtins
    def _e_Call(self, e: ast.Call, scope: Scope) -> ir.Expr | None:
        if e.func == "pending":
            return self._pending(e, scope)
        if e.func == "down":
            return self._down(e, scope)
        if e.func not in ("size", "index"):
            self.ctx.error("PC208", f"unknown function '{e.func}'", e.span,
                           did_you_mean(e.func, set(BUILTIN_FUNCTIONS)))
            return None
        if len(e.args) != 1:
            self.ctx.error("PC315", f"{e.func} takes exactly one argument", e.span)
            return None
        arg = self.expr(e.args[0], scope)
        if arg is None:
            return None
        if e.func == "size":
            if not isinstance(arg.type, ir.SetT):
                self.ctx.error("PC315", f"size() needs a set, found {arg.type}",
                               e.args[0].span)
                return None
            return ir.Size(arg, e.span)
        if not isinstance(arg.type, ir.RefT):
            self.ctx.error("PC315", f"index() needs an actor instance, found {arg.type}",
                           e.args[0].span)
            return None
        return ir.IndexOf(arg, e.span)

    def _down(self, e: ast.Call, scope: Scope) -> ir.Expr | None:
        """`down(r)`: whether actor instance r is crashed."""
        if scope.const_only:
            self.ctx.error("PC301", "down() cannot appear in a constant expression", e.span)
            return None
        if len(e.args) != 1:
            self.ctx.error("PC315", "down takes exactly one actor instance: down(Worker) or "
                           "down(Node[1])", e.span)
            return None
        arg = self.expr(e.args[0], scope)
        if arg is None:
            return None
        if not isinstance(arg.type, ir.RefT):
            self.ctx.error("PC315", f"down() needs an actor instance, found {arg.type}",
                           e.args[0].span)
            return None
        return ir.Down(arg, arg.type.actor, e.span)

    def _pending(self, e: ast.Call, scope: Scope) -> ir.Expr | None:
        """`pending(M)` or `pending(M, r)`: how many M are in flight (to r)."""
        if scope.const_only:
            self.ctx.error("PC301", "pending() cannot appear in a constant expression", e.span)
            return None
        if not (1 <= len(e.args) <= 2) or not isinstance(e.args[0], ast.Name):
            self.ctx.error("PC315", "pending takes a message type and optionally a receiver: "
                           "pending(Msg) or pending(Msg, Actor)", e.span)
            return None
        m = e.args[0].name
        if self.names.message(m, e.args[0].span) is None:
            return None
        receiver = None
        ractor = None
        if len(e.args) == 2:
            receiver = self.expr(e.args[1], scope)
            if receiver is None:
                return None
            if not isinstance(receiver.type, ir.RefT):
                self.ctx.error("PC315", f"the receiver must be an actor instance, found "
                               f"{receiver.type}", e.args[1].span)
                return None
            ractor = receiver.type.actor
        return ir.Pending(m, receiver, ractor, e.span)

    # ------------------------------------------------------------ operators
    def _e_SetLit(self, e: ast.SetLit, scope: Scope) -> ir.Expr | None:
        elems = []
        elem_t = None
        for el in e.elements:
            t = self.expr(el, scope)
            if t is None:
                return None
            if not isinstance(t.type, (ir.EnumT, ir.RefT)):
                self.ctx.error("PC316", f"set elements must be enum values or actor instances, "
                               f"found {t.type}", el.span)
                return None
            if elem_t is not None and t.type != elem_t:
                self.ctx.error("PC306", f"type mismatch in set literal: {elem_t} and {t.type}",
                               el.span)
                return None
            elem_t = t.type
            elems.append(t)
        return ir.SetLit(tuple(elems), ir.SetT(elem_t), e.span)

    def _e_Unary(self, e: ast.Unary, scope: Scope) -> ir.Expr | None:
        x = self.expr(e.operand, scope)
        if x is None:
            return None
        if e.op == "not":
            if not isinstance(x.type, ir.BoolT):
                self.ctx.error("PC317", f"'not' needs a bool, found {x.type}", e.operand.span)
                return None
            return ir.Unary("not", x, ir.BoolT(), e.span)
        if not isinstance(x.type, ir.IntT):
            self.ctx.error("PC317", f"'-' needs an integer, found {x.type}", e.operand.span)
            return None
        return ir.Unary("-", x, ir.IntT(), e.span)

    def _e_Binary(self, e: ast.Binary, scope: Scope) -> ir.Expr | None:
        # Both sides are typed before either is judged, so both report their own mistakes.
        left = self.expr(e.left, scope)
        right = self.expr(e.right, scope)
        if left is None or right is None:
            return None
        op = e.op
        if op in ("==", "!="):
            return self._equality(e, left, right)
        if op in ("in", "notin"):
            return self._membership(e, left, right)
        if op in _ARITHMETIC:
            operand, noun, result = ir.IntT, "integers", ir.IntT()
        elif op in _LOGICAL:
            operand, noun, result = ir.BoolT, "bools", ir.BoolT()
        elif op in _ORDERING:
            operand, noun, result = ir.IntT, "integers", ir.BoolT()
        else:
            raise AssertionError(op)
        for side, t in ((e.left, left.type), (e.right, right.type)):
            if not isinstance(t, operand):
                self.ctx.error("PC317", f"'{op}' needs {noun}, found {t}", side.span)
                return None
        return ir.Binary(op, left, right, result, e.span)

    def _equality(self, e: ast.Binary, left: ir.Expr, right: ir.Expr) -> ir.Expr | None:
        lt, rt = left.type, right.type
        if not (ir.compatible(lt, rt) or ir.compatible(rt, lt)):
            self.ctx.error("PC306", f"type mismatch: cannot compare {lt} with {rt}", e.span)
            return None
        return ir.Binary(e.op, left, right, ir.BoolT(), e.span)

    def _membership(self, e: ast.Binary, left: ir.Expr, right: ir.Expr) -> ir.Expr | None:
        lt, rt = left.type, right.type
        if not isinstance(rt, ir.SetT):
            self.ctx.error("PC317", f"'in' needs a set on its right, found {rt}", e.right.span)
            return None
        if rt.element is not None and lt != rt.element:
            self.ctx.error("PC306", f"type mismatch: {lt} cannot be a member of {rt}",
                           e.left.span)
            return None
        return ir.Binary(e.op, left, right, ir.BoolT(), e.span)

    # ------------------------------------------------------------ quantifiers and domains
    def _e_Quant(self, e: ast.Quant, scope: Scope) -> ir.Expr | None:
        dom = self.domain(e.domain, scope)
        if dom is None:
            return None
        body = self.expr(e.body, scope.with_bound(e.var, dom.element))
        if body is None:
            return None
        if not isinstance(body.type, ir.BoolT):
            self.ctx.error("PC317", f"the body of '{e.kind}' must be a bool, found {body.type}",
                           e.body.span)
            return None
        return ir.Quant(e.kind, e.var, dom, body, e.span)

    def domain(self, d: ast.Domain, scope: Scope) -> ir.Domain | None:
        """What `pick`/`forall`/`exists` range over: lo..hi, an enum, an actor, or a set."""
        if d.high is not None:
            return self._range_domain(d, scope)
        if isinstance(d.low, ast.Name) and d.low.name not in scope.bound:
            n = d.low.name
            if n in self.syms.enums:
                return ir.Domain("type", None, None, None, self.syms.enums[n], d.span)
            if n in self.syms.actors:
                return ir.Domain("type", None, None, None, self.syms.ref(n), d.span)
        s = self.expr(d.low, scope)
        if s is None:
            return None
        if not isinstance(s.type, ir.SetT):
            self.ctx.error("PC318", f"cannot range over {s.type}: use an actor, an enum, a set "
                           "or a range lo..hi", d.span)
            return None
        if s.type.element is None:
            self.ctx.error("PC318", "cannot range over the empty set literal", d.span)
            return None
        return ir.Domain("set", None, None, s, s.type.element, d.span)

    def _range_domain(self, d: ast.Domain, scope: Scope) -> ir.Domain | None:
        lo = self.expr(d.low, scope)
        hi = self.expr(d.high, scope)
        if lo is None or hi is None:
            return None
        for side, t in ((d.low, lo), (d.high, hi)):
            if not isinstance(t.type, ir.IntT):
                self.ctx.error("PC317", f"a range bound must be an integer, found {t.type}",
                               side.span)
                return None
        # Literal bounds give the bound variable an exact range; others are only known at run
        # time.
        if isinstance(lo, ir.Lit) and isinstance(hi, ir.Lit):
            elem = ir.IntT(lo.value, hi.value)
        else:
            elem = ir.IntT()
        return ir.Domain("range", lo, hi, None, elem, d.span)
