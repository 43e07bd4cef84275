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
from joren.tenants.members.vocabulary import reading, scanning


def _texts(seed: int, count: int) -> list[str]:
    """Texts made of the vocabulary's own cues, neutral phrases and personal words run
    together with letters, digits, kana and breaks: overlapping cues, cues inside English
    words and katakana words, longest-cue choices and lines about one's life all occur."""
    rng = random.Random(seed)
    pieces = (list(vocabulary._table("offer")) + list(vocabulary._table("need"))
              + list(vocabulary._data().get("personal_words", ()))
              + [" ", "x", "a", "1", "s", "-", "。", "\n", "ｱｲ", "Ab", "ΑΣ'", "ガ\u3099", "ナー",
                 "シップ", "カー", "ー", "くだ", "の", "を", "デザイン", "ing", "es"])
    out = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) for _ in range(count)]
    return out + ["", "\x00a\x00", "月末になると請求書の処理で手が回らない",
                  "Our invoices pile up every month"]


def _script(normal: str, p: int) -> str:
    """The script of the character at ``p`` as written: kata, hira, latin or other (the long
    vowel mark: its word's)."""
    if not 0 <= p < len(normal):
        return "other"
    ch = normal[p]
    if ch == "ー":
        before = _script(normal, p - 1)
        return before if before in ("kata", "hira") else "other"
    if ("ァ" <= ch <= "ヺ" and ch not in "ヵヶ") or ch in "ヽヾ" or "ㇰ" <= ch <= "ㇿ":
        return "kata"
    if "ぁ" <= ch <= "ゖ" or ch in "ゝゞヵヶ":
        return "hira"
    return "latin" if ch.isascii() and ch.isalnum() else "other"


def _run(normal: str, p: int, step: int) -> int:
    """How many katakana from ``p`` on, going by ``step``."""
    n = 0
    while _script(normal, p + n * step) == "kata":
        n += 1
    return n


def _may_match(normal: str, start: int, end: int) -> bool:
    """The scanner's word boundaries, written out (``scanning``'s docstring)."""
    before, first = _script(normal, start - 1), _script(normal, start)
    if before == first == "latin":
        return False
    honorific = normal[start] in "おご" and start + 1 < len(normal) \
        and ("\u3400" <= normal[start + 1] <= "\u4dbf" or "\u4e00" <= normal[start + 1] <= "\u9fff")
    if before == first == "hira" and normal[start - 1] not in scanning.PARTICLES \
            and not honorific:
        return False
    if before == first == "kata" and (_run(normal, start - 1, -1) < 3
                                       or _script(normal, end) == "kata"):
        return False
    return not (_script(normal, end - 1) == _script(normal, end) == "kata"
                and _run(normal, end, 1) < 3)


def _straightforward(normal: str, words: list[str]) -> list[tuple[int, str]]:
    """At every position, the longest word that may match there; of two as long, an English
    one ("web広告" over "web", "web" over nothing longer)."""
    folded = scanning.fold(normal)
    by_first: dict[str, list[str]] = {}
    for w in words:
        by_first.setdefault(w[0], []).append(w)
    out = []
    for p, ch in enumerate(folded):
        fits = [w for w in by_first.get(ch, ()) if folded.startswith(w, p)
                and _may_match(normal, p, p + len(w))]
        english = [w for w in fits if w.isascii() and w[0].isalnum()]
        if fits:
            longest = max(fits, key=len)
            if english and len(max(english, key=len)) >= len(longest):
                longest = max(english, key=len)
            out.append((p, longest))
    return out


@pytest.mark.parametrize("side", vocabulary.SIDES)
def test_the_cue_scanner_finds_what_a_straightforward_search_finds(side):
    texts = _texts(1, 300)
    normal = reading.normal("\x00".join(t.replace("\x00", " ") for t in texts) + "\x00")
    read = vocabulary._read(texts)
    assert read.cps.tobytes().decode("utf-32-le") == scanning.fold(normal)
    scanner = vocabulary._scanner(side)[0]
    starts, _lengths, words = scanner.everywhere(read)
    assert [(s, scanner.words[w]) for s, w in zip(starts.tolist(), words.tolist(), strict=True)] \
        == _straightforward(normal, scanner.words)


