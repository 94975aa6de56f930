"""The level engine's storage: states as rows of small codes, 64-bit fingerprints, and a
visited set that is an open-addressing table over numpy arrays.

`Codec` interns each slot's values (control states, variables, channel contents) into codes
0, 1, 2, ... per slot, and `Packing` puts a state's codes into a few 64-bit words.
`fingerprints` is tabulation hashing: the XOR over slots of a random
64-bit word per (slot, code), which a successor updates incrementally from its parent (only
the written slots change). The words come from splitmix64 of (slot, code), so they are the
same in every run and need no table to be grown by hand.

`Visited` starts exact: a fingerprint match is confirmed by comparing the stored rows, and a
collision just probes on. `forget_rows` turns it into a fingerprint set (TLC's mode): a
fingerprint match then counts as "seen", so two states with one fingerprint would lose the
second (probability about d·(g−d)/2^64 for d states and g generated successors, which the
engine reports). Python's `hash()` is not used anywhere here (it collides on structured values
and changes with PYTHONHASHSEED).
"""

from __future__ import annotations

import os

import numpy as np


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, element-wise on uint64 (a bijection with good avalanche)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


class Codec:
    """Per-slot interning of values to codes, and the tabulation words of every code."""

    def __init__(self, width: int, shared: dict[int, int] | None = None):
        """`shared`: slot -> another slot whose codes it uses (corresponding slots of
        interchangeable instances must give a value the same code, so blocks compare)."""
        self.width = width  # slots
        own_values: list[list] = [[] for _ in range(width)]
        own_codes: list[dict] = [{} for _ in range(width)]
        table = [(shared or {}).get(i, i) for i in range(width)]
        # Aliases: a slot that shares another's codes has the very same list and dict.
        self.values: list[list] = [own_values[t] for t in table]
        self.codes: list[dict] = [own_codes[t] for t in table]
        self.words = np.zeros((width, 0), dtype=np.uint64)  # words[slot, code]

    def code(self, slot: int, value: object) -> int:
        codes = self.codes[slot]
        c = codes.get(value)
        if c is None:
            c = codes[value] = len(self.values[slot])
            self.values[slot].append(value)
            if c >= self.words.shape[1]:
                self._grow(c + 1)
        return c

    def _grow(self, needed: int) -> None:
        old = self.words.shape[1]
        new = max(needed, 2 * old, 16)
        slots = np.arange(self.width, dtype=np.uint64)[:, None]
        codes = np.arange(old, new, dtype=np.uint64)[None, :]
        fresh = splitmix64((slots << np.uint64(32)) | codes)
        self.words = np.concatenate([self.words, fresh], axis=1)

    def encode(self, state: tuple) -> list[int]:
        return [self.code(i, v) for i, v in enumerate(state)]

    def known(self, state: tuple) -> list[int] | None:
        """The codes of a state, None if some value has none (nothing is interned)."""
        codes = []
        for i, v in enumerate(state):
            c = self.codes[i].get(v)
            if c is None:
                return None
            codes.append(c)
        return codes

    def encode_all(self, states: list[tuple]) -> np.ndarray:
        """Rows of many states, a slot at a time (how the level engine takes over a search)."""
        out = np.zeros((len(states), self.width), dtype=np.int64)
        for i, column in enumerate(zip(*states)):
            for v in dict.fromkeys(column):  # first-seen order: codes do not depend on hashing
                self.code(i, v)
            out[:, i] = np.fromiter(map(self.codes[i].__getitem__, column), dtype=np.int64,
                                    count=len(column))
        return out

    def decode(self, row: np.ndarray) -> tuple:
        values = self.values
        return tuple(values[i][c] for i, c in enumerate(row.tolist()))

    def size(self, slot: int) -> int:
        return len(self.values[slot])

    def fingerprints(self, rows: np.ndarray) -> np.ndarray:
        fp = np.zeros(len(rows), dtype=np.uint64)
        for i in range(self.width):
            fp ^= self.words[i, rows[:, i]]
        return fp


