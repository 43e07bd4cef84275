"""Which cues found in a line a clause of that line takes back (issue 15): a mention at the
start of a longer English word (``whole_mentions``: "photo" is not in "photocopied"), and in
an offer the words that say whom or what the service is for (``for_whom``: a builder's
cleaner does not build). The vocabulary's ``_found`` calls them on the matches of a batch of
texts (``scanning.Text`` code points, folded), with the arrays of its scanner's forms."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# What may follow a mention's last English word in the same word: an inflection or a suffix
# that keeps its sense (receipts, reconciling, injuries, dismissal), not another word joined
# to it (photocopied, designated).
_SUFFIX = re.compile(r"e?s|'s?|e?d|ing|e|ers?|y|ie[sd]|i?al|als|ally|i?ations?|ity|ities"
                     r"|ments?|ly")


def whole_mentions(cps: np.ndarray, at: np.ndarray, form: np.ndarray, only: np.ndarray,
                   latin: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Whether each match (start ``at``, scanner form ``form``) is kept as far as mentions
    go (``only``, ``latin``, ``length``: per form, whether it stands only for mention or
    setting words, whether it ends in an English letter, its length). A mention
    (``is_mention``: "photo", "receipts", "laptop") is the name of a thing, so in English it
    counts only as a whole word. A cue matches as a prefix, which finds a word's inflections
    ("receipt" in "receipts", "reconcil" in "reconciling"), but the name of a thing at the
    start of a longer word names something else ("photo" in "photocopied"): the rest of the
    word must be an inflection or a suffix (``_SUFFIX``). Japanese compounds were tried
    likewise (a kanji mention running on into another kanji: 指導 in 指導員, 工事 in 工事代金)
    and left out: as often the compound stays in the field (退職金制度, 在庫管理システム,
    管理職向け)."""
    out = np.ones(len(at), bool)
    ends = at + length[form]
    nxt = cps[np.minimum(ends, len(cps) - 1)].astype(np.int64)
    letter = (nxt >= 97) & (nxt <= 122)
    for k in np.flatnonzero(only[form] & latin[form] & letter).tolist():
        stop = end = int(ends[k])
        while stop < len(cps) and 97 <= cps[stop] <= 122:
            stop += 1
        out[k] = _SUFFIX.fullmatch("".join(map(chr, cps[end:stop].tolist()))) is not None
    return out


# Whom or what an offer is for: the words after "for" up to the clause's end (a colon, a
# dash, a bracket), the items right before 向け (ジム・スクール向け), or those before 専門の
# that qualify the service after it (工務店・リフォーム会社専門のホームページ制作: the builders
# are the clientele; 「引っ越し専門」 at a line's end names the service itself, and stays), or
# those before との, the party a service deals with (金融機関との調整: the banks are not the
# service).
_FOR = np.array([ord(c) for c in " for "], np.uint32)
_MUKE = np.array([ord(c) for c in "向け"], np.uint32)
_SENMON = np.array([ord(c) for c in "専門の"], np.uint32)
_TONO = np.array([ord(c) for c in "との"], np.uint32)
_FOR_SPAN = re.compile(r"(?<![a-z0-9])for ([^:;.(\[—–\x00\n]*?)(?= [-–—] |[:;.(\[—–]|$)")
_MUKE_SPAN = re.compile(r"([^。、，,：:（()）\s]+)(?:向け|専門の(?=[^。、，,\s])|との)")
# In a need, "for" after a verb of seeking is what is sought ("looking for a translator for
# our catalogue": the translator is the need, the catalogue what it is for).
_SEEKING = frozenset(("look", "looking", "search", "searching", "ask", "asking", "hoping",
                      "hope", "wait", "waiting", "hunt", "hunting", "need", "needs", "want"))
_SEEKING_LAST = [[w] for w in _SEEKING]


def _for_spans(body: str) -> list[re.Match]:
    """Each "for" clause of a line, one for every "for" (a later one inside an earlier one's
    clause too: "looking for a translator for our catalogue")."""
    return [m for k in (m.start() for m in re.finditer("for ", body))
            if (m := _FOR_SPAN.match(body, k))]


def _on_line(line: np.ndarray, ln: int) -> np.ndarray:
    """The matches (indices) on line ``ln``: ``line`` is sorted, as the matches are."""
    return np.arange(np.searchsorted(line, ln), np.searchsorted(line, ln, side="right"))


def _marked(cps: np.ndarray, marker: np.ndarray) -> np.ndarray:
    """The positions where ``marker`` (code points) begins in ``cps``."""
    n = len(cps) - len(marker) + 1
    if n <= 0:
        return np.zeros(0, np.int64)
    hit = cps[:n] == marker[0]
    for k in range(1, len(marker)):
        hit &= cps[k:k + n] == marker[k]
    return np.flatnonzero(hit)


