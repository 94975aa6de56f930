"""Level-synchronous breadth-first search: one BFS level at a time, in batches of states
held as numpy rows of codes, with each transition group's outcome computed once per distinct
value of its footprint (`checker.groups`) and reused.

Python runs the generated code only on a cache miss; numpy does the per-state work: selecting
the states a group is enabled in, finding each one's cached outcome, building the successors
(the parent's row with the written slots replaced) and their fingerprints (the parent's,
updated on the written slots), putting them in the order the reference BFS
(`checker.engines.bfs`) generates them, and dropping those already found. States are therefore
numbered exactly as the reference numbers them, so counts, the first violation of each
property, its shortest trace, the coverage and where a state bound stops are identical; the
differential tests hold the two engines to that. Invariants are cached per conjunct, the same
way. A timeout, Ctrl-C or progress report is noticed between batches.
"""

from __future__ import annotations

import time

import numpy as np

from checker.compile import EvalError, System
from checker.deadline import Deadline, OutOfTime
from checker.engines import STORES
from checker.engines.common import (
    INTERRUPTED,
    Discard,
    Explicit,
    Limits,
    collector_paused,
    deadlock_failure,
    evaluation_failure,
    invariant_failure,
    refuse_faults,
    settled_limit,
    stop_checker,
    transition_failure,
    verdict_of,
)
from checker.engines.orbits import Orbits
from checker.engines.result import Result, Stats, Violation
from checker.engines.store import (
    Codec,
    Packing,
    Visited,
    physical_memory,
    same_rows,
    take_rows,
)
from checker.groups import Groups, compile_groups
from checker.properties import DEADLOCK, RUNTIME
from checker.record import record
from checker.symmetry import Symmetry

BATCH = 32_768  # parents per batch: large enough for numpy, small enough to stop promptly
_NONE = np.iinfo(np.int64).max  # "no group raised" in a row's raise rank
# What a batch found, in the order the reference reports it for one parent (expansion first).
_RAISED, _FAILED, _DEADLOCK, _BROKEN = "raised", "failed", "deadlock", "broken"


def search(system: System, limits: Limits | None = None, store: str = "auto",
           symmetry: Symmetry | None = None) -> Result:
    """`store`: "exact" keeps every state's row (no state can be lost), "fingerprint" only a
    64-bit fingerprint per state (TLC's mode, ~20 bytes a state), "auto" is exact until the
    rows would pass EXACT_BUDGET bytes, then fingerprints. `symmetry`: keep one state per
    orbit of these classes of interchangeable instances (checker.symmetry.find_symmetry)."""
    refuse_faults(system)
    limits = limits or Limits()
    with collector_paused():
        try:
            engine = _Level(system, limits, store=store, symmetry=symmetry)
        except OutOfTime:
            run = Explicit(system, limits)
            return run.result(0, 0, f"timeout of {limits.timeout:g} s reached", True)
        return engine.run()


@record
class Resume:
    """Where the reference BFS handed over: the first state of the level to expand next."""

    head: int
    level: int
    transitions: int
    deepest: int


def resume(run: Explicit, at: Resume, store: str = "auto") -> Result:
    """Go on from the reference search `run`, stopped at a level boundary (see bfs.search)."""
    try:
        engine = _Level(run.found.system, run.limits, run, store)
    except OutOfTime:  # compiling the groups of a very large model used the budget up
        return run.result(at.transitions, at.deepest,
                          f"timeout of {run.limits.timeout:g} s reached", True)
    return engine.run(at)


EXACT_BUDGET = physical_memory() // 4  # bytes of exact rows `store="auto"` keeps


DIRECT_BITS = 20  # a footprint of at most this many bits gets a lookup table (8 MB at most)


class _Columns:
    """The codes of packed rows, a slot at a time, each slot unpacked once."""

    def __init__(self, rows: np.ndarray, packing: Packing):
        self.rows, self.packing, self.n = rows, packing, len(rows)
        self._got: dict[int, np.ndarray] = {}

    def get(self, slot: int) -> np.ndarray:
        col = self._got.get(slot)
        if col is None:
            col = self._got[slot] = self.packing.column(self.rows, slot)
        return col

    def row(self, i: int) -> np.ndarray:
        """All the codes of row i."""
        return self.packing.unpack(self.rows[i:i + 1])[0]


