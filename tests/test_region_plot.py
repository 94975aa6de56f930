"""Region plots (`synthesize --plot`): the exact geometry on its own (clipping, strictness,
set difference, Fourier-Motzkin), the pieces, boundaries, lattice points and witness of hand
models with known regions (tests/plots/race.model: safe iff x < y + z and x < 7), the 1-D,
projected, fixed and assumption cases, CLI errors (exit 2, never a traceback), byte-stable
output, and golden plots of the seeds in diagrams/.

Regenerate the committed plots with PROTOCHECK_UPDATE_GOLDEN=1 (and look at the PNGs).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest
import z3
from conftest import ROOT, main_in_root

from checker import run
from checker.render import polygons as geo
from checker.render.polygons import HalfPlane, Piece
from checker.render.region_plane import (
    EXCLUDED,
    SAFE,
    UNSAFE,
    PlotError,
    eliminate,
    ineq,
    region_plane,
)

PLOTS = ROOT / "tests" / "plots"
DIAGRAMS = ROOT / "diagrams"
SEEDS = ["graceful_shutdown_configurable_grace", "graceful_shutdown_hard_coded_drain",
         "graceful_shutdown_wait_for_completion_sigkill", "dora_drop_token_buggy",
         "dora_drop_token_fixed"]
BOX = geo.box_polygon((F(0), F(10)), (F(0), F(10)))


def pts(*xy) -> tuple:
    return tuple((F(x), F(y)) for x, y in xy)


def hp(a, b, c, strict=False) -> HalfPlane:
    return HalfPlane(F(a), F(b), F(c), strict)


def synth(spec: str | Path):
    return run.synthesize(str(spec), run.SynthesisOptions(roots=(str(ROOT),)))


def vertices(pieces) -> set:
    return {p.vertices for p in pieces}


# ---------------------------------------------------------------- geometry on its own

def test_clip_box_by_half_planes():
    assert geo.clip(BOX, hp(1, -1, 0)) == pts((0, 0), (10, 0), (10, 10))  # x >= y
    assert geo.clip(BOX, hp(-1, 0, 7)) == pts((0, 0), (7, 0), (7, 10), (0, 10))  # x <= 7
    assert geo.clip(BOX, hp(1, 1, -25)) == ()  # x + y >= 25 misses the box
    assert geo.clip(BOX, hp(1, 1, -20)) == pts((10, 10),)  # only the corner
    third = geo.clip(BOX, hp(-3, 1, 0))  # y >= 3x: exact thirds, no rounding
    assert third == pts((0, 0), (F(10, 3), 10), (0, 10))
    assert geo.area(third) == F(50, 3)


def test_strictness_decides_what_is_in_not_the_closure():
    assert geo.cut(BOX, (hp(1, 0, -5, True), hp(-1, 0, 5, True))) is None  # x > 5, x < 5
    assert geo.cut(BOX, (hp(1, 0, -5, True), hp(-1, 0, 5))) is None  # x > 5, x <= 5
    line = geo.cut(BOX, (hp(1, 0, -5), hp(-1, 0, 5)))  # x == 5: a segment, kept
    assert line is not None and line.vertices == pts((5, 0), (5, 10)) and line.area == 0
    open_ = geo.cut(BOX, (hp(1, -1, 0, True),))  # x > y
    closed = geo.cut(BOX, (hp(1, -1, 0),))
    assert open_.vertices == closed.vertices  # the same drawing ...
    assert not open_.contains(pts((4, 4))[0]) and closed.contains(pts((4, 4))[0])  # ... not set


def test_box_minus_a_piece_is_disjoint_pieces_of_the_rest():
    hole = geo.cut(BOX, (hp(1, -1, 0), hp(1, 0, -2)))  # x >= y and x >= 2
    rest = geo.subtract([Piece((), BOX)], hole)
    assert sum(p.area for p in rest) == 100 - hole.area
    assert vertices(rest) == {pts((0, 0), (10, 10), (0, 10)),  # outside x >= y
                              pts((0, 0), (2, 0), (2, 2))}  # inside it, outside x >= 2
    for x in range(11):
        for y in range(11):
            p = (F(x), F(y))
            assert any(q.contains(p) for q in rest) == (not hole.contains(p))
    assert geo.subtract([Piece((), BOX)], Piece((), BOX)) == []


def test_line_in_box_and_near_sides():
    # in order along (-b, a)
    assert geo.line_in_box(hp(1, -1, 0), (F(0), F(10)), (F(0), F(10))) == pts((0, 0), (10, 10))
    assert geo.line_in_box(hp(-1, 1, 0), (F(0), F(10)), (F(0), F(10))) == pts((10, 10), (0, 0))
    assert geo.line_in_box(hp(1, 1, -20), (F(0), F(10)), (F(0), F(10))) is None
    h = hp(1, 0, -5, True)  # x > 5
    assert h.holds_near(pts((5, 3))[0], (F(1), F(0)))
    assert not h.holds_near(pts((5, 3))[0], (F(0), F(1)))  # along the line: strict, so out
    assert hp(1, 0, -5).holds_near(pts((5, 3))[0], (F(0), F(1)))


def test_fourier_motzkin_keeps_strictness():
    # exists z in [0, 3]: x - y - z >= 0  <=>  x - y >= 0
    conj = (ineq({"x": F(1), "y": F(-1), "z": F(-1)}, F(0), False),
            ineq({"z": F(1)}, F(0), False), ineq({"z": F(-1)}, F(3), False))
    assert eliminate(conj, "z") == (ineq({"x": F(1), "y": F(-1)}, F(0), False),)
    strict = (ineq({"x": F(1), "y": F(-1), "z": F(-1)}, F(0), True),) + conj[1:]
    assert eliminate(strict, "z") == (ineq({"x": F(1), "y": F(-1)}, F(0), True),)
    # exists z: z >= 4 and z <= 3 is false
    assert eliminate((ineq({"z": F(1)}, F(-4), False), conj[2]), "z") is None


# ---------------------------------------------------------------- the regions of hand models

def test_two_params_exact_pieces_boundaries_lattice_and_witness():
    syn = synth(PLOTS / "race_xy.spec")  # z = 0: safe iff x < y and x < 7
    assert syn.safe == "x < y and x < 7"
    plane = region_plane(syn)
    assert vertices(plane.unsafe) == {pts((0, 0), (10, 0), (10, 10)),
                                      pts((7, 0), (10, 0), (10, 10), (7, 10))}
    assert vertices(plane.safe) == {pts((0, 0), (7, 7), (7, 10), (0, 10))}
    assert plane.excluded == ()
    assert {(b.text, b.sides, b.segments) for b in plane.boundaries} == {
        ("x < y", (SAFE, UNSAFE), (pts((0, 0), (7, 7)),)),
        ("x < 7", (SAFE, UNSAFE), (pts((7, 7), (7, 10)),))}
    _lattice_agrees(syn, plane, lambda x, y: x < y and x < 7)
    w = plane.witness
    assert dict(w.values) == {"x": 2, "y": 1}  # inside the larger piece, x >= y
    biggest = max(plane.unsafe, key=lambda p: p.area)
    assert all(h.value(w.point) > 0 for h in biggest.halfplanes)  # strictly inside
    assert all(h.value(w.point) > 0 for h in geo.box_halfplanes((F(0), F(10)), (F(0), F(10))))


def _lattice_agrees(syn, plane, holds) -> None:
    """Every lattice point's side is the formula's truth there, and the oracle's."""
    assert len(plane.lattice) == 121
    x, y = z3.Reals("x y")
    for p, side in plane.lattice:
        at = z3.simplify(z3.substitute(syn.safe_formula, (x, z3.RealVal(p[0])),
                                       (y, z3.RealVal(p[1]))))
        assert z3.is_true(at) == (side == SAFE) == holds(p[0], p[1]), (p, side)


