"""What a reason may say about two members' words, and only what their words prove.

A reason that states a direction ("A offers X, which may help B with Y") must be true. Two
profiles that merely look alike do not prove one: a cosine of shared characters is the same
for an offer and the need it meets as for two offers of one service, for two sentences
sharing a word of two meanings (人脈のネットワーク / 社内ネットワーク), or for the echo of a
good pair's words in its reverse direction. On the quality benchmark, stating directions from
the engine's strengths made about one stated direction in five false.

What the words prove, for a direction from giver A to asker B (``stated_directions``), read
sentence by sentence with the vocabulary's cues (``members.vocabulary``), generic concepts
and cues made of function words only ("nobody knows") left out:

- **the direction**, when each says it by a cue of their own side or a pick in the profile
  form: A's offer cue (経理代行) and B's need cue (請求書の処理), the need cue in what B lacks,
  not in what B is after — in 「英語のホームページを作りたいが、自然な文章が書けない」 the need
  is the text after が、, not a homepage — and each sentence about that concept alone: in
  "translation of contracts, manuals and websites" the websites are what is translated, and
  a need that names two fields does not say which one the offer meets (on the quality
  benchmark's dev and fresh phrasings, every direction so stated among all pairs whose
  concepts meet is true; the others are said as the same field). A need cue must say that
  the service is needed: a
  word that only places the need in a field (食事, 領収書, "the food", "our website": the
  vocabulary's ``mention`` words) is true of "the food looks cold in our photos" as much
  as of a caterer's client, so it names the concept for the weaker reason below only; so
  does a need cue of a single word (``vocabulary.is_bare``: one English word such as
  "lawsuit" or "understaffed", a Japanese compound with no hiragana such as 訴訟, 手狭 or
  アプリ開発) in a sentence that asks for nothing (``_REQUEST``: no wish, request or
  search): a lone word names what a sentence is about, and as often in another sense
  ("payroll week is always a scramble" needs cash, not a payroll service; a cramped
  warehouse 手狭 needs premises as much as a move), where a phrase with its predicate or
  object (契約書を見てほしい, "review our contracts") or a request around the word
  (職人さんの採用を手伝ってくれる方) says the need;
- and the offer sentence states the service as one the giver offers (``_offered``): not
  as an extra of a package (写真撮影もセットで, "photo shoot included": not offered on its
  own), nor as one of a list of things a service the vocabulary does not know works on
  (ホームページ・メニューの多言語化, "we localise menus, websites and manuals": the websites
  are translated, not built). On the unseen phrasings these two made every false stated
  direction; such an offer still names its concept for the weaker reason below. Nor
  does a trade word (``vocabulary.is_trade``: 飲食店, restaurant, hotel): it names the kind of
  business a member works in or for, not a service offered (「飲食店の厨房清掃」 is cleaning;
  where the vocabulary misses the service's own word the trade word is all that is left,
  and "restaurant" would state a catering direction);
- **the same field** (weaker, ``direction`` False), when B names the concept by a need cue
  and A by an offer cue or by a word that fits either side (撮影, printing) as the only
  concept of that sentence: "A's 宣材写真の撮影 and B's 紹介動画 are both about photography
  and video" is true even where a photographer is not whom B needs.

Why these two rules (trade words, and one-word need cues in a sentence that asks for nothing,
state no direction), and why rules and not vocabulary: on text the vocabulary was not tuned
on, the cue it misses is the one that said the service, and what is left is the sentence's
other words. To see that on the tuning sets, their sentences were read with a random share
of the vocabulary's cue phrases dropped (a test-only ablation, 1,000 members, seed 1). The
rules were chosen on novel and fresh (30% dropped, six draws): before, 7 of the 12 cycles
stated a false direction (true directions 0.932–0.990 there), almost all a trade word left
alone in an offer ("Deep cleaning for restaurant kitchens", 「飲食店の厨房清掃」 → catering)
or a one-word cue in a need (手狭 → office relocation for a member who needs premises);
after, 1 of 12 (0.989). Checked without further change on unseen and dev (the same six
draws): before 3 of 12 (unseen 0.981, 0.984, 0.993), after none. With 20% dropped (three
draws, all four sets) 3 of 12 before, 1 of 12 after (fresh 0.969: "contract" found in
"Interior contractor", a cue matched as the prefix of another word, left as it is).

They change no suggestion on the four sets (both still name the concept for the weaker
reason, so ``says_something`` is the same): precision, decoys and coverage at 1,000 (seeds
1, 2) and 5,000 are as before (e.g. novel 1,000 seed 1: 0.947, 0.6%, 0.979); with the
vocabulary ablated, 4 cycles of 48 changed by a few suggestions, none for the worse (unseen,
20%, draw 2: 707 → 703 suggestions, precision 0.878 → 0.881). With 40% dropped (three draws,
all four sets) 5 of 12 cycles stated a false direction before (0.934–0.981), 1 after
(novel, 0.927: "new hire" read as a hiring need of a member who needs training, the
training cue dropped). What they cost is stated directions, said instead as "both about
X": dev 170/143 → 170/143, fresh 177/122 → 162/115, unseen 163/145 → 157/142, novel
134/135 → 128/115 (1,000 members, seeds 1/2). Without the request exception (every one-word
need cue a mention) a fifth of the directions went, and in the demo community most of them:
職人さんの採用を手伝ってくれる方 says the need around the word 採用.

Two more rules from the tuning round on distinct.py (the sixth set, blind until then), both
of where in a need the need is, as "I want X, but Y" already was: a sentence that asks for
nothing, told before a later sentence of the same field that turns (「候補者が入社してすぐ
辞めた。手数料を返せと言われたが、約束の文面があいまい」: what happened, then the need;
``_told_before_a_turn``), and the effect of a sentence that gives a cause ("I do three jobs
because I can't find people" needs people; 「…暗い写真ばかりで、応募が来ないのはそのせい
かも」 needs the photos; ``_cause_of``), state no direction. On distinct at 1,000 members
(seeds 1/2/3) true directions 0.902/0.831/0.842 → 0.961/0.936/0.872 with the first,
→ 0.992/0.964/0.945 with both (5,000 members: 0.899 → 0.988); every other set stays at
1.000 and no suggestion changes (the concept is still named for the weaker reason). What is
left false there is one sentence: "…the city pays part of the cost, but the forms are only
in Japanese" (a subsidy need in the words of a translation one, and "only in Japanese" is
the translation need of "everything on our walls is only in Japanese" in unseen.py).

With the verifier of concept tags (issue 15, ``verifier``: the trained model gives each tag
(sentence, concept, side) the probability that it is wrong, its *doubt*, stored with the
run's verdicts, ``Features.verdicts``), a direction is stated only when the
verifier is sure of both its tags: a score below ``REASON_THRESHOLD`` for the offer's
sentence and for the need's (``_doubted_directions``); otherwise both are said to be about
the concept. Stricter than the verifier's veto of a tag (about 0.6): a tag is one input of a
match, a direction a claim made to two members. Every false direction on the quality sets
comes from a wrong tag (``tests/quality/verified_concepts.py``: with the oracle's veto, true
directions 1.000), so what the threshold buys is the share of wrong tags it catches. Out of
fold (each set's tags scored by the model fitted on the other six, 1,980 tags, 141 wrong):
at the veto's threshold 0.85 of the wrong tags are caught (5% of the right ones doubted); at
0.25, 0.936 (14% of the right ones); at 0.15, 0.950 (20%); at 0.05, 0.972 (34%). So 0.25
catches more than half of the wrong tags the veto lets through, and the cost, measured with
the veto and the model leaving the measured set out (1,000 members, seeds 1/2): stated
directions dev 162/134 → 161/133, held_out 63/57 → 55/55, novel 134/120 → 112/98, unseen
171/155 → 147/128, fresh 161/129 → 161/129, distinct 128/120 → 114/103, seventh 108/109
→ 101/101 (1,751 → 1,598 in all: one in eleven said as "both about X" instead); no
suggestion changes. Stricter thresholds cost more (seed 1 of the seven sets: 927 stated
directions with the veto alone; 904 at 0.4, 851 at 0.25, 788 at 0.15, 752 at 0.1, 651 at
0.05) for little more caught (0.950 at 0.15, 0.965 at 0.1). True directions stay 1.000
there (they were: the rules below were tuned on these sets, and so was the vocabulary; the
blind set, where they are 0.94, is where this is to be measured: ``python -m
tests.quality.verified_concepts --trained --reasons=0.1,0.25 SET:1000:1``). Without a
verifier (``Features(verdicts=None)``) nothing changes.

A word that fits either side in a need (「新製品の採用事例」) names nothing: 採用 of a product
is not hiring. Where no concept is named in either direction, the reason may only say the
specific word both texts contain (``shared_term``: 「撮影」, "leaflets"), or nothing; and
``says_something`` tells the engine which pairs have anything true to say at all, so that a
pair with nothing is not suggested.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from scipy import sparse

from joren.platform.rowcache import RowCache
from joren.tenants.introductions import arrays, finder, semantics, verifier
from joren.tenants.introductions import text as textmod
from joren.tenants.introductions.features import Features, Profile
from joren.tenants.members import vocabulary

# English function words: a cue made of them only ("nobody knows") names no service, and
# two texts sharing them share nothing specific.
_FUNCTION_WORDS = frozenset(re.findall(r"[a-z]+", """
a an the and or of for to in on at by with from as our we us my me you your is are was be
been have has had do does did not no nobody anyone someone something anything everyone
know knows knew get gets got make makes take takes time times day days way ways need needs
want wants help looking look find keep keeps can cannot could would should will just more
most many much very too so that this these those it its they them their who what when
where why how all any some every each one two new old good bad big small first last next
up down out over into about than then there here people thing things well still yet even
only also again after before being both come does doing done like other same such through
while year years ours ourselves were which"""))
_STOP = _FUNCTION_WORDS
_LATIN_TOKEN = re.compile(r"[a-z0-9][a-z0-9&'-]*")
_NOT_LATIN = re.compile(r"[^\x00-\x7f]")
_LATIN_WORD = re.compile(r"[a-z][a-z'-]{3,}")


_CHUNK = 65_536
_CONTRAST = re.compile(r"が、|けれど|けど|のに|ものの|\bbut\b|\bhowever\b|\byet\b|\balthough\b",
                       re.IGNORECASE)


def _stem(word: str) -> str:
    """A plural "s" off, so "printers" meets "printer" (as the text features stem)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@dataclass(frozen=True)
