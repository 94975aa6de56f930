"""The typed, resolved, immutable IR that semantic checking produces and the compiler consumes.

Every name is resolved (a local, a shared variable, a message field, an instance...), every
expression carries its type, and constants are folded to values. Runtime values are Python
ints/bools: bool -> bool, bounded int -> int, enum -> member index, actor reference -> instance
index, set -> bitmask over the element domain.
"""

from __future__ import annotations

import dataclasses
from dataclasses import field
from fractions import Fraction

from checker.faults import DOWN_NAME, FaultKind
from checker.record import record
from checker.source import Span
from checker.temporal import DEFAULT_FAIRNESS, DEFAULT_MARK, Fairness, Mark, TemporalForm

# ---------------------------------------------------------------- types


@record
class BoolT:
    def __str__(self) -> str:
        return "bool"


@record
class IntT:
    lo: int | None = None
    hi: int | None = None

    def __str__(self) -> str:
        if self.lo is None or self.hi is None or self.lo == self.hi:
            return "int"  # literals and arithmetic: no declared range to show
        return f"{self.lo}..{self.hi}"


@record
class EnumT:
    name: str
    members: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


@record
class RefT:
    actor: str
    count: int

    def __str__(self) -> str:
        return self.actor


@record
class SetT:
    element: EnumT | RefT | None  # None: the empty literal `{}`, compatible with every set

    def __str__(self) -> str:
        return f"set<{self.element}>" if self.element else "set<?>"


Type = BoolT | IntT | EnumT | RefT | SetT

# A timer's discrete status. `started` exists only inside a transition (a `start` just ran); the
# timed engine records the start time and stores `armed`.
TIMER_T = EnumT("timer", ("off", "armed", "started"))
TIMER_OFF, TIMER_ARMED, TIMER_STARTED = 0, 1, 2


def timer_var(timer: str) -> str:
    """The hidden actor variable holding a timer's status (not a valid user identifier)."""
    return f"timer:{timer}"


def crash_var(crashed: str) -> str:
    """The hidden variable of a supervisor (an actor with `on crash of A`): the set of A's
    instances whose crash it has been told of and not yet handled."""
    return f"crash:{crashed}"


def signal_var(signal: str) -> str:
    """The hidden variable of an instance with `on signal S`: S arrived and is not handled."""
    return f"signal:{signal}"


def hidden(name: str) -> bool:
    """Whether a variable is one the checker added (a timer's status, crash notices)."""
    return ":" in name


@record
class Lin:
    """A linear expression over timing parameters: sum of coef * param, plus a constant."""

    terms: tuple[tuple[str, Fraction], ...]
    const: Fraction

    def __str__(self) -> str:
        parts = []
        for name, c in self.terms:
            if c == 1:
                parts.append(f"+ {name}")
            elif c == -1:
                parts.append(f"- {name}")
            else:
                parts.append(f"{'-' if c < 0 else '+'} {abs(c)}*{name}")
        if self.const or not parts:
            parts.append(f"{'-' if self.const < 0 else '+'} {abs(self.const)}")
        text = " ".join(parts)
        return text[2:] if text.startswith("+ ") else "-" + text[2:]


@record
class Param:
    name: str
    kind: str  # "int" | "real"
    lo: int
    hi: int
    span: Span


@record
class Assumption:
    left: Lin
    op: str  # < <= == >= >
    right: Lin
    text: str
    span: Span


def compatible(target: Type, value: Type) -> bool:
    """Whether a value of type `value` may be stored in / compared with `target`."""
    if isinstance(target, IntT):
        return isinstance(value, IntT)
    if isinstance(target, SetT) and isinstance(value, SetT):
        return target.element is None or value.element is None or target.element == value.element
    return target == value


def domain_size(t: EnumT | RefT) -> int:
    return len(t.members) if isinstance(t, EnumT) else t.count


def children(node: object) -> list:
    """What an IR node is made of (its fields' values; a tuple's items), for walks that
    treat the IR as data; a type, a span or a plain value has none."""
    if isinstance(node, (list, tuple)):
        return list(node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type) \
            and not isinstance(node, (Span, IntT, BoolT, EnumT, RefT, SetT)):
        return [getattr(node, f.name) for f in dataclasses.fields(node)]
    return []


