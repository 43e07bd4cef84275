"""Text features for the matching engine: character n-grams over normalised Japanese or English
text, hashed into a fixed space and weighted by TF-IDF.

No model and no network: a member's words are compared with another member's words.
- Normalisation: NFKC, lower case, katakana folded to hiragana, punctuation breaks n-grams.
- Features: character 2-grams in every script (a 2-gram written only in hiragana is mostly
  grammar and counts 0.3), character 3-grams of Latin letters and digits, and English word
  tokens. On the quality test 2-grams alone ranked complementary Japanese texts better than
  2- and 3-grams together (3-grams rarely overlap between two phrasings of one need).
- The n-grams are extracted with numpy over whole batches of documents (no Python loop per
  n-gram), hashed with a fixed multiplicative hash (deterministic across processes) and stored
  as ``scipy.sparse`` CSR rows, L2-normalised so that a dot product is the cosine similarity.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import sparse

from joren.platform.rowcache import RowCache
from joren.tenants.members import vocabulary

BITS = 20                       # 1,048,576 hashed features
DIM = 1 << BITS
_MULT = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - BITS)
_CHUNK = 20_000                 # documents per extraction batch (bounds memory)
_WORD = re.compile(r"[a-z][a-z0-9]+")

# Punctuation and symbols become a space (an n-gram breaker); katakana is folded to hiragana
# (ァ..ヶ → ぁ..ゖ) on the code points, so that ホームページ and ほーむぺーじ meet.
_BREAKERS = ("、。，．・「」『』（）()［］[]【】〈〉《》!！?？:：;；/／\\|｜~〜…‥\"'“”‘’,.\t\r\n"
             "-－—=＝+＋*＊#＃&＆@＠%％")
_BREAK = {ord(ch): " " for ch in _BREAKERS}
_FOLD = {cp: cp - 0x60 for cp in range(0x30A1, 0x30F7)}
# N-grams written only in hiragana are mostly grammar (して, ている, たい): they count less.
HIRAGANA_WEIGHT = 0.3
MIXED_WEIGHT = 1.0
TRIGRAM_WEIGHT = 1.0


def _prepare(text: str) -> str:
    """NFKC, lower case, punctuation turned into spaces (katakana kept: see ``_counts``)."""
    return _without_generic(unicodedata.normalize("NFKC", text or "").lower()).translate(_BREAK)


def normalise(text: str) -> str:
    """NFKC, lower case, katakana folded to hiragana, punctuation turned into spaces."""
    return " ".join(_prepare(text).translate(_FOLD).split())


def _word_bucket(word: str) -> int:
    return (zlib.crc32(b"w:" + word.encode()) * 2654435761) % DIM


_BREAK_TABLE = np.zeros(max(map(ord, _BREAKERS)) + 1, bool)
_BREAK_TABLE[[ord(ch) for ch in _BREAKERS]] = True


def _stem(word: str) -> str:
    """A light English stem: plural "s" off, so "accountants" meets "accountant"."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def join_ended(texts: Sequence[str]) -> str:
    """The texts joined, each ended by NUL (a NUL inside a text becomes a space)."""
    joined = "\x00".join([t or "" for t in texts]) + "\x00"
    if joined.count("\x00") != len(texts):
        joined = "\x00".join([(t or "").replace("\x00", " ") for t in texts]) + "\x00"
    return joined


def _codepoints(chunk: Sequence[str]) -> tuple[str, np.ndarray]:
    """The chunk's documents normalised as ``_prepare`` does, joined, each ended by NUL: the
    text (punctuation still in it) and its code points with punctuation turned into spaces.
    One NFKC and one lower-casing for the whole chunk: NUL is a starter that composes with
    nothing and is not cased, so neither crosses from one document into the next (a NUL
    inside a document is a space, as it was)."""
    text = _without_generic(unicodedata.normalize("NFKC", join_ended(chunk)).lower())
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    small = cps < len(_BREAK_TABLE)
    brk = np.zeros(len(cps), bool)
    brk[small] = _BREAK_TABLE[cps[small]]
    return text, np.where(brk, np.uint32(32), cps)


