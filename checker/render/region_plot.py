"""Region plots: a synthesis report's parameter plane drawn with matplotlib, as SVG and PNG
bytes that are the same on every run (`protocheck synthesize SPEC --plot DIR`).

This module owns the picture: the safe and unsafe pieces shaded (colour-blind safe
Okabe-Ito bluish green and vermillion, the unsafe ones also hatched), each boundary labelled
with its constraint, the int lattice points marked safe (o) or unsafe (x), the witness (a
star), axes with the params' names and ranges, a legend, and a title with the spec and its
verdict. One free param on the plot gives a 1-D strip. What is shown is computed exactly
in checker/render/region_plane.py; here only floats for drawing.

Byte-stable: the Agg canvas on a `Figure` of our own (never pyplot, no GUI, no global
state: every setting is in an `rc_context`), a fixed size and DPI, the DejaVu Sans that
matplotlib ships (by file, never a system font), `svg.hashsalt` fixed, and no dates or
software names in the files' metadata. The same matplotlib gives the same bytes.

`region_svg(report)` is the SVG text, e.g. to embed in an HTML report; `region_png(report)`
the PNG bytes; `region_images` both from one drawing.
"""

from __future__ import annotations

import io
import math
import os
import textwrap
from fractions import Fraction

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox

from checker.render.region_plane import (
    EXCLUDED,
    SAFE,
    UNSAFE,
    Boundary,
    Plane,
    PlaneChoice,
    number_text,
    region_plane,
)
from checker.render.text import synthesis_verdict
from checker.report import SynthesisReport

SAFE_FILL, SAFE_MARK = "#b3e2d5", "#00775a"  # Okabe-Ito bluish green, light and dark
UNSAFE_FILL, UNSAFE_HATCH, UNSAFE_MARK = "#f5d5bd", "#e6ad84", "#b34700"  # vermillion
EXCLUDED_FILL = "#e4e4e4"
INK, GREY = "#1a1a1a", "#555555"
DPI = 120
SIZE_2D, SIZE_1D = (8.0, 6.6), (8.0, 3.6)
RC = {
    "svg.hashsalt": "protocheck-region-plot",  # ids of clip paths and hatches
    "svg.fonttype": "path",  # glyphs as paths: the SVG needs no font
    "text.parse_math": False,  # `$` in a name is a dollar sign
    "hatch.linewidth": 0.8,
    "axes.linewidth": 0.8,
    "savefig.facecolor": "white",
}
SVG_METADATA = {"Date": None}
PNG_METADATA = {"Software": None}
_FONT_DIR = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")


def _font(size: float, bold: bool = False) -> FontProperties:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return FontProperties(fname=os.path.join(_FONT_DIR, name), size=size)


def region_images(report: SynthesisReport, params: tuple[str, ...] | None = None,
                  fix: dict[str, Fraction] | None = None,
                  formats: tuple[str, ...] = ("svg", "png")) -> dict[str, bytes]:
    """The report's region plot in each format (svg, png). Raises
    `checker.render.region_plane.PlotError` for a bad choice of params or values."""
    plane = region_plane(report, params, fix)
    with matplotlib.rc_context(RC):
        fig = draw(report, plane)
        return {fmt: _save(fig, fmt) for fmt in formats}


def region_svg(report: SynthesisReport, params: tuple[str, ...] | None = None,
               fix: dict[str, Fraction] | None = None) -> str:
    return region_images(report, params, fix, ("svg",))["svg"].decode()


def region_png(report: SynthesisReport, params: tuple[str, ...] | None = None,
               fix: dict[str, Fraction] | None = None) -> bytes:
    return region_images(report, params, fix, ("png",))["png"]


def _save(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=DPI,
                metadata=SVG_METADATA if fmt == "svg" else PNG_METADATA)
    return buf.getvalue()


# ---------------------------------------------------------------- the figure

def draw(report: SynthesisReport, plane: Plane) -> Figure:
    one_d = plane.choice.y is None
    fig = Figure(figsize=SIZE_1D if one_d else SIZE_2D, dpi=DPI)
    FigureCanvasAgg(fig)
    top = _titles(fig, report, plane)
    bottom = 0.30 if one_d else 0.17
    ax = fig.add_axes((0.09, bottom, 0.88, top - bottom - (0.06 if one_d else 0.03)))
    _frame(ax, plane)
    _pieces(ax, plane)
    _lattice(ax, plane)
    placed = _witness_marker(ax, plane)
    for b in plane.boundaries:
        _boundary(ax, plane, b, placed)
    _witness_label(ax, plane, placed)
    _legend(fig, plane)
    return fig


