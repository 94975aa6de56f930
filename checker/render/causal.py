"""The causal chain of a violation: the steps of a trace that it is made of.

A piece of state is named as the trace names it: `x` for a shared variable, `App.v` (or
`Worker[1].v`) for an instance's variable, `App` for its control state. What a step reads is
read off its handler or step statically (checker/effects.py: its guard and its whole body, both
branches of an `if`, plus the hidden variable its firing waits on: its timer, a signal, a crash
notice), the instance an `r.v`, `r at S` or `down(r)` designates resolved in the state before
the step (`self`, `sender`, `Actor[i]`, `Actor[index(self)]`, a ref variable; one it cannot
tell, such as a quantifier's variable: every instance of the actor); what a step writes is
what the trace shows changing.

The chain starts from the violation: the step that commits it (`committing_step`: the last
step, but for a liveness violation or a deadlock, which no step commits), a lasso's cycle, and
the last writer of each piece of state the violation is about in the final state (`Chain.final`) -- what the violated property reads there (for an
invariant `forall i in A: P(i)`, only of the instances `i` for which `P(i)` is false); for a
deadlock, the control states of the instances stuck in a state that is not final and what
the guards they wait on read (the step that made a guard false is why they are stuck); for a
liveness run that stops, or whose deadline passes, also those of the instances that are not
done, a crashed one included; for a failing assert, what the failing step reads. It then
follows, backwards and transitively, from each step on the chain:

* the last step before it that changed a piece of state it reads (shared, its own, another
  instance's);
* the step that sent the message it handled (a duplicate: the fault that made the copy); for a
  fault that lost, duplicated or reordered a message, the step that sent it;
* for a message it sent that a fault or a SIGKILL lost, that fault (why what should have
  followed did not); for a message it sent to a crashed instance, the crash.

The step that moved an instance into the control state a step fires in (`in S`) is *not*
followed (`FOLLOW_OWN_STATE`). Tried on the seeds, it marks every earlier step of each instance
on the chain and, through their messages, of the instances that talked to it: all five steps of
forwarding_task_buggy_n1..n4 (the request sent and accepted, besides the dispatch, the
worker's answer and its handling that make the race) and of the lost-request chart,
ObserveCancellation in graceful_shutdown's no_teardown_before_cleanup (though the teardown
happens from `Executing` as well); 14 of the 19 seed charts would mark every step, against 7
without it. The chain becomes the whole happens-before past of the violation and no longer
says which steps matter, and the order of an instance's own steps is already its lifeline. A
control state read explicitly (`r at S`, `down(r)`, a property's `i at S`) is followed; so is
a restart's (back from down: its crash).
"""

from __future__ import annotations

from collections.abc import Callable

from checker import ir
from checker.compile import EvalError, System, state_function
from checker.effects import Read, body_reads, effects, expr_reads, transition_items
from checker.properties import DEADLOCK
from checker.record import record
from checker.trace import Step, Trace

FOLLOW_OWN_STATE = False  # see the module docstring
_MAX_BINDINGS = 4096  # past this many instance combinations, a forall is read whole


@record
class Chain:
    steps: frozenset[int]  # the numbers of the steps on the chain (the violation included)
    messages: frozenset[int]  # the ids of the messages that link two steps on it
    final: frozenset[str]  # the pieces of state of the final state the violation is about


@record
class _Where:
    """Where a read is resolved: the state it reads, the executing instance, the sender of
    the message it handles, the values of quantifier variables."""
    state: tuple
    actor: str = ""
    me: int | None = None
    sender: int | None = None
    bound: tuple[tuple[str, int], ...] = ()


def _index(system: System, e: ir.Expr, at: _Where) -> int | None:
    """The instance number `e` designates, if it can be told from the state (else None)."""
    lay = system.layout
    if isinstance(e, ir.Lit) and isinstance(e.value, int) and not isinstance(e.value, bool):
        return e.value
    if isinstance(e, ir.SelfRef):
        return at.me
    if isinstance(e, ir.SenderRef):
        return at.sender
    if isinstance(e, ir.Bound):
        return dict(at.bound).get(e.name)
    if isinstance(e, (ir.Instance, ir.IndexOf)):
        return _index(system, e.index if isinstance(e, ir.Instance) else e.operand, at)
    if isinstance(e, ir.LocalVar) and at.me is not None:
        return at.state[lay.vars[(e.actor, e.name)] + at.me]
    if isinstance(e, ir.SharedVar):
        return at.state[lay.shared[e.name]]
    if isinstance(e, ir.RemoteVar):
        k = 0 if system.model.actor(e.actor).count == 1 else _index(system, e.ref, at)
        return None if k is None else at.state[lay.vars[(e.actor, e.name)] + k]
    if isinstance(e, ir.Binary) and e.op in ("+", "-", "*"):
        a, b = _index(system, e.left, at), _index(system, e.right, at)
        if a is None or b is None:
            return None
        return a + b if e.op == "+" else a - b if e.op == "-" else a * b
    return None