def format_value(t: Type, v) -> str:
    """A value as the user would write it."""
    if isinstance(t, BoolT):
        return "true" if v else "false"
    if isinstance(t, EnumT):
        return t.members[v] if 0 <= v < len(t.members) else f"?{v}"
    if isinstance(t, RefT):
        return t.actor if t.count == 1 else f"{t.actor}[{v}]"
    if isinstance(t, SetT):
        if t.element is None:
            return "{}"
        items = [format_value(t.element, k) for k in range(domain_size(t.element)) if v >> k & 1]
        return "{" + ", ".join(items) + "}"
    return str(v)


# ---------------------------------------------------------------- expressions


@record
class Lit:
    value: object
    type: Type
    span: Span


@record
class LocalVar:
    """A variable of the executing instance (`self`)."""

    actor: str
    name: str
    type: Type
    span: Span


@record
class SharedVar:
    name: str
    type: Type
    span: Span


@record
class RemoteVar:
    """`ref.name`: a variable of the instance that `ref` designates."""

    ref: Expr
    actor: str
    name: str
    type: Type
    span: Span


@record
class MsgField:
    message: str
    name: str
    index: int
    type: Type
    span: Span


@record
class SelfRef:
    type: RefT
    span: Span


@record
class SenderRef:
    type: RefT
    span: Span


@record
class Bound:
    """A variable bound by `forall`, `exists` or `pick`."""

    name: str
    type: Type
    span: Span


@record
class Instance:
    """`Actor[i]`: checked against the instance count at run time."""

    index: Expr
    type: RefT
    span: Span


@record
class At:
    ref: Expr
    actor: str
    state: int
    state_name: str
    span: Span
    type: Type = BoolT()


@record
class Unary:
    op: str  # "not" | "-"
    operand: Expr
    type: Type
    span: Span


@record
class Binary:
    # + - * / % == != < <= > >= and or implies in notin setadd setremove
    op: str
    left: Expr
    right: Expr
    type: Type
    span: Span


@record
class SetLit:
    elements: tuple[Expr, ...]
    type: SetT
    span: Span


@record
class Size:
    operand: Expr
    span: Span
    type: Type = IntT()


@record
class IndexOf:
    operand: Expr
    span: Span
    type: Type = IntT()


@record
class Pending:
    """Number of messages of a type in flight (optionally only those to one receiver)."""

    message: str
    receiver: Expr | None
    receiver_actor: str | None
    span: Span
    type: Type = IntT()


@record
class Domain:
    kind: str  # "range" | "type" | "set"
    low: Expr | None
    high: Expr | None
    set_expr: Expr | None
    element: Type
    span: Span


@record
class Down:
    """`down(r)`: instance r is crashed (a fault clause of the spec crashed it)."""

    ref: Expr
    actor: str
    span: Span
    type: Type = BoolT()


@record
class Quant:
    kind: str  # "forall" | "exists"
    var: str
    domain: Domain
    body: Expr
    span: Span
    type: Type = BoolT()


Expr = (
    Lit | LocalVar | SharedVar | RemoteVar | MsgField | SelfRef | SenderRef | Bound | Instance
    | At | Unary | Binary | SetLit | Size | IndexOf | Pending | Quant | Down
)

# ---------------------------------------------------------------- statements


@record
class Assign:
    scope: str  # "local" | "shared"
    name: str
    value: Expr
    type: Type
    range_check: bool
    span: Span


@record
class Send:
    message: str
    args: tuple[Expr, ...]  # in field order
    receiver_actor: str
    target: Expr | None  # None: broadcast to every instance of receiver_actor
    span: Span


@record
class Goto:
    state: int
    state_name: str
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
    message: str
    span: Span


@record
class Kill:
    """SIGKILL (the spec's `terminate ... grace`): every instance of these actors that is up
    goes down, as in a crash, with no fault counted."""

    actors: tuple[str, ...]
    span: Span


@record
class Signal:
    """SIGTERM: each instance of `handled` (the members with `on signal`) that is up is told;
    when no member handles it, its default action kills them all."""

    signal: str
    actors: tuple[str, ...]
    handled: tuple[str, ...]
    span: Span


Stmt = Assign | Send | Goto | If | Choose | Pick | Assert | Kill | Signal

