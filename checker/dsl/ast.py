"""The untyped syntax tree: frozen dataclasses, each carrying the span it was parsed from.

Names are still plain strings here; ``checker.sema`` resolves them and assigns types.
"""

from __future__ import annotations

from checker.record import record
from checker.source import Span

# ---------------------------------------------------------------- expressions


@record
class Name:
    name: str
    span: Span


@record
class IntLit:
    value: int
    span: Span


@record
class BoolLit:
    value: bool
    span: Span


@record
class SelfRef:
    span: Span


@record
class SenderRef:
    span: Span


@record
class FieldAccess:
    target: Expr
    field: str
    span: Span
    field_span: Span


@record
class Index:
    target: Expr
    index: Expr
    span: Span


@record
class Call:
    func: str
    args: tuple[Expr, ...]
    span: Span


@record
class SetLit:
    elements: tuple[Expr, ...]
    span: Span


@record
class Unary:
    op: str  # "not" | "-"
    operand: Expr
    span: Span


@record
class Binary:
    op: str  # + - * / % == != < <= > >= and or implies in notin
    left: Expr
    right: Expr
    span: Span


@record
class AtState:
    target: Expr
    state: str
    span: Span
    state_span: Span


@record
class Domain:
    low: Expr
    high: Expr | None  # None: `low` is an actor, enum or set
    span: Span


@record
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


@record
class BoolType:
    span: Span


@record
class RangeType:
    low: Expr
    high: Expr
    span: Span


@record
class NamedType:
    name: str
    span: Span


@record
class SetType:
    element: str
    span: Span


TypeExpr = BoolType | RangeType | NamedType | SetType

# ---------------------------------------------------------------- statements


@record
class Assign:
    target: str
    value: Expr
    span: Span
    target_span: Span


@record
class SetUpdate:
    target: str
    method: str  # "add" | "remove"
    value: Expr
    span: Span
    target_span: Span


@record
class SendArg:
    field: str
    value: Expr
    span: Span


@record
class Send:
    message: str
    args: tuple[SendArg, ...]
    to_all: str | None  # actor name for `to all A`
    target: Expr | None
    span: Span
    message_span: Span


@record
class Goto:
    state: str
    span: Span


@record
class If:
    cond: Expr
    then: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    span: Span


@record
class Choose:
    branches: tuple[tuple[Stmt, ...], ...]
    span: Span


@record
class Pick:
    var: str
    domain: Domain
    body: tuple[Stmt, ...]
    span: Span


@record
class Assert:
    cond: Expr
    message: str | None
    span: Span


@record
class Skip:
    span: Span


@record
class StartTimer:
    timer: str
    span: Span


@record
class CancelTimer:
    timer: str
    span: Span


Stmt = Assign | SetUpdate | Send | Goto | If | Choose | Pick | Assert | Skip | StartTimer \
    | CancelTimer

# ---------------------------------------------------------------- declarations


@record
class ConstDecl:
    name: str
    type: TypeExpr | None
    value: Expr
    span: Span


@record
class EnumDecl:
    name: str
    members: tuple[str, ...]
    span: Span
    member_spans: tuple[Span, ...]


@record
class Field:
    name: str
    type: TypeExpr
    span: Span


@record
class MessageDecl:
    name: str
    fields: tuple[Field, ...]
    span: Span


@record
class SharedDecl:
    name: str
    type: TypeExpr
    init: Expr | None
    span: Span


@record
class ChannelDecl:
    sender: str | None  # None: `channel default`
    receiver: str | None
    capacity: Expr | None
    ordering: str | None  # "fifo" | "unordered"
    span: Span
    durable: bool = False


@record
class VarDecl:
    name: str
    type: TypeExpr
    init: Expr | None
    span: Span
    durable: bool = False


@record
class StateDecl:
    name: str
    initial: bool
    final: bool
    span: Span
    restart: bool = False  # where a restarted instance resumes