class Stated:
    """What the words of one direction prove: the giver's sentence and the asker's sentence
    (None where the member picked the concept rather than wrote it), the concept's code, and
    whether the direction itself may be stated (``direction``) or only that both sentences
    are about the concept."""

    offer: str | None
    ask: str | None
    concept: str
    direction: bool


Named = dict[int, tuple[str | None, bool]]   # concept index → (sentence, by its side's cue)


class _Memo:
    """What was read of one community's members (``Features``), each member once."""

    def __init__(self) -> None:
        self.named: dict[tuple[int, str], Named] = {}
        self.terms: _Terms | None = None
        self.cleaned: dict[tuple[int, str], str] = {}


_MEMOS: weakref.WeakKeyDictionary[Features, _Memo] = weakref.WeakKeyDictionary()


def _memo(f: Features) -> _Memo:
    memo = _MEMOS.get(f)
    if memo is None:
        memo = _MEMOS[f] = _Memo()
    return memo


def _sentences_of(f: Features, members: Sequence[int], side: str
                  ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The sentences of each member's ``side`` ("offers"/"asks"): (sentences, the position in
    ``members`` each comes from, the field each comes from, numbered over all members)."""
    fields: list[str] = []
    owner: list[int] = []
    for k, m in enumerate(members):
        texts = getattr(f.profiles[m], side)
        fields.extend(texts)
        owner.extend([k] * len(texts))
    lines, field_of = textmod.sentence_table(fields)
    return lines, (np.asarray(owner, np.int64)[field_of] if len(lines) else field_of), field_of


def _told_before_a_turn(lines: list[str], field_of: np.ndarray, shifted: list[int]
                        ) -> list[int]:
    """The sentences of a need that ask for nothing (``_REQUEST``) and come before a later
    sentence of the same field that turns (``_CONTRAST``): 「候補者がすぐ辞めた。返金を求め
    られたが、約束の文面があいまい」 tells what happened, and the need is what follows the turn,
    as in one sentence (``_after_contrast``). ``shifted``: the sentences that turn or give a
    cause (the others do not turn)."""
    turns = [k for k in shifted if _CONTRAST.search(lines[k])]
    if not turns:
        return []
    # The last sentence that turns in each field (fields are numbered in order, their
    # sentences consecutive): the sentences of that field before it were told before it.
    last = np.full(int(field_of.max()) + 1, -1, np.int64)
    np.maximum.at(last, field_of[turns], np.asarray(turns, np.int64))
    turn = np.zeros(len(lines), bool)
    turn[turns] = True
    before = np.flatnonzero((np.arange(len(lines)) < last[field_of]) & ~turn)
    return [k for k in before.tolist() if not _REQUEST.search(lines[k])]


def _has_content(cue: str) -> bool:
    """Whether a cue carries a word of its own: kanji or kana, or an English word that is
    not a function word ("nobody knows" says nothing about which service is needed)."""
    words = _LATIN_TOKEN.findall(cue)
    return bool(_NOT_LATIN.search(cue)) or any(w not in _FUNCTION_WORDS for w in words)


def _named(f: Features, members: Sequence[int], side: str) -> list[Named]:
    """For each member: concept index → (the first sentence that names it, whether a cue of
    the side's own says so; such a sentence is preferred). A need sentence names a concept
    only by a need cue; an offer sentence by an offer cue, or by a word that fits either side
    when it names no other concept. Cues without a word of their own are left out. Picks
    name their concept by the side's own, with no sentence. Each member is read once."""
    memo = _memo(f).named
    todo = sorted({m for m in members if (m, side) not in memo})
    # What a member's texts and picks name is theirs alone: read lately, it is taken as read.
    kept = _KEPT_NAMED if len(f) <= KEPT_UP_TO else {}
    if len(kept) > NAMED_KEPT:
        kept.clear()
    judged_by = None if f.verdicts is None else f.verdicts.version
    keys = {m: (judged_by, *_named_key(f.profiles[m], side), *_found_key(f, m, side))
            for m in todo}
    unread = []
    for m in todo:
        found = kept.get(keys[m])
        if found is None:
            unread.append(m)
        else:
            memo[(m, side)] = found
    # Each member is read on its own: ``_READ_CHUNK`` at a time bounds the cues listed.
    for start in range(0, len(unread), _READ_CHUNK):
        some = unread[start:start + _READ_CHUNK]
        for m, found in zip(some, _read(f, some, side), strict=True):
            memo[(m, side)] = kept[keys[m]] = found
    return [memo[(m, side)] for m in members]


_READ_CHUNK = 4096
# What the members' texts named when last read, by side, texts and picks (``_named_key``),
# across cycles: the matching engine reads them each cycle, and profiles change rarely.
# Emptied when it holds more than ``NAMED_KEPT`` (only members in candidate pairs that a
# concept meets are read: about one in ten at 10,000 members of the perf community).
NAMED_KEPT = 100_000
# Communities above this many members keep nothing across cycles here (their texts would
# stay in memory between cycles, and the cycle's peak is what counts at that size).
KEPT_UP_TO = 25_000
_KEPT_NAMED: dict[tuple, Named] = {}


def _found_key(f: Features, m: int, side: str) -> tuple:
    """What else a member's named concepts depend on with the finder (``finder``): its
    version, and for an offer the member's needs (a found offer counts only in a profile
    that says something specific, ``semantics._with_found``)."""
    if f.found is None:
        return ()
    if side == "offer":
        return f.found.version, *_named_key(f.profiles[m], "need")
    return (f.found.version,)


def _named_key(profile: Profile, side: str) -> tuple:
    if side == "offer":
        return side, profile.offers, profile.offer_concepts
    return side, profile.asks, profile.need_concepts


def _read(f: Features, members: list[int], side: str) -> list[Named]:
    texts, tag_side = ("offers", "offer") if side == "offer" else ("asks", "need")
    lines, owner, field_of = _sentences_of(f, members, texts)
    specific = vocabulary.specificity()
    out: list[Named] = [{} for _ in members]
    hits_of = vocabulary.matches(lines, tag_side)
    # In a need written as "I want X, but Y" the need is Y: X is what the member is after,
    # and a cue for it there says what they want to have, not what they lack.
    obstacle = hits_of
    if side == "need":
        # And in "X because Y" (「Yで、Xのはそのせいかも」) the need is the cause Y: X is
        # what it does to the member.
        turned = [k for k, line in enumerate(lines) if _SHIFT.search(line)]
        obstacle = list(hits_of)
        for k, hits in zip(turned, vocabulary.matches(
                [_cause_of(_after_contrast(lines[k])) for k in turned], tag_side), strict=True):
            obstacle[k] = hits
        for k in _told_before_a_turn(lines, field_of, turned):
            obstacle[k] = []
    folded = vocabulary.fold_all(lines) if side == "offer" else lines
    for row, hits in enumerate(hits_of):
        # A one-word need cue says the need only in a sentence that asks for something.
        asks = side == "need" and bool(_REQUEST.search(lines[row]))
        weights = _weights(hits, specific, side == "need", asks)
        final = _weights(obstacle[row], specific, side == "need", asks)
        found = out[int(owner[row])]
        # In an offer, a service named only as an extra of a package or as one of the
        # things another service works on is not offered on its own (``_offered``).
        offered = _offered(folded[row], hits) if side == "offer" else None
        for c, weight in weights.items():
            own = weight >= vocabulary.SIDE_WEIGHT
            # A mention (食事, receipts) places a need in the concept's field: enough to say
            # both texts are about it, never that the offer meets the need.
            mention = side == "need" and weight == _MENTION
            if not own and not mention and (side == "need" or len(weights) > 1):
                continue
            # A direction needs the sentence to be about this concept alone: in "translation
            # of contracts, manuals and websites" the websites are what is translated, and
            # a need naming two fields does not say which of them the service would meet.
            own = own and final.get(c, 0.0) >= vocabulary.SIDE_WEIGHT \
                and len(final if side == "need" else weights) == 1 \
                and (offered is None or c in offered)
            if c not in found or (own and not found[c][1]):
                found[c] = (lines[row], own)
    if f.verdicts is not None:
        _vetoed(out, tag_side, f.verdicts)
    if f.found is not None:
        meaning = f.meaning().offer if side == "offer" else f.meaning().need
        _found(out, lines, owner, tag_side, f.found, meaning[members])
    at = vocabulary.index()
    for k, m in enumerate(members):
        profile = f.profiles[m]
        for code in profile.offer_concepts if side == "offer" else profile.need_concepts:
            c = at.get(code)
            if c is not None and specific[c] > 0:
                out[k][c] = (out[k].get(c, (None, True))[0], True)
    return out


def _found(named: list[Named], lines: list[str], owner: np.ndarray, side: str,
           found: finder.Found, rows: sparse.csr_matrix) -> None:
    """Add to ``named`` the concepts the encoder found (``finder``) in sentences the words
    tag nowhere, where they are the member's (``rows``: the members' concept rows; a
    profile the words read nowhere gets none, ``semantics._with_found``): such a sentence
    names its concept ("both are about X"), never a direction."""
    for line, k, ks in zip(lines, owner.tolist(), found.concepts(lines, side), strict=True):
        for c in ks:
            if c not in named[k] and rows[k, c] > 0:
                named[k][c] = (line, False)


def _vetoed(named: list[Named], side: str, verdicts: verifier.Verdicts) -> None:
    """Take from ``named`` each concept whose sentence's tag of it the trained verifier
    vetoes (``verifier``): that sentence states no reason about it. One batch of verdicts."""
    lines = list(dict.fromkeys(line for found in named for line, _own in found.values()
                               if line is not None))
    if not lines:
        return
    vetoed = dict(zip(lines, verdicts.vetoed(lines, side), strict=True))
    for found in named:
        for c in [c for c, (line, _own) in found.items()
                  if line is not None and c in vetoed[line]]:
            del found[c]


# What a need's mention (``vocabulary.is_mention``: 食事, receipts) weighs here: more than a
# word that fits either side (it is the need's word), less than a cue that says the need.
_MENTION = 0.9
# What an offer's trade word (``vocabulary.is_trade``: 飲食店, restaurant, hotel) weighs here:
# it names the concept of a line that names nothing else, but not a service offered.
_TRADE = 0.9
# A need sentence that asks for something: a wish, a request or a search (採用を手伝ってほしい,
# 相談できる方, 任せられる工務店, "looking for", "need help with", "can anyone recommend").
_REQUEST = re.compile(
    r"たい|ほし|欲し|てくれ|てもら|ていただ|相談|手伝|任せ|頼|探して|探す|さがして|募集|お願い"
    r"|紹介して|できる方|くれる方|\b(?:need|needs|needed|want|wants|looking for|seeking|"
    r"search(?:ing)? for|help|helps|hire|hiring|find|recommend|anyone|someone|who can|"
    r"advice|would like|wish)\b", re.IGNORECASE)


def _weights(hits: list[tuple[str, int, float]], specific: np.ndarray, need: bool = False,
             asks: bool = True) -> dict[int, float]:
    """Concept index → the strongest weight of the cues found, specific concepts and cues
    with a word of their own only; in a need (``need``), a mention weighs ``_MENTION``, and
    so does a one-word need cue in a sentence that asks for nothing (``asks`` False); in an
    offer, a trade word weighs ``_TRADE``."""
    weights: dict[int, float] = {}
    for cue, c, weight in hits:
        if specific[c] > 0 and _has_content(cue):
            if need and (vocabulary.is_mention(cue, c)
                         or (not asks and vocabulary.is_bare(cue, c))):
                weight = _MENTION
            elif not need and vocabulary.is_trade(cue, c):
                weight = _TRADE
            weights[c] = max(weight, weights.get(c, 0.0))
    return weights


# What follows a service that comes only with another one (写真撮影もセットで, 翻訳付き,
# 送料込み, "photos included") or comes before it ("including photos", "with free photos").
_BUNDLED_AFTER = re.compile(r"(?:も)?(?:せっと|付き|付|つき|込み|込|こみ)"
                            r"|\s+(?:included|bundled)\b")
_BUNDLED_BEFORE = re.compile(r"\b(?:including|incl\.?|with free|comes with)\s+(?:\S+\s+)?$")
# A Japanese list of things (ホームページ・メニュー) and what follows it: の and the head noun.
_JA_ITEM_END = re.compile(r"[・、,/()（）:：;。]|の")
_JA_HEAD_END = re.compile(r"[・、,/()（）:：;。をにでへがはもや]")
# A sentence whose own predicate is a wish or a search (ホームページを作りたい, 税理士を探して
# います, "we are looking for a web designer"): a need written among the offers.
_WISH = re.compile(
    r"(?:たい(?:です)?|ほしい(?:です)?|欲しい(?:です)?|探してる|さがしてる|募集してる|募集中"
    r"|お願いしたい(?:です)?)[!?。.…\s]*$"
    r"|^(?:(?:we|i)(?:'re|'m|\s+are|\s+am)?\s+)?(?:(?:still|also)\s+)?"
    r"(?:looking for|seeking|searching for|in search of)\b"
    r"|^(?:we|i)\s+(?:(?:still|also)\s+)?(?:need|want|would like)\b|^(?:need|want)(?:ed)?\b")
# An English clause ends at these; a list's last item at a preposition.
_EN_CLAUSE = re.compile(r"[:;()]|\s[-–—]\s")
_EN_AFTER_ITEM = re.compile(r"\s+(?:into|to|for|in|with|from|at|on|by|so|that|which)\b.*$")


def _offered(folded: str, hits: list[tuple[str, int, float]]) -> set[int]:
    """The concepts an offer sentence states as a service the member offers (a direction
    may be stated of them): named by a cue of the offer side that is neither an extra of a
    package (写真撮影もセットで, "photos included": not offered on its own) nor one of a list
    of things that a service the vocabulary does not name works on (ホームページ・メニューの
    多言語化, "we localise menus, websites and manuals": the websites are translated, not
    built). The sentence still names the concept for the weaker reason ("both are about").
    A sentence written as a wish (ホームページを作りたい, "looking for a web designer") is a
    need put among the offers: it offers nothing. ``folded``: the sentence as
    ``vocabulary.fold`` reads it."""
    out: set[int] = set()
    if _WISH.search(folded.strip()):
        return out
    for cue, c, weight in hits:
        if weight < vocabulary.SIDE_WEIGHT or c in out or vocabulary.is_trade(cue, c):
            continue
        at = folded.find(cue)
        if at < 0 or not (_bundled(folded, at, at + len(cue))
                          or _worked_on(folded, at, at + len(cue))):
            out.add(c)
    return out


def _word_end(folded: str, end: int) -> int:
    """Where the (Latin) word a cue begins ends: "websites" for the cue "website"."""
    while 0 < end < len(folded) and folded[end - 1].isascii() and folded[end - 1].isalnum() \
            and folded[end].isascii() and folded[end].isalnum():
        end += 1
    return end


def _bundled(folded: str, start: int, end: int) -> bool:
    end = _word_end(folded, end)
    return bool(_BUNDLED_AFTER.match(folded, end) or _BUNDLED_BEFORE.search(folded[:start]))


@lru_cache(maxsize=8192)
def _names_nothing(text: str) -> bool:
    """Whether a piece of an offer names no specific concept and is not a generic word."""
    text = text.strip(" -")
    if not text or not _clean(text).strip(" -"):
        return False
    specific = vocabulary.specificity()
    return not any(specific[k] > 0 for _c, k, _w in vocabulary.matches([text], "offer")[0])


def _worked_on(folded: str, start: int, end: int) -> bool:
    """Whether the cue at ``folded[start:end]`` is one of a list of things worked on by a
    service the sentence does not name, every other thing of the list naming no concept
    either. In Japanese: a list joined by ・ or 、 followed by の and a head naming no concept,
    the cue a whole item (ホームページ・メニューの多言語化; not エアコン清掃・床のワックスがけ,
    where 清掃 ends its item: the service). In English: a list of three or more things
    ("menus, websites and manuals") right after "of" or after a word that is neither a
    function word nor a cue (localise)."""
    end = _word_end(folded, end)
    if not folded[start:end].isascii():
        items = _ja_list(folded, start, end)
        if items is None:
            return False
        others, head = items
        return _names_nothing(head) and all(_names_nothing(x) for x in others)
    items, before = _en_list(folded, start)
    others = [x for x in items if folded[start:end] not in x]
    return len(items) >= 3 and len(others) < len(items) \
        and all(_names_nothing(x) for x in others) \
        and (before == "of" or (before not in _FUNCTION_WORDS and _names_nothing(before)))


def _en_list(folded: str, at: int) -> tuple[list[str], str]:
    """The items of the English list ("a, b and c") in the clause around ``at`` and the
    word right before its first item ("" for none): ([], "") where the clause has none."""
    left = max((m.end() for m in _EN_CLAUSE.finditer(folded, 0, at)), default=0)
    stop = _EN_CLAUSE.search(folded, at)
    pieces = re.split(r"\s*,\s*", folded[left:stop.start() if stop else None])
    last = re.split(r"\s+(?:and|or|&)\s+", pieces[-1], maxsplit=1) if len(pieces) > 1 else []
    if len(last) < 2:
        return [], ""
    head = pieces[0].split()
    items = [head[-1] if head else "", *pieces[1:-1], last[0],
             _EN_AFTER_ITEM.sub("", last[1])]
    return [x.strip() for x in items], head[-2] if len(head) > 1 else ""


def _ja_list(folded: str, start: int, end: int) -> tuple[list[str], str] | None:
    """For a Japanese cue that is a whole item of a list (・, 、) ended by の: the other
    items and the head after の; else None."""
    if start > 0 and folded[start - 1] not in "・、":
        return None
    left = start
    while left > 0 and folded[left - 1] in "・、":
        cut = max((m.end() for m in _JA_ITEM_END.finditer(folded, 0, left - 1)), default=0)
        if cut > 0 and folded[cut - 1] not in "・、":
            break
        left = cut
    right = end
    while right < len(folded) and folded[right] in "・、":
        stop = _JA_ITEM_END.search(folded, right + 1)
        right = stop.start() if stop else len(folded)
    if right >= len(folded) or folded[right] != "の" or (left == start and right == end):
        return None
    if _JA_ITEM_END.match(folded, end) is None:
        return None
    items = [x for x in re.split("[・、]", folded[left:right]) if x.strip()]
    others = [x for x in items if x != folded[start:end]]
    if len(others) == len(items):
        return None
    head_end = _JA_HEAD_END.search(folded, right + 1)
    return others, folded[right + 1:head_end.start() if head_end else None]


_CAUSE_EN = re.compile(r"\b(?:because|due to|that's why|which is why)\b", re.IGNORECASE)
_CAUSE_JA = re.compile(r"のは[^、。]*せい")
# A sentence that turns or gives a cause (one pass over the sentences of the needs).
_SHIFT = re.compile("|".join(p.pattern for p in (_CONTRAST, _CAUSE_EN, _CAUSE_JA)),
                    re.IGNORECASE)


def _cause_of(line: str) -> str:
    """The cause a sentence gives for what it complains of, where it gives one: the text
    after "because" or "due to" (in "that's why" / "which is why" the cause comes first),
    or, in 「…で、応募が来ないのはそのせいかも」, the clauses before the one that says
    what it caused; the whole sentence when it gives none."""
    found = _CAUSE_EN.search(line)
    if found is not None:
        if found.group().lower() in ("that's why", "which is why"):
            return line[:found.start()]
        return line[found.end():]
    found = _CAUSE_JA.search(line)
    if found is not None:
        return line[:max(line.rfind("、", 0, found.start()), 0)]
    return line


def _after_contrast(line: str) -> str:
    """The part of a sentence after its last contrast (が、, けど, のに, but, however …);
    the whole sentence when there is none."""
    parts = _CONTRAST.split(line)
    return parts[-1] if parts else line


def stated_directions(f: Features, givers: np.ndarray, askers: np.ndarray
                      ) -> list[Stated | None]:
    """For each direction (giver position → asker position), what its words prove, or None
    (see the module's docstring). Of several concepts, one both name by their own side's
    cue first; then the asker's earliest."""
    out: list[Stated | None] = [None] * len(givers)
    if not len(givers):
        return out
    # A concept is named only where the meaning layer tagged it: read those members only.
    m = f.meaning()
    meet = np.flatnonzero(_meet(m.offer, m.need, givers, askers))
    offered = _named(f, givers[meet].tolist(), "offer")
    needed = _named(f, askers[meet].tolist(), "need")
    codes = vocabulary.codes()
    for k, offer, need in zip(meet.tolist(), offered, needed, strict=True):
        best: tuple[bool, int] | None = None
        for c, (_line, need_own) in need.items():
            own = need_own and offer.get(c, (None, False))[1]
            if c in offer and (best is None or (own and not best[0])):
                best = (own, c)
        if best is not None:
            c = best[1]
            out[k] = Stated(offer[c][0], need[c][0], codes[c], best[0])
    return _doubted_directions(out, f.verdicts)


# How sure a verifier of concept tags must be of both tags of a direction for it to be
# stated: the verifier's score (the probability that the tag is wrong) of the offer's
# sentence for the concept and of the need's must both be below this; else both are only
# said to be about the concept. Stricter than the veto (which takes a tag away above its own
# threshold): a reason is a claim to two members, a tag only one input of a match. See
# ``_doubted_directions``.
REASON_THRESHOLD = 0.25


def _doubted_directions(found: list[Stated | None], verdicts: verifier.Verdicts | None = None
                        ) -> list[Stated | None]:
    """``found`` with each stated direction that the verifier (``verdicts.doubts``: the run's
    own, ``Features.verdicts``; an experiment passes its judge there too) does not
    confirm at both ends said as the same field instead (``direction`` False): a direction
    is stated only where the offer's sentence surely names the concept and the need's
    sentence surely does (a score below ``REASON_THRESHOLD`` for each). A side the member
    picked in the form (no sentence) needs no verifying. Nothing else changes: the concept is
    still named, so the pair says something (``says_something``) as before."""
    if verdicts is None:
        return found
    doubt = verdicts.doubts
    at = vocabulary.index()
    ask: dict[str, dict[tuple[str, int], float]] = {"offer": {}, "need": {}}
    for s in found:
        if s is not None and s.direction:
            c = at[s.concept]
            if s.offer is not None:
                ask["offer"][(s.offer, c)] = 0.0
            if s.ask is not None:
                ask["need"][(s.ask, c)] = 0.0
    for side, tags in ask.items():
        if tags:
            keys = list(tags)
            scores = doubt([line for line, _c in keys], [c for _l, c in keys], side)
            tags.update(zip(keys, np.asarray(scores, np.float64).tolist(), strict=True))
    out: list[Stated | None] = []
    for s in found:
        if s is not None and s.direction:
            c = at[s.concept]
            sure = ((s.offer is None or ask["offer"][(s.offer, c)] < REASON_THRESHOLD)
                    and (s.ask is None or ask["need"][(s.ask, c)] < REASON_THRESHOLD))
            if not sure:
                s = Stated(s.offer, s.ask, s.concept, False)
        out.append(s)
    return out


def _named_rows(f: Features, members: np.ndarray, side: str) -> sparse.csr_matrix:
    """``_named`` as a matrix: one row per position of ``f`` (rows of members not in
    ``members`` empty), one column per concept, 1 where the member names it."""
    rows: list[int] = []
    cols: list[int] = []
    for m, found in zip(members.tolist(), _named(f, members.tolist(), side), strict=True):
        rows.extend([m] * len(found))
        cols.extend(found)
    data = np.ones(len(rows), np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(f), len(vocabulary.codes())))


