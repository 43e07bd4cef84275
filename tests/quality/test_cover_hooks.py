"""The verifier experiment's hooks for the reasons (``verified_concepts.vetoing(…,
reasons_wrong=…)``): a second judge the reasons ask before stating a direction, through the
engine's own hook (``evidence.tag_doubt``), undone when the run ends."""

from __future__ import annotations

import pytest

from joren.tenants.introductions import evidence
from joren.tenants.introductions.features import Features, History
from joren.tenants.introductions.matching import suggest
from tests.quality import community as q
from tests.quality import verified_concepts as v


@pytest.fixture(scope="module")
def small() -> q.Community:
    return q.build(300, seed=3, phrasings="fresh")


def _directions(found) -> int:
    return sum(r.code == "offers_for_ask" for s in found for r in s.reasons)


def test_a_reasons_judge_turns_directions_into_fields_and_nothing_else(small) -> None:
    plain = suggest(Features(small.profiles), History())
    assert _directions(plain)
    with v.vetoing(None, reasons_wrong=lambda line, k, side: True):
        assert evidence.tag_doubt is not None
        doubted = suggest(Features(small.profiles), History())
    assert evidence.tag_doubt is None
    assert [(s.a, s.b) for s in doubted] == [(s.a, s.b) for s in plain]
    assert not _directions(doubted)


def test_a_reasons_score_is_compared_with_the_named_threshold(small) -> None:
    plain = _directions(suggest(Features(small.profiles), History()))
    below = evidence.REASON_THRESHOLD * 0.99
    with v.vetoing(None, reasons_wrong=lambda line, k, side: below):
        assert _directions(suggest(Features(small.profiles), History())) == plain
    with v.vetoing(None, reasons_wrong=lambda line, k, side: evidence.REASON_THRESHOLD):
        assert not _directions(suggest(Features(small.profiles), History()))


def test_no_veto_and_no_reasons_judge_change_nothing(small) -> None:
    plain = suggest(Features(small.profiles), History())
    with v.vetoing(None):
        same = suggest(Features(small.profiles), History())
    assert same == plain


def test_a_run_with_the_veto_leaves_nothing_read_for_a_run_without(small) -> None:
    # The reasons keep what they read of each text across cycles (``evidence._named``): a
    # run after a vetoed one must read the texts again, and a vetoed run after a plain one.
    def fresh_run(veto: bool) -> list:
        evidence._KEPT_NAMED.clear()
        with v.vetoing(v.oracle("both") if veto else None):
            return suggest(Features(small.profiles), History())

    plain, vetoed = fresh_run(False), fresh_run(True)
    assert vetoed != plain
    with v.vetoing(v.oracle("both")):
        suggest(Features(small.profiles), History())
    assert suggest(Features(small.profiles), History()) == plain
    suggest(Features(small.profiles), History())
    with v.vetoing(v.oracle("both")):
        assert suggest(Features(small.profiles), History()) == vetoed


def test_the_trained_verifier_vetoes_above_its_threshold_and_doubts_by_its_logistic(
        monkeypatch) -> None:
    # No encoder: the model's score of a tag is its concept index, minus 1.
    import numpy as np

    from tests.quality import trained_verifier as tv

    monkeypatch.setattr(tv, "load_cache", lambda: None)
    monkeypatch.setattr(tv, "features", lambda line, k, side: (np.zeros(2), np.zeros(2)))
    monkeypatch.setattr(tv, "score_tags", lambda model, d: d["k"].astype(float) - 1.0)
    wrong, doubt = v.trained({"threshold": 0.5})
    assert not wrong("x", 1, "offer") and wrong("x", 2, "need")
    assert doubt("x", 1, "offer") == pytest.approx(0.5)
    assert doubt("x", 3, "need") == pytest.approx(1 / (1 + np.exp(-2.0)))
