"""The verifier experiment's hooks for the reasons (``verified_concepts.vetoing(…,
reasons_wrong=…)``): a second judge the reasons ask before stating a direction, passed as the
product passes its verifier (``Features(verdicts=…)``: the context's ``Doubts``), and nothing
of it left in the engine when the run ends."""

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
    plain = suggest(Features(small.profiles, verdicts=None), History())
    assert _directions(plain)
    with v.vetoing(None, reasons_wrong=lambda line, k, side: True) as doubts:
        assert isinstance(doubts, v.Doubts)
        doubted = suggest(Features(small.profiles, verdicts=doubts), History())
    assert [(s.a, s.b) for s in doubted] == [(s.a, s.b) for s in plain]
    assert not _directions(doubted)
    # The engine itself keeps nothing of the judge: a plain run after it is the plain run.
    assert suggest(Features(small.profiles, verdicts=None), History()) == plain


def test_a_reasons_score_is_compared_with_the_named_threshold(small) -> None:
    plain = _directions(suggest(Features(small.profiles, verdicts=None), History()))
    below = evidence.REASON_THRESHOLD * 0.99
    with v.vetoing(None, reasons_wrong=lambda line, k, side: below) as doubts:
        assert _directions(suggest(Features(small.profiles, verdicts=doubts), History())) == plain
    with v.vetoing(None, reasons_wrong=lambda line, k, side: evidence.REASON_THRESHOLD) as doubts:
        assert not _directions(suggest(Features(small.profiles, verdicts=doubts), History()))


def test_no_veto_and_no_reasons_judge_change_nothing(small) -> None:
    plain = suggest(Features(small.profiles, verdicts=None), History())
    with v.vetoing(None) as doubts:
        assert doubts is None
        same = suggest(Features(small.profiles, verdicts=doubts), History())
    assert same == plain


def test_a_run_with_the_veto_leaves_nothing_read_for_a_run_without(small) -> None:
    # The reasons keep what they read of each text across cycles (``evidence._named``): a
    # run after a vetoed one must read the texts again, and a vetoed run after a plain one.
    def fresh_run(veto: bool) -> list:
        evidence._KEPT_NAMED.clear()
        with v.vetoing(v.oracle("both") if veto else None):
            return suggest(Features(small.profiles, verdicts=None), History())

    plain, vetoed = fresh_run(False), fresh_run(True)
    assert vetoed != plain
    with v.vetoing(v.oracle("both")):
        suggest(Features(small.profiles, verdicts=None), History())
    assert suggest(Features(small.profiles, verdicts=None), History()) == plain
    suggest(Features(small.profiles, verdicts=None), History())
    with v.vetoing(v.oracle("both")):
        assert suggest(Features(small.profiles, verdicts=None), History()) == vetoed


def test_the_trained_verifier_vetoes_above_its_veto_and_doubts_on_the_reasons_scale() -> None:
    # The experiment's judge is the engine's verifier: a doubt (the probability that the tag
    # is wrong) on the scale of ``evidence.REASON_THRESHOLD``, vetoed above ``veto_at``.
    from joren.tenants.introductions import verifier
    from joren.tenants.members import vocabulary

    wrong, doubt = v.trained()
    at = vocabulary.index()
    right = ("経理代行・記帳代行をしています", at["bookkeeping"], "offer")
    pitfall = ("英語の契約書を日本語にしてくれる人を探しています", at["legal"], "need")
    assert doubt(*right) < evidence.REASON_THRESHOLD and not wrong(*right)
    assert doubt(*pitfall) > verifier.veto_at() and wrong(*pitfall)
    assert 0.0 < verifier.veto_at() < 1.0