def _meet(x: sparse.csr_matrix, y: sparse.csr_matrix, i: np.ndarray, j: np.ndarray
          ) -> np.ndarray:
    """Whether row i of ``x`` and row j of ``y`` share a column, for each pair (only the
    pairs whose rows both have an entry are multiplied)."""
    out = np.zeros(len(i), bool)
    at = semantics.filled_pairs(x, y, i, j)
    i, j = i[at], j[at]
    for s in range(0, len(i), _CHUNK):
        prod = x[i[s:s + _CHUNK]].multiply(y[j[s:s + _CHUNK]])
        out[at[s:s + _CHUNK]] = np.diff(prod.tocsr().indptr) > 0
    return out


def says_something(f: Features, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """For pairs of positions, whether their texts prove anything a reason may say: a
    concept named on both sides in either direction (``stated_directions``), or a specific
    word one's offers and the other's needs share (``shared_term``). Each member is read
    once; the concepts of all pairs are met in sparse products."""
    if not len(i):
        return np.zeros(0, bool)
    # A concept is named only where the meaning layer tagged it: read those pairs' members.
    m = f.meaning()
    tagged = np.flatnonzero(_meet(m.offer, m.need, i, j) | _meet(m.offer, m.need, j, i))
    ti, tj = i[tagged], j[tagged]
    members = arrays.unique(np.r_[ti, tj])
    offer = _named_rows(f, members, "offer")
    need = _named_rows(f, members, "need")
    out = np.zeros(len(i), bool)
    out[tagged] = _meet(offer, need, ti, tj) | _meet(offer, need, tj, ti)
    rest = np.flatnonzero(~out)
    out[rest] = share_terms(f, i[rest], j[rest])
    rest = rest[~out[rest]]         # the other direction only where this one shares none
    out[rest] = share_terms(f, j[rest], i[rest])
    return out


# --- the weaker truth: a word both texts contain ---------------------------------------
# Both sides are read alike (``_clean``): NFKC, lower case, generic words (経営, business …)
# blanked. A piece of kanji or katakana both contain exists exactly when they share two such
# characters in a row, so the check (``_term_rows``, vectorised for every member) and the
# word said (``shared_term``, for the pairs suggested) agree.

_KANJI_KANA = re.compile(r"[\u4e00-\u9fff\u3005\u30a0-\u30ff]{2,}")
# Katakana no word begins with (the long-vowel mark, ッ, ン, small kana): a piece starting
# with one is the tail of a word (ート of パート and コーポレート), not a word both wrote.
_NO_START = "ーッンァィゥェォャュョヮヵヶ"
_NO_START_CPS = np.array([ord(ch) for ch in _NO_START], np.uint32)


@cache
def _generic_pattern() -> re.Pattern:
    words = {unicodedata.normalize("NFKC", w).lower() for w in vocabulary.generic_words()}
    latin = sorted((w for w in words if w.isascii()), key=len, reverse=True)
    other = sorted((w for w in words if not w.isascii()), key=len, reverse=True)
    parts = [r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, latin)) + r")s?(?![a-z0-9])"] \
        if latin else []
    if other:
        parts.append("|".join(map(re.escape, other)))
    return re.compile(textmod.first_chars_first(sorted(words), "|".join(parts)) if parts
                      else r"(?!)")


