"""Transition groups: the successor function cut into one piece per (transition, instance,
channel read), each with the state slots it may read or write, for the level engine.

A group's outcome on a state (its successors, as new values of the slots it writes; the
failures it reports; the EvalError it raises) depends only on the values of its footprint, so
the level engine computes it once per distinct footprint value and reuses it. Invariants are
cut the same way into conjuncts (`and`, and `forall` over a small type, which the generator
unrolls), each with its own footprint.

Footprints over-approximate what the generated code touches, mirroring `checker.compile`
exactly: an instance index the generator resolves statically reads one slot, any other reads
every instance; a send reads and writes every channel it may append to. A node the walk does
not know makes the footprint the whole state (correct, only slower). The level engine checks
on every cache miss that a successor differs from its state only in the group's writes.
"""

from __future__ import annotations

from checker import ir
from checker.compile import (
    _PRELUDE,
    EvalError,
    System,
    _Gen,
    _transitions,
)
from checker.deadline import NO_DEADLINE, Deadline
from checker.record import record
from checker.source import Span


@record
class Group:
    rank: int  # position in the order the reference successor function generates successors
    tid: int
    instance: int
    slot: int  # the channel a handler reads; -1 for a step
    ctrl: int  # the slot of the instance's control state
    states: tuple[int, ...]  # the control states it is enabled in (empty: every state)
    footprint: tuple[int, ...]  # sorted slots its outcome depends on (its writes included)
    writes: tuple[int, ...]  # sorted slots it may change
    run: object  # (s, out, errs, fired) -> None, as System.successors for this group alone
    # It may report a failure (assert, range) or raise EvalError (index out of range,
    # division by zero): what partial-order reduction must not hide (checker.engines.por).
    may_fail: bool = True


@record
class Conjunct:
    invariant: int  # index in System.invariants
    footprint: tuple[int, ...]
    holds: object  # (s) -> bool; raises EvalError as the whole invariant would


@record
class Groups:
    groups: tuple[Group, ...]
    conjuncts: tuple[Conjunct, ...]  # every invariant's, in the order they are evaluated
    premises: tuple[Conjunct, ...]  # implication premises (vacuity), one per such invariant
    spans: tuple[Span, ...]  # the span table of the groups' code (failures index it)
    # The premises cut into disjuncts (`or`, and `exists` over a small type): what no group
    # changes, no group changes the premise of (partial-order reduction's visibility).
    disjuncts: tuple[Conjunct, ...] = ()


class _Unknown(Exception):
    """The walk met a node it does not model: the footprint is the whole state."""


