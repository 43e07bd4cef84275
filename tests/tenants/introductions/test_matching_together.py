"""Meetups attended together from the attendance register: counted only for the pairs the
engine scores, and co-attendees as candidates in a large community."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from joren.tenants.introductions import together
from joren.tenants.introductions.features import Features, History, Profile
from joren.tenants.introductions.history_keys import met_counts
from joren.tenants.introductions.matching import rank_among, suggest

RECRUITER = ("採用支援・求人広告の運用代行",)
HIRING_PAIN = ("採用に課題。求人を出しても応募が来ない",)


def register(rows: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(rows, np.int64).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


def test_counts_on_a_hand_built_register():
    features = Features([Profile(i) for i in (10, 20, 30, 40)])
    rows = [(10, 1), (20, 1), (30, 1), (10, 2), (20, 2), (10, 2),   # a duplicate entry
            (40, 3), (20, 3), (99, 1), (99, 2)]                      # 99: not a member here
    history = History(attendance=register(rows))
    everyone = list(combinations((10, 20, 30, 40), 2))
    assert met_counts(features, history, everyone) == {
        (10, 20): 2, (10, 30): 1, (10, 40): 0, (20, 30): 1, (20, 40): 1, (30, 40): 0}
    # An explicit count overrides the register for its pair only.
    explicit = History(attendance=register(rows), met_together={(20, 10): 5})
    assert met_counts(features, explicit, [(10, 20), (10, 30)]) == {(10, 20): 5, (10, 30): 1}


def test_counts_agree_with_sets_on_a_random_register(monkeypatch):
    rng = np.random.default_rng(7)
    ids = rng.permutation(np.arange(1, 61)) * 3
    features = Features([Profile(int(i)) for i in ids])
    members, meetups = rng.choice(ids, 400), rng.integers(1, 13, 400)
    history = History(attendance=(members, meetups))
    seen: dict[int, set[int]] = {}
    for m, t in zip(members.tolist(), meetups.tolist(), strict=True):
        seen.setdefault(m, set()).add(t)
    pairs = [(int(a), int(b)) for a, b in combinations(sorted(ids.tolist()), 2)]
    expected = {(a, b): len(seen.get(a, set()) & seen.get(b, set())) for a, b in pairs}
    assert met_counts(features, history, pairs) == expected
    # The bit masks, the sparse row products and the popcount without numpy 2 all agree.
    m, _ = together.incidence(features.ids, (members, meetups))
    i, j = np.triu_indices(len(ids), 1)
    by_bits = together.count(m, i, j, together.masks(m))
    assert (by_bits == together.count(m, i, j)).all()
    monkeypatch.delattr(np, "bitwise_count", raising=False)
    assert (together.count(m, i, j, together.masks(m)) == by_bits).all()


def test_a_long_register_is_counted_with_row_products():
    ids = np.arange(1, 6)
    meetups = np.arange(2000)                  # more meetups than the bit masks hold
    m, _ = together.incidence(ids, (np.r_[np.full(2000, 1), [2, 2, 3]],
                                    np.r_[meetups, [0, 1999, 5]]))
    assert together.masks(m) is None
    assert together.count(m, np.array([0, 0, 1]), np.array([1, 2, 2])).tolist() == [2, 1, 0]


def test_the_register_gives_met_not_spoken_and_spoken_pairs_no_bonus():
    text = dict(offers=RECRUITER, asks=HIRING_PAIN)
    features = Features([Profile(1, **text), Profile(2, **text), Profile(3, **text)])
    rows = register([(1, 7), (2, 7), (3, 7), (1, 8), (2, 8), (3, 8)])
    history = History(attendance=rows, spoken=frozenset({(3, 1)}))
    top = rank_among(features, history, [1, 2, 3])[1][0]
    assert top.b == 2
    assert [r.params for r in top.reasons if r.code == "met_not_spoken"] == [
        {"a": 1, "b": 2, "meetups": 2}]
    spoken = [s for s in rank_among(features, history, [1, 2, 3])[1] if s.b == 3]
    assert spoken and "met_not_spoken" not in {r.code for r in spoken[0].reasons}
    assert pytest.approx(spoken[0].score) == rank_among(features, History(), [1, 3])[1][0].score


def test_co_attendees_are_candidates_in_a_large_community():
    features = Features([Profile(i, level="regular") for i in range(1, 41)])
    assert suggest(features, History()) == []          # regulars alone are not enough
    history = History(attendance=register([(m, 500) for m in (3, 17, 29, 36)]),
                      spoken=frozenset({(3, 17)}))
    found = suggest(features, history)
    assert found
    assert {m for s in found for m in (s.a, s.b)} <= {3, 17, 29, 36}
    assert (3, 17) not in {(s.a, s.b) for s in found}
    assert all("met_not_spoken" in {r.code for r in s.reasons} for s in found)


def test_co_attendee_candidates_are_bounded_and_deterministic():
    rng = np.random.default_rng(3)
    ids = np.arange(1, 2001) * 2
    members = rng.choice(ids, 6000)
    meetups = rng.integers(100, 112, 6000)
    m, meetup_ids = together.incidence(ids, (members, meetups))
    pos = np.arange(len(ids))[::2]          # only half of the members are asked about
    i, j = together.co_attendee_candidates(ids, m, meetup_ids, pos)
    entries = int(m[pos].nnz)
    assert len(i) <= 2 * together.STEPS * entries
    assert (i != j).all()
    inside = np.zeros(len(ids), bool)
    inside[pos] = True
    assert inside[i].all() and inside[j].all()
    assert (together.count(m, i, j) >= 1).all()         # every pair shared a meetup
    attending = np.flatnonzero(np.diff(m.indptr) > 0)
    assert set(np.r_[i, j].tolist()) == set(attending[inside[attending]].tolist())
    # The same register in another order, or another member order, gives the same pairs.
    shuffled = rng.permutation(len(ids))
    m2, meetup_ids2 = together.incidence(ids[shuffled], (members[::-1], meetups[::-1]))
    back = np.argsort(shuffled)
    i2, j2 = together.co_attendee_candidates(ids[shuffled], m2, meetup_ids2, back[pos])
    first = {tuple(sorted(p)) for p in zip(ids[i].tolist(), ids[j].tolist(), strict=True)}
    second = {tuple(sorted(p)) for p in zip(ids[shuffled][i2].tolist(),
                                             ids[shuffled][j2].tolist(), strict=True)}
    assert first == second


def test_a_register_with_arrays_of_different_lengths_is_refused():
    with pytest.raises(ValueError):
        History(attendance=(np.arange(3), np.arange(2)))
