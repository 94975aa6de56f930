"""The counterexample as a Graphviz sequence chart (a pure function: trace -> DOT text).

Layout: one column per actor instance plus one for the shared variables; one row per step,
time flowing down. Dashed vertical edges are the lifelines; every row is a `rank=same` group
whose cells are chained by invisible edges so the columns stay in order. A step is a box on
its instance's lifeline (internal steps rounded and shaded, handlers plain); a message is an
arrow from the box that sent it to the box that handled it (`constraint=false`, so a late
delivery spans the rows in between); messages still in flight end at the bottom. The last
step is highlighted (red), steps that wrote a variable the property reads are marked
(orange), and a note at the bottom gives the property's text and `file:line`. A liveness
violation has no violating step: the steps of a lasso's cycle are purple, with a bold arrow from
the last back to the first ("repeats forever"), or the chart ends with "then nothing more
happens", or, for a missed deadline, with when the deadline has passed. An injected fault is
a grey box on the lifeline it hits: a crash breaks that lifeline (dotted, grey) until the
instance restarts; a lost message's arrow ends in a bar at the fault (or, sent to a crashed
instance, at once); a duplicate is a second arrow from the same send.

The work is done in two steps. `layout` decides what the chart shows -- the lifelines, the
box and text of each step, its shared-state note, the message arrows between cells, which
step is the violation and which steps it depended on -- as a `SequenceLayout` (frozen
dataclasses that know nothing of DOT). `draw` turns that into DOT text: node and edge ids,
colours, shapes and label wrapping. `sequence_dot` is the two together.
"""

from __future__ import annotations

from typing import Literal

from checker import ir
from checker.compile import System
from checker.effects import effects, transition_items
from checker.faults import DOWN_NAME
from checker.record import record
from checker.render.dot import attrs, quote, wrap
from checker.trace import Step, Trace, describe_state

RED = "#c0392b"
RED_FILL = "#fadbd8"
ORANGE_FILL = "#fdebd0"
ORANGE = "#d35400"
STEP_FILL = "#fcf3cf"
HEADER_FILL = "#d6eaf8"
SHARED_FILL = "#e8f8f5"
MESSAGE = "#1f618d"

Role = Literal["step", "involved", "violation", "cycle", "fault"]
FAULT = "#17202a"  # an injected fault's box, and a lost message's arrow
FAULT_FILL = "#e5e8e8"
LOST = "#922b21"
CYCLE = "#6c3483"  # a liveness lasso's cycle: its boxes and the arrow back
CYCLE_FILL = "#ebdef0"
Cell = tuple[int, int]  # (column, row); row 0 is the header, row `foot` the end of the trace


# --- Layout: what the chart shows -------------------------------------------------------------

@record
class Lifeline:
    """One actor instance's column: its initial control state and what is shown at the end."""
    instance: str
    initial: str
    final: tuple[str, ...]  # the final control state, then the property's variables if read
    relevant: bool  # the property reads this instance's actor


@record
class SharedLifeline:
    """The shared variables' column (the last one)."""
    initial: tuple[str, ...]  # "name=value" for each shared variable
    final: tuple[str, ...]
    relevant: bool  # the property reads a shared variable


@record
class Box:
    """A step, drawn on its instance's lifeline."""
    cell: Cell
    number: int
    lines: tuple[str, ...]
    internal: bool  # an internal `step` (rounded, shaded), not a message handler
    role: Role  # the violating step, one it depended on, or neither
    tooltip: str


@record
class Note:
    """A step's reads and writes of shared variables, in the shared column of its row."""
    cell: Cell
    step: Cell  # the step's box, linked to the note
    number: int
    lines: tuple[str, ...]


@record
class Arrow:
    """A message, from the step that sent it to the one that handled it (or to the end, or,
    `lost`, to where a fault lost it)."""
    source: Cell
    target: Cell
    message_id: int
    text: str
    in_flight: bool
    lost: bool = False


@record
class SequenceLayout:
    title: str
    lifelines: tuple[Lifeline, ...]
    shared: SharedLifeline | None
    boxes: tuple[Box, ...]  # one per step, in order; box k is on row k + 1
    notes: tuple[Note, ...]
    arrows: tuple[Arrow, ...]  # delivered messages in delivery order, then those in flight
    violation: tuple[str, ...]  # the violated property's note
    # A liveness lasso: the first and last step of the cycle that repeats forever; or, with
    # `stutter`, the run stops after the last step.
    cycle: tuple[int, int] | None = None
    stutter: bool = False
    late: str = ""  # a missed deadline: when, after the last step, it has passed
    # Crashes: (column, first row, last row) of each stretch of a lifeline that is down.
    down: tuple[tuple[int, int, int], ...] = ()

    @property
    def columns(self) -> int:
        return len(self.lifelines) + (1 if self.shared is not None else 0)

    @property
    def foot(self) -> int:
        """The row of the end-of-trace cells."""
        return len(self.boxes) + 1


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


