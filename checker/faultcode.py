"""The generated code of injected faults: crashes, restarts and message faults.

A spec's fault clauses (`ir.Faults`) become transitions of kind "fault" in the successor
function, after every actor's own, each guarded by its clause's budget and the total one
(counters in the state: `Layout.fault_slots`, `Layout.fault_total`). A crashed instance's
control state is its actor's `down` value (past every declared state), so none of its handlers
or steps is dispatched; `down + 1` marks one that a `restart` clause will bring back, by a
transition of kind "restart" that is not a fault. docs/faults.md says what each fault does;
this module is where it is done.
"""

from __future__ import annotations

from checker import ir
from checker.faults import CRASH, DUPLICATE, LOSE, REORDER


def crashable_actors(model: ir.Model, faults: ir.Faults) -> frozenset[str]:
    """The actors some clause may crash, or the spec's `terminate` may kill."""
    killed = {a for actor in model.actors for step in actor.steps for st in step.body
              if isinstance(st, (ir.Kill, ir.Signal)) for a in st.actors}
    return frozenset(c.actor for c in faults.clauses if c.kind is CRASH) | killed


def down_lines(model: ir.Model, layout, actor: ir.Actor, k: int, tv: str, value: int,
               ind: str) -> list[str]:
    """Instance k of `actor` goes down in working state tv (control value `value`): its
    volatile variables reset, the messages to it dropped unless durable, each supervisor that
    is up noticed (docs/faults.md)."""
    ctl = layout.ctrl[actor.name] + k
    lines = [f"{ind}{tv}[{ctl}] = {value}"]
    for v in actor.vars:
        if not v.durable:
            lines.append(f"{ind}{tv}[{layout.vars[(actor.name, v.name)] + k}] = {v.init!r}")
    for sl in layout.slots:
        if sl.receiver == actor.name and sl.receiver_instance == k and not next(
                ch.durable for ch in model.channels
                if ch.sender == sl.sender and ch.receiver == sl.receiver):
            lines.append(f"{ind}{tv}[{sl.index}] = ()")
    for sup in model.actors:
        if any(h.crashed == actor.name for h in sup.crash_handlers):
            for j in range(sup.count):  # a notice to each supervisor instance that is up
                mask = layout.vars[(sup.name, ir.crash_var(actor.name))] + j
                lines += [f"{ind}if {tv}[{layout.ctrl[sup.name] + j}] < {sup.down}:",
                          f"{ind}    {tv}[{mask}] |= {1 << k}"]
    return lines


def kill_lines(model: ir.Model, layout, st: ir.Kill | ir.Signal, tv: str, ind: str
               ) -> list[str]:
    """SIGKILL, or SIGTERM: what it does to each instance of its actors that is up."""
    lines = []
    for name in st.actors:
        actor = model.actor(name)
        for k in range(actor.count):
            ctl = layout.ctrl[name] + k
            lines.append(f"{ind}if {tv}[{ctl}] < {actor.down}:")
            if isinstance(st, ir.Signal) and st.handled:
                if name in st.handled:
                    flag = layout.vars[(name, ir.signal_var(st.signal))] + k
                    lines.append(f"{ind}    {tv}[{flag}] = True")
                else:
                    lines.append(f"{ind}    pass")  # another member of its group handles it
                continue
            # SIGKILL, or SIGTERM that nobody handles: its default action kills; an instance
            # a crash left waiting for its restart is killed for good (it never comes back).
            lines += down_lines(model, layout, actor, k, tv, actor.down, ind + "    ")
            lines += [f"{ind}elif {tv}[{ctl}] == {actor.down + 1}:",
                      f"{ind}    {tv}[{ctl}] = {actor.down}"]
    return lines


def restartable_actors(faults: ir.Faults) -> frozenset[str]:
    """The actors some clause crashes and restarts."""
    return frozenset(c.actor for c in faults.clauses if c.kind is CRASH and c.restart)


def restart_item(actor: ir.Actor, span) -> ir.Step:
    """A restart as a step: go to the restart state (else the initial one), then run
    `on restart`. Dispatched only on the actor's `down + 1` (checker.compile)."""
    resume = actor.initial if actor.restart_state is None else actor.restart_state
    body = actor.on_restart.body if actor.on_restart is not None else ()
    goto = ir.Goto(resume, actor.states[resume], span)
    return ir.Step(actor.name, "restart", (), None, (goto, *body), span)


