"""Bodies: the statements of handlers, steps and timeouts, and each actor as IR.

Owns the checks of statements (assignments and their range checks, set updates, sends, goto,
if/choose/pick, assert, timer start/cancel) and of the parts of an actor that hold them:
handler headers (message, `from`, states, guard), steps (names, states, guard, time bounds)
and `on timeout` handlers (which disarm their timer first).

Every send it accepts is recorded as (sending actor, message, receiving actor, span) in the
`sends` list the caller passes in; `wellformed.py` builds the send graph from it. A handler's
`sender` type comes from the caller too (`sender_of`), since it depends on that graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker import ir
from checker.diagnostics import did_you_mean
from checker.dsl import ast
from checker.sema.consts import Constants, static_range, value_range
from checker.sema.context import Context
from checker.sema.scope import ActorInfo, Names, Scope, Symbols
from checker.sema.types import Typer
from checker.source import Span
from checker.temporal import mark_named

Sends = list[tuple[str, str, str, Span]]  # (sender actor, message, receiver actor, where)
SenderOf = dict[int, str | None]  # id(handler) -> the actor that sends it its message
# (keyed by identity: hashing a frozen AST handler would hash its whole body)

# Every `choose` and `pick` on one path through a body, nested or one after another, becomes a
# loop nested in the one before it in the generated code, and Python nests at most 20 blocks.
MAX_SPLITS = 16


def _first_excess_split(stmts: tuple[ast.Stmt, ...], count: int = 0) -> tuple[int, object]:
    """(the most choose/pick on a path through stmts after `count` before them, the first
    choose/pick beyond MAX_SPLITS or None). Recursion follows the statement nesting, which the
    parser already limits."""
    for s in stmts:
        if isinstance(s, (ast.Choose, ast.Pick)):
            count += 1
            if count > MAX_SPLITS:
                return count, s
            branches = s.branches if isinstance(s, ast.Choose) else (s.body,)
        elif isinstance(s, ast.If):
            branches = (s.then, s.orelse)
        else:
            continue
        most = count
        for b in branches:
            n, bad = _first_excess_split(b, count)
            if bad is not None:
                return n, bad
            most = max(most, n)
        count = most
    return count, None


def _outside(lo: int, hi: int, t: ir.Type, what: str) -> str:
    return f"value {lo if lo == hi else f'{lo}..{hi}'} is outside {t}, the type of {what}"


@dataclass(eq=False)
class Bodies:
    """Checks bodies into IR; run once per round of the sender fixpoint, then for real."""

    ctx: Context
    syms: Symbols
    names: Names
    typer: Typer
    consts: Constants

    # ------------------------------------------------------------ actors
    def actors(self, m: ast.Model, sender_of: SenderOf, sends: Sends) -> list[ir.Actor]:
        """Every actor of the model as IR (handlers without their senders yet)."""
        return [self._actor(a, sender_of, sends) for a in m.actors]

    def _actor(self, a: ast.ActorDecl, sender_of: SenderOf, sends: Sends) -> ir.Actor:
        info = self.syms.actors[a.name]
        handlers = []
        for h in a.handlers:
            handler = self._handler(a, info, h, sender_of, sends)
            if handler is not None:
                handlers.append(handler)
        steps = []
        seen_steps: set[str] = set()
        for st in a.steps:
            if st.name in seen_steps:
                self.ctx.error("PC201", f"step '{st.name}' is declared twice in {a.name}",
                               st.span)
            seen_steps.add(st.name)
            steps.append(self._step(a, info, st, sends))
        for th in a.timeouts:
            step = self._timeout(a, info, th, sends)
            if step is not None:
                steps.append(step)
        for sh in a.signal_handlers:
            step = self._signal(a, info, sh, sends)
            if step is not None:
                steps.append(step)
        initial = next((info.states.index(s.name) for s in a.states if s.initial), 0)
        finals = frozenset(info.states.index(s.name) for s in a.states if s.final)
        return ir.Actor(a.name, info.count, a.count is not None, tuple(info.vars.values()),
                        tuple(info.states), initial, finals, tuple(handlers), tuple(steps),
                        a.span, (), self._restart_state(a, info), self._on_restart(a, sends),
                        tuple(c for ch in a.crash_handlers
                              if (c := self._crash_handler(a, info, ch, sends)) is not None))

    def _restart_state(self, a: ast.ActorDecl, info: ActorInfo) -> int | None:
        marked = [s for s in a.states if s.restart]
        for extra in marked[1:]:
            self.ctx.error("PC322", f"actor {a.name} has more than one restart state",
                           extra.span)
        return info.states.index(marked[0].name) if marked else None

    def _on_restart(self, a: ast.ActorDecl, sends: Sends) -> ir.Restart | None:
        for extra in a.restarts[1:]:
            self.ctx.error("PC201", f"'on restart' is declared twice in {a.name}", extra.span)
        if not a.restarts:
            return None
        self.limit_splits(a.restarts[0].body)
        body = self.block(a.restarts[0].body, Scope(a.name), sends)
        return ir.Restart(body, a.restarts[0].span)

    def _crash_handler(self, a: ast.ActorDecl, info: ActorInfo, ch: ast.CrashHandler,
                       sends: Sends) -> ir.CrashHandler | None:
        """`on crash of A`: in its body, `sender` is the instance of A that crashed."""
        if ch.crashed not in self.syms.actors:
            return None  # reported with the notice variable (declare.members)
        states = self.names.states(info, ch.states, ch.state_spans)
        scope = Scope(a.name, None, self.syms.ref(ch.crashed))
        guard = (self.typer.bool_expr(ch.guard, scope, "a guard") if ch.guard is not None
                 else None)
        self.limit_splits(ch.body)
        body = self.block(ch.body, scope, sends)
        return ir.CrashHandler(a.name, ch.crashed, states, guard, body, ch.span,
                               mark_named(ch.fairness))

    def _handler(self, a: ast.ActorDecl, info: ActorInfo, h: ast.Handler, sender_of: SenderOf,
                 sends: Sends) -> ir.Handler | None:
        states = self.names.states(info, h.states, h.state_spans)
        if self.names.message(h.message, h.span) is None:
            return None
        if h.sender is not None and not self.names.actor(h.sender, h.sender_span):
            return None
        sname = sender_of.get(id(h))
        sender_t = None
        problem = ""
        if sname is not None:
            sender_t = self.syms.ref(sname)
        else:
            problem = (f"cannot tell who sent {h.message}: several actors send it to "
                       f"{a.name}, or none does")
        scope = Scope(a.name, h.message, sender_t, problem)
        guard = (self.typer.bool_expr(h.guard, scope, "a guard") if h.guard is not None
                 else None)
        self.limit_splits(h.body)
        body = self.block(h.body, scope, sends)
        return ir.Handler(a.name, h.message, (), states, guard, body, h.span,
                          self._timing(h.after), mark_named(h.fairness))

    def _step(self, a: ast.ActorDecl, info: ActorInfo, st: ast.Step, sends: Sends) -> ir.Step:
        states = self.names.states(info, st.states, st.state_spans)
        scope = Scope(a.name)
        guard = (self.typer.bool_expr(st.guard, scope, "a guard") if st.guard is not None
                 else None)
        self.limit_splits(st.body)
        body = self.block(st.body, scope, sends)
        return ir.Step(a.name, st.name, states, guard, body, st.span, self._timing(st.after),
                       mark_named(st.fairness))

    def _timing(self, after: tuple[ast.Expr, ast.Expr] | None) -> tuple | None:
        """`after lo..hi` / `within hi` of a handler or step, as ("after", lo, hi)."""
        if after is None:
            return None
        lo = self.consts.lin(after[0], "a time bound")
        hi = self.consts.lin(after[1], "a time bound")
        return ("after", lo, hi) if lo is not None and hi is not None else None

    def _timeout(self, a: ast.ActorDecl, info: ActorInfo, th: ast.TimeoutHandler,
                 sends: Sends) -> ir.Step | None:
        """`on timeout T`: a step enabled while T is armed, which first disarms T."""
        if not self.names.timer(a.name, th.timer, th.span):
            return None
        states = self.names.states(info, th.states, th.state_spans)
        scope = Scope(a.name)
        tv = ir.timer_var(th.timer)
        armed = ir.Binary("!=", ir.LocalVar(a.name, tv, ir.TIMER_T, th.span),
                          ir.Lit(ir.TIMER_OFF, ir.TIMER_T, th.span), ir.BoolT(), th.span)
        guard = armed
        if th.guard is not None:
            user = self.typer.bool_expr(th.guard, scope, "a guard")
            if user is not None:
                guard = ir.Binary("and", armed, user, ir.BoolT(), th.span)
        disarm = ir.Assign("local", tv, ir.Lit(ir.TIMER_OFF, ir.TIMER_T, th.span), ir.TIMER_T,
                           False, th.span)
        self.limit_splits(th.body)
        body = (disarm, *self.block(th.body, scope, sends))
        return ir.Step(a.name, f"timeout {th.timer}", states, guard, body, th.span,
                       ("timeout", th.timer))

    def _signal(self, a: ast.ActorDecl, info: ActorInfo, sh: ast.SignalHandler,
                sends: Sends) -> ir.Step | None:
        """`on signal S`: a step enabled while S is pending, which first clears it."""
        flag = ir.signal_var(sh.signal)
        if flag not in info.vars:
            return None  # an unknown signal, reported with the variables
        states = self.names.states(info, sh.states, sh.state_spans)
        scope = Scope(a.name)
        guard: ir.Expr = ir.LocalVar(a.name, flag, ir.BoolT(), sh.span)
        if sh.guard is not None:
            user = self.typer.bool_expr(sh.guard, scope, "a guard")
            if user is not None:
                guard = ir.Binary("and", guard, user, ir.BoolT(), sh.span)
        clear = ir.Assign("local", flag, ir.Lit(False, ir.BoolT(), sh.span), ir.BoolT(), False,
                          sh.span)
        self.limit_splits(sh.body)
        body = (clear, *self.block(sh.body, scope, sends))
        return ir.Step(a.name, f"signal {sh.signal}", states, guard, body, sh.span,
                       self._timing(sh.after), mark_named(sh.fairness), sh.signal)

    # ------------------------------------------------------------ statements
    def limit_splits(self, body: tuple[ast.Stmt, ...]) -> None:
        """PC334: too many choose/pick on one path through a handler or step."""
        _, bad = _first_excess_split(body)
        if bad is not None:
            word = "choose" if isinstance(bad, ast.Choose) else "pick"
            sp = bad.span
            self.ctx.error("PC334", f"more than {MAX_SPLITS} choose/pick on one path through "
                           "this handler or step (nested or one after another), the limit",
                           Span(sp.path, sp.line, sp.column, sp.line, sp.column + len(word)),
                           "split the transition: let a step of its own make the later "
                           "choices, from an intermediate state")

    def block(self, stmts: tuple[ast.Stmt, ...], scope: Scope, sends: Sends) -> tuple:
        out = []
        for s in stmts:
            r = self.stmt(s, scope, sends)
            if r is not None:
                out.append(r)
        return tuple(out)

    def stmt(self, s: ast.Stmt, scope: Scope, sends: Sends):
        """The IR of one statement; None for `skip` and after reporting an error."""
        if isinstance(s, ast.Skip):
            return None
        if isinstance(s, (ast.StartTimer, ast.CancelTimer)):
            return self._timer(s, scope)
        if isinstance(s, ast.Assign):
            return self.assign(s, scope)
        if isinstance(s, ast.SetUpdate):
            return self.set_update(s, scope)
        if isinstance(s, ast.Send):
            return self.send(s, scope, sends)
        if isinstance(s, ast.Goto):
            index = self.names.state(self.syms.actors[scope.actor], s.state, s.span)
            return ir.Goto(index, s.state, s.span) if index is not None else None
        if isinstance(s, ast.If):
            cond = self.typer.bool_expr(s.cond, scope, "an 'if' condition")
            then = self.block(s.then, scope, sends)
            orelse = self.block(s.orelse, scope, sends)
            return ir.If(cond, then, orelse, s.span) if cond is not None else None
        if isinstance(s, ast.Choose):
            return ir.Choose(tuple(self.block(b, scope, sends) for b in s.branches), s.span)
        if isinstance(s, ast.Pick):
            dom = self.typer.domain(s.domain, scope)
            if dom is None:
                return None
            body = self.block(s.body, scope.with_bound(s.var, dom.element), sends)
            return ir.Pick(s.var, dom, body, s.span)
        if isinstance(s, ast.Assert):
            return self._assert(s, scope)
        raise AssertionError(s)

    def _timer(self, s: ast.StartTimer | ast.CancelTimer, scope: Scope) -> ir.Assign | None:
        """`start T` / `cancel T` set the timer's hidden variable."""
        if not self.names.timer(scope.actor, s.timer, s.span):
            return None
        value = ir.TIMER_STARTED if isinstance(s, ast.StartTimer) else ir.TIMER_OFF
        return ir.Assign("local", ir.timer_var(s.timer), ir.Lit(value, ir.TIMER_T, s.span),
                         ir.TIMER_T, False, s.span)

    def _assert(self, s: ast.Assert, scope: Scope) -> ir.Assert | None:
        cond = self.typer.bool_expr(s.cond, scope, "an assertion")
        if cond is None:
            return None
        line = self.ctx.line(s.span)
        text = s.message or (line.strip() if line is not None else "assert")
        return ir.Assert(cond, text, s.span)

    def assign(self, s: ast.Assign, scope: Scope) -> ir.Assign | None:
        target = self.names.target(s.target, s.target_span, scope)
        value = self.typer.expr(s.value, scope)
        if target is None or value is None:
            return None
        where, var = target
        if not ir.compatible(var.type, value.type):
            self.ctx.error("PC306", f"type mismatch: '{s.target}' is {var.type} but the value "
                           f"is {value.type}", s.value.span)
            return None
        check = False
        if isinstance(var.type, ir.IntT):
            # Only a value certainly outside the range is an error here; one that may fall
            # outside is checked when the assignment runs (a `range` violation).
            lo, hi = static_range(value)
            if lo is not None and (hi < var.type.lo or lo > var.type.hi):
                self.ctx.error("PC307", _outside(lo, hi, var.type, f"'{s.target}'"),
                               s.value.span)
                return None
            lo, hi = value_range(value)
            check = lo is None or lo < var.type.lo or hi > var.type.hi
        return ir.Assign(where, s.target, value, var.type, check, s.span)

    def set_update(self, s: ast.SetUpdate, scope: Scope) -> ir.Assign | None:
        """`s.add(e)` / `s.remove(e)`, as an assignment of s with e added or removed."""
        if s.method not in ("add", "remove"):
            self.ctx.error("PC321", f"unknown set operation '{s.method}'; use add or remove",
                           s.span, did_you_mean(s.method, {"add", "remove"}))
            return None
        target = self.names.target(s.target, s.target_span, scope)
        value = self.typer.expr(s.value, scope)
        if target is None or value is None:
            return None
        where, var = target
        if not isinstance(var.type, ir.SetT):
            self.ctx.error("PC321", f"'{s.target}' is {var.type}, not a set", s.target_span)
            return None
        if value.type != var.type.element:
            self.ctx.error("PC306", f"type mismatch: {value.type} cannot be a member of "
                           f"{var.type}", s.value.span)
            return None
        current = (ir.LocalVar(scope.actor, s.target, var.type, s.target_span)
                   if where == "local" else ir.SharedVar(s.target, var.type, s.target_span))
        op = "setadd" if s.method == "add" else "setremove"
        return ir.Assign(where, s.target, ir.Binary(op, current, value, var.type, s.span),
                         var.type, False, s.span)

    # ------------------------------------------------------------ sends
    def send(self, s: ast.Send, scope: Scope, sends: Sends) -> ir.Send | None:
        msg = self.names.message(s.message, s.message_span)
        if msg is None:
            return None
        given = self._fields(s, msg, scope)
        # The receiver is checked even when a field is wrong, so both are reported.
        to = self._receiver(s, scope)
        if to is None or given is None:
            return None
        receiver, target = to
        sends.append((scope.actor, msg.name, receiver, s.span))
        args = tuple(given[f.name] for f in msg.fields)
        return ir.Send(msg.name, args, receiver, target, s.span)

    def _fields(self, s: ast.Send, msg: ir.Message, scope: Scope) -> dict[str, ir.Expr] | None:
        """The value of every field, by name; None once anything wrong is reported."""
        given: dict[str, ir.Expr] = {}
        ok = True
        for arg in s.args:
            v = self._field(arg, msg, given, scope)
            if v is None:
                ok = False
            else:
                given[arg.field] = v
        missing = [f.name for f in msg.fields if f.name not in given]
        if ok and missing:
            self.ctx.error("PC212", f"send {msg.name} is missing field(s): "
                           f"{', '.join(missing)}", s.span)
            return None
        return given if ok else None

    def _field(self, arg: ast.SendArg, msg: ir.Message, given: dict[str, ir.Expr],
               scope: Scope) -> ir.Expr | None:
        found = self.names.field(msg, arg.field, arg.span)
        if found is None:
            return None
        _, f = found
        if arg.field in given:
            self.ctx.error("PC211", f"field '{arg.field}' is given twice", arg.span)
            return None
        v = self.typer.expr(arg.value, scope)
        if v is None:
            return None
        if not ir.compatible(f.type, v.type):
            self.ctx.error("PC306", f"type mismatch: field '{f.name}' of {msg.name} is "
                           f"{f.type} but the value is {v.type}", arg.value.span)
            return None
        if isinstance(f.type, ir.IntT):
            # Unlike an assignment, a field is not range-checked when the send runs, so a
            # value that may fall outside is already an error.
            lo, hi = static_range(v)
            if lo is not None and (lo < f.type.lo or hi > f.type.hi):
                self.ctx.error("PC307", _outside(lo, hi, f.type, f"field '{f.name}'"),
                               arg.value.span)
                return None
        return v

    def _receiver(self, s: ast.Send, scope: Scope) -> tuple[str, ir.Expr | None] | None:
        """(receiving actor, target instance expression; None for `to all A`)."""
        if s.to_all is not None:
            if not self.names.actor(s.to_all, s.span):
                return None
            return s.to_all, None
        target = self.typer.expr(s.target, scope)
        if target is None:
            return None
        if not isinstance(target.type, ir.RefT):
            self.ctx.error("PC311", f"a message must be sent to an actor instance, found "
                           f"{target.type}", s.target.span)
            return None
        return target.type.actor, target
