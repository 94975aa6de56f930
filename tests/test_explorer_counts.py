"""Exact state and transition counts on models whose state spaces are computed by hand."""

from __future__ import annotations

import math

import pytest
from conftest import MODELS, check

from checker.properties import ASSERT, DEADLOCK


@pytest.mark.parametrize("k,m", [(1, 1), (2, 3), (3, 2), (4, 2), (3, 3)])
def test_independent_counters(tmp_path, k, m):
    # Each counter is independent: (m+1)^k states; every state has one increment per counter
    # that has not reached m, so transitions = k * m * (m+1)^(k-1).
    _, r = check(tmp_path, MODELS / "counters.model", consts={"K": k, "M": m},
                 symmetry="off")
    assert r.verdict == "holds"
    assert r.stats.states == (m + 1) ** k
    assert r.stats.transitions == k * m * (m + 1) ** (k - 1)
    assert r.stats.depth == k * m
    # The counters are interchangeable: one state per multiset of k values in 0..m.
    _, s = check(tmp_path, MODELS / "counters.model", consts={"K": k, "M": m})
    assert s.verdict == "holds"
    assert s.stats.states == (math.comb(m + k, k) if k > 1 else m + 1)
    assert (s.stats.represented or s.stats.states) == (m + 1) ** k
    assert s.stats.depth == k * m


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_replicated_actors_two_steps(tmp_path, n):
    _, r = check(tmp_path, MODELS / "two_steps.model", consts={"N": n}, symmetry="off")
    assert r.stats.states == 3 ** n
    assert r.stats.transitions == 2 * n * 3 ** (n - 1)
    assert r.stats.depth == 2 * n
    _, s = check(tmp_path, MODELS / "two_steps.model", consts={"N": n})
    assert s.stats.states == math.comb(n + 2, 2)  # multisets of n of the 3 walker states
    assert (s.stats.represented or s.stats.states) == 3 ** n


def _fifo_counts(cap: int, total: int) -> tuple[int, int]:
    """Count (sent, received) pairs and enabled moves by direct enumeration of the definition."""
    states = transitions = 0
    for sent in range(total + 1):
        for received in range(sent + 1):
            if sent - received > cap:
                continue
            states += 1
            transitions += (sent < total and sent - received < cap) + (received < sent)
    return states, transitions


@pytest.mark.parametrize("cap,total", [(1, 1), (1, 3), (2, 4), (3, 3), (4, 2), (5, 5)])
def test_fifo_channel_fill_and_drain(tmp_path, cap, total):
    _, r = check(tmp_path, MODELS / "fifo.model",
                 "invariant in_order: pending(Item) <= K\nexpect holds",
                 consts={"K": cap, "T": total})
    states, transitions = _fifo_counts(cap, total)
    assert r.verdict == "holds"  # FIFO: the consumer's in-order assert never fails
    assert r.stats.states == states
    assert r.stats.transitions == transitions


def test_fifo_closed_form(tmp_path):
    # With capacity k and k items the pairs are exactly received <= sent <= k: (k+1)(k+2)/2.
    for k in range(1, 6):
        _, r = check(tmp_path, MODELS / "fifo.model", consts={"K": k, "T": k})
        assert r.stats.states == (k + 1) * (k + 2) // 2


def test_full_channel_blocks_the_sender(tmp_path):
    # Capacity 1: the producer can never be two items ahead.
    _loaded, r = check(tmp_path, MODELS / "fifo.model",
                      "invariant ahead: Producer.sent - Consumer.received <= 1\nexpect holds",
                      consts={"K": 1, "T": 3})
    assert r.verdict == "holds"
    assert r.stats.states == 7


def test_unordered_channel_reorders(tmp_path):
    _loaded, r = check(tmp_path, MODELS / "bag.model", "expect violated", consts={"K": 2, "T": 2})
    assert r.verdict == "violated"
    v = r.violations[0]
    assert v.kind is ASSERT
    assert v.message == "items arrive in the order they were sent"
    assert len(v.path) == 3  # two sends, then the second item is delivered first


def test_pick_and_choose_fan_out(tmp_path):
    _, r = check(tmp_path, MODELS / "nondeterminism.model")
    # Start; pick -> x in 0..3 (4); give_up for x < 3 (3); choose for x == 3 (2).
    assert r.stats.states == 1 + 4 + 3 + 2
    assert r.stats.transitions == 4 + 3 + 2


