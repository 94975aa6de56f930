"""Static facts about handlers and steps, read off the IR: which shared variables each reads
and writes, which control states it can move to, and which messages flow between actors.

Used by the diagrams (shared-state lifeline, state machines, structure view); the explorer does
not need them.
"""

from __future__ import annotations

from checker import ir
from checker.record import record


@record
class Effects:
    reads: frozenset[str]  # shared variables read (guard or body)
    writes: frozenset[str]  # shared variables written
    targets: frozenset[int | None]  # control states it can end in; None = unchanged
    sends: frozenset[tuple[str, str]]  # (message, receiver actor)


def _expr_reads(e, out: set[str]) -> None:
    if isinstance(e, ir.SharedVar):
        out.add(e.name)
        return
    if isinstance(e, tuple):
        for x in e:
            _expr_reads(x, out)
        return
    if hasattr(e, "__dataclass_fields__") and not isinstance(e, (ir.BoolT, ir.IntT, ir.EnumT,
                                                                  ir.RefT, ir.SetT)):
        for name in e.__dataclass_fields__:
            _expr_reads(getattr(e, name), out)


def _stmts(body, reads: set[str], writes: set[str], sends: set) -> None:
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


def effects(item: ir.Handler | ir.Step) -> Effects:
    reads: set[str] = set()
    writes: set[str] = set()
    sends: set = set()
    if item.guard is not None:
        _expr_reads(item.guard, reads)
    _stmts(item.body, reads, writes, sends)
    return Effects(frozenset(reads), frozenset(writes), _targets(item.body, frozenset({None})),
                   frozenset(sends))


def transition_items(model: ir.Model) -> list[ir.Handler | ir.Step]:
    """Handlers, steps, then `on crash of` handlers per actor: the same order as the compiled
    transition ids (restarts and faults, numbered after these, have no item)."""
    return [x for a in model.actors for x in (*a.handlers, *a.steps, *a.crash_handlers)]
