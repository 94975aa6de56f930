"""The counterexample as a Graphviz sequence chart (a pure function: trace -> DOT text).

Layout: one column per actor instance plus one for the shared variables; one row per step,
time flowing down. Dashed vertical edges are the lifelines; every row is a `rank=same` group
whose cells are chained by invisible edges so the columns stay in order. A step is a box on
its instance's lifeline: its number and what fired, its control state and variables that
changed, and, in a last smaller line, where it is written (`forwarding_task.model:50`; a fault,
a restart or a lifecycle event: the spec's line). A message is an arrow from the box that sent
it to the box that handled it (`constraint=false`, so a late delivery spans the rows in
between); messages still in flight end at the bottom. The end row shows each instance's final
control state, and the values the violation is about.

What a box is to the violation is its border and fill (checker/render/palette.py): the
violating step (a double vermilion border; a deadlock or a liveness violation has none: no step
commits it), the steps on its causal chain (thick blue; the
messages that link them thick blue too), the rest neutral (thin black); for a liveness lasso,
the cycle (thick dashed orange, with an arrow from its last step back to its first, "repeats
forever"). Its shape is what fired: a handler a square box, an internal step a rounded one, an
injected fault a grey box with cut corners (grey whatever its role). The SVG class says both:
`step`, then `fault` for a fault, then the role (`involved`, `violation`, `cycle`) unless
neutral. The causal chain is checker/render/causal.py's: from the violation (the last step, a
lasso's cycle, and the last writers of what the violation is about in the final state), back
through the last writer of everything a step on it reads (its own, shared and other
instances' variables), the send of each message it handled and the fault that lost one it
sent, but not through the step that moved an instance into the state a step fires in (that
marks every earlier step of the instance: see there). Only the final states the violation is
about are highlighted (vermilion): what the violated property reads there (for a `forall`, of
the instances that break it), a deadlock's stuck instances and what their guards read, what a
failing assert reads.

A note at the bottom gives the property's text and `file:line`; a liveness violation without a
cycle ends with "then nothing more happens", or, for a missed deadline, with when the deadline
has passed. An injected fault breaks the lifeline it hits (dotted, grey) until the instance
restarts; a lost message's arrow ends in a bar at the fault (or, sent to a crashed instance,
at once); a duplicate is a second arrow from the same send. A timed trace (a witness with step
times) has a time axis in a left margin: one label per row, `t=2`, black with the time that
passed (`+2`) where time advanced since the row above and the axis drawn solid there, grey and
dotted where it did not; untimed traces have no time labels. Beside the note, a legend lists
exactly the kinds of box, arrow and mark this chart uses.

The work is done in two steps. `layout` decides what the chart shows -- the lifelines, the
box, text and source line of each step, its shared-state note, the message arrows between
cells, the role of each step, the time labels, the legend's entries -- as a `SequenceLayout`
(frozen dataclasses that know nothing of DOT). `draw` turns that into DOT text: node and edge
ids (`step_N` for step N, `msg_K` / `lost_K` for message K, `lifeline_I`, `end_I`, `time_N`,
`violation`, `legend`), colours, shapes and label wrapping. `sequence_dot` is the two together.
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Literal

from checker import ir
from checker.compile import System
from checker.effects import effects, transition_items
from checker.faults import DOWN_NAME
from checker.record import record
from checker.render import palette as pal
from checker.render.causal import Chain, causal_chain, committing_step
from checker.render.dot import Html, attrs, escape, quote, wrap
from checker.trace import Step, Trace, describe_state

Role = Literal["step", "involved", "violation", "cycle"]  # what a step is to the violation
Kind = Literal["handler", "internal", "fault"]  # what fired
Cell = tuple[int, int]  # (column, row); row 0 is the header, row `foot` the end of the trace


# --- Layout: what the chart shows -------------------------------------------------------------

@record
class Lifeline:
    """One actor instance's column: its initial control state and what is shown at the end."""
    instance: str
    initial: str
    final: tuple[str, ...]  # the final control state, then the values the violation is about
    relevant: bool  # the violation is about this instance's final state


@record
class SharedLifeline:
    """The shared variables' column (the last one)."""
    initial: tuple[str, ...]  # "name=value" for each shared variable
    final: tuple[str, ...]
    relevant: bool  # the violation is about a shared variable's final value


