"""The closed vocabularies of liveness, defined once: temporal forms and fairness.

A liveness property is one of the `FORMS` over state predicates; which runs count is said by
the spec's `Fairness` (a level, per step or per actor instance) and by the marks a model puts
on single handlers and steps (`MARKS`). The parser, the semantic checks, the liveness engine
and every renderer name these objects, never re-spelled strings. docs/liveness.md states the
semantics exactly.
"""

from __future__ import annotations

from checker.record import record


@record
class TemporalForm:
    """A shape of liveness property over the state predicates P (and Q)."""

    name: str  # as written in JSON
    keyword: str  # how the spec writes it, with P and Q for the predicates
    ltl: str  # the LTL formula it stands for (SPIN's syntax), for docs and the SPIN twins
    meaning: str  # in words, for reports


EVENTUALLY = TemporalForm("eventually", "eventually P", "<> (P)", "P happens")
RECURRENCE = TemporalForm("always_eventually", "always eventually P", "[] <> (P)",
                          "P keeps happening")
STABILITY = TemporalForm("eventually_always", "eventually always P", "<> [] (P)",
                         "the system settles in P")
LEADS_TO = TemporalForm("leads_to", "P leads_to Q", "[] ((P) -> <> (Q))",
                        "every P is followed by Q")
FORMS: tuple[TemporalForm, ...] = (EVENTUALLY, RECURRENCE, STABILITY, LEADS_TO)


@record
class Level:
    """How strongly enabled transitions are forced to fire, in fair runs."""

    name: str  # as written in specs and JSON
    description: str


NONE = Level("none", "no fairness: every maximal run counts")
WEAK = Level("weak", "weak fairness: a transition enabled continuously from some point on "
             "fires infinitely often")
STRONG = Level("strong", "strong fairness: a transition enabled infinitely often fires "
               "infinitely often")
LEVELS: tuple[Level, ...] = (NONE, WEAK, STRONG)


def level_named(name: str) -> Level:
    for lv in LEVELS:
        if lv.name == name:
            return lv
    raise KeyError(name)


@record
class Fairness:
    """A spec's fairness: a level, applied to each (instance, handler/step) or to each actor
    instance as a whole (SPIN's `-f`: the instance must act, any of its transitions will do)."""

    level: Level = WEAK
    per_actor: bool = False

    def describe(self) -> str:
        if self.level is NONE:
            return "fairness none"
        return f"fairness {self.level.name}" + (" per actor" if self.per_actor else "")


DEFAULT_FAIRNESS = Fairness()
NO_FAIRNESS = Fairness(NONE)


@record
class Mark:
    """What a model says of one handler or step's fairness, whatever the spec's level."""

    name: str  # as written in the model, after the handler's clauses
    level: Level | None  # the level it always gets (None: the spec's)


DEFAULT_MARK = Mark("", None)
UNFAIR = Mark("unfair", NONE)  # an environment event that may never happen
FAIR_WEAK = Mark("fair weak", WEAK)
FAIR_STRONG = Mark("fair strong", STRONG)
MARKS: tuple[Mark, ...] = (DEFAULT_MARK, UNFAIR, FAIR_WEAK, FAIR_STRONG)


def mark_named(name: str) -> Mark:
    for m in MARKS:
        if m.name == name:
            return m
    raise KeyError(name)
