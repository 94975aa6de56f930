"""Static facts about handlers and steps, read off the IR: which shared variables each reads
and writes, which control states it can move to, and which messages flow between actors; and,
for the sequence chart's causal chain, every piece of state each reads (`Read`: shared
variables, its own variables, other instances' variables `r.v` and control states `r at S`,
`down(r)`, and the hidden variables its firing waits on: a timer, a signal, a crash notice).

Used by the diagrams (shared-state lifeline, state machines, structure view, causal chain); the
explorer does not need them.
"""

from __future__ import annotations

from checker import ir
from checker.record import record


@record
class Read:
    """A piece of state an expression reads: a shared variable (`actor` is ""), a variable
    `name` of an instance of `actor`, or that instance's control state (`name` is ""). `ref`
    designates the instance: None for the executing one (its own `v`, the timer it waits on),
    else the expression (`Envoy`, `sender`, `Invocation[i]`, a ref variable, a quantifier's
    variable). Channel contents (`pending(M)`) are not state here."""
    actor: str
    name: str
    ref: ir.Expr | None = None


@record
class Effects:
    reads: frozenset[str]  # shared variables read (guard or body)
    writes: frozenset[str]  # shared variables written
    targets: frozenset[int | None]  # control states it can end in; None = unchanged
    sends: frozenset[tuple[str, str]]  # (message, receiver actor)
    state: frozenset[Read] = frozenset()  # everything read, `reads` included (see Read)


def _read_of(e) -> Read | None:
    if isinstance(e, ir.SharedVar):
        return Read("", e.name)
    if isinstance(e, ir.LocalVar):
        return Read(e.actor, e.name)
    if isinstance(e, ir.RemoteVar):
        return Read(e.actor, e.name, e.ref)
    if isinstance(e, (ir.At, ir.Down)):
        return Read(e.actor, "", e.ref)
    return None


def _expr_reads(e, out: set[Read]) -> None:
    read = _read_of(e)
    if read is not None:
        out.add(read)
    if isinstance(e, tuple):
        for x in e:
            _expr_reads(x, out)
        return
    if hasattr(e, "__dataclass_fields__") and not isinstance(e, (ir.BoolT, ir.IntT, ir.EnumT,
                                                                  ir.RefT, ir.SetT)):
        for name in e.__dataclass_fields__:
            _expr_reads(getattr(e, name), out)


def expr_reads(e: ir.Expr) -> frozenset[Read]:
    """Every piece of state `e` reads (a property's, for the causal chain)."""
    out: set[Read] = set()
    _expr_reads(e, out)
    return frozenset(out)


def _stmts(body, reads: set[Read], writes: set[str], sends: set) -> None:
    for st in body:
        if isinstance(st, ir.Assign):
            if st.scope == "shared":
                writes.add(st.name)
            value = st.value
            if isinstance(value, ir.Binary) and value.op in ("setadd", "setremove"):
                _expr_reads(value.right, reads)  # the set itself is updated, not read
            else:
                _expr_reads(value, reads)
        elif isinstance(st, ir.Send):
            _expr_reads(st.args, reads)
            if st.target is not None:
                _expr_reads(st.target, reads)
            sends.add((st.message, st.receiver_actor))
        elif isinstance(st, ir.If):
            _expr_reads(st.cond, reads)
            # A condition folded to a constant (a configuration flag) takes one branch only.
            if not (isinstance(st.cond, ir.Lit) and not st.cond.value):
                _stmts(st.then, reads, writes, sends)
            if not (isinstance(st.cond, ir.Lit) and st.cond.value):
                _stmts(st.orelse, reads, writes, sends)
        elif isinstance(st, ir.Choose):
            for b in st.branches:
                _stmts(b, reads, writes, sends)
        elif isinstance(st, ir.Pick):
            _expr_reads(st.domain, reads)
            _stmts(st.body, reads, writes, sends)
        elif isinstance(st, ir.Assert):
            _expr_reads(st.cond, reads)


def _targets(body, current: frozenset) -> frozenset:
    """Possible control states after `body`, given the possible ones before (None = unchanged)."""
    for st in body:
        if isinstance(st, ir.Goto):
            current = frozenset({st.state})
        elif isinstance(st, ir.If) and isinstance(st.cond, ir.Lit):
            current = _targets(st.then if st.cond.value else st.orelse, current)
        elif isinstance(st, ir.If):
            current = _targets(st.then, current) | _targets(st.orelse, current)
        elif isinstance(st, ir.Choose):
            current = frozenset().union(*(_targets(b, current) for b in st.branches))
        elif isinstance(st, ir.Pick):
            current = _targets(st.body, current)
    return current


def _waits_on(item: ir.Handler | ir.Step | ir.CrashHandler) -> set[Read]:
    """The hidden variable of its own instance whose setting lets `item` fire: the timer of
    `on timeout T`, the flag of `on signal S`, the notices of `on crash of A`."""
    if isinstance(item, ir.CrashHandler):
        return {Read(item.actor, ir.crash_var(item.crashed))}
    if isinstance(item, ir.Step) and item.timing and item.timing[0] == "timeout":
        return {Read(item.actor, ir.timer_var(item.timing[1]))}
    if isinstance(item, ir.Step) and item.signal:
        return {Read(item.actor, ir.signal_var(item.signal))}
    return set()


def body_reads(body: tuple[ir.Stmt, ...]) -> frozenset[Read]:
    """Everything a body reads (an `on restart` body's, which has no item of its own)."""
    reads: set[Read] = set()
    _stmts(body, reads, set(), set())
    return frozenset(reads)


def effects(item: ir.Handler | ir.Step | ir.CrashHandler) -> Effects:
    reads: set[Read] = _waits_on(item)
    writes: set[str] = set()
    sends: set = set()
    if item.guard is not None:
        _expr_reads(item.guard, reads)
    _stmts(item.body, reads, writes, sends)
    return Effects(frozenset(r.name for r in reads if not r.actor), frozenset(writes),
                   _targets(item.body, frozenset({None})), frozenset(sends), frozenset(reads))


def transition_items(model: ir.Model) -> list[ir.Handler | ir.Step]:
    """Handlers, steps, then `on crash of` handlers per actor: the same order as the compiled
    transition ids (restarts and faults, numbered after these, have no item)."""
    return [x for a in model.actors for x in (*a.handlers, *a.steps, *a.crash_handlers)]
