"""What a region plot shows, computed exactly: a synthesis report's regions restricted to the
plane of one or two free params, as convex pieces, boundaries, lattice points and a witness.

`choose_plane` checks the user's choice (`--plot-params`, `--plot-fix`) against the model and
decides what happens to the other free params: fixed at a value (substituted), or projected
(the plane shows safe where every property holds for every value of them). `region_plane`
does the rest:

* the violating region is `not safe_formula` in disjunctive normal form (its conjunctions are
  the timed engine's polyhedra); each conjunction, with the other params' ranges and the
  model's assumptions, is restricted to the plane: fixed and projected `int` params by
  substituting each of their values, projected `real` params by Fourier-Motzkin elimination
  (exact for reals, strictness kept); each restriction clipped out of the range box is an
  unsafe piece;
* the safe region is the assumptions' region minus the unsafe pieces (disjoint pieces); the
  box minus the assumptions' region is excluded;
* boundaries are the lines of those pieces where the two sides differ, each labelled with its
  constraint as `synthesize` writes it (`grace > gil_delay`, via `zones.pretty`);
* for `int` params every lattice point is classified exactly (strictness matters there);
* the witness is `ParamSpace.inner_model_of` on the constraints of the largest unsafe piece.

Nothing here draws (checker/render/region_plot.py does); everything is Fraction arithmetic
or Z3, so the same report gives the same plane.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from fractions import Fraction

import z3

from checker import ir
from checker.diagnostics import did_you_mean
from checker.record import record
from checker.render import polygons as geo
from checker.render.polygons import HalfPlane, Piece, Point
from checker.report import SynthesisReport
from checker.symbolic.zones import ParamSpace, _linear, pretty

MAX_PIECES = 20_000  # conjunctions of a region's normal form, and plane pieces
MAX_COMBOS = 10_000  # values of the projected or fixed int params substituted one by one
MAX_LATTICE_SIDE = 61  # lattice points per axis beyond which they are not marked
SAFE, UNSAFE, EXCLUDED = "safe", "unsafe", "excluded"


class PlotError(ValueError):
    """A plot that cannot be drawn: a bad choice of params or values (`param` names the one
    at fault, if any), or a region too complex to draw."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


# ---------------------------------------------------------------- linear constraints

@record
class Ineq:
    """sum(coef * param) + const >= 0 (> 0 when strict); terms sorted, no zero coefficient."""

    terms: tuple[tuple[str, Fraction], ...]
    const: Fraction
    strict: bool

    def coef(self, name: str) -> Fraction:
        return dict(self.terms).get(name, Fraction(0))

    def substitute(self, values: dict[str, Fraction]) -> Ineq:
        const = self.const + sum((c * values[n] for n, c in self.terms if n in values),
                                 Fraction(0))
        return ineq({n: c for n, c in self.terms if n not in values}, const, self.strict)

    def truth(self) -> bool | None:
        """True or False for a constraint without params, else None."""
        if self.terms:
            return None
        return self.const > 0 if self.strict else self.const >= 0


def ineq(terms: dict[str, Fraction], const: Fraction, strict: bool) -> Ineq:
    terms = {n: Fraction(c) for n, c in terms.items() if c != 0}
    if terms:
        lcm = math.lcm(*(c.denominator for c in terms.values()))
        g = math.gcd(*(int(c * lcm) for c in terms.values()))
        k = Fraction(lcm, g)
        terms = {n: c * k for n, c in terms.items()}
        const = Fraction(const) * k
    return Ineq(tuple(sorted(terms.items())), Fraction(const), strict)


Conj = tuple[Ineq, ...]


def _difference(a, b) -> tuple[dict[str, Fraction], Fraction]:
    la, lb = _linear(a), _linear(b)
    if la is None or lb is None:
        raise PlotError(f"cannot plot a region with the non-linear constraint {a} ? {b}")
    terms = dict(la[0])
    for n, c in lb[0].items():
        terms[n] = terms.get(n, Fraction(0)) - c
    return terms, la[1] - lb[1]


_CMP = {z3.Z3_OP_LE, z3.Z3_OP_LT, z3.Z3_OP_GE, z3.Z3_OP_GT, z3.Z3_OP_EQ}