def _involved(items: list, steps: tuple[Step, ...], prop_actors: set[str],
              prop_shared: set[str]) -> set[int]:
    """The steps the violation is made of: the last writer of each shared variable the last
    step read, the last writer of each variable the property reads, and the sender of the
    message the last step handled."""
    if not steps:
        return set()
    final_step = steps[-1]
    reads = effects(items[final_step.transition]).reads \
        if final_step.transition < len(items) else frozenset()  # a fault, a restart: none
    wanted = set(reads) | prop_shared
    last_writer: dict[str, int] = {}
    for s in steps[:-1]:
        for ch in s.changes:
            if ch.shared or ch.name.split("[")[0].split(".")[0] in prop_actors:
                last_writer[ch.name] = s.number
    involved = {number for name, number in last_writer.items()
                if name in wanted or "." in name}  # a shared variable read, or a property's
    if final_step.received is not None:
        involved |= {s.number for s in steps[:-1]
                     if any(m.id == final_step.received.id for m in s.sent)}
    return involved


def _lifeline(actor: ir.Actor, inst: str, initial: dict[str, str], final: dict[str, str],
              relevant: bool) -> Lifeline:
    """An instance's lifeline; when the property reads its actor, the end shows its values."""
    values = tuple(f"{v.name}={final[f'{inst}.{v.name}']}" for v in actor.vars) if relevant else ()
    return Lifeline(inst, initial[inst], (final[inst], *values), relevant)


def _box_lines(s: Step, times: tuple | None) -> tuple[str, ...]:
    first = (f"{s.number}. FAULT {s.fault.describe()}" if s.fault is not None
             else f"{s.number}. on crash of {s.notice}" if s.notice
             else f"{s.number}. restart" if s.kind == "restart"
             else f"{s.number}. {s.kind} {s.name}" if s.received is None
             else f"{s.number}. on {s.received.describe()}")
    if times is not None and s.number <= len(times):
        first += f" @ t={times[s.number - 1]}"
    lines = [first]
    if s.state_before != s.state_after:
        lines.append(f"{s.state_before} → {s.state_after}")
    lines += [f"{ch.name.split('.', 1)[-1]}: {ch.before} → {ch.after}"
              for ch in s.changes if not ch.shared]
    if s.failed:
        lines.append(f"FAILS: {s.failed}")
    if s.fault is not None:
        lines.append(f"({s.fault.used} of {s.fault.budget}: {s.fault.clause})")
    return tuple(lines)


def _note_lines(system: System, s: Step, reads: frozenset[str], before: tuple) -> tuple[str, ...]:
    written = {ch.name for ch in s.changes if ch.shared}
    lines = [f"{s.number}: reads {var} = {_shared_value(system, before, var)}"
             for var in sorted(reads - written)]
    lines += [f"{s.number}: {ch.name}: {ch.before} → {ch.after}" for ch in s.changes if ch.shared]
    return tuple(lines)


def _arrows(trace: Trace, col_of: dict[str, int], foot: int) -> tuple[Arrow, ...]:
    sent_at: dict[int, Cell] = {}
    lost: list[Arrow] = []
    for r, s in enumerate(trace.steps, 1):
        here = (col_of[s.instance], r)
        for m in s.sent:
            sent_at[m.id] = here
        for m in s.lost:  # to a crashed instance: gone at once
            lost.append(Arrow(here, (col_of[m.receiver], r), m.id, f"{m.describe()} (lost)",
                              False, True))
        lost += [Arrow(sent_at[m.id], (col_of[m.receiver], r), m.id, f"{m.describe()} (lost)",
                       False, True) for m in s.dropped if m.id in sent_at]  # SIGKILL
        f = s.fault
        if f is not None and f.copy is not None and f.copy.id not in sent_at \
                and f.message.id in sent_at:
            sent_at[f.copy.id] = sent_at[f.message.id]  # a duplicate: a second arrow
        gone = (*f.dropped, *([f.message] if f.kind.name == "lose" else [])) if f else ()
        lost += [Arrow(sent_at[m.id], here, m.id, f"{m.describe()} (lost)", False, True)
                 for m in gone if m.id in sent_at]
    out = [Arrow(sent_at[s.received.id], (col_of[s.instance], r), s.received.id,
                 s.received.describe(), in_flight=False)
           for r, s in enumerate(trace.steps, 1)
           if s.received is not None and s.received.id in sent_at]
    out += lost
    out += [Arrow(sent_at[m.id], (col_of[m.receiver], foot), m.id, m.describe(), in_flight=True)
            for m in trace.in_flight if m.id in sent_at]
    return tuple(out)


