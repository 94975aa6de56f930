"""Well-formedness of the model as a whole: initial states, channels, and the send graph.

Owns the rule that each actor has exactly one initial state (PC322), the channel declarations
(PC213, PC201, PC404), and the send graph: which actor sends which message to which, as found
by checking every body (`bodies.py`). The graph decides

* the type of `sender` in a handler without `from`: the one actor that sends it that message,
  if there is exactly one. Send targets may themselves mention `sender`, so this is a fixpoint
  over silent trial runs of the bodies;
* the channels: one per (sending actor, receiving actor) pair that has a send, with the
  declared or the default capacity and ordering, in declaration order of the actors;
* each handler's senders, and the warnings PW001 (a handler nothing can trigger) and PW002 (a
  declared channel nobody sends on).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from checker import ir
from checker.dsl import ast
from checker.sema.bodies import Bodies, SenderOf, Sends
from checker.sema.consts import Constants
from checker.sema.context import Context
from checker.sema.scope import Names, Symbols

DEFAULT_CAPACITY = 4


def initial_state(ctx: Context, a: ast.ActorDecl) -> None:
    initials = [s for s in a.states if s.initial]
    if not a.states:
        ctx.error("PC322", f"actor {a.name} declares no states; add one, as in "
                  "'state Running initial'", a.span)
    elif not initials:
        ctx.error("PC322", f"actor {a.name} has no initial state; mark one with 'initial'",
                  a.span)
    elif len(initials) > 1:
        ctx.error("PC322", f"actor {a.name} has more than one initial state",
                  initials[1].span)


@dataclass
class DeclaredChannels:
    capacity: int  # `channel default`, else DEFAULT_CAPACITY
    ordered: bool
    pairs: dict[tuple[str, str], ast.ChannelDecl]  # `channel A -> B`


@dataclass(eq=False)
class SendGraph:
    """Channel declarations, then the send graph of the checked bodies."""

    ctx: Context
    syms: Symbols
    names: Names
    consts: Constants
    bodies: Bodies

    # ------------------------------------------------------------ channel declarations
    def declared(self, m: ast.Model) -> DeclaredChannels:
        out = DeclaredChannels(DEFAULT_CAPACITY, True, {})
        for c in m.channels:
            if c.sender is None:
                if c.capacity is not None:
                    cap = self._capacity(c.capacity)
                    if cap is not None:
                        out.capacity = cap
                if c.ordering is not None:
                    out.ordered = c.ordering == "fifo"
                continue
            for name in (c.sender, c.receiver):
                self.names.actor(name, c.span, " in channel declaration")
            if (c.sender, c.receiver) in out.pairs:
                self.ctx.error("PC201", f"channel {c.sender} -> {c.receiver} is declared twice",
                               c.span)
            out.pairs[(c.sender, c.receiver)] = c
        return out

    def _capacity(self, expr: ast.Expr) -> int | None:
        """A declared capacity; one below 1 is reported (and still returned)."""
        cap = self.consts.integer(expr, "a channel capacity")
        if cap is not None and cap < 1:
            self.ctx.error("PC404", f"a channel capacity must be at least 1, found {cap}",
                           expr.span)
        return cap

    # ------------------------------------------------------------ the graph
    def build(self, m: ast.Model,
              declared: DeclaredChannels) -> tuple[tuple[ir.Actor, ...], tuple[ir.Channel, ...]]:
        """The actors (with their handlers' senders) and the channels of the model."""
        order: dict[str, int] = {}
        for i, a in enumerate(m.actors):
            order.setdefault(a.name, i)

        def position(actor: str) -> int:
            return order.get(actor, len(m.actors))

        sends: Sends = []
        actors = self.bodies.actors(m, self._infer_senders(m), sends)
        edges = {(s, msg, r) for s, msg, r, _ in sends}
        pairs = {(s, r) for s, _, r in edges}
        channels = [self._channel(s, r, declared)
                    for s, r in sorted(pairs, key=lambda p: (position(p[0]), position(p[1])))]
        for (s, r), decl in declared.pairs.items():
            if (s, r) not in pairs and s in self.syms.actors and r in self.syms.actors:
                self.ctx.warning("PW002", f"channel {s} -> {r} is declared but {s} never sends "
                                 f"to {r}", decl.span)
        result = tuple(self._with_senders(a, actor, edges, position)
                       for a, actor in zip(m.actors, actors))
        return result, tuple(channels)

    def _infer_senders(self, m: ast.Model) -> SenderOf:
        """The sending actor of each handler: its `from`, or the only actor that sends it."""
        sender_of: SenderOf = {id(h): h.sender for a in m.actors for h in a.handlers}
        # Each round can only fill in handlers still unknown, so this ends within one round
        # per handler (plus one that changes nothing).
        for _ in range(len(sender_of) + 1):
            sends: Sends = []
            with self.ctx.muted():
                self.bodies.actors(m, sender_of, sends)
            changed = False
            for a in m.actors:
                for h in a.handlers:
                    if sender_of[id(h)] is None:
                        cands = sorted({s for s, msg, r, _ in sends
                                        if msg == h.message and r == a.name})
                        if len(cands) == 1:
                            sender_of[id(h)] = cands[0]
                            changed = True
            if not changed:
                break
        return sender_of

    def _channel(self, s: str, r: str, declared: DeclaredChannels) -> ir.Channel:
        cap, ordered = declared.capacity, declared.ordered
        decl = declared.pairs.get((s, r))
        if decl is not None:
            if decl.capacity is not None:
                c = self._capacity(decl.capacity)
                if c is not None and c >= 1:
                    cap = c
            if decl.ordering is not None:
                ordered = decl.ordering == "fifo"
        return ir.Channel(s, r, cap, ordered, decl is not None and decl.durable)

    def _with_senders(self, a: ast.ActorDecl, actor: ir.Actor, edges: set[tuple[str, str, str]],
                      position: Callable[[str], int]) -> ir.Actor:
        """The actor with each handler's senders filled in, and its timers attached."""
        handlers = []
        # A handler dropped for an error (unknown message or `from`) has no IR, so after it
        # zip pairs each AST handler with the next one's IR and skips the last; the check
        # fails then anyway, and the warnings read only the AST handler.
        for h, hi in zip(a.handlers, actor.handlers):
            senders = tuple(sorted({s for s, msg, r in edges
                                    if msg == h.message and r == a.name}, key=position))
            if h.sender is not None:
                if h.sender not in senders:
                    self.ctx.warning("PW001", f"no {h.sender} ever sends {h.message} to "
                                     f"{a.name}; this handler can never fire", h.span)
                senders = (h.sender,) if h.sender in senders else ()
            elif not senders and h.message in self.syms.messages:
                self.ctx.warning("PW001", f"nothing ever sends {h.message} to {a.name}; this "
                                 "handler can never fire", h.span)
            handlers.append(replace(hi, senders=senders))
        return replace(actor, handlers=tuple(handlers),
                       timers=tuple(self.syms.timers.get(actor.name, {}).items()))