@cache
def _generic_pattern() -> re.Pattern:
    """Generic words (経営, サポート, business …: ``members.vocabulary``), English ones as
    whole words."""
    words = [unicodedata.normalize("NFKC", w).lower() for w in vocabulary.generic_words()]
    latin = sorted((w for w in words if w.isascii()), key=len, reverse=True)
    other = sorted((w for w in words if not w.isascii()), key=len, reverse=True)
    parts = []
    if latin:
        parts.append(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, latin)) + r")(?![a-z0-9])")
    if other:
        parts.append("|".join(map(re.escape, other)))
    return re.compile(first_chars_first(words, "|".join(parts)) if parts else r"(?!)")


def first_chars_first(words: Sequence[str], pattern: str) -> str:
    """``pattern`` (an alternation of ``words``, some behind a look-behind) led by a
    look-ahead for the words' first characters: the same matches, but Python's engine then
    skips the positions where no word can begin instead of trying every alternative at
    each one (a look-behind in front hides the first characters from it): 2–3 times
    faster on the members' texts."""
    if not words or not all(words):      # an empty word matches anywhere
        return pattern
    firsts = "".join(sorted({w[0] for w in words}))
    return f"(?=[{re.escape(firsts)}])(?:{pattern})"


def _without_generic(text: str) -> str:
    """Generic words become spaces (n-gram breakers), so they cannot carry a match: two
    profiles that share only 経営, 中小企業 or "support" share no feature. One space per
    character, so positions do not move."""
    return _generic_pattern().sub(lambda m: " " * len(m.group()), text)


