"""Fault clauses: what a spec injects, checked against the model it names.

Owns `fault crash ...`, `fault lose|duplicate|reorder ...` and `faults at most N`: the actors,
instances and messages they name (PC213, PC204 and PC412 for an instance out of range), their
budgets (PC412: a constant from 0 to MAX_BUDGET), the warnings for a clause that selects no
channel (PW005) or a reorder on channels that keep no order (PW006), and the resulting
`ir.Faults`. docs/faults.md states what each fault does.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker import ir
from checker.dsl import ast
from checker.faults import CRASH, REORDER, fault_kind_named
from checker.sema.consts import Constants
from checker.sema.context import Context
from checker.sema.scope import Names, Symbols

# Each unit of budget can multiply the state space; a budget past this is a typo.
MAX_BUDGET = 100


@dataclass(eq=False)
class FaultClauses:
    ctx: Context
    syms: Symbols
    names: Names
    consts: Constants

    def faults(self, spec: ast.Spec, model: ir.Model) -> ir.Faults:
        clauses = tuple(c for decl in spec.faults if (c := self._clause(decl, model)) is not None)
        for extra in spec.faults_totals[1:]:
            self.ctx.error("PC405", "the total fault budget is set twice", extra.span,
                           "keep one 'faults at most N'")
        total = spec.faults_totals[0] if spec.faults_totals else None
        budget = self._budget(total.budget, "the total fault budget") if total else None
        return ir.Faults(clauses, budget, total.span if total else None)

    def _budget(self, expr: ast.Expr, what: str) -> int | None:
        n = self.consts.integer(expr, what)
        if n is not None and not 0 <= n <= MAX_BUDGET:
            self.ctx.error("PC412", f"{what} must be from 0 to {MAX_BUDGET}, found {n}",
                           expr.span, "a fault budget counts faults in one run: 1 or 2 "
                           "usually show a fault bug")
            return None
        return n

    def _instances(self, sel: ast.Instances | None) -> tuple[str | None, int | None] | None:
        """(actor, instance index or None for any), None after an error."""
        if sel is None:
            return None, None
        if not self.names.actor(sel.actor, sel.span, " in a fault clause"):
            return None
        if sel.index is None:
            return sel.actor, None
        k = self.consts.integer(sel.index, "an instance index")
        if k is None:
            return None
        count = self.syms.actors[sel.actor].count
        if not 0 <= k < count:
            self.ctx.error("PC412", f"instance {sel.actor}[{k}] does not exist: {sel.actor} "
                           f"has instances 0..{count - 1}", sel.index.span)
            return None
        return sel.actor, k

    def _clause(self, decl: ast.FaultDecl, model: ir.Model) -> ir.Fault | None:
        kind = fault_kind_named(decl.kind)
        budget = self._budget(decl.budget, "a fault budget")
        text = self.ctx.text(decl.span)
        if kind is CRASH:
            target = self._instances(decl.target)
            if target is None or budget is None:
                return None
            return ir.CrashFault(kind, target[0], target[1], decl.restart, budget, decl.span,
                                 text)
        if decl.message is not None and self.names.message(decl.message,
                                                           decl.message_span) is None:
            return None
        sender, receiver = self._instances(decl.sender), self._instances(decl.receiver)
        if sender is None or receiver is None or budget is None:
            return None
        clause = ir.MessageFault(kind, decl.message, *sender, *receiver, budget, decl.span, text)
        sent = model.sent()
        channels = [c for c in model.channels if clause.selects(
            c.sender, clause.sender_instance or 0, c.receiver, clause.receiver_instance or 0)
            and any((c.sender, m, c.receiver) in sent for m in
                    ([clause.message] if clause.message else [m.name for m in model.messages]))]
        if not channels:
            self.ctx.warning("PW005", f"'{text}' selects no channel: no such messages are ever "
                             "sent", decl.span)
        elif kind is REORDER and not any(c.ordered for c in channels):
            self.ctx.warning("PW006", f"'{text}' can never fire: the channels it selects keep "
                             "no order", decl.span, "reorder applies to FIFO channels")
        return clause
