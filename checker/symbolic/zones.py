"""Z3 plumbing for the timed engine: the parameter space, linear terms, entailment, witnesses
(`model_of`), describing regions in the fewest atoms, and printing constraints the way a user
writes them.

The default zones are polyhedra (checker/symbolic/polyhedra.py); the first engine's zones,
kept behind `zones="z3"` to cross-check them, are Z3 formulas over the params (as reals;
integrality is added where satisfiability is decided) and the ages of the clocks that matter
in their discrete state, projected with quantifier elimination (`eliminate`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import z3

from checker import ir
from checker.symbolic.errors import SolverGaveUp


def rat(x: Fraction | int) -> z3.ArithRef:
    x = Fraction(x)
    return z3.RealVal(f"{x.numerator}/{x.denominator}")


@dataclass
class ParamSpace:
    """The params of a model, their ranges and assumptions, and one incremental solver."""

    model: ir.Model
    reals: dict[str, z3.ArithRef] = field(default_factory=dict)
    ints: dict[str, z3.ArithRef] = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)  # param -> the value the spec fixes
    base: z3.BoolRef = None
    solver: z3.Solver = None
    z3_seconds: float = 0.0
    z3_calls: int = 0
    _qe: z3.Tactic = None
    _simp: z3.Tactic = None

    def __post_init__(self) -> None:
        self.fixed = dict(self.model.fixed_params)
        parts = []
        for p in self.model.params:
            r = z3.Real(p.name)
            self.reals[p.name] = r
            parts += [r >= p.lo, r <= p.hi]
            if p.kind == "int":
                i = z3.Int(f"{p.name}!int")
                self.ints[p.name] = i
                parts.append(r == z3.ToReal(i))
        for a in self.model.assumes:
            parts.append(compare(self.lin(a.left), a.op, self.lin(a.right)))
        for name, value in self.model.fixed_params:  # so that witnesses show the value
            parts.append(self.reals[name] == rat(value))
        self.base = z3.And(*parts) if parts else z3.BoolVal(True)
        self.solver = z3.Solver()
        self.solver.add(self.base)
        self._qe = z3.Then(z3.Tactic("qe"), z3.Tactic("simplify"))
        self._simp = z3.Then(z3.Tactic("simplify"), z3.Tactic("ctx-solver-simplify"))

    def lin(self, e: ir.Lin) -> z3.ArithRef:
        # A param the spec fixes is its value, so regions never mention it.
        term = rat(e.const)
        for name, c in e.terms:
            term = term + rat(c) * (rat(self.fixed[name]) if name in self.fixed
                                    else self.reals[name])
        return term

    def sat(self, f: z3.BoolRef) -> bool:
        """Satisfiable for some params in their ranges (integral where declared `int`)?"""
        start = time.perf_counter()
        self.solver.push()
        self.solver.add(f)
        try:
            result = self._check()
        finally:
            self.solver.pop()
            self.z3_seconds += time.perf_counter() - start
            self.z3_calls += 1
        return result == z3.sat

    def _check(self) -> z3.CheckSatResult:
        result = self.solver.check()
        if result == z3.unknown:
            _gave_up(self.solver.reason_unknown())
        return result

    def model_of(self, f: z3.BoolRef):
        """A canonical solution of f: each `int` param as small as possible, in declaration
        order, then whatever the rest needs. Solved in a fresh Z3 context, because the model
        Z3 picks depends on every term created before (one spec's witness must not change
        with the specs checked before it in the same run). Returns an evaluator of terms over
        the main context, or None if f is unsatisfiable."""
        start = time.perf_counter()
        ctx = z3.Context()
        opt = z3.Optimize(ctx=ctx)
        opt.add(self.base.translate(ctx))
        opt.add(f.translate(ctx))
        self._smallest_ints(opt, ctx)
        return self._solve(opt, ctx, start)

    def _smallest_ints(self, opt: z3.Optimize, ctx: z3.Context) -> None:
        for p in self.model.params:
            if p.name in self.ints:
                opt.minimize(self.ints[p.name].translate(ctx))

    def _solve(self, opt: z3.Optimize, ctx: z3.Context, start: float):
        """An evaluator of main-context terms in opt's model, or None if it has none."""
        try:
            result = opt.check()
            if result == z3.unknown:
                _gave_up(opt.reason_unknown())
        finally:
            self.z3_seconds += time.perf_counter() - start
            self.z3_calls += 1
        if result != z3.sat:
            return None
        m = opt.model()
        return lambda term: m.eval(term.translate(ctx), model_completion=True)

    def inner_model_of(self, cons: list, plain: list = (), settle: list = ()):
        """A solution of `cons` and `plain` that tells a story, or None if they have none.

        An all-minimum solution sits on the region's boundary (`gil_delay = 0`, every step at
        t=0), where a reader cannot see the race unfold. So each inequality of `cons` gets a
        slack in [0, SLACK] whose sum is maximized first: the point is strictly inside the
        region where it can be, a unit away from the boundaries it does not have to touch;
        then the same for each free param's range. Then, as `model_of`, each `int` param is
        as small as possible in declaration order, and last the sum of `settle` (the steps'
        delays: a step waits only as long as the constraints make it). Solved in a fresh Z3
        context, so the answer depends only on the input. Returns an evaluator of terms over
        the main context."""
        start = time.perf_counter()
        ctx = z3.Context()
        opt = z3.Optimize(ctx=ctx)
        opt.add(self.base.translate(ctx))
        inside, ranges = [], []
        for c in plain:
            opt.add(c.translate(ctx))
        for c in cons:
            opt.add(c.translate(ctx))
            gap = _gap(c)
            if gap is not None:
                inside.append(gap.translate(ctx))
        for p in self.model.params:
            if p.name not in self.fixed:
                r = self.reals[p.name]
                ranges += [(r - p.lo).translate(ctx), (p.hi - r).translate(ctx)]
        # The region first: a unit into it counts more than a unit away from a range's end
        # (with one sum, `d >= 3` in 0..4 tied d = 3, on the region's edge, with d = 4).
        for name, gaps in (("inside", inside), ("range", ranges)):
            room = []
            for i, gap in enumerate(gaps):
                s = z3.Real(f"slack!{name}{i}", ctx)
                opt.add(s >= 0, s <= SLACK, s <= gap)
                room.append(s)
            if room:
                opt.maximize(z3.Sum(room))
        self._smallest_ints(opt, ctx)
        if settle:
            opt.minimize(z3.Sum([d.translate(ctx) for d in settle]))
        value = self._solve(opt, ctx, start)
        if value is None:
            return None
        # A supremum the optimizer approaches but cannot reach still leaves a model; check it
        # satisfies every constraint rather than trust that it does.
        if not all(z3.is_true(value(c)) for c in list(plain) + list(cons)):
            return self.model_of(z3.And(*cons, *plain))
        return value

    def eliminate(self, variables: list, f: z3.BoolRef) -> z3.BoolRef:
        """Exists variables . f, without quantifiers (Z3's `qe`: virtual substitution, which
        may answer with a disjunction even for a convex zone)."""
        if not variables:
            return f
        start = time.perf_counter()
        try:
            goals = self._qe(z3.Exists(variables, f))
        except z3.Z3Exception as err:
            _gave_up(str(err))
        self.z3_seconds += time.perf_counter() - start
        self.z3_calls += 1
        return _goals_formula(goals)

    def simplify(self, f: z3.BoolRef) -> z3.BoolRef:
        start = time.perf_counter()
        try:
            goals = self._simp(z3.And(f, self._ranges()))
        except z3.Z3Exception as err:
            _gave_up(str(err))
        self.z3_seconds += time.perf_counter() - start
        return _goals_formula(goals)

    def _ranges(self) -> z3.BoolRef:
        parts = []
        for p in self.model.params:
            r = self.reals[p.name]
            parts += [r >= p.lo, r <= p.hi]
        return z3.And(*parts) if parts else z3.BoolVal(True)

    def entails(self, a: z3.BoolRef, b: z3.BoolRef) -> bool:
        """a implies b (for every param valuation allowed by the base constraint)."""
        return not self.sat(z3.And(a, z3.Not(b)))


