"""The untyped syntax tree: frozen dataclasses, each carrying the span it was parsed from.

Names are still plain strings here; ``checker.sema`` resolves them and assigns types.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.source import Span

# ---------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Name:
    name: str
    span: Span


@dataclass(frozen=True)
class IntLit:
    value: int
    span: Span


@dataclass(frozen=True)
class BoolLit:
    value: bool
    span: Span


@dataclass(frozen=True)
class SelfRef:
    span: Span


@dataclass(frozen=True)
class SenderRef:
    span: Span


@dataclass(frozen=True)
class FieldAccess:
    target: Expr
    field: str
    span: Span
    field_span: Span


@dataclass(frozen=True)
class Index:
    target: Expr
    index: Expr
    span: Span


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class SetLit:
    elements: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class Unary:
    op: str  # "not" | "-"
    operand: Expr
    span: Span


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / % == != < <= > >= and or implies in notin
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True)
class AtState:
    target: Expr
    state: str
    span: Span
    state_span: Span


@dataclass(frozen=True)
class Domain:
    low: Expr
    high: Expr | None  # None: `low` is an actor, enum or set
    span: Span


@dataclass(frozen=True)
class Quant:
    kind: str  # "forall" | "exists"
    var: str
    domain: Domain
    body: Expr
    span: Span


Expr = (
    Name | IntLit | BoolLit | SelfRef | SenderRef | FieldAccess | Index | Call | SetLit
    | Unary | Binary | AtState | Quant
)

# ---------------------------------------------------------------- types


@dataclass(frozen=True)
class BoolType:
    span: Span


@dataclass(frozen=True)
class RangeType:
    low: Expr
    high: Expr
    span: Span


@dataclass(frozen=True)
class NamedType:
    name: str
    span: Span


@dataclass(frozen=True)
class SetType:
    element: str
    span: Span


TypeExpr = BoolType | RangeType | NamedType | SetType

# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Assign:
    target: str
    value: Expr
    span: Span
    target_span: Span


@dataclass(frozen=True)
class SetUpdate:
    target: str
    method: str  # "add" | "remove"
    value: Expr
    span: Span
    target_span: Span


@dataclass(frozen=True)
class SendArg:
    field: str
    value: Expr
    span: Span


@dataclass(frozen=True)
class Send:
    message: str
    args: tuple[SendArg, ...]
    to_all: str | None  # actor name for `to all A`
    target: Expr | None
    span: Span
    message_span: Span


@dataclass(frozen=True)
class Goto:
    state: str
    span: Span


@dataclass(frozen=True)
class If:
    cond: Expr
    then: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    span: Span


@dataclass(frozen=True)
class Choose:
    branches: tuple[tuple[Stmt, ...], ...]
    span: Span


@dataclass(frozen=True)
class Pick:
    var: str
    domain: Domain
    body: tuple[Stmt, ...]
    span: Span


@dataclass(frozen=True)
class Assert:
    cond: Expr
    message: str | None
    span: Span


@dataclass(frozen=True)
class Skip:
    span: Span


@dataclass(frozen=True)
class StartTimer:
    timer: str
    span: Span


@dataclass(frozen=True)
class CancelTimer:
    timer: str
    span: Span


Stmt = Assign | SetUpdate | Send | Goto | If | Choose | Pick | Assert | Skip | StartTimer \
    | CancelTimer

# ---------------------------------------------------------------- declarations


@dataclass(frozen=True)
class ConstDecl:
    name: str
    type: TypeExpr | None
    value: Expr
    span: Span


@dataclass(frozen=True)
class EnumDecl:
    name: str
    members: tuple[str, ...]
    span: Span
    member_spans: tuple[Span, ...]


@dataclass(frozen=True)
class Field:
    name: str
    type: TypeExpr
    span: Span


@dataclass(frozen=True)
class MessageDecl:
    name: str
    fields: tuple[Field, ...]
    span: Span


@dataclass(frozen=True)
class SharedDecl:
    name: str
    type: TypeExpr
    init: Expr | None
    span: Span


@dataclass(frozen=True)
class ChannelDecl:
    sender: str | None  # None: `channel default`
    receiver: str | None
    capacity: Expr | None
    ordering: str | None  # "fifo" | "unordered"
    span: Span


@dataclass(frozen=True)
class VarDecl:
    name: str
    type: TypeExpr
    init: Expr | None
    span: Span


@dataclass(frozen=True)
class StateDecl:
    name: str
    initial: bool
    final: bool
    span: Span


@dataclass(frozen=True)
class Handler:
    message: str
    sender: str | None
    states: tuple[str, ...]
    guard: Expr | None
    body: tuple[Stmt, ...]
    span: Span  # the header: from `on` to the end of the message name
    sender_span: Span | None
    state_spans: tuple[Span, ...]
    after: tuple[Expr, Expr] | None = None  # `after lo..hi` / `within hi` (lo = 0)


@dataclass(frozen=True)
class Step:
    name: str
    states: tuple[str, ...]
    guard: Expr | None
    body: tuple[Stmt, ...]
    span: Span
    state_spans: tuple[Span, ...]
    after: tuple[Expr, Expr] | None = None  # `after lo..hi` / `within hi` (lo = 0)


@dataclass(frozen=True)
class TimerDecl:
    name: str
    duration: Expr
    span: Span


@dataclass(frozen=True)
class TimeoutHandler:
    timer: str
    states: tuple[str, ...]
    guard: Expr | None
    body: tuple[Stmt, ...]
    span: Span
    state_spans: tuple[Span, ...]


@dataclass(frozen=True)
class ParamDecl:
    name: str
    kind: str  # "int" | "real" (anything else is reported by sema)
    low: Expr
    high: Expr
    span: Span


@dataclass(frozen=True)
class AssumeDecl:
    expr: Expr
    span: Span


@dataclass(frozen=True)
class ActorDecl:
    name: str
    count: Expr | None
    vars: tuple[VarDecl, ...]
    states: tuple[StateDecl, ...]
    handlers: tuple[Handler, ...]
    steps: tuple[Step, ...]
    span: Span
    timers: tuple[TimerDecl, ...] = ()
    timeouts: tuple[TimeoutHandler, ...] = ()


@dataclass(frozen=True)
class Model:
    name: str
    consts: tuple[ConstDecl, ...]
    enums: tuple[EnumDecl, ...]
    messages: tuple[MessageDecl, ...]
    shared: tuple[SharedDecl, ...]
    channels: tuple[ChannelDecl, ...]
    actors: tuple[ActorDecl, ...]
    path: str
    span: Span
    params: tuple[ParamDecl, ...] = ()
    assumes: tuple[AssumeDecl, ...] = ()


# ---------------------------------------------------------------- specs


@dataclass(frozen=True)
class InvariantDecl:
    name: str
    description: str | None
    expr: Expr
    span: Span


@dataclass(frozen=True)
class SpecConst:
    name: str
    value: Expr
    span: Span


@dataclass(frozen=True)
class Spec:
    name: str
    model_path: str | None
    model_span: Span | None
    consts: tuple[SpecConst, ...]
    invariants: tuple[InvariantDecl, ...]
    expect: str | None
    expect_span: Span | None
    deadlock: bool
    max_states: int | None
    max_depth: int | None
    search: str
    path: str
    span: Span
    params: tuple[SpecConst, ...] = ()