def _literal(e, negate: bool) -> list[Conj]:
    """A comparison (or its negation) as a disjunction of conjunctions of `Ineq`s."""
    k = e.decl().kind()
    d, c = _difference(e.arg(0), e.arg(1))  # e is `d + c  op  0`
    neg = {n: -x for n, x in d.items()}
    ge, le = ineq(d, c, False), ineq(neg, -c, False)
    gt, lt = ineq(d, c, True), ineq(neg, -c, True)
    table = {z3.Z3_OP_LE: ([(le,)], [(gt,)]), z3.Z3_OP_LT: ([(lt,)], [(ge,)]),
             z3.Z3_OP_GE: ([(ge,)], [(lt,)]), z3.Z3_OP_GT: ([(gt,)], [(le,)]),
             z3.Z3_OP_EQ: ([(ge, le)], [(gt,), (lt,)])}
    return _simplified(table[k][1 if negate else 0])


def _simplified(conjs: list[Conj]) -> list[Conj]:
    """Constraints without params decided: a false one drops its conjunction, a true one
    goes; repeated conjunctions go."""
    out: list[Conj] = []
    seen: set[frozenset] = set()
    for conj in conjs:
        truths = [i.truth() for i in conj]
        if False in truths:
            continue
        kept = tuple(dict.fromkeys(i for i, t in zip(conj, truths) if t is None))
        key = frozenset(kept)
        if key not in seen:
            seen.add(key)
            out.append(kept)
    return out


def dnf(f, negate: bool = False) -> list[Conj]:
    """The formula (or its negation) in disjunctive normal form over linear constraints."""
    if z3.is_true(f) or z3.is_false(f):
        return [()] if z3.is_true(f) != negate else []
    if z3.is_not(f):
        return dnf(f.arg(0), not negate)
    if z3.is_and(f) or z3.is_or(f):
        parts = [dnf(c, negate) for c in f.children()]
        if z3.is_and(f) != negate:
            return _product(parts)
        return _capped(_simplified([c for p in parts for c in p]))
    if z3.is_app(f) and f.decl().kind() in _CMP and z3.is_arith(f.arg(0)):
        return _literal(f, negate)
    raise PlotError(f"cannot plot a region with the constraint {f}")


def _product(parts: list[list[Conj]]) -> list[Conj]:
    out: list[Conj] = [()]
    for part in parts:
        out = _capped(_simplified([a + b for a in out for b in part]))
    return out


def _capped(conjs: list[Conj]) -> list[Conj]:
    if len(conjs) > MAX_PIECES:
        raise PlotError(f"the region has more than {MAX_PIECES:,} convex pieces; too many to "
                        "draw")
    return conjs


def eliminate(conj: Conj, name: str) -> Conj | None:
    """Exists name. conj (Fourier-Motzkin; exact over the reals), or None if unsatisfiable."""
    lower = [i for i in conj if i.coef(name) > 0]
    upper = [i for i in conj if i.coef(name) < 0]
    out = [i for i in conj if i.coef(name) == 0]
    for lo in lower:
        for up in upper:
            a, b = lo.coef(name), -up.coef(name)
            terms = {n: b * c for n, c in lo.terms}
            for n, c in up.terms:
                terms[n] = terms.get(n, Fraction(0)) + a * c
            out.append(ineq(terms, b * lo.const + a * up.const, lo.strict or up.strict))
    kept = _simplified([tuple(out)])
    return kept[0] if kept else None


# ---------------------------------------------------------------- what to plot

@record
class PlaneChoice:
    """The params on the axes (y None for a 1-D plot) and what becomes of the others."""

    x: ir.Param
    y: ir.Param | None
    fixed: tuple[tuple[str, Fraction], ...]  # --plot-fix, in declaration order
    projected: tuple[ir.Param, ...]

    @property
    def axes(self) -> tuple[ir.Param, ...]:
        return (self.x,) if self.y is None else (self.x, self.y)


def free_params(model: ir.Model) -> tuple[ir.Param, ...]:
    fixed = dict(model.fixed_params)
    return tuple(p for p in model.params if p.name not in fixed)


def _known(model: ir.Model, name: str, option: str) -> ir.Param:
    free = {p.name: p for p in free_params(model)}
    if name in free:
        return free[name]
    fixed = dict(model.fixed_params)
    if name in fixed:
        raise PlotError(f"{option}: param {name} is fixed by the spec (= {fixed[name]}); "
                        f"expected a free param ({', '.join(free) or 'there are none'})", name)
    hint = did_you_mean(name, set(free))
    raise PlotError(f"{option}: model {model.name} has no param {name}; expected one of "
                    f"{', '.join(free) or '(no free params)'}" + (f" ({hint})" if hint else ""),
                    name)


