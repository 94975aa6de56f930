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
from checker.faults import CRASH, DUPLICATE, LOSE, REORDER, FaultKind
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
class FaultEvent:
    """What an injected fault did (docs/faults.md)."""

    kind: FaultKind
    clause: str  # the clause as written
    used: int  # the clause's faults so far, this one included
    budget: int  # the clause's budget
    total: int  # the run's faults so far, this one included
    target: str  # the instance that crashed, or the receiver of the message
    message: MessageEvent | None = None  # lost, duplicated, or overtaken
    copy: MessageEvent | None = None  # duplicate: the copy; reorder: the one that overtook
    dropped: tuple[MessageEvent, ...] = ()  # crash: the messages to it, lost with it

    def describe(self) -> str:
        what = {"crash": self.target, "lose": self.message and self.message.describe(),
                "duplicate": self.message and self.message.describe(),
                "reorder": self.copy and self.message and
                f"{self.copy.describe()} overtakes {self.message.describe()}"}[self.kind.name]
        return f"{self.kind.name} {what}"


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
    fault: FaultEvent | None = None  # kind "fault": what was injected
    lost: tuple[MessageEvent, ...] = ()  # sent to a crashed instance, so lost at once
    notice: str = ""  # `on crash of A`: the instance whose crash it handles
    dropped: tuple[MessageEvent, ...] = ()  # SIGKILL: in flight to an instance it killed
    in_flight: tuple[MessageEvent, ...] = ()  # sent and not yet handled, after this step


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
            st = a.state_name(s[lay.ctrl[a.name] + k])
            out.append(Change(f"{inst}", st, st))
            for v in a.vars:
                val = ir.format_value(v.type, s[lay.vars[(a.name, v.name)] + k])
                out.append(Change(f"{inst}.{v.name}", val, val))
    for v in model.shared:
        val = ir.format_value(v.type, s[lay.shared[v.name]])
        out.append(Change(v.name, val, val, shared=True))
    return out


def _diff(system: System, a: tuple, b: tuple, own: int = -1) -> list[Change]:
    """What changed from a to b: other instances' control states (a SIGKILL takes them down;
    `own`, the stepping instance's, is the step's state line), then variables."""
    model, lay = system.model, system.layout
    out = []
    for act in model.actors:
        for k in range(act.count):
            idx = lay.ctrl[act.name] + k
            if idx != own and a[idx] != b[idx]:
                out.append(Change(act.instance_name(k), act.state_name(a[idx]),
                                  act.state_name(b[idx])))
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


