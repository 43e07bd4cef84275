"""A curated bilingual vocabulary of business needs and services (``data/concepts.json``).

Each concept has Japanese and English labels, the industries (JSIC divisions) that typically
serve it, and cues: phrases that say someone *offers* it, phrases that say someone *needs* it
(「請求書の処理で手が回らない」 is a bookkeeping need without the word 経理), and words for
either side. A concept marked generic (経営, サポート, networking …) is recognised but never
carries a match on its own. Members can also pick concepts in their profile; a pick is a
strong signal. The introductions engine reads the tags (``tag``), the profile form the labels.

Matching is on normalised text (NFKC, lower case, katakana folded to hiragana). A cue written
only in ASCII matches at the start of an English word, so "invoic" finds "invoices"; others
match anywhere (Japanese has no spaces). One compiled pattern per side scans a whole batch.

Neutral phrases (``neutral_phrases``: 製品の採用 is a product's adoption, 営業時間 opening
hours) tag nothing; the pattern takes the longest cue at each place, so a neutral phrase
hides the shorter cue inside it (採用, 営業) there and nowhere else.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from scipy import sparse

SIDES = ("offer", "need")
SIDE_WEIGHT = 1.0      # a cue that names the side (経理代行 in an offer)
BOTH_WEIGHT = 0.8      # a word that fits either side (経理)
PICK_WEIGHT = 1.0      # chosen by the member in the profile form
MAX_PICKS = 5          # concepts a member may pick per side

_FOLD = {cp: cp - 0x60 for cp in range(0x30A1, 0x30F7)}


@dataclass(frozen=True)
class Concept:
    code: str
    ja: str
    en: str
    generic: bool
    industries: tuple[str, ...]

    def label(self, language: str | None) -> str:
        return self.ja if (language or "ja").startswith("ja") else self.en


@cache
def _mentions() -> frozenset[tuple[str, int]]:
    """(folded word, concept index) of every concept's ``mention`` words."""
    return frozenset((fold(w), k) for k, c in enumerate(_data()["concepts"].values())
                     for w in c.get("mention", ()) if fold(w).strip())


def is_mention(cue: str, concept: int) -> bool:
    """Whether a need-side match (a folded cue, as ``matches`` gives it) is one of the
    concept's mentions: a word that places a need in the concept's field (食事, receipts,
    "the web") without saying that its service is needed. A mention tags the need like a
    need cue (the engine's matching reads it in full) but never states a direction: "A's
    catering may help B" is not proved by B writing that "the food looks cold"."""
    return (cue, concept) in _mentions()


def fold(text: str) -> str:
    """NFKC, lower case, katakana folded to hiragana."""
    return unicodedata.normalize("NFKC", text or "").lower().translate(_FOLD)


@cache
def _data() -> dict:
    raw = resources.files(__package__).joinpath("data/concepts.json").read_text("utf-8")
    return json.loads(raw)


@cache
def concepts() -> dict[str, Concept]:
    """Every concept by code, in the file's order."""
    return {code: Concept(code, c["ja"], c["en"], bool(c.get("generic")),
                          tuple(c.get("industries", ())))
            for code, c in _data()["concepts"].items()}


def codes() -> tuple[str, ...]:
    return tuple(concepts())


@cache
def index() -> dict[str, int]:
    return {code: k for k, code in enumerate(concepts())}


@cache
def specificity() -> np.ndarray:
    """Per concept: 0 for a generic one (it never carries a match), else 1."""
    return np.array([0.0 if c.generic else 1.0 for c in concepts().values()], np.float32)


def pickable(language: str | None) -> list[tuple[str, str]]:
    """(code, label) of the concepts a member may pick, by label."""
    found = [(c.code, c.label(language)) for c in concepts().values() if not c.generic]
    return sorted(found, key=lambda item: item[1])


def generic_words() -> tuple[str, ...]:
    """Words that say nothing specific about a business (経営, サポート, business …)."""
    return tuple(_data().get("generic_words", ()))


def _trie_pattern(words: Sequence[str]) -> str:
    """One regular expression for ``words`` as a trie of alternations (much faster for
    Python's engine than a flat alternation of a thousand phrases); longest match first."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if end else body

    return walk(trie)


@cache
def _matcher(side: str) -> tuple[re.Pattern, dict[str, list[tuple[int, float]]]]:
    """One pattern for all cues of a side and, per folded cue, the concepts it tags with
    their weights. ASCII cues start at a word's start; the others anywhere."""
    table: dict[str, list[tuple[int, float]]] = {}
    for k, c in enumerate(_data()["concepts"].values()):
        keys = [(side, SIDE_WEIGHT), ("both", BOTH_WEIGHT)]
        if side == "need":
            keys.append(("mention", SIDE_WEIGHT))
        for key, weight in keys:
            for cue in c.get(key, ()):
                folded = fold(cue)
                if folded.strip():
                    table.setdefault(folded, []).append((k, weight))
    for phrase in _data().get("neutral_phrases", ()):
        table.setdefault(fold(phrase), [])
    latin = [cue for cue in table if cue.isascii() and cue[:1].isalnum()]
    other = [cue for cue in table if not (cue.isascii() and cue[:1].isalnum())]
    parts = [r"(?<![a-z0-9])" + _trie_pattern(latin)] if latin else []
    if other:
        parts.append(_trie_pattern(other))
    return re.compile("|".join(f"(?:{p})" for p in parts)), table


