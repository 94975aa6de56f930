"""The symbol index: declarations (with the span of each name), the names that refer to them,
and how a reference resolves.

Names resolve as docs/language.md says: quantifier and `pick` variables, then the actor's own
variables, then the global names (which are unique: PC201), and by position where the grammar
fixes the kind (`goto S` and `in S` are states of the enclosing actor, `send M` a message,
`X.v` a variable of actor X, `msg.f` a field of the message being handled). Where the syntax
alone cannot tell (`r.v` for a reference `r` of unknown actor), every declaration of that name
is a candidate. `checker.lsp.walk` builds an index from the syntax trees.
"""

from __future__ import annotations

from dataclasses import field

from checker.dsl import ast
from checker.record import record
from checker.source import Span


@record
class Decl:
    kind: str  # actor, message, field, state, variable, shared, const, enum, member, param,
    #            timer, group, step, invariant, liveness, bound
    name: str
    span: Span  # of the name, where it is declared
    owner: str = ""  # the actor of a state, variable, timer or step; a field's message;
    #                  a member's enum
    node: object = field(default=None, compare=False)  # the AST declaration


@record
class Ref:
    name: str
    span: Span
    role: str  # expr, field, state, at, assign, timer, actor, message, type, const, param,
    #            model (a spec's model path)
    actor: str = ""  # the actor it is written in
    qualifier: str = ""  # `X` of `X.v` / `X at S` / `X[i].v`: a name, "self" or "msg"
    message: str = ""  # the message being handled, for `msg.f`
    bound: tuple[Decl, ...] = ()  # quantifier and pick variables in scope, innermost first


@record
class Index:
    decls: tuple[Decl, ...]
    refs: tuple[Ref, ...]
    sources: dict = field(default_factory=dict, compare=False)  # path -> Source indexed

    def at(self, path: str, line: int, column: int) -> Decl | Ref | None:
        """The declared name or the reference under a position (the innermost one)."""
        hits = [x for x in (*self.decls, *self.refs) if x.span.path == path
                and _contains(x.span, line, column)]
        return min(hits, key=lambda x: (x.span.end_line - x.span.line,
                                        x.span.end_column - x.span.column), default=None)

    def resolve(self, ref: Ref) -> tuple[Decl, ...]:
        return _resolve(self, ref)

    def named(self, kinds: tuple[str, ...], name: str, owner: str | None = None
              ) -> tuple[Decl, ...]:
        return tuple(d for d in self.decls if d.kind in kinds and d.name == name
                     and (owner is None or d.owner == owner))


def _contains(span: Span, line: int, column: int) -> bool:
    # The end is exclusive, but a cursor just after a name (where a click or a hover at the
    # word's end lands) still means that name.
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)


_GLOBAL = ("shared", "const", "member", "actor", "param", "message", "group", "enum")


def _resolve(index: Index, ref: Ref) -> tuple[Decl, ...]:
    name, role = ref.name, ref.role
    if role == "expr":
        bound = [d for d in ref.bound if d.name == name][:1]
        if bound:
            return tuple(bound)
        if name == "msg" and ref.message:
            return index.named(("message",), ref.message)
        return index.named(("variable",), name, ref.actor) if ref.actor and \
            index.named(("variable",), name, ref.actor) else index.named(_GLOBAL, name)
    if role == "assign":  # a constant or a member is assigned only in error (PC2xx): say what
        return index.named(("variable",), name, ref.actor) or index.named(_GLOBAL, name)
    if role in ("field", "at"):
        kind = "variable" if role == "field" else "state"
        if role == "field" and ref.qualifier == "msg":
            return index.named(("field",), name, ref.message)
        actor = _actor_of(index, ref)
        if actor:
            return index.named((kind,), name, actor)
        return index.named((kind, "field") if role == "field" else (kind,), name)
    if role in ("state", "timer"):
        return index.named((role,), name, ref.actor)
    kinds = {"actor": ("actor", "group"), "message": ("message",), "type": ("enum", "actor"),
             "const": ("const",), "param": ("param",), "model": ()}[role]
    return index.named(kinds, name)


def _actor_of(index: Index, ref: Ref) -> str:
    """The actor whose variable or state `X.v` / `X at S` names, if the syntax tells."""
    q = ref.qualifier
    if q == "self":
        return ref.actor
    bound = next((d for d in ref.bound if d.name == q), None)
    if bound is not None:
        q = _bound_domain(bound)
    return q if q and index.named(("actor",), q) else ""


def _bound_domain(d: Decl) -> str:
    """The name a bound variable ranges over (`forall i in Invocation`), if a plain name."""
    node = d.node
    domain = None
    if isinstance(node, (ast.Quant, ast.Pick)):
        domain = node.domain
    elif isinstance(node, ast.LivenessDecl):
        domain = next((dom for var, dom in node.foralls if var == d.name), None)
    if domain is not None and domain.high is None and isinstance(domain.low, ast.Name):
        return domain.low.name
    return ""
