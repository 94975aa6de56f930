"""Symmetry of replicated actors: which instances the model and its properties cannot tell
apart, so that a search may keep one state per orbit (the level engine's `symmetry`).

A replicated actor's instances are interchangeable when nothing depends on which index an
instance has, the condition of Ip and Dill's scalarsets, checked syntactically over every
handler, step, guard and invariant:

* an instance is named only through `self`, `sender`, a quantifier or `pick` over the actor,
  or `Other[index(x)]` where x is an instance of an actor of the same size, which couples the
  two actors: they are permuted together (HttpClient[i] always talks to Invocation[i]);
* `index(x)` is used only that way (as a number it could be compared, stored or computed);
* no variable, shared variable or message field holds an instance or a set of instances (its
  value would have to be permuted too);
* every channel of an instance joins it to a non-replicated actor, to an instance of another
  actor not in the class, or to the instance with the same index in a coupled actor, and every
  instance has the same channels.

Each class found is a set of coupled actors with a common count N; instance k's *block* is its
control states, variables and channels, listed in the same order for every k. Permuting the
blocks of a state gives a state the model cannot distinguish from it, so sorting the blocks is
a canonical form of the orbit. Actors that fail a condition are reported with the reason.
"""

from __future__ import annotations

import dataclasses

from checker import ir
from checker.compile import System
from checker.record import record


@record
class SymmetryClass:
    actors: tuple[str, ...]  # permuted together
    count: int
    # Per instance k, the state slots of its block; position i means the same in every block.
    blocks: tuple[tuple[int, ...], ...]

    @property
    def label(self) -> str:
        return "/".join(self.actors) + f" ({self.count} instances)"


@record
class Symmetry:
    classes: tuple[SymmetryClass, ...]
    refused: tuple[tuple[str, str], ...]  # (actor, why its instances are not interchangeable)


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, a: str) -> str:
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            a = self.parent[a]
        return a

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


class _Scan:
    """Walks every expression and statement, noting couplings and what breaks symmetry."""

    def __init__(self, model: ir.Model):
        self.model = model
        self.union = _Union()
        self.broken: dict[str, str] = {}

    def replicated(self, actor: str) -> bool:
        return self.model.actor(actor).count > 1

    def breaks(self, actor: str, why: str) -> None:
        if self.replicated(actor):
            self.broken.setdefault(actor, why)

    def expr(self, e: object) -> None:
        if isinstance(e, ir.Instance):
            target = e.type.actor
            inner = e.index
            if isinstance(inner, ir.IndexOf) and isinstance(inner.operand.type, ir.RefT):
                other = inner.operand.type.actor
                if self.model.actor(other).count != self.model.actor(target).count:
                    self.breaks(target, f"{target}[index(...)] of an actor of another size "
                                        f"at {e.span}")
                    self.breaks(other, f"index of it names {target} at {e.span}")
                self.union.join(target, other)
                self.expr(inner.operand)
                return
            self.breaks(target, f"an instance is named by number at {e.span}")
            self.expr(inner)
            return
        if isinstance(e, ir.IndexOf):
            t = e.operand.type
            if isinstance(t, ir.RefT):
                self.breaks(t.actor, f"index() used as a number at {e.span}")
            self.expr(e.operand)
            return
        if isinstance(e, (ir.Lit, ir.LocalVar, ir.SharedVar, ir.MsgField, ir.SelfRef,
                          ir.SenderRef, ir.Bound)):
            return
        for child in ir.children(e):
            self.field(child)

    def field(self, v: object) -> None:
        if isinstance(v, tuple):
            for x in v:
                self.field(x)
        elif dataclasses.is_dataclass(v) and not isinstance(v, (*_TYPES, ir.Lin)) \
                and type(v).__module__ == ir.__name__:
            self.expr(v)

    def variable(self, v: ir.Variable, where: str) -> None:
        t = v.type
        ref = t if isinstance(t, ir.RefT) else t.element if isinstance(t, ir.SetT) else None
        if isinstance(ref, ir.RefT):
            sep = "" if where.endswith(".") else " "
            self.breaks(ref.actor, f"{where}{sep}{v.name} holds instances of it ({v.span})")


_TYPES = (ir.BoolT, ir.IntT, ir.EnumT, ir.RefT, ir.SetT)


def find_symmetry(system: System) -> Symmetry:
    model, lay = system.model, system.layout
    scan = _Scan(model)
    for a in model.actors:
        for v in a.vars:
            scan.variable(v, f"variable {a.name}.")
        for item in (*a.handlers, *a.steps):
            scan.expr(item.guard)
            scan.field(item.body)
    for v in model.shared:
        scan.variable(v, "shared")
    for m in model.messages:
        for v in m.fields:
            scan.variable(v, f"message {m.name} field")
    for ci in system.invariants:
        scan.expr(ci.invariant.expr)
        scan.expr(ci.invariant.premise)
    members: dict[str, list[str]] = {}
    for a in model.actors:
        if a.count > 1:
            members.setdefault(scan.union.find(a.name), []).append(a.name)
    refused = dict(scan.broken)
    while True:  # a class dropped can make a neighbour's channels change shape: repeat
        classes = []
        for names in members.values():
            why = next((refused[n] for n in names if n in refused), None)
            blocks: tuple = ()
            if why is None:
                blocks, why = _blocks(model, lay, names)
            if why is not None:
                for n in names:
                    refused.setdefault(n, why)
                continue
            classes.append(SymmetryClass(tuple(names), model.actor(names[0]).count, blocks))
        owner = {a: c for c in classes for a in c.actors}
        clash = [(sl, owner[sl.sender], owner[sl.receiver]) for sl in lay.slots
                 if sl.sender in owner and sl.receiver in owner
                 and owner[sl.sender] is not owner[sl.receiver]]
        if not clash:
            return Symmetry(tuple(classes), tuple(sorted(refused.items())))
        sl, a, b = clash[0]
        for n in (*a.actors, *b.actors):
            refused.setdefault(n, f"a channel joins it to another symmetric actor "
                                  f"({sl.sender} -> {sl.receiver})")


def _blocks(model: ir.Model, lay, names: list[str]) -> tuple[tuple, str | None]:
    """Each instance's slots in a common order, or why the instances differ."""
    count = model.actor(names[0]).count
    inside = set(names)
    per: list[list[tuple]] = [[] for _ in range(count)]
    for a in names:
        for k in range(count):
            per[k].append(((0, a), lay.ctrl[a] + k))
            for v in model.actor(a).vars:
                per[k].append(((1, a, v.name), lay.vars[(a, v.name)] + k))
    for sl in lay.slots:
        s_in, r_in = sl.sender in inside, sl.receiver in inside
        if s_in and r_in:
            if sl.sender_instance != sl.receiver_instance:
                return (), (f"a channel joins {sl.sender}[{sl.sender_instance}] to "
                            f"{sl.receiver}[{sl.receiver_instance}]")
            per[sl.sender_instance].append(((2, sl.sender, sl.receiver, -1), sl.index))
        elif s_in:
            per[sl.sender_instance].append(((3, sl.sender, sl.receiver, sl.receiver_instance),
                                            sl.index))
        elif r_in:
            per[sl.receiver_instance].append(((4, sl.sender, sl.receiver, sl.sender_instance),
                                              sl.index))
    for k in range(count):
        per[k].sort()
    shapes = [tuple(key for key, _ in p) for p in per]
    if any(s != shapes[0] for s in shapes):
        return (), "its instances do not all have the same channels"
    return tuple(tuple(slot for _, slot in p) for p in per), None