@record
class Box:
    """A step, drawn on its instance's lifeline."""
    cell: Cell
    number: int
    lines: tuple[str, ...]
    kind: Kind
    role: Role
    source: str  # where it is written: "file.model:46"
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
    on_chain: bool = False  # it links two steps of the causal chain


@record
class TimeMark:
    """A row's time label, in the left margin of a timed trace."""
    row: int
    time: str  # "2", "2.5"
    passed: str  # the time that passed since the row above ("2"), or "" if none did


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
    times: tuple[TimeMark, ...] = ()  # a timed trace: one per row with a step, else none

    @property
    def columns(self) -> int:
        return len(self.lifelines) + (1 if self.shared is not None else 0)

    @property
    def foot(self) -> int:
        """The row of the end-of-trace cells."""
        return len(self.boxes) + 1

    @property
    def legend(self) -> tuple[str, ...]:
        """The legend's entries: the kinds of box, arrow and mark this chart has, in the
        order of palette.LEGEND."""
        present = {b.role for b in self.boxes} | {b.kind for b in self.boxes}
        present |= {"cycle"} if self.cycle is not None else set()
        present |= {"lost" if a.lost else "in_flight" if a.in_flight
                    else "message_chain" if a.on_chain else "message" for a in self.arrows}
        present |= {"down"} if self.down else set()
        present |= {"shared"} if self.notes else set()
        if any(ln.relevant for ln in self.lifelines) or (self.shared and self.shared.relevant):
            present.add("final")
        return tuple(key for key, _ in pal.LEGEND if key in present)


def _instances(model: ir.Model) -> list[tuple[str, str]]:
    return [(a.name, a.instance_name(k)) for a in model.actors for k in range(a.count)]


def _shared_value(system: System, s: tuple, name: str) -> str:
    var = next(v for v in system.model.shared if v.name == name)
    return ir.format_value(var.type, s[system.layout.shared[name]])


def _lifeline(actor: ir.Actor, inst: str, initial: dict[str, str], final: dict[str, str],
              about: frozenset[str]) -> Lifeline:
    """An instance's lifeline; the end shows its final control state, and the values of its
    variables that the violation is about."""
    values = tuple(f"{v.name}={final[f'{inst}.{v.name}']}" for v in actor.vars
                   if f"{inst}.{v.name}" in about)
    return Lifeline(inst, initial[inst], (final[inst], *values),
                    inst in about or bool(values))


def _box_lines(s: Step) -> tuple[str, ...]:
    first = (f"{s.number}. FAULT {s.fault.describe()}" if s.fault is not None
             else f"{s.number}. on crash of {s.notice}" if s.notice
             else f"{s.number}. restart" if s.kind == "restart"
             else f"{s.number}. {s.kind} {s.name}" if s.received is None
             else f"{s.number}. on {s.received.describe()}")
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


def _source(s: Step) -> str:
    """Where the step is written, short: the file's name and the line."""
    return f"{os.path.basename(s.span.path)}:{s.span.line}" if s.span.line else ""


def _kind(s: Step) -> Kind:
    return ("fault" if s.fault is not None
            else "internal" if s.kind in ("step", "lifecycle") else "handler")


def _role(s: Step, trace: Trace, chain: Chain, liveness: ir.Liveness | None) -> Role:
    if trace.loop is not None and s.number >= trace.loop:
        return "cycle"
    if s.number == committing_step(trace, liveness):
        return "violation"
    return "involved" if s.number in chain.steps else "step"


def _note_lines(system: System, s: Step, reads: frozenset[str], before: tuple) -> tuple[str, ...]:
    written = {ch.name for ch in s.changes if ch.shared}
    lines = [f"{s.number}: reads {var} = {_shared_value(system, before, var)}"
             for var in sorted(reads - written)]
    lines += [f"{s.number}: {ch.name}: {ch.before} → {ch.after}" for ch in s.changes if ch.shared]
    return tuple(lines)


def _arrows(trace: Trace, col_of: dict[str, int], foot: int, chain: Chain
            ) -> tuple[Arrow, ...]:
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
                 s.received.describe(), False, False, s.received.id in chain.messages)
           for r, s in enumerate(trace.steps, 1)
           if s.received is not None and s.received.id in sent_at]
    out += [Arrow(a.source, a.target, a.message_id, a.text, False, True,
                  a.message_id in chain.messages) for a in lost]
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


