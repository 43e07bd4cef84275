"""A curated bilingual vocabulary of business needs and services (``data/concepts.json``).

Each concept has Japanese and English labels, the industries (JSIC divisions) that typically
serve it, and cues: phrases that say someone *offers* it, phrases that say someone *needs* it
(「請求書の処理で手が回らない」 is a bookkeeping need without the word 経理), words for
either side, *mentions* that place a need in the field without saying that the service is
needed (領収書, "meals": they tag the need as a need cue does, but never state a direction),
*settings*, mentions that say a need's circumstances (the language it is in, the rent, the
stock, the spreadsheet it lives in: 英語, 家賃, inventory), which tag nothing on a line that
names another concept (``_found``: 「英語も通じる税理士」 needs a tax accountant) and tag a
line that names none weakly (``SETTING_WEIGHT``: never a match on their own), and
*trade* words that name a kind of business (飲食店, restaurant, hotel, events, 介護): an offer
where the line names nothing else, the clientele beside another service ("cleaning for shops and
restaurants", 飲食店の厨房清掃), where they tag nothing (``_found``). A concept marked
generic (経営, サポート, networking …) is recognised but never carries a match on its own. A
concept marked ``works_on`` (translation) is done on other things: on an offer line that
names it, the other concepts are its material (``_material``: 契約書の翻訳 offers no legal
work).
Members can also pick concepts in their profile; a pick is a strong signal. The
introductions engine reads the tags (``tag``), the profile form the labels.

Matching is on the normal form of ``reading`` (width, case, British spelling, okurigana,
conjugation endings, katakana folded to hiragana), for cues and texts alike; a cue is cut to
what its conjugated forms share and its English words find their inflections, by rule. A cue
matches at the start of a word and as a prefix ("invoic" finds "invoices"), where word
boundaries are read from the scripts on either side (``scanning``: パート is not in
パートナー). The cues of a side form a trie, walked with numpy from every place where a cue
may begin, for a whole batch of texts at once, leftmost and longest first.

Neutral phrases (``neutral_phrases``: 製品の採用 is a product's adoption, 営業時間 opening
hours) tag nothing; the pattern takes the longest cue at each place, so a neutral phrase
hides the shorter cue inside it (採用, 営業) there and nowhere else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from scipy import sparse

from joren.platform.rowcache import RowCache
from joren.tenants.members.vocabulary import clauses, reading, scanning

SIDES = ("offer", "need")
SIDE_WEIGHT = 1.0      # a cue that names the side (経理代行 in an offer)
BOTH_WEIGHT = 0.8      # a word that fits either side (経理)
PICK_WEIGHT = 1.0      # chosen by the member in the profile form
MAX_PICKS = 5          # concepts a member may pick per side
# A need's setting word alone (英語, 家賃, 請求書, 工事, inventory): below the weight that
# confirms a match (``introductions.semantics.CONFIRM``), so that the circumstance of a need
# never makes a pair on its own; with any cue of its concept the cue's weight counts.
SETTING_WEIGHT = 0.45


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
    """(folded word, concept index) of every concept's ``mention`` and ``setting`` words."""
    words = [(w, k) for k, c in enumerate(_data()["concepts"].values())
             for key in ("mention", "setting") for w in c.get(key, ())]
    return frozenset((w, k) for w, (_raw, k) in zip(fold_all([w for w, _k in words]), words,
                                                    strict=True) if w.strip())


@cache
def _trades() -> frozenset[tuple[str, int]]:
    """(folded word, concept index) of every concept's ``trade`` words that are not also
    an offer or either-side cue of that concept."""
    data = list(_data()["concepts"].values())
    words = [(w, k) for k, c in enumerate(data) for w in c.get("trade", ())
             if w not in c.get("offer", ()) and w not in c.get("both", ())]
    return frozenset((w, k) for w, (_raw, k) in zip(fold_all([w for w, _k in words]), words,
                                                    strict=True) if w.strip())


