"""The level engine partitioned by fingerprint owner, for `--workers N` and `--cluster`.

Each of N shards (worker processes, local or in a Ray cluster: `checker.engines.pools`) owns the
states whose fingerprint's high bits name it, and expands the states it owns. A coordinator
runs the level loop of `checker.engines.level` one round at a time, a round being a range of
state numbers of the level being expanded:

1. every shard lists the footprint values its states of the round meet that no memo knows yet
   (`probe`), and every shard, and the coordinator, `learn`s the union in one order. Codes,
   outcome ids and the packing are therefore the same everywhere, so rows and fingerprints
   mean the same in every shard (and the generated code runs only on those few values);
2. every shard expands its states (`expand`) and sends each successor to its owner;
3. every owner drops the successors it already stores (`receive`), and after a second round of
   learning for the invariants, reports the order keys of its new states and the invariants
   they break (`judge`);
4. the coordinator merges the order keys of all shards, so the new states get the numbers the
   single-process engine gives them, decides where a violation or the state bound cuts the
   round exactly as that engine does, and every shard stores its share (`commit`).

The result (counts, verdicts, the first violation of each property, its shortest trace,
coverage) is therefore the single-process result, whatever the number of shards; the tests
hold the two to that. Traces are rebuilt by asking each state's owner for its parent.
"""

from __future__ import annotations

import time

import numpy as np

from checker.compile import System, compile_system
from checker.engines.common import (
    INTERRUPTED,
    Limits,
    collector_paused,
    refuse_faults,
    settled_limit,
    stop_checker,
    verdict_of,
)
from checker.engines.level import (
    _BROKEN,
    _DEADLOCK,
    _FAILED,
    _NONE,
    _RAISED,
    BATCH,
    _Columns,
    _Level,
)
from checker.engines.result import Result, Stats
from checker.engines.store import take_rows
from checker.symmetry import find_symmetry

# States expanded per round, whatever the number of shards: the rounds, and so the order in
# which values are learnt (codes), are then the same for any number, and so is the result
# (under symmetry the representative of an orbit depends on codes).
ROUND = 4 * BATCH
OWNER_SHIFT = np.uint64(40)  # the owner is read from high bits: the table slots use low ones


def owner_of(fps: np.ndarray, count: int) -> np.ndarray:
    return ((fps >> OWNER_SHIFT) % np.uint64(count)).astype(np.int64)


def _replica(system: System, limits: Limits, store: str, symmetric: bool) -> _Level:
    """A level engine that stores nothing yet, with every memo locked (see _Memo)."""
    symmetry = find_symmetry(system) if symmetric else None
    lv = _Level(system, limits, store=store, symmetry=symmetry, seed=False)
    lv._broken(lv.cur_rows[:1], every=True)  # the initial state's facts, alike everywhere
    lv._observe_premises(lv.cur_rows[:1])
    for memo in _memos(lv):
        memo.locked = True
    return lv


def _memos(lv: _Level) -> list:
    """Every memo of a replica, in an order that is the same in every replica."""
    return ([out.memo for out in lv.outcomes]
            + [memo for conj in lv.conjuncts for _, memo in conj]
            + [memo for _, memo in lv.premises] + [lv.final])


def _learn(lv: _Level, misses: list[tuple[int, np.ndarray]]) -> None:
    memos = _memos(lv)
    for mid, row in misses:
        memos[mid].learn(row)


def _radix(lv: _Level) -> int:
    """One more than the most successors of any outcome known: the radix of `j`."""
    most = 0
    for out in lv.outcomes:
        out.tables()
        if len(out.count):
            most = max(most, int(out.count.max()))
    return most + 1