def _times(trace: Trace) -> tuple[TimeMark, ...]:
    """The time label of each row of a timed trace (none for an untimed one)."""
    witness = trace.violation.witness
    if witness is None or not witness.times:
        return ()
    out, before = [], Fraction(0)
    for r, text in enumerate(witness.times[:len(trace.steps)], 1):
        now = Fraction(text)
        passed = now - before
        out.append(TimeMark(r, text, _time_text(passed) if passed else ""))
        before = now
    return tuple(out)


def _time_text(t: Fraction) -> str:
    return str(t.numerator) if t.denominator == 1 else f"{float(t):.3f}".rstrip("0").rstrip(".")


def _boxes_and_notes(system: System, trace: Trace, chain: Chain, col_of: dict[str, int],
                     liveness: ir.Liveness | None) -> tuple[list[Box], list[Note]]:
    items = transition_items(system.model)
    shared_col = len(col_of)
    path = trace.violation.path
    boxes: list[Box] = []
    notes: list[Note] = []
    for r, s in enumerate(trace.steps, 1):
        cell = (col_of[s.instance], r)
        boxes.append(Box(cell, s.number, _box_lines(s), _kind(s),
                         _role(s, trace, chain, liveness), _source(s),
                         f"{s.instance}: {s.kind} {s.name} ({s.span})"))
        # Restarts and faults run no body of the model.
        reads = effects(items[s.transition]).reads if s.transition < len(items) \
            else frozenset()
        if system.model.shared and (reads or any(ch.shared for ch in s.changes)):
            before = path[r - 1] if r - 1 < len(path) else path[-1]
            notes.append(Note((shared_col, r), cell, s.number,
                              _note_lines(system, s, reads, before)))
    return boxes, notes


def layout(system: System, trace: Trace, *, title: str,
           invariant: ir.Invariant | None, liveness: ir.Liveness | None = None
           ) -> SequenceLayout:
    """Decide what the sequence chart of `trace` shows (see the module docstring)."""
    model = system.model
    instances = _instances(model)
    col_of = {inst: c for c, (_a, inst) in enumerate(instances)}
    steps = trace.steps
    witness = trace.violation.witness
    chain = causal_chain(system, trace, invariant, liveness)

    initial = {ch.name: ch.after for ch in trace.initial}
    final = {ch.name: ch.after for ch in describe_state(system, trace.final_state)}
    lifelines = tuple(_lifeline(model.actor(a), inst, initial, final, chain.final)
                      for a, inst in instances)
    shared = SharedLifeline(tuple(f"{v.name}={initial[v.name]}" for v in model.shared),
                            tuple(f"{v.name}={final[v.name]}" for v in model.shared),
                            any(v.name in chain.final for v in model.shared)
                            ) if model.shared else None
    boxes, notes = _boxes_and_notes(system, trace, chain, col_of, liveness)
    return SequenceLayout(title, lifelines, shared, tuple(boxes), tuple(notes),
                          _arrows(trace, col_of, len(steps) + 1, chain),
                          _violation_note(trace, invariant, liveness),
                          (trace.loop, len(steps)) if trace.loop is not None else None,
                          trace.stutter,
                          witness.late if liveness is not None and witness is not None else "",
                          _down(steps, col_of, len(steps) + 1), _times(trace))


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


def _time_node(lay: SequenceLayout, row: int) -> str:
    """A row's label in the time margin: black with the time that passed where time
    advanced, grey where it did not."""
    marks = {m.row: m for m in lay.times}
    if row == 0:
        label, color = "time", "black"
    elif row == lay.foot:
        label, color = (_late_label(lay), pal.VIOLATION_TEXT) if lay.late else ("", "black")
    else:
        m = marks[row]
        label = f"t={m.time}" + (f"\n(+{m.passed})" if m.passed else "")
        color = "black" if m.passed or row == 1 else "gray55"
    return f"    time_{row} " + attrs(id=f"time_{row}", class_="time", label=label,
                                     shape="plaintext", fontsize=9, fontcolor=color) + ";"


def _late_label(lay: SequenceLayout) -> str:
    """The end row's time label for a missed deadline: when it has passed."""
    passed = Fraction(lay.late) - (Fraction(lay.times[-1].time) if lay.times else 0)
    return f"t={lay.late}" + (f"\n(+{_time_text(passed)})" if passed else "") + "\ndeadline\npassed"


