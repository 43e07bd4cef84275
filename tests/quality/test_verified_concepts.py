"""The verifier experiment's harness (``verified_concepts``): a veto only takes concepts away,
in the engine's rows and in its reasons, and the oracle knows the sets' sentences."""

from __future__ import annotations

import numpy as np
import pytest

from joren.tenants.introductions import evidence
from joren.tenants.introductions import text as textmod
from joren.tenants.introductions.features import Features, History
from joren.tenants.introductions.matching import suggest
from joren.tenants.members import vocabulary
from tests.quality import catalogue
from tests.quality import community as q
from tests.quality import verified_concepts as v


@pytest.fixture(scope="module")
def small() -> q.Community:
    return q.build(300, seed=3, phrasings="distinct")


def _rows(c: q.Community):
    m = Features(c.profiles, verdicts=None, found=None).meaning()   # the words, then the veto
    return m.offer.toarray(), m.need.toarray()


def test_a_veto_that_passes_everything_changes_nothing(small: q.Community) -> None:
    before = _rows(small)
    with v.vetoing(lambda line, k, side: False):
        after = _rows(small)
    assert all(np.array_equal(x, y) for x, y in zip(before, after, strict=True))


def test_a_veto_only_takes_concepts_away(small: q.Community) -> None:
    offer, need = _rows(small)
    with v.vetoing(v.oracle("both")):
        v_offer, v_need = _rows(small)
    assert (v_offer <= offer).all() and (v_need <= need).all()
    assert (v_offer < offer).any() or (v_need < need).any()


def test_a_veto_of_everything_leaves_no_concept_and_no_concept_reason(
        small: q.Community) -> None:
    with v.vetoing(lambda line, k, side: True):
        offer, need = _rows(small)
        found = suggest(Features(small.profiles, verdicts=None, found=None), History())
    assert not offer.any() and not need.any()
    assert found and not any(r.code in ("offers_for_ask", "shared_concept")
                             for s in found for r in s.reasons)


def test_a_veto_is_undone_when_the_run_ends(small: q.Community) -> None:
    read = evidence._read
    with v.vetoing(lambda line, k, side: True):
        assert evidence._read is not read
    assert evidence._read is read
    assert _rows(small)[0].any()


def test_the_oracle_knows_every_sentence_a_community_writes(small: q.Community) -> None:
    texts = [s for p in small.profiles for s in (*p.offers, *p.asks)]
    lines, _owner = textmod.sentence_table(texts)
    truth = v._truth()
    assert lines and all(line.strip() in truth for line in lines)


def test_the_oracle_vetoes_a_concept_named_only_as_a_customer() -> None:
    # A website maker for builders: web design is offered, construction is the customer.
    right = v._right()
    website = [t.key for t in catalogue.TOPICS].index("website")
    at = vocabulary.index()
    assert at["web_development"] in right[website]
    assert at["construction_renovation"] not in right[website]
    wrong = v.oracle("both")
    line = catalogue.TOPICS[website].ja_offer[0]
    assert not wrong(line, at["web_development"], "offer")
    assert wrong(line, at["construction_renovation"], "offer")


def test_the_rates_count_the_oracle_as_perfect_and_a_coin_as_neither(small: q.Community
                                                                      ) -> None:
    out = v.rates(small, {"oracle": v.oracle("both"), "none": lambda line, k, side: False,
                          "half": v.oracle("noisy/0.5/0.5/s")})
    assert out["oracle"] == (1.0, 0.0)
    assert out["none"] == (0.0, 0.0)
    caught, false = out["half"]
    assert 0.2 < caught < 0.8 and 0.2 < false < 0.8