def _checked_value(p: ir.Param, value: Fraction) -> Fraction:
    if not p.lo <= value <= p.hi:
        raise PlotError(f"--plot-fix {p.name}={number_text(value)}: outside its range; expected a "
                        f"value in {p.lo}..{p.hi}", p.name)
    if p.kind == "int" and value.denominator != 1:
        raise PlotError(f"--plot-fix {p.name}={number_text(value)}: {p.name} is an int param; "
                        f"expected a whole number in {p.lo}..{p.hi}", p.name)
    return value


def choose_plane(model: ir.Model, params: tuple[str, ...] | None = None,
                 fix: dict[str, Fraction] | None = None) -> PlaneChoice:
    """The plane to draw: `params` (one or two free params; by default the first two free
    params in declaration order), `fix` (values of other free params). Raises PlotError
    naming the param at fault."""
    free = free_params(model)
    if not free:
        raise PlotError(f"model {model.name} has no free params: nothing to plot")
    fix = dict(fix or {})
    if params is not None and not 1 <= len(params) <= 2:
        raise PlotError("--plot-params: expected one or two param names (X or X,Y)")
    if params is not None and len(set(params)) != len(params):
        raise PlotError(f"--plot-params: param {params[0]} given twice; expected two different "
                        "params", params[0])
    for name in sorted(set(params or ()) & set(fix)):
        raise PlotError(f"param {name} is both on an axis (--plot-params) and fixed "
                        "(--plot-fix); expected one or the other", name)
    values = {name: _checked_value(_known(model, name, "--plot-fix"), Fraction(v))
              for name, v in fix.items()}
    if params is None:
        axes = tuple(p for p in free if p.name not in values)[:2]
        if not axes:
            raise PlotError("--plot-fix fixes every free param: no param left for an axis")
    else:
        axes = tuple(_known(model, name, "--plot-params") for name in params)
    on_axes = {p.name for p in axes}
    return PlaneChoice(axes[0], axes[1] if len(axes) > 1 else None,
                       tuple((p.name, values[p.name]) for p in free if p.name in values),
                       tuple(p for p in free if p.name not in on_axes and p.name not in values))


# ---------------------------------------------------------------- the plane

@record
class Origin:
    """Where an unsafe piece came from: a conjunction over the free params and the values
    substituted for fixed and projected int params."""

    conj: Conj
    values: tuple[tuple[str, Fraction], ...]


@record
class Boundary:
    """A line along which the sides differ, oriented towards the safe side (or, for the edge
    of the assumptions, towards them), with the constraint it stands for."""

    halfplane: HalfPlane  # for `x == 5`-like boundaries (a region of zero width): its line
    sides: tuple[str, str]  # (the side it points to, the other)
    segments: tuple[tuple[Point, Point], ...]
    text: str
    divides: bool = True  # False: the two sides are the line itself and what lies beside it
    equal: bool = False  # the boundary is a line of zero width inside one region (`x == 5`)


@record
class Witness:
    values: tuple[tuple[str, Fraction], ...]  # every free param, in declaration order
    point: Point


@record
class Plane:
    choice: PlaneChoice
    x_range: tuple[Fraction, Fraction]
    y_range: tuple[Fraction, Fraction]  # (0, 1) for a 1-D plot
    safe: tuple[Piece, ...]
    unsafe: tuple[Piece, ...]
    excluded: tuple[Piece, ...]
    boundaries: tuple[Boundary, ...]
    lattice: tuple[tuple[Point, str], ...]  # int axes only: each point and its side
    witness: Witness | None

    def side(self, p: Point) -> str:
        return _side(self.unsafe, self.safe, p)


def _side(unsafe, safe, p: Point) -> str:
    if any(q.contains(p) for q in unsafe):
        return UNSAFE
    return SAFE if any(q.contains(p) for q in safe) else EXCLUDED


def _range(p: ir.Param | None) -> tuple[Fraction, Fraction]:
    return (Fraction(p.lo), Fraction(p.hi)) if p is not None else (Fraction(0), Fraction(1))