def test_on_the_boundary_the_lattice_point_follows_strictness():
    plane = region_plane(synth(PLOTS / "race_xy.spec"))
    sides = dict(plane.lattice)
    assert sides[(F(3), F(3))] == UNSAFE  # x >= y: the diagonal is violating
    assert sides[(F(6), F(7))] == SAFE
    assert sides[(F(7), F(9))] == UNSAFE  # x >= 7


def test_a_third_param_is_projected_by_default():
    syn = synth(PLOTS / "race.spec")  # safe iff x < y + z and x < 7, z in 0..3
    plane = region_plane(syn)
    assert plane.choice.projected[0].name == "z"
    # safe for every z in 0..3 iff safe for z = 0
    assert vertices(plane.safe) == {pts((0, 0), (7, 7), (7, 10), (0, 10))}
    assert vertices(plane.unsafe) == {pts((0, 0), (10, 0), (10, 10)),
                                      pts((7, 0), (10, 0), (10, 10), (7, 10))}
    sides = dict(plane.lattice)
    for x in range(11):
        for y in range(11):
            holds = all(x < y + z and x < 7 for z in range(4))
            assert (sides[(F(x), F(y))] == SAFE) == holds
    assert dict(plane.witness.values) == {"x": 2, "y": 1, "z": 0}
    from checker.render.region_plot import others_text

    assert others_text(syn, plane.choice) == \
        "other params: z projected (safe for every z in 0..3)"


