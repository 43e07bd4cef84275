"""Finding the vocabulary's cues in a batch of texts at once: the texts in the normal form of
``reading``, as code points with the script of each character, and the cues as a trie walked
with numpy from every place where a cue may begin (leftmost, longest first).

Words are cut where a reader cuts them. Japanese has no spaces, so a boundary is read from the
scripts of the characters on either side (``Text``):

- Latin letters and digits: a cue begins at the start of an English word and may end inside
  one ("invoic" finds "invoices", not "reinvoice"; a whole word is a cue ending in a space).
- Katakana: a cue begins and ends where a katakana word does, or where a compound's words
  meet. Inside a run of katakana a cue may begin only after three katakana at least and
  then runs to the run's end (the compound's last word: ハウス|クリーニング, ウェブ|デザイン,
  ビジネス|ホテル), and may end only before three katakana at least (its first word:
  ロゴ|デザイン, インスタ|グラム). So パート is not in パートナー, ペット not in カーペット,
  テスト not in コンテスト, サイト not in インサイト, ランチ not in フランチャイズ. Without a
  dictionary a run cannot always be cut right: パート|ナーシップ reads as a compound.
- Hiragana: a cue that begins with hiragana does not begin inside a run of hiragana unless
  after a particle or a clause's or an adjective's ending (のお弁当, をまね, たらすぐ), or
  with an honorific お or ご before a kanji (美味しいお弁当): ダサい is not in ください,
  まね not in たまねぎ. A run of hiragana may go on after a cue (conjugations and particles follow a
  word: 辞めてしまった).
- Kanji: anywhere (経理 in 経理代行業).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_SMALL = dict(zip(map(ord, "ァィゥェォヮヵヶ"), map(ord, "アイウエオワかか"), strict=True))


def _fold_table() -> dict[int, int]:
    """Katakana folded to hiragana after small vowels read as large (ウェ = ウエ, and the
    counters ヵ, ヶ as か): the one map of ``fold`` and of ``Text``'s code points."""
    out: dict[int, int] = {}
    for cp in range(0x3000, 0x3100):
        v = _SMALL.get(cp, cp)
        if 0x30A1 <= v <= 0x30F6:
            v -= 0x60
        if v != cp:
            out[cp] = v
    return out


FOLD = _fold_table()
_LUT = np.arange(0x3100, dtype=np.uint32)
_LUT[list(FOLD)] = list(FOLD.values())


def fold(normal: str) -> str:
    """A normal text (``reading.normal``) as the scanner reads it: katakana as hiragana."""
    return normal.translate(FOLD)


# What may end a word before a hiragana cue: particles, the endings of clauses (たら, ば,
# けど, し) and of adjectives before a noun (美味しい, きれいな); not く or さ (ください).
PARTICLES = "のをがにはでともへやかねよてらばどしいな"
_KATA, _HIRA, _ALNUM, _PARTICLE, _HONORIFIC, _KANJI = (1 << k for k in range(6))
_CLASS = np.zeros(0x10000, np.uint8)
for _lo, _hi, _bit in ((0x30A1, 0x30F4, _KATA), (0x30F7, 0x30FA, _KATA), (0x30FD, 0x30FE, _KATA),
                       (0x31F0, 0x31FF, _KATA), (0x3041, 0x3096, _HIRA), (0x309D, 0x309E, _HIRA),
                       (0x30F5, 0x30F6, _HIRA), (0x30, 0x39, _ALNUM), (0x61, 0x7A, _ALNUM)):
    _CLASS[_lo:_hi + 1] |= _bit
_CLASS[[ord(ch) for ch in PARTICLES]] |= _PARTICLE
_CLASS[[ord("お"), ord("ご")]] |= _HONORIFIC
_CLASS[0x3400:0x4DC0] |= _KANJI
_CLASS[0x4E00:0xA000] |= _KANJI


