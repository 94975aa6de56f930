"""Names: the symbol tables, the scope an expression is read in, and what a name refers to.

Owns the global namespace (one kind per name: a second declaration is PC201), the tables the
declaration pass fills (`Symbols`), the local `Scope` of an expression (which actor, which
handled message and sender, which pick/quantifier variables are bound), and every lookup
that reports an unknown name with a did-you-mean hint (PC203-PC214). The order in which a
bare name is tried is the contract documented in docs/language.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from checker import ir
from checker.diagnostics import did_you_mean
from checker.dsl import ast
from checker.sema.context import Context
from checker.source import Span


@dataclass
class Scope:
    """Where an expression is read: the names it may see beyond the global ones."""

    actor: str | None = None
    message: str | None = None  # the message an `on` handler handles
    sender: ir.RefT | None = None
    sender_problem: str = ""  # why `sender` has no type, when it has none
    bound: dict[str, ir.Type] = field(default_factory=dict)
    in_spec: bool = False  # set for invariants; nothing reads it yet
    const_only: bool = False

    def with_bound(self, name: str, t: ir.Type) -> Scope:
        return replace(self, bound={**self.bound, name: t})


@dataclass
class ActorInfo:
    decl: ast.ActorDecl
    count: int
    vars: dict[str, ir.Variable]
    states: list[str]


@dataclass
class Symbols:
    """Everything the model declares, by name, as the declaration pass resolved it."""

    kinds: dict[str, str] = field(default_factory=dict)  # global name -> what it was declared as
    consts: dict[str, tuple[object, ir.Type]] = field(default_factory=dict)
    enums: dict[str, ir.EnumT] = field(default_factory=dict)
    members: dict[str, tuple[ir.EnumT, int]] = field(default_factory=dict)
    messages: dict[str, ir.Message] = field(default_factory=dict)
    shared: dict[str, ir.Variable] = field(default_factory=dict)
    actors: dict[str, ActorInfo] = field(default_factory=dict)
    params: dict[str, ir.Param] = field(default_factory=dict)
    timers: dict[str, dict[str, ir.Lin]] = field(default_factory=dict)  # actor -> timer -> duration

    def ref(self, actor: str) -> ir.RefT:
        return ir.RefT(actor, self.actors[actor].count)

    def visible(self, scope: Scope) -> set[str]:
        """The names an expression in `scope` could have meant (for did-you-mean)."""
        names = set(scope.bound) | set(self.consts) | set(self.members)
        if not scope.const_only:
            names |= set(self.shared) | set(self.actors)
            if scope.actor:
                names |= set(self.actors[scope.actor].vars)
            if scope.message:
                names.add("msg")
        return names


@dataclass(eq=False)
class Names:
    """Declaring global names and looking names up, reporting what is unknown."""

    ctx: Context
    syms: Symbols

    def declare(self, name: str, kind: str, span: Span) -> bool:
        if name in self.syms.kinds:
            self.ctx.error("PC201", f"'{name}' is already declared as {self.syms.kinds[name]}",
                           span)
            return False
        self.syms.kinds[name] = kind
        return True

    def resolve(self, e: ast.Name, scope: Scope) -> ir.Expr | None:
        """A bare name: bound variable, own variable, shared, constant, enum member, actor."""
        n, syms = e.name, self.syms
        if n in scope.bound:
            return ir.Bound(n, scope.bound[n], e.span)
        if not scope.const_only:
            if n == "msg" and scope.message is not None:
                self.ctx.error("PC309", "'msg' is a message; read one of its fields, as in "
                               "msg.field", e.span)
                return None
            var = self._variable(e, scope)
            if var is not None:
                return var
        if n in syms.consts:
            value, t = syms.consts[n]
            return ir.Lit(value, t, e.span)
        if n in syms.params:
            self.ctx.error("PC331", f"'{n}' is a timing parameter: it can only appear in timer "
                           "durations, 'after'/'within' bounds and 'assume'", e.span)
            return None
        if n in syms.members:
            enum, idx = syms.members[n]
            return ir.Lit(idx, enum, e.span)
        if n in syms.actors:
            return self._actor_name(e, scope)
        self._unknown(e, scope)
        return None

    def _variable(self, e: ast.Name, scope: Scope) -> ir.Expr | None:
        """This instance's variable or a shared one; None (and no report) when neither."""
        n = e.name
        if scope.actor and n in self.syms.actors[scope.actor].vars:
            v = self.syms.actors[scope.actor].vars[n]
            return ir.LocalVar(scope.actor, n, v.type, e.span)
        if n in self.syms.shared:
            return ir.SharedVar(n, self.syms.shared[n].type, e.span)
        return None

    def _unknown(self, e: ast.Name, scope: Scope) -> None:
        n, syms = e.name, self.syms
        if scope.const_only and (n in syms.shared
                                 or any(n in a.vars for a in syms.actors.values())):
            self.ctx.error("PC301", f"'{n}' is a variable; only constants may appear here",
                           e.span)
            return
        self.ctx.error("PC204", f"unknown name '{n}'", e.span,
                       did_you_mean(n, syms.visible(scope)))

    def _actor_name(self, e: ast.Name, scope: Scope) -> ir.Expr | None:
        """A single actor's name stands for its one instance."""
        n = e.name
        if scope.const_only:
            self.ctx.error("PC301", f"actor '{n}' cannot appear in a constant expression",
                           e.span)
            return None
        if self.syms.actors[n].decl.count is not None:
            self.ctx.error("PC310", f"'{n}' is replicated; name one instance, as in {n}[0]",
                           e.span)
            return None
        return ir.Lit(0, ir.RefT(n, 1), e.span)

    def target(self, name: str, span: Span, scope: Scope) -> tuple[str, ir.Variable] | None:
        """The variable an assignment writes: ("local" | "shared", variable)."""
        if name in scope.bound:
            self.ctx.error("PC320", f"'{name}' is bound by pick/forall and cannot be assigned",
                           span)
            return None
        info = self.syms.actors[scope.actor]
        if name in info.vars:
            return "local", info.vars[name]
        if name in self.syms.shared:
            return "shared", self.syms.shared[name]
        if name in self.syms.consts:
            self.ctx.error("PC320", f"'{name}' is a constant and cannot be assigned", span)
            return None
        self.ctx.error("PC210", f"unknown variable '{name}'", span,
                       did_you_mean(name, set(info.vars) | set(self.syms.shared)))
        return None

    def message(self, name: str, span: Span) -> ir.Message | None:
        if name not in self.syms.messages:
            self.ctx.error("PC207", f"unknown message '{name}'", span,
                           did_you_mean(name, set(self.syms.messages)))
            return None
        return self.syms.messages[name]

    def field(self, msg: ir.Message, name: str, span: Span) -> tuple[int, ir.Variable] | None:
        """A field of a message and its position."""
        for i, f in enumerate(msg.fields):
            if f.name == name:
                return i, f
        self.ctx.error("PC205", f"message {msg.name} has no field '{name}'", span,
                       did_you_mean(name, {f.name for f in msg.fields}))
        return None

    def actor(self, name: str, span: Span, where: str = "") -> bool:
        if name not in self.syms.actors:
            self.ctx.error("PC213", f"unknown actor '{name}'{where}", span,
                           did_you_mean(name, set(self.syms.actors)))
            return False
        return True

    def state(self, info: ActorInfo, name: str, span: Span) -> int | None:
        """The index of a control state of an actor."""
        if name not in info.states:
            self.ctx.error("PC209", f"actor {info.decl.name} has no state '{name}'", span,
                           did_you_mean(name, set(info.states)))
            return None
        return info.states.index(name)

    def states(self, info: ActorInfo, names: tuple[str, ...],
               spans: tuple[Span, ...]) -> tuple[int, ...]:
        """The known ones among the states an `in S1, S2` list names."""
        found = (self.state(info, n, sp) for n, sp in zip(names, spans))
        return tuple(i for i in found if i is not None)

    def timer(self, actor: str, name: str, span: Span) -> bool:
        timers = self.syms.timers.get(actor, {})
        if name not in timers:
            self.ctx.error("PC214", f"actor {actor} has no timer '{name}'", span,
                           did_you_mean(name, set(timers)))
            return False
        return True