def test_plot_fix_substitutes_a_value():
    syn = synth(PLOTS / "race.spec")
    plane = region_plane(syn, fix={"z": 2})
    assert vertices(plane.unsafe) == {pts((2, 0), (10, 0), (10, 8)),
                                      pts((7, 0), (10, 0), (10, 10), (7, 10))}
    assert vertices(plane.safe) == {pts((0, 0), (2, 0), (7, 5), (7, 10), (0, 10))}
    assert {b.text for b in plane.boundaries} == {"x < y + 2", "x < 7"}
    assert dict(plane.witness.values)["z"] == 2
    other = region_plane(syn, params=("y", "z"), fix={"x": 8})  # x = 8: always violated
    assert other.safe == () and len(other.lattice) == 11 * 4


def test_a_projected_real_param(tmp_path):
    model = (PLOTS / "race.model").read_text().replace("param z: int in 0..3",
                                                       "param z: real in 0..3")
    (tmp_path / "race.model").write_text(model)
    spec = tmp_path / "race.spec"
    spec.write_text((PLOTS / "race.spec").read_text())
    plane = region_plane(synth(spec))
    assert vertices(plane.safe) == {pts((0, 0), (7, 7), (7, 10), (0, 10))}
    w = dict(plane.witness.values)
    assert w["y"] + w["z"] <= w["x"]


def test_one_free_param_is_a_strip():
    plane = region_plane(synth(PLOTS / "race_x.spec"))  # y = 5, z = 3: safe iff x < 7
    assert plane.choice.y is None
    # x >= 8 (a_before_b) lies inside x >= 7 (a_before_tick): one piece is drawn
    assert [(p.vertices[0][0], p.vertices[1][0]) for p in plane.unsafe] == [(7, 10)]
    assert [(p.vertices[0][0], p.vertices[1][0]) for p in plane.safe] == [(0, 7)]
    assert [(p[0], side) for p, side in plane.lattice] == \
        [(F(x), SAFE if x < 7 else UNSAFE) for x in range(11)]
    assert [b.text for b in plane.boundaries] == ["x < 7"]
    assert dict(plane.witness.values) == {"x": 8}


def test_outside_the_assumptions_is_excluded(tmp_path):
    model = (PLOTS / "race.model").read_text().replace(
        "param z: int in 0..3\n", "param z: int in 0..3\nassume x + y <= 15\n")
    (tmp_path / "race.model").write_text(model)
    spec = tmp_path / "race_xy.spec"
    spec.write_text((PLOTS / "race_xy.spec").read_text())
    plane = region_plane(synth(spec))
    assert vertices(plane.excluded) == {pts((5, 10), (10, 5), (10, 10))}
    sides = dict(plane.lattice)
    assert sides[(F(8), F(8))] == EXCLUDED and sides[(F(8), F(7))] == UNSAFE
    assert sides[(F(5), F(10))] == SAFE
    edge = [b for b in plane.boundaries if EXCLUDED in b.sides]
    assert [b.text for b in edge] == ["x + y <= 15"]


