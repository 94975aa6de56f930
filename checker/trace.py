"""Traces: a violation's path of states replayed into readable steps.

Each step says which actor instance fired which handler or step, which message it received
and which it sent (messages carry ids, so a diagram can join a send to its delivery), how the
control state changed and which variables changed. Replay re-runs the compiled successor
function on each state of the path and picks the first transition that yields the next state,
so the trace is deterministic; that run also logs the step's sends in the order they executed,
and messages are listed and numbered in that order. A liveness lasso is a path whose end
returns to an earlier state; its cycle's hops carry their labels, so the trace shows the
transitions the fair cycle takes.
"""

from __future__ import annotations

from checker import ir
from checker.compile import System
from checker.engines.result import Violation
from checker.record import record
from checker.source import Span


@record
class MessageEvent:
    id: int
    message: str
    fields: tuple[tuple[str, str], ...]
    sender: str
    receiver: str

    def describe(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.fields)
        return f"{self.message}#{self.id}" + (f"({args})" if args else "")


@record
class Change:
    name: str
    before: str
    after: str
    shared: bool = False


@record
class Step:
    number: int
    transition: int  # the compiled transition id (see System.transitions)
    instance: str
    actor: str
    kind: str  # "on" | "step"
    name: str
    span: Span
    received: MessageEvent | None
    sent: tuple[MessageEvent, ...]
    state_before: str
    state_after: str
    changes: tuple[Change, ...]
    failed: str = ""  # for the last step of an assert/range failure: what went wrong


@record
class Trace:
    initial: tuple[Change, ...]  # every variable's initial value (before == after)
    steps: tuple[Step, ...]
    in_flight: tuple[MessageEvent, ...]
    final_state: tuple
    violation: Violation
    # A liveness lasso: the steps from number `loop` on repeat forever (None: no cycle); or,
    # with `stutter`, nothing more happens after the last step.
    loop: int | None = None
    stutter: bool = False


def _fields(system: System, msg: tuple) -> tuple[str, tuple[tuple[str, str], ...]]:
    m = system.model.messages[msg[0]]
    return m.name, tuple((f.name, ir.format_value(f.type, v)) for f, v in zip(m.fields, msg[1:]))


def describe_state(system: System, s: tuple) -> list[Change]:
    """Every control state and variable of a state, as name/value pairs."""
    model, lay = system.model, system.layout
    out = []
    for a in model.actors:
        for k in range(a.count):
            inst = a.instance_name(k)
            st = a.states[s[lay.ctrl[a.name] + k]]
            out.append(Change(f"{inst}", st, st))
            for v in a.vars:
                val = ir.format_value(v.type, s[lay.vars[(a.name, v.name)] + k])
                out.append(Change(f"{inst}.{v.name}", val, val))
    for v in model.shared:
        val = ir.format_value(v.type, s[lay.shared[v.name]])
        out.append(Change(v.name, val, val, shared=True))
    return out


def _diff(system: System, a: tuple, b: tuple) -> list[Change]:
    model, lay = system.model, system.layout
    out = []
    for act in model.actors:
        for k in range(act.count):
            for v in act.vars:
                idx = lay.vars[(act.name, v.name)] + k
                if a[idx] != b[idx]:
                    out.append(Change(f"{act.instance_name(k)}.{v.name}",
                                      ir.format_value(v.type, a[idx]),
                                      ir.format_value(v.type, b[idx])))
    for v in model.shared:
        idx = lay.shared[v.name]
        if a[idx] != b[idx]:
            out.append(Change(v.name, ir.format_value(v.type, a[idx]),
                              ir.format_value(v.type, b[idx]), shared=True))
    return out


def _replay(system: System, s: tuple, t: tuple, label: tuple | None) -> tuple[tuple, tuple]:
    """The transition from s to t (its label) and the sends it made, in the order they ran:
    ((slot index, message), ...). With a known label (timed paths, whose states have their
    timers normalized), the successor with that label and t's channel contents."""
    out: list = []
    info: list = []
    sends: list = []
    system.successors_traced(s, out, [], [0] * len(system.transitions), info, sends)
    slots = [sl.index for sl in system.layout.slots]
    for succ, lab, log in zip(out, info, sends):
        if succ == t and (label is None or lab == label):
            return lab, log
    if label is not None:  # a timed path: match the label and the channels
        for succ, lab, log in zip(out, info, sends):
            if lab == label and all(succ[k] == t[k] for k in slots):
                return lab, log
    raise AssertionError("trace replay could not find the transition between two states")


def build_trace(system: System, violation: Violation) -> Trace:
    model, lay = system.model, system.layout
    path = violation.path
    ids: dict[int, list[int]] = {sl.index: [] for sl in lay.slots}
    slots = {sl.index: sl for sl in lay.slots}
    events: dict[int, MessageEvent] = {}
    next_id = 1
    steps: list[Step] = []
    hops = [(path[n], path[n + 1]) for n in range(len(path) - 1)]
    if violation.failing is not None:
        hops.append((path[-1], None))
    for number, (s, t) in enumerate(hops, 1):
        label = violation.labels[number - 1] if violation.labels is not None \
            and number <= len(violation.labels) else None
        log: tuple = ()
        if t is not None:
            label, log = _replay(system, s, t, label)
        tid, inst, slot, msg = label or violation.failing
        tr = system.transitions[tid]
        actor = model.actor(tr.actor)
        received = None
        if slot >= 0:
            contents = list(s[slot])
            pos = contents.index(msg)
            mid = ids[slot].pop(pos)
            received = events[mid]
        # Messages sent, numbered in the order the sends ran; each slot's ids kept parallel to
        # its contents (unordered slots are kept sorted).
        sent = []
        added: dict[int, list[tuple[tuple, int]]] = {}
        for k, m in log:
            sl = slots[k]
            name, fields = _fields(system, m)
            ev = MessageEvent(next_id, name, fields,
                              model.actor(sl.sender).instance_name(sl.sender_instance),
                              model.actor(sl.receiver).instance_name(sl.receiver_instance))
            events[next_id] = ev
            sent.append(ev)
            added.setdefault(k, []).append((m, next_id))
            next_id += 1
        for k, new in added.items():
            before = list(s[k])
            if k == slot:
                before.pop(before.index(msg))
            pairs = list(zip(before, ids[k])) + new
            if not slots[k].ordered:
                pairs.sort()
            assert tuple(p[0] for p in pairs) == t[k]
            ids[k] = [p[1] for p in pairs]
        cb = lay.ctrl[actor.name] + inst
        before_state = actor.states[s[cb]]
        after_state = actor.states[t[cb]] if t is not None else before_state
        changes = tuple(_diff(system, s, t)) if t is not None else ()
        steps.append(Step(
            number=number,
            transition=tid,
            instance=actor.instance_name(inst),
            actor=actor.name,
            kind=tr.kind,
            name=tr.name,
            span=tr.span,
            received=received,
            sent=tuple(sent),
            state_before=before_state,
            state_after=after_state,
            changes=changes,
            failed=violation.message if t is None else "",
        ))
    in_flight = tuple(events[i] for sl in lay.slots for i in ids[sl.index])
    lasso = violation.lasso
    loop = lasso.loop + 1 if lasso is not None and not lasso.stutter else None
    return Trace(tuple(describe_state(system, path[0])), tuple(steps), in_flight, path[-1],
                 violation, loop, lasso is not None and lasso.stutter)
