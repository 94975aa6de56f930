"""Declarations: the model's top-level names and their types, values and members.

Owns the declaration pass, which fills `scope.Symbols` before any body is read (so a body may
use a name declared below it): enums and their members, constants (with a spec's overrides
applied and checked against the declared type), params, actors (instance count, control
states), messages and their fields, shared variables, each actor's variables and timers, and
the model's `assume` declarations. Also owns the declared types these are written with
(`bool`, `lo..hi`, `set<E>`, enum and actor names; `int` is rejected: PC305).

Each kind of declaration is one method; `check.py` calls them in a fixed order (enums,
constants, params, actors, messages, shared variables, actor members), and each kind may use
only the kinds declared before it (constants may use one another in any order: they are
evaluated in dependency order). A declaration whose name clashes (PC201) is dropped, so
later passes see the first one only.
"""

from __future__ import annotations

import dataclasses
import heapq
from dataclasses import dataclass

from checker import ir
from checker.diagnostics import did_you_mean
from checker.dsl import ast
from checker.faults import DOWN_NAME, SIGNALS
from checker.sema.consts import Constants, default_value
from checker.sema.context import Context
from checker.sema.scope import ActorInfo, Names, Symbols
from checker.source import Span

MAX_INSTANCES = 1000  # per replicated actor


def _kind(t: ir.Type) -> str:
    """A constant's type as a user thinks of it: `int`, not the singleton range `5..5`."""
    return "int" if isinstance(t, ir.IntT) else str(t)