def for_whom(cps: np.ndarray, at: np.ndarray, form: np.ndarray, line: np.ndarray,
             breaks: np.ndarray, specific: np.ndarray, words: Sequence[str],
             first: np.ndarray, concept: np.ndarray, side: str = "offer") -> np.ndarray:
    """Offer matches that say whom or what the service is for, not the service: inside
    the clientele of the line ("cleaning for builders", 「ジム・スクール向け」, "translation
    for business meetings, contracts and websites", 「会社紹介・採用向けの映像」), of a concept
    the line does not also name outside it, on a line that names another concept outside
    it. As trade words beside a service: a builder's cleaner does not build, and a
    translator of contracts is not a lawyer. A line that names nothing else keeps them
    ("catering for offices" is catering). ``line``: each match's line, ``breaks`` where the
    lines end, ``specific``: the matches kept so far that tag a specific concept; ``words``,
    ``first``, ``concept``: the scanner's forms and the concepts each tags
    (``concept[first[f]:first[f + 1]]``). In a need (``side``), only the English "for"
    that does not follow a verb of seeking (``_SEEKING``): "payroll for new hires" needs
    payroll, not training; "a translator for our catalogue" is not a print job."""
    out = np.zeros(len(at), bool)
    need = side == "need"
    marks = _marked(cps, _FOR) if need else np.r_[
        _marked(cps, _FOR), _marked(cps, _MUKE), _marked(cps, _SENMON), _marked(cps, _TONO)]
    if not len(marks):
        return out
    for ln in np.unique(np.searchsorted(breaks, marks)).tolist():
        mine = _on_line(line, ln)
        mine = mine[specific[mine]]
        if len(mine) < 2:
            continue
        start = int(breaks[ln - 1]) + 1 if ln > 0 else 0
        body = "".join(map(chr, cps[start:int(breaks[ln])].tolist()))
        spans = [(m.start(1), m.end(1)) for m in _for_spans(body)
                 if not (need and body[:m.start()].split()[-1:] in _SEEKING_LAST)]
        if not need:
            spans += [(m.start(1), m.end(1)) for m in _MUKE_SPAN.finditer(body)]
        if not spans:
            continue
        inside = np.array([any(a <= int(at[k]) - start
                               and int(at[k]) - start + len(words[int(form[k])]) <= b
                               for a, b in spans) for k in mine.tolist()], bool)
        outside = {int(c) for k in mine[~inside].tolist()
                   for c in concept[first[form[k]]:first[form[k] + 1]]}
        if not outside:
            continue
        for k in mine[inside].tolist():
            if not outside & set(concept[first[form[k]]:first[form[k] + 1]].tolist()):
                out[k] = True
    return out


# What the customer does, in an offer: a clause whose subject is "you" after a conjunction
# ("before you print a single label", "so you can hire faster"), up to the clause's end.
_YOU = np.array([ord(c) for c in " you "], np.uint32)
_YOU_SPAN = re.compile(r"(?<![a-z])(?:before|after|when|whenever|while|until|once|so|so that"
                       r"|if|as) you ([^:;.,(\[—–\x00\n]*)")


def _line_text(cps: np.ndarray, breaks: np.ndarray, ln: int) -> tuple[int, str]:
    """Where line ``ln`` begins, and its text."""
    start = int(breaks[ln - 1]) + 1 if ln > 0 else 0
    return start, "".join(map(chr, cps[start:int(breaks[ln])].tolist()))


def customer_acts(cps: np.ndarray, at: np.ndarray, form: np.ndarray, line: np.ndarray,
                  breaks: np.ndarray, words: Sequence[str]) -> np.ndarray:
    """Offer matches inside a clause whose subject is the customer ("before you print a
    single label", "so you can focus on sales"): what the customer does before or after the
    service, not the service. A trademark search done before the customer prints is no
    print shop's offer."""
    out = np.zeros(len(at), bool)
    marks = _marked(cps, _YOU)
    if not len(marks):
        return out
    for ln in np.unique(np.searchsorted(breaks, marks)).tolist():
        mine = _on_line(line, ln)
        if not len(mine):
            continue
        start, body = _line_text(cps, breaks, ln)
        spans = [(m.start(1), m.end(1)) for m in _YOU_SPAN.finditer(body)]
        for k in mine.tolist():
            a = int(at[k]) - start
            out[k] = any(s <= a and a + len(words[int(form[k])].rstrip()) <= e for s, e in spans)
    return out


