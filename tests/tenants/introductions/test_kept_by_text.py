"""What the engine keeps by text across cycles gives what reading the texts again gives:
each text's sentences (``semantics``) and concept tags (``vocabulary.tag``), whichever of
them were kept and whichever are new, repeated or empty."""

from __future__ import annotations

import numpy as np

from joren.tenants.introductions import semantics
from joren.tenants.introductions import text as textmod
from joren.tenants.introductions.features import Features
from joren.tenants.members import vocabulary

FIRST = ["経理代行を承ります。記帳も対応します", "採用に課題がある\n求人の出し方を見直したい",
         "", "We build websites. Fast!", "経営者同士の交流を広げたい。"]
SECOND = ["We build websites. Fast!", "請求書の処理で手が回らない", "",
          "経理代行を承ります。記帳も対応します", "請求書の処理で手が回らない",
          "Looking for a tax accountant. Based in Yokohama."]


def test_sentences_kept_and_new_are_those_cut_again():
    semantics._KEPT_LINES.clear()
    for texts in (FIRST, SECOND, SECOND[::-1]):
        lines, owner = semantics._sentences(texts)
        want_lines, want_owner = textmod.sentence_table(texts, limit=1000)
        assert lines == want_lines
        assert np.array_equal(owner, want_owner)


def test_tags_kept_and_new_are_those_read_again():
    for side in vocabulary.SIDES:
        vocabulary._TAG_KEPT[side].clear()
        for texts in (FIRST, SECOND, SECOND[::-1]):
            got, want = vocabulary.tag(texts, side), vocabulary._tag(texts, side)
            assert got.shape == want.shape
            assert (got != want).nnz == 0
            assert np.array_equal(got.indptr, want.indptr)
            assert np.array_equal(got.indices, want.indices)
    # Something was tagged: the comparison says something.
    assert vocabulary.tag(SECOND, "need").nnz > 0


def test_terms_of_a_community_too_large_to_keep_are_the_same(monkeypatch):
    from joren.tenants.introductions import evidence
    from tests.quality import community as q

    f = Features(q.build(200, seed=3).profiles)
    kept = evidence._Terms(f)
    monkeypatch.setattr(evidence, "TERMS_KEPT_ROWS", 100)
    direct = evidence._Terms(f)
    for a, b in ((kept.offers, direct.offers), (kept.asks, direct.asks)):
        assert a.shape == b.shape and a.nnz == b.nnz > 0
        assert (a != b).nnz == 0