def _word_spans(cps: np.ndarray, latin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) of each English word, as ``[a-z][a-z0-9]+`` finds them: in each run of
    ASCII letters and digits, from its first letter to its end, two characters at least."""
    edges = np.diff(np.r_[False, latin, False].astype(np.int8))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    letters = np.flatnonzero((cps >= 0x61) & (cps <= 0x7A))
    at = np.searchsorted(letters, starts)
    first = letters[np.minimum(at, max(len(letters) - 1, 0))] if len(letters) else ends
    ok = (at < len(letters)) & (first < ends) & (ends - first >= 2) if len(letters) \
        else np.zeros(len(starts), bool)
    return first[ok], ends[ok]


def _chunk_entries(text: str, cps: np.ndarray, start: int, buckets: dict[str, int]
                   ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """(rows, hashed columns, weights) of the chunk's 2-grams, Latin 3-grams and words, in that
    order (each in document order)."""
    hira = (cps >= 0x3041) & (cps <= 0x309F)
    latin = ((cps >= 0x61) & (cps <= 0x7A)) | ((cps >= 0x30) & (cps <= 0x39))
    kata = (cps >= 0x30A1) & (cps <= 0x30F6)
    wide = np.where(kata, cps - np.uint32(0x60), cps).astype(np.uint64)
    ends = cps == 0
    doc_of = start + np.cumsum(ends) - ends
    brk = ends | (cps == 32)
    rows, cols, weights = [], [], []
    if len(cps) >= 2:
        at = np.flatnonzero(~(brk[:-1] | brk[1:]))
        g2 = (wide[at] << np.uint64(21)) | wide[at + 1]
        rows.append(doc_of[at])
        cols.append(((g2 * _MULT) >> _SHIFT).astype(np.int64))
        weights.append(np.where(hira[at] & hira[at + 1], np.float32(HIRAGANA_WEIGHT),
                                np.where(hira[at] | hira[at + 1], np.float32(MIXED_WEIGHT),
                                         np.float32(1.0))))
    if len(cps) >= 3:
        at = np.flatnonzero(latin[:-2] & latin[1:-1] & latin[2:])
        g3 = (wide[at] << np.uint64(42)) | (wide[at + 1] << np.uint64(21)) | wide[at + 2]
        rows.append(doc_of[at])
        cols.append(((g3 * _MULT) >> _SHIFT).astype(np.int64))
        weights.append(np.ones(len(g3), np.float32))
    first, last = _word_spans(cps, latin)
    if len(first):
        word_cols = []
        for a, b in zip(first.tolist(), last.tolist(), strict=True):
            word = text[a:b]
            bucket = buckets.get(word)
            if bucket is None:
                bucket = buckets[word] = _word_bucket(_stem(word))
            word_cols.append(bucket)
        rows.append(doc_of[first])
        cols.append(np.asarray(word_cols, dtype=np.int64))
        weights.append(np.ones(len(word_cols), np.float32))
    return rows, cols, weights


def _counts(docs: Sequence[str]) -> sparse.csr_matrix:
    """Hashed n-gram and word counts (hiragana-only n-grams weighted down), one row per
    document (raw text: normalised here as ``_prepare`` does, a chunk of documents at once;
    each chunk's rows built on their own, so that only a chunk's entries are held at once)."""
    n = len(docs)
    buckets: dict[str, int] = {}
    parts = []
    for start in range(0, n, _CHUNK):
        chunk = docs[start:start + _CHUNK]
        text, cps = _codepoints(chunk)
        r, c, w = _chunk_entries(text, cps, 0, buckets)
        del text, cps
        if not r:
            parts.append(sparse.csr_matrix((len(chunk), DIM), dtype=np.float32))
            continue
        m = sparse.csr_matrix((np.concatenate(w), (np.concatenate(r), np.concatenate(c))),
                              shape=(len(chunk), DIM))
        del r, c, w
        m.sum_duplicates()
        parts.append(m)
    if not parts:
        return sparse.csr_matrix((n, DIM), dtype=np.float32)
    return parts[0] if len(parts) == 1 else sparse.vstack(parts, format="csr")


# The counts of the documents fitted lately (``RowCache``): each cycle fits every member's
# offers and asks, and most are as they were the cycle before. A document's counts are its
# own (a chunk's documents are read together, never into one another).
COUNTS_KEPT_ROWS = 50_000
_COUNTS_KEPT = RowCache(COUNTS_KEPT_ROWS)


@dataclass(frozen=True)
class TextModel:
    """IDF weights learnt from a community's offer and ask documents; reused to vectorise
    single lines for the reasons so that a line and a whole side are weighted alike."""

    idf: np.ndarray     # float32 (DIM,); 0 for features dropped as too common
    df: np.ndarray      # int (DIM,): documents (offer or ask sides) holding the feature

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        m = _counts(texts)
        return _weigh(m, self.idf)


def _weigh(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """TF-IDF rows, L2-normalised (float32, sorted indices). The norms are summed as scipy's
    row sums are (``np.add.reduceat`` per row), the rows scaled in place."""
    m = counts.astype(np.float32)
    m.data = np.log1p(m.data) * idf[m.indices]
    m.eliminate_zeros()
    m.sort_indices()
    lengths = np.diff(m.indptr)
    filled = np.flatnonzero(lengths)
    squares = np.zeros(m.shape[0], np.float32)
    if len(filled):
        squares[filled] = np.add.reduceat(m.data * m.data, m.indptr[filled])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    m.data *= np.repeat((1.0 / norms).astype(np.float32), lengths)
    m.eliminate_zeros()
    return m


def fit(offer_docs: Sequence[str], ask_docs: Sequence[str], *, max_df: float = 0.2,
        min_docs_for_max_df: int = 40) -> tuple[sparse.csr_matrix, sparse.csr_matrix, TextModel]:
    """TF-IDF rows for the offer and ask documents (same order as given) and the model.

    Features in more than ``max_df`` of all documents (like "して" or "ます") are dropped once
    the community has ``min_docs_for_max_df`` documents: they say nothing about a match and
    make the sparse products dense.
    """
    if max(len(offer_docs), len(ask_docs)) > COUNTS_KEPT_ROWS:   # none would be kept
        offers, asks = _counts(offer_docs), _counts(ask_docs)
    else:
        offers = _COUNTS_KEPT.rows(offer_docs, _counts)
        asks = _COUNTS_KEPT.rows(ask_docs, _counts)
    docs = offers.shape[0] + asks.shape[0]
    df = (np.bincount(offers.indices, minlength=DIM) + np.bincount(asks.indices, minlength=DIM))
    idf = (np.log((1.0 + docs) / (1.0 + df)) + 1.0).astype(np.float32)
    if docs >= min_docs_for_max_df:
        idf[df > max_df * docs] = 0.0
    return _weigh(offers, idf), _weigh(asks, idf), TextModel(idf, df)


_SENTENCE_END = re.compile(r"[。．!！?？\n\r]+|\.\s")
_ENDS = np.array([ord(ch) for ch in "。．!！?？\n\r"], np.uint32)
# By code point below U+FFFF (which, like every one above, is neither): 1 a space, 2 a
# sentence end. One lookup per character instead of a comparison with each end.
_CLASS = np.zeros(0x10000, np.uint8)
_CLASS[[c for c in range(0x3001) if chr(c).isspace()]] = 1     # U+3000 is the last space
_CLASS[_ENDS] |= 2


def sentences(text: str, limit: int = 12) -> list[str]:
    """A side's text cut into short sentences (for the matched snippet of a reason)."""
    parts = _SENTENCE_END.split(text or "")
    out = [" ".join(p.split()) for p in parts]
    return [p for p in out if p][:limit]


