"""A curated bilingual vocabulary of business needs and services (``data/concepts.json``).

Each concept has Japanese and English labels, the industries (JSIC divisions) that typically
serve it, and cues: phrases that say someone *offers* it, phrases that say someone *needs* it
(「請求書の処理で手が回らない」 is a bookkeeping need without the word 経理), and words for
either side. A concept marked generic (経営, サポート, networking …) is recognised but never
carries a match on its own. Members can also pick concepts in their profile; a pick is a
strong signal. The introductions engine reads the tags (``tag``), the profile form the labels.

Matching is on normalised text (NFKC, lower case, katakana folded to hiragana). A cue written
only in ASCII matches at the start of an English word, so "invoic" finds "invoices"; others
match anywhere (Japanese has no spaces). The cues of a side form a trie, walked with numpy
from every place where a cue can begin, for a whole batch of texts at once: it finds what one
regular expression of the trie (``_matcher``) finds, leftmost and longest first.

Neutral phrases (``neutral_phrases``: 製品の採用 is a product's adoption, 営業時間 opening
hours) tag nothing; the pattern takes the longest cue at each place, so a neutral phrase
hides the shorter cue inside it (採用, 営業) there and nowhere else.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
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


def _folded_codepoints(texts: Sequence[str]) -> np.ndarray:
    """The code points of ``"\x00".join(fold(t) for t in texts) + "\x00"`` (a NUL inside
    a text becomes a space): one normalisation and one lower-casing for all the texts (NUL
    composes with nothing and is not cased, so neither crosses from one text into the
    next), katakana folded on the code points."""
    joined = "\x00".join([(t or "").replace("\x00", " ") for t in texts])
    cps = np.frombuffer((unicodedata.normalize("NFKC", joined).lower() + "\x00")
                        .encode("utf-32-le"), np.uint32).copy()
    kata = (cps >= 0x30A1) & (cps <= 0x30F6)
    cps[kata] -= np.uint32(0x60)
    return cps


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
def _table(side: str) -> dict[str, list[tuple[int, float]]]:
    """Per folded cue of a side, the concepts it tags with their weights (a neutral phrase
    tags none)."""
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
    return table


def _is_latin(word: str) -> bool:
    """A cue written in ASCII that begins with a letter or digit: it matches at the start of
    an English word only."""
    return word.isascii() and word[:1].isalnum()


@cache
def _matcher(side: str) -> tuple[re.Pattern, dict[str, list[tuple[int, float]]]]:
    """One pattern for all cues of a side and, per folded cue, the concepts it tags with
    their weights. ASCII cues start at a word's start; the others anywhere. (``tag`` and
    ``matches`` find the same cues with ``_scanner``, without the regular expression.)"""
    table = _table(side)
    latin = [cue for cue in table if _is_latin(cue)]
    other = [cue for cue in table if not _is_latin(cue)]
    parts = [r"(?<![a-z0-9])" + _trie_pattern(latin)] if latin else []
    if other:
        parts.append(_trie_pattern(other))
    return re.compile("|".join(f"(?:{p})" for p in parts)), table


class _Trie:
    """Words as a trie over code points, walked with numpy from many positions at once."""

    def __init__(self, words: Sequence[str]) -> None:
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
        # By code point, the node of a word's first character (-1: none); the last entry
        # is -1 and stands for every code point beyond.
        self.root = np.full(max(children[0], default=-1) + 2, -1, np.int64)
        for cp, child in children[0].items():
            self.root[cp] = child
        edges = sorted(((node << 21) | cp, child) for node, kids in enumerate(children)
                       for cp, child in kids.items())
        self.keys = np.asarray([key for key, _child in edges], np.int64)
        self.child = np.asarray([child for _key, child in edges], np.int64)
        self.word_at = np.asarray(word_at, np.int64)

    def starts(self, cps: np.ndarray) -> np.ndarray:
        """The positions whose character begins a word."""
        return np.flatnonzero(self.root[np.minimum(cps, len(self.root) - 1)] >= 0)

    def longest(self, cps: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each start position of ``at`` (from ``starts``): (the length, the index) of
        the longest word that begins there; (0, -1) where none does."""
        length = np.zeros(len(at), np.int64)
        word = np.full(len(at), -1, np.int64)
        live = np.arange(len(at))
        node = self.root[cps[at]] if len(at) else np.zeros(0, np.int64)
        depth = 1
        while len(live):
            w = self.word_at[node]
            end = w >= 0
            length[live[end]] = depth
            word[live[end]] = w[end]
            p = at[live] + depth
            inside = p < len(cps)
            live, node, p = live[inside], node[inside], p[inside]
            if not len(live) or not len(self.keys):
                break
            key = (node << 21) | cps[p].astype(np.int64)
            idx = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
            hit = self.keys[idx] == key
            live, node = live[hit], self.child[idx[hit]]
            depth += 1
        return length, word