def test_a_region_of_zero_width_is_drawn_and_labelled():
    plane = region_plane(synth(ROOT / "specs" / "graceful_shutdown_wait_for_completion_sigkill"
                                             ".spec"))
    assert vertices(plane.unsafe) == {pts((30, 1), (30, 30))}  # cleanup == 30
    [b] = plane.boundaries
    assert (b.text, b.divides) == ("cleanup < 30", False)
    assert plane.witness.point[0] == 30


def test_bad_choices_raise_plot_errors_naming_the_param():
    syn = synth(PLOTS / "race.spec")
    cases = [({"params": ("x", "nope")}, "no param nope", "nope"),
             ({"params": ("x", "x")}, "given twice", "x"),
             ({"fix": {"z": 4}}, "outside its range; expected a value in 0..3", "z"),
             ({"fix": {"z": F(1, 2)}}, "expected a whole number in 0..3", "z"),
             ({"params": ("x", "z"), "fix": {"z": 1}}, "both on an axis", "z")]
    for kwargs, message, param in cases:
        with pytest.raises(PlotError, match=re.escape(message)) as err:
            region_plane(syn, **kwargs)
        assert err.value.param == param


# ---------------------------------------------------------------- the CLI

@pytest.mark.parametrize("args,message", [
    (["--plot-params", "x,nope"], "model race has no param nope; expected one of x, y, z"),
    (["--plot-params", "x,x"], "param x is given twice"),
    (["--plot-params", "x,y,z"], "expected one or two param names"),
    (["--plot-fix", "z=9"], "--plot-fix z=9: outside its range; expected a value in 0..3"),
    (["--plot-fix", "z=1.5"], "z is an int param; expected a whole number in 0..3"),
    (["--plot-fix", "z=soon"], "the value of z is 'soon', not a number"),
    (["--plot-fix", "z=1e5000"], "the value of z is '1e5000', beyond 30 digits"),
    (["--plot-fix", "z=1e-5000"], "the value of z is '1e-5000', beyond 30 digits"),
    (["--plot-fix", "z"], "expected NAME=VALUE"),
    (["--plot-fix", "z=1", "--plot-fix", "z=2"], "param z is given twice (1 and 2)"),
    (["--plot-params", "x,z", "--plot-fix", "z=1"], "param z is both on an axis"),
])
def test_cli_plot_errors_exit_2_with_the_param_named(cli, capsys, tmp_path, args, message):
    try:
        code, _out, err = cli("synthesize", "tests/plots/race.spec", "--plot", str(tmp_path),
                              *args)
    except SystemExit as usage:  # the argument parser's own errors
        code, err = usage.code, capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cli_plot_options_need_plot(cli, capsys):
    with pytest.raises(SystemExit) as usage:
        cli("synthesize", "tests/plots/race.spec", "--plot-fix", "z=1")
    assert usage.value.code == 2 and "add --plot DIR" in capsys.readouterr().err


def test_cli_a_param_the_spec_fixes_is_not_free(cli, tmp_path):
    code, _, err = cli("synthesize", "tests/plots/race_xy.spec", "--plot", str(tmp_path),
                       "--plot-fix", "z=1")
    assert code == 2
    assert "param z is fixed by the spec (= 0); expected a free param (x, y)" in err
    assert "error[PC413]" in err


def test_cli_writes_svg_and_png_and_prints_the_paths(cli, tmp_path):
    code, out, _ = cli("synthesize", "tests/plots/race.spec", "--plot", str(tmp_path),
                       "--plot-params", "y,x", "--plot-fix", "z=1")
    assert code == 0
    svg, png = tmp_path / "race-region.svg", tmp_path / "race-region.png"
    assert out.splitlines()[-2:] == [str(svg), str(png)]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text()
    assert text.startswith("<?xml") and "<dc:date>" not in text