def sentence_table(texts: Sequence[str], limit: int = 12) -> tuple[list[str], np.ndarray]:
    """``sentences`` of many texts at once: (all their sentences in order, the index of the
    text each comes from). One pass of numpy over the joined code points instead of a regular
    expression and a join per sentence; the same sentences (a NUL counts as a space).
    ``_CHUNK`` texts at a time, so that the passes' arrays stay small."""
    if len(texts) <= _CHUNK:
        return _sentence_table(texts, limit)
    lines: list[str] = []
    owners = []
    for start in range(0, len(texts), _CHUNK):
        part, owner = _sentence_table(texts[start:start + _CHUNK], limit)
        lines += part
        owners.append(owner + start)
    return lines, np.concatenate(owners)


def _sentence_table(texts: Sequence[str], limit: int) -> tuple[list[str], np.ndarray]:
    if not texts:
        return [], np.zeros(0, np.int64)
    cps = np.frombuffer(join_ended(texts).encode("utf-32-le"), dtype=np.uint32)
    kind = _CLASS[np.minimum(cps, len(_CLASS) - 1)]
    space = (kind & 1).astype(bool)
    ends = cps == 0
    cut = ends | (kind >= 2)
    dot_space = np.flatnonzero((cps[:-1] == ord(".")) & space[1:])
    cut[dot_space] = cut[dot_space + 1] = True
    part = np.cumsum(cut)                       # the same number for the chars of one part
    word = ~cut & ~space
    words = np.flatnonzero(word)
    if not len(words):
        return [], np.zeros(0, np.int64)
    # A run of spaces inside a part becomes one space; spaces at its ends go: a space is
    # kept when it follows a word character and the part has one after it.
    word_part = part[words]
    last = np.r_[word_part[1:] != word_part[:-1], True]
    last_word = np.full(int(part[-1]) + 1, -1, np.int64)
    last_word[word_part[last]] = words[last]
    first_space = space & ~cut & np.r_[False, word[:-1]]
    spaces = np.flatnonzero(first_space)
    first_space[spaces[spaces >= last_word[part[spaces]]]] = False
    keep = np.flatnonzero(word | first_space)
    kept_part = part[keep]
    new_line = np.r_[True, kept_part[1:] != kept_part[:-1]]
    line_of = np.cumsum(new_line) - 1
    text_of_line = (np.cumsum(ends) - ends)[keep[new_line]]
    lines_total = len(text_of_line)
    starts = np.flatnonzero(np.r_[True, text_of_line[1:] != text_of_line[:-1]])
    rank = np.arange(lines_total) - np.repeat(starts, np.diff(np.r_[starts, lines_total]))
    chars = np.where(word[keep], cps[keep], np.uint32(32))
    out = np.zeros(len(keep) + len(text_of_line), np.uint32)
    out[np.arange(len(keep)) + line_of] = chars
    lines = out.tobytes().decode("utf-32-le").split("\x00")[:-1]
    within = np.flatnonzero(rank < limit)
    if len(within) < len(lines):
        lines = [lines[k] for k in within.tolist()]
    return lines, text_of_line[within]


def snippet(text: str, length: int = 40) -> str:
    return cut(" ".join((text or "").split()), length)


def cut(line: str, length: int = 40) -> str:
    """``snippet`` of a line whose spaces are already normalised (as ``sentences`` gives)."""
    line = line.strip(" 、。,.")
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"
