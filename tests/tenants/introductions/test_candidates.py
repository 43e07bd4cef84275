"""The vectorised stages of the matching engine against small brute-force references written
here: text candidates (the blocked path every community goes through, with its pruning,
sampled postings, block floor and top-k), the batched text features and the sentence cutting."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pytest

from joren.tenants.introductions import allocation, candidates, text
from joren.tenants.introductions.features import Features, Profile

VOCABULARY = ("採用", "求人", "税務", "会計", "物流", "倉庫", "動画", "制作", "融資", "補助金",
              "システム", "デザイン", "イベント", "セミナー", "クラウド", "ホームページ",
              "payroll", "bookkeeping", "website", "export", "translation", "venue")
ENDS = ("の支援", "を承ります", "に課題がある", "を探している。", "を相談したい", "", "です.")


KANJI = "営業採用求人経理税務会計法務労務保険不動産物件建設工事設計製造品質物流運送倉庫輸出入販売"


def random_community(seed: int, size: int) -> Features:
    """Members whose offers and asks are random phrases over a business vocabulary (so that
    many pairs share words, weakly or strongly), a few without any text."""
    rng = np.random.default_rng(seed)
    vocabulary = list(VOCABULARY) + ["".join(rng.choice(list(KANJI), 2)) for _ in range(150)]

    def phrase() -> str:
        words = rng.choice(vocabulary, size=rng.integers(1, 5))
        return "".join(f"{w} " if w.isascii() else w for w in words) + str(rng.choice(ENDS))

    profiles = []
    for k in range(size):
        empty = rng.random() < 0.03
        offers = () if empty else tuple(phrase() for _ in range(rng.integers(1, 4)))
        asks = () if empty else tuple(phrase() for _ in range(rng.integers(1, 3)))
        profiles.append(Profile(10 + 3 * k, offers=offers, asks=asks,
                                accepts_introductions=rng.random() < 0.95))
    return Features(profiles)


def _dense(f: Features, pos: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Offer and ask rows of ``pos`` as dense float64 arrays over the features they use (in
    ascending hashed order), each feature's document frequency, and its hashed number."""
    offer, ask, model = f.text()
    o, a = offer[pos], ask[pos]
    used = np.union1d(o.indices, a.indices)
    return (o[:, used].toarray().astype(np.float64), a[:, used].toarray().astype(np.float64),
            model.df[used], used)


def _heaviest(values: np.ndarray, allowed: np.ndarray, m: int) -> list[int]:
    """Indices of the ``m`` largest allowed nonzero values (ties: the lower index first)."""
    found = [c for c in np.flatnonzero(values) if allowed[c]]
    return sorted(found, key=lambda c: (-np.float32(values[c]), c))[:m]