def is_trade(cue: str, concept: int) -> bool:
    """Whether an offer-side match (a folded cue, as ``matches`` gives it) is only one of
    the concept's ``trade`` words: a kind of business (飲食店, restaurant, hotel). It names
    the field a member works in or for, not a service they offer, so it never states a
    direction (``introductions.evidence``)."""
    return (cue, concept) in _trades()


_HIRAGANA = re.compile(r"[\u3041-\u309f]")


@cache
def _bare_needs() -> frozenset[tuple[str, int]]:
    """(folded cue, concept index) of the ``need`` cues (not also ``both``) of a single
    word: one English word (lawsuit, understaffed), or a Japanese compound with no hiragana,
    so no predicate (訴訟, 手狭, アプリ開発). Read from the cues as written: folding turns
    katakana into hiragana."""
    words = [(w, k) for k, c in enumerate(_data()["concepts"].values())
             for w in c.get("need", ()) if w not in c.get("both", ())
             and ((w.isascii() and " " not in w.strip()) or (not w.isascii()
                                                           and not _HIRAGANA.search(w)))]
    return frozenset((w, k) for w, (_raw, k) in zip(fold_all([w for w, _k in words]), words,
                                                    strict=True) if w.strip())


def is_bare(cue: str, concept: int) -> bool:
    """Whether a need-side match (a folded cue, as ``matches`` gives it) is a one-word
    ``need`` cue of the concept (``_bare_needs``). Such a word names what a sentence is
    about, as often in another sense ("payroll week"): it tags the need in full, but
    ``introductions.evidence`` states no direction from it."""
    return (cue, concept) in _bare_needs()


def is_mention(cue: str, concept: int) -> bool:
    """Whether a need-side match (a folded cue, as ``matches`` gives it) is one of the
    concept's mentions: a word that places a need in the concept's field (食事, receipts,
    "the web") without saying that its service is needed. A mention tags the need like a
    need cue (the engine's matching reads it in full) but never states a direction: "A's
    catering may help B" is not proved by B writing that "the food looks cold"."""
    return (cue, concept) in _mentions()


def fold(text: str) -> str:
    """The normal form of a text (``reading.normal``) with katakana folded to hiragana."""
    return scanning.fold(reading.normal((text or "").replace("\x00", " ")))


def fold_all(texts: Sequence[str]) -> list[str]:
    """``fold`` of each text, all in one pass."""
    return [scanning.fold(t) for t in reading.normal_all([t or "" for t in texts])]


def _read(texts: Sequence[str]) -> scanning.Text:
    """The texts' normal forms joined, each ended by NUL (a NUL inside a text becomes a
    space): one pass of each normalising step for all the texts (none crosses a NUL)."""
    joined = "\x00".join([t or "" for t in texts])
    if joined.count("\x00") != max(len(texts) - 1, 0):     # a text holds a NUL
        joined = "\x00".join([(t or "").replace("\x00", " ") for t in texts])
    return scanning.Text(reading.normal_codepoints(joined + "\x00"))


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


def _cues(side: str) -> list[tuple[str, int, float]]:
    """(cue as written, concept index, weight) of every cue of a side, and (phrase, -1, 0)
    of the neutral phrases."""
    out: list[tuple[str, int, float]] = []
    for k, c in enumerate(_data()["concepts"].values()):
        keys = [(side, SIDE_WEIGHT), ("both", BOTH_WEIGHT)]
        if side == "need":
            keys += [("mention", SIDE_WEIGHT), ("setting", SETTING_WEIGHT)]
        else:
            keys.append(("trade", SIDE_WEIGHT))
        out.extend((cue, k, weight) for key, weight in keys for cue in c.get(key, ()))
    out.extend((phrase, -1, 0.0) for phrase in _data().get("neutral_phrases", ()))
    return out


@cache
def _table(side: str) -> dict[str, list[tuple[int, float]]]:
    """Per cue of a side (``fold``-ed), the concepts it tags with their weights (a neutral
    phrase tags none)."""
    table: dict[str, list[tuple[int, float]]] = {}
    cues = _cues(side)
    for (_cue, k, weight), folded in zip(cues, fold_all([c for c, _k, _w in cues]),
                                         strict=True):
        if folded.strip():
            entries = table.setdefault(folded, [])
            if k >= 0:
                entries.append((k, weight))
    return table