def _header(lay: SequenceLayout) -> list[str]:
    nodes = [_time_node(lay, 0)] if lay.times else []
    nodes += [_node((c, 0), id=f"lifeline_{ln.instance}", class_="lifeline",
                    label=f"{ln.instance}\n({ln.initial})", style="filled",
                    fillcolor=pal.HEADER_FILL, penwidth=1.5)
              for c, ln in enumerate(lay.lifelines)]
    if lay.shared is not None:
        nodes.append(_node((len(lay.lifelines), 0), id="lifeline_shared", class_="lifeline",
                           label="shared state\n" + wrap(", ".join(lay.shared.initial), 28),
                           style="filled", fillcolor=pal.SHARED_FILL, shape="box3d"))
    return _group("", nodes)


def _box_label(b: Box) -> Html:
    """The box's lines, and where the step is written in a last, smaller line."""
    text = "<BR/>".join(escape(line) for line in wrap("\n".join(b.lines), 30).split("\n"))
    if b.source:
        text += f'<BR/><FONT POINT-SIZE="8" COLOR="#555555">{escape(b.source)}</FONT>'
    return Html(text)


def _box(b: Box) -> str:
    cls = " ".join(["step", *(["fault"] if b.kind == "fault" else []),
                    *([b.role] if b.role != "step" else [])])
    return _node(b.cell, id=f"step_{b.number}", class_=cls, label=_box_label(b),
                 **pal.box_style(b.kind, b.role), tooltip=b.tooltip)


def _note(n: Note) -> str:
    return _node(n.cell, id=f"shared_{n.number}", label=wrap("\n".join(n.lines), 32),
                 shape="note", style="filled", fillcolor=pal.SHARED_FILL, fontsize=9)


def _rows(lay: SequenceLayout) -> list[str]:
    drawn = {b.cell: _box(b) for b in lay.boxes} | {n.cell: _note(n) for n in lay.notes}
    out = []
    for b in lay.boxes:
        r = b.cell[1]
        out += _group(f"step {b.number}", ([_time_node(lay, r)] if lay.times else []) + [
            drawn.get((c, r)) or _node((c, r), label="", shape="point", width=0.01,
                                       height=0.01, color="gray60")
            for c in range(lay.columns)])
    return out


def _end(relevant: bool) -> dict:
    return ({"fillcolor": pal.VIOLATION_FILL, "color": pal.VIOLATION, "penwidth": 2}
            if relevant else {"fillcolor": "gray95", "color": "gray50"})


def _footer(lay: SequenceLayout) -> list[str]:
    foot = lay.foot
    nodes = [_time_node(lay, foot)] if lay.times else []
    nodes += [_node((c, foot), id=f"end_{ln.instance}", label="\n".join(ln.final),
                    style="filled,rounded", fontsize=9, **_end(ln.relevant))
              for c, ln in enumerate(lay.lifelines)]
    if (sh := lay.shared) is not None:
        style = _end(True) if sh.relevant else {"fillcolor": pal.SHARED_FILL, "color": "black"}
        nodes.append(_node((len(lay.lifelines), foot), id="end_shared",
                           label=wrap(", ".join(sh.final), 28), shape="box3d", style="filled",
                           fontsize=9, **style))
    return _group("end of trace", nodes)


def _violation(lay: SequenceLayout) -> list[str]:
    """The property's note, a liveness run's end (`_stop`) and, beside them, the legend."""
    note = attrs(id="violation", label=wrap("\n".join(lay.violation), 60), shape="note",
                 style="filled", fillcolor=pal.VIOLATION_FILL, color=pal.VIOLATION,
                 penwidth=2, fontcolor=pal.VIOLATION_TEXT)
    legend = attrs(id="legend", label=pal.legend_label(lay.legend), shape="plaintext",
                   fontsize=9)
    stop = _stop(lay)
    return ["  { rank=same;  # the property and the legend",
            f"    violation {note};", *([f"    stop {stop};"] if stop else []),
            f"    legend {legend};", "  }",
            "  " + " -> ".join(["violation", *(["stop"] if stop else []), "legend"])
            + " [style=invis];"]