def resolve(system: System, read: Read, at: _Where) -> list[str]:
    """The pieces of state `read` is, by name (several when its instance is not known)."""
    if not read.actor:
        return [read.name]
    actor = system.model.actor(read.actor)
    k = at.me if read.ref is None else 0 if actor.count == 1 else _index(system, read.ref, at)
    ks = [k] if k is not None and 0 <= k < actor.count else range(actor.count)
    names = [actor.instance_name(i) for i in ks]
    return [f"{n}.{read.name}" if read.name else n for n in names]


def _instance_numbers(model: ir.Model) -> dict[str, int]:
    return {a.instance_name(k): k for a in model.actors for k in range(a.count)}


def _step_reads(system: System, items: list, s: Step, before: tuple) -> set[str]:
    """The pieces of state step `s` reads (faults read none)."""
    actor = system.model.actor(s.actor)
    numbers = _instance_numbers(system.model)
    sender = s.received.sender if s.received is not None else s.notice or None
    at = _Where(before, s.actor, numbers[s.instance], numbers.get(sender) if sender else None)
    if s.transition < len(items):
        item = items[s.transition]
        reads = set(effects(item).state)
        if FOLLOW_OWN_STATE and item.states:
            reads.add(Read(s.actor, ""))
    elif s.kind == "restart":  # back from down: its crash, and what `on restart` reads
        reads = {Read(s.actor, "")}
        if actor.on_restart is not None:
            reads |= body_reads(actor.on_restart.body)
    else:
        reads = set()
    return {name for r in reads for name in resolve(system, r, at)}


def _writes(s: Step) -> set[str]:
    out = {ch.name for ch in s.changes}
    if s.state_before != s.state_after:
        out.add(s.instance)
    return out


def _origins(steps: tuple[Step, ...]) -> dict[int, int]:
    """The step each message comes from: its send, or for a duplicate's copy the fault."""
    out: dict[int, int] = {}
    for s in steps:
        for m in (*s.sent, *s.lost):
            out[m.id] = s.number
        if s.fault is not None and s.fault.kind.name == "duplicate" and s.fault.copy is not None:
            out[s.fault.copy.id] = s.number
    return out


def _losses(steps: tuple[Step, ...]) -> dict[int, int]:
    """The step that lost each lost message: a fault (lose; a crash, with those in flight to
    the instance), or a SIGKILL (those in flight to what it killed)."""
    out: dict[int, int] = {}
    for s in steps:
        f = s.fault
        gone = [*s.dropped, *(f.dropped if f else ()),
                *([f.message] if f and f.kind.name == "lose" and f.message else [])]
        out |= {m.id: s.number for m in gone}
    return out


def _handled(s: Step) -> list[int]:
    """The messages step `s` acts on: the one it handles, or the one a fault hit."""
    if s.received is not None:
        return [s.received.id]
    f = s.fault
    if f is None or f.kind.name == "crash":
        return []
    return [m.id for m in (f.message, f.copy if f.kind.name == "reorder" else None)
            if m is not None]


def _bindings(system: System, expr: ir.Expr
              ) -> tuple[tuple[str, ...], list[tuple[int, ...]], ir.Expr]:
    """The variables of the `forall`s at the top of `expr`, every combination of their values,
    and the body under them."""
    names: list[str] = []
    sizes: list[int] = []
    body = expr
    while isinstance(body, ir.Quant) and body.kind == "forall" and body.domain.kind == "type":
        names.append(body.var)
        sizes.append(ir.domain_size(body.domain.element))
        body = body.body
    combos: list[tuple[int, ...]] = [()]
    for n in sizes:
        combos = [(*c, k) for c in combos for k in range(n)]
        if len(combos) > _MAX_BINDINGS:
            return (), [()], expr
    return tuple(names), combos, body


def _false_at(system: System, expr: ir.Expr, state: tuple) -> list[tuple[ir.Expr, tuple]]:
    """(body, bindings) for each instance combination of an invariant's `forall`s whose body
    is false in `state` (all of them if none is, or the body cannot be evaluated)."""
    names, combos, body = _bindings(system, expr)
    if not names:
        return [(expr, ())]
    value = state_function(system, body, names)

    def false(c: tuple[int, ...]) -> bool:
        try:
            return not value(state, *c)
        except EvalError:
            return True
    bad = [c for c in combos if false(c)] or combos
    return [(body, tuple(zip(names, c))) for c in bad]