@dataclass(eq=False)
class Declarations:
    """The declaration pass, one method per kind of declaration; its fields are what it uses."""

    ctx: Context
    syms: Symbols
    names: Names
    consts: Constants

    # ------------------------------------------------------------ declared types
    def type_of(self, t: ast.TypeExpr) -> ir.Type | None:
        if isinstance(t, ast.BoolType):
            return ir.BoolT()
        if isinstance(t, ast.RangeType):
            return self._range_type(t)
        if isinstance(t, ast.NamedType):
            return self._named_type(t)
        if isinstance(t, ast.SetType):
            if t.element in self.syms.enums:
                return ir.SetT(self.syms.enums[t.element])
            if t.element in self.syms.actors:
                return ir.SetT(self.syms.ref(t.element))
            self.ctx.error("PC202", f"unknown set element type '{t.element}' (sets hold enum "
                           "values or actor instances)", t.span,
                           did_you_mean(t.element, set(self.syms.enums) | set(self.syms.actors)))
            return None
        raise AssertionError(t)

    def _range_type(self, t: ast.RangeType) -> ir.Type | None:
        lo = self.consts.integer(t.low, "a range bound")
        hi = self.consts.integer(t.high, "a range bound")
        if lo is None or hi is None:
            return None
        if lo > hi:
            self.ctx.error("PC304", f"empty range {lo}..{hi}: the low bound exceeds the high",
                           t.span)
            return None
        return ir.IntT(lo, hi)

    def _named_type(self, t: ast.NamedType) -> ir.Type | None:
        if t.name in self.syms.enums:
            return self.syms.enums[t.name]
        if t.name in self.syms.actors:
            return self.syms.ref(t.name)
        if t.name == "int":
            self.ctx.error("PC305", "integers must be bounded: write a range such as 0..5",
                           t.span)
            return None
        self.ctx.error("PC202", f"unknown type '{t.name}'", t.span,
                       did_you_mean(t.name, set(self.syms.enums) | set(self.syms.actors)
                                    | {"bool"}))
        return None

    # ------------------------------------------------------------ enums and constants
    def enums(self, m: ast.Model) -> None:
        for e in m.enums:
            if not self.names.declare(e.name, "an enum", e.span):
                continue
            members: list[str] = []
            for name, span in zip(e.members, e.member_spans):
                if name in members:
                    self.ctx.error("PC201", f"enum member '{name}' is listed twice", span)
                    continue
                if self.names.declare(name, f"a member of enum {e.name}", span):
                    members.append(name)
            t = ir.EnumT(e.name, tuple(members))
            self.syms.enums[e.name] = t
            for i, name in enumerate(members):
                self.syms.members[name] = (t, i)

    def constants(self, m: ast.Model, overrides: dict[str, ast.SpecConst]) -> None:
        """Constants may use one another in any order; each is evaluated after the ones it
        uses, and constants defined in terms of each other are PC215."""
        decls = [c for c in m.consts if self.names.declare(c.name, "a constant", c.span)]
        for c in _dependency_order(decls, overrides, self._cyclic):
            value = self._const(c, overrides.get(c.name))
            # None leaves the name declared but valueless (a spec override of the wrong type).
            if value is not None:
                self.syms.consts[c.name] = value

    def _cyclic(self, cycle: list[ast.ConstDecl]) -> None:
        chain = ", ".join(f"{a.name} uses {b.name}" for a, b in zip(cycle, (*cycle[1:], cycle[0])))
        self.ctx.error("PC215", f"constant {cycle[0].name} is defined in terms of itself: "
                       f"{chain}", cycle[0].value.span,
                       "give one of them a value that does not use the others")
        for c in cycle:
            self.syms.consts[c.name] = (0, ir.IntT())  # keep the names: no cascade of errors

    def _const(self, c: ast.ConstDecl,
               override: ast.SpecConst | None) -> tuple[object, ir.Type] | None:
        expr = override.value if override is not None else c.value
        r = self.consts.eval(expr, f"constant {c.name}")
        if r is None:
            return 0, ir.IntT()  # keep the name: no cascade of errors
        value, t = r
        if c.type is not None:
            where = override.span if override is not None else c.value.span
            return self._typed_const(c, value, t, where)
        if override is not None:  # the spec may change a constant's value, not its type
            orig = self.consts.eval(c.value, f"constant {c.name}")
            if orig is not None and not ir.compatible(orig[1], t):
                self.ctx.error("PC306", f"type mismatch: constant {c.name} is "
                               f"{_kind(orig[1])} in the model but the spec sets it to "
                               f"{_kind(t)}", override.span)
                return None
        if isinstance(t, ir.IntT):
            return value, ir.IntT(value, value)
        return value, t

    def _typed_const(self, c: ast.ConstDecl, value: object, t: ir.Type,
                     where: Span) -> tuple[object, ir.Type]:
        declared = self.type_of(c.type)
        if declared is None:
            return value, t
        # On a mismatch the constant still gets its declared type, so its uses type-check.
        if not ir.compatible(declared, t):
            self.ctx.error("PC306", f"type mismatch: constant {c.name} is {declared} but "
                           f"its value is {t}", where)
            return default_value(declared), declared
        if isinstance(declared, ir.IntT) and not (declared.lo <= value <= declared.hi):
            self.ctx.error("PC401", f"constant {c.name} = {value} is outside its declared "
                           f"range {declared}", where)
            return declared.lo, declared
        return value, declared

    # ------------------------------------------------------------ params
    def params(self, m: ast.Model) -> None:
        for p in m.params:
            if self.names.declare(p.name, "a param", p.span):
                param = self._param(p)
                if param is not None:
                    self.syms.params[p.name] = param

    def _param(self, p: ast.ParamDecl) -> ir.Param | None:
        if p.kind not in ("int", "real"):
            self.ctx.error("PC332", f"a param is 'int' or 'real', not '{p.kind}'", p.span)
            return None
        lo = self.consts.integer(p.low, "a param bound")
        hi = self.consts.integer(p.high, "a param bound")
        if lo is None or hi is None:
            return None
        if lo > hi or lo < 0:
            self.ctx.error("PC304", f"param range {lo}..{hi} must be non-empty and "
                           "non-negative", p.span)
            return None
        return ir.Param(p.name, p.kind, lo, hi, p.span)

    # ------------------------------------------------------------ actors and messages
    def actors(self, m: ast.Model) -> None:
        """Names, instance counts and control states; variables come later (`members`)."""
        for a in m.actors:
            if not self.names.declare(a.name, "an actor", a.span):
                continue
            count = self._count(a)
            states: list[str] = []
            for st in a.states:
                if st.name == DOWN_NAME:
                    self.ctx.error("PC201", f"state '{DOWN_NAME}' is reserved: it is what a "
                                   "crashed instance's state reads as", st.span,
                                   "name the state differently, e.g. 'Stopped'")
                elif st.name in states:
                    self.ctx.error("PC201", f"state '{st.name}' is declared twice in {a.name}",
                                   st.span)
                else:
                    states.append(st.name)
            self.syms.actors[a.name] = ActorInfo(a, count, {}, states)

    def _count(self, a: ast.ActorDecl) -> int:
        if a.count is None:
            return 1
        n = self.consts.integer(a.count, f"the instance count of {a.name}")
        if n is None:
            return 1
        if n < 1:
            self.ctx.error("PC403", f"actor {a.name} needs at least one instance, found {n}",
                           a.count.span)
            return 1
        if n > MAX_INSTANCES:
            # Each instance is unrolled into the generated code and its channels: refuse at
            # once instead of compiling for minutes and running out of memory.
            self.ctx.error("PC336", f"actor {a.name} has {n:,} instances, more than the limit "
                           f"of {MAX_INSTANCES:,}", a.count.span,
                           "model a few instances: races show up with 2 or 3")
            return 1
        return n

    def groups(self, m: ast.Model) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """`group G { A, B }`: actors a spec's `terminate` signals and kills as one."""
        out = []
        for g in m.groups:
            if not self.names.declare(g.name, "a group", g.span):
                continue
            members: list[str] = []
            for name, span in zip(g.members, g.member_spans):
                if not self.names.actor(name, span, f" in group {g.name}"):
                    continue
                if name in members:
                    self.ctx.error("PC201", f"actor {name} is listed twice in group {g.name}",
                                   span)
                    continue
                members.append(name)
            out.append((g.name, tuple(members)))
        return tuple(out)

    def declared_actors(self, m: ast.Model) -> list[ast.ActorDecl]:
        """The actor declarations that own their name (not a second one of the same name)."""
        return [a for a in m.actors
                if (info := self.syms.actors.get(a.name)) is not None and info.decl is a]

    def messages(self, m: ast.Model) -> None:
        for msg in m.messages:
            if not self.names.declare(msg.name, "a message", msg.span):
                continue
            fields = []
            seen = set()
            for f in msg.fields:
                if f.name in seen:
                    self.ctx.error("PC201", f"field '{f.name}' is declared twice in {msg.name}",
                                   f.span)
                    continue
                seen.add(f.name)
                t = self.type_of(f.type)
                if t is not None:
                    fields.append(ir.Variable(f.name, t, None, f.span))
            self.syms.messages[msg.name] = ir.Message(msg.name, tuple(fields), msg.span)

    # ------------------------------------------------------------ variables and timers
    def shared(self, m: ast.Model) -> None:
        for sh in m.shared:
            if not self.names.declare(sh.name, "a shared variable", sh.span):
                continue
            t = self.type_of(sh.type)
            if t is None:
                continue
            init = self.consts.initial(t, sh.init, f"shared variable '{sh.name}'")
            if init is not None:
                self.syms.shared[sh.name] = ir.Variable(sh.name, t, init, sh.span)

    def members(self, a: ast.ActorDecl) -> None:
        """An actor's variables, then its timers (each timer is also a hidden variable)."""
        info = self.syms.actors[a.name]
        for v in a.vars:
            var = self._var(a, info, v)
            if var is not None:
                info.vars[v.name] = var
        timers: dict[str, ir.Lin] = {}
        for t in a.timers:
            if t.name in timers:
                self.ctx.error("PC201", f"timer '{t.name}' is declared twice in {a.name}",
                               t.span)
                continue
            d = self.consts.lin(t.duration, "a timer duration")
            if d is not None:
                timers[t.name] = d
                info.vars[ir.timer_var(t.name)] = ir.Variable(ir.timer_var(t.name),
                                                              ir.TIMER_T, 0, t.span)
        self.syms.timers[a.name] = timers
        for sh in a.signal_handlers:
            if sh.signal not in SIGNALS:
                self.ctx.error("PC208", f"unknown signal '{sh.signal}'", sh.signal_span,
                               f"the signals a spec's terminate sends: {', '.join(SIGNALS)}")
            elif ir.signal_var(sh.signal) not in info.vars:
                info.vars[ir.signal_var(sh.signal)] = ir.Variable(
                    ir.signal_var(sh.signal), ir.BoolT(), False, sh.span)
        for ch in a.crash_handlers:
            # The notices of crashes not yet handled: a set of the crashed actor's instances.
            if self.names.actor(ch.crashed, ch.crashed_span) and \
                    ir.crash_var(ch.crashed) not in info.vars:
                info.vars[ir.crash_var(ch.crashed)] = ir.Variable(
                    ir.crash_var(ch.crashed), ir.SetT(self.syms.ref(ch.crashed)), 0, ch.span)

    def _var(self, a: ast.ActorDecl, info: ActorInfo, v: ast.VarDecl) -> ir.Variable | None:
        if v.name in info.vars:
            self.ctx.error("PC201", f"variable '{v.name}' is declared twice in {a.name}",
                           v.span)
            return None
        if v.name in self.syms.shared:
            self.ctx.error("PC201", f"variable '{v.name}' in {a.name} hides the shared "
                           f"variable of the same name", v.span)
            return None
        t = self.type_of(v.type)
        if t is None:
            return None
        init = self.consts.initial(t, v.init, f"'{a.name}.{v.name}'")
        if init is None:
            return None
        return ir.Variable(v.name, t, init, v.span, v.durable)

    # ------------------------------------------------------------ assumptions
    def assumptions(self, m: ast.Model) -> list[ir.Assumption]:
        out: list[ir.Assumption] = []
        for asm in m.assumes:
            self._assumption(asm.expr, out)
        return out

    def _assumption(self, e: ast.Expr, out: list[ir.Assumption]) -> None:
        """One `assume`: comparisons of linear expressions joined by 'and', one per entry."""
        if isinstance(e, ast.Binary) and e.op == "and":
            self._assumption(e.left, out)
            self._assumption(e.right, out)
            return
        if not (isinstance(e, ast.Binary) and e.op in ("<", "<=", "==", ">=", ">")):
            self.ctx.error("PC333", "an assumption must be comparisons between linear "
                           "expressions over params, joined by 'and'", e.span)
            return
        left = self.consts.lin(e.left, "an assumption")
        right = self.consts.lin(e.right, "an assumption")
        if left is not None and right is not None:
            out.append(ir.Assumption(left, e.op, right, self.ctx.text(e.span), e.span))