SLACK = 1  # how far inside its region a witness goes, in the params' units, where it can


def _gap(c):
    """How far inside the inequality c is, as a term that is >= 0 where c holds (None for an
    equality or anything but a comparison)."""
    if not (z3.is_app(c) and c.num_args() == 2 and z3.is_arith(c.arg(0))):
        return None
    k = c.decl().kind()
    if k in (z3.Z3_OP_LE, z3.Z3_OP_LT):
        return c.arg(1) - c.arg(0)
    if k in (z3.Z3_OP_GE, z3.Z3_OP_GT):
        return c.arg(0) - c.arg(1)
    return None


def _gave_up(reason: str):
    # Z3 traps SIGINT while it runs and reports it as `canceled`: that is the user's Ctrl-C.
    if "cancel" in reason or "interrupt" in reason:
        raise KeyboardInterrupt
    raise SolverGaveUp(f"Z3 could not decide a timing constraint ({reason})")


def _goals_formula(goals) -> z3.BoolRef:
    disjuncts = []
    for g in goals:
        disjuncts.append(z3.And(*g) if len(g) else z3.BoolVal(True))
    if not disjuncts:
        return z3.BoolVal(False)
    return disjuncts[0] if len(disjuncts) == 1 else z3.Or(*disjuncts)


def compare(a, op: str, b):
    return {"<": a < b, "<=": a <= b, "==": a == b, ">=": a >= b, ">": a > b}[op]


