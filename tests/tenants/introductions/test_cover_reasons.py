"""A direction is stated only when the run's verifier of concept tags (``Features.verdicts``:
its ``doubts``) is sure of both its tags (``evidence.REASON_THRESHOLD``); otherwise both are
said to be about the concept, and the pair is suggested as before."""

from __future__ import annotations

import numpy as np
import pytest

from joren.tenants.introductions import evidence, verifier
from joren.tenants.introductions.features import Features, History, Profile
from joren.tenants.introductions.matching import suggest
from joren.tenants.members import vocabulary

OFFER = "経理代行・記帳代行をしています"
NEED = "月末になると請求書の処理で手が回らない"


def _said(verdicts: verifier.Verdicts | None = None, **picks: tuple[str, ...]
          ) -> evidence.Stated | None:
    f = Features([Profile(1, offers=("",) if picks.get("offer") else (OFFER,),
                          offer_concepts=picks.get("offer", ())),
                  Profile(2, asks=("",) if picks.get("need") else (NEED,),
                          need_concepts=picks.get("need", ()))], verdicts=verdicts)
    (found,) = evidence.stated_directions(f, np.array([0]), np.array([1]))
    return found


class _Doubting:
    """Verdicts as a run reads them that veto nothing and doubt each tag (sentence, side) as
    ``scores`` says (0 else), recording what they were asked in ``asked``."""

    version = "doubting"
    veto_at = 1.0

    def __init__(self, scores: dict[tuple[str, str], float] | None = None,
                 asked: list | None = None, every: float | None = None) -> None:
        self.scores, self.asked, self.every = scores or {}, asked, every

    def vetoed(self, lines, side):  # type: ignore[no-untyped-def]
        return [frozenset()] * len(lines)

    def doubts(self, lines, concepts, side) -> np.ndarray:  # type: ignore[no-untyped-def]
        assert len(lines) == len(concepts)
        if self.asked is not None:
            self.asked.extend((line, vocabulary.codes()[k], side)
                              for line, k in zip(lines, concepts, strict=True))
        if self.every is not None:
            return np.full(len(lines), self.every)
        return np.asarray([self.scores.get((line, side), 0.0) for line in lines])


def _doubting(scores: dict[tuple[str, str], float], asked: list | None = None) -> _Doubting:
    return _Doubting(scores, asked)


def test_without_a_verifier_the_words_decide():
    found = _said()
    assert found is not None and found.direction and found.concept == "bookkeeping"


def test_a_sure_verifier_keeps_the_direction_and_is_asked_about_both_tags():
    asked: list = []
    found = _said(_doubting({}, asked))
    assert found is not None and found.direction
    assert sorted(asked) == [(NEED, "bookkeeping", "need"), (OFFER, "bookkeeping", "offer")]


@pytest.mark.parametrize("side", ["offer", "need"])
def test_a_doubted_tag_at_either_end_says_only_the_same_field(side):
    line = OFFER if side == "offer" else NEED
    found = _said(_doubting({(line, side): evidence.REASON_THRESHOLD}))
    assert found is not None and not found.direction
    assert (found.offer, found.ask, found.concept) == (OFFER, NEED, "bookkeeping")


def test_the_threshold_is_the_one_named_constant(monkeypatch):
    score = 0.5
    doubting = _doubting({(OFFER, "offer"): score})
    monkeypatch.setattr(evidence, "REASON_THRESHOLD", score + 0.01)
    assert _said(doubting).direction
    monkeypatch.setattr(evidence, "REASON_THRESHOLD", score)
    assert not _said(doubting).direction


def test_a_picked_concept_needs_no_verifying():
    asked: list = []
    found = _said(_doubting({}, asked), offer=("bookkeeping",))
    assert found is not None and found.direction and found.offer is None
    assert asked == [(NEED, "bookkeeping", "need")]


def _community(verdicts: _Doubting | None = None) -> Features:
    return Features(verdicts=verdicts, profiles=[
        Profile(1, offers=(OFFER,), company="A"),
        Profile(2, asks=(NEED,), company="B"),
        Profile(3, offers=("Bookkeeping and payroll for small firms",), company="C"),
        Profile(4, asks=("Our invoices pile up and nobody keeps our books in order",),
                company="D"),
    ])


def test_the_engine_suggests_the_same_pairs_and_says_the_field_instead():
    sure = suggest(_community(), History())
    assert any(r.code == "offers_for_ask" for s in sure for r in s.reasons)
    doubted = suggest(_community(_Doubting(every=1.0)), History())
    assert [(s.a, s.b) for s in doubted] == [(s.a, s.b) for s in sure]
    assert not any(r.code == "offers_for_ask" for s in doubted for r in s.reasons)
    assert all(any(r.code == "shared_concept" for r in s.reasons)
               for s in doubted if any(r.code == "offers_for_ask" for r in
                                       next(x for x in sure if (x.a, x.b) == (s.a, s.b))
                                       .reasons))


def _stored(offer: float, need: float) -> verifier.Verdicts:
    """Verdicts as a cycle reads them from the database: the doubt of each sentence's tag."""
    k = vocabulary.index()["bookkeeping"]
    return verifier.Verdicts({("offer", verifier.digest(OFFER)): {k: offer},
                              ("need", verifier.digest(NEED)): {k: need}})


@pytest.mark.parametrize(("offer", "need", "direction"), [
    (0.0, 0.0, True), (evidence.REASON_THRESHOLD, 0.0, False),
    (0.0, evidence.REASON_THRESHOLD + 0.1, False)])
def test_the_runs_own_verdicts_decide_in_the_product(offer, need, direction):
    # The doubts the cycle read (stored, or judged by the trained verifier) decide. A doubt
    # below the veto keeps the concept, so the pair is still about it.
    found = _said(_stored(offer, need))
    assert found is not None and found.concept == "bookkeeping"
    assert found.direction is direction


def test_the_shipped_verifier_states_a_clear_direction():
    # The default verdicts of an engine run with no database: the trained verifier is sure of
    # a plain bookkeeping offer and of a need that says the work in other words.
    found = _said(verifier.in_process())
    assert found is not None and found.direction and found.concept == "bookkeeping"