class Shard:
    """One worker's part of a partitioned search: the states it owns, and a replica of what
    the search knows of the model (codes, cached outcomes)."""

    def __init__(self, model, invariants, limits: Limits, store: str, symmetric: bool,
                 me: int, count: int):
        system = compile_system(model, invariants)
        self.lv = _replica(system, limits, store, symmetric)
        if self.lv.budget is not None:
            self.lv.budget //= count  # every shard of a local pool shares this machine
        self.me, self.count = me, count
        self.gidx = np.zeros(1024, dtype=np.int64)  # local index -> state number
        fp = self.lv.codec.fingerprints(self.lv.packing.unpack(self.lv.cur_rows))
        self._frontier(np.zeros((0, self.lv.packing.words), dtype=np.uint64),
                       np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64))
        self.next: list[tuple] = []
        if int(owner_of(fp, count)[0]) == me:
            self._store(fp, self.lv.cur_rows, np.array([-1]), np.array([0]))
            self._frontier(self.lv.cur_rows, np.array([0]), fp)

    def _frontier(self, rows, gidx, fps) -> None:
        self.f_rows, self.f_gidx, self.f_fps = rows, gidx, fps

    def _store(self, fps, rows, parents, gidx) -> None:
        store = self.lv.store
        at = store.n
        store.add(fps, rows, parents)
        if store.n > len(self.gidx):
            grown = np.zeros(max(store.n, 2 * len(self.gidx)), dtype=np.int64)
            grown[:at] = self.gidx[:at]
            self.gidx = grown
        self.gidx[at:store.n] = gidx

    def _round(self, b: int, e: int) -> slice:
        lo, hi = np.searchsorted(self.f_gidx, [b, e])
        return slice(int(lo), int(hi))

    # ------------------------------------------------------------------ the phases
    def probe(self, b: int, e: int) -> list[tuple[int, np.ndarray]]:
        """(memo, row of codes) of each value the states b..e-1 meet that is not known; the
        outcomes found are kept for `expand`."""
        lv = self.lv
        rows = self.f_rows[self._round(b, e)]
        columns = _Columns(rows, lv.packing)
        found, self.peeked = [], []
        for mid, out in enumerate(lv.outcomes):
            en = out.enabled(columns) if len(rows) else np.zeros(0, dtype=np.int64)
            ids, missed = out.memo.peek(columns, en)
            self.peeked.append((en, ids))
            found += [(mid, row) for row in missed]
        if lv.limits.deadlock:
            ids, missed = lv.final.peek(columns)
            self.peeked.append((np.arange(len(rows)), ids))
            found += [(len(_memos(lv)) - 1, row) for row in missed]
        return found

    def learn(self, misses: list[tuple[int, np.ndarray]]) -> None:
        lv = self.lv
        _learn(lv, misses)
        wider = lv.packing.grown(lv.codec)
        if wider is not None:  # new codes need more bits: every row moves to a wider layout
            old, lv.packing = lv.packing, wider
            lv.store.repack(old, wider)
            self.f_rows = wider.pack(old.unpack(self.f_rows))
            self.next = [(wider.pack(old.unpack(r)), g, f) for r, g, f in self.next]

    def expand(self, b: int, e: int) -> tuple[list, list]:
        """Expand the states b..e-1 this shard owns; returns per shard the successors it owns
        (rows, fingerprints, order keys, orbit sizes; this shard's own share stays here) and
        the round's expansion events: (state, kind, what)."""
        lv = self.lv
        at = self._round(b, e)
        rows, gid, pfps = self.f_rows[at], self.f_gidx[at], self.f_fps[at]
        radix = _radix(lv)
        columns = _Columns(rows, lv.packing)
        peeked = iter(self.peeked)

        def ids_of(out):
            en, ids = next(peeked)
            return en, out.memo.fill(columns, en, ids)

        raise_rank, raised, first_err, parts = lv._expansions(columns, ids_of)
        child, fps, key, firings, orbit, produced = lv._children(
            parts, rows, pfps, raise_rank if raised else None, gid, radix)
        events: list[tuple] = []
        for r in sorted(set(raised) | set(first_err)):
            if r in raised:
                events.append((int(gid[r]), _RAISED, raised[r]))
            else:
                events += [(int(gid[r]), _FAILED, ref) for ref in first_err[r].values()]
        idle = np.flatnonzero((produced == 0) & (raise_rank == _NONE))
        idle = np.array([r for r in idle.tolist() if r not in first_err], dtype=np.int64)
        if lv.limits.deadlock and idle.size:
            everyone, ids = self.peeked[-1]
            finals = lv.final.fill(columns, everyone, ids)[idle]
            events += [(int(gid[r]), _DEADLOCK, None) for r in idle[finals == 0].tolist()]
        # What commit needs to count, once the coordinator says where the round ends.
        self.expanded = (gid, produced, [(tid, gid[p]) for tid, p in firings],
                         {int(gid[r]): (lv.outcomes[g].group.tid, lv.outcomes[g].partial[o])
                          for r, (g, o) in raised.items()})
        if self.count == 1:
            self.own = (child, fps, key, orbit)
            return [None], events
        firsts = lv._firsts(fps, child, key)  # fewer rows to send: most are duplicates
        child, fps, key = take_rows(child, firsts), fps[firsts], key[firsts]
        orbit = orbit[firsts] if orbit is not None else None
        dest = owner_of(fps, self.count)
        outboxes = []
        for v in range(self.count):
            sel = np.flatnonzero(dest == v)
            box = (take_rows(child, sel), fps[sel], key[sel],
                   None if orbit is None else orbit[sel])
            if v == self.me:
                self.own, box = box, None
            outboxes.append(box)
        return outboxes, events

    def expand_apart(self, b: int, e: int) -> tuple:
        """`expand`, as the events then one box per shard (for a pool that sends each box
        straight to its shard: `RayPool.exchange`)."""
        outboxes, events = self.expand(b, e)
        return (events, *outboxes)

    def receive_from(self, *inbox: tuple) -> list[tuple[int, np.ndarray]]:
        return self.receive(list(inbox))

    def receive(self, inbox: list[tuple]) -> list[tuple[int, np.ndarray]]:
        """Keep the successors this shard owns that it does not store yet; returns the
        values the invariants meet on them that are not known (see probe)."""
        lv = self.lv
        boxes = [self.own] + [box for box in inbox if box is not None]
        rows = np.concatenate([box[0] for box in boxes])
        fps = np.concatenate([box[1] for box in boxes])
        key = np.concatenate([box[2] for box in boxes])
        orbit = None
        if lv.orbits is not None:  # a shard without successors has no orbit sizes either
            orbit = np.concatenate([np.zeros(len(box[1])) if box[3] is None else box[3]
                                    for box in boxes])
        new, _ends = lv._fresh(fps, rows, key)  # the shard's own store adds them later
        self.cand = (take_rows(rows, new), fps[new], key[new],
                     None if orbit is None else orbit[new])
        columns = _Columns(self.cand[0], lv.packing)
        found = []
        base = len(lv.outcomes)
        memos = _memos(lv)
        for mid in range(base, len(memos) - 1):
            found += [(mid, row) for row in memos[mid].peek(columns)[1]]
        return found

    def judge(self) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
        """The order keys of the new states, and (position, invariant, result) of each
        invariant a new state breaks."""
        return self.cand[2], self.lv._broken(self.cand[0], every=True)

    def commit(self, cut: int, gidx: np.ndarray, radix_groups: int) -> tuple:
        """Store the new states whose parent is at most state `cut`, numbered `gidx`; returns
        (transitions, firings per transition, premises seen, orbit sizes, fingerprinted)."""
        lv = self.lv
        rows, fps, key, orbit = self.cand
        take = key // radix_groups <= cut
        rows, fps, key = rows[take], fps[take], key[take]
        assert len(gidx) == len(fps)
        self._store(fps, rows, key // radix_groups, gidx)
        self.next.append((rows, gidx, fps))
        lv._observe_premises(rows)
        gid, produced, firings, raised = self.expanded
        upto = int(np.searchsorted(gid, cut, side="right"))
        fired = np.zeros(len(lv.fired), dtype=np.int64)
        for tid, parents in firings:
            fired[tid] += int(np.searchsorted(parents, cut, side="right"))
        for r, (tid, k) in raised.items():
            if r <= cut:
                fired[tid] += k
        lv._within_budget()
        represented = 0.0 if orbit is None else float(orbit[take].sum())
        self.own = self.cand = self.expanded = None
        return (int(produced[:upto].sum()), fired, set(lv.premise_seen), represented,
                lv.fingerprinted)

    def advance(self) -> None:
        """The level found becomes the level to expand."""
        if self.next:
            self._frontier(np.concatenate([r for r, _, _ in self.next]),
                           np.concatenate([g for _, g, _ in self.next]),
                           np.concatenate([f for _, _, f in self.next]))
        else:
            self._frontier(self.f_rows[:0], self.f_gidx[:0], self.f_fps[:0])
        self.next = []

    def locate(self, g: int) -> tuple[int, int, np.ndarray | None] | None:
        """(fingerprint, parent, row of codes if stored) of state g, if this shard owns it."""
        store = self.lv.store
        i = int(np.searchsorted(self.gidx[:store.n], g))
        if i >= store.n or int(self.gidx[i]) != g:
            return None
        row = (self.lv.packing.unpack(store.rows[i:i + 1])[0] if store.exact else None)
        return int(store.fps[i]), int(store.parents[i]), row


def search(system: System, limits: Limits, pool_of, store: str = "auto",
           symmetric: bool = False) -> Result:
    """A BFS over `system` by the shards of the pool `pool_of(make_shard_args)` makes
    (checker.engines.pools); the result is the level engine's (see the module docstring)."""
    refuse_faults(system)
    with collector_paused():
        return _Coordinator(system, limits, pool_of, store, symmetric).run()


class _Coordinator:
    def __init__(self, system: System, limits: Limits, pool_of, store: str, symmetric: bool):
        self.start = time.perf_counter() if limits.since is None else limits.since
        self.limits = limits
        lv = self.lv = _replica(system, limits, store, symmetric)
        lv._path = self._path  # traces come from the shards
        self.pool = pool_of((system.model, tuple(ci.invariant for ci in system.invariants),
                             Limits(deadlock=limits.deadlock), store, symmetric))
        self.count = self.pool.size
        self.owners: list[np.ndarray] = [
            owner_of(lv.codec.fingerprints(lv.packing.unpack(lv.cur_rows)), self.count)]
        self.owner = self.owners[0]
        self.why_stop = stop_checker(self.start, max_states=None, timeout=limits.timeout,
                                     stop=limits.stop, progress=limits.progress,
                                     since=limits.since)

    def _owner(self, g: int) -> int:
        if g >= len(self.owner):
            self.owner = np.concatenate(self.owners)
            self.owners = [self.owner]
        return int(self.owner[g])

    def _path(self, idx: int) -> tuple[tuple, ...]:
        chain, fps, rows = [], [], []
        while idx >= 0:
            fp, parent, row = self.pool.ask(self._owner(idx), "locate", (idx,))
            chain.append(idx)
            fps.append(fp)
            rows.append(row)
            idx = parent
        fps.reverse()
        rows.reverse()
        lv = self.lv
        if rows[0] is not None and all(r is not None for r in rows) and lv.orbits is None:
            return tuple(lv.codec.decode(r) for r in rows)
        return lv._replay(fps)

    def _learn(self, misses: list[list[tuple[int, np.ndarray]]]) -> None:
        """Teach every shard (and this replica) the values some shard missed, in one order."""
        lv = self.lv
        memos = _memos(lv)
        unique: dict[tuple, np.ndarray] = {}
        for found in misses:
            for mid, row in found:
                unique.setdefault((mid, *row[memos[mid].cols].tolist()), row)
        if not unique:
            return
        ordered = [(k[0], unique[k]) for k in sorted(unique)]
        self.pool.call("learn", [(ordered,)] * self.count)
        _learn(lv, ordered)
        wider = lv.packing.grown(lv.codec)
        if wider is not None:
            lv.packing = wider

    def run(self) -> Result:
        lv, limits = self.lv, self.limits
        initial_broken = lv._broken(lv.cur_rows[:1])
        for _, inv, i in initial_broken:
            lv._event(0, 0, _BROKEN, (inv, lv.results[i][1]))
        n, transitions, deepest, level, limit = 1, 0, 0, 0, ""
        lo, hi, head = 0, 1, 0
        represented = lv.represented
        premises = set(lv.premise_seen)
        fingerprinted = False
        stopped = bool(lv.violations) and limits.stop_at_first
        try:
            while lo < hi and not stopped:
                if limits.max_depth is not None and level >= limits.max_depth:
                    limit, head = f"depth bound {limits.max_depth} reached", n
                    break
                for b in range(lo, hi, ROUND):
                    e = min(hi, b + ROUND)
                    done, added, moved, bound, info = self._round(b, e, n)
                    n += added
                    transitions += moved
                    head = done
                    premises |= info[0]
                    fingerprinted |= info[2]
                    if represented is not None:
                        represented += info[1]
                    if added:
                        deepest = level + 1
                    if bound:
                        limit = bound
                    if bound or (lv.violations and limits.stop_at_first):
                        stopped = True
                        break
                    why = self.why_stop(n, transitions, deepest)
                    if why:
                        limit, stopped = why, True
                        break
                lo, hi, level = hi, n, level + 1
                self.pool.call("advance", [()] * self.count)
        except KeyboardInterrupt:
            limit = INTERRUPTED
        finally:
            self.pool.close()
        pending = head < n or limit == INTERRUPTED
        limit = settled_limit(limit, pending)
        seconds = time.perf_counter() - self.start
        complete = not limit and not (lv.violations and limits.stop_at_first and pending)
        vacuous = () if not complete else tuple(
            name for name, _ in lv.premises if name not in premises)
        omission = (n * max(transitions - n, 0) / 2.0 ** 64 if fingerprinted else None)
        return Result(verdict_of(lv.violations, limit), tuple(lv.violations),
                      Stats(n, transitions, deepest, seconds, omission,
                            None if represented is None else round(represented),
                            lv.symmetry, self.count, self.pool.where),
                      complete, limit, tuple(int(x) for x in lv.fired), vacuous)

    def _round(self, b: int, e: int, n: int) -> tuple:
        """Expand states b..e-1, the next state being number n; returns (states expanded
        up to, states added, transitions, the state bound's message, (premises seen, orbit
        sizes, fingerprinted))."""
        lv, limits, pool, count = self.lv, self.limits, self.pool, self.count
        self._learn(pool.call("probe", [(b, e)] * count))
        expanded, missed = pool.exchange(b, e)
        groups, radix = len(lv.outcomes), _radix(lv)
        self._learn(missed)
        judged = pool.call("judge", [()] * count)
        keys = np.concatenate([k for k, _ in judged])
        whose = np.concatenate([np.full(len(k), w, dtype=np.int64)
                                for w, (k, _) in enumerate(judged)])
        order = np.argsort(keys, kind="stable")
        keys, whose = keys[order], whose[order]
        per = groups * radix
        parents = keys // per
        events: list[tuple] = []
        for w in range(count):
            for g, what, ref in expanded[w]:
                events.append((g, 0, 0, what, ref))
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        offset = 0
        for w, (k, broken) in enumerate(judged):
            for c, inv, i in broken:
                if lv.names[inv] not in lv.violated:
                    p = int(position[offset + c])
                    events.append((int(parents[p]), 1, p, _BROKEN, (inv, i)))
            offset += len(k)
        events.sort(key=lambda x: (x[0], x[1], x[2]))
        cut = e - 1
        if events and limits.stop_at_first:
            cut = events[0][0]
        bound = ""
        if limits.max_states is not None:
            over = np.flatnonzero(n + np.arange(1, len(keys) + 1) >= limits.max_states)
            if over.size and int(parents[over[0]]) <= cut:
                cut = int(parents[over[0]])
                bound = f"state bound {limits.max_states} reached"
        kept = int(np.searchsorted(parents, cut, side="right"))
        gidx = n + np.arange(kept, dtype=np.int64)
        mine = whose[:kept]
        committed = pool.call("commit", [(cut, gidx[mine == w], per) for w in range(count)])
        self.owners.append(mine.astype(np.int8))
        moved = sum(c[0] for c in committed)
        for c in committed:
            lv.fired += c[1]
        info = (set().union(*(c[2] for c in committed)), sum(c[3] for c in committed),
                any(c[4] for c in committed))
        for g, _, p, what, ref in events:
            if g > cut:
                break
            self._event(g, n + p, what, ref)
        return cut + 1, kept, moved, bound, info

    def _event(self, parent: int, child: int, what: str, ref) -> None:
        lv = self.lv
        if what == _RAISED:
            g, o = ref
            lv._event(parent, child, what, lv.outcomes[g].raised[o])
        elif what == _FAILED:
            g, o, k = ref
            lv._event(parent, child, what, lv.outcomes[g].errs[o][k])
        elif what == _DEADLOCK:
            lv._event(parent, child, what, None)
        else:
            inv, i = ref
            lv._event(parent, child, what, (inv, lv.results[i][1]))
