"""Spec configuration: what a spec sets and checks, against the model it names.

Owns the constants a spec overrides (PC405 when one is set twice, PC402 when the model has no
such constant; `declare.py` applies the values), the params it fixes (PC402, PC401; each fixed
param becomes the assumption `p == value`), its invariants (bools over the model's state, with
the premise of an implication kept for the vacuity check), the `expect` it must state (PC406),
the warning for a spec that checks nothing (PW003), and the resulting `ir.CheckConfig`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from fractions import Fraction

from checker import ir
from checker.diagnostics import did_you_mean
from checker.dsl import ast
from checker.sema.consts import Constants
from checker.sema.context import Context
from checker.sema.faults import FaultClauses
from checker.sema.scope import Scope, Symbols
from checker.sema.types import Typer
from checker.temporal import DEFAULT_FAIRNESS, FORMS, Fairness, level_named

# A `forall` prefix expands into one property per value: more than this many is a mistake.
MAX_LIVENESS_EXPANSION = 256


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
    fault_clauses: FaultClauses

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

    def config(self, spec: ast.Spec, model: ir.Model) -> ir.CheckConfig:
        invariants = self._invariants(spec)
        liveness = self._liveness(spec, model)
        if spec.expect is None:
            self.ctx.error("PC406", "the spec does not say what to expect; add 'expect holds' "
                           "or 'expect violated'", spec.span)
        if not spec.invariants and not spec.liveness and not spec.deadlock:
            self.ctx.warning("PW003", "this spec checks nothing: no invariants, no liveness "
                             "properties and deadlock detection is off", spec.span)
        return ir.CheckConfig(
            name=spec.name, path=spec.path, expect=spec.expect, deadlock=spec.deadlock,
            max_states=spec.max_states, max_depth=spec.max_depth, search=spec.search,
            invariants=invariants,
            # A constant the model lacks, or whose value was rejected, reads as None.
            overrides=tuple((c.name, self.syms.consts.get(c.name, (None,))[0])
                            for c in spec.consts),
            liveness=liveness,
            fairness=(Fairness(level_named(spec.fairness[0]), spec.fairness[1])
                      if spec.fairness is not None else DEFAULT_FAIRNESS),
            faults=self.fault_clauses.faults(spec, model),
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

    def _liveness(self, spec: ast.Spec, model: ir.Model) -> tuple[ir.Liveness, ...]:
        out: list[ir.Liveness] = []
        seen = {inv.name for inv in spec.invariants}
        for decl in spec.liveness:
            if decl.name in seen:
                self.ctx.error("PC405", f"property '{decl.name}' is declared twice", decl.span)
                continue
            seen.add(decl.name)
            if decl.within is not None and not model.timed:
                self.ctx.error("PC410", f"liveness {decl.name}: 'within' is a deadline, and "
                               f"model {model.name} has no time", decl.within.span,
                               "drop 'within', or give the model timers or time bounds")
                continue
            within = None
            if decl.within is not None:
                within = self.consts.lin(decl.within, "a deadline")
                if within is None:
                    continue
            out += [replace(live, within=within,
                            within_text=self.ctx.text(decl.within.span) if within else "")
                    for live in self.liveness(decl)]
        return tuple(out)

    def liveness(self, decl: ast.LivenessDecl) -> list[ir.Liveness]:
        """One property per value of the `forall` variables (none: just one)."""
        scope = Scope(in_spec=True)
        ranges: list[list[tuple[str, int, str]]] = []
        for var, domain in decl.foralls:
            dom = self.typer.domain(domain, scope)
            if dom is None:
                return []
            values = self._values(dom)
            if values == []:
                self.ctx.error("PC411", f"liveness {decl.name}: 'forall {var}' ranges over no "
                               "values, so it would check nothing", domain.span)
                return []
            if values is None:
                self.ctx.error("PC411", f"liveness {decl.name}: 'forall {var}' must range over "
                               "an actor, an enum or a range of constants", domain.span)
                return []
            ranges.append([(var, v, text) for v, text in values])
            scope = scope.with_bound(var, dom.element)
        what = f"liveness {decl.name}"
        p = self.typer.bool_expr(decl.p, scope, what)
        q = self.typer.bool_expr(decl.q, scope, what) if decl.q is not None else None
        if p is None or (decl.q is not None and q is None):
            return []
        combos = list(itertools.islice(itertools.product(*ranges), MAX_LIVENESS_EXPANSION + 1))
        if len(combos) > MAX_LIVENESS_EXPANSION:
            self.ctx.error("PC411", f"liveness {decl.name}: its 'forall' stands for more than "
                           f"{MAX_LIVENESS_EXPANSION} properties", decl.span,
                           "quantify inside the predicate instead (P and Q may use forall)")
            return []
        form = next(f for f in FORMS if f.name == decl.form)
        text = self.ctx.text(decl.body_span)
        return [ir.Liveness(
            name=decl.name + (f"[{', '.join(t for _, _, t in combo)}]" if combo else ""),
            declared=decl.name, description=decl.description or decl.name, form=form, p=p,
            q=q, span=decl.span, source_text=text, p_text=self.ctx.text(decl.p.span),
            q_text=self.ctx.text(decl.q.span) if decl.q is not None else "",
            bound=tuple(combo)) for combo in combos]

    def _values(self, dom: ir.Domain) -> list[tuple[int, str]] | None:
        """The domain's values and how each reads, when they are known before exploring."""
        if dom.kind == "type":
            return [(k, ir.format_value(dom.element, k))
                    for k in range(ir.domain_size(dom.element))]
        if dom.kind == "range" and isinstance(dom.low, ir.Lit) and isinstance(dom.high, ir.Lit):
            return [(k, str(k)) for k in range(dom.low.value, dom.high.value + 1)]
        return None