def _violation_note(trace: Trace, invariant: ir.Invariant | None,
                    liveness: ir.Liveness | None = None) -> tuple[str, ...]:
    v = trace.violation
    if liveness is not None:
        note = [f"VIOLATED: liveness {liveness.name}"]
        if liveness.description != liveness.declared:
            note.append(f"“{liveness.description}”")
        note += [liveness.source_text, v.message]
        if v.lasso is not None:
            note += [f"fair: {f}" for f in v.lasso.fairness]
        return (*note, str(liveness.span))
    if invariant is not None:
        note = [f"VIOLATED: invariant {invariant.name}"]
        if invariant.description != invariant.name:
            note.append(f"“{invariant.description}”")
        return (*note, invariant.source_text, str(invariant.span))
    note = [f"VIOLATED: {v.kind.name}", v.kind.description, v.message]
    if v.span is not None:
        note.append(str(v.span))
    return tuple(note)


def layout(system: System, trace: Trace, *, title: str,
           invariant: ir.Invariant | None, liveness: ir.Liveness | None = None
           ) -> SequenceLayout:
    """Decide what the sequence chart of `trace` shows (see the module docstring)."""
    model = system.model
    items = transition_items(model)
    instances = _instances(model)
    col_of = {inst: c for c, (_a, inst) in enumerate(instances)}
    shared_col = len(instances)
    steps, path = trace.steps, trace.violation.path
    witness = trace.violation.witness

    prop_actors: set[str] = set()
    prop_shared: set[str] = set()
    if invariant is not None:
        _mentioned(invariant.expr, prop_actors, prop_shared)
    if liveness is not None:
        for e in (liveness.p, liveness.q):
            if e is not None:
                _mentioned(e, prop_actors, prop_shared)
    # A liveness violation breaks no single step: it is the cycle, the stop, or the time that
    # passes after the last step (a missed deadline) that is wrong.
    involved = set() if liveness is not None else _involved(items, steps, prop_actors,
                                                             prop_shared)

    initial = {ch.name: ch.after for ch in trace.initial}
    final = {ch.name: ch.after for ch in describe_state(system, trace.final_state)}
    lifelines = tuple(_lifeline(model.actor(a), inst, initial, final, a in prop_actors)
                      for a, inst in instances)
    shared = SharedLifeline(tuple(f"{v.name}={initial[v.name]}" for v in model.shared),
                            tuple(f"{v.name}={final[v.name]}" for v in model.shared),
                            bool(prop_shared)) if model.shared else None

    boxes: list[Box] = []
    notes: list[Note] = []
    for r, s in enumerate(steps, 1):
        cell = (col_of[s.instance], r)
        role: Role = ("cycle" if trace.loop is not None and s.number >= trace.loop
                      else "violation" if liveness is None and s.number == steps[-1].number
                      else "fault" if s.fault is not None
                      else "step" if liveness is not None
                      else "involved" if s.number in involved else "step")
        boxes.append(Box(cell, s.number, _box_lines(s, None if witness is None else witness.times),
                         s.kind == "step", role, f"{s.instance}: {s.kind} {s.name} ({s.span})"))
        # Restarts and faults run no body of the model.
        reads = effects(items[s.transition]).reads if s.transition < len(items) \
            else frozenset()
        if shared is not None and (reads or any(ch.shared for ch in s.changes)):
            before = path[r - 1] if r - 1 < len(path) else path[-1]
            notes.append(Note((shared_col, r), cell, s.number,
                              _note_lines(system, s, reads, before)))
    return SequenceLayout(title, lifelines, shared, tuple(boxes), tuple(notes),
                          _arrows(trace, col_of, len(steps) + 1),
                          _violation_note(trace, invariant, liveness),
                          (trace.loop, len(steps)) if trace.loop is not None else None,
                          trace.stutter,
                          witness.late if liveness is not None and witness is not None else "",
                          _down(steps, col_of, len(steps) + 1))