def _final_reads(system: System, trace: Trace, invariant: ir.Invariant | None,
                 liveness: ir.Liveness | None, step_reads: Callable[[int], set[str]]
                 ) -> set[str]:
    """The pieces of state of the final state that the violation is about."""
    state = trace.final_state
    stuck: set[str] = set()
    if liveness is not None:
        bound = tuple((var, value) for var, value, _ in liveness.bound)
        exprs = [(e, bound) for e in (liveness.p, liveness.q) if e is not None]
        if trace.loop is None:  # the run stops, or time runs out: so do those not done
            stuck = _stuck(system, state, down=True)
    elif invariant is not None:
        exprs = _false_at(system, invariant.expr, state)
    elif trace.violation.kind is DEADLOCK:
        stuck = _stuck(system, state, down=False)
        return stuck | _stuck_guards(system, state, stuck)
    else:  # a failing assert, range or expression: what the failing step reads
        return step_reads(len(trace.steps)) if trace.steps else set()
    return stuck | {name for e, bound in exprs for r in expr_reads(e)
                    for name in resolve(system, r, _Where(state, bound=bound))}


def _stuck_guards(system: System, state: tuple, stuck: set[str]) -> set[str]:
    """What the guards of the stuck instances' handlers and steps read, of those their
    control state allows: a guard that is false is why the instance cannot move on, and the
    step that made it false is why the system stopped (not the step that happened to come
    last). A handler without a guard waits for a message that never came: no step of the
    trace is its cause."""
    numbers = _instance_numbers(system.model)
    out: set[str] = set()
    for item in transition_items(system.model):
        if item.guard is None:
            continue
        actor = system.model.actor(item.actor)
        for k in range(actor.count):
            name = actor.instance_name(k)
            if name not in stuck or (item.states and state[system.layout.ctrl[actor.name] + k]
                                     not in item.states):
                continue
            at = _Where(state, actor.name, numbers[name])
            out |= {n for r in expr_reads(item.guard) for n in resolve(system, r, at)}
    return out


def _stuck(system: System, state: tuple, down: bool) -> set[str]:
    """The instances not in a final control state; crashed ones too if `down` (a deadlock
    counts them as final)."""
    return {a.instance_name(k) for a in system.model.actors for k in range(a.count)
            if (v := state[system.layout.ctrl[a.name] + k]) not in a.finals
            and (down or v < len(a.states))}


class _Search:
    """The walk back from the violation: what each step reads, writes and acts on."""

    def __init__(self, system: System, trace: Trace):
        self.system, self.steps, self.path = system, trace.steps, trace.violation.path
        self.items = transition_items(system.model)
        self.writes = [_writes(s) for s in self.steps]
        self.origins = _origins(self.steps)
        self.losses = _losses(self.steps)
        self.reads: dict[int, set[str]] = {}

    def step_reads(self, n: int) -> set[str]:
        if n not in self.reads:
            before = self.path[min(n - 1, len(self.path) - 1)]
            self.reads[n] = _step_reads(self.system, self.items, self.steps[n - 1], before)
        return self.reads[n]

    def last_writer(self, name: str, before: int) -> int | None:
        return next((n for n in range(before - 1, 0, -1) if name in self.writes[n - 1]), None)

    def causes(self, n: int) -> tuple[set[int | None], set[int]]:
        """The steps step n depends on, and the messages that link it to them."""
        s = self.steps[n - 1]
        out = {self.last_writer(name, n) for name in self.step_reads(n)}
        # Sent to a crashed instance: lost because of the crash.
        out |= {self.last_writer(m.receiver, n) for m in s.lost}
        messages = {m for m in _handled(s) if m in self.origins}
        out |= {self.origins[m] for m in messages}
        # A message it sent that a fault or a kill lost: why what should follow did not.
        lost = {m.id for m in s.sent if m.id in self.losses}
        out |= {self.losses[m] for m in lost}
        return out, messages | lost


def committing_step(trace: Trace, liveness: ir.Liveness | None) -> int | None:
    """The number of the step that commits the violation: the last one, but None for a
    liveness violation or a deadlock (their final state, or their run, is the violation), and
    for a trace of no steps."""
    if liveness is not None or trace.violation.kind is DEADLOCK or not trace.steps:
        return None
    return len(trace.steps)


def causal_chain(system: System, trace: Trace, invariant: ir.Invariant | None,
                 liveness: ir.Liveness | None = None) -> Chain:
    """The steps, messages and final pieces of state of `trace`'s violation (module
    docstring)."""
    search = _Search(system, trace)
    last = len(trace.steps)
    final = _final_reads(system, trace, invariant, liveness, search.step_reads)
    todo = {search.last_writer(name, last + 1) for name in final}
    committed = committing_step(trace, liveness)
    if committed is not None:
        todo.add(committed)
    if trace.loop is not None:
        todo |= set(range(trace.loop, last + 1))
    chain: set[int] = set()
    messages: set[int] = set()
    while todo:
        n = todo.pop()
        if n is None or n in chain:
            continue
        chain.add(n)
        causes, links = search.causes(n)
        todo |= causes
        messages |= links
    return Chain(frozenset(chain), frozenset(messages), frozenset(final))
