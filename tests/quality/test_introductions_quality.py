"""Quality of the introductions on a community built with its good matches known
(``tests/quality/community.py``): 300 members writing in Japanese and English, needs
paraphrased without the offer's words, decoys sharing only generic words. Prints the figures
(``pytest -s``) and asserts the targets of issue 15. Every test runs on both phrasings:
"dev" (``catalogue.py``, which the vocabulary was developed against) and "held_out"
(``held_out.py``, never used to build it); the held-out figures are the ones that count.

The targets that depend on understanding meaning (precision ≥ 0.9 with paraphrases and both
languages, decoy-only ≤ 2%, ja↔en pairs found, and every stated direction true: with character
n-grams alone two generic sentences are as alike as two matching ones) are a strict xfail
until the semantic layer lands: when they pass, the marker must go (strict: an unexpected pass
fails the run).
"""

from __future__ import annotations

import pytest

from joren.tenants.introductions.features import Features, History, pair
from joren.tenants.introductions.matching import rank_among, suggest
from tests.quality import community as q

SIZE = 300
CAP = 2


@pytest.fixture(scope="module", params=q.PHRASINGS)
def built(request) -> q.Community:  # type: ignore[no-untyped-def]
    """The community written with the dev phrasings (``catalogue``, which the vocabulary was
    developed against) and with the held-out ones (``held_out``, never used to build it)."""
    return q.build(SIZE, seed=1, phrasings=request.param)


@pytest.fixture(scope="module")
def cycle(built: q.Community) -> tuple[list, q.Score]:
    found = suggest(Features(built.profiles), History(), cap=CAP)
    score = q.score_cycle(built, found, f"cycle, {SIZE} members, {built.phrasings} phrasings")
    print("\n" + score.lines())
    return found, score


def test_every_member_with_a_good_match_gets_a_suggestion(cycle) -> None:  # type: ignore[no-untyped-def]
    _found, score = cycle
    assert score["coverage (any suggestion)"] >= 0.95


@pytest.mark.xfail(strict=True, reason="issue 15 open: 0.89 of stated directions are true "
                   "at 300 members (dev and held-out), not all")
def test_stated_directions_are_true(cycle) -> None:  # type: ignore[no-untyped-def]
    _found, score = cycle
    assert score["true reasons (offer→need)"] == 1.0
    assert score["good pairs with a false reason"] == 0.0


def test_the_cycle_keeps_its_constraints(built: q.Community, cycle) -> None:  # type: ignore[no-untyped-def]
    found, _score = cycle
    assert max(q.suggestion_counts(found).values()) <= CAP
    for s in found:
        pa, pb = built.pos(s.a), built.pos(s.b)
        assert built.eligible[pa] and built.eligible[pb]
        assert built.company[pa] != built.company[pb]
        assert s.reasons
    assert len({pair(s.a, s.b) for s in found}) == len(found)


@pytest.mark.xfail(strict=True, reason="issue 15 open: at 300 members precision 0.88–0.89, "
                   "decoy-only 3–4%; on held-out at 1,000 / 5,000 / 100,000 precision "
                   "0.92–0.93, decoys 1.8–2.0% (python -m tests.quality.measure)")
def test_suggestions_understand_meaning(cycle) -> None:  # type: ignore[no-untyped-def]
    _found, score = cycle
    assert score["precision of the suggestions"] >= 0.9
    assert score["decoy-only share"] <= 0.02
    assert score["ja↔en share of good suggestions"] >= 0.2


def test_top_five_holds_a_good_partner(built: q.Community) -> None:
    members = [p.id for p in built.profiles if built.eligible[built.pos(p.id)]]
    ranked = rank_among(Features(built.profiles), History(), members, top=5)
    score = q.score_ranking(built, ranked, 5, f"top 5, {SIZE} members, {built.phrasings}")
    print("\n" + score.lines())
    assert score["hit@5 (a good partner in top 5)"] >= 0.9
    assert score["hit@5, paraphrased needs"] >= 0.85