class _Walk:
    def __init__(self, system: System, gen: _Gen):
        self.model, self.lay, self.gen = system.model, system.layout, gen

    def _instances(self, base: int, actor: str, ref: ir.Expr, env: dict, acc: set) -> None:
        count = self.model.actor(actor).count
        if count == 1:
            acc.add(base)
            return
        self.expr(ref, env, acc)
        code = self.gen.ex(ref, env)
        if code.isdigit():
            acc.add(base + int(code))
        else:
            acc.update(range(base, base + count))

    def expr(self, e: object, env: dict, acc: set) -> None:
        lay = self.lay
        if isinstance(e, ir.LocalVar):
            acc.add(lay.vars[(e.actor, e.name)] + env["self"])
        elif isinstance(e, ir.SharedVar):
            acc.add(lay.shared[e.name])
        elif isinstance(e, ir.RemoteVar):
            self._instances(lay.vars[(e.actor, e.name)], e.actor, e.ref, env, acc)
        elif isinstance(e, ir.At):
            self._instances(lay.ctrl[e.actor], e.actor, e.ref, env, acc)
        elif isinstance(e, ir.Pending):
            acc.update(sl.index for sl in lay.slots
                       if e.receiver_actor is None or sl.receiver == e.receiver_actor)
            if e.receiver is not None:
                self.expr(e.receiver, env, acc)
        elif isinstance(e, ir.Quant):
            self.expr(e.domain, env, acc)
            for bound in _bindings(e.var, e.domain, env):
                self.expr(e.body, bound, acc)
        elif isinstance(e, (ir.Lit, ir.MsgField, ir.SelfRef, ir.SenderRef, ir.Bound)):
            pass
        elif isinstance(e, (ir.Instance, ir.Unary, ir.Binary, ir.SetLit, ir.Size, ir.IndexOf,
                            ir.Domain)):
            for child in ir.children(e):
                self.expr_field(child, env, acc)
        else:
            raise _Unknown(type(e).__name__)

    def expr_field(self, v: object, env: dict, acc: set) -> None:
        if isinstance(v, tuple):
            for x in v:
                self.expr_field(x, env, acc)
        elif v is not None and not isinstance(v, (str, int, Span, *_TYPES)):
            self.expr(v, env, acc)

    def stmt(self, st: ir.Stmt, env: dict, acc: set, writes: set) -> None:
        lay, actor = self.lay, env["actor"]
        if isinstance(st, ir.Assign):
            self.expr(st.value, env, acc)
            slot = (lay.vars[(actor, st.name)] + env["self"] if st.scope == "local"
                    else lay.shared[st.name])
            writes.add(slot)
        elif isinstance(st, ir.Send):
            for a in st.args:
                self.expr(a, env, acc)
            targets = self._send_slots(st, env, acc)
            acc.update(targets)
            writes.update(targets)
        elif isinstance(st, ir.Goto):
            writes.add(lay.ctrl[actor] + env["self"])
        elif isinstance(st, ir.If):
            self.expr(st.cond, env, acc)
            for x in st.then + st.orelse:
                self.stmt(x, env, acc, writes)
        elif isinstance(st, ir.Assert):
            self.expr(st.cond, env, acc)
        elif isinstance(st, ir.Choose):
            for branch in st.branches:
                for x in branch:
                    self.stmt(x, env, acc, writes)
        elif isinstance(st, ir.Pick):
            self.expr(st.domain, env, acc)
            inner = dict(env, bound={**env["bound"], st.var: "b_"})
            for x in st.body:
                self.stmt(x, inner, acc, writes)
        else:
            raise _Unknown(type(st).__name__)

    def _send_slots(self, st: ir.Send, env: dict, acc: set) -> set[int]:
        table = self.lay.pairs[(env["actor"], st.receiver_actor)]
        me = env["self"]
        nr = self.model.actor(st.receiver_actor).count
        every = {table[(me, r)] for r in range(nr) if (me, r) in table}
        if st.target is None or nr == 1:
            return every
        self.expr(st.target, env, acc)
        code = self.gen.ex(st.target, env)
        if code.isdigit() and (me, int(code)) in table:
            return {table[(me, int(code))]}
        return every


_TYPES = (ir.BoolT, ir.IntT, ir.EnumT, ir.RefT, ir.SetT)


def _bindings(var: str, domain: ir.Domain, env: dict) -> list[dict]:
    """The environments a quantifier's body is generated in: one per value when the
    generator unrolls it (a type domain of at most 64 values), else one with a run-time name."""
    if domain.kind == "type" and ir.domain_size(domain.element) <= 64:
        return [dict(env, bound={**env["bound"], var: str(k)})
                for k in range(ir.domain_size(domain.element))]
    return [dict(env, bound={**env["bound"], var: "b_"})]


def _split(e: ir.Expr, env: dict) -> list[tuple[ir.Expr, dict]]:
    """An invariant as the conjuncts the generated code evaluates left to right."""
    if isinstance(e, ir.Binary) and e.op == "and":
        return _split(e.left, env) + _split(e.right, env)
    if isinstance(e, ir.Quant) and e.kind == "forall" and e.domain.kind == "type" \
            and ir.domain_size(e.domain.element) <= 64:
        return [part for bound in _bindings(e.var, e.domain, env) for part in _split(e.body, bound)]
    return [(e, env)]