class _Messages:
    """The messages of a trace so far: numbered in the order they were sent, and per channel
    slot the ids of those in it, parallel to its contents (unordered slots are sorted)."""

    def __init__(self, system: System):
        self.system = system
        self.slots = {sl.index: sl for sl in system.layout.slots}
        self.ids: dict[int, list[int]] = {k: [] for k in self.slots}
        self.events: dict[int, MessageEvent] = {}

    def new(self, k: int, m: tuple) -> MessageEvent:
        sl, model = self.slots[k], self.system.model
        name, fields = _fields(self.system, m)
        ev = MessageEvent(len(self.events) + 1, name, fields,
                          model.actor(sl.sender).instance_name(sl.sender_instance),
                          model.actor(sl.receiver).instance_name(sl.receiver_instance))
        self.events[ev.id] = ev
        return ev

    def step(self, s: tuple, t: tuple, slot: int, msg, log: tuple
             ) -> tuple[MessageEvent | None, list[MessageEvent], list[MessageEvent],
                        list[MessageEvent]]:
        """A transition's message received (from `slot`), sent, lost (sent to a crashed
        instance) and dropped (in flight to an instance it killed), with the ids kept in step
        with t's channels."""
        received = None
        if slot >= 0:
            received = self.events[self.ids[slot].pop(list(s[slot]).index(msg))]
        sent, lost = [], []
        added: dict[int, list[tuple[tuple, int]]] = {}
        for k, m in log:
            if k < 0:  # the receiver is down: the send succeeded, the message is gone
                lost.append(self.new(-k - 1, m))
                continue
            ev = self.new(k, m)
            sent.append(ev)
            added.setdefault(k, []).append((m, ev.id))
        for k, new in added.items():
            before = list(s[k])
            if k == slot:
                before.pop(before.index(msg))
            pairs = list(zip(before, self.ids[k])) + new
            if not self.slots[k].ordered:
                pairs.sort()
            assert tuple(p[0] for p in pairs) == t[k]
            self.ids[k] = [p[1] for p in pairs]
        dropped = []
        if t is not None:
            for k in self.slots:
                if k not in added and not t[k] and self.ids[k]:  # SIGKILL emptied it
                    dropped += [self.events[i] for i in self.ids[k]]
                    self.ids[k] = []
        return received, sent, lost, dropped

    def fault(self, s: tuple, t: tuple, label: tuple) -> FaultEvent:
        """What the fault transition `label` did to the messages, and to whom."""
        system = self.system
        tid, inst, slot, _msg = label
        tr = system.transitions[tid]
        clause = system.faults.clauses[tr.clause]
        used = t[system.layout.fault_slots[tr.clause]]
        base = {"kind": clause.kind, "clause": clause.text, "used": used, "budget": clause.budget,
                    "total": system.faults_of(t),
                    "target": system.model.actor(tr.actor).instance_name(inst)}
        if clause.kind is CRASH:
            dropped = []
            for k, sl in self.slots.items():
                if sl.receiver == tr.actor and sl.receiver_instance == inst and s[k] and not t[k]:
                    dropped += [self.events[i] for i in self.ids[k]]
                    self.ids[k] = []
            return FaultEvent(**base, dropped=tuple(dropped))
        before, after, ids = s[slot], t[slot], self.ids[slot]
        for p in range(len(before)):
            if clause.kind is LOSE and before[:p] + before[p + 1:] == after:
                return FaultEvent(**base, message=self.events[ids.pop(p)])
            if clause.kind is DUPLICATE and before[:p + 1] + before[p:] == after:
                original = self.events[ids[p]]
                copy = MessageEvent(len(self.events) + 1, original.message, original.fields,
                                    original.sender, original.receiver)
                self.events[copy.id] = copy
                ids.insert(p + 1, copy.id)
                return FaultEvent(**base, message=original, copy=copy)
            if clause.kind is REORDER and before[:p] + before[p + 1:p + 2] + before[p:p + 1] + before[p + 2:] == after:
                ids[p], ids[p + 1] = ids[p + 1], ids[p]
                return FaultEvent(**base, message=self.events[ids[p + 1]],
                                  copy=self.events[ids[p]])
        raise AssertionError("trace replay could not tell what a fault did")

    def in_flight(self) -> tuple[MessageEvent, ...]:
        return tuple(self.events[i] for sl in self.system.layout.slots
                     for i in self.ids[sl.index])


def build_trace(system: System, violation: Violation) -> Trace:
    model, lay = system.model, system.layout
    path = violation.path
    messages = _Messages(system)
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
        fault = received = None
        sent: list = []
        lost: list = []
        dropped: list = []
        if tr.is_fault:
            fault = messages.fault(s, t, label)
        else:
            received, sent, lost, dropped = messages.step(s, t, slot, msg, log)
        cb = lay.ctrl[actor.name] + inst
        before_state = actor.state_name(s[cb])
        after_state = actor.state_name(t[cb]) if t is not None else before_state
        changes = tuple(_diff(system, s, t, cb)) if t is not None else ()
        notice = model.actor(tr.crashed).instance_name(msg) if tr.crashed else ""
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
            fault=fault,
            lost=tuple(lost),
            notice=notice,
            dropped=tuple(dropped),
            in_flight=messages.in_flight(),
        ))
    lasso = violation.lasso
    loop = lasso.loop + 1 if lasso is not None and not lasso.stutter else None
    return Trace(tuple(describe_state(system, path[0])), tuple(steps), messages.in_flight(),
                 path[-1], violation, loop, lasso is not None and lasso.stutter)