def _forms(cues: Sequence[str], nouns: frozenset[str] = frozenset()
           ) -> tuple[list[str], list[list[int]]]:
    """The forms the cues are looked for in (``reading.cue_forms``, folded; the cues of
    ``nouns`` as nouns) and the cues (indices into ``cues``) each form stands for."""
    found: dict[str, list[int]] = {}
    for n, (cue, text) in enumerate(zip(cues, reading.normal_all(cues), strict=True)):
        for form in reading.cue_forms(cue, noun=cue in nouns, text=text):
            found.setdefault(scanning.fold(form), []).append(n)
    return list(found), list(found.values())


def _nouns(side: str) -> frozenset[str]:
    """The cues of a side that are only ever mentions (``is_mention``): names of things
    (fire, receipts), looked for as nouns."""
    data = _data()["concepts"].values()
    mentions = {cue for c in data for key in ("mention", "setting") for cue in c.get(key, ())} \
        if side == "need" else set()
    others = {cue for c in data for key in (side, "both") for cue in c.get(key, ())}
    return frozenset(mentions - others)


@cache
def _scanner(side: str) -> tuple[scanning.Scanner, np.ndarray, np.ndarray, np.ndarray,
                                 list[list[tuple[str, int, float]]]]:
    """The side's cue forms as a ``Scanner`` and what each tags, flat: for form ``f`` the
    entries ``first[f]:first[f + 1]`` of (concept index, weight); and per form, the (cue as
    ``fold`` gives it, concept index, weight) it stands for."""
    raw: dict[str, list[tuple[str, int, float]]] = {}
    every = _cues(side)
    for (cue, k, weight), folded in zip(every, fold_all([c for c, _k, _w in every]),
                                        strict=True):
        if folded.strip():
            entries = raw.setdefault(cue, [])
            if k >= 0 and (folded, k, weight) not in entries:
                entries.append((folded, k, weight))
    cues = list(raw)
    forms, of = _forms(cues, _nouns(side))
    entries = [sorted({e for n in ns for e in raw[cues[n]]}) for ns in of]
    tags = [sorted({(k, w) for _c, k, w in e}) for e in entries]
    lengths = [len(t) for t in tags]
    first = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=first[1:])
    concept = np.asarray([k for t in tags for k, _w in t], np.int64)
    weight = np.asarray([w for t in tags for _k, w in t], np.float32)
    return scanning.Scanner(forms), first, concept, weight, entries


@cache
def _personal_scanner() -> scanning.Scanner:
    """``personal_words`` in their normal forms (no inflections: "friends" is not "a friend
    of mine needs a website")."""
    words = sorted({w for w in fold_all(_data().get("personal_words", ())) if w.strip()})
    return scanning.Scanner(words)


def _personal_lines(text: scanning.Text, breaks: np.ndarray) -> np.ndarray:
    """The lines (indices into ``breaks``) where a personal word is found."""
    starts, _lengths, _words = _personal_scanner().everywhere(text)
    lines = np.searchsorted(breaks, starts)       # sorted: the starts are
    return lines[np.r_[True, lines[1:] != lines[:-1]]] if len(lines) else lines


@cache
def _trade_forms(side: str) -> tuple[np.ndarray, np.ndarray]:
    """Per form of the side's scanner: whether it stands only for ``trade`` words (a kind
    of business: 飲食店, restaurant, hotel), and whether it tags a specific concept."""
    entries = _scanner(side)[4]
    data = _data()["concepts"].values()
    trade = {cue for c in data for cue in c.get("trade", ())} if side == "offer" else set()
    others = {cue for c in data for key in (side, "both") for cue in c.get(key, ())}
    trade_folded = set(fold_all(sorted(trade - others)))
    specific = specificity()
    only_trade = np.array([bool(e) and all(cue in trade_folded for cue, _k, _w in e)
                           for e in entries], bool)
    tags = np.array([any(specific[k] > 0 for _cue, k, _w in e) for e in entries], bool)
    return only_trade, tags


