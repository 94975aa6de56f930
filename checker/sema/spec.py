"""Spec configuration: what a spec sets and checks, against the model it names.

Owns the constants a spec overrides (PC405 when one is set twice, PC402 when the model has no
such constant; `declare.py` applies the values), the params it fixes (PC402, PC401; each fixed
param becomes the assumption `p == value`), its invariants (bools over the model's state, with
the premise of an implication kept for the vacuity check), the `expect` it must state (PC406),
the warning for a spec that checks nothing (PW003), and the resulting `ir.CheckConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from checker import ir
from checker.diagnostics import did_you_mean
from checker.dsl import ast
from checker.sema.consts import Constants
from checker.sema.context import Context
from checker.sema.scope import Scope, Symbols
from checker.sema.types import Typer


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


def overrides(ctx: Context, spec: ast.Spec | None) -> dict[str, ast.SpecConst]:
    """The constants a spec sets, by name; of one set twice, the last."""
    out: dict[str, ast.SpecConst] = {}
    for c in spec.consts if spec is not None else ():
        if c.name in out:
            ctx.error("PC405", f"constant '{c.name}' is set twice in this spec", c.span)
        out[c.name] = c
    return out


def unknown_overrides(ctx: Context, m: ast.Model, overrides: dict[str, ast.SpecConst]) -> None:
    names = {c.name for c in m.consts}
    for name, sc in overrides.items():
        if name not in names:
            ctx.error("PC402", f"model {m.name} has no constant '{name}'", sc.span,
                      did_you_mean(name, names))


@dataclass(eq=False)
class SpecConfig:
    """What a spec adds to its model: fixed params, then invariants and the CheckConfig."""

    ctx: Context
    syms: Symbols
    typer: Typer
    consts: Constants

    def fix_params(self, m: ast.Model, fixes: tuple[ast.SpecConst, ...]
                   ) -> tuple[list[tuple[str, Fraction]], list[ir.Assumption]]:
        """The params the spec fixes to a value, and the assumption `p == value` for each."""
        fixed: list[tuple[str, Fraction]] = []
        assumes: list[ir.Assumption] = []
        for sc in fixes:
            value = self._param_value(m, sc)
            if value is None:
                continue
            fixed.append((sc.name, value))
            assumes.append(ir.Assumption(ir.Lin(((sc.name, Fraction(1)),), Fraction(0)), "==",
                                         ir.Lin((), value), self.ctx.text(sc.span), sc.span))
        return fixed, assumes

    def _param_value(self, m: ast.Model, sc: ast.SpecConst) -> Fraction | None:
        if sc.name not in self.syms.params:
            self.ctx.error("PC402", f"model {m.name} has no param '{sc.name}'", sc.span,
                           did_you_mean(sc.name, set(self.syms.params)))
            return None
        p = self.syms.params[sc.name]
        r = self.consts.eval(sc.value, f"param {sc.name}")
        if r is None:
            return None
        if not isinstance(r[1], ir.IntT) or not (p.lo <= r[0] <= p.hi):
            self.ctx.error("PC401", f"param {sc.name} = {r[0]} is outside its range "
                           f"{p.lo}..{p.hi}", sc.span)
            return None
        return Fraction(r[0])

    def config(self, spec: ast.Spec) -> ir.CheckConfig:
        invariants = self._invariants(spec)
        if spec.expect is None:
            self.ctx.error("PC406", "the spec does not say what to expect; add 'expect holds' "
                           "or 'expect violated'", spec.span)
        if not spec.invariants and not spec.deadlock:
            self.ctx.warning("PW003", "this spec checks nothing: no invariants and deadlock "
                             "detection is off", spec.span)
        return ir.CheckConfig(
            name=spec.name, path=spec.path, expect=spec.expect, deadlock=spec.deadlock,
            max_states=spec.max_states, max_depth=spec.max_depth, search=spec.search,
            invariants=invariants,
            # A constant the model lacks, or whose value was rejected, reads as None.
            overrides=tuple((c.name, self.syms.consts.get(c.name, (None,))[0])
                            for c in spec.consts),
        )

    def _invariants(self, spec: ast.Spec) -> tuple[ir.Invariant, ...]:
        out = []
        seen: set[str] = set()
        for inv in spec.invariants:
            if inv.name in seen:
                self.ctx.error("PC405", f"invariant '{inv.name}' is declared twice", inv.span)
                continue
            seen.add(inv.name)
            x = self.invariant(inv)
            if x is not None:
                out.append(x)
        return tuple(out)

    def invariant(self, inv: ast.InvariantDecl) -> ir.Invariant | None:
        x = self.typer.bool_expr(inv.expr, Scope(in_spec=True), f"invariant {inv.name}")
        if x is None:
            return None
        return ir.Invariant(inv.name, inv.description or inv.name, x, inv.span,
                            self.ctx.text(inv.expr.span), premise_of(x))
