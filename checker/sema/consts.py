"""Constants: folding typed IR to values, and the constant and linear expressions of a model.

Owns `fold` (the value of a typed expression that reads no state), `static_range` (what an
integer expression is known to lie in before running), the evaluation of constant expressions
(typed in a const-only scope, then folded: PC301-PC303, PC306-PC307 for initial values), and
the linear expressions over timing params that timer durations, `after`/`within` bounds and
assumptions are written in (PC330).

Values are the compiled representation: ints, bools, enum members and actor instances as
their index, sets as bitmasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from checker import ir
from checker.diagnostics import did_you_mean
from checker.dsl import ast
from checker.sema.context import Context
from checker.sema.scope import Scope, Symbols
from checker.sema.types import Typer

MAX_CONSTANT = 10**18  # the largest magnitude of an integer constant expression


class NotConstant(Exception):
    """The expression reads state (or is not linear in the params): it has no constant value."""


_BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a // b,  # the language rounds towards negative infinity
    "%": lambda a, b: a % b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "and": lambda a, b: bool(a and b),
    "or": lambda a, b: bool(a or b),
    "implies": lambda a, b: bool((not a) or b),
    "in": lambda a, b: bool(b >> a & 1),
    "notin": lambda a, b: not (b >> a & 1),
    "setadd": lambda a, b: b | (1 << a),
    "setremove": lambda a, b: b & ~(1 << a),
}


def fold(e: ir.Expr):
    """Evaluate a constant expression; raises NotConstant if it reads any state."""
    if isinstance(e, ir.Lit):
        return e.value
    if isinstance(e, ir.Unary):
        v = fold(e.operand)
        return (not v) if e.op == "not" else -v
    if isinstance(e, ir.Binary):
        a = fold(e.left)
        b = fold(e.right)
        if e.op in _BINARY:
            return _BINARY[e.op](a, b)
    if isinstance(e, ir.SetLit):
        v = 0
        for el in e.elements:
            v |= 1 << fold(el)
        return v
    if isinstance(e, ir.Size):
        return fold(e.operand).bit_count()
    raise NotConstant()


def static_range(e: ir.Expr) -> tuple[int | None, int | None]:
    """The bounds an integer expression is known to stay within, or (None, None)."""
    if isinstance(e, ir.Lit) and isinstance(e.value, int) and not isinstance(e.value, bool):
        return e.value, e.value
    t = e.type
    if isinstance(t, ir.IntT) and t.lo is not None:
        return t.lo, t.hi
    return None, None


def value_range(e: ir.Expr) -> tuple[int | None, int | None]:
    """Like static_range, also through +, - and * of bounded operands, and `% c` for a
    positive constant c (Python's % then stays in 0..c-1): for deciding that an assignment
    needs no range check (which also leaves it invisible to partial-order reduction)."""
    if isinstance(e, ir.Binary) and e.op in ("+", "-", "*", "%"):
        a, b = value_range(e.left), value_range(e.right)
        if e.op == "%" and b[0] is not None and b[0] == b[1] and b[0] > 0:
            return 0, b[0] - 1
        if None in a or None in b or e.op == "%":
            return None, None
        if e.op == "+":
            return a[0] + b[0], a[1] + b[1]
        if e.op == "-":
            return a[0] - b[1], a[1] - b[0]
        products = [x * y for x in a for y in b]
        return min(products), max(products)
    return static_range(e)


def default_value(t: ir.Type):
    """Zero-ish: false, the low bound, the first enum member, instance 0, the empty set."""
    if isinstance(t, ir.BoolT):
        return False
    if isinstance(t, ir.IntT):
        return t.lo
    return 0


@dataclass(eq=False)
class Constants:
    """Evaluating the constant expressions of declarations, with their diagnostics."""

    ctx: Context
    syms: Symbols
    typer: Typer

    def eval(self, expr: ast.Expr, expected: str = "") -> tuple[object, ir.Type] | None:
        """The value and type of a constant expression; None once its errors are reported."""
        before = len(self.ctx.errors())
        typed = self.typer.expr(expr, Scope(const_only=True))
        if typed is None or len(self.ctx.errors()) > before:
            return None
        try:
            value = fold(typed)
            if isinstance(typed.type, ir.IntT) and abs(value) > MAX_CONSTANT:
                # Also keeps the value printable: Python refuses str() past 4,300 digits.
                self.ctx.error("PC335", "the value of this constant expression is beyond "
                               "-10^18..10^18, the limit for integer constants",
                               expr.span, "use smaller numbers: every type of a model is a "
                               "small finite range")
                return None
            return value, typed.type
        except NotConstant:
            self.ctx.error("PC301", f"{expected or 'this'} must be a constant expression",
                           expr.span)
            return None
        except ZeroDivisionError:
            self.ctx.error("PC302", "division by zero in a constant expression", expr.span)
            return None

    def integer(self, expr: ast.Expr, what: str) -> int | None:
        r = self.eval(expr, what)
        if r is None:
            return None
        value, t = r
        if not isinstance(t, ir.IntT):
            self.ctx.error("PC303", f"{what} must be an integer, found {t}", expr.span)
            return None
        return int(value)

    def initial(self, t: ir.Type, init: ast.Expr | None, what: str):
        """The initial value of a variable of type `t`; None once its errors are reported."""
        if init is None:
            return default_value(t)
        r = self.eval(init, f"the initial value of {what}")
        if r is None:
            return None
        value, vt = r
        if not ir.compatible(t, vt):
            self.ctx.error("PC306", f"type mismatch: {what} is {t} but its initial value is "
                           f"{vt}", init.span)
            return None
        if isinstance(t, ir.IntT) and not (t.lo <= value <= t.hi):
            self.ctx.error("PC307", f"initial value {value} of {what} is outside {t}", init.span)
            return None
        return value

    # ------------------------------------------------------------ linear in the params
    def lin(self, e: ast.Expr, what: str) -> ir.Lin | None:
        """A duration or bound: linear in the params, with constant coefficients."""
        try:
            terms, const = self._linear(e, what)
        except NotConstant:
            return None
        return ir.Lin(tuple(sorted((k, v) for k, v in terms.items() if v != 0)), const)

    def _linear(self, x: ast.Expr, what: str) -> tuple[dict[str, Fraction], Fraction]:
        """(coefficient of each param, constant term); reports and raises NotConstant if not
        linear. Read from the AST, not typed IR: params have no value to type."""
        if isinstance(x, ast.IntLit):
            return {}, Fraction(x.value)
        if isinstance(x, ast.Name):
            return self._linear_name(x, what)
        if isinstance(x, ast.Unary) and x.op == "-":
            t, c = self._linear(x.operand, what)
            return {k: -v for k, v in t.items()}, -c
        if isinstance(x, ast.Binary) and x.op in ("+", "-"):
            lt, lc = self._linear(x.left, what)
            rt, rc = self._linear(x.right, what)
            sign = 1 if x.op == "+" else -1
            terms = dict(lt)
            for k, v in rt.items():
                terms[k] = terms.get(k, 0) + sign * v
            return terms, lc + sign * rc
        if isinstance(x, ast.Binary) and x.op in ("*", "/"):
            lt, lc = self._linear(x.left, what)
            rt, rc = self._linear(x.right, what)
            # A product stays linear when one side is a constant; a quotient when the divisor
            # is a non-zero constant.
            if x.op == "*" and (not lt or not rt):
                k, (t, c) = (lc, (rt, rc)) if not lt else (rc, (lt, lc))
                return {n: k * v for n, v in t.items()}, k * c
            if x.op == "/" and not rt and rc != 0:
                if not lt and (lc / rc).denominator != 1:
                    # Numbers and constants divide with rounding down everywhere else (a
                    # constant `7 / 2` is 3), but time is exact: rather than a second meaning
                    # of `/` (3.5) or a silent rounding, ask for the time meant.
                    self.ctx.error("PC339", f"{lc} / {rc} does not divide evenly: in {what}, "
                                   "'/' of numbers and constants must be exact (elsewhere it "
                                   "rounds down, so the two would disagree)", x.span,
                                   f"write the time you mean ({lc // rc} or {lc // rc + 1}), "
                                   "or count time in smaller units")
                    raise NotConstant()
                return {n: v / rc for n, v in lt.items()}, lc / rc
        self.ctx.error("PC330", f"{what} must be linear in the params (sums, differences and "
                       "multiples of numbers, constants and params)", x.span)
        raise NotConstant()

    def _linear_name(self, x: ast.Name, what: str) -> tuple[dict[str, Fraction], Fraction]:
        if x.name in self.syms.params:
            return {x.name: Fraction(1)}, Fraction(0)
        if x.name in self.syms.consts and isinstance(self.syms.consts[x.name][1], ir.IntT):
            return {}, Fraction(self.syms.consts[x.name][0])
        self.ctx.error("PC330", f"{what} may use only numbers, integer constants and "
                       f"params; '{x.name}' is not one", x.span,
                       did_you_mean(x.name, set(self.syms.params) | set(self.syms.consts)))
        raise NotConstant()
