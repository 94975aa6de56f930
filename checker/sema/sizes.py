"""How much one transition or one evaluation may enumerate (PC338).

A `pick v in 0..1000000000`, or `choose`/`pick` one after another, makes every alternative a
successor of one state, and nested `forall`/`exists` multiply the values one evaluation visits.
Both happen inside a single call of the generated code, where neither `--timeout` nor a state
bound can stop them, so the worst case is bounded here, statically: from the types and constant
bounds of the domains. A domain whose size is not known statically (a range bounded by
unbounded arithmetic) is not counted.
"""

from __future__ import annotations

from checker import ir
from checker.sema.consts import static_range
from checker.sema.context import Context
from checker.source import Span

MAX_ALTERNATIVES = 1_000_000


def check_sizes(ctx: Context, model: ir.Model, config: ir.CheckConfig | None) -> None:
    for actor in model.actors:
        for item in (*actor.handlers, *actor.steps):
            try:
                _alternatives(ctx, item.body, 1)
            except _Reported:
                pass
            for e in _expressions(item):
                _evaluations(ctx, e)
    for inv in config.invariants if config is not None else ():
        _evaluations(ctx, inv.expr)
        if inv.premise is not None:
            _evaluations(ctx, inv.premise)


def domain_values(d: ir.Domain) -> int | None:
    """How many values a pick or quantifier domain has at most; None if not known."""
    if d.kind == "range":
        lo, hi = static_range(d.low)[0], static_range(d.high)[1]
        return None if lo is None or hi is None else max(hi - lo + 1, 0)
    return ir.domain_size(d.element)


class _Reported(Exception):
    """The limit was reported once for this transition: stop counting it."""


def _alternatives(ctx: Context, stmts: tuple, before: int) -> int:
    """How many alternatives (successors) a path through stmts can end in, `before` of them
    entering it: branches of a choose add up, a pick multiplies by its domain, an if takes the
    larger side. Reports the first choose/pick that goes over the limit and raises _Reported.
    Recursion follows the statement nesting, which the parser limits."""
    count = before
    for s in stmts:
        if isinstance(s, ir.Choose):
            count = sum(_alternatives(ctx, b, count) for b in s.branches)
            word = "choose"
        elif isinstance(s, ir.Pick):
            n = domain_values(s.domain)
            count = _alternatives(ctx, s.body, count) * (n if n is not None else 1)
            word = "pick"
        elif isinstance(s, ir.If):
            count = max(_alternatives(ctx, s.then, count), _alternatives(ctx, s.orelse, count))
            continue
        else:
            continue
        if count > MAX_ALTERNATIVES:
            ctx.error("PC338", f"this {word} makes up to {count:,} alternatives of one "
                      f"transition (every choose and pick on a path multiplies them), more than "
                      f"the limit {MAX_ALTERNATIVES:,}", _keyword(s.span, word),
                      "pick from a smaller range, or make the choices in steps of their own")
            raise _Reported()
    return count


def _evaluations(ctx: Context, expr: ir.Expr) -> None:
    """Nested quantifiers multiply the values one evaluation visits; iterative: expression
    depth comes from the user."""
    stack: list[tuple[object, int]] = [(expr, 1)]
    while stack:
        node, product = stack.pop()
        if isinstance(node, ir.Quant):
            n = domain_values(node.domain)
            product *= n if n is not None else 1
            if product > MAX_ALTERNATIVES:
                ctx.error("PC338", f"this {node.kind} visits up to {product:,} values in one "
                          f"evaluation (nested quantifiers multiply them), more than the limit "
                          f"{MAX_ALTERNATIVES:,}", _keyword(node.span, node.kind),
                          "quantify over a smaller range")
                continue
        stack.extend((child, product) for child in ir.children(node))


def _expressions(item: ir.Handler | ir.Step) -> list:
    """The guard and every expression in the body's statements (they are walked as data)."""
    return [item.guard, item.body] if item.guard is not None else [item.body]


def _keyword(span: Span, word: str) -> Span:
    return Span(span.path, span.line, span.column, span.line, span.column + len(word))
