"""The closed vocabularies of a check, defined once: property kinds, verdicts, outcomes.

Every layer names these through the objects here (engines when they record a violation,
renderers when they describe one, SARIF when it lists its rules), never by re-spelling
strings. The temporal forms and fairness levels of liveness are in `checker.temporal`.
"""

from __future__ import annotations

from checker.record import record


@record
class PropertyKind:
    """A kind of property a check can prove or break."""

    name: str  # as written in JSON, SARIF rule ids and JUnit failure types
    description: str  # what the property says, for built-in kinds (declared ones have theirs)
    rule: str  # SARIF rule text: what a violation of this kind means
    declared: bool  # written in the spec (invariants), as opposed to checked on every run
    in_transition: bool  # a violation happens while a handler or step executes


INVARIANT = PropertyKind(
    "invariant", "an invariant of the spec",
    "An invariant of the spec is violated in a reachable state.", True, False)
DEADLOCK = PropertyKind(
    "deadlock",
    "deadlock freedom: some transition is enabled until every actor is in a final state",
    "No transition is enabled while some actor is not in a final state.", False, False)
ASSERT = PropertyKind(
    "assert", "every assert statement holds", "An assert statement fails.", False, True)
RANGE = PropertyKind(
    "range", "every assignment stays within its variable's range",
    "A value is stored outside its variable's range.", False, True)
RUNTIME = PropertyKind(
    "runtime",
    "every expression is defined (instance indexes in range, no division by zero)",
    "An expression is undefined (instance index out of range, division by zero).", False, True)

LIVENESS = PropertyKind(
    "liveness", "a liveness property of the spec",
    "A liveness property of the spec is violated: some fair run never gets where it must.",
    True, False)

# SARIF numbers its rules in this order: new kinds go at the end.
KINDS: tuple[PropertyKind, ...] = (INVARIANT, DEADLOCK, ASSERT, RANGE, RUNTIME, LIVENESS)
# Checked on every run of every spec, whether or not the spec mentions them.
ALWAYS_CHECKED: tuple[PropertyKind, ...] = (ASSERT, RANGE, RUNTIME)

# The SARIF rule for a verdict that does not match the spec's `expect`, or is inconclusive.
EXPECTATION_RULE = ("expectation",
                    "The verdict does not match the spec's expectation, or is inconclusive.")


def kind_named(name: str) -> PropertyKind:
    """The kind with this name (generated successor code reports failures by name)."""
    for k in KINDS:
        if k.name == name:
            return k
    raise KeyError(name)


# Verdicts of a whole check.
HOLDS, VIOLATED, INCONCLUSIVE = "holds", "violated", "inconclusive"
VERDICTS = (HOLDS, VIOLATED, INCONCLUSIVE)


@record
class Status:
    """The outcome of one property: proved, broken, or not fully checked."""

    name: str  # in JSON
    junit: str  # the JUnit case element it becomes ("" for a pass)


PROVED = Status("holds", "")
BROKEN = Status("violated", "failure")
NOT_CHECKED = Status("not fully checked", "skipped")
STATUSES = (PROVED, BROKEN, NOT_CHECKED)
