"""The counterexample as a Graphviz sequence chart (a pure function: trace -> DOT text).

Layout: one column per actor instance plus one for the shared variables; one row per step,
time flowing down. Dashed vertical edges are the lifelines; every row is a `rank=same` group
whose cells are chained by invisible edges so the columns stay in order. A step is a box on
its instance's lifeline (internal steps rounded and shaded, handlers plain); a message is an
arrow from the box that sent it to the box that handled it (`constraint=false`, so a late
delivery spans the rows in between); messages still in flight end at the bottom. The last
step is highlighted (red), steps that wrote a variable the property reads are marked
(orange), and a note at the bottom gives the property's text and `file:line`.
"""

from __future__ import annotations

from checker import ir
from checker.compile import System
from checker.effects import effects, transition_items
from checker.render.dot import attrs, quote, wrap
from checker.render.text import BUILTIN_PROPERTIES
from checker.trace import Trace, describe_state

RED = "#c0392b"
RED_FILL = "#fadbd8"
ORANGE_FILL = "#fdebd0"
ORANGE = "#d35400"
STEP_FILL = "#fcf3cf"
HEADER_FILL = "#d6eaf8"
SHARED_FILL = "#e8f8f5"
MESSAGE = "#1f618d"


def _instances(model: ir.Model) -> list[tuple[str, str]]:
    return [(a.name, a.instance_name(k)) for a in model.actors for k in range(a.count)]


def _mentioned(e, actors: set[str], shared: set[str]) -> None:
    if isinstance(e, (ir.LocalVar, ir.RemoteVar, ir.At)):
        actors.add(e.actor)
    elif isinstance(e, ir.SharedVar):
        shared.add(e.name)
    if isinstance(e, tuple):
        for x in e:
            _mentioned(x, actors, shared)
    elif hasattr(e, "__dataclass_fields__") and not isinstance(
            e, (ir.BoolT, ir.IntT, ir.EnumT, ir.RefT, ir.SetT)):
        for name in e.__dataclass_fields__:
            _mentioned(getattr(e, name), actors, shared)


def _shared_value(system: System, s: tuple, name: str) -> str:
    var = next(v for v in system.model.shared if v.name == name)
    return ir.format_value(var.type, s[system.layout.shared[name]])