@cache
def _personal() -> re.Pattern:
    words = sorted({fold(w) for w in _data().get("personal_words", ())}, key=len, reverse=True)
    latin = [w for w in words if w.isascii()]
    other = [w for w in words if not w.isascii()]
    parts = [r"(?<![a-z0-9])(?:" + _trie_pattern(latin) + ")"] if latin else []
    if other:
        parts.append(_trie_pattern(other))
    return re.compile("|".join(f"(?:{p})" for p in parts) or r"(?!)")


def tag(texts: Sequence[str], side: str) -> sparse.csr_matrix:
    """Concepts found in each text for ``side`` ("offer" or "need"): one row per text, one
    column per concept, the strongest cue's weight (at most 1). Each line is read on its own;
    a line about the member's life (趣味, a marathon, friends) tags nothing, so "a partner for
    the Tokyo marathon training" is not a training need."""
    pattern, table = _matcher(side)
    n, width = len(texts), len(concepts())
    joined = "\x00".join(fold(t).replace("\x00", " ") for t in texts) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le"), np.uint32)
    ends = np.flatnonzero(cps == 0)
    breaks = np.flatnonzero((cps == 0) | (cps == 10) | (cps == 13))
    personal = np.unique(np.searchsorted(
        breaks, np.fromiter((m.start() for m in _personal().finditer(joined)), np.int64)))
    starts, cues = [], []
    for match in pattern.finditer(joined):
        starts.append(match.start())
        cues.append(match.group())
    at = np.asarray(starts, np.int64)
    keep = ~np.isin(np.searchsorted(breaks, at), personal)
    docs = np.searchsorted(ends, at)
    rows, cols, vals = [], [], []
    for doc, cue in zip(docs[keep].tolist(), [c for c, k in zip(cues, keep.tolist(), strict=True)
                                              if k], strict=True):
        for k, weight in table[cue]:
            rows.append(doc)
            cols.append(k)
            vals.append(weight)
    out = sparse.coo_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(n, width))
    return _max_duplicates(out)


def _max_duplicates(m: sparse.coo_matrix) -> sparse.csr_matrix:
    """A CSR matrix keeping, for duplicate entries, the largest value (not their sum)."""
    if not m.nnz:
        return sparse.csr_matrix(m.shape, dtype=np.float32)
    order = np.lexsort((-m.data, m.col, m.row))
    r, c, v = m.row[order], m.col[order], m.data[order]
    first = np.r_[True, (r[1:] != r[:-1]) | (c[1:] != c[:-1])]
    return sparse.csr_matrix((v[first], (r[first], c[first])), shape=m.shape)


def picks_matrix(picks: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """The members' picked concepts (codes; unknown ones ignored) as rows of ``PICK_WEIGHT``."""
    at = index()
    rows, cols = [], []
    for r, chosen in enumerate(picks):
        for code in chosen:
            if code in at:
                rows.append(r)
                cols.append(at[code])
    data = np.full(len(rows), PICK_WEIGHT, np.float32)
    return _max_duplicates(sparse.coo_matrix((data, (rows, cols)),
                                             shape=(len(picks), len(at))))


def evidence(text: str, side: str, code: str) -> str:
    """The line of ``text`` (as the member wrote it) whose words tag it with concept
    ``code`` for ``side``; "" when none (e.g. the concept was picked, not written)."""
    pattern, table = _matcher(side)
    k = index().get(code)
    personal = _personal()
    for line in (text or "").splitlines():
        folded = fold(line)
        if personal.search(folded):
            continue
        if any(c == k for m in pattern.finditer(folded) for c, _w in table[m.group()]):
            return " ".join(line.split())
    return ""


def parse_picks(value: str | None) -> tuple[str, ...]:
    """Stored picks ("bookkeeping,tax") as known codes, in order, without repeats."""
    known = index()
    out: list[str] = []
    for code in (value or "").split(","):
        code = code.strip()
        if code in known and code not in out:
            out.append(code)
    return tuple(out)


def matches(texts: Sequence[str], side: str) -> list[list[tuple[str, int, float]]]:
    """The cues ``tag`` finds in each text for ``side``, one by one: (the folded cue, the
    concept's index, its weight) in the order they occur; lines about the member's life are
    left out as ``tag`` leaves them. The reasons use it to judge which words carry a tag."""
    pattern, table = _matcher(side)
    out: list[list[tuple[str, int, float]]] = [[] for _ in texts]
    joined = "\x00".join(fold(t).replace("\x00", " ") for t in texts) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le"), np.uint32)
    ends = np.flatnonzero(cps == 0)
    breaks = np.flatnonzero((cps == 0) | (cps == 10) | (cps == 13))
    personal = set(np.searchsorted(
        breaks, np.fromiter((m.start() for m in _personal().finditer(joined)),
                            np.int64)).tolist())
    found = [(m.start(), m.group()) for m in pattern.finditer(joined)]
    if not found:
        return out
    at = np.fromiter((s for s, _c in found), np.int64, len(found))
    lines = np.searchsorted(breaks, at).tolist()
    docs = np.searchsorted(ends, at).tolist()
    for (_s, cue), line, doc in zip(found, lines, docs, strict=True):
        if line not in personal:
            out[doc].extend((cue, k, weight) for k, weight in table[cue])
    return out
