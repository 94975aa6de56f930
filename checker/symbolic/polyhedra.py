"""Parametric zones as exact polyhedra: the Parma Polyhedra Library (`pplpy`) does the geometry.

A zone is one NNC polyhedron (strict bounds are kept) over a fixed space: the free params first
(the `int` ones, then the `real` ones), then one dimension per clock the model can ever have
(every time-bounded transition of every instance, every timer). A clock that does not matter
in a discrete state is pinned at 0, so every zone lives in the same space and subsumption is
plain inclusion. The operations of one transition are polyhedral and exact:

  * time passing: add the ray that grows every live clock at once;
  * deadlines (upper bounds, so holding at the firing instant means holding all along) and
    the firing condition: intersections;
  * resets, and clocks that stop mattering: the affine image `clock := 0`;
  * where a transition can fire from (for deadlock): the zone intersected with the time
    predecessors of its firing set (the opposite ray); stuck = zone minus those, as a list of
    convex pieces;
  * a region over the params: drop the clock dimensions (they are the highest).

A branch is kept only if its polyhedron has a point whose `int` params are integers (PPL's
`contains_integer_point` on the projection onto the `int` params). Regions go to Z3 only to be
described and for witnesses, as disjunctions of a few constraints each.
"""

from __future__ import annotations

import functools
import math
import signal
import threading
import time
from fractions import Fraction

import z3

from checker import ir
from checker.symbolic.errors import PolyhedraUnavailable


def _import_ppl():
    """pplpy, or None. Importing it installs cysignals' SIGINT handler over whatever was there;
    put the previous one back. Otherwise Ctrl-C raises inside PPL's C++ code (a longjmp out of
    a half-done polyhedron operation) instead of reaching the CLI's flag between states."""
    main = threading.current_thread() is threading.main_thread()
    before = signal.getsignal(signal.SIGINT) if main else None
    try:
        import ppl as module
    except ImportError:  # .ci/setup installs it; PolyZones says what to do
        return None
    finally:
        if main and before is not None:
            signal.signal(signal.SIGINT, before)
    return module


ppl = _import_ppl()


def _in_ppl(method):
    """Add the time a PolyZones method takes (in PPL) to its `seconds`."""
    @functools.wraps(method)
    def timed(self, *args):
        start = time.perf_counter()
        try:
            return method(self, *args)
        finally:
            self.seconds += time.perf_counter() - start
    return timed