# ---------------------------------------------------------------- printing

_OPS = {z3.Z3_OP_LE: "<=", z3.Z3_OP_GE: ">=", z3.Z3_OP_LT: "<", z3.Z3_OP_GT: ">",
        z3.Z3_OP_EQ: "=="}
_NEG = {"<=": ">", ">=": "<", "<": ">=", ">": "<=", "==": "!="}


def _num(v) -> str:
    if z3.is_rational_value(v):
        f = Fraction(v.numerator_as_long(), v.denominator_as_long())
        return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
    if z3.is_int_value(v):
        return str(v.as_long())
    return None


def _term(e) -> str:
    n = _num(e)
    if n is not None:
        return n
    if z3.is_const(e):
        return str(e)
    k = e.decl().kind()
    if k == z3.Z3_OP_ADD:
        out = _term(e.arg(0))
        for a in e.children()[1:]:
            t = _term(a)
            out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
        return out
    if k == z3.Z3_OP_MUL:
        a, b = e.arg(0), e.arg(1)
        na = _num(a)
        if na == "-1":
            return "-" + _term(b)
        return f"{na}*{_term(b)}" if na is not None else f"{_term(a)}*{_term(b)}"
    if k == z3.Z3_OP_SUB:
        return f"{_term(e.arg(0))} - {_term(e.arg(1))}"
    if k == z3.Z3_OP_UMINUS:
        return "-" + _term(e.arg(0))
    if k == z3.Z3_OP_TO_REAL:
        return _term(e.arg(0))
    return str(e)


def _linear(e) -> tuple[dict, Fraction] | None:
    """e as ({variable name: coefficient}, constant), if linear."""
    n = _num(e)
    if n is not None:
        return {}, Fraction(n)
    if z3.is_const(e):
        return {str(e): Fraction(1)}, Fraction(0)
    k = e.decl().kind()
    if k == z3.Z3_OP_TO_REAL:
        return _linear(e.arg(0))
    if k in (z3.Z3_OP_ADD, z3.Z3_OP_SUB):
        terms, const = {}, Fraction(0)
        for i, c in enumerate(e.children()):
            sub = _linear(c)
            if sub is None:
                return None
            sign = -1 if (k == z3.Z3_OP_SUB and i > 0) else 1
            for v, x in sub[0].items():
                terms[v] = terms.get(v, 0) + sign * x
            const += sign * sub[1]
        return terms, const
    if k == z3.Z3_OP_UMINUS:
        sub = _linear(e.arg(0))
        return None if sub is None else ({v: -x for v, x in sub[0].items()}, -sub[1])
    if k == z3.Z3_OP_MUL and e.num_args() == 2:
        a, b = _linear(e.arg(0)), _linear(e.arg(1))
        if a is None or b is None:
            return None
        if not a[0]:
            return {v: a[1] * x for v, x in b[0].items()}, a[1] * b[1]
        if not b[0]:
            return {v: b[1] * x for v, x in a[0].items()}, b[1] * a[1]
    if k == z3.Z3_OP_DIV and e.num_args() == 2:
        a, d = _linear(e.arg(0)), _num(e.arg(1))
        if a is not None and d is not None and Fraction(d) != 0:
            d = Fraction(d)
            return {v: x / d for v, x in a[0].items()}, a[1] / d
    return None


