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


def _tags_read_again(texts, side):
    """Each text's tagged sentences and their specific concepts, read from scratch."""
    out = []
    spec = vocabulary.specificity()
    for text in texts:
        lines = textmod.sentence_table([text])[0]
        rows = vocabulary._tag(lines, side).toarray() * spec if lines else np.zeros((0, 0))
        got = [(line, tuple(np.flatnonzero(row).tolist()))
               for line, row in zip(lines, rows, strict=True)]
        got = [g for g in got if g[1]]
        out.append((tuple(g[0] for g in got), tuple(g[1] for g in got)))
    return out


def test_sentence_tags_kept_and_new_are_those_read_again():
    changed = [t.replace("記帳", "税務申告") for t in SECOND]      # a profile edited
    for side in vocabulary.SIDES:
        semantics._KEPT_TAGS[side].clear()
        for texts in (FIRST, SECOND, SECOND[::-1], changed):
            assert semantics._sentence_tags(texts, side) == _tags_read_again(texts, side)
    # Something was tagged, and the edit changed a text's tags: the comparisons say something.
    assert any(lines for lines, _ks in semantics._sentence_tags(SECOND, "offer"))
    assert semantics._sentence_tags(changed, "offer") != semantics._sentence_tags(SECOND, "offer")


def test_sentence_tags_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(semantics, "TAGS_KEPT", 8)
    kept = semantics._KEPT_TAGS["need"]
    kept.clear()
    for k in range(20):
        semantics._sentence_tags([f"請求書の処理で手が回らない{k}", f"採用に課題がある{k}"], "need")
        assert len(kept) <= 8
    # A call with more than half the limit keeps none (and leaves what was kept).
    before = dict(kept)
    many = [f"求人の出し方を見直したい{k}" for k in range(5)]
    assert semantics._sentence_tags(many, "need") == _tags_read_again(many, "need")
    assert kept == before


def _vetoing(texts):
    """Stored verdicts on every tagged sentence of ``texts`` (both sides): every other
    tag vetoed (doubt 1), the rest kept (doubt 0)."""
    from joren.tenants.introductions import verifier

    known = {}
    flip = False
    for side in vocabulary.SIDES:
        for lines, concepts in semantics._tag_sentences(texts, side):
            for line, ks in zip(lines, concepts, strict=True):
                verdict = {}
                for c in ks:
                    verdict[c] = 1.0 if flip else 0.0
                    flip = not flip
                known[(side, verifier.digest(line))] = verdict
    return verifier.Verdicts(known)


def test_verified_concepts_the_same_with_sentence_tags_cold_warm_or_not_kept(monkeypatch):
    texts = [*FIRST, *SECOND, "経理代行と記帳代行。税務申告も承ります",
             "採用と求人の相談\n請求書の処理"]
    picks = [()] * len(texts)

    def rows():
        offer, need = semantics.concept_rows(texts, texts, picks, picks, verdicts=_vetoing(texts))
        return offer, need

    plain = semantics.concept_rows(texts, texts, picks, picks)
    for side in vocabulary.SIDES:
        semantics._KEPT_TAGS[side].clear()
    cold = rows()
    warm = rows()
    monkeypatch.setattr(semantics, "TAGS_KEPT", 0)
    direct = rows()
    for a, b, c in zip(cold, warm, direct, strict=True):
        for m in (b, c):
            assert a.shape == m.shape and (a != m).nnz == 0
            assert np.array_equal(a.indices, m.indices) and np.array_equal(a.indptr, m.indptr)
    # The vetoes took concepts away: the comparison is of a verified reading.
    assert sum(m.nnz for m in cold) < sum(m.nnz for m in plain)
