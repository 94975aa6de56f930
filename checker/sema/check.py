"""Semantic analysis of models and specs: the AST becomes the typed IR, or every error is reported.

`check_model` is the door; it wires the passes, each in its own module:

    context     the sources and the diagnostics sink every pass reports to
    scope       symbol tables, scopes, name lookup, did-you-mean
    types       typing of expressions
    consts      constant folding and evaluation, linear expressions over params
    declare     the declaration pass: top-level names, declared types, values, members
    bodies      statements, handlers, steps and timeouts
    wellformed  initial states, channels, the send graph (senders, channels, PW001/PW002)
    spec        a spec's overrides, fixed params, invariants and CheckConfig
    sizes       how much one transition or evaluation may enumerate (PC338)

All diagnostics are collected: a pass reports and carries on where it can. The bodies are
checked only once everything before them is error-free, because they rely on complete symbol
tables (every actor, message and state known). Diagnostics come out sorted by position,
errors before warnings.

`fold`, `static_range` and `premise_of` lived here before the split into passes and are
re-exported, so `from checker.sema.check import ...` keeps working.
"""

from __future__ import annotations

from checker import ir
from checker.diagnostics import CheckError, Diagnostic
from checker.dsl import ast
from checker.record import record
from checker.sema import spec as spec_pass
from checker.sema import wellformed
from checker.sema.bodies import Bodies
from checker.sema.consts import Constants, fold, static_range
from checker.sema.context import Context
from checker.sema.declare import Declarations
from checker.sema.faults import FaultClauses
from checker.sema.lifecycle import Lifecycle
from checker.sema.scope import Names, Symbols
from checker.sema.sizes import check_sizes
from checker.sema.spec import SpecConfig, premise_of
from checker.sema.types import Typer
from checker.sema.wellformed import SendGraph
from checker.source import Source

__all__ = ["Checked", "check_model", "fold", "premise_of", "static_range"]


@record
class Checked:
    model: ir.Model
    config: ir.CheckConfig | None
    warnings: tuple[Diagnostic, ...]


class _Passes:
    """One of each pass, sharing one context and one symbol table."""

    def __init__(self, sources: dict[str, Source]):
        self.ctx = Context(sources)
        self.syms = Symbols()
        names = Names(self.ctx, self.syms)
        typer = Typer(self.ctx, self.syms, names)
        consts = Constants(self.ctx, self.syms, typer)
        self.declare = Declarations(self.ctx, self.syms, names, consts)
        self.graph = SendGraph(self.ctx, self.syms, names, consts,
                               Bodies(self.ctx, self.syms, names, typer, consts))
        self.spec = SpecConfig(self.ctx, self.syms, typer, consts,
                               FaultClauses(self.ctx, self.syms, names, consts))
        self.lifecycle = Lifecycle(self.ctx, self.syms, names, consts)


def check_model(model: ast.Model, sources: dict[str, Source],
                spec: ast.Spec | None = None) -> Checked:
    """Check a model (and optionally a spec against it); raise CheckError with all errors."""
    p = _Passes(sources)
    overrides = spec_pass.overrides(p.ctx, spec)
    fixes = spec.params if spec is not None else ()
    result = _model(p, model, overrides, fixes)
    config = p.spec.config(spec, result) if result is not None and spec is not None else None
    if config is not None:
        result = p.lifecycle.apply(spec, result)
    if result is not None:
        check_sizes(p.ctx, result, config)
    diags = p.ctx.diags
    if p.ctx.errors() or result is None:
        raise CheckError(sorted(diags, key=lambda d: (d.severity != "error", d.span.path,
                                                      d.span.line, d.span.column)))
    warnings = tuple(sorted((d for d in diags if d.severity == "warning"),
                            key=lambda d: (d.span.path, d.span.line, d.span.column)))
    return Checked(result, config, warnings)


def _model(p: _Passes, m: ast.Model, overrides: dict[str, ast.SpecConst],
           fixes: tuple[ast.SpecConst, ...]) -> ir.Model | None:
    """The passes over one model, in order; None when any of them reported an error."""
    p.declare.enums(m)
    p.declare.constants(m, overrides)
    spec_pass.unknown_overrides(p.ctx, m, overrides)
    p.declare.params(m)
    p.declare.actors(m)
    p.declare.messages(m)
    p.declare.shared(m)
    for a in p.declare.declared_actors(m):
        p.declare.members(a)
        wellformed.initial_state(p.ctx, a)
    assumes = p.declare.assumptions(m)
    groups = p.declare.groups(m)
    fixed, fixed_assumes = p.spec.fix_params(m, fixes)
    declared = p.graph.declared(m)
    if p.ctx.errors():
        return None
    _admit_some_values(p.ctx, tuple(p.syms.params.values()), assumes + fixed_assumes)
    if p.ctx.errors():
        return None
    actors, channels = p.graph.build(m, declared)
    if p.ctx.errors():
        return None
    consts = p.syms.consts
    return ir.Model(
        name=m.name,
        path=m.path,
        consts={k: v for k, (v, _) in consts.items()},
        enums=tuple(p.syms.enums.values()),
        messages=tuple(p.syms.messages.values()),
        shared=tuple(p.syms.shared.values()),
        actors=actors,
        channels=channels,
        const_display={k: ir.format_value(t, v) for k, (v, t) in consts.items()},
        params=tuple(p.syms.params.values()),
        assumes=tuple(assumes + fixed_assumes),
        fixed_params=tuple(fixed),
        groups=groups,
    )


def _admit_some_values(ctx, params: tuple[ir.Param, ...], assumes: list[ir.Assumption]) -> None:
    """The param ranges, assumptions and fixed values must leave some valuation: with none,
    every verdict would hold vacuously (or the zones would be empty from the start)."""
    if not assumes:
        return
    import z3  # only models with assumptions pay for loading it here

    solver = z3.Solver()
    var = {}
    for prm in params:
        v = z3.Int(prm.name) if prm.kind == "int" else z3.Real(prm.name)
        var[prm.name] = v
        solver.add(v >= prm.lo, v <= prm.hi)

    def term(e: ir.Lin):
        out = z3.RealVal(str(e.const))
        for name, c in e.terms:
            out = out + z3.RealVal(str(c)) * var[name]
        return out

    ops = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "==": lambda a, b: a == b,
           ">=": lambda a, b: a >= b, ">": lambda a, b: a > b}
    marks = []
    for i, a in enumerate(assumes):
        mark = z3.Bool(f"assume!{i}")
        marks.append(mark)
        solver.assert_and_track(ops[a.op](term(a.left), term(a.right)), mark)
    if solver.check() != z3.unsat:
        return
    core = {str(m) for m in solver.unsat_core()}
    culprits = [a for i, a in enumerate(assumes) if f"assume!{i}" in core] or assumes
    texts = "; ".join(a.text for a in culprits)
    ranges = ", ".join(f"{prm.name} in {prm.lo}..{prm.hi}" for prm in params)
    ctx.error("PC340", f"no parameter value satisfies {texts} within the ranges ({ranges})",
              culprits[0].span, "an assumption that excludes every value would make every "
              "property hold vacuously: correct the assumption, the ranges or the fixed value")