def _clean(text: str) -> str:
    return _generic_pattern().sub(" ", unicodedata.normalize("NFKC", text or "").lower())


def _clean_all(texts: list[str]) -> list[str]:
    """``_clean`` of many texts in one pass (NUL between them, which nothing matches)."""
    if not texts:
        return []
    return _clean(textmod.join_ended(texts)[:-1]).split("\x00")


def _words(cleaned: str) -> list[str]:
    """The specific English words of a cleaned text, stemmed."""
    return [_stem(w) for w in (m.strip("'-") for m in _LATIN_WORD.findall(cleaned))
            if len(w) >= 4 and w not in _STOP]


_TERM_CHUNK = 20_000     # members whose texts are read at once for their terms


@cache
def _kanji_kana() -> np.ndarray:
    """Code point (below U+A000) → its number among the kanji and katakana (``_KANJI_KANA``'s
    characters), -1 for any other."""
    table = np.full(0xA000, -1, np.int64)
    chars = np.r_[0x3005, np.arange(0x30A0, 0x3100), np.arange(0x4E00, 0xA000)]
    table[chars] = np.arange(len(chars))
    return table


class _Terms:
    """Every member's specific terms, offers and asks, as sparse rows over one column
    space: kanji/katakana pairs of characters (column: the two characters' numbers) and
    stemmed English words (after those: the words' hashes, numbered in order)."""

    def __init__(self, f: Features) -> None:
        pairs = _pair_columns()
        sides = [self._side(f, side) for side in ("offers", "asks")]
        hashes = arrays.unique(np.concatenate([m.indices[m.indices >= pairs] - pairs
                                               for m in sides]))
        width = pairs + len(hashes)
        matrices = []
        index = np.int32 if max(width, len(f), sum(m.nnz for m in sides)) < 2**31 \
            else np.int64
        for k, found in enumerate(sides):
            # The words renumbered in the order of their hashes: each row stays sorted.
            cols = found.indices.astype(np.int64)
            words = cols >= pairs
            cols[words] = pairs + np.searchsorted(hashes, cols[words] - pairs)
            del words
            indptr = found.indptr.astype(index)
            data = found.data
            sides[k] = found = None     # the wide rows go before the next side's are built
            matrices.append(sparse.csr_matrix((data, cols.astype(index), indptr),
                                              shape=(len(f), width)))
            del cols
        self.offers, self.asks = matrices

    @staticmethod
    def _side(f: Features, side: str) -> sparse.csr_matrix:
        """``_term_rows`` of every member's ``side``, those of texts read lately as kept. In
        a community too large for its rows to be kept (``TERMS_KEPT_ROWS``) they are read
        ``_TERM_CHUNK`` texts at a time all the same: each chunk's entries summed into its
        rows before the next chunk is read. (Reading every member's pieces into one list
        of entries first, as this did before, held some 140 MB of them at 100,000 members,
        at the allocation's peak, where ``says_something`` first asks for the terms.)"""
        texts = ["\n".join(getattr(p, side)) for p in f.profiles]
        if len(texts) > TERMS_KEPT_ROWS:
            return _term_rows(texts)
        return _TERMS_KEPT.rows(texts, _term_rows)

    @staticmethod
    def _ids(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns) of the pairs of kanji/katakana, (rows, hashes) of the words."""
        joined = textmod.join_ended(texts)
        cps = np.frombuffer(joined.encode("utf-32-le"), np.uint32)
        ends = np.flatnonzero(cps == 0)
        table = _kanji_kana()
        # Each character's number (-1 for none: code points from U+A000 read the table's
        # last entry, U+9FFF's, and are told apart by the comparison).
        number = table[np.minimum(cps, len(table) - 1)].astype(np.int32)
        number[cps >= len(table)] = -1
        two = np.flatnonzero((number[:-1] >= 0) & (number[1:] >= 0)
                             & ~np.isin(cps[:-1], _NO_START_CPS))
        cols = number[two].astype(np.int64) * int((table >= 0).sum()) + number[two + 1]
        # The words of all texts in one pass: a word never spans two texts (NUL between).
        starts: list[int] = []
        crc: list[int] = []
        known: dict[str, int] = {}
        for m in _LATIN_WORD.finditer(joined):
            w = m.group().strip("'-")
            if len(w) >= 4 and w not in _STOP:
                w = _stem(w)
                h = known.get(w)
                if h is None:
                    h = known[w] = zlib.crc32(w.encode())
                starts.append(m.start())
                crc.append(h)
        return (np.searchsorted(ends, two), cols,
                np.searchsorted(ends, np.asarray(starts, np.int64)), np.asarray(crc, np.int64))


@cache
def _pair_columns() -> int:
    """Columns of ``_term_rows`` for the pairs of kanji/katakana; the words' hashes after."""
    chars = int((_kanji_kana() >= 0).sum())
    return chars * chars