class PolyZones:
    """The polyhedral zones of one timed search (see the module doc)."""

    def __init__(self, model: ir.Model, clocks: list[str], space):
        if ppl is None:
            raise PolyhedraUnavailable(
                "the timed engine needs the Parma Polyhedra Library, which cannot be loaded: "
                "install it with `python3 -m pip install pplpy` (or check with --zones z3, "
                "the slower first engine)")
        self.space = space  # checker.symbolic.zones.ParamSpace: Z3 for regions and witnesses
        fixed = dict(model.fixed_params)
        self.fixed = fixed
        free = [p for p in model.params if p.name not in fixed]
        free.sort(key=lambda p: p.kind != "int")  # stable: the int params, then the reals
        self.params = free
        self.n_int = sum(1 for p in free if p.kind == "int")
        self.dim = {p.name: i for i, p in enumerate(free)}
        self.n_params = len(free)
        self.clock = {key: self.n_params + i for i, key in enumerate(clocks)}
        self.size = self.n_params + len(clocks)
        self.seconds = 0.0
        self._lins: dict[ir.Lin, tuple] = {}
        self._bounds: dict[tuple, object] = {}
        self._rays: dict[tuple, object] = {}
        self.base = self._base(model)

    # ------------------------------------------------------------ building constraints
    def lin(self, e: ir.Lin) -> tuple[dict[int, Fraction], Fraction]:
        """A linear expression over params as ({dimension: coefficient}, constant); a param
        the spec fixes is its value."""
        if e not in self._lins:
            terms: dict[int, Fraction] = {}
            const = Fraction(e.const)
            for name, c in e.terms:
                if name in self.fixed:
                    const += Fraction(c) * Fraction(self.fixed[name])
                else:
                    terms[self.dim[name]] = terms.get(self.dim[name], 0) + Fraction(c)
            self._lins[e] = (terms, const)
        return self._lins[e]

    def constraint(self, terms: dict[int, Fraction], const: Fraction, op: str):
        """`sum(terms) + const op 0` with integer coefficients, as PPL wants them."""
        scale = math.lcm(*(Fraction(c).denominator for c in (*terms.values(), const)))
        expr = ppl.Linear_Expression(int(const * scale))
        for d, c in sorted(terms.items()):
            if c:
                expr += int(c * scale) * ppl.Variable(d)
        return {">=": expr >= 0, ">": expr > 0, "<=": expr <= 0, "<": expr < 0,
                "==": expr == 0}[op]

    def compare(self, left: tuple, op: str, right: tuple):
        terms = dict(left[0])
        for d, c in right[0].items():
            terms[d] = terms.get(d, 0) - c
        return self.constraint(terms, left[1] - right[1], op)

    def _base(self, model: ir.Model):
        poly = ppl.NNC_Polyhedron(self.size, "universe")
        for p in self.params:
            d = self.dim[p.name]
            poly.add_constraint(self.constraint({d: Fraction(1)}, Fraction(-p.lo), ">="))
            poly.add_constraint(self.constraint({d: Fraction(-1)}, Fraction(p.hi), ">="))
        for a in model.assumes:
            poly.add_constraint(self.compare(self.lin(a.left), a.op, self.lin(a.right)))
        return poly

    def age_bound(self, key: str, op: str, bound: ir.Lin):
        """`age(key) op bound` (built once per clock, operator and bound)."""
        made = self._bounds.get((key, op, bound))
        if made is None:
            terms, const = self.lin(bound)
            made = self.compare(({self.clock[key]: Fraction(1)}, Fraction(0)), op,
                                (terms, const))
            self._bounds[(key, op, bound)] = made
        return made

    # ------------------------------------------------------------ zones
    def initial(self):
        """Every clock at 0, the params in their ranges and assumptions."""
        poly = ppl.NNC_Polyhedron(self.base)
        for d in self.clock.values():
            poly.add_constraint(ppl.Variable(d) == 0)
        return poly

    @_in_ppl
    def elapsed(self, zone, live: list[str]):
        """Every point time can reach from zone (the live clocks all grow by the same delay)."""
        poly = ppl.NNC_Polyhedron(zone)
        if live:
            poly.add_generator(self._ray(live, 1))
        return poly

    def _ray(self, live: list[str], sign: int):
        key = (tuple(live), sign)
        if key not in self._rays:
            expr = ppl.Linear_Expression(0)
            for clock in live:
                expr += sign * ppl.Variable(self.clock[clock])
            self._rays[key] = ppl.ray(expr)
        return self._rays[key]

    def copy(self, poly):
        return ppl.NNC_Polyhedron(poly)

    @_in_ppl
    def restrict(self, poly, constraints: list):
        out = ppl.NNC_Polyhedron(poly)
        for c in constraints:
            out.add_constraint(c)
        return out

    @_in_ppl
    def feasible(self, poly) -> bool:
        """Non-empty, with integer values for the `int` params."""
        if poly.is_empty():
            return False
        if not self.n_int:
            return True
        ints = ppl.NNC_Polyhedron(poly)
        ints.remove_higher_space_dimensions(self.n_int)
        return ints.contains_integer_point()

    @_in_ppl
    def set_clock(self, poly, key: str, value: int) -> None:
        """clock := value (an integer constant), in place."""
        poly.affine_image(ppl.Variable(self.clock[key]), ppl.Linear_Expression(int(value)))

    @_in_ppl
    def reset(self, poly, keys) -> None:
        """clock := 0 for each key, in place."""
        for key in keys:
            poly.affine_image(ppl.Variable(self.clock[key]), ppl.Linear_Expression(0))

    @_in_ppl
    def from_where(self, zone, fires, live: list[str]):
        """The points of zone from which, after some delay, `fires` is reached."""
        past = ppl.NNC_Polyhedron(fires)
        if live:
            past.add_generator(self._ray(live, -1))
        past.intersection_assign(zone)
        return past

    @_in_ppl
    def minus(self, zone, others: list) -> list:
        """zone minus the union of others, as disjoint convex pieces (exact: each constraint
        of a subtracted polyhedron is negated in turn)."""
        pieces = [zone]
        for other in others:
            out = []
            for piece in pieces:
                if other.contains(piece):  # the common case: some transition fires anywhere
                    continue
                if piece.is_disjoint_from(other):
                    out.append(piece)
                    continue
                rest = ppl.NNC_Polyhedron(piece)
                for c in other.minimized_constraints():
                    for negated in _negations(c):
                        part = ppl.NNC_Polyhedron(rest)
                        part.add_constraint(negated)
                        if not part.is_empty():
                            out.append(part)
                    rest.add_constraint(c)
                    if rest.is_empty():
                        break
            pieces = out
        return pieces

    @_in_ppl
    def includes(self, big, small) -> bool:
        return big.contains(small)

    # ------------------------------------------------------------ regions
    @_in_ppl
    def region(self, poly):
        """The params of poly (its clocks projected away)."""
        out = ppl.NNC_Polyhedron(poly)
        out.remove_higher_space_dimensions(self.n_params)
        return out

    def union_formula(self, regions: list) -> z3.BoolRef:
        """A union of param polyhedra as one Z3 formula, simplified first: pieces another
        contains go, and two pieces whose convex hull is exactly their union become that
        hull, so Z3 describes a few pieces, not one per violating state."""
        pieces: list = []
        for r in regions:
            if r.is_empty() or any(p.contains(r) for p in pieces):
                continue
            pieces = [p for p in pieces if not r.contains(p)]
            pieces.append(ppl.NNC_Polyhedron(r))
        merged = True
        while merged and len(pieces) > 1:
            merged = False
            for i in range(len(pieces)):
                for j in range(i + 1, len(pieces)):
                    hull = ppl.NNC_Polyhedron(pieces[i])
                    hull.upper_bound_assign(pieces[j])
                    if not self.minus(hull, [pieces[i], pieces[j]]):
                        pieces = [p for k, p in enumerate(pieces) if k not in (i, j)] + [hull]
                        merged = True
                        break
                if merged:
                    break
        return z3.Or(*[self.formula(r) for r in pieces]) if pieces else z3.BoolVal(False)

    def formula(self, poly) -> z3.BoolRef:
        """One param polyhedron as a conjunction over the params (Z3 reals)."""
        parts = []
        for c in poly.minimized_constraints():
            expr = z3.RealVal(int(c.inhomogeneous_term()))
            for d in range(self.n_params):
                k = int(c.coefficient(ppl.Variable(d)))
                if k:
                    expr = expr + k * self.space.reals[self.params[d].name]
            if c.is_equality():
                parts.append(expr == 0)
            elif c.is_strict_inequality():
                parts.append(expr > 0)
            else:
                parts.append(expr >= 0)
        return z3.And(*parts) if parts else z3.BoolVal(True)


def _negations(c) -> list:
    """The constraints whose union is the complement of c."""
    expr = ppl.Linear_Expression(c.inhomogeneous_term())
    for d in range(c.space_dimension()):
        k = c.coefficient(ppl.Variable(d))
        if k:
            expr += k * ppl.Variable(d)
    if c.is_equality():
        return [expr < 0, expr > 0]
    if c.is_strict_inequality():
        return [expr <= 0]
    return [expr < 0]
