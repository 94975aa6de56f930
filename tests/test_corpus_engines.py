"""Every untimed spec of the repository (the seeds and the hand-computed test models) through
every untimed engine configuration, going on after violations so that every property is
decided: the level engine with exact rows and with fingerprints only, and the partitioned
search on 2 shards, and the search that keeps the graph for liveness, give the reference
engine's result field for field (verdict, counts,
depth, coverage, vacuity, every violation's trace); partial-order reduction gives its verdict,
violated properties and vacuity.
"""

from __future__ import annotations

import pytest
from conftest import ROOT
from test_level_differential import _summary

from checker.diagnostics import CheckError
from checker.engines import bfs, fewest, graph, level, pools, por, shards
from checker.engines.common import Limits
from checker.load import load_spec

UNTIMED = []
for folder in ("specs", "tests/models"):
    for path in sorted((ROOT / folder).glob("*.spec")):
        try:
            loaded = load_spec(str(path))
        except CheckError:
            continue
        if not loaded.model.timed:
            UNTIMED.append(str(path.relative_to(ROOT)))


def test_the_corpus_is_what_we_think():
    assert len(UNTIMED) == 22  # 14 forwarding and Azure seeds, 8 test-model specs
    assert sum(load_spec(str(ROOT / s)).system.has_faults for s in UNTIMED) == 4


def _counts(r) -> tuple:
    return (r.verdict, r.stats.states, r.stats.transitions, r.complete, r.fired,
            {v.property for v in r.violations}, r.vacuous)


@pytest.mark.parametrize("spec", UNTIMED)
def test_every_engine_agrees(spec):
    loaded = load_spec(str(ROOT / spec))
    limits = Limits(deadlock=loaded.config.deadlock, max_states=loaded.config.max_states,
                    max_depth=loaded.config.max_depth, stop_at_first=False)
    if loaded.system.has_faults:
        # Faults: the fewest-faults search and the graph search (same order, same traces)
        # count what the reference counts; the engines that know no faults refuse.
        plain = bfs.search(loaded.system, limits)
        fewest_first = fewest.search(loaded.system, limits)
        kept, _ = graph.search(loaded.system, limits)
        assert _summary(kept) == _summary(fewest_first)
        assert _counts(fewest_first) == _counts(plain)
        for refused in (lambda: level.search(loaded.system, limits),
                        lambda: por.search(loaded.system, limits)):
            with pytest.raises(ValueError, match="faults"):
                refused()
        return
    reference = _summary(bfs.search(loaded.system, limits))
    assert _summary(level.search(loaded.system, limits, store="exact")) == reference
    fingerprints = level.search(loaded.system, limits, store="fingerprint")
    assert _summary(fingerprints) == reference
    assert fingerprints.stats.omission is not None
    two = shards.search(loaded.system, limits, lambda args: pools.InlinePool(2, args))
    assert _summary(two) == reference
    kept, _ = graph.search(loaded.system, limits)  # the liveness search's safety findings
    assert _summary(kept) == reference
    reduced = por.search(loaded.system, limits)
    plain = bfs.search(loaded.system, limits)
    assert (reduced.verdict, {v.property for v in reduced.violations}, reduced.vacuous) == (
        plain.verdict, {v.property for v in plain.violations}, plain.vacuous)