# ---------------------------------------------------------------- declarations


@record
class Variable:
    name: str
    type: Type
    init: object
    span: Span
    durable: bool = False  # `durable var`: keeps its value when its instance crashes


@record
class Message:
    name: str
    fields: tuple[Variable, ...]  # init unused
    span: Span


@record
class Handler:
    """`on Message ...`: fires when a matching message is at the head of a channel."""

    actor: str
    message: str
    senders: tuple[str, ...]  # actors whose channels to this actor it reads
    states: tuple[int, ...]  # empty: any state
    guard: Expr | None
    body: tuple[Stmt, ...]
    span: Span
    # ("after", lo, hi): fires between lo and hi time units after it became enabled (a message
    # to handle is at the head of a channel, its state and guard allow it) or last fired.
    timing: tuple | None = None
    fairness: Mark = DEFAULT_MARK  # `unfair` / `fair strong` in the model (liveness)

    @property
    def label(self) -> str:
        return f"on {self.message}"


@record
class Step:
    """An internal step: fires on its own when its state and guard allow."""

    actor: str
    name: str
    states: tuple[int, ...]
    guard: Expr | None
    body: tuple[Stmt, ...]
    span: Span
    # Timing: ("timeout", timer) fires exactly when the timer expires; ("after", lo, hi) fires
    # between lo and hi time units after the actor entered its current control state.
    timing: tuple | None = None
    fairness: Mark = DEFAULT_MARK  # as in Handler
    signal: str = ""  # `on signal S`: the step that handles S

    @property
    def label(self) -> str:
        if self.timing and self.timing[0] == "timeout":
            return f"on timeout {self.timing[1]}"
        if self.signal:
            return f"on signal {self.signal}"
        return f"step {self.name}"


@record
class CrashHandler:
    """`on crash of A ...`: a supervisor is told that an instance of A crashed (the notice
    waits, like a message, until its state and guard allow); `sender` is that instance."""

    actor: str
    crashed: str
    states: tuple[int, ...]
    guard: Expr | None
    body: tuple[Stmt, ...]
    span: Span
    fairness: Mark = DEFAULT_MARK

    @property
    def label(self) -> str:
        return f"on crash of {self.crashed}"


@record
class Restart:
    """`on restart { ... }`: runs as part of the restart of a crashed instance."""

    body: tuple[Stmt, ...]
    span: Span


@record
class Actor:
    name: str
    count: int
    replicated: bool
    vars: tuple[Variable, ...]
    states: tuple[str, ...]
    initial: int
    finals: frozenset[int]
    handlers: tuple[Handler, ...]
    steps: tuple[Step, ...]
    span: Span
    timers: tuple[tuple[str, Lin], ...] = ()
    restart_state: int | None = None  # `state S restart`: where a restart resumes (else initial)
    on_restart: Restart | None = None
    crash_handlers: tuple[CrashHandler, ...] = ()

    def instance_name(self, i: int) -> str:
        return f"{self.name}[{i}]" if self.replicated else self.name

    @property
    def down(self) -> int:
        """The control value of a crashed instance (past every declared state)."""
        return len(self.states)

    def state_name(self, v: int) -> str:
        """A control value as the user reads it: a state's name, or `down`."""
        return self.states[v] if v < len(self.states) else DOWN_NAME


@record
class Channel:
    sender: str
    receiver: str
    capacity: int
    ordered: bool
    durable: bool = False  # messages to the receiver survive its crash (a broker, a queue)


@record
class Invariant:
    name: str
    description: str
    expr: Expr
    span: Span
    source_text: str
    # For an implication (possibly under `forall`), the premise, to detect vacuity.
    premise: Expr | None = None


@record
class Liveness:
    """One liveness property: a temporal form over state predicates. A `forall v in D:` prefix
    has been expanded: each value of v is a property of its own, named `name[value]`."""

    name: str  # as reported: the declared name, with the forall values in brackets
    declared: str  # the name as declared
    description: str
    form: TemporalForm
    p: Expr
    q: Expr | None  # leads_to: what must follow P
    span: Span
    source_text: str  # the formula as written (after the ':')
    p_text: str  # P as written
    q_text: str  # Q as written ("" without Q)
    bound: tuple[tuple[str, int, str], ...] = ()  # forall: (variable, value, value as text)
    # `within d` (timed models): Q (or, for `eventually`, P) must hold at most d time units
    # after P (after the start); a linear expression over params.
    within: Lin | None = None
    within_text: str = ""