def _side(terms: list[tuple[str, Fraction]], const: Fraction) -> str:
    def num(x: Fraction) -> str:
        return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"

    text = " + ".join(v if c == 1 else f"{num(c)}*{v}" for v, c in terms)
    if not text:
        return num(const)
    if const > 0:
        return f"{text} + {num(const)}"
    if const < 0:
        return f"{text} - {num(-const)}"
    return text


def _normalised(terms: dict, const: Fraction) -> tuple[dict, Fraction]:
    """Scale `terms op const` so the coefficients are coprime integers: Z3's projections
    produce `2*grace > 2*cleanup` where a reader expects `cleanup < grace`."""
    coeffs = [Fraction(c) for c in terms.values() if c != 0]
    if not coeffs:
        return terms, const
    lcm = math.lcm(*(c.denominator for c in coeffs))
    g = math.gcd(*(int(c * lcm) for c in coeffs))
    scale = Fraction(lcm, g)
    return {v: c * scale for v, c in terms.items()}, const * scale


def _atom(e, negate: bool = False, order: dict | None = None) -> str:
    op = _OPS[e.decl().kind()]
    if negate:
        op = _NEG[op]
    lhs, rhs = _linear(e.arg(0)), _linear(e.arg(1))
    if lhs is not None and rhs is not None:
        # lhs - rhs op 0, written with every coefficient positive and the first declared
        # param on the left, whatever form Z3 or the projection produced: `grace <= cleanup`.
        terms = dict(lhs[0])
        for v, x in rhs[0].items():
            terms[v] = terms.get(v, 0) - x
        const = lhs[1] - rhs[1]
        terms, const = _normalised(terms, const)
        pos = sorted((v, c) for v, c in terms.items() if c > 0)
        neg = sorted((v, -c) for v, c in terms.items() if c < 0)
        rank = order or {}
        first = min(terms, key=lambda v: (rank.get(v, len(rank)), v)) if terms else None
        if first is not None and terms[first] < 0:
            flip = {"<=": ">=", ">=": "<=", "<": ">", ">": "<", "==": "==", "!=": "!="}
            pos, neg, const, op = neg, pos, -const, flip[op]
        return f"{_side(pos, Fraction(0))} {op} {_side(neg, -const)}"
    left, right = _term(e.arg(0)), _term(e.arg(1))
    # Prefer `param <= 10` to `10 >= param`.
    if _num(e.arg(0)) is not None and _num(e.arg(1)) is None:
        flip = {"<=": ">=", ">=": "<=", "<": ">", ">": "<", "==": "==", "!=": "!="}
        left, right, op = right, left, flip[op]
    return f"{left} {op} {right}"


def pretty(e, top: bool = True, order: dict | None = None) -> str:
    """A constraint as a user would write it: `cleanup <= 9`, `grace > gil_delay or ...`;
    `order` ranks the params (declaration order) to choose which side each goes on."""
    if z3.is_true(e):
        return "true"
    if z3.is_false(e):
        return "false"
    k = e.decl().kind()
    if k == z3.Z3_OP_AND:
        parts = [pretty(a, False, order) for a in e.children()]
        text = " and ".join(parts)
        return text if top else f"({text})"
    if k == z3.Z3_OP_OR:
        parts = [pretty(a, False, order) for a in e.children()]
        text = " or ".join(parts)
        return text if top else f"({text})"
    if k == z3.Z3_OP_NOT:
        inner = e.arg(0)
        if inner.decl().kind() in _OPS:
            return _atom(inner, negate=True, order=order)
        return f"not {pretty(inner, False, order)}"
    if k in _OPS:
        return _atom(e, order=order)
    return str(e)