def _down(steps: tuple[Step, ...], col_of: dict[str, int], foot: int
          ) -> tuple[tuple[int, int, int], ...]:
    """Where each crashed lifeline is down: from its crash to its restart, or to the end."""
    out = []
    for r, s in enumerate(steps, 1):
        fallen = [s.instance] if s.fault is not None and s.fault.kind.name == "crash" else []
        fallen += [ch.name for ch in s.changes  # killed by this step (SIGKILL)
                   if ch.name in col_of and ch.after == DOWN_NAME]
        for inst in fallen:
            back = next((r2 for r2, s2 in enumerate(steps[r:], r + 1)
                         if s2.instance == inst and s2.kind == "restart"), foot)
            out.append((col_of[inst], r, back))
    return tuple(out)


# --- Drawing: the layout as DOT text ----------------------------------------------------------

def _cell(c: Cell) -> str:
    return f"h{c[0]}" if c[1] == 0 else f"c{c[0]}_{c[1]}"


def _node(c: Cell, **kw) -> str:
    return f"    {_cell(c)} " + attrs(**kw) + ";"


def _group(comment: str, nodes: list[str]) -> list[str]:
    return ["  { rank=same;" + (f"  # {comment}" if comment else ""), *nodes, "  }"]


def _defaults(title: str) -> list[str]:
    return [
        "  graph " + attrs(label=title, labelloc="t", fontname="Helvetica", fontsize=14,
                           nodesep=0.25, ranksep=0.3, splines="line", newrank=True,
                           outputorder="edgesfirst", bgcolor="white") + ";",
        "  node " + attrs(fontname="Helvetica", fontsize=10, shape="box") + ";",
        "  edge " + attrs(fontname="Helvetica", fontsize=9) + ";",
    ]


def _header(lay: SequenceLayout) -> list[str]:
    nodes = [_node((c, 0), id=f"lifeline_{ln.instance}", class_="lifeline",
                   label=f"{ln.instance}\n({ln.initial})", style="filled",
                   fillcolor=HEADER_FILL, penwidth=1.5)
             for c, ln in enumerate(lay.lifelines)]
    if lay.shared is not None:
        nodes.append(_node((len(lay.lifelines), 0), id="lifeline_shared", class_="lifeline",
                           label="shared state\n" + wrap(", ".join(lay.shared.initial), 28),
                           style="filled", fillcolor=SHARED_FILL, shape="box3d"))
    return _group("", nodes)


def _box(b: Box) -> str:
    fill, color, pen = {"step": (STEP_FILL if b.internal else "white", "black", 1.0),
                        "involved": (ORANGE_FILL, ORANGE, 1.5),
                        "violation": (RED_FILL, RED, 2.5),
                        "cycle": (CYCLE_FILL, CYCLE, 2.0),
                        "fault": (FAULT_FILL, FAULT, 2.0)}[b.role]
    cls = "step" if b.role == "step" else f"step {b.role}"
    return _node(b.cell, id=f"step_{b.number}", class_=cls, label=wrap("\n".join(b.lines), 30),
                 style="rounded,filled" if b.internal else "filled", fillcolor=fill,
                 color=color, penwidth=pen, tooltip=b.tooltip)


def _note(n: Note) -> str:
    return _node(n.cell, id=f"shared_{n.number}", label=wrap("\n".join(n.lines), 32),
                 shape="note", style="filled", fillcolor=SHARED_FILL, fontsize=9)


def _rows(lay: SequenceLayout) -> list[str]:
    drawn = {b.cell: _box(b) for b in lay.boxes} | {n.cell: _note(n) for n in lay.notes}
    out = []
    for b in lay.boxes:
        r = b.cell[1]
        out += _group(f"step {b.number}", [
            drawn.get((c, r)) or _node((c, r), label="", shape="point", width=0.01,
                                       height=0.01, color="gray60")
            for c in range(lay.columns)])
    return out


def _footer(lay: SequenceLayout) -> list[str]:
    foot = lay.foot
    nodes = [_node((c, foot), id=f"end_{ln.instance}", label="\n".join(ln.final),
                   style="filled,rounded", fillcolor=RED_FILL if ln.relevant else "gray95",
                   color=RED if ln.relevant else "gray50", fontsize=9)
             for c, ln in enumerate(lay.lifelines)]
    if (sh := lay.shared) is not None:
        nodes.append(_node((len(lay.lifelines), foot), id="end_shared",
                           label=wrap(", ".join(sh.final), 28), shape="box3d", style="filled",
                           fillcolor=RED_FILL if sh.relevant else SHARED_FILL,
                           color=RED if sh.relevant else "black", fontsize=9))
    return _group("end of trace", nodes)


