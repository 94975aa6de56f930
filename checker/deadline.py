"""The time budget of one run (`--timeout`), shared by loading, compiling and exploring.

Loading and compiling are bounded by the input limits (docs/language.md, "Limits"), but a
large model can still take seconds to parse and compile; a user's timeout counts from the start,
so each phase checks the deadline between units of its own work (tokens, transitions).
"""

from __future__ import annotations

import time

from checker.record import record


@record
class Deadline:
    seconds: float | None  # the budget; None: no limit
    started: float  # time.perf_counter() at the start of the run

    @staticmethod
    def start(seconds: float | None) -> Deadline:
        return Deadline(seconds, time.perf_counter())

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def remaining(self) -> float | None:
        return None if self.seconds is None else self.seconds - self.elapsed()

    def check(self, phase: str) -> None:
        """Raise OutOfTime if the budget is spent; `phase` says what was being done."""
        if self.seconds is not None and self.elapsed() > self.seconds:
            raise OutOfTime(phase, self.seconds)


NO_DEADLINE = Deadline(None, 0.0)


class OutOfTime(Exception):
    """The run's timeout ran out before exploring began (while parsing, checking, compiling)."""

    def __init__(self, phase: str, seconds: float):
        super().__init__(f"the timeout of {seconds:g} s ran out while {phase}; nothing was "
                         "explored")
        self.phase = phase
        self.seconds = seconds