def reference_blocked(f: Features, pos: np.ndarray, k: int, prune: int, postings: int,
                      block: int) -> tuple[list[set[int]], list[set[int]]]:
    """Per member (in ``pos`` order): the partners (positions into ``pos``) the blocked path
    must choose, and the ones that may differ from it only by float rounding (values within
    1e-5 of a threshold or of the k-th value). Written out from the contract in
    ``candidates``, one member and one feature at a time."""
    o, a, df, used = _dense(f, pos)
    m, width = o.shape
    shared = df > 1
    po, pa = np.zeros_like(o), np.zeros_like(a)
    for r in range(m):
        for src, dst in ((o, po), (a, pa)):
            keep = _heaviest(src[r], shared, prune)
            dst[r, keep] = src[r, keep]
    blocks = len(range(0, m, block))
    groups = max(1, min(candidates.GROUPS, blocks))
    rows_of = candidates.hash_keys(f.ids)[pos]  # the hash reads id ranks, not positions

    def sampled(src: np.ndarray, offset: int, g: int) -> np.ndarray:
        """A feature in more than ``postings`` texts keeps those whose hash of (feature,
        text, group) falls under postings / texts."""
        out = np.zeros_like(src)
        for c in range(width):
            texts = np.flatnonzero(src[:, c])
            if len(texts) <= postings:
                out[texts, c] = src[texts, c]
                continue
            draw = candidates.draw(np.full(len(texts), offset + used[c]), rows_of[texts], g)
            kept = texts[draw < postings / len(texts)]
            out[kept, c] = src[kept, c]
        return out

    scores, links = [], []
    for g in range(groups):
        pa_t, po_t = sampled(pa, 0, g), sampled(po, text.DIM, g)
        score = po @ pa_t.T + pa @ po_t.T
        linked = ((po > 0).astype(int) @ (pa_t > 0).T
                  + (pa > 0).astype(int) @ (po_t > 0).T) > 0
        np.fill_diagonal(score, 0.0)
        scores.append(score)
        links.append(linked)
    exact: list[set[int]] = []
    loose: list[set[int]] = []
    eps = 1e-5
    for start in range(0, m, block):
        score, linked = scores[(start // block) % groups], links[(start // block) % groups]
        rows = range(start, min(start + block, m))
        vals = np.concatenate([score[r][linked[r]] for r in rows])
        budget = 4 * k * len(rows)
        floor = np.sort(vals)[len(vals) - budget] if len(vals) > budget else 0.0
        for r in rows:
            row = np.where(linked[r], score[r], 0.0)
            threshold = min(floor, 0.5 * row.max())
            fine = [c for c in np.flatnonzero(row > 0) if row[c] >= threshold - eps]
            fine.sort(key=lambda c: -row[c])
            cut = row[fine[k]] if len(fine) > k else -1.0    # the best one left out
            sure = {c for c in fine[:k] if row[c] >= threshold + eps and row[c] > cut + eps}
            maybe = {c for c in fine if abs(row[c] - threshold) < eps
                     or abs(row[c] - cut) < eps}
            exact.append(sure)
            loose.append(maybe)
    return exact, loose


@pytest.mark.parametrize("seed", [1, 2])
def test_blocked_text_candidates_match_the_brute_force_reference(seed, monkeypatch):
    monkeypatch.setattr(candidates, "BLOCK", 64)
    monkeypatch.setattr(candidates, "PRUNE", 6)
    monkeypatch.setattr(candidates, "POSTINGS", 6)   # binds: features reach 16 texts
    f = random_community(seed, 300)
    pos = np.flatnonzero(f.eligible)
    k = 5
    i, j, c1, c2 = candidates.text_candidates(f, pos, k)
    assert np.isnan(c1).all() and np.isnan(c2).all()   # exact cosines come later
    at = {int(p): r for r, p in enumerate(pos)}
    chosen: list[set[int]] = [set() for _ in pos]
    for x, y in zip(i.tolist(), j.tolist(), strict=True):
        chosen[at[x]].add(at[y])
    exact, loose = reference_blocked(f, pos, k, prune=6, postings=6, block=64)
    for r in range(len(pos)):
        assert exact[r] <= chosen[r], r
        assert chosen[r] - exact[r] <= loose[r], r
        assert len(chosen[r]) <= k
    # The test means something: most members have partners, decided away from any boundary.
    assert sum(len(s) for s in exact) > 0.8 * sum(len(s) for s in chosen) > 2 * len(pos)


def test_query_candidates_are_each_querys_best_partners_by_the_pruned_score(monkeypatch):
    """The second chance's search: for a few members only, their top-k among ``pos`` by the
    pruned rows' score over all the postings (no sample, no block floor)."""
    monkeypatch.setattr(candidates, "PRUNE", 6)
    monkeypatch.setattr(candidates, "BLOCK", 8)      # the queries go in several blocks
    f = random_community(4, 300)
    pos = np.flatnonzero(f.eligible)[::2]            # a subset: partners only from it
    queries = pos[::9]
    k = 5
    i, j = candidates.query_candidates(f, pos, queries, k)
    o, a, df, _used = _dense(f, pos)
    po, pa = np.zeros_like(o), np.zeros_like(a)
    for r in range(len(pos)):
        for src, dst in ((o, po), (a, pa)):
            keep = _heaviest(src[r], df > 1, 6)
            dst[r, keep] = src[r, keep]
    score = po @ pa.T + pa @ po.T
    np.fill_diagonal(score, 0.0)
    at = {int(p): r for r, p in enumerate(pos)}
    assert set(i.tolist()) <= set(queries.tolist()) and set(j.tolist()) <= set(pos.tolist())
    eps = 1e-5
    for q in queries.tolist():
        row = score[at[q]]
        chosen = {at[y] for x, y in zip(i.tolist(), j.tolist(), strict=True) if x == q}
        ranked = sorted(np.flatnonzero(row > 0), key=lambda c: -row[c])
        cut = row[ranked[k]] if len(ranked) > k else -1.0
        sure = {c for c in ranked[:k] if row[c] > cut + eps}
        assert sure <= chosen, q
        assert all(abs(row[c] - cut) < eps for c in chosen - sure), q
        assert len(chosen) == min(k, len(ranked)), q
    assert len(i) > 3 * len(queries)                 # the test means something


def test_two_threads_find_the_same_pairs_in_the_same_order_as_one(monkeypatch):
    monkeypatch.setattr(candidates, "BLOCK", 32)
    f = random_community(3, 400)
    pos = np.flatnonzero(f.eligible)
    found = {}
    for threads in (1, 2):
        monkeypatch.setattr(candidates, "THREADS", threads)
        found[threads] = candidates.text_candidates(f, pos, 5)[:2]
    assert len(found[1][0]) > 2 * len(pos)
    assert all(np.array_equal(a, b) for a, b in zip(found[1], found[2], strict=True))


def test_the_block_top_k_sort_agrees_with_the_general_one():
    rng = np.random.default_rng(4)
    rows = np.sort(rng.integers(0, 300, 20_000)).astype(np.int32)
    vals = rng.choice(np.float32([0.5, 0.25, 0.125]), 20_000)   # many ties
    vals[::7] = rng.random(len(vals[::7])).astype(np.float32)
    for k in (1, 5, 40):
        expected = candidates.top_per_row(rows, vals, k)
        assert np.array_equal(candidates._top_in_block(rows, vals, k), expected)
    shuffled = rng.permutation(len(rows))
    assert np.array_equal(candidates._top_in_block(rows[shuffled], vals[shuffled], 5),
                          candidates.top_per_row(rows[shuffled], vals[shuffled], 5))


# --- text features -------------------------------------------------------------------------

MIXED = [
    "採用支援・求人広告の運用代行",
    "ホームページ制作。ＳＥＯ対策！",
    "Accountants' payroll, 3 days",
    "ｶﾀｶﾅのﾃﾞｰﾀ入力",
    "ΣΑΣ and Σ",
    "",
    "株式会社アルファ（ALPHA Co., Ltd.）",
    "a\x00b c",
    "① ﬁnance…done",
    "へいせい ヘイセイ",
    "x.y. z",
    "\u3000全角\u3000スペース\n改行",
]


def _reference_counts(doc: str) -> dict[int, float]:
    """Hashed n-gram and word counts of one document, one character at a time."""
    prepared = text._prepare(doc.replace("\x00", " "))
    chars = [chr(ord(ch) - 0x60) if 0x30A1 <= ord(ch) <= 0x30F6 else ch for ch in prepared]

    def bucket(codes: list[int]) -> int:
        g = 0
        for c in codes:
            g = (g << 21) | c
        return ((g * 0x9E3779B97F4A7C15) % 2**64) >> (64 - text.BITS)

    def hira(ch: str) -> bool:
        return 0x3041 <= ord(ch) <= 0x309F

    def latin(ch: str) -> bool:
        return "a" <= ch <= "z" or "0" <= ch <= "9"

    out: dict[int, float] = {}
    for k, (x, y) in enumerate(zip(chars, chars[1:], strict=False)):
        if x != " " and y != " ":
            b = bucket([ord(x), ord(y)])
            # Written in hiragana (katakana folded to hiragana still counts in full).
            grammar = hira(prepared[k]) and hira(prepared[k + 1])
            out[b] = out.get(b, 0.0) + (text.HIRAGANA_WEIGHT if grammar else 1.0)
    for x, y, z in zip(chars, chars[1:], chars[2:], strict=False):
        if latin(x) and latin(y) and latin(z):
            b = bucket([ord(x), ord(y), ord(z)])
            out[b] = out.get(b, 0.0) + 1.0
    for word in re.findall(r"[a-z][a-z0-9]+", prepared):
        stem = word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") \
            else word
        b = (zlib.crc32(b"w:" + stem.encode()) * 2654435761) % text.DIM
        out[b] = out.get(b, 0.0) + 1.0
    return out


def test_batched_counts_match_a_per_document_reference():
    rng = np.random.default_rng(5)
    docs = MIXED + ["".join(rng.choice(list("あいアイ採用 .。abc1Σ-ｶﾞ"), rng.integers(0, 25)))
                    for _ in range(300)]
    counts = text._counts(docs)
    for r, doc in enumerate(docs):
        row = counts[r]
        got = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        expected = _reference_counts(doc)
        assert got.keys() == expected.keys(), doc
        for key, value in expected.items():
            assert got[key] == pytest.approx(value, rel=1e-6), doc


def test_sentence_table_cuts_like_sentences():
    rng = np.random.default_rng(6)
    alphabet = list("ab c.。．!！?？\n\r\t \u3000\xa0x日本") + [". ", "..", " . ", "\r\n"]
    texts = MIXED + ["".join(rng.choice(alphabet, rng.integers(0, 30))) for _ in range(2000)]
    texts.append("。".join(f"文{k}" for k in range(30)))     # more than the limit
    lines, text_of = text.sentence_table(texts)
    assert list(zip(text_of.tolist(), lines, strict=True)) == [
        (k, line) for k, t in enumerate(texts) for line in text.sentences(t.replace("\x00", " "))]
    short, _ = text.sentence_table(texts, limit=2)
    assert short == [line for t in texts for line in text.sentences(t.replace("\x00", " "), 2)]
    for nothing in ([], [""], [" \n "]):
        lines, text_of = text.sentence_table(nothing)
        assert lines == [] and len(text_of) == 0


# --- allocation ----------------------------------------------------------------------------

def _random_graph(seed: int, n: int = 60, pairs: int = 400):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, pairs)
    j = (i + rng.integers(1, n, pairs)) % n
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    _, first = np.unique(lo * n + hi, return_index=True)
    lo, hi = lo[np.sort(first)], hi[np.sort(first)]
    return lo, hi, rng.random(len(lo)), rng


@pytest.mark.parametrize("seed", range(6))
def test_fair_rounds_serve_everyone_once_before_anyone_twice(seed, monkeypatch):
    n = 60
    i, j, score, rng = _random_graph(seed, n, 150 + 40 * seed)
    held = rng.integers(0, 2, n) * (rng.random(n) < 0.2)
    cap = 2 + (seed % 2)
    room = cap - held
    good = np.flatnonzero(score > 0.1)
    got = allocation.allocate(n, i, j, score, good, room, held)
    new = np.bincount(np.r_[i[got], j[got]], minlength=n)
    assert (held + new <= cap).all()                       # the cap counts what is pending
    assert len(set(got.tolist())) == len(got) and set(got.tolist()) <= set(good.tolist())
    total = held + new
    # Nobody left with nothing could have been given a partner who still has room.
    for k in good.tolist():
        x, y = int(i[k]), int(j[k])
        assert not (total[x] == 0 and total[y] < cap), (x, y)
        assert not (total[y] == 0 and total[x] < cap), (x, y)
    # The same with the Python loop fed one pair at a time, and with chunks that start at
    # one pair and grow.
    monkeypatch.setattr(allocation, "CHUNK", 1)
    assert allocation.allocate(n, i, j, score, good, room, held).tolist() == got.tolist()
    monkeypatch.setattr(allocation, "CHUNK", 64)
    monkeypatch.setattr(allocation, "STEP", 1)
    assert allocation.allocate(n, i, j, score, good, room, held).tolist() == got.tolist()


def test_a_hub_does_not_take_the_only_partner_of_others():
    # 0 is everyone's favourite; 1..4 each have 0 and one partner of their own (5..8).
    i = np.array([0, 0, 0, 0, 1, 2, 3, 4])
    j = np.array([1, 2, 3, 4, 5, 6, 7, 8])
    score = np.array([0.9, 0.9, 0.9, 0.9, 0.2, 0.2, 0.2, 0.2])
    got = allocation.allocate(9, i, j, score, np.arange(8), np.full(9, 1), None)
    served = np.bincount(np.r_[i[got], j[got]], minlength=9)
    assert (served[1:] == 1).all()        # greedy by score would have served 0 and 1 only
    assert served[0] == 0


def test_pending_suggestions_fill_the_cap():
    i, j = np.array([0, 0, 1]), np.array([1, 2, 2])
    score = np.array([0.9, 0.8, 0.7])
    room, held = np.array([0, 2, 2]), np.array([2, 0, 0])
    got = allocation.allocate(3, i, j, score, np.arange(3), room, held)
    assert got.tolist() == [2]


def test_a_fallback_pair_serves_only_a_member_without_a_confirmed_one():
    # 0–1 and 1–2 are confirmed; 2–3 and 0–3 only fallback. Member 3 has no confirmed pair:
    # it gets a fallback first; nobody takes a fallback pair as a second.
    i, j = np.array([0, 1, 2, 0]), np.array([1, 2, 3, 3])
    score = np.array([1.0, 0.9, 0.5, 0.8])
    got = allocation.allocate(4, i, j, score, np.array([0, 1]), np.full(4, 2), None,
                              fallback=np.array([2, 3]))
    chosen = {(int(i[k]), int(j[k])) for k in got}
    assert (0, 1) in chosen and (1, 2) in chosen
    assert len([p for p in chosen if 3 in p]) == 1


def test_the_look_ahead_for_first_characters_keeps_every_match():
    """``text.first_chars_first`` only speeds the generic-word patterns up: the same
    substitutions, at word boundaries and inside Japanese alike."""
    import re

    words = ["business", "help", "経営", "経営者", "サポート"]
    plain = (r"(?<![a-z0-9])(?:business|help)(?![a-z0-9])|経営者|経営|サポート")
    led = re.compile(text.first_chars_first(words, plain))
    samples = ["small business help", "helpful businesses", "経営者の経営をサポート",
               "abusiness help2 help", "", "ビジネスサポ", "経営経営者"]
    for sample in samples:
        assert led.sub("_", sample) == re.compile(plain).sub("_", sample), sample
    assert text.first_chars_first(["", "a"], plain) == plain     # an empty word: unchanged


def test_the_fraction_of_the_postings_draw_is_the_remainder():
    rng = np.random.default_rng(5)
    v = np.r_[0.0, 1.0, 2.0, np.nextafter(1.0, 0.0), 7.999999999999999,
              rng.random(100_000) * 9]
    assert np.array_equal(candidates._fraction(v.copy()), v % 1.0)