def _term_rows(texts: list[str]) -> sparse.csr_matrix:
    """Each text's terms (``_Terms._ids``) as a row: the pairs of kanji/katakana by their
    column, the words by ``_pair_columns()`` + their hash; each entry the times it occurs.
    ``_TERM_CHUNK`` texts at a time (each text is read on its own: the chunks only bound
    the size of the joined texts)."""
    pairs = _pair_columns()
    parts = []
    for start in range(0, len(texts), _TERM_CHUNK):
        some = texts[start:start + _TERM_CHUNK]
        rows, cols, word_rows, crc = _Terms._ids(_clean_all(some))
        m = sparse.csr_matrix((np.ones(len(rows) + len(word_rows), np.float32),
                               (np.r_[rows, word_rows], np.r_[cols, pairs + crc])),
                              shape=(len(some), pairs + (1 << 32)))
        m.sum_duplicates()
        parts.append(m)
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return sparse.csr_matrix((0, pairs + (1 << 32)), dtype=np.float32)
    return sparse.vstack(parts, format="csr")


# The terms of the texts read lately (``RowCache``): each cycle reads every member's offers
# and asks, and most are as they were the cycle before.
TERMS_KEPT_ROWS = 50_000
_TERMS_KEPT = RowCache(TERMS_KEPT_ROWS)


