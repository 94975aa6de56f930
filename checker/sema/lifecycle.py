"""Lifecycle events: a spec's `terminate G [at T] [grace D]`, checked, and the actor it adds.

Owns the `terminate` clause: its target (an actor or a `group`, PC213), its times (linear in
params; PC410 on a model without time), at most one per spec (PC405), and the `lifecycle`
actor the clause becomes, which the rest of the checker sees as any other actor: a step that
sends SIGTERM to the target at time T (with no `at`: at some point, fairly), then, with a grace
period, a timeout D later that sends SIGKILL (`ir.Signal`, `ir.Kill`). docs/faults.md states
what each does. Lifecycle events are the scenario, not faults: no budget counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from checker import ir
from checker.dsl import ast
from checker.faults import LIFECYCLE
from checker.sema.consts import Constants
from checker.sema.context import Context
from checker.sema.scope import Names, Symbols

WAITING, TERMINATING, DONE = 0, 1, 2
TERM_TIMER, KILL_TIMER = "sigterm", "sigkill"


@dataclass(eq=False)
class Lifecycle:
    ctx: Context
    syms: Symbols
    names: Names
    consts: Constants

    def apply(self, spec: ast.Spec, model: ir.Model) -> ir.Model:
        """The model with the spec's `terminate` as its `lifecycle` actor (if it has one)."""
        for extra in spec.terminates[1:]:
            self.ctx.error("PC405", "a spec may terminate only once", extra.span)
        if not spec.terminates:
            return model
        decl = spec.terminates[0]
        if LIFECYCLE in self.syms.actors:
            self.ctx.error("PC201", f"the model has an actor named {LIFECYCLE}, the name of the "
                           "actor that 'terminate' adds", decl.span, "rename that actor")
            return model
        members = self._members(decl, model)
        if members is None:
            return model
        times = self._times(decl, model)
        if times is None:
            return model
        return replace(model, actors=(*model.actors, _actor(decl, members, *times, model)))

    def _members(self, decl: ast.TerminateDecl, model: ir.Model) -> tuple[str, ...] | None:
        group = dict(model.groups).get(decl.target)
        if group is not None:
            return group
        if decl.target in self.syms.actors:
            return (decl.target,)
        self.names.actor(decl.target, decl.target_span, " or group to terminate")
        return None

    def _times(self, decl: ast.TerminateDecl, model: ir.Model
               ) -> tuple[ir.Lin | None, ir.Lin | None] | None:
        out: list[ir.Lin | None] = []
        for word, e in (("at", decl.at), ("grace", decl.grace)):
            if e is None:
                out.append(None)
                continue
            if not model.timed:
                self.ctx.error("PC410", f"terminate ... {word}: a time, and model "
                               f"{model.name} has no time", e.span,
                               f"drop '{word}': SIGTERM then comes at some point")
                return None
            lin = self.consts.lin(e, "a time")
            if lin is None:
                return None
            out.append(lin)
        return out[0], out[1]


def _timer(name: str, value: int, span) -> ir.Assign:
    return ir.Assign("local", ir.timer_var(name), ir.Lit(value, ir.TIMER_T, span), ir.TIMER_T,
                     False, span)


def _armed(name: str, span) -> ir.Expr:
    return ir.Binary("!=", ir.LocalVar(LIFECYCLE, ir.timer_var(name), ir.TIMER_T, span),
                     ir.Lit(ir.TIMER_OFF, ir.TIMER_T, span), ir.BoolT(), span)


def _actor(decl: ast.TerminateDecl, members: tuple[str, ...], at: ir.Lin | None,
           grace: ir.Lin | None, model: ir.Model) -> ir.Actor:
    span = decl.span
    handled = tuple(a.name for a in model.actors if a.name in members
                    and any(st.signal == "TERM" for st in a.steps))
    term: list = [_timer(TERM_TIMER, ir.TIMER_OFF, span)] if at is not None else []
    term.append(ir.Signal("TERM", members, handled, span))
    if grace is not None:
        term.append(_timer(KILL_TIMER, ir.TIMER_STARTED, span))
    term.append(ir.Goto(TERMINATING if grace is not None else DONE,
                        "Terminating" if grace is not None else "Done", span))
    steps = [ir.Step(LIFECYCLE, f"SIGTERM {decl.target}", (WAITING,),
                     _armed(TERM_TIMER, span) if at is not None else None, tuple(term), span,
                     ("timeout", TERM_TIMER) if at is not None else None)]
    variables, timers = [], []
    if at is not None:  # armed from the start: it expires at time T
        variables.append(ir.Variable(ir.timer_var(TERM_TIMER), ir.TIMER_T, ir.TIMER_ARMED,
                                     span))
        timers.append((TERM_TIMER, at))
    if grace is not None:
        variables.append(ir.Variable(ir.timer_var(KILL_TIMER), ir.TIMER_T, ir.TIMER_OFF, span))
        timers.append((KILL_TIMER, grace))
        steps.append(ir.Step(LIFECYCLE, f"SIGKILL {decl.target}", (TERMINATING,),
                             _armed(KILL_TIMER, span),
                             (_timer(KILL_TIMER, ir.TIMER_OFF, span),
                              ir.Kill(members, span), ir.Goto(DONE, "Done", span)),
                             span, ("timeout", KILL_TIMER)))
    return ir.Actor(LIFECYCLE, 1, False, tuple(variables), ("Waiting", "Terminating", "Done"),
                    WAITING, frozenset({DONE}), (), tuple(steps), span, tuple(timers))