def _domain(model: ir.Model, choice: PlaneChoice) -> Conj:
    """The ranges of the projected params and the model's assumptions, as constraints (the
    axes' ranges are the box)."""
    fixed = {n: Fraction(v) for n, v in model.fixed_params}
    out: list[Ineq] = []
    for p in choice.projected:
        out += [ineq({p.name: Fraction(1)}, -Fraction(p.lo), False),
                ineq({p.name: Fraction(-1)}, Fraction(p.hi), False)]
    for a in model.assumes:
        terms = dict(a.left.terms)
        for n, c in a.right.terms:
            terms[n] = terms.get(n, Fraction(0)) - c
        const = a.left.const - a.right.const
        const += sum((c * fixed[n] for n, c in terms.items() if n in fixed), Fraction(0))
        terms = {n: c for n, c in terms.items() if n not in fixed}
        neg = {n: -c for n, c in terms.items()}
        out += {">=": [ineq(terms, const, False)], ">": [ineq(terms, const, True)],
                "<=": [ineq(neg, -const, False)], "<": [ineq(neg, -const, True)],
                "==": [ineq(terms, const, False), ineq(neg, -const, False)]}[a.op]
    return tuple(out)


def _combos(choice: PlaneChoice) -> Iterator[dict[str, Fraction]]:
    """Every valuation of the fixed params and the projected int params."""
    ints = [p for p in choice.projected if p.kind == "int"]
    count = 1
    for p in ints:
        count *= p.hi - p.lo + 1
    if count > MAX_COMBOS:
        raise PlotError(f"projecting {', '.join(p.name for p in ints)} means {count:,} value "
                        f"combinations (at most {MAX_COMBOS:,}); fix some with "
                        "--plot-fix NAME=VALUE")
    base = dict(choice.fixed)
    for vals in itertools.product(*(range(p.lo, p.hi + 1) for p in ints)):
        yield base | {p.name: Fraction(v) for p, v in zip(ints, vals)}


def _restrict(conj: Conj, choice: PlaneChoice, values: dict[str, Fraction]
              ) -> tuple[HalfPlane, ...] | None:
    """conj with `values` substituted and the projected reals eliminated, as half-planes."""
    kept = _simplified([tuple(i.substitute(values) for i in conj)])
    if not kept:
        return None
    sub: Conj | None = kept[0]
    for p in choice.projected:
        if p.kind == "real" and sub is not None:
            sub = eliminate(sub, p.name)
    if sub is None:
        return None
    x, y = choice.x.name, choice.y.name if choice.y else None
    planes = []
    for i in sub:
        assert {n for n, _ in i.terms} <= {x, y}, i
        planes.append(geo.canonical(HalfPlane(i.coef(x), i.coef(y) if y else Fraction(0),
                                              i.const, i.strict)))
    return tuple(sorted(set(planes), key=_hp_key))


def _hp_key(h: HalfPlane) -> tuple:
    return (h.a, h.b, h.c, h.strict)


def _piece_key(p: Piece) -> tuple:
    return (p.vertices, tuple(_hp_key(h) for h in p.halfplanes))


def _plane_pieces(conjs: list[Conj], choice: PlaneChoice, domain: Conj,
                  box: tuple[Point, ...]) -> list[tuple[Piece, Origin]]:
    out: dict[tuple, tuple[Piece, Origin]] = {}
    for values in _combos(choice):
        for conj in conjs:
            planes = _restrict(conj + domain, choice, values)
            if planes is None or planes in out:
                continue
            piece = geo.cut(box, planes)
            if piece is not None:
                out[planes] = (piece, Origin(conj, tuple(sorted(values.items()))))
                if len(out) > MAX_PIECES:
                    raise PlotError(f"the region has more than {MAX_PIECES:,} pieces in the "
                                    "plane; too many to draw")
    found = sorted(out.values(), key=lambda po: (-po[0].area, _piece_key(po[0])))
    kept: list[tuple[Piece, Origin]] = []
    for piece, origin in found:  # larger first: drop pieces inside one already kept
        if not any(geo.within(piece, k) for k, _ in kept):
            kept.append((piece, origin))
    return sorted(kept, key=lambda po: _piece_key(po[0]))