class Packing:
    """Where each slot's code sits in a row of 64-bit words: a state is a few words (2 for the
    forwarding model with 7 invocations, against 56 bytes at a byte per slot), so building,
    comparing and storing successors moves a fraction of the memory.

    A slot gets the bits its codes need now, and no more: at a handover from the reference
    engine most slots have all their values (booleans, control states), and 4x room for each
    had made the forwarding model's rows 4 words instead of 2. `grown` gives the layout to
    repack into when some slot outgrows its bits, with room for twice its codes then (a slot
    that grows once tends to grow again; repacks are rare and early: codes are interned as
    values first appear)."""

    def __init__(self, bits: list[int]):
        self.bits = list(bits)
        word, shift, w, at = [], [], 0, 0
        for b in self.bits:
            if at + b > 64:
                w, at = w + 1, 0
            word.append(w)
            shift.append(at)
            at += b
        self.word = word
        self.shift = [np.uint64(x) for x in shift]
        self.mask = [np.uint64((1 << b) - 1) for b in self.bits]
        self.words = w + 1

    @staticmethod
    def _bits(codes: int) -> int:
        return min(64, max(1, (max(codes, 1) - 1).bit_length()))

    @classmethod
    def for_codec(cls, codec: Codec) -> Packing:
        return cls([cls._bits(codec.size(i)) for i in range(codec.width)])

    def grown(self, codec: Codec) -> Packing | None:
        """A wider layout if some slot has more codes than its bits hold, else None."""
        if all(codec.size(i) <= 1 << b for i, b in enumerate(self.bits)):
            return None
        return Packing([b if codec.size(i) <= 1 << b else self._bits(2 * codec.size(i))
                        for i, b in enumerate(self.bits)])

    def pack(self, codes: np.ndarray) -> np.ndarray:
        out = np.zeros((len(codes), self.words), dtype=np.uint64)
        codes = codes.astype(np.uint64, copy=False)
        for i in range(len(self.bits)):
            out[:, self.word[i]] |= codes[:, i] << self.shift[i]
        return out

    def unpack(self, words: np.ndarray) -> np.ndarray:
        out = np.empty((len(words), len(self.bits)), dtype=np.int64)
        for i in range(len(self.bits)):
            out[:, i] = self.column(words, i)
        return out

    def column(self, words: np.ndarray, i: int) -> np.ndarray:
        """Slot i's codes, as int64 (a view: codes are far below 2^63; numpy indexes with
        int64 arrays without the cast that uint64 ones cost)."""
        return ((words[:, self.word[i]] >> self.shift[i]) & self.mask[i]).view(np.int64)

    def put(self, words: np.ndarray, i: int, codes: np.ndarray) -> None:
        """Set slot i to `codes` (uint64) in every row of `words`."""
        w, sh = self.word[i], self.shift[i]
        words[:, w] = (words[:, w] & ~(self.mask[i] << sh)) | (codes << sh)