def _f(x: Fraction) -> float:
    return float(x)


def _titles(fig: Figure, report: SynthesisReport, plane: Plane) -> float:
    """The spec, its verdict and what became of the other params; returns where they end."""
    lines = [(f"spec {report.name}", _font(12.5, bold=True), INK)]
    lines += [(t, _font(11), INK) for t in _wrapped(synthesis_verdict(report), 92)]
    if not report.complete:
        why = report.limit or "a bound stopped the search"
        lines += [(t, _font(9.5), UNSAFE_MARK)
                  for t in _wrapped(f"INCOMPLETE: {why}; the region is not exact", 110)]
    lines += [(t, _font(9.5), GREY) for t in _wrapped(others_text(report, plane.choice), 110)]
    height = fig.get_figheight() * DPI
    y = 1 - 10 / height
    for text, font, colour in lines:
        step = font.get_size_in_points() * 1.45 * DPI / 72 / height
        y -= step
        fig.text(0.5, y, text, ha="center", va="baseline", fontproperties=font, color=colour)
    return y - 6 / height


def _wrapped(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width) if text else []


def others_text(report: SynthesisReport, choice: PlaneChoice) -> str:
    """What the plot does with the params that are not on an axis."""
    parts = [f"{n} = {number_text(v)} (--plot-fix)" for n, v in choice.fixed]
    parts += [f"{p.name} projected (safe for every {p.name} in {p.lo}..{p.hi})"
              for p in choice.projected]
    spec = [f"{n} = {v}" for n, v in report.model.fixed_params]
    text = ("other params: " + "; ".join(parts)) if parts else ""
    if spec:
        text += ("; " if text else "") + "fixed by the spec: " + ", ".join(spec)
    return text


def _frame(ax, plane: Plane) -> None:
    x, y = plane.choice.x, plane.choice.y
    (x0, x1), (y0, y1) = ([_f(v) for v in plane.x_range], [_f(v) for v in plane.y_range])
    px, py = (x1 - x0) * 0.03 or 0.5, (y1 - y0) * 0.04 or 0.5
    ax.set_xlim(x0 - px, x1 + px)
    ticks = _ticks(x.lo, x.hi, x.kind)
    ax.set_xticks(ticks, [_tick_text(t) for t in ticks], fontproperties=_font(9.5))
    ax.set_xlabel(f"{x.name}   ({x.kind}, {x.lo}..{x.hi})", fontproperties=_font(11))
    if y is None:
        ax.set_ylim(-0.8, 2.0)
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    else:
        ax.set_ylim(y0 - py, y1 + py)
        ticks = _ticks(y.lo, y.hi, y.kind)
        ax.set_yticks(ticks, [_tick_text(t) for t in ticks], fontproperties=_font(9.5))
        ax.set_ylabel(f"{y.name}   ({y.kind}, {y.lo}..{y.hi})", fontproperties=_font(11))
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec=GREY, lw=0.9, zorder=4))


def _ticks(lo: int, hi: int, kind: str) -> list[float]:
    values = MaxNLocator(nbins=10, integer=kind == "int").tick_values(lo, hi)
    step = values[1] - values[0] if len(values) > 1 else 1
    inner = [float(v) for v in values if lo + step / 2 <= v <= hi - step / 2]
    return [float(lo), *inner, float(hi)] if hi > lo else [float(lo)]


def _tick_text(t: float) -> str:
    return str(int(t)) if t == int(t) else f"{t:g}"


def _pieces(ax, plane: Plane) -> None:
    styles = {SAFE: {"fc": SAFE_FILL, "ec": SAFE_FILL, "lw": 0.4},
              UNSAFE: {"fc": UNSAFE_FILL, "ec": UNSAFE_HATCH, "lw": 0, "hatch": "///"},
              EXCLUDED: {"fc": EXCLUDED_FILL, "ec": "#b0b0b0", "lw": 0, "hatch": ".."}}
    lines = {SAFE: SAFE_MARK, UNSAFE: UNSAFE_HATCH, EXCLUDED: GREY}
    for side, pieces in ((EXCLUDED, plane.excluded), (SAFE, plane.safe),
                         (UNSAFE, plane.unsafe)):
        for piece in pieces:
            xy = [(_f(px), _f(py)) for px, py in piece.vertices]
            if len(xy) >= 3:
                ax.add_patch(Polygon(xy, closed=True, zorder=1, **styles[side]))
            else:  # a segment or a point: a real set of points, drawn thick
                ax.plot([p[0] for p in xy], [p[1] for p in xy], color=lines[side], lw=7,
                        solid_capstyle="butt", marker="o" if len(xy) == 1 else None, zorder=2)