def _names_in(node: object) -> set[str]:
    """Every name an AST expression mentions (iteratively: its depth comes from the user)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, ast.Name):
            out.add(x.name)
        elif dataclasses.is_dataclass(x) and not isinstance(x, type):
            stack.extend(getattr(x, f.name) for f in dataclasses.fields(x))
        elif isinstance(x, (tuple, list)):
            stack.extend(x)
    return out


def _dependency_order(decls: list[ast.ConstDecl], overrides: dict[str, ast.SpecConst],
                      on_cycle) -> list[ast.ConstDecl]:
    """The constants in an order where each comes after those it uses, declaration order
    where that is free; each cycle goes to `on_cycle` (its members are then taken as known)."""
    index = {c.name: k for k, c in enumerate(decls)}
    uses: dict[str, set[str]] = {}
    for c in decls:
        exprs = [c.value] + ([overrides[c.name].value] if c.name in overrides else [])
        uses[c.name] = {n for e in exprs for n in _names_in(e) if n in index}
    users: dict[str, list[str]] = {c.name: [] for c in decls}
    for name, used in uses.items():
        for n in used:
            users[n].append(name)
    waiting = {name: len(used) for name, used in uses.items()}
    ready = [k for k, c in enumerate(decls) if waiting[c.name] == 0]
    heapq.heapify(ready)
    order: list[ast.ConstDecl] = []
    done: set[str] = set()

    def finish(name: str) -> None:
        done.add(name)
        for u in users[name]:
            waiting[u] -= 1
            if waiting[u] == 0 and u not in done:
                heapq.heappush(ready, index[u])

    while len(done) < len(decls):
        if not ready:  # everything left waits on a cycle
            cycle = _a_cycle(decls, uses, done, index)
            on_cycle(cycle)
            for c in cycle:
                finish(c.name)
            continue
        c = decls[heapq.heappop(ready)]
        if c.name not in done:
            order.append(c)
            finish(c.name)
    return order


def _a_cycle(decls, uses, done, index) -> list[ast.ConstDecl]:
    """A cycle among the constants not yet done (every one of them waits for another)."""
    start = next(c for c in decls if c.name not in done)
    path, seen = [start.name], {start.name: 0}
    while True:
        nxt = min((n for n in uses[path[-1]] if n not in done), key=index.__getitem__)
        if nxt in seen:
            return [decls[index[n]] for n in path[seen[nxt]:]]
        seen[nxt] = len(path)
        path.append(nxt)