def test_cli_json_lists_the_plots(cli, tmp_path):
    code, out, _ = cli("synthesize", "--json", "tests/plots/race_xy.spec", "--plot",
                       str(tmp_path))
    assert code == 0
    [doc] = json.loads(out)["synthesis"]
    assert doc["plots"] == [str(tmp_path / "race_xy-region.svg"),
                            str(tmp_path / "race_xy-region.png")]


def test_cli_without_free_params_writes_nothing(cli, tmp_path):
    spec = tmp_path / "all_fixed.spec"
    spec.write_text((PLOTS / "race_xy.spec").read_text().replace(
        'model "race.model"', f'model "{PLOTS / "race.model"}"\nparam x = 1\nparam y = 2'))
    out_dir = tmp_path / "plots"
    code, out, err = cli("synthesize", str(spec), "--plot", str(out_dir))
    assert code == 0
    assert "no free params" in err and "nothing to plot" in err
    assert "every property holds" in out
    assert list(out_dir.iterdir()) == []  # the folder is made before the run; no file in it


# ---------------------------------------------------------------- byte-stable output

_GENERATE = """
import sys
import matplotlib
from checker import run
from checker.render.region_plot import RC, region_images
before = {k: matplotlib.rcParams[k] for k in RC}  # not 'backend': reading it loads pyplot
syn = run.synthesize(sys.argv[1])
images = region_images(syn)
assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
assert {k: matplotlib.rcParams[k] for k in RC} == before, "rcParams leaked"
sys.stdout.buffer.write(images["svg"] + b"\\0SPLIT\\0" + images["png"])
"""


def test_two_processes_give_the_same_bytes():
    spec = str(PLOTS / "race.spec")
    runs = [subprocess.run([sys.executable, "-c", _GENERATE, spec], cwd=ROOT,
                           capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    assert runs[0] == runs[1]
    svg, png = runs[0].split(b"\0SPLIT\0")
    assert svg.startswith(b"<?xml") and png[:4] == b"\x89PNG"


def test_region_svg_and_png_for_embedding():
    from checker.render.region_plot import region_png, region_svg

    syn = synth(PLOTS / "race.spec")
    svg = region_svg(syn, params=("x", "y"), fix={"z": 1})
    assert isinstance(svg, str) and "<svg" in svg
    assert svg == region_svg(syn, params=("x", "y"), fix={"z": 1})  # same process, same text
    assert region_png(syn)[:4] == b"\x89PNG"


# ---------------------------------------------------------------- the committed seed plots

def _made_with_this_matplotlib() -> str | None:
    import matplotlib

    svg = (DIAGRAMS / f"{SEEDS[0]}-region.svg").read_text()
    found = re.search(r"Matplotlib v([^,]+),", svg)
    if found and found.group(1) != matplotlib.__version__:
        return f"diagrams/ were drawn with matplotlib {found.group(1)}, this is " \
               f"{matplotlib.__version__}"
    return None


@pytest.fixture(scope="module")
def seed_plots(tmp_path_factory):
    out = tmp_path_factory.mktemp("region_plots")
    assert main_in_root("synthesize", *[f"specs/{s}.spec" for s in SEEDS], "--plot", str(out),
                        "--no-progress") == 0
    return out


@pytest.mark.parametrize("spec", SEEDS)
@pytest.mark.parametrize("ext", ["svg", "png"])
def test_seed_region_plots_golden(seed_plots, spec, ext):
    name = f"{spec}-region.{ext}"
    data = (seed_plots / name).read_bytes()
    if os.environ.get("PROTOCHECK_UPDATE_GOLDEN"):
        (DIAGRAMS / name).write_bytes(data)
    why = _made_with_this_matplotlib()
    # Not a skip: the test extra pins matplotlib and Pillow, whose versions decide the bytes.
    assert why is None, f"{why}; pip install -e '.[test]' installs the pinned versions"
    assert data == (DIAGRAMS / name).read_bytes(), f"{name} differs from diagrams/{name}"