def _stop(lay: SequenceLayout) -> str:
    """A liveness run without a cycle: where it stops, or when its deadline has passed."""
    if lay.cycle is not None or not (lay.stutter or lay.late):
        return ""
    text = (f"then nothing has to happen until t={lay.late}: the deadline has passed"
            if lay.late else "then nothing more happens")
    return attrs(id="stutter" if lay.stutter else "late", label=wrap(text, 30),
                 shape="plaintext", fontcolor=pal.CYCLE_TEXT)


def _lifelines(lay: SequenceLayout) -> list[str]:
    """Vertical lifelines, heavy so they stay straight; each row chained left to right."""
    rows = range(lay.foot + 1)
    line = attrs(style="dashed", arrowhead="none", color="gray50", weight=100)
    down = attrs(style="dotted", arrowhead="none", color=pal.DOWN, weight=100)
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
    if lay.columns > 1 or lay.times:
        margin = (lambda r: [f"time_{r}"]) if lay.times else (lambda r: [])
        out += ["  " + " -> ".join(margin(r) + [_cell((c, r)) for c in range(lay.columns)])
                + " [style=invis];" for r in rows]
    out.append("  " + _cell((0, lay.foot)) + " -> violation [style=invis, weight=100];")
    return out


def _time_axis(lay: SequenceLayout) -> list[str]:
    """The time margin's axis: solid where time passes between two rows, dotted where not."""
    if not lay.times:
        return []
    passed = {m.row: bool(m.passed) for m in lay.times}
    out = []
    for r in range(lay.foot):
        moving = passed.get(r + 1, bool(lay.late) and r + 1 == lay.foot)
        style = attrs(style="solid" if moving else "dotted", penwidth=2 if moving else 1,
                      color="gray30" if moving else "gray75",
                      arrowhead="normal" if r + 1 == lay.foot else "none", weight=100)
        out.append(f"  time_{r} -> time_{r + 1} {style};")
    return out


def _cycle_back(lay: SequenceLayout) -> list[str]:
    """The lasso: an arrow from the cycle's last step back to its first."""
    if lay.cycle is None:
        return []
    boxes = {b.number: b for b in lay.boxes}
    first, last = boxes[lay.cycle[0]], boxes[lay.cycle[1]]
    return [_edge(last.cell, first.cell, id="cycle_back", label="repeats forever",
                  color=pal.CYCLE, fontcolor=pal.CYCLE_TEXT, penwidth=2.5, style="bold",
                  constraint=False, headport="e", tailport="e")]


def _edge(a: Cell, b: Cell, **kw) -> str:
    return f"  {_cell(a)} -> {_cell(b)} " + attrs(**kw) + ";"


def _message(m: Arrow) -> str:
    text = m.text + " (in flight)" if m.in_flight else m.text
    if m.lost:
        return _edge(m.source, m.target, label=wrap(text, 26), style="dashed", color=pal.LOST,
                     fontcolor=pal.LOST, arrowhead="tee", constraint=False,
                     penwidth=2 if m.on_chain else None, id=f"lost_{m.message_id}")
    color = pal.CHAIN if m.on_chain else pal.MESSAGE
    return _edge(m.source, m.target, label=wrap(text, 26),
                 style="dashed" if m.in_flight else None,  # None: no attribute
                 color=color, fontcolor=color, penwidth=2 if m.on_chain else None,
                 constraint=False, id=f"msg_{m.message_id}")


def _shared_links(lay: SequenceLayout) -> list[str]:
    """A dotted link from each step that touches shared state to its note."""
    return [_edge(n.step, n.cell, style="dotted", arrowhead="none", color=pal.SHARED,
                  constraint=False) for n in lay.notes]


def draw(lay: SequenceLayout) -> str:
    """The DOT text of a sequence chart layout."""
    out = ["digraph sequence {", *_defaults(lay.title), *_header(lay), *_rows(lay),
           *_footer(lay), *_violation(lay), *_lifelines(lay), *_time_axis(lay),
           *map(_message, lay.arrows), *_shared_links(lay), *_cycle_back(lay), "}"]
    return "\n".join(out) + "\n"


def sequence_dot(system: System, trace: Trace, *, title: str,
                 invariant: ir.Invariant | None, liveness: ir.Liveness | None = None) -> str:
    """The counterexample `trace` as a DOT sequence chart."""
    return draw(layout(system, trace, title=title, invariant=invariant, liveness=liveness))


__all__ = ["draw", "layout", "quote", "sequence_dot"]
