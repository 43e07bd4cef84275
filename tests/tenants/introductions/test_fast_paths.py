"""The matching engine's fast paths against the straightforward computations they replace:
the vocabulary's cue scanning (a trie walked with numpy) against its regular expression, the
sort-based set operations against numpy's, the one-pass sparse product against ``@``, and
the chunked stages against the whole. Each must give exactly the same result, so that the
engine's suggestions do not change with its speed."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy import sparse

from joren.tenants.introductions import arrays, candidates, evidence, text
from joren.tenants.introductions.features import Features, Profile
from joren.tenants.members import vocabulary


def _texts(seed: int, count: int) -> list[str]:
    """Texts made of the vocabulary's own cues, neutral phrases and personal words run
    together with letters, digits and breaks: overlapping cues, cues inside English words,
    longest-cue choices and lines about one's life all occur."""
    rng = random.Random(seed)
    pieces = (list(vocabulary._table("offer")) + list(vocabulary._table("need"))
              + list(vocabulary._data().get("personal_words", ()))
              + [" ", "x", "a", "1", "s", "-", "。", "\n", "ｱｲ", "Ab", "ΑΣ'", "ガ\u3099"])
    out = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) for _ in range(count)]
    return out + ["", "\x00a\x00", "月末になると請求書の処理で手が回らない",
                  "Our invoices pile up every month"]


def _folded(texts: list[str]) -> str:
    return "\x00".join(vocabulary.fold(t).replace("\x00", " ") for t in texts) + "\x00"


@pytest.mark.parametrize("side", vocabulary.SIDES)
def test_the_cue_scanner_finds_what_the_regular_expression_finds(side):
    texts = _texts(1, 2000)
    joined = _folded(texts)
    cps = vocabulary._folded_codepoints(texts)
    assert cps.tobytes().decode("utf-32-le") == joined
    pattern, _table = vocabulary._matcher(side)
    scanner = vocabulary._scanner(side)[0]
    starts, words = scanner.finditer(cps)
    assert [(m.start(), m.group()) for m in pattern.finditer(joined)] == \
        [(s, scanner.words[w]) for s, w in zip(starts.tolist(), words.tolist(), strict=True)]
    every = [(p, m.group()) for p in range(len(joined)) if (m := pattern.match(joined, p))]
    starts, _lengths, words = scanner.everywhere(cps)
    assert every == [(s, scanner.words[w])
                     for s, w in zip(starts.tolist(), words.tolist(), strict=True)]


def test_personal_lines_are_those_the_personal_pattern_finds():
    texts = _texts(2, 1000)
    joined = _folded(texts)
    cps = vocabulary._folded_codepoints(texts)
    starts, _lengths, _words = vocabulary._personal_scanner().everywhere(cps)
    assert starts.tolist() == [p for p in range(len(joined))
                               if vocabulary._personal().match(joined, p)]


def test_tagging_in_chunks_is_tagging_at_once(monkeypatch):
    texts = _texts(3, 1500)
    whole = vocabulary.tag(texts, "need")
    monkeypatch.setattr(vocabulary, "_TAG_CHUNK", 97)
    chunked = vocabulary.tag(texts, "need")
    assert whole.shape == chunked.shape
    assert np.array_equal(whole.indptr, chunked.indptr)
    assert np.array_equal(whole.indices, chunked.indices)
    assert np.array_equal(whole.data, chunked.data)


def test_sorted_set_operations_match_numpys():
    rng = np.random.default_rng(0)
    for size, high in ((0, 5), (1, 5), (1000, 50), (5000, 10**12)):
        x, y = rng.integers(0, high, size), rng.integers(0, high, size // 2 + 1)
        assert np.array_equal(arrays.unique(x), np.unique(x))
        assert np.array_equal(arrays.intersect(x, y), np.intersect1d(x, y))


@pytest.mark.parametrize("density", [0.0, 0.02, 0.3])
def test_the_one_pass_product_is_the_product(density):
    x = sparse.random(60, 80, density=density, format="csr", dtype=np.float32, random_state=1)
    y = sparse.random(80, 50, density=density, format="csr", dtype=np.float32, random_state=2)
    got, want = candidates.product(x, y), (x @ y).tocsr()
    assert got.shape == want.shape
    got.sort_indices()
    want.sort_indices()
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)


def _members(count: int) -> Features:
    rng = random.Random(4)
    words = ["経理代行", "請求書", "採用支援", "動画制作", "bookkeeping", "payroll", "website",
             "翻訳", "物流倉庫", "イベント運営", "の", "を承ります", "に困っている。"]
    return Features([Profile(k + 1, offers=("".join(rng.choices(words, k=6)),),
                             asks=("".join(rng.choices(words, k=5)),))
                     for k in range(count)])


def test_pruning_and_counting_in_chunks_is_the_same(monkeypatch):
    f = _members(900)
    offer, _ask, model = f.text()
    whole = candidates.prune(offer, 8, model.df)
    docs = ["\n".join(p.offers) for p in f.profiles]
    counts = text._counts(docs)
    lines = text.sentence_table(docs, limit=1000)
    monkeypatch.setattr(candidates, "PRUNE_ROWS", 61)
    monkeypatch.setattr(text, "_CHUNK", 53)
    chunked = candidates.prune(offer, 8, model.df)
    for a, b in ((whole, chunked), (counts, text._counts(docs))):
        assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
        assert np.array_equal(a.data, b.data)
    again = text.sentence_table(docs, limit=1000)
    assert lines[0] == again[0] and np.array_equal(lines[1], again[1])


def test_shared_terms_read_in_chunks_are_the_same(monkeypatch):
    rng = np.random.default_rng(5)
    i, j = rng.integers(0, 900, 5000), rng.integers(0, 900, 5000)
    whole = evidence.share_terms(_members(900), i, j)
    monkeypatch.setattr(evidence, "_TERM_CHUNK", 77)
    assert np.array_equal(whole, evidence.share_terms(_members(900), i, j))
    assert whole.any() and not whole.all()