def message_slots(model: ir.Model, slots, clause: ir.MessageFault, receiver: str) -> list:
    """The channel slots to `receiver` that a message clause applies to: those it selects
    that can carry a message it selects."""
    sent = model.sent()
    return [sl for sl in slots if sl.receiver == receiver
            and clause.selects(sl.sender, sl.sender_instance, sl.receiver, sl.receiver_instance)
            and any(s == sl.sender and r == receiver and clause.message in (None, m)
                    for s, m, r in sent)]


def emit_lines(tid: int, inst: int, slot: int | str, msg: str, tv: str, ind: str,
               traced: bool) -> list[str]:
    """The generated code that records working state tv as a successor of transition tid
    (traced: with its label, and without the log of sends that is its last element)."""
    state = f"{tv}[:-1]" if traced else tv
    lines = [f"{ind}out.append(tuple({state}))", f"{ind}fired[{tid}] += 1"]
    if traced:
        lines += [f"{ind}info.append(({tid}, {inst}, {slot}, {msg}))",
                  f"{ind}sends.append({tv}[-1])"]
    return lines


def _budget(layout, clause: int, budget: int, clause_budget: int) -> str:
    return (f"s[{layout.fault_total}] < {budget} and "
            f"s[{layout.fault_slots[clause]}] < {clause_budget}")


def _spend(layout, clause: int, ind: str) -> list[str]:
    return [f"{ind}t0[{layout.fault_total}] += 1",
            f"{ind}t0[{layout.fault_slots[clause]}] += 1"]


def crash_code(model: ir.Model, layout, faults: ir.Faults, tid: int, clause: int,
               traced: bool) -> list[str]:
    """A crash of any instance the clause names that is not down already."""
    c = faults.clauses[clause]
    actor = model.actor(c.actor)
    start = "list(s) + [()]" if traced else "list(s)"
    lines = [f"    if {_budget(layout, clause, faults.budget, c.budget)}:"]
    insts = range(actor.count) if c.instance is None else (c.instance,)
    for k in insts:
        lines += [f"        # transition {tid}, instance {k}",  # numbers only: no user text
                  f"        if s[{layout.ctrl[actor.name] + k}] < {actor.down}:",
                  f"            t0 = {start}"]
        lines += _spend(layout, clause, "            ")
        lines += down_lines(model, layout, actor, k, "t0",
                            actor.down + 1 if c.restart else actor.down, "            ")
        lines += emit_lines(tid, k, -1, "None", "t0", "            ", traced)
    return lines


def message_fault_code(model: ir.Model, layout, faults: ir.Faults, tid: int, clause: int,
                       receiver: str, traced: bool) -> list[str]:
    """Lose, duplicate or reorder one message in any slot to `receiver` the clause selects.
    Of equal neighbours only the first is taken: either gives the same state."""
    c = faults.clauses[clause]
    start = "list(s) + [()]" if traced else "list(s)"
    mid = None if c.message is None else [m.name for m in model.messages].index(c.message)
    lines = [f"    if {_budget(layout, clause, faults.budget, c.budget)}:"]
    for sl in message_slots(model, layout.slots, c, receiver):
        ind = "            "
        lines.append(f"        # transition {tid}, instance {sl.receiver_instance}")
        lines.append(f"        ch = s[{sl.index}]")
        if c.kind is REORDER:
            if not sl.ordered:
                continue
            lines.append("        for p in range(len(ch) - 1):")
            lines.append(f"{ind}m, n = ch[p], ch[p + 1]")
            lines.append(f"{ind}if m == n: continue")
            if mid is not None:
                lines.append(f"{ind}if m[0] != {mid} and n[0] != {mid}: continue")
            new = "ch[:p] + (n, m) + ch[p + 2:]"
        else:
            guard = f"len(ch) < {sl.capacity}" if c.kind is DUPLICATE else "ch"
            lines.append(f"        for p in (range(len(ch)) if {guard} else ()):")
            lines.append(f"{ind}m = ch[p]")
            if mid is not None:
                lines.append(f"{ind}if m[0] != {mid}: continue")
            lines.append(f"{ind}if p and ch[p - 1] == m: continue")
            new = "ch[:p] + ch[p + 1:]" if c.kind is LOSE else "ch[:p + 1] + (m,) + ch[p + 1:]"
        lines.append(f"{ind}t0 = {start}")
        lines += _spend(layout, clause, ind)
        lines.append(f"{ind}t0[{sl.index}] = {new}")
        lines += emit_lines(tid, sl.receiver_instance, sl.index, "m", "t0", ind, traced)
    return lines
