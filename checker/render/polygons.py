"""Exact plane geometry for region plots: half-planes, convex polygons clipped out of a box
(Sutherland-Hodgman), set difference of convex pieces, areas and point tests, all in Fraction
arithmetic (no float ever decides what is inside).

A `HalfPlane` is `a*x + b*y + c >= 0`, or `> 0` when strict. A `Piece` is a convex set: the
half-planes that define it (inside a box that is implicit) and the vertices of its closure,
counter-clockwise from the smallest. The closure is what is drawn; strictness decides only
which points are in (a lattice point on a strict boundary is out) and whether a piece is
empty (`x > 5 and x < 5` is, though its closure is the segment `x = 5`). A piece of zero area
(a segment or a point) is a real set of points and is kept.
"""

from __future__ import annotations

import math
from fractions import Fraction

from checker.record import record

Point = tuple[Fraction, Fraction]


@record
class HalfPlane:
    a: Fraction
    b: Fraction
    c: Fraction
    strict: bool = False

    def value(self, p: Point) -> Fraction:
        return self.a * p[0] + self.b * p[1] + self.c

    def holds(self, p: Point) -> bool:
        v = self.value(p)
        return v > 0 if self.strict else v >= 0

    def negated(self) -> HalfPlane:
        return HalfPlane(-self.a, -self.b, -self.c, not self.strict)

    def line(self) -> tuple[Fraction, Fraction, Fraction]:
        """The boundary line, scaled so that two half-planes on one line give the same key."""
        a, b, c = normalised(self.a, self.b, self.c)
        if a < 0 or (a == 0 and b < 0):
            a, b, c = -a, -b, -c
        return a, b, c

    def holds_near(self, p: Point, d: Point) -> bool:
        """Whether p + t*d satisfies it for every small enough t > 0."""
        v = self.value(p)
        if v != 0:
            return v > 0
        s = self.a * d[0] + self.b * d[1]
        return s > 0 if s != 0 else not self.strict


def normalised(a: Fraction, b: Fraction, c: Fraction) -> tuple[Fraction, Fraction, Fraction]:
    """(a, b, c) scaled by a positive number so that a and b are coprime integers."""
    coeffs = [Fraction(x) for x in (a, b) if x != 0]
    if not coeffs:
        return Fraction(a), Fraction(b), Fraction(c)
    lcm = math.lcm(*(x.denominator for x in coeffs))
    g = math.gcd(*(int(x * lcm) for x in coeffs))
    k = Fraction(lcm, g)
    return Fraction(a) * k, Fraction(b) * k, Fraction(c) * k


def canonical(h: HalfPlane) -> HalfPlane:
    a, b, c = normalised(h.a, h.b, h.c)
    return HalfPlane(a, b, c, h.strict)


@record
class Piece:
    halfplanes: tuple[HalfPlane, ...]
    vertices: tuple[Point, ...]

    def contains(self, p: Point) -> bool:
        """p is in the set (the box is the caller's to check)."""
        return all(h.holds(p) for h in self.halfplanes)

    def contains_near(self, p: Point, d: Point) -> bool:
        return all(h.holds_near(p, d) for h in self.halfplanes)

    @property
    def area(self) -> Fraction:
        return area(self.vertices)