class Visited:
    """Every state found: its fingerprint, parent (by index, in discovery order) and, while
    exact, its row; and an open-addressing table from fingerprint to index, at most 60% full."""

    def __init__(self, width: int, dtype: np.dtype, exact: bool = True):
        self.n = 0
        self.exact = exact
        self.rows = np.zeros((1024 if exact else 0, width), dtype=dtype)
        self.fps = np.zeros(1024, dtype=np.uint64)
        # int32 indices: 2^31 states are far beyond one machine's memory.
        self.parents = np.zeros(1024, dtype=np.int32)
        self.table = np.full(2048, -1, dtype=np.int32)

    def repack(self, old: Packing, new: Packing) -> None:
        """Store every row in the wider layout (a chunk at a time: unpacked codes are big)."""
        rows = np.zeros((len(self.rows), new.words), dtype=np.uint64)
        for at in range(0, self.n, 1 << 20):
            chunk = self.rows[at:at + (1 << 20)]
            rows[at:at + len(chunk)] = new.pack(old.unpack(chunk))
        self.rows = rows

    def forget_rows(self) -> None:
        """From now on, a fingerprint match means "seen" (see the module docstring)."""
        self.exact = False
        self.rows = self.rows[:0].copy()

    def bytes_used(self) -> int:
        return self.rows.nbytes + self.fps.nbytes + self.parents.nbytes + self.table.nbytes

    def _slots(self, fps: np.ndarray) -> np.ndarray:
        return (fps & np.uint64(len(self.table) - 1)).astype(np.int64)

    def lookup(self, fps: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each (distinct) candidate, whether an equal state is stored; and, for those
        that are not, the free slot where the probe ended: where `add` starts placing them
        (it need not probe the same occupied slots again)."""
        found = np.zeros(len(fps), dtype=bool)
        pending = np.arange(len(fps))
        pos = self._slots(fps)
        mask = len(self.table) - 1
        while pending.size:
            idx = self.table[pos[pending]]
            occupied = idx >= 0
            pending, idx = pending[occupied], idx[occupied]
            hit = self.fps[idx] == fps[pending]
            if hit.any() and not self.exact:
                found[pending[hit]] = True
                pending = pending[~hit]
            elif hit.any():
                h = np.flatnonzero(hit)
                eq = same_rows(take_rows(self.rows, idx[h]), take_rows(rows, pending[h]))
                found[pending[h[eq]]] = True
                hit[h[~eq]] = False  # the same fingerprint, another state: probe on
                pending = pending[~hit]
            pos[pending] = (pos[pending] + 1) & mask
        return found, pos

    def add(self, fps: np.ndarray, rows: np.ndarray, parents: np.ndarray,
            ends: np.ndarray | None = None) -> None:
        """Store new states (not already stored, distinct), in order; `ends`: where lookup's
        probes for them ended, if no state was added since."""
        k = len(fps)
        size = len(self.table)
        self._reserve(self.n + k)
        if self.exact:
            self.rows[self.n:self.n + k] = rows
        self.fps[self.n:self.n + k] = fps
        self.parents[self.n:self.n + k] = parents
        # A table rebuilt to grow has every state elsewhere: probe from the start then.
        start = ends if ends is not None and len(self.table) == size else None
        self._insert(np.arange(self.n, self.n + k, dtype=np.int32), start)
        self.n += k

    def _reserve(self, n: int) -> None:
        if n > len(self.fps):
            cap = max(n, 2 * len(self.fps))
            if cap > 1 << 20:
                # A large search: reserve room for all it can hold at once. numpy's zeroed
                # arrays are fresh pages that cost nothing until written, so there are no
                # more copies into doubled arrays (each made the peak twice the states).
                # Small searches do not pay for mapping that much.
                row = self.rows.shape[1] * self.rows.dtype.itemsize if self.exact else 0
                cap = max(cap, _reservation(row + 12))
            if self.exact:
                self.rows = _grown(self.rows, cap)
            self.fps = _grown(self.fps, cap)
            self.parents = _grown(self.parents, cap)
        if 5 * n > 3 * len(self.table):
            size = len(self.table)
            while 5 * n > 3 * size:
                size *= 2
            self.table = np.empty(0, dtype=np.int32)  # free the old table first: no 1.5x peak
            self.table = np.full(size, -1, dtype=np.int32)
            for at in range(0, self.n, 1 << 20):  # in chunks: the probing arrays stay small
                self._insert(np.arange(at, min(self.n, at + (1 << 20)), dtype=np.int32))

    def _insert(self, ids: np.ndarray, start: np.ndarray | None = None) -> None:
        """Place states in the table, probing from their fingerprints' slots (or `start`:
        every slot before it on their probe sequence is taken; two states of one batch may
        share a start, and the second probes on)."""
        mask = len(self.table) - 1
        pos = self._slots(self.fps[ids]) if start is None else start.astype(np.int64)
        pending = np.arange(len(ids))
        while pending.size:
            p = pos[pending]
            free = self.table[p] < 0
            claim = pending[free]
            self.table[pos[claim]] = ids[claim]  # of several claims on one slot, one wins
            won = np.zeros(len(pending), dtype=bool)
            won[free] = self.table[pos[claim]] == ids[claim]
            pending = pending[~won]
            pos[pending] = (pos[pending] + 1) & mask


def physical_memory() -> int:
    """This machine's memory in bytes (4 GiB if it cannot be told)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 4 << 30


def _reservation(bytes_per_state: int) -> int:
    """States to reserve room for: 2^26, or what a quarter of memory holds if less."""
    return max(1024, min(1 << 26, physical_memory() // 4 // max(bytes_per_state, 1)))


def take_rows(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """a[idx] for a 2-D array and 1-D integer indices: np.take runs a plain copy loop per
    row, 10-17x faster than fancy indexing's general iterator on rows of a few words."""
    return np.take(a, idx, axis=0)


def same_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise equality of two C-contiguous arrays of padded rows, a 64-bit word at a time."""
    return (np.ascontiguousarray(a).view(np.uint64)
            == np.ascontiguousarray(b).view(np.uint64)).all(axis=1)


def _grown(a: np.ndarray, cap: int) -> np.ndarray:
    # np.zeros maps fresh pages lazily: only the copied part is touched. (ndarray.resize
    # zero-fills the whole new capacity, which made the peak worse, not better.)
    out = np.zeros((cap, *a.shape[1:]), dtype=a.dtype)
    out[:len(a)] = a
    return out