def _split_or(e: ir.Expr, env: dict) -> list[tuple[ir.Expr, dict]]:
    if isinstance(e, ir.Binary) and e.op == "or":
        return _split_or(e.left, env) + _split_or(e.right, env)
    if isinstance(e, ir.Quant) and e.kind == "exists" and e.domain.kind == "type" \
            and ir.domain_size(e.domain.element) <= 64:
        return [part for bound in _bindings(e.var, e.domain, env)
                for part in _split_or(e.body, bound)]
    return [(e, env)]


def _footprint(walk: _Walk, size: int, fill) -> tuple[tuple[int, ...], tuple[int, ...]]:
    acc: set[int] = set()
    writes: set[int] = set()
    try:
        fill(acc, writes)
    except _Unknown:
        everything = tuple(range(size))
        return everything, everything
    return tuple(sorted(acc | writes)), tuple(sorted(writes))


def _plan(system: System) -> list[tuple]:
    """(tid, actor, instance, item, is_handler, slot, sender instance) of every group, in the
    order the reference successor function generates successors."""
    model, lay = system.model, system.layout
    _, generated = _transitions(model)
    plan: list[tuple] = []
    for actor in model.actors:
        items = [x for x in generated if x[1] is actor]
        for k in range(actor.count):
            for tid, _, item, is_handler in items:
                if not is_handler:
                    plan.append((tid, actor, k, item, False, -1, None))
                    continue
                for sender in item.senders:
                    table = lay.pairs[(sender, actor.name)]
                    for j in range(model.actor(sender).count):
                        if (j, k) in table:
                            plan.append((tid, actor, k, item, True, table[(j, k)], j))
    return plan


# How the generated code fails: a reported failure, or a helper of _PRELUDE that raises.
_FAILURE_MARKERS = ("errs.append", "raise ", "_inst(", "_div(", "_mod(")


def constant_writes(system: System) -> tuple[dict[int, frozenset | None], ...]:
    """Per group (in rank order): for each slot it may write, the values it may write there
    if they are constants (a `goto`, a literal assigned), else None. A slot that some path
    leaves alone keeps its value, which the caller must allow for too."""
    lay = system.layout
    out = []
    for _tid, actor, k, item, _is_handler, _slot, _sender in _plan(system):
        found: dict[int, frozenset | None] = {}

        def note(slot: int, value, found=found) -> None:
            have = found.get(slot, frozenset())
            found[slot] = None if value is None or have is None else have | {value}

        def walk(body, actor=actor, k=k, note=note) -> None:
            for st in body:
                if isinstance(st, ir.Assign):
                    slot = (lay.vars[(actor.name, st.name)] + k if st.scope == "local"
                            else lay.shared[st.name])
                    note(slot, st.value.value if isinstance(st.value, ir.Lit) else None)
                elif isinstance(st, ir.Goto):
                    note(lay.ctrl[actor.name] + k, st.state)
                elif isinstance(st, ir.If):
                    walk(st.then + st.orelse)
                elif isinstance(st, ir.Choose):
                    for branch in st.branches:
                        walk(branch)
                elif isinstance(st, ir.Pick):
                    walk(st.body)
                elif not isinstance(st, (ir.Send, ir.Assert)):
                    raise _Unknown(type(st).__name__)

        try:
            walk(item.body)
        except _Unknown:
            found = {slot: None for slot in range(lay.size)}
        out.append(found)
    return tuple(out)


def count_groups(system: System) -> int:
    """How many groups compile_groups makes, without compiling them."""
    return len(_plan(system))