def region_plane(report: SynthesisReport, params: tuple[str, ...] | None = None,
                 fix: dict[str, Fraction] | None = None) -> Plane:
    """The plane of `params` (see `choose_plane`) with the report's regions in it."""
    model = report.model
    choice = choose_plane(model, params, fix)
    xr, yr = _range(choice.x), _range(choice.y)
    box = geo.box_polygon(xr, yr)
    domain = _domain(model, choice)
    unsafe_po = _plane_pieces(dnf(report.safe_formula, negate=True), choice, domain, box)
    unsafe = [p for p, _ in unsafe_po]
    dom = geo.disjoint_union([p for p, _ in _plane_pieces([()], choice, domain, box)])
    safe = dom
    for hole in unsafe:
        safe = geo.subtract(safe, hole)
    excluded = [geo.Piece((), box)]
    for hole in dom:
        excluded = geo.subtract(excluded, hole)
    safe, excluded = sorted(safe, key=_piece_key), sorted(excluded, key=_piece_key)
    space = ParamSpace(model)
    return Plane(choice, xr, yr, tuple(safe), tuple(unsafe), tuple(excluded),
                 _boundaries(space, choice, xr, yr, unsafe, safe, dom),
                 _lattice(choice, xr, yr, unsafe, safe),
                 _witness(space, choice, unsafe_po))


# ---------------------------------------------------------------- boundaries

def _near_side(p: Point, d: Point | None, xr, yr, unsafe, safe) -> str | None:
    """The side of p + t*d for small t > 0 (of p itself if d is None); None outside the box."""
    box = geo.box_halfplanes(xr, yr)
    if d is None:
        return _side(unsafe, safe, p)
    if not all(h.holds_near(p, d) for h in box):
        return None
    if any(q.contains_near(p, d) for q in unsafe):
        return UNSAFE
    return SAFE if any(q.contains_near(p, d) for q in safe) else EXCLUDED


def _cuts(ends: tuple[Point, Point], others: list[HalfPlane]) -> list[Fraction]:
    """Where the other lines cross the segment, as parameters in [0, 1], with 0 and 1."""
    (p, q) = ends
    ts = set()
    for h in others:
        vp, vq = h.value(p), h.value(q)
        if vp != vq:
            t = vp / (vp - vq)
            if 0 < t < 1:
                ts.add(t)
    return [Fraction(0), *sorted(ts), Fraction(1)]


_RANK = {SAFE: 0, UNSAFE: 1, EXCLUDED: 2}  # a boundary is labelled from the first side's view


def _label(line: HalfPlane, plus: str | None, minus: str | None, on: str
           ) -> tuple[HalfPlane | None, tuple[str, str], bool, bool]:
    """How a piece of the line separates its sides: the half-plane (or, with `equal`, the
    line) that holds on the better side, the two sides, `equal`, and whether the line
    divides two regions (else the line itself differs from beside it); None if nothing
    differs."""
    if plus is not None and minus is not None and plus != minus:
        good, other = sorted((plus, minus), key=_RANK.__getitem__)
        h = line if good == plus else line.negated()
        return HalfPlane(h.a, h.b, h.c, on != good), (good, other), False, True
    inside = plus if plus is not None else minus
    if inside is None or on == inside:
        return None, (on, on), False, False
    inward = line if inside == plus else line.negated()
    good, other = sorted((inside, on), key=_RANK.__getitem__)
    if plus is not None and minus is not None:  # a line of its own inside one region
        return line, (good, other), True, False
    h = inward if good == inside else inward.negated()
    return HalfPlane(h.a, h.b, h.c, good == inside), (good, other), False, False


def _boundaries(space: ParamSpace, choice: PlaneChoice, xr, yr, unsafe, safe, dom
                ) -> tuple[Boundary, ...]:
    lines: dict[tuple, HalfPlane] = {}
    for piece in [*unsafe, *dom, *safe]:
        for h in piece.halfplanes:
            lines.setdefault(h.line(), HalfPlane(*h.line()))
    ordered = [lines[k] for k in sorted(lines)]
    groups: dict[tuple, tuple[HalfPlane, tuple[str, str], list]] = {}
    for line in ordered:
        ends = geo.line_in_box(line, xr, yr)
        if ends is None:
            continue
        ts = _cuts(ends, [h for h in ordered if h is not line])
        for t0, t1 in itertools.pairwise(ts):
            mid = _at(ends, (t0 + t1) / 2)
            plus, minus, on = (_near_side(mid, d, xr, yr, unsafe, safe) for d in
                               ((line.a, line.b), (-line.a, -line.b), None))
            h, sides, equal, divides = _label(line, plus, minus, on)
            if h is None:
                continue
            text = _text(space, choice, h, equal=equal, negate=equal and sides[0] != on)
            # The assumptions' edge is one boundary, whatever lies inside it.
            key = (text, sides if EXCLUDED not in sides else EXCLUDED, divides, equal)
            segs = groups.setdefault(key, (geo.canonical(h), sides, []))[2]
            _extend(segs, (_at(ends, t0), _at(ends, t1)))
    return tuple(Boundary(h, sides, tuple(segs), key[0], key[2], key[3])
                 for key, (h, sides, segs) in groups.items())