class Text:
    """Normal texts joined (each ended by NUL) as code points, katakana folded (``cps``), and
    where a cue may begin and end in them, read from the script of each character as written
    (``start_ok``, ``min_end``, ``end_ok``)."""

    def __init__(self, raw: np.ndarray) -> None:
        """From normal code points (``reading.normal_codepoints``), NUL-ended."""
        cls = _CLASS[np.minimum(raw, 0xFFFF)]
        choon = np.flatnonzero(raw[1:] == 0x30FC) + 1    # the long-vowel mark: its word's
        cls[choon] = cls[choon - 1] & (_KATA | _HIRA)
        self.cps = raw.copy()
        low = self.cps < len(_LUT)
        self.cps[low] = _LUT[self.cps[low]]
        kata = np.r_[cls & _KATA > 0, False, False, False]
        prev = np.r_[np.uint8(0), cls[:-1]]
        same = cls & prev
        # A word may not begin inside an English word, nor inside hiragana after anything
        # but a particle (an honorific お or ご before a kanji begins one: 美味しいお弁当);
        # inside katakana only after three katakana, through to the run's end.
        honorific = (cls & _HONORIFIC > 0) & (np.r_[cls[1:], np.uint8(0)] & _KANJI > 0)
        self.start_ok = ((same & _ALNUM) == 0) & (((same & _HIRA) == 0) | (prev & _PARTICLE > 0)
                                                  | honorific)
        self.min_end = np.zeros(len(raw) + 1, np.int64)
        inside = np.flatnonzero(same & _KATA)
        if len(inside):
            edges = np.diff(np.r_[False, kata].astype(np.int8))
            run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
            run = np.searchsorted(run_starts, inside, side="right") - 1
            head = inside - run_starts[run] >= 3
            self.start_ok[inside[~head]] = False
            self.min_end[inside[head]] = run_ends[run[head]]
        # A word may end where katakana does not go on, or where three katakana at least
        # follow (the next word of a compound: ロゴ|デザイン, インスタ|グラム; not パート|ナー).
        self.end_ok = np.ones(len(raw) + 1, bool)
        self.end_ok[1:] = ~(kata[:-3] & kata[1:-2]) | (kata[1:-2] & kata[2:-1] & kata[3:])

    def starts(self, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Of the positions ``at``, those where a word may begin, and for each the least end
        a cue beginning there must reach (the end of its katakana run for the last word of a
        compound, else 0)."""
        at = at[self.start_ok[at]]
        return at, self.min_end[at]


class Trie:
    """Words as a trie over code points, walked with numpy from many positions at once."""

    def __init__(self, words: Sequence[str]) -> None:
        # One dict of all edges ((node << 21) | code point → child), filled as the words
        # are inserted; nodes are numbered in order of creation, the root 0. The edges are
        # then sorted as integers by numpy (the vocabulary's scanners are built in every
        # process that matches: a dict per node and a sort of tuples cost twice as much).
        edge: dict[int, int] = {}
        word_at = [-1]
        for index, word in enumerate(words):
            node = 0
            for ch in word:
                key = (node << 21) | ord(ch)
                child = edge.get(key)
                if child is None:
                    child = edge[key] = len(word_at)
                    word_at.append(-1)
                node = child
            word_at[node] = index
        keys = np.fromiter(edge.keys(), np.int64, len(edge))
        children = np.fromiter(edge.values(), np.int64, len(edge))
        order = np.argsort(keys)      # the keys are distinct
        self.keys, self.child = keys[order], children[order]
        # By code point, the node of a word's first character (-1: none); the last entry
        # is -1 and stands for every code point beyond (the root's edges lead the keys).
        first = self.keys < (1 << 21)
        root_cps = self.keys[first]
        self.root = np.full((int(root_cps.max()) if len(root_cps) else -1) + 2, -1, np.int64)
        self.root[root_cps] = self.child[first]
        self.begins = self.root >= 0        # by code point: whether a word begins with it
        self.word_at = np.asarray(word_at, np.int64)

    def starts(self, cps: np.ndarray) -> np.ndarray:
        """The positions whose character begins a word."""
        return np.flatnonzero(self.begins[np.minimum(cps, len(self.begins) - 1)])

    def longest(self, text: Text, at: np.ndarray, min_end: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
        """For each start position of ``at``: (the length, the index) of the longest word
        that begins there and may end where it ends (``Text.end_ok``, ``min_end``); (0, -1)
        where none does."""
        cps = text.cps
        end_ok = text.end_ok
        length = np.zeros(len(at), np.int64)
        word = np.full(len(at), -1, np.int64)
        live = np.arange(len(at))
        node = self.root[cps[at]] if len(at) else np.zeros(0, np.int64)
        depth = 1
        while len(live):
            w = self.word_at[node]
            p = at[live] + depth
            end = (w >= 0) & end_ok[p] & (p >= min_end[live])
            length[live[end]] = depth
            word[live[end]] = w[end]
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


def _is_latin(word: str) -> bool:
    """A form written in ASCII that begins with a letter or digit (an English cue)."""
    return word.isascii() and word[:1].isalnum()


class Scanner:
    """Words (folded normal forms) found in a ``Text``: at every position where a word may
    begin, the longest that may end where it ends (where "web" and "web広告" both begin,
    "web広告" is read; of two as long, the English one)."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = list(words)
        latin = [k for k, w in enumerate(self.words) if _is_latin(w)]
        other = [k for k, w in enumerate(self.words) if not _is_latin(w)]
        self.latin_ids, self.other_ids = np.asarray(latin, np.int64), np.asarray(other, np.int64)
        self.latin = Trie([self.words[k] for k in latin])
        self.other = Trie([self.words[k] for k in other])

    def everywhere(self, text: Text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, length, word index) of a match at every position where one begins, by
        position."""
        found = []
        for trie, ids in ((self.latin, self.latin_ids), (self.other, self.other_ids)):
            at, min_end = text.starts(trie.starts(text.cps))
            length, word = trie.longest(text, at, min_end)
            hit = length > 0
            found.append((at[hit], length[hit], ids[word[hit]]))
        (l_at, l_len, l_word), (o_at, o_len, o_word) = found
        if len(l_at) and len(o_at):      # where both match, the longer one (a tie: English)
            near = np.minimum(np.searchsorted(l_at, o_at), len(l_at) - 1)
            both = l_at[near] == o_at
            longer = both & (o_len > l_len[near])
            alone = ~both | longer
            if longer.any():
                drop = np.zeros(len(l_at), bool)
                drop[near[longer]] = True
                l_at, l_len, l_word = l_at[~drop], l_len[~drop], l_word[~drop]
            o_at, o_len, o_word = o_at[alone], o_len[alone], o_word[alone]
        starts = np.concatenate([l_at, o_at])
        order = np.argsort(starts, kind="stable")
        return (starts[order], np.concatenate([l_len, o_len])[order],
                np.concatenate([l_word, o_word])[order])
    def finditer(self, text: Text) -> tuple[np.ndarray, np.ndarray]:
        """(start, word index) of the matches read left to right: leftmost, longest, not
        overlapping."""
        starts, lengths, words = self.everywhere(text)
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
