"""Compilation: the typed IR becomes a fast transition system (state layout + generated code).

A state is a flat tuple. Layout, in order:
  * per actor, the control state of each instance (contiguous, so `A[k] at S` is one index);
  * per actor and variable, that variable of each instance (contiguous, for `A[k].v`);
  * the shared variables;
  * per channel (sender actor -> receiver actor), one slot per (sender instance, receiver
    instance) pair, each a tuple of messages; a message is `(message id, field values...)`.
    FIFO slots keep arrival order; unordered slots are kept sorted (a canonical bag);
  * with fault clauses, the faults used so far: per clause, then in all (checker.faultcode).

Every handler and step becomes one block of generated Python inside a single `successors`
function, so that one call enumerates every enabled transition of a state. Nondeterminism
(`choose`, `pick`) becomes loops whose bodies carry the rest of the transition, so abandoning a
branch (a failed assert, a blocked send) is a `continue`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field

from checker import ir
from checker.deadline import NO_DEADLINE, Deadline
from checker.faultcode import (
    crash_code,
    crashable_actors,
    emit_lines,
    kill_lines,
    message_fault_code,
    message_slots,
    restart_item,
    restartable_actors,
)
from checker.faults import CRASH, LIFECYCLE
from checker.record import record
from checker.source import Span
from checker.temporal import DEFAULT_MARK, UNFAIR, Mark


class EvalError(Exception):
    """An expression could not be evaluated (instance index out of range, division by zero)."""

    def __init__(self, span: Span, message: str):
        super().__init__(message)
        self.span = span
        self.message = message


# Every slot is a field of every state and a block of handler code per message it can carry;
# 100 x 100 instances that may all talk (10,000 slots) compile in about 3 s.
MAX_SLOTS = 10_000


class TooLarge(Exception):
    """The model is legal but its compiled form would be too large to build (a located limit)."""

    def __init__(self, span: Span, message: str, hint: str):
        super().__init__(message)
        self.span = span
        self.message = message
        self.hint = hint


@record
class Transition:
    """One handler or step of an actor; `id` is its position in `System.transitions`."""

    id: int
    actor: str
    kind: str  # "on" | "step" | "restart" | "fault" (checker.faultcode)
    name: str  # message name, step name; a fault: its clause as written, without `fault`
    span: Span
    disabled_by_config: bool
    # Timed models: ("timeout", timer name) or ("after", lo, hi) with ir.Lin bounds.
    timing: tuple | None = None
    instances: tuple[str, ...] = ()  # the names of its actor's instances, by index
    fairness: Mark = DEFAULT_MARK  # the model's `unfair` / `fair strong` mark, if any
    clause: int | None = None  # a fault: its clause's index in System.faults.clauses
    crashed: str = ""  # `on crash of A`: A (the label's message slot is A's instance)

    @property
    def label(self) -> str:
        if self.kind == "lifecycle":
            return self.name
        return self.kind if self.kind == "restart" else f"{self.kind} {self.name}"

    @property
    def is_fault(self) -> bool:
        return self.kind == "fault"


@record
class Timer:
    """One actor instance's timer: the state slot of its status (ir.TIMER_*) and how long it
    runs once started."""

    key: str  # "Instance.timer"
    index: int
    duration: ir.Lin


@record
class Slot:
    """One channel between two actor instances."""

    index: int
    sender: str
    sender_instance: int
    receiver: str
    receiver_instance: int
    capacity: int
    ordered: bool


@record
class Layout:
    ctrl: dict[str, int]
    vars: dict[tuple[str, str], int]
    shared: dict[str, int]
    # (sender actor, receiver actor) -> (sender instance, receiver instance) -> slot index
    pairs: dict[tuple[str, str], dict[tuple[int, int], int]]
    slots: tuple[Slot, ...]
    size: int
    # With fault clauses: the slot counting each clause's faults so far, and the slot counting
    # all of them (a state's fault count, which the fewest-faults search orders by).
    fault_slots: tuple[int, ...] = ()
    fault_total: int | None = None


@record
class CompiledInvariant:
    invariant: ir.Invariant
    holds: object  # Callable[[tuple], bool]
    premise: object | None  # Callable[[tuple], bool] | None


@record
class CompiledLiveness:
    liveness: ir.Liveness
    p: object  # Callable[[tuple], bool]
    q: object | None  # Callable[[tuple], bool] | None (leads_to only)


@record
class System:
    model: ir.Model
    layout: Layout
    initial: tuple
    transitions: tuple[Transition, ...]
    successors: object  # (state, out, errs, fired) -> None; appends successor states
    # (state, out, errs, fired, info, sends=None): also labels each successor and, if `sends` is
    # a list, appends the sends that made it, in program order: ((slot index, message), ...).
    successors_traced: object
    all_final: object  # Callable[[tuple], bool]
    invariants: tuple[CompiledInvariant, ...]
    spans: tuple[Span, ...]
    message_ids: dict[str, int]
    code: str = field(repr=False, default="")
    # What the timed engine needs to know of time, so that it never reads the layout.
    timers: tuple[Timer, ...] = ()
    liveness: tuple[CompiledLiveness, ...] = ()
    faults: ir.Faults = ir.NO_FAULTS  # the spec's fault clauses (their transitions: kind "fault")
    # The actors a fault or the spec's `terminate` may take down (checker.faultcode).
    down_actors: frozenset[str] = frozenset()

    @property
    def has_faults(self) -> bool:
        """Whether instances can go down or be told of it: the fewest-faults search's job
        (the level engine, its shards and partial-order reduction cut the successor function
        into groups that know nothing of faults, and refuse such a system)."""
        return bool(self.faults.clauses or self.down_actors) or any(
            a.crash_handlers or a.on_restart is not None for a in self.model.actors)

    def faults_of(self, s: tuple) -> int:
        """How many faults the run to s has had."""
        total = self.layout.fault_total
        return 0 if total is None else s[total]


def _static_instance(e: ir.Expr | None, me: int) -> int | None:
    """The instance index an expression denotes when it depends only on `self`, else None."""
    if isinstance(e, ir.Lit) and isinstance(e.value, int) and not isinstance(e.value, bool):
        return e.value
    if isinstance(e, ir.SelfRef):
        return me
    if isinstance(e, (ir.Instance,)):
        return _static_instance(e.index, me)
    if isinstance(e, ir.IndexOf):
        return _static_instance(e.operand, me)
    if isinstance(e, ir.Binary) and e.op in ("+", "-", "*"):
        a, b = _static_instance(e.left, me), _static_instance(e.right, me)
        if a is None or b is None:
            return None
        return a + b if e.op == "+" else a - b if e.op == "-" else a * b
    return None


def _static_pairs(model: ir.Model) -> dict[tuple[str, str], dict[int, set[int]]]:
    """Which receiver instances each sender instance can ever address, per actor pair.

    A channel slot exists only for those pairs: `send X to Invocation[index(self)]` from
    HttpClient[k] needs the slot to Invocation[k] alone, not N of them. A target that depends on
    state (a variable, `sender`, a `pick`) may be any instance, so it gets them all.
    """
    out: dict[tuple[str, str], dict[int, set[int]]] = {}
    for a, send in _all_sends(model):
        nr = model.actor(send.receiver_actor).count
        per = out.setdefault((a.name, send.receiver_actor), {})
        for me in range(a.count):
            r = None if send.target is None else (
                0 if nr == 1 else _static_instance(send.target, me))
            targets = {r} if r is not None and 0 <= r < nr else set(range(nr))
            per.setdefault(me, set()).update(targets)
    return out


def _all_sends(model: ir.Model):
    return model.sends()


def _refuse_too_many_slots(model: ir.Model, used: dict) -> None:
    per_pair = {pair: sum(len(r) for r in per.values()) for pair, per in used.items()}
    total = sum(per_pair.values())
    if total <= MAX_SLOTS:
        return
    (sender, receiver), most = max(per_pair.items(), key=lambda kv: kv[1])
    ns, nr = model.actor(sender).count, model.actor(receiver).count
    # The send to blame: one whose receiver instance is not known statically (or a broadcast).
    blamed = next((send for a, send in _all_sends(model)
                   if a.name == sender and send.receiver_actor == receiver
                   and (send.target is None or nr > 1 and any(
                       _static_instance(send.target, me) is None for me in range(ns)))),
                  next(send for a, send in _all_sends(model)
                       if a.name == sender and send.receiver_actor == receiver))
    raise TooLarge(
        blamed.span,
        f"the channels need {total:,} slots, more than the limit {MAX_SLOTS:,}: "
        f"{sender} ({ns:,} instances) -> {receiver} ({nr:,} instances) alone needs {most:,}, "
        f"one per pair of instances that can talk",
        f"address one instance each sender can know statically "
        f"(e.g. {receiver}[index(self)]), or use fewer instances")


def _layout(model: ir.Model, faults: ir.Faults = ir.NO_FAULTS) -> Layout:
    pos = 0
    ctrl: dict[str, int] = {}
    for a in model.actors:
        ctrl[a.name] = pos
        pos += a.count
    vars_: dict[tuple[str, str], int] = {}
    for a in model.actors:
        for v in a.vars:
            vars_[(a.name, v.name)] = pos
            pos += a.count
    shared: dict[str, int] = {}
    for v in model.shared:
        shared[v.name] = pos
        pos += 1
    used = _static_pairs(model)
    _refuse_too_many_slots(model, used)
    pairs: dict[tuple[str, str], dict[tuple[int, int], int]] = {}
    slots = []
    for c in model.channels:
        table = pairs.setdefault((c.sender, c.receiver), {})
        per = used.get((c.sender, c.receiver), {})
        for si in range(model.actor(c.sender).count):
            for ri in sorted(per.get(si, ())):
                table[(si, ri)] = pos
                slots.append(Slot(pos, c.sender, si, c.receiver, ri, c.capacity, c.ordered))
                pos += 1
    if not faults.clauses:
        return Layout(ctrl, vars_, shared, pairs, tuple(slots), pos)
    fault_slots = tuple(range(pos, pos + len(faults.clauses)))
    return Layout(ctrl, vars_, shared, pairs, tuple(slots), pos + len(faults.clauses) + 1,
                  fault_slots, pos + len(faults.clauses))


def _initial(model: ir.Model, layout: Layout) -> tuple:
    s: list = [None] * layout.size
    for a in model.actors:
        for k in range(a.count):
            s[layout.ctrl[a.name] + k] = a.initial
            for v in a.vars:
                s[layout.vars[(a.name, v.name)] + k] = v.init
    for v in model.shared:
        s[layout.shared[v.name]] = v.init
    for sl in layout.slots:
        s[sl.index] = ()
    for k in (*layout.fault_slots, *(() if layout.fault_total is None else (layout.fault_total,))):
        s[k] = 0
    return tuple(s)


class _Gen:
    """Code generator state: fresh names, the span table, the lines being written."""

    def __init__(self, model: ir.Model, layout: Layout, deadline: Deadline,
                 faults: ir.Faults = ir.NO_FAULTS):
        self.model = model
        self.layout = layout
        self.deadline = deadline
        self.faults = faults
        # Actors a clause may crash: sends to their instances are dropped while they are down.
        self.crashable = crashable_actors(model, faults)
        self.spans: list[Span] = []
        # User text (assert messages, variable names in range errors) lives in this table and
        # the code names it only by index: no user text ever becomes part of generated code.
        self.texts: list[str] = []
        self.counter = 0
        self.msg_ids = {m.name: k for k, m in enumerate(model.messages)}

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def span_id(self, span: Span) -> int:
        self.spans.append(span)
        return len(self.spans) - 1

    def text_id(self, text: str) -> int:
        self.texts.append(text)
        return len(self.texts) - 1

    # ------------------------------------------------------------ expressions
    def ex(self, e: ir.Expr, env: dict) -> str:
        st = env["st"]
        if isinstance(e, ir.Lit):
            return repr(e.value)
        if isinstance(e, ir.LocalVar):
            return f"{st}[{self.layout.vars[(e.actor, e.name)] + env['self']}]"
        if isinstance(e, ir.SharedVar):
            return f"{st}[{self.layout.shared[e.name]}]"
        if isinstance(e, ir.RemoteVar):
            base = self.layout.vars[(e.actor, e.name)]
            if self.model.actor(e.actor).count == 1:
                return f"{st}[{base}]"
            return _index(st, base, self.ex(e.ref, env))
        if isinstance(e, ir.MsgField):
            return f"m[{e.index + 1}]"
        if isinstance(e, ir.SelfRef):
            return str(env["self"])
        if isinstance(e, ir.SenderRef):
            return str(env["sender"])
        if isinstance(e, ir.Bound):
            return env["bound"][e.name]
        if isinstance(e, ir.Instance):
            if isinstance(e.index, ir.Lit):
                return repr(e.index.value)
            code = self.ex(e.index, env)
            if code.isdigit() and int(code) < e.type.count:
                return code  # e.g. Invocation[index(self)] inside a replicated actor
            sid = self.span_id(e.span)
            return f"_inst({code}, {e.type.count}, {sid})"
        if isinstance(e, ir.Down):
            base = self.layout.ctrl[e.actor]
            down = self.model.actor(e.actor).down
            if self.model.actor(e.actor).count == 1:
                return f"({st}[{base}] >= {down})"
            return f"({_index(st, base, self.ex(e.ref, env))} >= {down})"
        if isinstance(e, ir.At):
            base = self.layout.ctrl[e.actor]
            if self.model.actor(e.actor).count == 1:
                return f"({st}[{base}] == {e.state})"
            return f"({_index(st, base, self.ex(e.ref, env))} == {e.state})"
        if isinstance(e, ir.Unary):
            x = self.ex(e.operand, env)
            return f"(not {x})" if e.op == "not" else f"(-{x})"
        if isinstance(e, ir.Binary):
            a = self.ex(e.left, env)
            b = self.ex(e.right, env)
            op = e.op
            if op in ("/", "%") and b.isdigit() and int(b) != 0:  # cannot divide by zero
                return f"({a} {'//' if op == '/' else '%'} {b})"
            if op in ("/", "%"):
                sid = self.span_id(e.span)
                return f"_{'div' if op == '/' else 'mod'}({a}, {b}, {sid})"
            if op in ("+", "-", "*", "==", "!=", "<", "<=", ">", ">=", "and", "or"):
                return f"({a} {op} {b})"
            if op == "implies":
                return f"((not {a}) or {b})"
            if op == "in":
                return f"((({b}) >> ({a})) & 1 == 1)"
            if op == "notin":
                return f"((({b}) >> ({a})) & 1 == 0)"
            if op == "setadd":
                return f"(({a}) | (1 << ({b})))"
            if op == "setremove":
                return f"(({a}) & ~(1 << ({b})))"
            raise AssertionError(op)
        if isinstance(e, ir.SetLit):
            if not e.elements:
                return "0"
            return "(" + " | ".join(f"(1 << ({self.ex(x, env)}))" for x in e.elements) + ")"
        if isinstance(e, ir.Size):
            return f"({self.ex(e.operand, env)}).bit_count()"
        if isinstance(e, ir.IndexOf):
            code = self.ex(e.operand, env)
            return code if code.isdigit() else f"({code})"
        if isinstance(e, ir.Pending):
            mid = self.msg_ids[e.message]
            slots = [sl for sl in self.layout.slots
                     if e.receiver_actor is None or sl.receiver == e.receiver_actor]
            if e.receiver is None:
                idx = tuple(sl.index for sl in slots)
                return f"_pending({st}, {mid}, {idx!r})"
            r = self.ex(e.receiver, env)
            pairs = tuple((sl.index, sl.receiver_instance) for sl in slots)
            return f"_pending_to({st}, {mid}, {pairs!r}, {r})"
        if isinstance(e, ir.Quant) and e.domain.kind == "type" \
                and ir.domain_size(e.domain.element) <= 64:
            # Unrolled over a known, small domain: no generator, constant indexes.
            parts = []
            for k in range(ir.domain_size(e.domain.element)):
                inner = dict(env)
                inner["bound"] = dict(env["bound"])
                inner["bound"][e.var] = str(k)
                parts.append(self.ex(e.body, inner))
            joiner = " and " if e.kind == "forall" else " or "
            return "(" + joiner.join(parts) + ")" if parts else repr(e.kind == "forall")
        if isinstance(e, ir.Quant):
            var = self.fresh("b_")
            inner = dict(env)
            inner["bound"] = dict(env["bound"])
            inner["bound"][e.var] = var
            body = self.ex(e.body, inner)
            dom = self.domain(e.domain, env)
            fn = "all" if e.kind == "forall" else "any"
            return f"{fn}({body} for {var} in {dom})"
        raise AssertionError(e)

    def domain(self, d: ir.Domain, env: dict) -> str:
        if d.kind == "range":
            return f"range({self.ex(d.low, env)}, ({self.ex(d.high, env)}) + 1)"
        if d.kind == "type":
            return f"range({ir.domain_size(d.element)})"
        width = ir.domain_size(d.element)
        return f"_members({self.ex(d.set_expr, env)}, {width})"

    # ------------------------------------------------------------ statements
    def seq(self, stmts: list, k: int, tv: str, ind: str, env: dict, emit) -> list[str]:
        if k == len(stmts):
            return emit(tv, ind)
        st = stmts[k]
        benv = dict(env)
        benv["st"] = tv
        rest_stmts = stmts[k + 1:]
        if _forks(st) and rest_stmts:
            return self.gathered(st, rest_stmts, tv, ind, env, emit)
        if isinstance(st, ir.Choose):
            c = self.fresh("c")
            lines = [f"{ind}for {c} in range({len(st.branches)}):"]
            for n, branch in enumerate(st.branches):
                t2 = self.fresh("t")
                lines.append(f"{ind}    {'if' if n == 0 else 'elif'} {c} == {n}:")
                lines.append(f"{ind}        {t2} = {tv}[:]")
                lines += self.seq(list(branch) + rest_stmts, 0, t2, ind + "        ", env, emit)
            return lines
        if isinstance(st, ir.Pick):
            var = self.fresh("b_")
            t2 = self.fresh("t")
            inner = dict(env)
            inner["bound"] = dict(env["bound"])
            inner["bound"][st.var] = var
            dom = self.domain(st.domain, benv)
            lines = [f"{ind}for {var} in {dom}:", f"{ind}    {t2} = {tv}[:]"]
            # The rest of the transition is outside the pick's scope: it must not see `var`.
            body = self.seq(list(st.body), 0, t2, ind + "    ", inner,
                            lambda tv2, ind2: self.seq(rest_stmts, 0, tv2, ind2, env, emit))
            return lines + body
        if isinstance(st, ir.If) and _forks(st):
            cond = self.ex(st.cond, benv)
            lines = [f"{ind}if {cond}:"]
            lines += self.seq(list(st.then) + rest_stmts, 0, tv, ind + "    ", env, emit)
            lines.append(f"{ind}else:")
            lines += self.seq(list(st.orelse) + rest_stmts, 0, tv, ind + "    ", env, emit)
            return lines
        return self.plain(st, tv, ind, env) + self.seq(stmts, k + 1, tv, ind, env, emit)

    def gathered(self, st: ir.Stmt, rest: list, tv: str, ind: str, env: dict, emit
                 ) -> list[str]:
        """A fork followed by more statements: its outcomes are gathered into a list, then the
        rest runs once per outcome.

        Copying the rest into every branch instead would double the code at each fork, so k
        forks in a row would generate 2^k copies of the rest of the transition.
        """
        ws, t = self.fresh("ws"), self.fresh("t")
        lines = [f"{ind}{ws} = []"]
        lines += self.seq([st], 0, tv, ind, env, lambda tv2, ind2: [f"{ind2}{ws}.append({tv2})"])
        lines.append(f"{ind}for {t} in {ws}:")
        return lines + self.seq(rest, 0, t, ind + "    ", env, emit)

    def plain(self, st: ir.Stmt, tv: str, ind: str, env: dict) -> list[str]:
        benv = dict(env)
        benv["st"] = tv
        actor = self.model.actor(env["actor"])
        if isinstance(st, ir.Assign):
            val = self.ex(st.value, benv)
            if st.scope == "local":
                target = f"{tv}[{self.layout.vars[(actor.name, st.name)] + env['self']}]"
            else:
                target = f"{tv}[{self.layout.shared[st.name]}]"
            if not st.range_check:
                return [f"{ind}{target} = {val}"]
            sid = self.span_id(st.span)
            t = st.type
            return [
                f"{ind}_v = {val}",
                f"{ind}if not ({t.lo} <= _v <= {t.hi}):",
                (f"{ind}    errs.append(({env['tid']}, {env['self']}, {env['slot']}, "
                 f"{env['msg']}, 'range', {sid}, TEXTS[{self.text_id(f'{st.name} = ')}] + "
                 f"str(_v) + TEXTS[{self.text_id(f' is outside {t}')}]))"),
                f"{ind}    continue",
                f"{ind}{target} = _v",
            ]
        if isinstance(st, ir.Send):
            mid = self.msg_ids[st.message]
            args = "".join(f", {self.ex(a, benv)}" for a in st.args)
            msg = f"({mid}{args},)" if st.args else f"({mid},)"
            table = self.layout.pairs[(actor.name, st.receiver_actor)]
            nr = self.model.actor(st.receiver_actor).count
            ordered = next(c.ordered for c in self.model.channels
                           if c.sender == actor.name and c.receiver == st.receiver_actor)
            cap = next(c.capacity for c in self.model.channels
                       if c.sender == actor.name and c.receiver == st.receiver_actor)
            me = env["self"]
            static = None if st.target is None or nr == 1 else _static_instance(st.target, me)
            # (slot, receiver instance) of each message the send makes
            lines = []
            if st.target is None:
                targets = [(str(table[(me, r)]), str(r)) for r in range(nr)]
            elif static is not None and 0 <= static < nr:
                # Known from `self` alone (B[index(self) + 1]): _static_pairs made this slot
                # only, so it must be addressed by that index, not by offset in a block.
                targets = [(str(table[(me, static)]), str(static))]
            else:
                r = self.ex(st.target, benv) if nr > 1 else "0"
                if r.isdigit():
                    targets = [(str(table[(me, int(r))]), r)]
                else:  # any receiver: _static_pairs gave this sender a contiguous block
                    lines.append(f"{ind}_r = {r}")
                    targets = [(f"{table[(me, 0)]} + _r", "_r")]
            durable = next(c.durable for c in self.model.channels
                           if c.sender == actor.name and c.receiver == st.receiver_actor)
            drops = st.receiver_actor in self.crashable and not durable
            lines.append(f"{ind}_m = {msg}")
            for k, r in targets:
                lines.append(f"{ind}_k = {k}")
                inner = ind
                if drops:  # a crashed receiver: the send succeeds, the message is lost
                    rctl = _index(tv, self.layout.ctrl[st.receiver_actor], r)
                    down = self.model.actor(st.receiver_actor).down
                    lines.append(f"{ind}if {rctl} >= {down}:")
                    lines.append(f"{ind}    {tv}[-1] += ((-_k - 1, _m),)" if env["traced"]
                                 else f"{ind}    pass")
                    lines.append(f"{ind}else:")
                    inner = ind + "    "
                lines += [
                    f"{inner}_c = {tv}[_k]",
                    f"{inner}if len(_c) >= {cap}:",
                    f"{inner}    continue",
                    f"{inner}{tv}[_k] = _c + (_m,)" if ordered
                    else f"{inner}{tv}[_k] = tuple(sorted(_c + (_m,)))",
                ]
                if env["traced"]:  # the working state's extra last element logs the sends
                    lines.append(f"{inner}{tv}[-1] += ((_k, _m),)")
            return lines
        if isinstance(st, ir.Goto):
            return [f"{ind}{tv}[{self.layout.ctrl[actor.name] + env['self']}] = {st.state}"]
        if isinstance(st, ir.If):
            lines = [f"{ind}if {self.ex(st.cond, benv)}:"]
            body = [x for s in st.then for x in self.plain(s, tv, ind + "    ", env)]
            lines += body or [f"{ind}    pass"]
            if st.orelse:
                lines.append(f"{ind}else:")
                lines += [x for s in st.orelse for x in self.plain(s, tv, ind + "    ", env)]
            return lines
        if isinstance(st, (ir.Kill, ir.Signal)):
            return kill_lines(self.model, self.layout, st, tv, ind) or [f"{ind}pass"]
        if isinstance(st, ir.Assert):
            sid = self.span_id(st.span)
            return [
                f"{ind}if not {self.ex(st.cond, benv)}:",
                (f"{ind}    errs.append(({env['tid']}, {env['self']}, {env['slot']}, "
                 f"{env['msg']}, 'assert', {sid}, TEXTS[{self.text_id(st.message)}]))"),
                f"{ind}    continue",
            ]
        raise AssertionError(st)

    # ------------------------------------------------------------ transitions
    def transition(self, tid: int, actor: ir.Actor, k: int, item, is_handler: bool,
                   ind: str, traced: bool, only_slot: int | None = None) -> list[str]:
        """The code of one handler or step for instance k, assuming its state already matches
        (a handler: for every channel it reads, or only the channel `only_slot`).

        Each block sits in a one-iteration loop so that `continue` abandons just this block.
        """
        lay = self.layout
        lines = [f"{ind}# transition {tid}, instance {k}"]  # numbers only: see `texts`
        env = {"st": "s", "bound": {}, "actor": actor.name, "tid": tid, "self": k,
               "sender": None, "slot": "-1", "msg": "None", "traced": traced}
        start = "list(s) + [()]" if traced else "list(s)"  # traced: + a log of sends, last

        def emitter(slot: str, msg: str):
            return lambda tv, ind2: emit_lines(tid, k, slot, msg, tv, ind2, traced)

        guard = None
        if item.guard is not None and not (isinstance(item.guard, ir.Lit) and item.guard.value):
            guard = item.guard
        if isinstance(item, ir.CrashHandler):
            # One notice per crashed instance j of the watched actor; `sender` is j.
            mask = lay.vars[(actor.name, ir.crash_var(item.crashed))] + k
            for j in range(self.model.actor(item.crashed).count):
                henv = dict(env, sender=j)
                lines.append(f"{ind}if s[{mask}] >> {j} & 1:")
                lines.append(f"{ind}    for _ in _ONCE:")
                body_ind = ind + "        "
                if guard is not None:
                    lines.append(f"{body_ind}if not {self.ex(guard, henv)}: continue")
                lines.append(f"{body_ind}t0 = {start}")
                lines.append(f"{body_ind}t0[{mask}] = s[{mask}] & {~(1 << j)}")
                lines += self.seq(list(item.body), 0, "t0", body_ind, henv,
                                  emitter("-1", str(j)))
            return lines
        if not is_handler:
            lines.append(f"{ind}for _ in _ONCE:")
            body_ind = ind + "    "
            if guard is not None:
                lines.append(f"{body_ind}if not {self.ex(guard, env)}: continue")
            lines.append(f"{body_ind}t0 = {start}")
            lines += self.seq(list(item.body), 0, "t0", body_ind, env, emitter("-1", "None"))
            return lines
        mid = self.msg_ids[item.message]
        for sender in item.senders:
            table = lay.pairs[(sender, actor.name)]
            ordered = next(c.ordered for c in self.model.channels
                           if c.sender == sender and c.receiver == actor.name)
            for j in range(self.model.actor(sender).count):
                if (j, k) not in table:
                    continue  # sender instance j never addresses instance k
                slot = table[(j, k)]
                if only_slot is not None and slot != only_slot:
                    continue
                henv = dict(env, sender=j, slot=str(slot), msg="m")
                lines.append(f"{ind}ch = s[{slot}]")
                if ordered:
                    lines.append(f"{ind}if ch and ch[0][0] == {mid}:")
                    lines.append(f"{ind}    for m in (ch[0],):")
                    rest = "ch[1:]"
                else:
                    lines.append(f"{ind}if ch:")
                    lines.append(f"{ind}    for m in _distinct(ch, {mid}):")
                    rest = "_without(ch, m)"
                body_ind = ind + "        "
                if guard is not None:
                    lines.append(f"{body_ind}if not {self.ex(guard, henv)}: continue")
                lines.append(f"{body_ind}t0 = {start}")
                lines.append(f"{body_ind}t0[{slot}] = {rest}")
                lines += self.seq(list(item.body), 0, "t0", body_ind, henv,
                                  emitter(str(slot), "m"))
        return lines

    def successors(self, transitions: list, traced: bool, restarts: dict | None = None,
                   faults: tuple = ()) -> list[str]:
        """The whole successor function: per actor instance, a dispatch on its control state
        (and, for an actor a clause restarts, on `down + 1`: `restarts`, actor name -> (id,
        restart step)); then the fault transitions, (id, clause index, receiver actor)."""
        restarts = restarts or {}
        name = "successors_traced" if traced else "successors"
        params = "s, out, errs, fired, info, sends=None" if traced else "s, out, errs, fired"
        lines = [f"def {name}({params}):"]
        if traced:
            lines.append("    sends = [] if sends is None else sends")
        for actor in self.model.actors:
            items = [(tid, item, is_handler) for tid, a, item, is_handler in transitions
                     if a is actor]
            if not items and actor.name not in restarts:
                continue
            for k in range(actor.count):
                lines.append(f"    c = s[{self.layout.ctrl[actor.name] + k}]")
                first = True
                if actor.name in restarts:
                    tid, step = restarts[actor.name]
                    lines.append(f"    if c == {actor.down + 1}:")
                    lines += self.transition(tid, actor, k, step, False, "        ", traced)
                    first = False
                for st in range(len(actor.states)):
                    enabled = [x for x in items if not x[1].states or st in x[1].states]
                    if not enabled:
                        continue
                    lines.append(f"    {'if' if first else 'elif'} c == {st}:")
                    first = False
                    block: list[str] = []
                    for tid, item, is_handler in enabled:
                        self.deadline.check("compiling the model")
                        block += self.transition(tid, actor, k, item, is_handler, "        ",
                                                 traced)
                    if all(x.lstrip().startswith("#") for x in block):
                        # e.g. a handler of instance k, which no sender ever addresses
                        block.append("        pass")
                    lines += block
        for tid, clause, receiver in faults:
            self.deadline.check("compiling the model")
            if receiver is None:
                lines += crash_code(self.model, self.layout, self.faults, tid, clause, traced)
            else:
                lines += message_fault_code(self.model, self.layout, self.faults, tid, clause,
                                            receiver, traced)
        if len(lines) == 1:
            lines.append("    pass")
        return lines


def _index(st: str, base: int, offset: str) -> str:
    if offset.isdigit():
        return f"{st}[{base + int(offset)}]"
    return f"{st}[{base}+{offset}]"


def _forks(st) -> bool:
    if isinstance(st, (ir.Choose, ir.Pick)):
        return True
    if isinstance(st, ir.If):
        return any(_forks(x) for x in st.then) or any(_forks(x) for x in st.orelse)
    return False


def _constant_false(guard: ir.Expr | None) -> bool:
    return isinstance(guard, ir.Lit) and guard.value is False or (
        isinstance(guard, ir.Binary) and guard.op == "and"
        and (_constant_false(guard.left) or _constant_false(guard.right))
    ) or (isinstance(guard, ir.Unary) and guard.op == "not" and isinstance(guard.operand, ir.Lit)
          and guard.operand.value is True)


_PRELUDE = '''
_ONCE = (0,)

def _inst(k, n, sid):
    if 0 <= k < n:
        return k
    raise EvalError(SPANS[sid], f"instance index {k} is out of range 0..{n - 1}")

def _div(a, b, sid):
    if b == 0:
        raise EvalError(SPANS[sid], "division by zero")
    return a // b

def _mod(a, b, sid):
    if b == 0:
        raise EvalError(SPANS[sid], "division by zero")
    return a % b

def _members(x, width):
    return [k for k in range(width) if x >> k & 1]

def _pending(s, mid, slots):
    return sum(1 for k in slots for m in s[k] if m[0] == mid)

def _pending_to(s, mid, pairs, r):
    return sum(1 for k, ri in pairs if ri == r for m in s[k] if m[0] == mid)

def _distinct(ch, mid):
    seen = []
    for m in ch:
        if m[0] == mid and m not in seen:
            seen.append(m)
    return seen

def _without(ch, m):
    k = ch.index(m)
    return ch[:k] + ch[k + 1:]
'''


def _transitions(model: ir.Model) -> tuple[list[Transition], list]:
    """Every handler and step as a Transition, and the (id, actor, item, is_handler) of those
    that can fire (not disabled by a constant guard, handlers with a sender), in id order."""
    transitions: list[Transition] = []
    generated: list = []
    for actor in model.actors:
        for is_handler, items in ((True, actor.handlers), (False, actor.steps)):
            for item in items:
                tid = len(transitions)
                disabled = _constant_false(item.guard)
                name = item.message if is_handler else item.name
                kind = "lifecycle" if actor.name == LIFECYCLE else "on" if is_handler or (
                    item.timing and item.timing[0] == "timeout") or item.signal else "step"
                transitions.append(Transition(
                    tid, actor.name, kind, name, item.span, disabled,
                    item.timing,
                    tuple(actor.instance_name(k) for k in range(actor.count)),
                    item.fairness))
                if disabled or (is_handler and not item.senders):
                    continue
                generated.append((tid, actor, item, is_handler))
        for item in actor.crash_handlers:
            tid = len(transitions)
            transitions.append(Transition(
                tid, actor.name, "on", f"crash of {item.crashed}", item.span,
                _constant_false(item.guard), None,
                tuple(actor.instance_name(k) for k in range(actor.count)), item.fairness,
                crashed=item.crashed))
            if not transitions[-1].disabled_by_config:
                generated.append((tid, actor, item, False))
    return transitions, generated


def _fault_transitions(model: ir.Model, faults: ir.Faults, layout: Layout, first: int
                       ) -> tuple[list[Transition], dict, list]:
    """The restart transitions (one per actor a clause restarts) and the fault transitions
    (a crash clause: one; a message clause: one per receiving actor it selects), numbered
    from `first`; also what `_Gen.successors` needs to generate them."""
    transitions: list[Transition] = []
    restarts: dict = {}
    generated: list = []
    for a in model.actors:
        # With `on restart` but no clause that restarts it, the transition can never fire:
        # coverage says so.
        if a.name in restartable_actors(faults) or a.on_restart is not None:
            span = a.on_restart.span if a.on_restart is not None else next(
                c.span for c in faults.clauses if c.kind is CRASH and c.actor == a.name)
            tid = first + len(transitions)
            transitions.append(Transition(
                tid, a.name, "restart", a.name, span, False, None,
                tuple(a.instance_name(k) for k in range(a.count))))
            restarts[a.name] = (tid, restart_item(a, span))
    for n, c in enumerate(faults.clauses):
        receivers = [c.actor] if c.kind is CRASH else [
            a.name for a in model.actors if message_slots(model, layout.slots, c, a.name)]
        for r in receivers:
            tid = first + len(transitions)
            actor = model.actor(r)
            transitions.append(Transition(
                tid, r, "fault", c.text.removeprefix("fault").strip(), c.span, False, None,
                tuple(actor.instance_name(k) for k in range(actor.count)), UNFAIR, n))
            generated.append((tid, n, None if c.kind is CRASH else r))
    return transitions, restarts, generated


def compile_system(model: ir.Model, invariants: tuple[ir.Invariant, ...] = (),
                   deadline: Deadline = NO_DEADLINE, liveness: tuple[ir.Liveness, ...] = (),
                   faults: ir.Faults = ir.NO_FAULTS) -> System:
    layout = _layout(model, faults)
    gen = _Gen(model, layout, deadline, faults)
    transitions, generated = _transitions(model)
    more, restarts, fault_items = _fault_transitions(model, faults, layout, len(transitions))
    transitions += more
    code = [_PRELUDE]
    code += gen.successors(generated, False, restarts, tuple(fault_items))
    code += gen.successors(generated, True, restarts, tuple(fault_items))
    finals = []
    for a in model.actors:
        cb = layout.ctrl[a.name]
        # A crashed instance counts as final: nothing it could still do is missing.
        down = (a.down, a.down + 1) if a.name in gen.crashable else ()
        if not a.finals and not down:
            finals.append("False")
            continue
        fs = tuple(sorted(a.finals)) + down
        finals += [f"s[{cb + k}] in {fs!r}" for k in range(a.count)]
    code.append("def all_final(s):")
    code.append("    return " + (" and ".join(finals) if finals else "True"))
    env = {"st": "s", "bound": {}, "actor": None, "tid": -1, "slot": "-1", "msg": "None",
           "self": None, "sender": None}
    for n, inv in enumerate(invariants):
        code.append(f"def inv_{n}(s):")
        code.append(f"    return {gen.ex(inv.expr, env)}")
        if inv.premise is not None:
            code.append(f"def prem_{n}(s):")
            code.append(f"    return {gen.ex(inv.premise, env)}")
    for n, live in enumerate(liveness):
        # A forall-expanded property has its variables bound to constants.
        bound = {"bound": {var: str(value) for var, value, _ in live.bound}}
        code.append(f"def live_p_{n}(s):")
        code.append(f"    return {gen.ex(live.p, {**env, **bound})}")
        if live.q is not None:
            code.append(f"def live_q_{n}(s):")
            code.append(f"    return {gen.ex(live.q, {**env, **bound})}")
    source = "\n".join(code) + "\n"
    deadline.check("compiling the model")
    namespace: dict = {"EvalError": EvalError, "SPANS": gen.spans, "TEXTS": tuple(gen.texts)}
    exec(compile(source, f"<protocheck:{model.name}>", "exec"), namespace)  # noqa: S102
    deadline.check("compiling the model")
    compiled_invs = tuple(
        CompiledInvariant(inv, namespace[f"inv_{n}"], namespace.get(f"prem_{n}"))
        for n, inv in enumerate(invariants)
    )
    return System(
        model=model,
        layout=layout,
        initial=_initial(model, layout),
        transitions=tuple(transitions),
        successors=namespace["successors"],
        successors_traced=namespace["successors_traced"],
        all_final=namespace["all_final"],
        invariants=compiled_invs,
        spans=tuple(gen.spans),
        message_ids=gen.msg_ids,
        code=source,
        timers=_timers(model, layout),
        liveness=tuple(CompiledLiveness(live, namespace[f"live_p_{n}"],
                                        namespace.get(f"live_q_{n}"))
                       for n, live in enumerate(liveness)),
        faults=faults,
        down_actors=gen.crashable,
    )


def _timers(model: ir.Model, layout: Layout) -> tuple[Timer, ...]:
    return tuple(Timer(f"{a.instance_name(k)}.{name}",
                       layout.vars[(a.name, ir.timer_var(name))] + k, duration)
                 for a in model.actors for k in range(a.count) for name, duration in a.timers)


def state_function(system: System, expr: ir.Expr, variables: tuple[str, ...] = ()
                   ) -> Callable[..., object]:
    """`expr` as a function of a state and a value for each quantifier variable in
    `variables` (`f(s, v1, v2, ...)`): the sequence chart evaluates an invariant's body for
    each instance, to find the ones that break it. Compiled like the invariants, so it means
    what the checker checked; the variables' names stay out of the generated code."""
    gen = _Gen(system.model, system.layout, NO_DEADLINE, system.faults)
    names = [f"_b{k}" for k in range(len(variables))]
    env = {"st": "s", "bound": dict(zip(variables, names)), "actor": None, "tid": -1,
           "slot": "-1", "msg": "None", "self": None, "sender": None}
    params = ", ".join(["s", *names])
    source = f"{_PRELUDE}\ndef value({params}):\n    return {gen.ex(expr, env)}\n"
    namespace: dict = {"EvalError": EvalError, "SPANS": gen.spans, "TEXTS": tuple(gen.texts)}
    exec(compile(source, f"<protocheck:{system.model.name}:chart>", "exec"), namespace)  # noqa: S102
    return namespace["value"]