def _terms_of(f: Features) -> _Terms:
    memo = _memo(f)
    if memo.terms is None:
        memo.terms = _Terms(f)
    return memo.terms


def share_terms(f: Features, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Whether i's offers and j's asks share a specific term, for each pair of positions."""
    terms = _terms_of(f)
    return _meet(terms.offers, terms.asks, i, j)


def _cleaned(f: Features, member: int, side: str) -> str:
    memo = _memo(f).cleaned
    key = (member, side)
    if key not in memo:
        text = "\n".join(getattr(f.profiles[member], side))
        cleaned = _KEPT_CLEAN.get(text) if len(f) <= KEPT_UP_TO else None
        memo[key] = _clean(text) if cleaned is None else cleaned
    return memo[key]


# Texts cleaned lately (``_clean``), by text, across cycles: the reasons of each cycle read
# the texts of the members it suggests, most of them as they were the cycle before.
# Emptied when it holds more than ``CLEAN_KEPT``.
CLEAN_KEPT = 100_000
_KEPT_CLEAN: dict[str, str] = {}


def read_terms(f: Features, givers: Sequence[int], askers: Sequence[int]) -> None:
    """Clean the givers' offers and the askers' asks that ``shared_term`` will read, all in
    one pass (``_clean_all``) rather than one call per member: the same texts (a text
    holding a NUL, which ``_clean_all`` would turn into a space, is left to ``_cleaned``)."""
    memo = _memo(f).cleaned
    kept = _KEPT_CLEAN if len(f) <= KEPT_UP_TO else {}
    if len(kept) > CLEAN_KEPT:
        kept.clear()
    for side, members in (("offers", givers), ("asks", askers)):
        todo = sorted({m for m in members if (m, side) not in memo})
        texts = ["\n".join(getattr(f.profiles[m], side)) for m in todo]
        plain = []
        for k, text in enumerate(texts):
            cleaned = kept.get(text)
            if cleaned is not None:
                memo[(todo[k], side)] = cleaned
            elif "\x00" not in text:
                plain.append(k)
        for k, cleaned in zip(plain, _clean_all([texts[k] for k in plain]), strict=True):
            memo[(todo[k], side)] = kept[texts[k]] = cleaned


def shared_term(f: Features, giver: int, asker: int) -> str:
    """The most specific word the giver's offers and the asker's asks both contain: the
    longest piece of kanji or katakana (two characters at least), else the longest English
    word (four letters at least, not a function word; a plural meets its singular), as the
    giver wrote it. "" when they share none: then nothing may be said of their texts."""
    offer = _cleaned(f, giver, "offers")
    ask = _cleaned(f, asker, "asks")
    best = ""
    # Only a longer piece replaces the best: from each start, the piece one longer than the
    # best is tried first, and only starts that leave room for it: the same piece as trying
    # every length from every start, 1.6 times faster on the perf community's pairs.
    longer = 2
    for run in _KANJI_KANA.findall(ask):
        last = len(run) - longer
        s = 0
        while s <= last:
            if run[s] not in _NO_START and run[s:s + longer] in offer:
                n = longer + 1
                while s + n <= len(run) and run[s:s + n] in offer:
                    n += 1
                best = run[s:s + n - 1]
                longer = n
                last = len(run) - longer
            s += 1
    if best:
        return best
    written: dict[str, str] = {}
    for w in (m.strip("'-") for m in _LATIN_WORD.findall(offer)):
        if len(w) >= 4 and w not in _STOP:
            written.setdefault(_stem(w), w)
    common = set(_words(ask)) & set(written)
    return min((written[w] for w in common), key=lambda w: (-len(w), w), default="")