def _lattice(ax, plane: Plane) -> None:
    safe = [p for p, side in plane.lattice if side == SAFE]
    unsafe = [p for p, side in plane.lattice if side == UNSAFE]
    dense = len(plane.lattice) > 400
    if safe:
        ax.scatter([_f(p[0]) for p in safe], [_f(p[1]) for p in safe], s=7 if dense else 11,
                   marker="o", c=SAFE_MARK, linewidths=0, zorder=6)
    if unsafe:
        ax.scatter([_f(p[0]) for p in unsafe], [_f(p[1]) for p in unsafe],
                   s=12 if dense else 18, marker="x", c=UNSAFE_MARK, linewidths=0.9, zorder=6)


# ---------------------------------------------------------------- labels that do not collide

def _renderer(ax):
    return ax.figure.canvas.get_renderer()


def _extent(artist) -> Bbox:
    """The text's box with its frame (an annotation's arrow left out)."""
    renderer = _renderer(artist.axes)
    if hasattr(artist, "update_positions"):  # an annotation: place its text first
        artist.update_positions(renderer)
    return Text.get_window_extent(artist, renderer).padded(7)


def _overlap(box: Bbox, others: list[Bbox]) -> float:
    total = 0.0
    for o in others:
        w = min(box.x1, o.x1) - max(box.x0, o.x0)
        h = min(box.y1, o.y1) - max(box.y0, o.y0)
        if w > 0 and h > 0:
            total += w * h
    return total


def _outside(ax, box: Bbox) -> float:
    frame = ax.get_window_extent(_renderer(ax))
    return box.width * box.height - _overlap(box, [frame])


def _place(ax, make, candidates: list, placed: list[Bbox]):
    """Put a text at the first candidate where it stays inside the axes and clear of what is
    placed, else where it collides least. `make(candidate)` returns the artist."""
    best, best_cost = None, None
    for cand in candidates:
        artist = make(cand)
        cost = _overlap(_extent(artist), placed) + 4 * _outside(ax, _extent(artist))
        if best_cost is None or cost < best_cost:
            if best is not None:
                best.remove()
            best, best_cost = artist, cost
        else:
            artist.remove()
        if cost == 0:
            break
    if best is not None:
        placed.append(_extent(best))
    return best


def _boundary(ax, plane: Plane, b: Boundary, placed: list[Bbox]) -> None:
    main = b.sides == (SAFE, UNSAFE)
    style = {"color": INK, "lw": 1.8} if main else {"color": GREY, "lw": 1.2, "ls": "--"}
    if b.divides:  # else the line is itself a piece of zero width, drawn with the pieces
        for p, q in b.segments:
            ax.plot([_f(p[0]), _f(q[0])], [_f(p[1]), _f(q[1])], zorder=5, **style)
    p, q = max(b.segments, key=lambda s: _length(ax, s))
    if plane.choice.y is None:
        cands = _strip_spots(ax, b, p)
    else:
        cands = _line_spots(ax, b, p, q)

    def make(c):
        return ax.text(c[0], c[1], b.text, rotation=c[2], rotation_mode="anchor", ha=c[3],
                       va="center", fontproperties=_font(10.5), color=INK, zorder=7,
                       bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": style["color"],
                             "lw": 0.8, "alpha": 0.95})

    _place(ax, make, cands, placed)


def _line_spots(ax, b: Boundary, p, q) -> list[tuple[float, float, float, str]]:
    """Places along the line for its label, beside it on the side where it holds (on it,
    for a line of zero width)."""
    (x0, y0), (x1, y1) = ax.transData.transform([(_f(p[0]), _f(p[1])), (_f(q[0]), _f(q[1]))])
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    h = b.halfplane
    probe = ax.transData.inverted().transform((x0 + nx, y0 + ny))
    if (_f(h.a) * probe[0] + _f(h.b) * probe[1] + _f(h.c)) < 0:
        nx, ny = -nx, -ny
    gap = 0.0 if b.equal else 16.0
    angle = _angle(x1 - x0, y1 - y0)
    out = []
    for k in (10, 8, 12, 6, 14, 4, 16, 3, 17, 2, 18):
        t = k / 20
        at = (x0 + t * (x1 - x0) + gap * nx, y0 + t * (y1 - y0) + gap * ny)
        dx, dy = ax.transData.inverted().transform(at)
        out.append((float(dx), float(dy), angle, "center"))
    return out


