"""The closed vocabulary of faults, defined once: what a spec may inject, and how it is named.

A spec's `fault` clauses inject these into a run, each at most its budget of times
(docs/faults.md). The parser, the semantic checks, the compiler, the engines and every
renderer name these objects, never re-spelled strings.
"""

from __future__ import annotations

from checker.record import record


@record
class FaultKind:
    """One kind of injected fault."""

    name: str  # as written in specs and JSON
    on_messages: bool  # selected by message name, sender and receiver (else: an actor instance)
    meaning: str  # in words, for reports and docs


CRASH = FaultKind("crash", False, "the instance stops: its control state becomes down, its "
                  "volatile variables and timers reset, the messages to it are dropped")
LOSE = FaultKind("lose", True, "one message in flight disappears")
DUPLICATE = FaultKind("duplicate", True, "one message in flight is delivered twice: a copy "
                      "follows it in its channel")
REORDER = FaultKind("reorder", True, "two adjacent messages in a FIFO channel swap places")
FAULT_KINDS: tuple[FaultKind, ...] = (CRASH, LOSE, DUPLICATE, REORDER)


def fault_kind_named(name: str) -> FaultKind:
    for k in FAULT_KINDS:
        if k.name == name:
            return k
    raise KeyError(name)


# What an instance's control state reads as while it is crashed (never a declared state's name:
# `down` is reserved there).
DOWN_NAME = "down"

# The actor a spec's `terminate` adds to the model: it sends SIGTERM, then SIGKILL. Not a valid
# name for a user's actor (an actor of that name is refused in a spec that terminates).
LIFECYCLE = "lifecycle"
SIGNALS = ("TERM",)  # the signals `on signal` handles