def test_deadlock_detected_in_initial_state(tmp_path):
    _, r = check(tmp_path, MODELS / "deadlock.model", "expect violated")
    assert r.verdict == "violated"
    assert r.violations[0].kind is DEADLOCK
    assert len(r.violations[0].path) == 1


def test_no_deadlock_when_one_side_starts(tmp_path):
    _, r = check(tmp_path, MODELS / "deadlock.model", "expect holds", consts={"GO": True})
    assert r.verdict == "holds"
    # Initial; Left starts (Hello queued to Right); Right handles it and replies. The reply
    # stays queued for Left, which is Done with no handler there: both final, no deadlock.
    assert r.stats.states == 3
    assert r.stats.transitions == 2


def test_dfs_explores_the_same_states(tmp_path):
    _, bfs = check(tmp_path, MODELS / "counters.model", consts={"K": 3, "M": 3},
                   symmetry="off")
    _, dfs = check(tmp_path, MODELS / "counters.model", consts={"K": 3, "M": 3}, search="dfs")
    assert bfs.stats.states == dfs.stats.states == 64
    assert bfs.stats.transitions == dfs.stats.transitions


def test_max_states_is_inconclusive_not_holds(tmp_path):
    _, r = check(tmp_path, MODELS / "counters.model", consts={"K": 3, "M": 3}, max_states=10)
    assert r.verdict == "inconclusive"
    assert "state bound 10" in r.limit
    assert not r.complete


def test_depth_bound_is_inconclusive(tmp_path):
    _, r = check(tmp_path, MODELS / "counters.model", "bound depth 2\nexpect holds",
                 consts={"K": 3, "M": 3})
    assert r.verdict == "inconclusive"
    assert r.stats.depth == 2


def test_timeout_is_inconclusive(tmp_path):
    _, r = check(tmp_path, MODELS / "counters.model", consts={"K": 6, "M": 6}, timeout=0.0)
    assert r.verdict == "inconclusive"
    assert "timeout" in r.limit


def test_vacuous_invariant_is_flagged(tmp_path):
    _, r = check(tmp_path, MODELS / "nondeterminism.model",
                 "invariant never: Chooser.x == 2 and Chooser at Start implies Chooser.x == 0\n"
                 "invariant sometimes: Chooser at Chosen implies Chooser.x <= 3\nexpect holds")
    assert r.vacuous == ("never",)


def test_initial_state_is_checked(tmp_path):
    _, r = check(tmp_path, MODELS / "counters.model",
                 "invariant nonzero: Counter[0].x > 0\nexpect violated")
    assert r.verdict == "violated"
    assert len(r.violations[0].path) == 1


def test_coverage_counts_firings(tmp_path):
    loaded, r = check(tmp_path, MODELS / "deadlock.model", "expect holds", consts={"GO": True})
    fired = {t.label: r.fired[t.id] for t in loaded.system.transitions if t.actor == "Left"}
    assert fired == {"step start": 1, "on Hello": 0}


def test_send_to_an_offset_instance_reaches_it(tmp_path):
    """`B[index(self) + 1]` is known from `self` alone, so only that channel exists; the send
    used to be compiled as an offset into a block of channels that did not exist, and A[1]'s
    token landed in Z -> C's channel (a wrong verdict in every engine)."""
    model = tmp_path / "m.model"
    model.write_text(
        "protocol m\nmessage Tok\n"
        "actor A[2] {\n  state S initial\n  state D final\n"
        "  step go in S { send Tok to B[index(self) + 1]\n goto D }\n}\n"
        "actor B[3] {\n  var toks: 0..2 = 0\n  state S initial final\n"
        "  on Tok { toks = toks + 1 }\n}\n"
        "actor C {\n  var weird: bool = false\n  state S initial final\n"
        "  on Tok { weird = true }\n}\n"
        "actor Z {\n  state S initial final\n  step never when false { send Tok to C }\n}\n")
    body = ("invariant c_never: not C.weird\n"
            "invariant b0_never: B[0].toks == 0\n"
            "invariant b2_gets_one: B[2].toks <= 1\n"
            "invariant both: not (B[1].toks == 1 and B[2].toks == 1)\n"
            "deadlock off\nexpect violated")
    for symmetry in ("off", "auto"):
        _, r = check(tmp_path, model, body, all_violations=True, symmetry=symmetry)
        # A[0] -> B[1], A[1] -> B[2], each once: only `both` can be violated (4 steps).
        assert [cx.property.name for cx in r.counterexamples] == ["both"]
        assert len(r.counterexamples[0].violation.path) == 5