def box_polygon(x: tuple[Fraction, Fraction], y: tuple[Fraction, Fraction]
                ) -> tuple[Point, ...]:
    (x0, x1), (y0, y1) = x, y
    return _tidy([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


def box_halfplanes(x: tuple[Fraction, Fraction], y: tuple[Fraction, Fraction]
                   ) -> tuple[HalfPlane, ...]:
    one, zero = Fraction(1), Fraction(0)
    return (HalfPlane(one, zero, -x[0]), HalfPlane(-one, zero, x[1]),
            HalfPlane(zero, one, -y[0]), HalfPlane(zero, -one, y[1]))


def clip(poly: tuple[Point, ...], h: HalfPlane) -> tuple[Point, ...]:
    """The convex polygon cut by the closed half-plane (Sutherland-Hodgman, one edge)."""
    out: list[Point] = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        vp, vq = h.value(p), h.value(q)
        if vp >= 0:
            out.append(p)
        if (vp > 0 > vq) or (vp < 0 < vq):
            t = vp / (vp - vq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return _tidy(out)


def _cross(o: Point, a: Point, b: Point) -> Fraction:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _tidy(points: list[Point]) -> tuple[Point, ...]:
    """Drop repeated and collinear vertices; start at the smallest; a zero-area polygon becomes
    its two extreme points (a segment) or one point."""
    pts: list[Point] = []
    for p in points:
        if not pts or pts[-1] != p:
            pts.append(p)
    while len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    if len(pts) >= 3 and area(tuple(pts)) == 0:
        pts = [min(pts), max(pts)]
    changed = len(pts) >= 3
    while changed and len(pts) >= 3:
        changed = False
        for i in range(len(pts)):
            if _cross(pts[i - 1], pts[i], pts[(i + 1) % len(pts)]) == 0:
                del pts[i]
                changed = True
                break
    if not pts:
        return ()
    k = pts.index(min(pts))
    return tuple(pts[k:] + pts[:k])


def area(poly: tuple[Point, ...]) -> Fraction:
    """The area of a convex polygon given counter-clockwise (shoelace)."""
    n = len(poly)
    twice = sum((poly[i][0] * poly[(i + 1) % n][1] - poly[(i + 1) % n][0] * poly[i][1]
                 for i in range(n)), Fraction(0))
    return abs(twice) / 2


def centroid(poly: tuple[Point, ...]) -> Point:
    """The mean of the vertices: inside the polygon's relative interior."""
    n = len(poly)
    return (sum((p[0] for p in poly), Fraction(0)) / n, sum((p[1] for p in poly), Fraction(0)) / n)


def cut(box: tuple[Point, ...], halfplanes: tuple[HalfPlane, ...]) -> Piece | None:
    """The set of points of the box that satisfy every half-plane, or None if it is empty."""
    poly = box
    for h in halfplanes:
        poly = clip(poly, h)
        if not poly:
            return None
    piece = Piece(tuple(halfplanes), poly)
    return piece if piece.contains(centroid(poly)) else None


def meet(piece: Piece, h: HalfPlane) -> Piece | None:
    if h in piece.halfplanes:
        return piece
    poly = clip(piece.vertices, h)
    if not poly:
        return None
    out = Piece(piece.halfplanes + (h,), poly)
    return out if out.contains(centroid(poly)) else None


def minus(piece: Piece, hole: Piece) -> list[Piece]:
    """piece minus hole, as disjoint convex pieces: for each half-plane h_i of the hole, the
    part of the piece inside h_1..h_(i-1) and outside h_i."""
    out: list[Piece] = []
    rest: Piece | None = piece
    for h in hole.halfplanes:
        outside = meet(rest, h.negated())
        if outside is not None:
            out.append(outside)
        rest = meet(rest, h)
        if rest is None:
            return out
    return out  # what is left of `rest` is inside the hole


def subtract(pieces: list[Piece], hole: Piece) -> list[Piece]:
    out: list[Piece] = []
    for p in pieces:
        out += minus(p, hole)
    return out


def disjoint_union(pieces: list[Piece]) -> list[Piece]:
    """The same set as disjoint pieces: each piece minus the ones before it."""
    out: list[Piece] = []
    for p in pieces:
        rest = [p]
        for q in out:
            rest = subtract(rest, q)
        out += rest
    return out


def within(inner: Piece, outer: Piece) -> bool:
    """inner is a subset of outer: every vertex of inner's closure satisfies each half-plane
    of outer, strictly where it is strict (exact for closed pieces, cautious otherwise)."""
    return all(h.holds(v) for h in outer.halfplanes for v in inner.vertices)


def line_in_box(line: HalfPlane, x: tuple[Fraction, Fraction], y: tuple[Fraction, Fraction]
                ) -> tuple[Point, Point] | None:
    """Where the line a*x + b*y + c = 0 crosses the box: the ends of the segment, in order
    along the direction (-b, a), or None if it misses the box or only touches a corner."""
    poly = box_polygon(x, y)
    on = clip(clip(poly, line), HalfPlane(-line.a, -line.b, -line.c))
    if len(on) < 2:
        return None
    d = (-line.b, line.a)
    ends = sorted(on, key=lambda p: p[0] * d[0] + p[1] * d[1])
    return ends[0], ends[-1]