@record
class CrashFault:
    """`fault crash A[i] [restart] at most N`: crash an instance (any, without `[i]`)."""

    kind: FaultKind  # faults.CRASH
    actor: str
    instance: int | None
    restart: bool
    budget: int
    span: Span
    text: str  # the clause as written


@record
class MessageFault:
    """`fault lose|duplicate|reorder M|any [from A[i]] [to B[j]] at most N`."""

    kind: FaultKind
    message: str | None  # None: any message
    sender: str | None
    sender_instance: int | None
    receiver: str | None
    receiver_instance: int | None
    budget: int
    span: Span
    text: str

    def selects(self, slot_sender: str, si: int, slot_receiver: str, ri: int) -> bool:
        """Whether the clause applies to the channel slot from sender si to receiver ri."""
        return (self.sender in (None, slot_sender)
                and self.sender_instance in (None, si)
                and self.receiver in (None, slot_receiver)
                and self.receiver_instance in (None, ri))


Fault = CrashFault | MessageFault


@record
class Faults:
    """A spec's fault clauses, and the total budget over them (`faults at most N`)."""

    clauses: tuple[Fault, ...] = ()
    total: int | None = None
    total_span: Span | None = None

    @property
    def budget(self) -> int:
        """How many faults a run may have in all."""
        every = sum(c.budget for c in self.clauses)
        return every if self.total is None else min(self.total, every)


NO_FAULTS = Faults()


def sends_in(body: tuple[Stmt, ...]) -> list[Send]:
    """The sends of a body, in program order."""
    out: list[Send] = []
    for st in body:
        if isinstance(st, Send):
            out.append(st)
        elif isinstance(st, If):
            out += sends_in(st.then) + sends_in(st.orelse)
        elif isinstance(st, Choose):
            for b in st.branches:
                out += sends_in(b)
        elif isinstance(st, Pick):
            out += sends_in(st.body)
    return out


@record
class Model:
    name: str
    path: str
    consts: dict = field(hash=False)
    enums: tuple[EnumT, ...] = ()
    messages: tuple[Message, ...] = ()
    shared: tuple[Variable, ...] = ()
    actors: tuple[Actor, ...] = ()
    channels: tuple[Channel, ...] = ()
    const_display: dict = field(hash=False, default_factory=dict)
    params: tuple[Param, ...] = ()
    assumes: tuple[Assumption, ...] = ()
    fixed_params: tuple[tuple[str, Fraction], ...] = ()
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # `group G { A, B }`

    @property
    def timed(self) -> bool:
        """Whether the model has timing (params, timers, time-bounded steps)."""
        return bool(self.params) or any(
            a.timers or any(s.timing for s in (*a.steps, *a.handlers)) for a in self.actors)
    def sends(self):
        """(actor, send) for every send in every body of the model, in declaration order."""
        for a in self.actors:
            bodies = [item.body for item in (*a.handlers, *a.steps, *a.crash_handlers)]
            if a.on_restart is not None:
                bodies.append(a.on_restart.body)
            for body in bodies:
                for send in sends_in(body):
                    yield a, send

    def sent(self) -> frozenset[tuple[str, str, str]]:
        """(sender actor, message, receiver actor) of every send in the model."""
        return frozenset((a.name, send.message, send.receiver_actor) for a, send in self.sends())

    def actor(self, name: str) -> Actor:
        for a in self.actors:
            if a.name == name:
                return a
        raise KeyError(name)

    def message(self, name: str) -> Message:
        for m in self.messages:
            if m.name == name:
                return m
        raise KeyError(name)


@record
class CheckConfig:
    name: str
    path: str
    expect: str | None
    deadlock: bool
    max_states: int | None
    max_depth: int | None
    search: str
    invariants: tuple[Invariant, ...]
    overrides: tuple[tuple[str, object], ...]
    liveness: tuple[Liveness, ...] = ()
    fairness: Fairness = DEFAULT_FAIRNESS
    faults: Faults = NO_FAULTS