def compile_groups(system: System, deadline: Deadline = NO_DEADLINE) -> Groups:
    model, lay = system.model, system.layout
    gen = _Gen(model, lay, deadline)
    walk = _Walk(system, gen)
    plan = _plan(system)
    code = [_PRELUDE]
    shapes = []
    for rank, (tid, actor, k, item, is_handler, slot, sender) in enumerate(plan):
        deadline.check("compiling the model")
        ctrl = lay.ctrl[actor.name] + k
        env = {"st": "s", "bound": {}, "actor": actor.name, "tid": tid, "self": k,
               "sender": sender, "slot": str(slot), "msg": "m" if is_handler else "None",
               "traced": False}

        def fill(acc: set, writes: set, item=item, env=env, ctrl=ctrl, slot=slot) -> None:
            acc.add(ctrl)
            if slot >= 0:
                acc.add(slot)
                writes.add(slot)
            if item.guard is not None:
                walk.expr(item.guard, env, acc)
            for st in item.body:
                walk.stmt(st, env, acc, writes)

        footprint, writes = _footprint(walk, lay.size, fill)
        states = tuple(sorted(item.states))
        code.append(f"def g_{rank}(s, out, errs, fired):")
        code.append(f"    if s[{ctrl}] in {states!r}:" if states else "    if True:")
        body = gen.transition(tid, actor, k, item, is_handler, "        ", False,
                              only_slot=slot if is_handler else None)
        code += body
        # User text never appears in generated code (it is in TEXTS), so these markers can
        # only be the generator's own failure paths.
        may_fail = any(marker in line for line in body for marker in _FAILURE_MARKERS)
        shapes.append((rank, tid, k, slot, ctrl, states, footprint, writes, may_fail))
    env = {"st": "s", "bound": {}, "actor": None, "tid": -1, "slot": "-1", "msg": "None",
           "self": None, "sender": None}
    conj_shapes, prem_shapes, disj_shapes = [], [], []
    for n, ci in enumerate(system.invariants):
        for expr, cenv in _split(ci.invariant.expr, env):
            code += [f"def c_{len(conj_shapes)}(s):", f"    return {gen.ex(expr, cenv)}"]
            conj_shapes.append((n, _footprint(walk, lay.size,
                                              lambda a, w, e=expr, v=cenv: walk.expr(e, v, a))[0]))
        if ci.invariant.premise is not None:
            code += [f"def p_{len(prem_shapes)}(s):",
                     f"    return {gen.ex(ci.invariant.premise, env)}"]
            prem_shapes.append((n, _footprint(
                walk, lay.size, lambda a, w, e=ci.invariant.premise: walk.expr(e, env, a))[0]))
            for expr, denv in _split_or(ci.invariant.premise, env):
                code += [f"def d_{len(disj_shapes)}(s):", f"    return {gen.ex(expr, denv)}"]
                disj_shapes.append((n, _footprint(
                    walk, lay.size, lambda a, w, e=expr, v=denv: walk.expr(e, v, a))[0]))
    namespace: dict = {"EvalError": EvalError, "SPANS": gen.spans, "TEXTS": tuple(gen.texts)}
    source = "\n".join(code) + "\n"
    exec(compile(source, f"<protocheck-groups:{model.name}>", "exec"), namespace)  # noqa: S102
    deadline.check("compiling the model")
    return Groups(
        groups=tuple(Group(rank, tid, k, slot, ctrl, states, fp, w, namespace[f"g_{rank}"], f)
                     for rank, tid, k, slot, ctrl, states, fp, w, f in shapes),
        conjuncts=tuple(Conjunct(n, fp, namespace[f"c_{i}"])
                        for i, (n, fp) in enumerate(conj_shapes)),
        premises=tuple(Conjunct(n, fp, namespace[f"p_{i}"])
                       for i, (n, fp) in enumerate(prem_shapes)),
        disjuncts=tuple(Conjunct(n, fp, namespace[f"d_{i}"])
                        for i, (n, fp) in enumerate(disj_shapes)),
        spans=tuple(gen.spans),
    )