@cache
def _setting_forms() -> np.ndarray:
    """Per form of the need side's scanner: whether it stands only for ``setting`` words
    (the circumstances of a need: the language it is in, the rent, the stock, the
    spreadsheet it lives in), none of them another cue of its concept."""
    entries = _scanner("need")[4]
    data = list(_data()["concepts"].values())
    words = [(w, k) for k, c in enumerate(data) for w in c.get("setting", ())]
    setting = set(zip(fold_all([w for w, _k in words]), [k for _w, k in words], strict=True))
    words = [(w, k) for k, c in enumerate(data) for key in ("need", "both", "mention")
             for w in c.get(key, ())]
    other = set(zip(fold_all([w for w, _k in words]), [k for _w, k in words], strict=True))
    return np.array([bool(e) and all((cue, k) in setting and (cue, k) not in other
                                      for cue, k, _w in e) for e in entries], bool)


@cache
def _mention_forms() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per form of the need side's scanner: whether it stands only for ``mention`` or
    ``setting`` words (none of them a need cue or an either-side word of its concept),
    whether it ends in an English letter, and its length."""
    entries = _scanner("need")[4]
    data = list(_data()["concepts"].values())
    words = [(w, k) for k, c in enumerate(data) for key in ("mention", "setting")
             for w in c.get(key, ())]
    mention = set(zip(fold_all([w for w, _k in words]), [k for _w, k in words], strict=True))
    words = [(w, k) for k, c in enumerate(data) for key in ("need", "both")
             for w in c.get(key, ())]
    other = set(zip(fold_all([w for w, _k in words]), [k for _w, k in words], strict=True))
    only = np.array([bool(e) and all((cue, k) in mention and (cue, k) not in other
                                     for cue, k, _w in e) for e in entries], bool)
    last = [w[-1:] for w in _scanner("need")[0].words]
    latin = np.array([c.isascii() and c.isalpha() for c in last], bool)
    return only, latin, np.asarray([len(w) for w in _scanner("need")[0].words], np.int64)


@cache
def _kanji_ends(side: str) -> tuple[np.ndarray, np.ndarray]:
    """Per form of the side's scanner: whether it ends in a kanji, and its length."""
    words = _scanner(side)[0].words
    return (np.array([bool(w) and ("\u3400" <= w[-1] <= "\u9fff") for w in words], bool),
            np.asarray([len(w) for w in words], np.int64))


@cache
def _works_on_forms() -> tuple[np.ndarray, np.ndarray]:
    """Per form of the offer side's scanner: whether it tags a concept whose service is
    done on other things (``works_on``: translation), and whether it tags a specific one."""
    entries = _scanner("offer")[4]
    data = list(_data()["concepts"].values())
    on = {k for k, c in enumerate(data) if c.get("works_on")}
    return (np.array([any(k in on for _c, k, _w in e) for e in entries], bool),
            _trade_forms("offer")[1])