def _at(ends: tuple[Point, Point], t: Fraction) -> Point:
    (p, q) = ends
    return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))


def _extend(segs: list[tuple[Point, Point]], seg: tuple[Point, Point]) -> None:
    if segs and segs[-1][1] == seg[0]:
        segs[-1] = (segs[-1][0], seg[1])
    else:
        segs.append(seg)


def _text(space: ParamSpace, choice: PlaneChoice, h: HalfPlane, equal: bool = False,
          negate: bool = False) -> str:
    """The half-plane (or its line: `equal`, `negate` for `!=`) as `synthesize` would write
    it: `grace > gil_delay`, `cleanup < 10`."""
    names = [p.name for p in choice.axes]
    i = ineq(dict(zip(names, (h.a, h.b))), h.c, h.strict)
    term = _z3_term(space, i)
    atom = term == 0 if equal else (term > 0 if i.strict else term >= 0)
    order = {p.name: i for i, p in enumerate(space.model.params)}
    return pretty(z3.Not(atom) if negate else atom, order=order)


def _z3_frac(x: Fraction) -> z3.ArithRef:
    return z3.RealVal(f"{x.numerator}/{x.denominator}")


# ---------------------------------------------------------------- lattice and witness

def _lattice(choice: PlaneChoice, xr, yr, unsafe, safe) -> tuple[tuple[Point, str], ...]:
    if any(p.kind != "int" for p in choice.axes):
        return ()
    xs = range(int(xr[0]), int(xr[1]) + 1)
    ys = range(int(yr[0]), int(yr[1]) + 1) if choice.y is not None else [Fraction(1, 2)]
    if len(xs) > MAX_LATTICE_SIDE or len(ys) > MAX_LATTICE_SIDE:
        return ()
    points = [(Fraction(x), Fraction(y)) for y in ys for x in xs]
    return tuple((p, _side(unsafe, safe, p)) for p in points)


def _witness(space: ParamSpace, choice: PlaneChoice, unsafe_po: list[tuple[Piece, Origin]]
             ) -> Witness | None:
    """A point strictly inside the largest unsafe piece where it can be (inner_model_of on
    the constraints it came from, with the substituted values)."""
    if not unsafe_po:
        return None
    origin = max(unsafe_po, key=lambda po: po[0].area)[1]  # max keeps the first of ties
    cons = [_z3_ineq(space, i) for i in origin.conj]
    plain = [space.reals[n] == _z3_frac(v) for n, v in origin.values]
    value = space.inner_model_of(cons, plain)
    if value is None:
        return None
    vals = []
    for p in free_params(space.model):
        v = value(space.reals[p.name])
        vals.append((p.name, Fraction(v.numerator_as_long(), v.denominator_as_long())))
    got = dict(vals)
    y = got[choice.y.name] if choice.y is not None else Fraction(1, 2)
    return Witness(tuple(vals), (got[choice.x.name], y))


def _z3_term(space: ParamSpace, i: Ineq) -> z3.ArithRef:
    terms = [_z3_frac(c) * space.reals[n] for n, c in i.terms]
    return z3.Sum([*terms, _z3_frac(i.const)])


def _z3_ineq(space: ParamSpace, i: Ineq):
    term = _z3_term(space, i)
    return term > 0 if i.strict else term >= 0


def number_text(x: Fraction) -> str:
    """3, 2.5 (a short decimal when there is one), else 1/3."""
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1 and len(text := f"{float(x):.10g}") <= 12:
        return text
    return f"{x.numerator}/{x.denominator}"
