"""The allocation's repair (``allocation._repair``): a member left with nothing after every
round takes a full partner's spare pair, and nobody loses their only suggestion for it."""

from __future__ import annotations

import numpy as np
import pytest

from joren.tenants.introductions import allocation


def _held(n: int, i: np.ndarray, j: np.ndarray, got: np.ndarray) -> np.ndarray:
    return np.bincount(np.r_[i[got], j[got]], minlength=n)


def _crowded():
    # 1–2, 1–3 and 2–3 are confirmed; 0–1 only a fallback: the confirmed firsts fill 1, and
    # the seconds give 2 and 3 their second suggestions before 0 can look.
    i, j = np.array([1, 1, 2, 0]), np.array([2, 3, 3, 1])
    score = np.array([0.9, 0.9, 0.8, 0.1])
    return i, j, score, np.array([0, 1, 2]), np.array([3])


def test_a_member_left_with_nothing_takes_a_full_partners_spare_pair(monkeypatch):
    i, j, score, good, fallback = _crowded()
    monkeypatch.setattr(allocation, "REPAIR", False)
    before = allocation.allocate(4, i, j, score, good, np.full(4, 2), None, fallback=fallback)
    assert _held(4, i, j, before).tolist() == [0, 2, 2, 2]
    monkeypatch.setattr(allocation, "REPAIR", True)
    got = allocation.allocate(4, i, j, score, good, np.full(4, 2), None, fallback=fallback)
    held = _held(4, i, j, got)
    assert 3 in got.tolist()                       # 0 got its only pair
    assert (held >= 1).all() and (held <= 2).all()
    assert sorted(held.tolist()) == [1, 1, 2, 2]


def test_nobody_gives_up_their_only_suggestion():
    # 0 is everyone's favourite; 1..4 each have 0 and one partner of their own (5..8), and
    # each of those holds one suggestion only: 0 may take none of them.
    i = np.array([0, 0, 0, 0, 1, 2, 3, 4])
    j = np.array([1, 2, 3, 4, 5, 6, 7, 8])
    score = np.array([0.9, 0.9, 0.9, 0.9, 0.2, 0.2, 0.2, 0.2])
    got = allocation.allocate(9, i, j, score, np.arange(8), np.full(9, 1), None)
    held = _held(9, i, j, got)
    assert held[0] == 0 and (held[1:] == 1).all()


def test_a_pending_suggestion_counts_as_one_held():
    # 2's only pair this cycle is with 1, confirmed; 0's only pair is a fallback with 2 (cap
    # 1 for 1 and 2). Where 1 holds a pending suggestion it keeps one after giving the pair
    # up, so 2 takes 0 instead; where it holds none it keeps the pair and 0 goes without.
    i, j = np.array([1, 0]), np.array([2, 2])
    score = np.array([0.9, 0.1])
    pending = allocation.allocate(3, i, j, score, np.array([0]), np.array([2, 1, 1]),
                                  np.array([0, 1, 0]), fallback=np.array([1]))
    assert pending.tolist() == [1]
    none = allocation.allocate(3, i, j, score, np.array([0]), np.array([2, 1, 1]),
                               np.array([0, 0, 0]), fallback=np.array([1]))
    assert none.tolist() == [0]


@pytest.mark.parametrize("seed", range(8))
def test_the_repair_covers_more_and_leaves_nothing_to_repair(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    n = 50
    i = rng.integers(0, n, 160)
    j = (i + rng.integers(1, n, 160)) % n
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    _, first = np.unique(lo * n + hi, return_index=True)
    i, j = lo[np.sort(first)], hi[np.sort(first)]
    score = rng.random(len(i))
    good = np.flatnonzero(score > 0.5)
    fallback = np.flatnonzero((score <= 0.5) & (score > 0.2))
    room = np.full(n, 2)
    monkeypatch.setattr(allocation, "REPAIR", False)
    plain = allocation.allocate(n, i, j, score, good, room, None, fallback=fallback)
    monkeypatch.setattr(allocation, "REPAIR", True)
    got = allocation.allocate(n, i, j, score, good, room, None, fallback=fallback)
    before, after = _held(n, i, j, plain), _held(n, i, j, got)
    assert (after <= 2).all() and len(set(got.tolist())) == len(got)
    assert set(got.tolist()) <= set(np.r_[good, fallback].tolist())
    assert ((after > 0) | (before == 0)).all()     # nobody covered before is left out
    assert (after > 0).sum() >= (before > 0).sum()
    # Fallback pairs are still firsts only: one end held nothing else.
    chosen = set(got.tolist())
    for k in set(fallback.tolist()) & chosen:
        assert min(after[i[k]], after[j[k]]) == 1
    # Nothing left to repair: a member holding nothing has no allowed pair to a partner
    # with room, nor to one holding a pair whose other member holds two.
    for k in np.r_[good, fallback].tolist():
        for p, q in ((int(i[k]), int(j[k])), (int(j[k]), int(i[k]))):
            if after[p]:
                continue
            assert after[q] >= 2
            others = [int(i[x]) if int(j[x]) == q else int(j[x]) for x in chosen
                      if q in (int(i[x]), int(j[x]))]
            assert all(after[o] < 2 for o in others)