# ---------------------------------------------------------------- readable regions

def _atoms(e, out: list, seen: set | None = None) -> None:
    # Z3 shares subterms (hash-consing): equal ids are equal terms, and a term already walked
    # need not be walked again, which keeps large disjunctions linear.
    seen = set() if seen is None else seen
    key = e.get_id()
    if key in seen:
        return
    seen.add(key)
    if z3.is_app(e) and e.decl().kind() == z3.Z3_OP_EQ and z3.is_arith(e.arg(0)):
        # An equality (a polyhedron pinned to a point) is two bounds: the param ranges may
        # imply one of them, so `cleanup == 30` within 0..30 reads `cleanup >= 30`.
        out += [e.arg(0) <= e.arg(1), e.arg(0) >= e.arg(1)]
        return
    if z3.is_app(e) and e.decl().kind() in _OPS and z3.is_arith(e.arg(0)):
        out.append(e)
        return
    if z3.is_app(e):
        for c in e.children():
            _atoms(c, out, seen)


def _convex_cover(space: ParamSpace, region, candidates: list):
    """If `region` is convex (within the param ranges), the few atoms that define it."""
    implied = [a for a in candidates if space.entails(region, a)]
    hull = z3.And(*implied) if implied else z3.BoolVal(True)
    if not space.entails(hull, region):
        return None
    # Drop atoms the ranges already imply, then atoms implied by the others.
    kept = [a for a in implied if not space.entails(z3.BoolVal(True), a)]
    for a in list(kept):
        others = [b for b in kept if not b.eq(a)]
        if space.entails(z3.And(*others) if others else z3.BoolVal(True), a):
            kept = others
    return kept


def _pieces(f) -> list:
    """The disjuncts of f in disjunctive normal form (Z3 splits the clauses)."""
    tactic = z3.Then(z3.Tactic("simplify"), z3.Tactic("nnf"),
                     z3.Repeat(z3.OrElse(z3.Tactic("split-clause"), z3.Tactic("skip"))))
    out = []
    for g in tactic(f):
        out.append(z3.And(*g) if len(g) else z3.BoolVal(True))
    return out


def describe(space: ParamSpace, region) -> str:
    """A region of the param space (within ranges and assumptions) in the fewest atoms we can
    find: `true` (every valuation), `false` (none), one convex piece, or pieces joined by `or`.
    Equivalence with `region` is checked with Z3, never assumed."""
    order = {p.name: i for i, p in enumerate(space.model.params)}
    if not space.sat(region):
        return "false"
    if space.entails(z3.BoolVal(True), region):
        return "true"

    def text_of(atoms: list) -> str:
        return " and ".join(pretty(a, False, order) for a in atoms) or "true"

    candidates: list = []
    _atoms(region, candidates)
    candidates += [z3.Not(a) for a in list(candidates)]
    kept = _convex_cover(space, region, candidates)
    if kept is not None:
        return text_of(kept)
    pieces = []
    for p in _pieces(region):
        if not space.sat(p):
            continue
        cover = _convex_cover(space, p, candidates)
        atoms = cover if cover is not None else [p]
        pieces.append((p, atoms, text_of(atoms)))
    # Z3's simplify orders the disjuncts by term ids, which depend on every term the process
    # made before (another spec checked first changed the wording): a fixed order, fewest
    # atoms first, then by text.
    pieces.sort(key=lambda x: (len(x[1]), x[2]))
    # Drop pieces contained in the others.
    result = []
    for i, (p, atoms, text) in enumerate(pieces):
        others = [q for j, (q, _, _) in enumerate(pieces) if j != i and (j < i or
                  not space.entails(q, p))]
        if others and space.entails(p, z3.Or(*others)):
            continue
        result.append((atoms, text))
    texts = [t for _, t in result]
    text = " or ".join(f"({t})" if " and " in t and len(texts) > 1 else t for t in texts)
    rebuilt = z3.Or(*[z3.And(*a) if a else z3.BoolVal(True) for a, _ in result])
    assert space.entails(rebuilt, region) and space.entails(region, rebuilt)
    return text