class _Scanner:
    """What a pattern of ``_trie_pattern`` alternatives — ASCII words at the start of an
    English word first (``(?<![a-z0-9])``), then the others — finds, without the regular
    expression engine: for every position where a word begins, the longest one (``re``
    tries the ASCII words first, then the others, each trie greedily)."""

    def __init__(self, words: Sequence[str], is_latin: Callable[[str], bool] = _is_latin
                 ) -> None:
        self.words = list(words)
        latin = [k for k, w in enumerate(self.words) if is_latin(w)]
        other = [k for k, w in enumerate(self.words) if not is_latin(w)]
        self.latin_ids, self.other_ids = np.asarray(latin, np.int64), np.asarray(other, np.int64)
        self.latin = _Trie([self.words[k] for k in latin])
        self.other = _Trie([self.words[k] for k in other])

    def everywhere(self, cps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, length, word index) of a match at every position where one begins (as
        ``pattern.match`` at that position), by position."""
        at = self.latin.starts(cps)
        if len(at):
            prev = cps[np.maximum(at - 1, 0)]
            word_before = (at > 0) & (((prev >= 0x61) & (prev <= 0x7A))
                                      | ((prev >= 0x30) & (prev <= 0x39)))
            at = at[~word_before]
        l_len, l_word = self.latin.longest(cps, at)
        l_at, l_len, l_word = at[l_len > 0], l_len[l_len > 0], self.latin_ids[l_word[l_len > 0]]
        at = self.other.starts(cps)
        o_len, o_word = self.other.longest(cps, at)
        o_at, o_len, o_word = at[o_len > 0], o_len[o_len > 0], self.other_ids[o_word[o_len > 0]]
        if len(l_at) and len(o_at):      # where both match, the ASCII alternative comes first
            found = np.minimum(np.searchsorted(l_at, o_at), len(l_at) - 1)
            alone = l_at[found] != o_at
            o_at, o_len, o_word = o_at[alone], o_len[alone], o_word[alone]
        starts = np.concatenate([l_at, o_at])
        order = np.argsort(starts, kind="stable")
        return (starts[order], np.concatenate([l_len, o_len])[order],
                np.concatenate([l_word, o_word])[order])

    def finditer(self, cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(start, word index) of the matches ``finditer`` gives: leftmost, not overlapping."""
        starts, lengths, words = self.everywhere(cps)
        ends = starts + lengths
        if len(starts) > 1 and (starts[1:] < ends[:-1]).any():
            keep = np.zeros(len(starts), bool)
            end = 0
            for k, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
                if s >= end:
                    keep[k] = True
                    end = e
            starts, words = starts[keep], words[keep]
        return starts, words


@cache
def _scanner(side: str) -> tuple[_Scanner, np.ndarray, np.ndarray, np.ndarray]:
    """The side's cues as a ``_Scanner`` and what each tags, flat: for cue ``c`` the entries
    ``first[c]:first[c + 1]`` of (concept index, weight)."""
    table = _table(side)
    scanner = _Scanner(list(table))
    lengths = [len(entries) for entries in table.values()]
    first = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=first[1:])
    concept = np.asarray([k for entries in table.values() for k, _w in entries], np.int64)
    weight = np.asarray([w for entries in table.values() for _k, w in entries], np.float32)
    return scanner, first, concept, weight


@cache
def _personal_scanner() -> _Scanner:
    """``_personal``'s words: every ASCII one at the start of an English word."""
    return _Scanner(sorted({fold(w) for w in _data().get("personal_words", ())}),
                    str.isascii)


def _personal_lines(cps: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """The lines (indices into ``breaks``) where a personal word is found."""
    starts, _lengths, _words = _personal_scanner().everywhere(cps)
    lines = np.searchsorted(breaks, starts)       # sorted: the starts are
    return lines[np.r_[True, lines[1:] != lines[:-1]]] if len(lines) else lines


@cache
def _personal() -> re.Pattern:
    words = sorted({fold(w) for w in _data().get("personal_words", ())}, key=len, reverse=True)
    latin = [w for w in words if w.isascii()]
    other = [w for w in words if not w.isascii()]
    parts = [r"(?<![a-z0-9])(?:" + _trie_pattern(latin) + ")"] if latin else []
    if other:
        parts.append(_trie_pattern(other))
    return re.compile("|".join(f"(?:{p})" for p in parts) or r"(?!)")


_TAG_CHUNK = 20_000     # texts tagged at a time


def tag(texts: Sequence[str], side: str) -> sparse.csr_matrix:
    """Concepts found in each text for ``side`` ("offer" or "need"): one row per text, one
    column per concept, the strongest cue's weight (at most 1). Each line is read on its own;
    a line about the member's life (趣味, a marathon, friends) tags nothing, so "a partner for
    the Tokyo marathon training" is not a training need."""
    n, width = len(texts), len(concepts())
    if n > _TAG_CHUNK:      # each text is read on its own: the chunks bound the arrays
        return sparse.vstack([tag(texts[s:s + _TAG_CHUNK], side)
                              for s in range(0, n, _TAG_CHUNK)], format="csr")
    scanner, first, concept, weight = _scanner(side)
    cps = _folded_codepoints(texts)
    ends = np.flatnonzero(cps == 0)
    breaks = np.flatnonzero((cps == 0) | (cps == 10) | (cps == 13))
    at, cue = scanner.finditer(cps)
    keep = ~np.isin(np.searchsorted(breaks, at), _personal_lines(cps, breaks))
    at, cue = at[keep], cue[keep]
    count = first[cue + 1] - first[cue]
    entry = np.repeat(first[cue] - np.r_[0, np.cumsum(count)[:-1]], count) + np.arange(count.sum())
    rows = np.repeat(np.searchsorted(ends, at), count)
    out = sparse.coo_matrix((weight[entry], (rows, concept[entry])), shape=(n, width))
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
    table = _table(side)
    scanner = _scanner(side)[0]
    out: list[list[tuple[str, int, float]]] = [[] for _ in texts]
    cps = _folded_codepoints(texts)
    ends = np.flatnonzero(cps == 0)
    breaks = np.flatnonzero((cps == 0) | (cps == 10) | (cps == 13))
    at, cue = scanner.finditer(cps)
    if not len(at):
        return out
    keep = ~np.isin(np.searchsorted(breaks, at), _personal_lines(cps, breaks))
    words = scanner.words
    for doc, c in zip(np.searchsorted(ends, at[keep]).tolist(), cue[keep].tolist(),
                      strict=True):
        word = words[c]
        out[doc].extend((word, k, weight) for k, weight in table[word])
    return out
