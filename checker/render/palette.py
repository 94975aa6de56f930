"""How the sequence chart draws what it shows, and its legend (checker/render/sequence.py).

One table for both, so the legend's samples are drawn as the chart draws. Two channels that
do not mix: the *shape* says what fired (a handler is a square box, an internal step a rounded
one, an injected fault a grey box with cut corners), the *border* (and but for a fault, the
fill) what it is to the violation (neutral: a thin black border, white; on the causal chain: a
thick blue border, pale blue; the violation: a double vermilion border, pale vermilion; a
lasso's cycle: a thick dashed orange border, pale orange).
Blue, vermilion and orange are from the Okabe-Ito palette, told apart with every common colour
vision deficiency; and as the border styles differ too (thin, thick, double, dashed), every
pair can be told apart in greyscale.
"""

from __future__ import annotations

from checker.record import record
from checker.render.dot import Html, escape

VIOLATION = "#d55e00"  # vermilion: the violating step, its note, the final state it is about
VIOLATION_FILL = "#fbe3d6"
VIOLATION_TEXT = "#6b2f00"
CHAIN = "#0072b2"  # blue: the causal chain, its boxes and the messages that link them
CHAIN_FILL = "#dcebf7"
CYCLE = "#e69f00"  # orange: a liveness lasso's cycle
CYCLE_FILL = "#fdf1d8"
CYCLE_TEXT = "#8a5a00"  # "repeats forever", the stop note: orange dark enough to read
FAULT_FILL = "#bfc5ca"
FAULT = "#17202a"
MESSAGE = "#4d4d4d"
LOST = "#8b1a1a"
HEADER_FILL = "#eaecee"
SHARED_FILL = "#e8f8f5"
SHARED = "#117a65"
DOWN = "gray70"


@record
class BoxStyle:
    fill: str
    color: str
    penwidth: float
    peripheries: int = 1
    dashed: bool = False


ROLE_STYLES = {
    "step": BoxStyle("white", "black", 1.0),
    "involved": BoxStyle(CHAIN_FILL, CHAIN, 2.5),
    "violation": BoxStyle(VIOLATION_FILL, VIOLATION, 2.0, peripheries=2),
    "cycle": BoxStyle(CYCLE_FILL, CYCLE, 2.5, dashed=True),
}


def box_style(kind: str, role: str) -> dict:
    """The DOT attributes of a step's box: its kind gives the shape (and a fault's grey
    fill), its role the border and the fill."""
    st = ROLE_STYLES[role]
    fault = kind == "fault"
    styles = ["rounded"] if kind == "internal" else ["diagonals"] if fault else []
    styles += ["filled"] + (["dashed"] if st.dashed else [])
    return {"style": ",".join(styles), "fillcolor": FAULT_FILL if fault else st.fill,
            "color": FAULT if fault and role == "step" else st.color,
            "penwidth": 1.5 if fault and role == "step" else st.penwidth,
            "peripheries": st.peripheries if st.peripheries > 1 else None}


# The legend: what each entry says, in the order it lists them.
LEGEND = (
    ("violation", "the violation: the step that breaks the property"),
    ("involved", "on the causal chain of the violation"),
    ("cycle", "a cycle that repeats forever"),
    ("handler", "a handler (on a message, timeout, signal, crash notice), a restart"),
    ("internal", "an internal step, a lifecycle event"),
    ("fault", "an injected fault"),
    ("message", "a message, from its send to its handling"),
    ("message_chain", "a message on the causal chain"),
    ("in_flight", "a message still in flight at the end"),
    ("lost", "a lost message (it ends in a bar)"),
    ("down", "a crashed instance's lifeline, until its restart"),
    ("shared", "reads and writes of shared variables"),
    ("final", "a final state the violation is about"),
)


def _swatch_table(style: BoxStyle, rounded: bool, text: str = "step") -> str:
    table_style = ",".join((["rounded"] if rounded else []) + (["dashed"] if style.dashed
                                                                else []))
    attrs = (f'BORDER="{round(style.penwidth)}" COLOR="{style.color}" BGCOLOR="{style.fill}" '
             f'CELLBORDER="{1 if style.peripheries > 1 else 0}" CELLSPACING="1"')
    if table_style:
        attrs += f' STYLE="{table_style}"'
    cell = f'<TD COLOR="{style.color}">{text}</TD>'
    return f"<TABLE {attrs}><TR>{cell}</TR></TABLE>"


def _arrow(color: str, width: int, dashed: bool, head: str) -> str:
    """A sample arrow: a bar `width` points thick (in dashes if `dashed`), then its head."""
    dashes = [6] * 4 if dashed else [30]
    cells = "".join(f'<TD WIDTH="{w}" HEIGHT="{width}" FIXEDSIZE="TRUE" BGCOLOR="{color}"></TD>'
                    for w in dashes)
    return (f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="{2 if dashed else 0}" '
            f'CELLPADDING="0"><TR>{cells}<TD><FONT COLOR="{color}">{head}</FONT></TD></TR>'
            "</TABLE>")


def _swatch(key: str) -> str:
    """A small sample of how the chart draws `key`."""
    if key in ROLE_STYLES:
        return _swatch_table(ROLE_STYLES[key], rounded=False)
    neutral = ROLE_STYLES["step"]
    samples = {
        "handler": _swatch_table(neutral, rounded=False, text="on …"),
        "internal": _swatch_table(neutral, rounded=True, text="step …"),
        "fault": _swatch_table(BoxStyle(FAULT_FILL, FAULT, 1.5), rounded=False, text="FAULT"),
        "shared": _swatch_table(BoxStyle(SHARED_FILL, SHARED, 1.0), rounded=False,
                                text="x: 0 → 1"),
        "final": _swatch_table(BoxStyle(VIOLATION_FILL, VIOLATION, 2.0), rounded=True,
                               text="end"),
        "message": _arrow(MESSAGE, 1, dashed=False, head="▶"),
        "message_chain": _arrow(CHAIN, 3, dashed=False, head="▶"),
        "in_flight": _arrow(MESSAGE, 1, dashed=True, head="▶"),
        "lost": _arrow(LOST, 1, dashed=True, head="⊣"),
        "down": f'<FONT COLOR="{DOWN}">┊</FONT>',
    }
    return samples[key]


def legend_label(keys: tuple[str, ...]) -> Html:
    """The legend as an HTML-like table: one row for each of `keys`, in LEGEND's order."""
    rows = [f'<TR><TD>{_swatch(key)}</TD><TD ALIGN="LEFT">{escape(text)}</TD></TR>'
            for key, text in LEGEND if key in keys]
    return Html('<TABLE BORDER="1" COLOR="gray60" CELLBORDER="0" CELLSPACING="2" '
                'CELLPADDING="2"><TR><TD COLSPAN="2"><B>legend</B></TD></TR>'
                + "".join(rows) + "</TABLE>")