# A kanji word that runs on into 員 or 機 names a person on the staff or a machine (指導員, an
# instructor; 印刷機, a printing press), not the service the word names on its own.
_STAFF_OR_MACHINE = np.array([ord("員"), ord("機")], np.uint32)


def staff_or_machine(cps: np.ndarray, at: np.ndarray, form: np.ndarray,
                     kanji_end: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Matches of a cue that ends in a kanji (``kanji_end``, per form; ``length``, its
    length) followed at once by 員 or 機 (``_STAFF_OR_MACHINE``)."""
    ends = at + length[form]
    nxt = cps[np.minimum(ends, len(cps) - 1)]
    return kanji_end[form] & np.isin(nxt, _STAFF_OR_MACHINE)


# Before a need's mention: a clause that says what someone would do for the member
# (「きれいにしてくれる人手」, 「見てもらえる人」): the need is that work, and the mention
# (人手, hands) only the one who would do it.
_DOER = (np.array([ord(c) for c in "くれる"], np.uint32),
         np.array([ord(c) for c in "もらえる"], np.uint32))


def doers(cps: np.ndarray, at: np.ndarray, form: np.ndarray, only: np.ndarray) -> np.ndarray:
    """Matches of a mention (``only``, per form) right after くれる or もらえる."""
    out = np.zeros(len(at), bool)
    for marker in _DOER:
        before = at - len(marker)
        ok = only[form] & (before >= 0)
        for j, ch in enumerate(marker.tolist()):
            ok &= cps[np.maximum(before + j, 0)] == ch
        out |= ok
    return out


# A kanji word that runs on into 業 names an industry (製造業, 建設業, 飲食業): the trade a
# member works in or for, not a service (in an offer, read as a ``trade`` word). Not when 業
# begins 業者 (a contractor: 清掃業者 cleans) or 業務 (work: 経理業務 is bookkeeping).
_INDUSTRY = ord("業")
_NOT_INDUSTRY = np.array([ord("者"), ord("務")], np.uint32)


def industries(cps: np.ndarray, at: np.ndarray, form: np.ndarray, kanji_end: np.ndarray,
               length: np.ndarray) -> np.ndarray:
    """Matches of a cue that ends in a kanji followed at once by 業 (not 業者, 業務)."""
    ends = at + length[form]
    last = len(cps) - 1
    return (kanji_end[form] & (cps[np.minimum(ends, last)] == _INDUSTRY)
            & ~np.isin(cps[np.minimum(ends + 1, last)], _NOT_INDUSTRY))


# In a need, a clause whose subject is another business (〜屋が, 〜店が, 〜社が: 「隣の店が
# ネット通販を始め」) says what that business does, not what the member needs.
_BY_OTHERS = tuple(np.array([ord(a), ord("が")], np.uint32) for a in "屋店社")
_CLAUSE_END = re.compile(r"[、。，,.!?！？]")


def others_acts(cps: np.ndarray, at: np.ndarray, line: np.ndarray,
                breaks: np.ndarray) -> np.ndarray:
    """Need matches after a business named as the subject (``_BY_OTHERS``) and before the
    end of its clause (a comma or a full stop)."""
    out = np.zeros(len(at), bool)
    marks = np.concatenate([_marked(cps, m) for m in _BY_OTHERS])
    if not len(marks):
        return out
    for mark in np.unique(marks).tolist():
        ln = int(np.searchsorted(breaks, mark))
        start, body = _line_text(cps, breaks, ln)
        subject_end = mark - start + 2
        stop = _CLAUSE_END.search(body, subject_end)
        end = start + (stop.start() if stop else len(body))
        mine = _on_line(line, ln)
        out[mine] |= (at[mine] >= mark + 2) & (at[mine] < end)
    return out


# "post-" or "pre-" before a word makes it a time ("post-construction cleaning" is done after
# the builders leave; "pre-opening" is before a shop opens), not the service it names.
_TIME_PREFIXES = tuple(np.array([ord(c) for c in p], np.uint32) for p in ("post-", "pre-"))


def time_prefixed(cps: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Matches right after "post-" or "pre-" (at a word's start)."""
    out = np.zeros(len(at), bool)
    for prefix in _TIME_PREFIXES:
        before = at - len(prefix)
        ok = before >= 0
        for j, ch in enumerate(prefix.tolist()):
            ok &= cps[np.maximum(before + j, 0)] == ch
        prior = cps[np.maximum(before - 1, 0)].astype(np.int64)
        ok &= (before == 0) | ~(((prior >= 97) & (prior <= 122)) | ((prior >= 48) & (prior <= 57)))
        out |= ok
    return out