def _violation(lay: SequenceLayout) -> list[str]:
    return ["  violation " + attrs(id="violation", label=wrap("\n".join(lay.violation), 60),
                                   shape="note", style="filled", fillcolor=RED_FILL,
                                   color=RED, penwidth=2, fontcolor="#641e16") + ";"]


def _lifelines(lay: SequenceLayout) -> list[str]:
    """Vertical lifelines, heavy so they stay straight; each row chained left to right."""
    rows = range(lay.foot + 1)
    line = attrs(style="dashed", arrowhead="none", color="gray50", weight=100)
    down = attrs(style="dotted", arrowhead="none", color="gray80", weight=100)
    out = []
    for c in range(lay.columns):
        gaps = [(a, b) for col, a, b in lay.down if col == c]
        if not gaps:
            out.append("  " + " -> ".join(_cell((c, r)) for r in rows) + " " + line + ";")
            continue
        for r in rows[:-1]:  # hop by hop: a crashed stretch is drawn faint
            faint = any(a <= r < b for a, b in gaps)
            out.append(f"  {_cell((c, r))} -> {_cell((c, r + 1))} " + (down if faint else line)
                       + ";")
    if lay.columns > 1:
        out += ["  " + " -> ".join(_cell((c, r)) for c in range(lay.columns))
                + " [style=invis];" for r in rows]
    out.append("  " + _cell((0, lay.foot)) + " -> violation [style=invis, weight=100];")
    return out


def _cycle_back(lay: SequenceLayout) -> list[str]:
    """The lasso: an arrow from the cycle's last step back to its first, or a stop mark."""
    boxes = {b.number: b for b in lay.boxes}
    if lay.cycle is not None:
        first, last = boxes[lay.cycle[0]], boxes[lay.cycle[1]]
        return [_edge(last.cell, first.cell, id="cycle_back", label="repeats forever",
                      color=CYCLE, fontcolor=CYCLE, penwidth=2.5, style="bold",
                      constraint=False, headport="e", tailport="e")]
    if lay.stutter or lay.late:
        text = (f"then nothing has to happen until t={lay.late}: the deadline has passed"
                if lay.late else "then nothing more happens")
        return ["  stop " + attrs(id="stutter" if lay.stutter else "late", label=text,
                                  shape="plaintext", fontcolor=CYCLE) + ";",
                "  " + _cell((0, lay.foot)) + " -> stop [style=invis];"]
    return []


def _edge(a: Cell, b: Cell, **kw) -> str:
    return f"  {_cell(a)} -> {_cell(b)} " + attrs(**kw) + ";"


def _message(m: Arrow) -> str:
    text = m.text + " (in flight)" if m.in_flight else m.text
    if m.lost:
        return _edge(m.source, m.target, label=wrap(text, 26), style="dashed", color=LOST,
                     fontcolor=LOST, arrowhead="tee", constraint=False,
                     id=f"lost_{m.message_id}")
    return _edge(m.source, m.target, label=wrap(text, 26),
                 style="dashed" if m.in_flight else None,  # None: no attribute
                 color=MESSAGE, fontcolor=MESSAGE, constraint=False, id=f"msg_{m.message_id}")


def _shared_links(lay: SequenceLayout) -> list[str]:
    """A dotted link from each step that touches shared state to its note."""
    return [_edge(n.step, n.cell, style="dotted", arrowhead="none", color="#117a65",
                  constraint=False) for n in lay.notes]


def draw(lay: SequenceLayout) -> str:
    """The DOT text of a sequence chart layout."""
    out = ["digraph sequence {", *_defaults(lay.title), *_header(lay), *_rows(lay),
           *_footer(lay), *_violation(lay), *_lifelines(lay), *map(_message, lay.arrows),
           *_shared_links(lay), *_cycle_back(lay), "}"]
    return "\n".join(out) + "\n"


def sequence_dot(system: System, trace: Trace, *, title: str,
                 invariant: ir.Invariant | None, liveness: ir.Liveness | None = None) -> str:
    """The counterexample `trace` as a DOT sequence chart."""
    return draw(layout(system, trace, title=title, invariant=invariant, liveness=liveness))


__all__ = ["quote", "sequence_dot"]