def test_personal_words_are_found_where_a_straightforward_search_finds_them():
    texts = _texts(2, 300)
    normal = reading.normal("\x00".join(t.replace("\x00", " ") for t in texts) + "\x00")
    scanner = vocabulary._personal_scanner()
    starts, _lengths, words = scanner.everywhere(vocabulary._read(texts))
    assert [(s, scanner.words[w]) for s, w in zip(starts.tolist(), words.tolist(), strict=True)] \
        == _straightforward(normal, scanner.words)


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


def _trie_as_written(words: list[str]) -> tuple[np.ndarray, ...]:
    """The trie's arrays built the straightforward way: a dict per node, the edges sorted as
    tuples (root, keys, children, word of each node)."""
    children: list[dict[int, int]] = [{}]
    word_at = [-1]
    for index, word in enumerate(words):
        node = 0
        for ch in word:
            child = children[node].get(ord(ch))
            if child is None:
                child = children[node][ord(ch)] = len(children)
                children.append({})
                word_at.append(-1)
            node = child
        word_at[node] = index
    root = np.full(max(children[0], default=-1) + 2, -1, np.int64)
    for cp, child in children[0].items():
        root[cp] = child
    edges = sorted(((node << 21) | cp, child) for node, kids in enumerate(children)
                   for cp, child in kids.items())
    return (root, np.asarray([k for k, _c in edges], np.int64),
            np.asarray([c for _k, c in edges], np.int64), np.asarray(word_at, np.int64))


@pytest.mark.parametrize("side", ["offer", "need"])
def test_the_trie_is_the_trie_built_node_by_node(side):
    forms = vocabulary._forms(list(vocabulary._table(side)))[0]
    for words in (forms, [], ["a"], ["ab", "a", "abc", "b", "ab"], ["経理", "経理代行", "x"]):
        trie = scanning.Trie(words)
        for got, want in zip((trie.root, trie.keys, trie.child, trie.word_at),
                             _trie_as_written(words), strict=True):
            assert got.dtype == want.dtype and np.array_equal(got, want)


def test_the_kth_largest_is_what_a_partition_of_all_reads():
    rng = np.random.default_rng(3)
    arrays_ = [rng.random(5000, dtype=np.float32) ** 8,               # a long tail
               rng.integers(0, 4, 5000).astype(np.float32),          # few values, many ties
               np.zeros(5000, np.float32), np.ones(70, np.float32),
               np.sort(rng.random(3000, dtype=np.float32))[::-1].copy()]
    sparse_ = np.zeros(5000, np.float32)
    sparse_[rng.integers(0, 5000, 300)] = rng.random(300, dtype=np.float32)
    arrays_.append(sparse_)
    for vals in arrays_:
        n = len(vals)
        for k in sorted({1, 2, 63, 64, 65, n // 40, n // 3, n - 1}):
            if 0 < k < n:
                assert candidates._kth_largest(vals, k) == np.partition(vals, n - k)[n - k]


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


def test_pairs_scored_and_explained_in_chunks_give_the_same_suggestions(monkeypatch):
    """Only the pairs that could be suggested keep their scores and parts (read a chunk at
    a time): the same suggestions, reasons and all, whatever the chunks."""
    from joren.tenants.introductions import matching
    from joren.tenants.introductions.features import History
    from joren.tenants.introductions.history_keys import HistoryKeys
    from tests.quality import community as q

    profiles = q.build(300, seed=2).profiles
    whole = matching.suggest(Features(profiles, verdicts=None), History())
    monkeypatch.setattr(matching, "SCORE_CHUNK", 97)
    monkeypatch.setattr(matching, "EXPLAIN_CHUNK", 41)
    f = Features(profiles, verdicts=None)
    assert matching.suggest(f, History()) == whole and len(whole) > 100
    # The pairs kept are those the whole scoring finds promising, with the same parts.
    hk = HistoryKeys.build(f, History())
    i, j, c1, c2 = matching._pairs(f, hk, np.arange(len(f)), 20, allow_connected=False,
                                   stage=matching.StageClock())
    score, parts = matching._score(f, hk, i, j, c1, c2, matching.DEFAULT_WEIGHTS)
    want = np.flatnonzero(matching._promising(f, i, j, score, parts,
                                              matching.DEFAULT_WEIGHTS))
    at, got, got_parts = matching._score_promising(f, hk, i, j, c1, c2,
                                                   matching.DEFAULT_WEIGHTS)
    assert np.array_equal(at, want) and 0 < len(at) < len(i)
    assert np.array_equal(got, score[want])
    assert all(np.array_equal(got_parts[k], v[want]) for k, v in parts.items())