def _material(line: np.ndarray, form: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Offer matches on a line that offers a service done on other things (``works_on``:
    a translation of contracts, websites and menus): the other concepts the line names are
    the material it works on (contracts are no lawyer's offer), not further services."""
    on, specific = _works_on_forms()
    offered = line[keep & on[form]]
    if not len(offered):
        return np.zeros(len(line), bool)
    return np.isin(line, offered) & ~on[form] & specific[form]


def _found(text: scanning.Text, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, form index) of the cues found in ``text`` outside lines about the member's
    life, and the positions of the texts' ends. In an offer, a kind of business (``trade``:
    飲食店, restaurant) on a line that names another service is whom the member serves
    ("cleaning for shops and restaurants", 飲食店の厨房清掃), not what they offer: dropped.
    In a need, a ``setting`` word (英語, 家賃, inventory, a spreadsheet) on a line that names
    another concept is the need's circumstance, not a second need: 「英語も通じる税理士」
    needs a tax accountant, not a translator; dropped likewise. So are, in an offer, the
    words that say whom or what the service is for (``clauses.for_whom``), and in a need a
    mention at the start of a longer English word (``clauses.whole_mentions``)."""
    cps = text.cps
    ends = np.flatnonzero(cps == 0)
    breaks = np.flatnonzero((cps == 0) | (cps == 10) | (cps == 13))
    at, form = _scanner(side)[0].finditer(text)
    if len(at):
        line = np.searchsorted(breaks, at)
        keep = ~np.isin(line, _personal_lines(text, breaks)) & ~clauses.time_prefixed(cps, at)
        only_trade, tags = _trade_forms(side)
        kanji_end, length = _kanji_ends(side)
        industry = clauses.industries(cps, at, form, kanji_end, length)
        if side == "offer":
            context = only_trade[form] | industry
        else:
            context = _setting_forms()[form]
            keep &= ~industry & ~clauses.others_acts(cps, at, line, breaks)
        if context.any():
            named = np.isin(line, line[keep & ~context & tags[form]])
            keep &= ~(context & named)
        if side == "need":
            only, latin, length = _mention_forms()
            keep &= clauses.whole_mentions(cps, at, form, only, latin, length)
            keep &= ~clauses.doers(cps, at, form, only)
        scanner, first, concept = _scanner(side)[:3]
        keep &= ~clauses.for_whom(cps, at, form, line, breaks, keep & tags[form],
                                  scanner.words, first, concept, side)
        keep &= ~clauses.staff_or_machine(cps, at, form, kanji_end, length)
        if side == "offer":
            keep &= ~clauses.customer_acts(cps, at, form, line, breaks, scanner.words)
            keep &= ~_material(line, form, keep)
        at, form = at[keep], form[keep]
    return at, form, ends


_TAG_CHUNK = 20_000     # texts tagged at a time


# The rows of the texts tagged lately, by side (``RowCache``): the matching engine tags every
# member's texts each cycle, and most are as they were the cycle before.
TAG_KEPT_ROWS = 50_000
_TAG_KEPT = {side: RowCache(TAG_KEPT_ROWS) for side in SIDES}


def tag(texts: Sequence[str], side: str, *, keep: bool = True) -> sparse.csr_matrix:
    """Concepts found in each text for ``side`` ("offer" or "need"): one row per text, one
    column per concept, the strongest cue's weight (at most 1). Each line is read on its own;
    a line about the member's life (趣味, a marathon, friends) tags nothing, so "a partner for
    the Tokyo marathon training" is not a training need. The rows of texts tagged lately are
    taken as they were (each text is read on its own: the same rows); with ``keep`` False
    (a large community's texts) none are taken or kept."""
    if not keep or len(texts) > TAG_KEPT_ROWS:
        return _tag(texts, side)
    return _TAG_KEPT[side].rows(texts, lambda some: _tag(some, side))


def _tag(texts: Sequence[str], side: str) -> sparse.csr_matrix:
    n, width = len(texts), len(concepts())
    if n > _TAG_CHUNK:      # each text is read on its own: the chunks bound the arrays
        return sparse.vstack([_tag(texts[s:s + _TAG_CHUNK], side)
                              for s in range(0, n, _TAG_CHUNK)], format="csr")
    _scanner_, first, concept, weight, _entries = _scanner(side)
    at, cue, ends = _found(_read(texts), side)
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
    k = index().get(code)
    lines = (text or "").splitlines()
    for line, hits in zip(lines, matches(lines, side), strict=True):
        if any(c == k for _cue, c, _w in hits):
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
    entries = _scanner(side)[4]
    out: list[list[tuple[str, int, float]]] = [[] for _ in texts]
    at, form, ends = _found(_read(texts), side)
    for doc, f in zip(np.searchsorted(ends, at).tolist(), form.tolist(), strict=True):
        out[doc].extend(entries[f])
    return out