def _strip_spots(ax, b: Boundary, p) -> list[tuple[float, float, float, str]]:
    """Above or below the strip, just beside the boundary on the side where it holds."""
    x = _f(p[0])
    right = _f(b.halfplane.a) > 0
    (dx, _), (_, _) = ax.transData.transform([(x, 0), (x, 0)])
    shift = ax.transData.inverted().transform((dx + (6 if right else -6), 0))[0]
    ha = "left" if right else "right"
    return [(float(shift), y, 0.0, ha) for y in (1.4, 1.75, -0.4)]


def _length(ax, seg) -> float:
    (x0, y0), (x1, y1) = ax.transData.transform([(_f(seg[0][0]), _f(seg[0][1])),
                                                 (_f(seg[1][0]), _f(seg[1][1]))])
    return float(math.hypot(x1 - x0, y1 - y0))


def _angle(dx: float, dy: float) -> float:
    """A direction on the page, in degrees, turned so that text along it reads upright."""
    a = math.degrees(math.atan2(dy, dx))
    if a > 90:
        a -= 180
    elif a <= -90:
        a += 180
    return round(a, 3)


def _witness_marker(ax, plane: Plane) -> list[Bbox]:
    w = plane.witness
    if w is None:
        return []
    (marker,) = ax.plot([_f(w.point[0])], [_f(w.point[1])], marker="*", ms=17, mfc=INK,
                        mec="white", mew=1.3, ls="none", zorder=8)
    return [marker.get_window_extent(_renderer(ax)).padded(2)]


def witness_text(plane: Plane) -> str:
    w = plane.witness
    return "witness: " + ", ".join(f"{n} = {number_text(v)}" for n, v in w.values)


def _witness_label(ax, plane: Plane, placed: list[Bbox]) -> None:
    w = plane.witness
    if w is None:
        return
    xy = (_f(w.point[0]), _f(w.point[1]))
    offsets = [(18, 16), (18, -22), (-18, 16), (-18, -22), (34, 34), (34, -40), (-34, 34),
               (-34, -40), (60, 0), (-60, 0), (0, 44), (0, -48)]

    def make(off):
        return ax.annotate(witness_text(plane), xy, xytext=off, textcoords="offset points",
                           ha="left" if off[0] > 0 else ("right" if off[0] < 0 else "center"),
                           va="center", fontproperties=_font(10.5), color=INK, zorder=9,
                           bbox={"boxstyle": "round,pad=0.35", "fc": "white", "ec": INK, "lw": 0.9},
                           arrowprops={"arrowstyle": "-", "color": INK, "lw": 0.9,
                                           "shrinkA": 0, "shrinkB": 7})

    _place(ax, make, offsets, placed)


def _legend(fig: Figure, plane: Plane) -> None:
    handles = []
    if plane.safe:
        handles.append(Patch(fc=SAFE_FILL, ec=SAFE_MARK, lw=0.8, label="every property holds"))
    if plane.unsafe:
        handles.append(Patch(fc=UNSAFE_FILL, ec=UNSAFE_HATCH, hatch="//", lw=0,
                             label="some property is violated"))
    if plane.excluded:
        handles.append(Patch(fc=EXCLUDED_FILL, ec="#b0b0b0", hatch="..", lw=0,
                             label="outside the model's assumptions"))
    sides = {side for _, side in plane.lattice}
    if SAFE in sides:
        handles.append(Line2D([], [], marker="o", ls="none", mfc=SAFE_MARK, mec=SAFE_MARK,
                              ms=4, label="integer point: holds"))
    if UNSAFE in sides:
        handles.append(Line2D([], [], marker="x", ls="none", mec=UNSAFE_MARK, ms=5, mew=1,
                              label="integer point: violated"))
    if plane.witness is not None:
        handles.append(Line2D([], [], marker="*", ls="none", mfc=INK, mec="white", ms=12,
                              label="witness (inside the violating region)"))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.005),
               ncol=3, frameon=False, prop=_font(9.5), handlelength=1.8, columnspacing=1.6)