def sequence_dot(system: System, trace: Trace, *, title: str,
                 invariant: ir.Invariant | None) -> str:
    model = system.model
    items = transition_items(model)
    columns = _instances(model)
    col_of = {inst: c for c, (_a, inst) in enumerate(columns)}
    has_shared = bool(model.shared)
    shared_col = len(columns)
    ncols = len(columns) + (1 if has_shared else 0)
    steps = trace.steps
    rows = len(steps)
    violation = trace.violation
    path = violation.path

    # The events the violation is made of (orange): the steps whose effects the last step or
    # the property read -- the last writer of each shared variable the last step read, the
    # last writer of each variable the property reads, and the sender of the message the last
    # step handled.
    prop_actors: set[str] = set()
    prop_shared: set[str] = set()
    if invariant is not None:
        _mentioned(invariant.expr, prop_actors, prop_shared)
    involved: set[int] = set()
    if steps:
        final_step = steps[-1]
        wanted = {v for v in effects(items[final_step.transition]).reads} | prop_shared
        last_writer: dict[str, int] = {}
        for s in steps[:-1]:
            for ch in s.changes:
                if ch.shared or ch.name.split("[")[0].split(".")[0] in prop_actors:
                    last_writer[ch.name] = s.number
        for name, number in last_writer.items():
            if name in wanted or "." in name:  # a shared variable read, or a property variable
                involved.add(number)
        if final_step.received is not None:
            for s in steps[:-1]:
                if any(m.id == final_step.received.id for m in s.sent):
                    involved.add(s.number)
    last = steps[-1].number if steps else 0

    out = ["digraph sequence {"]
    out.append("  graph " + attrs(label=title, labelloc="t", fontname="Helvetica", fontsize=14,
                                  nodesep=0.25, ranksep=0.3, splines="line", newrank=True,
                                  outputorder="edgesfirst", bgcolor="white") + ";")
    out.append("  node " + attrs(fontname="Helvetica", fontsize=10, shape="box") + ";")
    out.append("  edge " + attrs(fontname="Helvetica", fontsize=9) + ";")

    def cell(c: int, r: int) -> str:
        return f"c{c}_{r}"

    # Header row: one lifeline per instance (its initial control state underneath).
    initial = {ch.name: ch.after for ch in trace.initial}
    header = []
    for c, (_actor, inst) in enumerate(columns):
        header.append(f"    h{c} " + attrs(id=f"lifeline_{inst}", class_="lifeline",
                                            label=f"{inst}\n({initial[inst]})", style="filled",
                                            fillcolor=HEADER_FILL, penwidth=1.5) + ";")
    if has_shared:
        header.append(f"    h{shared_col} " + attrs(
            id="lifeline_shared", class_="lifeline", label="shared state\n" + wrap(", ".join(
                f"{v.name}={initial[v.name]}" for v in model.shared), 28),
            style="filled", fillcolor=SHARED_FILL, shape="box3d") + ";")
    out.append("  { rank=same;")
    out += header
    out.append("  }")

    # One row per step.
    for r, s in enumerate(steps, 1):
        row = []
        col = col_of[s.instance]
        item = items[s.transition]
        eff = effects(item)
        for c in range(ncols):
            name = cell(c, r)
            if c == col:
                lines = [f"{s.number}. {s.kind} {s.name}" if s.received is None
                         else f"{s.number}. on {s.received.describe()}"]
                if violation.witness is not None and s.number <= len(violation.witness.times):
                    lines[0] += f" @ t={violation.witness.times[s.number - 1]}"
                if s.state_before != s.state_after:
                    lines.append(f"{s.state_before} → {s.state_after}")
                for ch in s.changes:
                    if not ch.shared:
                        lines.append(f"{ch.name.split('.', 1)[1]}: {ch.before} → {ch.after}")
                if s.failed:
                    lines.append(f"FAILS: {s.failed}")
                style = "rounded,filled" if s.kind == "step" else "filled"
                fill, color, pen, cls = ("white", "black", 1.0, "step")
                if s.kind == "step":
                    fill = STEP_FILL
                if s.number in involved:
                    fill, color, pen, cls = ORANGE_FILL, ORANGE, 1.5, "step involved"
                if s.number == last:
                    fill, color, pen, cls = RED_FILL, RED, 2.5, "step violation"
                row.append(f"    {name} " + attrs(
                    id=f"step_{s.number}", class_=cls, label=wrap("\n".join(lines), 30),
                    style=style, fillcolor=fill, color=color, penwidth=pen,
                    tooltip=f"{s.instance}: {s.kind} {s.name} ({s.span})") + ";")
            elif has_shared and c == shared_col and (eff.reads or any(ch.shared
                                                                    for ch in s.changes)):
                before = path[r - 1] if r - 1 < len(path) else path[-1]
                lines = []
                written = {ch.name for ch in s.changes if ch.shared}
                for var in sorted(eff.reads - written):
                    lines.append(f"{s.number}: reads {var} = {_shared_value(system, before, var)}")
                for ch in s.changes:
                    if ch.shared:
                        lines.append(f"{s.number}: {ch.name}: {ch.before} → {ch.after}")
                row.append(f"    {name} " + attrs(
                    id=f"shared_{s.number}", label=wrap("\n".join(lines), 32), shape="note",
                    style="filled", fillcolor=SHARED_FILL, fontsize=9) + ";")
            else:
                row.append(f"    {name} " + attrs(label="", shape="point", width=0.01,
                                                   height=0.01, color="gray60") + ";")
        out.append(f"  {{ rank=same;  # step {s.number}")
        out += row
        out.append("  }")

    # Footer row: each instance's final control state.
    final = {ch.name: ch.after for ch in describe_state(system, trace.final_state)}
    out.append("  { rank=same;  # end of trace")
    foot = rows + 1
    for c, (actor, inst) in enumerate(columns):
        relevant = actor in prop_actors
        label = final[inst]
        if relevant:  # the values the property was evaluated on
            label += "".join(f"\n{v.name}={final[f'{inst}.{v.name}']}"
                             for v in model.actor(actor).vars)
        out.append(f"    {cell(c, foot)} " + attrs(
            id=f"end_{inst}", label=label, style="filled,rounded",
            fillcolor=RED_FILL if relevant else "gray95", color=RED if relevant else "gray50",
            fontsize=9) + ";")
    if has_shared:
        vals = [f"{v.name}={final[v.name]}" for v in model.shared]
        relevant = bool(prop_shared)
        out.append(f"    {cell(shared_col, foot)} " + attrs(
            id="end_shared", label=wrap(", ".join(vals), 28), shape="box3d", style="filled",
            fillcolor=RED_FILL if relevant else SHARED_FILL, color=RED if relevant else "black",
            fontsize=9) + ";")
    out.append("  }")

    # The violated property, below everything.
    if invariant is not None:
        note = [f"VIOLATED: invariant {invariant.name}"]
        if invariant.description != invariant.name:
            note.append(f"“{invariant.description}”")
        note.append(invariant.source_text)
        note.append(str(invariant.span))
    else:
        note = [f"VIOLATED: {violation.kind}",
                BUILTIN_PROPERTIES.get(violation.kind, violation.kind), violation.message]
        if violation.span is not None:
            note.append(str(violation.span))
    out.append("  violation " + attrs(id="violation", label=wrap("\n".join(note), 60),
                                       shape="note", style="filled", fillcolor=RED_FILL,
                                       color=RED, penwidth=2, fontcolor="#641e16") + ";")

    # Lifelines: vertical, heavy so they stay straight; rows chained left to right.
    for c in range(ncols):
        chain = [f"h{c}"] + [cell(c, r) for r in range(1, foot + 1)]
        out.append("  " + " -> ".join(chain) + " " + attrs(
            style="dashed", arrowhead="none", color="gray50", weight=100) + ";")
    for r in range(foot + 1):
        names = [f"h{c}" if r == 0 else cell(c, r) for c in range(ncols)]
        if len(names) > 1:
            out.append("  " + " -> ".join(names) + " [style=invis];")
    out.append("  " + cell(0, foot) + " -> violation [style=invis, weight=100];")

    # Messages: from the sending step to the handling step (or to the end, if in flight).
    sent_at: dict[int, tuple[int, str]] = {}
    for r, s in enumerate(steps, 1):
        for m in s.sent:
            sent_at[m.id] = (r, s.instance)
    for r, s in enumerate(steps, 1):
        if s.received is not None and s.received.id in sent_at:
            r0, sender = sent_at[s.received.id]
            out.append(f"  {cell(col_of[sender], r0)} -> {cell(col_of[s.instance], r)} " + attrs(
                label=wrap(s.received.describe(), 26), color=MESSAGE, fontcolor=MESSAGE,
                constraint=False, id=f"msg_{s.received.id}") + ";")
    for m in trace.in_flight:
        if m.id in sent_at:
            r0, sender = sent_at[m.id]
            out.append(f"  {cell(col_of[sender], r0)} -> {cell(col_of[m.receiver], foot)} "
                       + attrs(label=wrap(m.describe() + " (in flight)", 26), style="dashed",
                               color=MESSAGE, fontcolor=MESSAGE, constraint=False,
                               id=f"msg_{m.id}") + ";")
    # Shared-state accesses: a dotted link from the step to its shared-state note.
    if has_shared:
        for r, s in enumerate(steps, 1):
            eff = effects(items[s.transition])
            if eff.reads or any(ch.shared for ch in s.changes):
                out.append(f"  {cell(col_of[s.instance], r)} -> {cell(shared_col, r)} " + attrs(
                    style="dotted", arrowhead="none", color="#117a65", constraint=False) + ";")
    out.append("}")
    return "\n".join(out) + "\n"


__all__ = ["quote", "sequence_dot"]