@record
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
    fairness: str = ""  # a checker.temporal.Mark name: "", "unfair", "fair weak", "fair strong"


@record
class Step:
    name: str
    states: tuple[str, ...]
    guard: Expr | None
    body: tuple[Stmt, ...]
    span: Span
    state_spans: tuple[Span, ...]
    after: tuple[Expr, Expr] | None = None  # `after lo..hi` / `within hi` (lo = 0)
    fairness: str = ""  # as in Handler


@record
class TimerDecl:
    name: str
    duration: Expr
    span: Span


@record
class TimeoutHandler:
    timer: str
    states: tuple[str, ...]
    guard: Expr | None
    body: tuple[Stmt, ...]
    span: Span
    state_spans: tuple[Span, ...]


@record
class RestartHandler:
    body: tuple[Stmt, ...]
    span: Span  # `on restart`


@record
class CrashHandler:
    crashed: str  # the actor whose crash it is told of
    states: tuple[str, ...]
    guard: Expr | None
    body: tuple[Stmt, ...]
    span: Span  # from `on` to the end of the actor's name
    crashed_span: Span
    state_spans: tuple[Span, ...]
    fairness: str = ""


@record
class SignalHandler:
    signal: str  # TERM
    states: tuple[str, ...]
    guard: Expr | None
    body: tuple[Stmt, ...]
    span: Span  # from `on` to the end of the signal's name
    signal_span: Span
    state_spans: tuple[Span, ...]
    after: tuple[Expr, Expr] | None = None
    fairness: str = ""


@record
class GroupDecl:
    name: str
    members: tuple[str, ...]
    member_spans: tuple[Span, ...]
    span: Span


@record
class ParamDecl:
    name: str
    kind: str  # "int" | "real" (anything else is reported by sema)
    low: Expr
    high: Expr
    span: Span


@record
class AssumeDecl:
    expr: Expr
    span: Span


@record
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
    restarts: tuple[RestartHandler, ...] = ()
    crash_handlers: tuple[CrashHandler, ...] = ()
    signal_handlers: tuple[SignalHandler, ...] = ()


@record
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
    groups: tuple[GroupDecl, ...] = ()


# ---------------------------------------------------------------- specs


@record
class InvariantDecl:
    name: str
    description: str | None
    expr: Expr
    span: Span


@record
class LivenessDecl:
    """`liveness NAME ["description"]: [forall v in D:]... BODY` as written."""

    name: str
    description: str | None
    form: str  # a checker.temporal.TemporalForm name
    p: Expr
    q: Expr | None  # leads_to: the response
    within: Expr | None  # `within d` (timed models)
    foralls: tuple[tuple[str, Domain], ...]  # the `forall v in D:` prefixes, outermost first
    span: Span  # the whole declaration
    body_span: Span  # the temporal formula after the ':'


@record
class SpecConst:
    name: str
    value: Expr
    span: Span


@record
class Instances:
    """`A` or `A[i]` in a fault clause."""

    actor: str
    index: Expr | None
    span: Span


@record
class FaultDecl:
    kind: str  # a checker.faults.FaultKind name
    target: Instances | None  # crash: the instances
    restart: bool
    message: str | None  # message faults: the message's name (None: `any`)
    message_span: Span | None
    sender: Instances | None
    receiver: Instances | None
    budget: Expr
    span: Span


@record
class TerminateDecl:
    target: str  # an actor or a group
    target_span: Span
    at: Expr | None
    grace: Expr | None
    span: Span


@record
class FaultsTotal:
    budget: Expr
    span: Span


@record
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
    liveness: tuple[LivenessDecl, ...] = ()
    fairness: tuple[str, bool] | None = None  # (level name, per actor), if the spec says
    fairness_span: Span | None = None
    faults: tuple[FaultDecl, ...] = ()
    faults_totals: tuple[FaultsTotal, ...] = ()  # `faults at most N` (one is allowed)
    terminates: tuple[TerminateDecl, ...] = ()
