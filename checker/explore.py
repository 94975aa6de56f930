"""Exploration engines (BFS, DFS) over a compiled transition system, and their result.

The engines see only `System`: the initial state, `successors`, `all_final` and the compiled
invariants. BFS checks every invariant on every state when it is first discovered, so the first
violation it finds has a shortest path from the initial state.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass

from checker.compile import EvalError, System


@dataclass(frozen=True)
class Violation:
    kind: str  # "invariant" | "deadlock" | "assert" | "range" | "runtime"
    property: str  # the invariant's name, or the built-in property's
    message: str
    path: tuple[tuple, ...]  # states from the initial state to the last one reached
    # For a failure inside a transition (assert/range/runtime): what was executing.
    failing: tuple | None = None  # (transition id, instance, slot, message) or None
    span: object = None  # where the failure is in the source
    # Timed models: the transition taken at each hop (so replay needs no search), the
    # parameter region where this violation is reachable (text), and a witness.
    labels: tuple | None = None
    region: str | None = None
    witness: object = None


@dataclass(frozen=True)
class Stats:
    states: int
    transitions: int
    depth: int
    seconds: float

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else float(self.states)


@dataclass(frozen=True)
class Result:
    verdict: str  # "holds" | "violated" | "inconclusive"
    violations: tuple[Violation, ...]
    stats: Stats
    complete: bool  # the whole reachable state space was explored
    limit: str  # why exploration stopped early ("" if it did not)
    fired: tuple[int, ...]  # per transition id, how many times it produced a successor
    vacuous: tuple[str, ...]  # implication-shaped invariants whose premise never held


def _path(states: list, parent: list, idx: int) -> tuple[tuple, ...]:
    out = []
    while idx >= 0:
        out.append(states[idx])
        idx = parent[idx]
    return tuple(reversed(out))


def explore(
    system: System,
    **options,
) -> Result:
    """Explore every reachable state (or until a limit); see the module docstring."""
    # Millions of state tuples make the cyclic garbage collector rescan memory that holds no
    # cycles at all; pause it for the search (about 10% faster) and restore it afterwards.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _explore(system, **options)
    finally:
        if was_enabled:
            gc.enable()


def _explore(
    system: System,
    *,
    search: str = "bfs",
    deadlock: bool = True,
    max_states: int | None = None,
    max_depth: int | None = None,
    timeout: float | None = None,
    stop_at_first: bool = True,
    progress=None,
    stop=None,
) -> Result:
    """The search itself (`explore` wraps it with the garbage collector paused)."""
    start = time.perf_counter()
    successors = system.successors
    all_final = system.all_final
    invs = [(ci.invariant.name, ci.holds) for ci in system.invariants]
    premises = [(ci.invariant.name, ci.premise) for ci in system.invariants
                if ci.premise is not None]
    premise_seen: set[str] = set()
    violated: set[str] = set()
    violations: list[Violation] = []
    fired = [0] * len(system.transitions)
    check_invariants = bool(invs or premises)

    init = system.initial
    states = [init]
    visited = {init}  # a set, not a dict: a new state's parent is always the current one
    parent = [-1]
    # BFS tracks depth by level boundaries; DFS (or a depth bound) needs it per state.
    depth: list[int] | None = [0] if (search == "dfs" or max_depth is not None) else None
    transitions = 0
    limit = ""

    def check_state(idx: int, s: tuple) -> None:
        for name, holds in invs:
            if name in violated:
                continue
            try:
                ok = holds(s)
            except EvalError as err:
                violated.add(name)
                violations.append(Violation("runtime", name, f"{err.message} (at {err.span})",
                                            _path(states, parent, idx), None, err.span))
                continue
            if not ok:
                violated.add(name)
                violations.append(Violation("invariant", name, "invariant violated",
                                            _path(states, parent, idx)))
        if len(premise_seen) < len(premises):
            for name, prem in premises:
                if name not in premise_seen:
                    try:
                        if prem(s):
                            premise_seen.add(name)
                    except EvalError:
                        premise_seen.add(name)

    check_state(0, init)
    interrupted = False
    frontier = [0]  # DFS stack; BFS uses `states` itself as the queue
    head = 0
    level, level_end = 0, 1  # BFS: states[:level_end] have depth <= level
    next_report = start + 2.0
    max_seen_depth = 0
    try:
        while True:
            if violations and stop_at_first:
                break
            if search == "bfs":
                if head >= len(states):
                    break
                cur = head
                head += 1
                if cur >= level_end:
                    level += 1
                    level_end = len(states)
                d = level
            else:
                if not frontier:
                    break
                cur = frontier.pop()
                d = depth[cur]
            s = states[cur]
            if max_depth is not None and d >= max_depth:
                limit = limit or f"depth bound {max_depth} reached"
                continue
            out: list = []
            errs: list = []
            try:
                successors(s, out, errs, fired)
            except EvalError as err:
                if "runtime" not in violated:
                    violated.add("runtime")
                    violations.append(Violation("runtime", "runtime", err.message,
                                                _path(states, parent, cur), None, err.span))
                continue
            transitions += len(out)
            if errs:
                e = errs[0]
                key = f"{e[4]}"
                if key not in violated:
                    violated.add(key)
                    violations.append(Violation(e[4], e[4], e[6], _path(states, parent, cur),
                                                (e[0], e[1], e[2], e[3]), system.spans[e[5]]))
            if not out and not errs and deadlock and "deadlock" not in violated \
                    and not all_final(s):
                violated.add("deadlock")
                violations.append(Violation("deadlock", "deadlock",
                                            "no transition is enabled and some actor is not in a "
                                            "final state", _path(states, parent, cur)))
            nd = d + 1
            for t in out:
                # One hash per successor: add, then see whether the set grew.
                seen_before = len(visited)
                visited.add(t)
                if len(visited) == seen_before:
                    continue
                idx = len(states)
                states.append(t)
                parent.append(cur)
                if depth is not None:
                    depth.append(nd)
                if search == "dfs":
                    frontier.append(idx)
                if check_invariants:
                    check_state(idx, t)
                max_seen_depth = max(max_seen_depth, nd)
            if max_states is not None and len(states) >= max_states:
                limit = f"state bound {max_states} reached"
                break
            if progress is not None or timeout is not None or stop is not None:
                if stop is not None and stop():
                    interrupted = True
                    limit = "interrupted"
                    break
                now = time.perf_counter()
                if timeout is not None and now - start >= timeout:
                    limit = f"timeout of {timeout:g} s reached"
                    break
                if progress is not None and now >= next_report:
                    next_report = now + 0.5
                    progress(len(states), transitions, max_seen_depth, now - start)
    except KeyboardInterrupt:
        # Ctrl-C: stop cleanly; the caller reports partial statistics as inconclusive.
        interrupted = True
        limit = "interrupted"
    seconds = time.perf_counter() - start
    pending = head < len(states) if search == "bfs" else bool(frontier)
    pending = pending or interrupted
    complete = not limit and not (violations and stop_at_first and pending)
    if limit and not pending and search == "bfs" and not limit.startswith("depth"):
        complete = True
        limit = ""
    if violations:
        verdict = "violated"
    elif limit:
        verdict = "inconclusive"
    else:
        verdict = "holds"
    vacuous = tuple(name for name, _ in premises if name not in premise_seen) if complete else ()
    return Result(
        verdict=verdict,
        violations=tuple(violations),
        stats=Stats(len(states), transitions, max_seen_depth, seconds),
        complete=complete,
        limit=limit,
        fired=tuple(fired),
        vacuous=vacuous,
    )
