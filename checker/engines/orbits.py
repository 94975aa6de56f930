"""Canonical states of orbits under the symmetry of replicated actors (`checker.symmetry`), in
numpy, for the level engine.

A state's canonical form sorts, for each symmetry class, the instance blocks of its row
(block k: instance k's slots, in the class's common order; corresponding slots share one code
table, so equal values have equal codes). Two states are in one orbit exactly when their
canonical forms are equal. The orbit's size is N! divided by the product of m! over each run
of m equal blocks (and multiplied over classes): summed over the canonical states a search
finds, it is the number of states the unreduced search finds, which the tests check.
"""

from __future__ import annotations

import math

import numpy as np

from checker.engines.store import Codec
from checker.symmetry import Symmetry


class Orbits:
    def __init__(self, symmetry: Symmetry, codec: Codec):
        self.codec = codec
        self.blocks = [np.array(c.blocks, dtype=np.intp) for c in symmetry.classes]

    def canonical(self, rows: np.ndarray) -> np.ndarray:
        """Each row's orbit size; the rows are replaced by their canonical forms in place."""
        size = np.ones(len(rows), dtype=np.float64)
        for cols in self.blocks:
            size *= self._sort_blocks(rows, cols)
        return size

    def _sort_blocks(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        n, count = len(rows), cols.shape[0]
        if n == 0:
            return np.ones(0, dtype=np.float64)
        blocks = rows[:, cols]  # (n, N, B)
        bits = [max(1, (self.codec.size(int(c)) - 1).bit_length()) for c in cols[0]]
        if sum(bits) <= 63:
            # The first slot in the most significant bits: the same lexicographic order as the
            # column-by-column sort below, so a state's canonical form does not change when its
            # blocks outgrow 63 bits mid-search.
            key = np.zeros((n, count), dtype=np.int64)
            shift = sum(bits)
            for i, b in enumerate(bits):
                shift -= b
                key |= blocks[:, :, i].astype(np.int64) << shift
            # The order of equal blocks does not matter; keys are exact, so any sort works.
            perm = np.argsort(key, axis=1)
        else:
            perm = np.broadcast_to(np.arange(count), (n, count)).copy()
            for i in reversed(range(cols.shape[1])):
                column = np.take_along_axis(blocks[:, :, i], perm, axis=1)
                perm = np.take_along_axis(perm, np.argsort(column, axis=1, kind="stable"),
                                          axis=1)
        ordered = np.take_along_axis(blocks, perm[:, :, None], axis=1)
        rows[:, cols.reshape(-1)] = ordered.reshape(n, -1)
        same = (ordered[:, 1:] == ordered[:, :-1]).all(axis=2)  # (n, N-1)
        run = np.ones(n, dtype=np.float64)
        repeats = np.ones(n, dtype=np.float64)  # product of m! over runs of m equal blocks
        for j in range(count - 1):
            run = np.where(same[:, j], run + 1, 1.0)
            repeats *= run
        return math.factorial(count) / repeats