class _Memo:
    """Outcomes of a function of the state that reads only `cols`, one per distinct value of
    those slots; `compute(state, row)` makes the outcome id of a value not seen before.

    A footprint whose codes fit in DIRECT_BITS bits is looked up in an array indexed by the
    codes themselves (no sorting); a wider one is sorted to find its distinct values.

    A `locked` memo never computes: a shard of a partitioned search (checker.engines.shards)
    asks for its `missing` values, and every shard `learn`s them in one order, so that codes
    and outcome ids stay the same in every shard."""

    def __init__(self, cols: tuple[int, ...], codec: Codec, compute):
        self.cols = np.array(cols, dtype=np.intp)
        self.codec = codec
        self.compute = compute
        self.known: dict[tuple, int] = {}
        self.table = np.zeros(0, dtype=np.int64)
        self.table_bits: tuple[int, ...] | None = None
        self.locked = False

    def _outcome(self, sub_row: np.ndarray, row: np.ndarray) -> int:
        key = tuple(sub_row.tolist())
        o = self.known.get(key)
        if o is None:
            if self.locked:
                raise AssertionError(f"a locked memo over slots {self.cols.tolist()} missed "
                                     f"{key}: a shard was not taught a value it meets")
            o = self.known[key] = self.compute(self.codec.decode(row), row)
        return o

    def _bits(self) -> tuple[int, ...]:
        values = self.codec.values
        return tuple(max(1, (len(values[c]) - 1).bit_length()) for c in self.cols.tolist())

    def _sub(self, columns: _Columns, sel: np.ndarray) -> np.ndarray:
        """The footprint's codes of the rows `sel`, a row each (for footprints too wide for
        one key)."""
        sub = np.empty((len(sel), len(self.cols)), dtype=np.int64)
        for i, c in enumerate(self.cols.tolist()):
            sub[:, i] = columns.get(c)[sel]
        return sub

    def _key(self, columns: _Columns, sel: np.ndarray, bits: tuple[int, ...]) -> np.ndarray:
        """_packed(_sub(...)) without the matrix: its columns are strided, and only the rows
        of values not seen before need it (`_sub_row`)."""
        key = np.zeros(len(sel), dtype=np.int64)
        shift = 0
        for c, b in zip(self.cols.tolist(), bits, strict=True):
            key |= columns.get(c)[sel] << shift
            shift += b
        return key

    def _sub_row(self, columns: _Columns, r: int) -> np.ndarray:
        return np.array([columns.get(c)[r] for c in self.cols.tolist()], dtype=np.int64)

    def _direct(self, bits: tuple[int, ...]) -> None:
        """Make the lookup table fit `bits`, with every known value in it."""
        if bits == self.table_bits:
            return
        self.table = np.full(1 << sum(bits), -1, dtype=np.int64)
        self.table_bits = bits
        if self.known:
            keys = np.array(list(self.known), dtype=np.int64).reshape(len(self.known), -1)
            self.table[_packed(keys, bits)] = np.fromiter(self.known.values(), dtype=np.int64,
                                                          count=len(self.known))

    def ids(self, columns: _Columns, sel: np.ndarray | None = None) -> np.ndarray:
        """The outcome id of each row (of the rows `sel`, if given)."""
        sel = np.arange(columns.n) if sel is None else sel
        if len(sel) == 0:
            return np.zeros(0, dtype=np.int64)
        bits = self._bits()
        if sum(bits) > DIRECT_BITS:
            sub = self._sub(columns, sel)
            first, inverse = _distinct(sub, bits)
            out = np.array([self._outcome(sub[r], columns.row(sel[r])) for r in first.tolist()],
                           dtype=np.int64)
            return out[inverse]
        self._direct(bits)  # a slot got more values: codes need more bits
        key = self._key(columns, sel, bits)
        ids = self.table[key]
        miss = np.flatnonzero(ids < 0)
        if miss.size:
            _, first = np.unique(key[miss], return_index=True)
            for r in miss[first].tolist():
                row = int(sel[r])
                self.table[key[r]] = self._outcome(self._sub_row(columns, row),
                                                   columns.row(row))
            ids = self.table[key]
        return ids

    def peek(self, columns: _Columns, sel: np.ndarray | None = None
             ) -> tuple[np.ndarray, list[np.ndarray]]:
        """The outcome id of each row, -1 where its value is not known yet, and the full rows
        of codes of one state per such value, in key order (nothing is computed)."""
        sel = np.arange(columns.n) if sel is None else sel
        if len(sel) == 0:
            return np.zeros(0, dtype=np.int64), []
        bits = self._bits()
        if sum(bits) > DIRECT_BITS:
            sub = self._sub(columns, sel)
            first, inverse = _distinct(sub, bits)
            out = np.array([self.known.get(tuple(sub[r].tolist()), -1) for r in first.tolist()],
                           dtype=np.int64)
            rows = first[out < 0].tolist()
            ids = out[inverse]
        else:
            self._direct(bits)
            key = self._key(columns, sel, bits)
            ids = self.table[key]
            miss = np.flatnonzero(ids < 0)
            _, first = np.unique(key[miss], return_index=True)
            rows = miss[first].tolist()
        return ids, [columns.row(sel[r]) for r in rows]

    def fill(self, columns: _Columns, sel: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """`ids` from `peek` over the rows `sel`, with the values learnt since filled in."""
        miss = np.flatnonzero(ids < 0)
        if miss.size:
            ids = ids.copy()
            ids[miss] = self.ids(columns, sel[miss])
        return ids

    def learn(self, row: np.ndarray) -> None:
        """Compute the outcome of the value this row of codes has, if not known."""
        locked, self.locked = self.locked, False
        try:
            o = self._outcome(row[self.cols], row)
        finally:
            self.locked = locked
        if self.table_bits is not None and sum(self.table_bits) <= DIRECT_BITS:
            bits = tuple(max(1, (len(self.codec.values[c]) - 1).bit_length())
                         for c in self.cols.tolist())
            if bits == self.table_bits:
                self.table[_packed(row[self.cols][None, :], bits)] = o


def _packed(sub: np.ndarray, bits: tuple[int, ...]) -> np.ndarray:
    key = np.zeros(len(sub), dtype=np.int64)
    shift = 0
    for i, b in enumerate(bits):
        key |= sub[:, i] << shift  # sub is int64 already
        shift += b
    return key


def _distinct(sub: np.ndarray, bits: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct value of `sub`, and each row's position among them."""
    if sum(bits) <= 63:
        key = _packed(sub, bits)
    else:
        flat = np.ascontiguousarray(sub)
        key = flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel()
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.ravel()


class _GroupOutcomes:
    """One group's cached outcomes: per outcome the successors (new codes of the written
    slots, and the fingerprint change), the first failure of each kind it reports, and the
    EvalError it raises."""

    def __init__(self, group, codec: Codec, width: int):
        self.group = group
        self.codec = codec
        self.width = width
        self.writes = np.array(group.writes, dtype=np.intp)
        self.succ: list[list[list[int]]] = []
        self.deltas: list[list[int]] = []
        self.errs: list[tuple] = []  # per outcome: the first failure of each kind, in order
        self.raised: list[EvalError | None] = []
        self.partial: list[int] = []  # raised: how many successors came before the raise
        # Per outcome, the codes of the written slots before (the footprint holds them, so
        # every state with this outcome has them): a successor's packed row is its parent's
        # XOR a constant per (outcome, successor).
        self.old: list[list[int]] = []
        self.memo = _Memo(group.footprint, codec, self._compute)
        self.states = np.array(group.states, dtype=np.int64)
        self._tables_for = -1
        self._packed_for: Packing | None = None
        self._rows_for = -1

    def _compute(self, s: tuple, row: np.ndarray) -> int:
        out: list = []
        errs: list = []
        raised = None
        try:
            self.group.run(s, out, errs, Discard())
        except EvalError as e:
            # The successors generated before the raise still count as firings (coverage).
            raised, errs = e, []
            self.partial.append(len(out))
            out = []
        else:
            self.partial.append(0)
        allowed = set(self.group.writes)
        succ, deltas = [], []
        for t in out:
            changed = [i for i in range(self.width) if t[i] != s[i]]
            if not allowed.issuperset(changed):
                raise AssertionError(  # an internal error: the footprint walk missed a write
                    f"transition group {self.group.rank} wrote slots {changed} outside its "
                    f"footprint {self.group.writes}")
            codes = [self.codec.code(i, t[i]) for i in self.group.writes]
            words = self.codec.words
            d = 0
            for i, c in zip(self.group.writes, codes, strict=True):
                d ^= int(words[i, row[i]]) ^ int(words[i, c])
            succ.append(codes)
            deltas.append(d)
        self.succ.append(succ)
        self.old.append([int(row[i]) for i in self.group.writes])
        self.deltas.append(deltas)
        firsts: dict[str, tuple] = {}
        for err in errs:
            firsts.setdefault(err[4], err)
        self.errs.append(tuple(firsts.values()))
        self.raised.append(raised)
        return len(self.succ) - 1

    def tables(self, packing: Packing | None = None) -> None:
        """Padded numpy tables of the outcomes, rebuilt when outcomes were added (and, with a
        packing, the XOR that turns a parent's packed row into each successor's)."""
        if self._tables_for != len(self.succ):
            self._outcome_tables()
        if packing is not None and (packing is not self._packed_for
                                    or self._rows_for != len(self.succ)):
            self._row_tables(packing)

    def _outcome_tables(self) -> None:
        n, most = len(self.succ), max((len(x) for x in self.succ), default=0)
        self.count = np.array([len(x) for x in self.succ], dtype=np.int64)
        self.has_err = np.array([bool(e) for e in self.errs], dtype=bool)
        self.raises = np.array([r is not None for r in self.raised], dtype=bool)
        self.new_codes = np.zeros((n, max(most, 1), len(self.writes)), dtype=np.uint64)
        self.fp_delta = np.zeros((n, max(most, 1)), dtype=np.uint64)
        for o, (succ, deltas) in enumerate(zip(self.succ, self.deltas, strict=True)):
            for j, (codes, d) in enumerate(zip(succ, deltas, strict=True)):
                self.new_codes[o, j] = codes
                self.fp_delta[o, j] = d
        self._tables_for = n

    def _row_tables(self, packing: Packing) -> None:
        n, most = len(self.succ), self.new_codes.shape[1]
        self.row_delta = np.zeros((n, most, packing.words), dtype=np.uint64)
        for o, (succ, old) in enumerate(zip(self.succ, self.old, strict=True)):
            for j, codes in enumerate(succ):
                for slot, a, c in zip(self.group.writes, old, codes, strict=True):
                    self.row_delta[o, j, packing.word[slot]] ^= np.uint64(
                        (a ^ c) << int(packing.shift[slot]))
        self._packed_for, self._rows_for = packing, n

    def enabled(self, columns: _Columns) -> np.ndarray:
        if not len(self.states):
            return np.arange(columns.n)
        known = self.codec.codes[self.group.ctrl]
        allowed = np.zeros(len(self.codec.values[self.group.ctrl]), dtype=bool)
        allowed[[known[st] for st in self.states.tolist() if st in known]] = True
        return np.flatnonzero(allowed[columns.get(self.group.ctrl)])


class _Level:
    def __init__(self, system: System, limits: Limits, before: Explicit | None = None,
                 store: str = "auto", symmetry: Symmetry | None = None, seed: bool = True):
        """`before`: the reference search this one continues (its states, findings, firings);
        `seed`: store the initial state (a shard that does not own it does not)."""
        if store not in STORES:
            raise ValueError(f"store must be one of {STORES}, not {store!r}")
        self.system, self.limits = system, limits
        self.budget = EXACT_BUDGET if store == "auto" else None
        self.start = time.perf_counter() if before is None else before.start
        self.groups: Groups = compile_groups(system, Deadline(
            limits.timeout, self.start if limits.since is None else limits.since))
        self.width = system.layout.size
        if symmetry is not None and not symmetry.classes:
            symmetry = None
        assert symmetry is None or before is None  # the reference search keeps every state
        shared = {int(slot): int(first) for c in (symmetry.classes if symmetry else ())
                  for block in c.blocks[1:] for slot, first in zip(block, c.blocks[0],
                                                                  strict=True)}
        self.codec = Codec(self.width, shared)
        self.orbits = Orbits(symmetry, self.codec) if symmetry else None
        self.symmetry = tuple(c.label for c in symmetry.classes) if symmetry else ()
        states = [system.initial] if before is None else before.tree.states
        parents = [-1] if before is None else before.tree.parent
        known = self.codec.encode_all(states)
        self.represented = (float(self.orbits.canonical(known).sum()) if self.orbits
                            else None)
        self.packing = Packing.for_codec(self.codec)
        self.store = Visited(self.packing.words, np.dtype(np.uint64),
                             exact=store != "fingerprint")
        fps = self.codec.fingerprints(known)
        known = self.packing.pack(known)
        if seed:
            self.store.add(fps, known, np.array(parents, dtype=np.int64))
        # The level being expanded (packed): states cur_lo, cur_lo + 1, ..., and the next one
        # as found. Kept only while the store forgets rows: an exact store has them already.
        self.cur_rows = known
        self.cur_lo = 0
        self.next_rows: list[np.ndarray] = []
        self.next_lo = 0  # the first state of the next level
        self.fingerprinted = store == "fingerprint"  # some state was stored without its row
        self.outcomes = [_GroupOutcomes(g, self.codec, self.width) for g in self.groups.groups]
        self.fired = np.zeros(len(system.transitions), dtype=np.int64)
        if before is not None:
            self.fired += np.array(before.fired, dtype=np.int64)
        self.names = [ci.invariant.name for ci in system.invariants]
        self.conjuncts = [[(c, _Memo(c.footprint, self.codec, self._truth(c.holds)))
                           for c in self.groups.conjuncts if c.invariant == n]
                          for n in range(len(self.names))]
        self.premises = [(self.names[p.invariant], _Memo(p.footprint, self.codec,
                                                         self._truth(p.holds)))
                         for p in self.groups.premises]
        self.premise_seen: set[str] = set() if before is None else set(before.found.premises.seen)
        self.results: list = []  # (value, error) of every memoised predicate outcome
        self._truth_table = np.zeros(0, dtype=bool)
        ctrl = sorted(system.layout.ctrl[a.name] + k for a in system.model.actors
                      for k in range(a.count))
        self.final = _Memo(tuple(ctrl), self.codec,
                           lambda s, _row: int(bool(system.all_final(s))))
        self.violations: list[Violation] = [] if before is None else list(before.found.violations)
        self.violated: set[str] = set() if before is None else set(before.found.violated)
        self.why_stop = stop_checker(self.start, max_states=None, timeout=limits.timeout,
                                     stop=limits.stop, progress=limits.progress,
                                     since=limits.since)

    # ------------------------------------------------------------------ predicates
    def _truth(self, fn):
        def compute(s: tuple, _row) -> int:
            try:
                self.results.append((bool(fn(s)), None))
            except EvalError as e:
                self.results.append((False, e))
            return len(self.results) - 1
        return compute

    def _truths(self) -> np.ndarray:
        if len(self._truth_table) != len(self.results):
            self._truth_table = np.array([v for v, _ in self.results], dtype=bool)
        return self._truth_table

    def _broken(self, rows: np.ndarray, every: bool = False) -> list[tuple[int, int, int]]:
        """(row, invariant, result) of each invariant each row breaks, by row then invariant
        (`self.results[result]` is (False, the error that stopped it, if one did)); `every`:
        also those already violated."""
        columns = _Columns(rows, self.packing)
        found = []
        for n, conj in enumerate(self.conjuncts):
            if self.names[n] in self.violated and not every:
                continue
            undecided = np.arange(len(rows))
            for _, memo in conj:
                if not undecided.size:
                    break
                ids = memo.ids(columns, undecided)
                ok = self._truths()[ids]
                for r, i in zip(undecided[~ok].tolist(), ids[~ok].tolist(), strict=True):
                    found.append((r, n, i))
                undecided = undecided[ok]
        found.sort(key=lambda x: (x[0], x[1]))
        return found

    def _observe_premises(self, rows: np.ndarray) -> None:
        for name, memo in self.premises:
            if name in self.premise_seen or not len(rows):
                continue
            ids = memo.ids(_Columns(rows, self.packing))
            if any(self.results[i][0] or self.results[i][1] is not None
                   for i in set(ids.tolist())):
                self.premise_seen.add(name)

    # ------------------------------------------------------------------ the search
    def _path(self, idx: int) -> tuple[tuple, ...]:
        chain = []
        while idx >= 0:
            chain.append(idx)
            idx = int(self.store.parents[idx])
        chain.reverse()
        if self.store.exact and self.orbits is None:
            return tuple(self.codec.decode(self.packing.unpack(self.store.rows[i:i + 1])[0])
                         for i in chain)
        return self._replay([int(self.store.fps[i]) for i in chain])

    def _replay(self, fps: list[int]) -> tuple[tuple, ...]:
        """The states of a path known by fingerprints only (or by canonical forms of orbits,
        under symmetry): from the initial state, the successor with the next fingerprint,
        each time (the first, as the search took it); under symmetry the path is a real run
        whose states are in the orbits the search went through."""
        path = [self.system.initial]
        for want in fps[1:]:
            out: list = []
            self.system.successors(path[-1], out, [], Discard())
            path.append(next(t for t in out if self._fingerprint(t) == want))
        return tuple(path)

    def _fingerprint(self, s: tuple) -> int | None:
        """The fingerprint a state is stored under, None if some value of it was never
        interned (it cannot be stored then; the codec is left as it was)."""
        codes = self.codec.known(s)
        if codes is None:
            return None
        row = np.array([codes], dtype=np.int64)
        if self.orbits is not None:
            self.orbits.canonical(row)
        return int(self.codec.fingerprints(row)[0])

    def _now(self) -> float:
        return time.perf_counter() - self.start

    def _add(self, v: Violation) -> None:
        self.violated.add(v.property)
        self.violations.append(v)

    def run(self, at: Resume | None = None) -> Result:
        limits = self.limits
        if at is None:
            for _, n, i in self._broken(self.cur_rows[:1]):
                self._add(invariant_failure(self.names[n], self.results[i][1], self._path(0),
                                            self._now()))
            self._observe_premises(self.cur_rows[:1])
            at = Resume(0, 0, 0, 0)
        transitions, deepest, limit, level = at.transitions, at.deepest, "", at.level
        lo, hi, head = at.head, self.store.n, at.head
        self.cur_rows, self.cur_lo, self.next_lo = self.cur_rows[lo:], lo, hi
        stopped = bool(self.violations) and limits.stop_at_first
        try:
            while lo < hi and not stopped:
                if limits.max_depth is not None and level >= limits.max_depth:
                    limit, head = f"depth bound {limits.max_depth} reached", self.store.n
                    break
                for b in range(lo, hi, BATCH):
                    e = min(hi, b + BATCH)
                    done, added, moved, bound = self._batch(b, e, level)
                    transitions += moved
                    head = b + done
                    if added:
                        deepest = level + 1
                    if bound:
                        limit = bound
                    if bound or (self.violations and limits.stop_at_first):
                        stopped = True
                        break
                    self._within_budget()
                    why = self.why_stop(self.store.n, transitions, deepest)
                    if why:
                        limit, stopped = why, True
                        break
                lo, hi, level = hi, self.store.n, level + 1
                self.cur_rows = (np.concatenate(self.next_rows) if self.next_rows
                                 else self.cur_rows[:0])
                self.cur_lo, self.next_rows, self.next_lo = lo, [], hi
        except KeyboardInterrupt:
            limit = INTERRUPTED
        pending = head < self.store.n or limit == INTERRUPTED
        limit = settled_limit(limit, pending)
        seconds = time.perf_counter() - self.start
        complete = not limit and not (self.violations and limits.stop_at_first and pending)
        vacuous = () if not complete else tuple(
            name for name, _ in self.premises if name not in self.premise_seen)
        # TLC's estimate of the chance that a fingerprint collision lost a state.
        omission = (self.store.n * max(transitions - self.store.n, 0) / 2.0 ** 64
                    if self.fingerprinted else None)
        represented = None if self.represented is None else round(self.represented)
        return Result(verdict_of(self.violations, limit), tuple(self.violations),
                      Stats(self.store.n, transitions, deepest, seconds, omission,
                            represented, self.symmetry), complete,
                      limit, tuple(int(x) for x in self.fired), vacuous)

    def _within_budget(self) -> None:
        if self.store.exact and self.budget is not None and self.store.rows.nbytes > self.budget:
            # From here on the levels' rows are kept apart: copy out what the store held.
            store = self.store
            self.cur_rows = store.rows[self.cur_lo:self.next_lo].copy()
            self.next_rows = [store.rows[self.next_lo:store.n].copy()]
            store.forget_rows()
            self.fingerprinted = True

    def _level_rows(self, b: int, e: int) -> np.ndarray:
        """The packed rows of states b..e-1 of the level being expanded."""
        if self.store.exact:
            return self.store.rows[b:e]
        return self.cur_rows[b - self.cur_lo:e - self.cur_lo]

    def _batch(self, b: int, e: int, level: int) -> tuple[int, bool, int, str]:
        """Expand parents b..e-1; returns how many were expanded (fewer when a violation or
        the state bound stops the search inside the batch), whether states were added, the
        transitions taken and the state bound's message if it was reached."""
        rows = self._level_rows(b, e)
        n = e - b
        columns = _Columns(rows, self.packing)
        def ids_of(out: _GroupOutcomes) -> tuple[np.ndarray, np.ndarray]:
            en = out.enabled(columns)
            return en, out.memo.ids(columns, en)

        raise_rank, raised, refs, parts = self._expansions(columns, ids_of)
        outcomes = self.outcomes
        raise_err = {r: outcomes[g].raised[o] for r, (g, o) in raised.items()}
        # row -> (tid, firings before the raise); row -> kind -> its first failure
        raise_fired = {r: (outcomes[g].group.tid, outcomes[g].partial[o])
                       for r, (g, o) in raised.items()}
        first_err = {r: {kind: outcomes[g].errs[o][k] for kind, (g, o, k) in kinds.items()}
                     for r, kinds in refs.items()}
        wider = self.packing.grown(self.codec)
        if wider is not None:  # new codes need more bits: every row moves to a wider layout
            old, self.packing = self.packing, wider
            self.store.repack(old, wider)
            if not self.store.exact:
                self.cur_rows = wider.pack(old.unpack(self.cur_rows))
                self.next_rows = [wider.pack(old.unpack(x)) for x in self.next_rows]
            rows = self._level_rows(b, e)
            columns = _Columns(rows, self.packing)
        child, fps, order, kept_parts, orbit, produced = self._children(
            parts, rows, self.store.fps[b:e], raise_rank if raise_err else None)
        per_parent = len(self.outcomes) * self._most_successors(parts)
        new, ends = self._fresh(fps, child, order)
        new_par = order[new] // per_parent
        new_rows = take_rows(child, new)
        new_fps = fps[new]
        broken = self._broken(new_rows)
        # Each parent's expansion events, in the reference's order.
        events: list[tuple] = []
        for r in sorted(set(raise_err) | set(first_err)):
            if r in raise_err:
                events.append((r, 0, 0, _RAISED, raise_err[r]))
            else:
                events += [(r, 0, 0, _FAILED, err) for err in first_err[r].values()]
        idle = np.flatnonzero((produced == 0) & (raise_rank == _NONE))
        idle = np.array([r for r in idle.tolist() if r not in first_err], dtype=np.int64)
        if self.limits.deadlock and idle.size and DEADLOCK.name not in self.violated:
            finals = self.final.ids(columns, idle)
            for r in idle[finals == 0].tolist():
                events.append((r, 0, 0, _DEADLOCK, None))
        for c, inv, i in broken:
            events.append((int(new_par[c]), 1, c, _BROKEN, (inv, self.results[i][1])))
        events.sort(key=lambda x: (x[0], x[1], x[2]))
        cut = n - 1
        if events and self.limits.stop_at_first:
            cut = events[0][0]
        bound = ""
        if self.limits.max_states is not None:
            cum = self.store.n + np.cumsum(np.bincount(new_par, minlength=n))
            over = np.flatnonzero(cum >= self.limits.max_states)
            if over.size and over[0] <= cut:
                cut = int(over[0])
                bound = f"state bound {self.limits.max_states} reached"
        take = new_par <= cut
        first_new = self.store.n
        if not take.all():  # a stop inside the batch: only the states before it
            new_fps, new_rows, new_par = new_fps[take], new_rows[take], new_par[take]
            ends = ends[take]
        self.store.add(new_fps, new_rows, b + new_par, ends)
        if orbit is not None:
            self.represented += float(orbit[new][take].sum())
        if not self.store.exact:
            self.next_rows.append(new_rows)
        self._observe_premises(new_rows)
        for tid, firing in kept_parts:  # successors made before any raise, up to the cut
            self.fired[tid] += int(np.searchsorted(firing, cut, side="right"))
        for r, (tid, k) in raise_fired.items():
            if r <= cut:
                self.fired[tid] += k
        for r, _, c, what, data in events:
            if r > cut:
                break
            self._event(b + r, first_new + c, what, data)
        return cut + 1, bool(take.any()), int(produced[:cut + 1].sum()), bound

    def _expansions(self, columns: _Columns, ids_of) -> tuple:
        """Every group's outcomes on the rows, `ids_of(group's outcomes)` giving the rows it
        is enabled in and their outcome ids: per row the rank of the first group that raised
        there (_NONE if none), row -> (group, outcome) of that raise, row -> kind ->
        (group, outcome, failure) of the first failure of each kind, in rank order, and the
        successors' (parent, j, rank, outcomes, outcome) per group."""
        raise_rank = np.full(columns.n, _NONE, dtype=np.int64)
        raised: dict[int, tuple[int, int]] = {}
        first_err: dict[int, dict[str, tuple]] = {}
        parts = []
        for g, out in enumerate(self.outcomes):
            en, ids = ids_of(out)
            if not en.size:
                continue
            out.tables()  # the row tables wait for _children: the packing may grow first
            rank = out.group.rank
            if out.raises.any():
                hit = out.raises[ids]
                for r, o in zip(en[hit].tolist(), ids[hit].tolist(), strict=True):
                    if raise_rank[r] == _NONE:
                        raise_rank[r] = rank
                        raised[r] = (g, o)
            if out.has_err.any():
                hit = out.has_err[ids]
                for r, o in zip(en[hit].tolist(), ids[hit].tolist(), strict=True):
                    kinds = first_err.setdefault(r, {})
                    for k, err in enumerate(out.errs[o]):
                        kinds.setdefault(err[4], (g, o, k))
            cnt = out.count[ids]
            total = int(cnt.sum())
            if not total:
                continue
            starts = np.cumsum(cnt) - cnt
            parts.append((np.repeat(en, cnt), np.arange(total) - np.repeat(starts, cnt), rank,
                          out, np.repeat(ids, cnt)))
        return raise_rank, raised, first_err, parts

    def _event(self, parent: int, child: int, what: str, data) -> None:
        now = self._now()
        if what == _RAISED:
            if RUNTIME.name not in self.violated:
                path = self._path(parent)
                if self.orbits is not None:
                    try:
                        self.system.successors(path[-1], [], [], Discard())
                    except EvalError as e:
                        data = e
                self._add(evaluation_failure(data, path, now))
        elif what == _FAILED:
            if data[4] not in self.violated:
                path = self._path(parent)
                if self.orbits is not None:  # the failure as it happens in the real state
                    errs: list = []
                    self.system.successors(path[-1], [], errs, Discard())
                    real = next(err for err in errs if err[4] == data[4])
                    self._add(transition_failure(self.system, real, path, now))
                else:
                    self._add(transition_failure(self.system, data, path, now,
                                                 self.groups.spans))
        elif what == _DEADLOCK:
            if DEADLOCK.name not in self.violated:
                self._add(deadlock_failure(self._path(parent), now))
        else:
            inv, err = data
            if self.names[inv] not in self.violated:
                path = self._path(child)
                if self.orbits is not None:
                    # Whether the invariant is false or cannot be evaluated can depend on
                    # which instance its `forall` meets first: ask the real state.
                    try:
                        err = None if not self.system.invariants[inv].holds(path[-1]) else err
                    except EvalError as e:
                        err = e
                self._add(invariant_failure(self.names[inv], err, path, now))

    @staticmethod
    def _most_successors(parts: list) -> int:
        """One more than the most successors any outcome in the batch has: the radix of `j`
        in a successor's order key."""
        return 1 + max((int(p[3].count.max()) for p in parts), default=0)

    def _children(self, parts: list, rows: np.ndarray, parent_fps: np.ndarray,
                  raise_rank: np.ndarray | None, number: np.ndarray | None = None,
                  radix: int | None = None) -> tuple:
        """Every successor of the batch, group by group: its row, fingerprint and order key
        ((parent * groups + rank) * J + j: the reference generates successors in that order),
        per group (transition id, parents of the successors that count as firings), and per
        parent how many successors it has. A state in which some group raised keeps no
        successor (`raise_rank`: per parent, the rank of the first group that raised there).
        `number`, `radix`: the parents' state numbers and J, when the keys are to be global
        (checker.engines.shards); by default a parent is its row and J is the batch's."""
        groups, most = len(self.outcomes), radix or self._most_successors(parts)
        top = len(rows) if number is None else (int(number[-1]) + 1 if len(number) else 0)
        assert top * groups * most < 2 ** 62  # the order keys fit in int64
        children, fps, order, firings = [], [], [], []
        produced = np.zeros(len(rows), dtype=np.int64)
        for p_, j_, rank, out, o_ in parts:
            if raise_rank is not None:
                firings.append((out.group.tid, p_[rank < raise_rank[p_]]))
                keep = raise_rank[p_] == _NONE
                p_, j_, o_ = p_[keep], j_[keep], o_[keep]
            else:
                firings.append((out.group.tid, p_))
            out.tables(self.packing)  # the packing may have grown since the group's turn
            at = o_ * out.fp_delta.shape[1] + j_  # flat: one index, not two, per successor
            children.append(take_rows(rows, p_)
                            ^ take_rows(out.row_delta.reshape(-1, rows.shape[1]), at))
            fps.append(parent_fps[p_] ^ out.fp_delta.ravel()[at])
            order.append(((p_ if number is None else number[p_]) * groups + rank) * most + j_)
            produced += np.bincount(p_, minlength=len(rows))
        if not children:
            return (np.zeros((0, rows.shape[1]), dtype=rows.dtype),
                    np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), firings, None,
                    produced)
        child, fps_all = np.concatenate(children), np.concatenate(fps)
        orbit = None
        if self.orbits is not None:  # blocks move: the fingerprints are computed afresh
            codes = self.packing.unpack(child)
            orbit = self.orbits.canonical(codes)
            fps_all = self.codec.fingerprints(codes)
            child = self.packing.pack(codes)
        return child, fps_all, np.concatenate(order), firings, orbit, produced

    def _fresh(self, fps: np.ndarray, rows: np.ndarray, order: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """The new states among the successors, as their positions sorted by order key: of
        equal successors the first in order, if no equal state is stored; and where the
        store's probe for each ended (see Visited.add)."""
        if not len(fps):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        reps = self._firsts(fps, rows, order)
        known, ends = self.store.lookup(fps[reps], take_rows(rows, reps))
        new, ends = reps[~known], ends[~known]
        by_order = np.argsort(order[new])
        return new[by_order], ends[by_order]

    def _firsts(self, fps: np.ndarray, rows: np.ndarray, order: np.ndarray) -> np.ndarray:
        """Of equal successors, the position of the first in order (in no particular order)."""
        if not len(fps):
            return np.zeros(0, dtype=np.int64)
        # Sort keys that carry their position in their low bits, instead of an argsort: a
        # plain sort of uint64 is a third faster. Equal keys' high bits are equal fingerprints
        # but for their lowest bits; two states that differ only there fall into one group,
        # which the row check below catches.
        bits = np.uint64(max(1, (len(fps) - 1).bit_length()))
        low = np.uint64((1 << int(bits)) - 1)
        key = ((fps >> bits) << bits) | np.arange(len(fps), dtype=np.uint64)
        key.sort()
        o = (key & low).astype(np.int64)
        key >>= bits
        brk = np.ones(len(o), dtype=bool)
        brk[1:] = key[1:] != key[:-1]
        starts = np.flatnonzero(brk)
        grp = np.cumsum(brk) - 1
        so = order[o]
        is_first = so == np.minimum.reduceat(so, starts)[grp]
        reps = o[is_first]
        if len(reps) < len(o):
            # Each duplicate must equal the first with its fingerprint (in successor order, so
            # that one of the two row gathers reads memory in sequence).
            rep_of = np.empty(len(o), dtype=np.int64)
            rep_of[o] = reps[grp]
            dup = np.flatnonzero(rep_of != np.arange(len(o)))
            if not same_rows(take_rows(rows, dup), take_rows(rows, rep_of[dup])).all():
                reps = self._first_of_equal_rows(rows, order)  # 1 fingerprint, 2 states: rare
        return reps

    @staticmethod
    def _first_of_equal_rows(rows: np.ndarray, order: np.ndarray) -> np.ndarray:
        flat = np.ascontiguousarray(rows)
        key = flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel()
        _, inverse = np.unique(key, return_inverse=True)
        inverse = inverse.ravel()
        first = np.full(inverse.max() + 1, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, inverse, order)
        return np.flatnonzero(order == first[inverse])
