"""The matching engine: which members of a community should be introduced, and why.

Pure functions over arrays (numpy, scipy.sparse); no database here — ``loader`` builds the
``Features`` and ``History`` from a community, ``reasons.render`` turns reasons into sentences.

A pair's score adds up
- complementarity both ways: the cosine of A's OFFER text (offers and business description)
  against B's ASK text (what they look for, their challenges and goals), and the reverse, on
  TF-IDF character n-grams (``text``): ``max(a→b, b→a) + ½·min(a→b, b→a)``;
- fit to each side's target picture: B's industry among A's wished industries, B's company size
  among A's wished sizes (and the reverse), the same prefecture or region block;
- engagement: regulars with regulars, a first-timer with a welcoming regular;
- depth: pairs who attended meetups together but never spoke. The loader passes the
  attendance register of recent meetups (``History.attendance``, one (member, meetup) entry
  per attendance); the engine turns it into a sparse member × meetup incidence ``M`` and
  counts meetups together only for the candidate pairs it scores (``M[i] ∘ M[j]`` summed per
  row), never for all pairs: 5,000 members with 780 at each meetup would be ~10M pairs;
- the same-industry flag: the same industry is a bonus only when one of them asked for it,
  otherwise slightly down-weighted.
Never: oneself, a pair introduced before in any status, the same company, a member who did not
consent to introductions or is inactive.

Scale (``candidates``): only candidate pairs are scored, vectorised — at every size each
member's top-k by text from blocked sparse products over pruned rows and sampled postings,
plus structured candidates (wished industries, welcoming regulars), a few
co-attendees per member and meetup (``together.co_attendee_candidates``) and the pairs given
explicitly in ``History.met_together``. Allocation (``allocation``): fair rounds under the
caps (pending suggestions count), confirmed pairs (a concept of one's offer meets the
other's need) before fallback pairs (``semantics.confirmed``), then a second chance for
members left without one: their candidates among the members who still have room, searched
for them alone (``candidates.query_candidates``), not for all members again. No
dense n×n matrix and no Python loop over pairs, except the allocation's rounds (and there
only over pairs still possible) and the building of the chosen suggestions' reasons. Each
member's sentences are cut and vectorised once per run for the reasons, not once per pair.
Across cycles (a worker runs them one after the other in one process), what depends on one
text alone is kept by text and taken as it was when the text comes again: its n-gram counts
(``text.fit``), concept tags (``vocabulary.tag``), sentences and the concepts the words
find in each (``semantics``, for the verifier's veto), terms, what it names and its cleaned
form (``evidence``), in communities up to some 25,000 members (above, the memory counts
more). Within a cycle, only the candidate pairs that could be suggested keep their scores
and parts past the scoring (``_score_promising``), and the explanation is read a chunk of
pairs at a time: at 100,000 members the cycle's peak memory was the allocation's, with
every candidate's parts alive. At 10,000 members the next cycle on the same profiles costs about
a fifth less CPU than the first.
``StageClock`` times the stages (the benchmark prints them).

Which suggestions are decoy-only (issue 15), with the trained verifier of concept tags as a
veto (fitted leaving the measured set out), 1,000 members, the seven development sets,
seeds 1 and 2: 60 of 8,974 suggestions (0.7%; at most 1.9% in a run, held_out seed 2), every
one with a *homograph* member (a real offer, a need that only looks like one: "a used lens
for bird photography", 自社商品の採用先), none with a generic-only decoy (``semantics.
generic_only`` keeps those out). By what their reasons say: only structured fit (industry,
size, place; the texts prove nothing) 29 of 949 such suggestions (3.1%; precision 0.856),
a shared word 17 of 2,473 (0.7%; "photography" of the homograph and of a photographer's
offer), the same field 14 of 3,803 (0.4%), a stated direction 0 of 1,749. The first kind
are mostly a member's only suggestion (a fallback on shared characters, or a confirmed pair
whose words prove nothing: ``_unproved_extras``); allowing a fallback on characters only
when a word in common can be said moved decoys by 0.2 points at most and cost coverage
(``allocation``), so it was left out.
"""

from __future__ import annotations

import ctypes
import gc
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

import numpy as np

from joren.tenants.introductions import (
    allocation,
    arrays,
    candidates,
    evidence,
    semantics,
    together,
)
from joren.tenants.introductions.features import (
    DEFAULT_WEIGHTS,
    Features,
    History,
    Suggestion,
    Weights,
)
from joren.tenants.introductions.history_keys import HistoryKeys, member_of, position_keys
from joren.tenants.introductions.reasons import EXPLAINING, build_reasons, explained

TOP_K = 20              # text candidates kept per member


class StageClock:
    """Wall-clock and CPU seconds per stage of one run of the engine (benchmarks, logs):
    ``with clock("scoring"): ...``; ``seconds`` and ``cpu`` map stage names to totals,
    ``sizes`` how much work there was (candidate pairs, suggestions)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.sizes: dict[str, int] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        began, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - began
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu

def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):   # not glibc
        return None


_TRIM = _malloc_trim()


TRIM_FROM = 30_000      # members from which each stage hands its freed memory back


def give_back_memory(n: int) -> None:
    """Hand the heap memory freed by a stage back to the system (glibc's ``malloc_trim``;
    nothing elsewhere), in a community of ``TRIM_FROM`` members or more (``n``). numpy's
    arrays below the allocator's mmap threshold come from the heap and, freed, stay in the
    process: without this the stages' peaks pile up (about 400 MB more resident at 100,000
    members) instead of each reusing what the one before freed. In a smaller community
    the stages' arrays are a few tens of MB, and handing them back cost more than it
    saved: the trims, and the page faults of the next stage's arrays in memory given back
    (at 10,000 members about 0.07 s of the cycle's 1.2 s CPU)."""
    if _TRIM is not None and n >= TRIM_FROM:
        _TRIM(0)


HEAP_FROM = 16 << 20     # bytes: arrays below this come from the heap, freed and reused
_heap_raised = False


def reuse_freed_memory(n: int) -> None:
    """In a community below ``TRIM_FROM`` members (``n``), once per process: glibc's malloc
    puts arrays from ``HEAP_FROM`` bytes down in its heap, where memory freed by one stage is
    reused by the next, rather than mapping each afresh and handing it back when freed.
    glibc raises that bound by itself when it frees a mapped block, to the block's size: how
    far it has raised it when the cycle starts depends on what the process freed before,
    and a cycle whose arrays of a few MB (the cosines' chunks, the products' blocks) are
    mapped afresh each time spends about 0.05 s more CPU at 10,000 members on the page
    faults (seen when the kept rows of ``RowCache`` were no longer freed). Freeing one
    block of ``HEAP_FROM`` bytes raises the bound there, whatever came before. Above
    ``TRIM_FROM`` the stages hand their memory back instead (``give_back_memory``)."""
    global _heap_raised
    if _heap_raised or _TRIM is None or n >= TRIM_FROM:
        return
    block = np.empty(HEAP_FROM, np.uint8)
    del block
    _heap_raised = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while the engine runs, as it was after.
    The engine makes no reference cycles, but it makes many small objects (the reasons, the
    allocation's lists), and each of their allocations counts towards a collection that
    walks every object alive, the community's profiles included: at 100,000 members about a
    tenth of the cycle's CPU time went to collections that found nothing."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# --- scoring -----------------------------------------------------------------------------

def _has(bits: np.ndarray, code: np.ndarray) -> np.ndarray:
    return (code > 0) & (((bits >> code) & 1) == 1)


SCORE_CHUNK = 131_072    # pairs scored at a time (each pair is scored on its own)


def _score(f: Features, hk: HistoryKeys, i: np.ndarray, j: np.ndarray, c1: np.ndarray,
           c2: np.ndarray, w: Weights) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Scores of the pairs (i, j) (positions); c1 = cos(offer_i, ask_j), c2 the reverse.
    ``SCORE_CHUNK`` pairs at a time, so that the intermediate arrays stay small."""
    if len(i) <= SCORE_CHUNK:
        return _score_chunk(f, hk, i, j, c1, c2, w)
    score = np.empty(0)
    parts: dict[str, np.ndarray] = {}
    for s in range(0, len(i), SCORE_CHUNK):
        e = s + SCORE_CHUNK
        got, got_parts = _score_chunk(f, hk, i[s:e], j[s:e], c1[s:e], c2[s:e], w)
        if not s:   # the whole arrays, filled chunk by chunk
            score = np.empty(len(i), got.dtype)
            parts = {k: np.empty(len(i), v.dtype) for k, v in got_parts.items()}
        score[s:e] = got
        for k, v in got_parts.items():
            parts[k][s:e] = v
    return score, parts


def _score_chunk(f: Features, hk: HistoryKeys, i: np.ndarray, j: np.ndarray,
                 c1: np.ndarray, c2: np.ndarray, w: Weights
                 ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    keys = position_keys(len(f), i, j)
    met = hk.met_count(i, j, keys)
    # Meaning-aware strengths of each direction (characters, concepts, vectors: semantics).
    k1, k2 = semantics.concept_pair(f.meaning(), i, j)
    c1, c2 = semantics.combine(c1, k1), semantics.combine(c2, k2)
    li, lj = f.level[i], f.level[j]
    same_ind = (f.industry[i] > 0) & (f.industry[i] == f.industry[j])
    same_pref = (f.prefecture[i] > 0) & (f.prefecture[i] == f.prefecture[j])
    # Only what the allocation and the reasons read is kept in the parts (at 100,000 members
    # each float part is some 24 MB in the allocation's peak): the combined text strength
    # and the plain same-industry flag count in the score alone.
    text = np.maximum(c1, c2) + 0.5 * np.minimum(c1, c2)
    same_ind_plain = same_ind & ~(f.seeks[i] | f.seeks[j])
    parts = {
        "ind_ij": _has(f.ask_industries[i], f.industry[j]),
        "ind_ji": _has(f.ask_industries[j], f.industry[i]),
        "size_ij": _has(f.ask_sizes[i], f.size[j]),
        "size_ji": _has(f.ask_sizes[j], f.size[i]),
        "same_pref": same_pref,
        "same_region": ~same_pref & (f.region[i] > 0) & (f.region[i] == f.region[j]),
        "regulars": (li == 3) & (lj == 3),
        "welcome": ((li == 3) & (lj == 1)) | ((li == 1) & (lj == 3)),
        "met": np.where(member_of(hk.spoken, keys), 0, met),
        "same_ind_flag": same_ind & (f.seeks[i] | f.seeks[j]),
        "connected": member_of(hk.connected, keys),
    }
    p = parts
    score = (w.text * text
             + w.industry * (p["ind_ij"].astype(float) + p["ind_ji"])
             + w.size * (p["size_ij"].astype(float) + p["size_ji"])
             + w.prefecture * p["same_pref"] + w.region * p["same_region"]
             + w.regulars * p["regulars"] + w.welcome * p["welcome"]
             + w.met * np.where(p["met"] > 0, (np.minimum(p["met"], 4) + 2) / 6.0, 0.0)
             + w.same_industry * p["same_ind_flag"]
             - w.same_industry_penalty * same_ind_plain
             + w.meet_again * p["connected"])
    parts["c1"], parts["c2"] = c1, c2
    parts["k1"], parts["k2"] = k1, k2
    return score, parts


def _pairs(f: Features, hk: HistoryKeys, pos: np.ndarray, k: int, *,
           allow_connected: bool, stage: StageClock,
           queries: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Candidate pairs among ``pos`` (lower position first) with both cosines, exclusions
    applied. With ``queries`` (positions in ``pos``), only the pairs of a query member: the
    text candidates are searched for the queries alone (``candidates.query_candidates``,
    ``2·k`` each: about as many as a member finds and is found by in the search of all)."""
    n = len(f)
    with stage("text features"):
        f.text()
        give_back_memory(n)
    with stage("text candidates"):
        if queries is None:
            ti, tj, _t1, _t2 = candidates.text_candidates(f, pos, k)
        else:
            ti, tj = candidates.query_candidates(f, pos, queries, 2 * k)
        give_back_memory(n)
    stage.sizes["text candidates"] = len(ti)
    with stage("other candidates"):
        si, sj = candidates.structured_candidates(f, pos, candidates.STRUCTURED_K)
        ai, aj = together.co_attendee_candidates(f.ids, hk.register, hk.meetup_ids, pos)
        mi, mj = semantics.meaning_candidates(f.meaning(), pos, k)
        inside = np.zeros(n, bool)
        inside[pos] = True
        met_i, met_j = hk.met // n, hk.met % n
        ok = inside[met_i] & inside[met_j]
        i = np.concatenate([ti, si, ai, mi, met_i[ok]])
        j = np.concatenate([tj, sj, aj, mj, met_j[ok]])
        del ti, tj, si, sj, ai, aj, mi, mj
        if queries is not None:
            asked = np.zeros(n, bool)
            asked[queries] = True
            touch = np.flatnonzero(asked[i] | asked[j])
            i, j = i[touch], j[touch]
        give_back_memory(n)
    with stage("exclusions"):
        # Each pair once, lower position first, in order of the pair.
        keys = arrays.unique(position_keys(n, i, j))
        del i, j
        i, j = keys // n, keys % n
        banned = member_of(hk.excluded, keys)
        if allow_connected:
            banned &= ~member_of(hk.connected, keys)
        banned |= (f.company[i] > 0) & (f.company[i] == f.company[j])
        banned |= i == j
        keep = np.flatnonzero(~banned)
        i, j = i[keep], j[keep]
    stage.sizes["candidate pairs"] = len(i)
    with stage("cosines"):
        # Exact cosines of every candidate, both ways, on the full rows (the text candidates
        # were found on pruned rows and sampled postings).
        offer, ask, _model = f.text()
        c1 = candidates.rowdot(offer, ask, i, j)
        c2 = candidates.rowdot(offer, ask, j, i)
    return i, j, c1, c2


def _eligible_positions(f: Features, member_ids: Sequence[int] | None = None) -> np.ndarray:
    if member_ids is None:
        return np.flatnonzero(f.eligible)
    pos = np.asarray(sorted({f.position[m] for m in member_ids if m in f.position}), np.int64)
    return pos[f.eligible[pos]] if len(pos) else pos


def _by_score(f: Features, i: np.ndarray, j: np.ndarray, score: np.ndarray,
              good: np.ndarray) -> np.ndarray:
    """``good`` best score first, ties by the lower member id, then the higher one."""
    a_id, b_id = f.ids[i[good]], f.ids[j[good]]
    lo, hi = np.minimum(a_id, b_id), np.maximum(a_id, b_id)
    return good[np.lexsort((hi, lo, -score[good]))]


# --- public API ---------------------------------------------------------------------------

def suggest(features: Features, history: History, *, cap: int | np.ndarray = 2,
            limit_per_member: int | None = None,
            weights: Weights = DEFAULT_WEIGHTS,
            clock: StageClock | None = None) -> list[Suggestion]:
    """One cycle's introductions, allocated in fair rounds (``allocation``): every member
    with a candidate gets one before anyone gets a second, each member in at most ``cap``
    suggestions (an int, or an array aligned with ``features.ids``) counting those still
    pending from earlier cycles (``history.pending``). Only pairs that can be explained (a
    reason besides the score) are suggested. ``limit_per_member`` is how many text candidates
    per member are considered (default 20). Returns suggestions best first, ``a`` the lower
    member id."""
    with collector_paused():
        return _suggest(features, history, cap=cap, limit_per_member=limit_per_member,
                        weights=weights, clock=clock)


def _suggest(features: Features, history: History, *, cap: int | np.ndarray,
             limit_per_member: int | None, weights: Weights,
             clock: StageClock | None) -> list[Suggestion]:
    f = features
    stage = clock or StageClock()
    n = len(f)
    reuse_freed_memory(n)
    caps = np.broadcast_to(np.asarray(cap, dtype=np.int64), (n,)).copy()
    pos = _eligible_positions(f)
    if len(pos) < 2:
        return []
    with stage("history"):
        hk = HistoryKeys.build(f, history)
        held = _pending(f, history)
    i, j, c1, c2 = _pairs(f, hk, pos, limit_per_member or TOP_K, allow_connected=False,
                          stage=stage)
    with stage("scoring"):
        # Only the pairs that could be suggested are kept (``_promising``): the others are
        # never allocated, and their parts were a quarter of the cycle's peak memory at
        # 100,000 members.
        at, score, parts = _score_promising(f, hk, i, j, c1, c2, weights)
        i, j = i[at], j[at]
        del c1, c2, at      # the parts hold the combined strengths
        give_back_memory(n)
    rank_of = np.argsort(np.argsort(f.ids, kind="stable"), kind="stable")
    with stage("allocation"):
        # Only the pairs that may be suggested (explained too) go on to the rounds. Pairs
        # stay in their order, so that ties fall as they did among all of them.
        keep = np.flatnonzero(_suggestible(f, i, j, score, parts, weights))
        i, j, score = i[keep], j[keep], score[keep]
        parts = {k: v[keep] for k, v in parts.items()}
        del keep
        give_back_memory(n)
        sel, good = _allocated(f, i, j, score, parts, weights, caps - held, held, rank_of,
                               np.ones(len(i), bool))
        allowed = len(good)
        # Only the chosen pairs are kept from here on: the reasons read nothing else, and
        # the second chance runs without the candidates' arrays (at 100,000 members about
        # 300 MB).
        i, j, score = i[sel], j[sel], score[sel]
        parts = {k: v[sel] for k, v in parts.items()}
        del sel, good
        give_back_memory(n)
    # A second chance: members left without a suggestion (their candidates were all taken)
    # look again, among the members who still have room only.
    after = held + np.bincount(np.r_[i, j], minlength=n)
    left_out = np.zeros(n, bool)
    left_out[pos] = (after[pos] == 0) & (caps[pos] > 0)
    roomy = pos[after[pos] < caps[pos]]
    if left_out.any() and len(roomy) < len(pos):
        with stage("second chance"):
            # The pairs just chosen are excluded too (the history's keys, not built again).
            done = replace(hk, excluded=arrays.unique(
                np.r_[hk.excluded, position_keys(n, i, j)]))
            i2, j2, c1b, c2b = _pairs(f, done, roomy, limit_per_member or TOP_K,
                                      allow_connected=False, stage=StageClock(),
                                      queries=np.flatnonzero(left_out))
            score2, parts2 = _score(f, done, i2, j2, c1b, c2b, weights)
            sel2, _good2 = _allocated(f, i2, j2, score2, parts2, weights, caps - after,
                                      after, rank_of)
            i, j, score = np.r_[i, i2[sel2]], np.r_[j, j2[sel2]], np.r_[score, score2[sel2]]
            parts = {k: np.r_[v, parts2[k][sel2]] for k, v in parts.items()}
        stage.sizes["second chance pairs"] = len(i2)
    sel = _by_score(f, i, j, score, np.arange(len(i)))
    stage.sizes["pairs above the minimum score"] = allowed
    with stage("reasons"):
        swap = f.ids[i[sel]] > f.ids[j[sel]]
        ai, bj = np.where(swap, j[sel], i[sel]), np.where(swap, i[sel], j[sel])
        reasons = build_reasons(f, ai, bj, {k: v[sel] for k, v in parts.items()}, swap,
                                weights)
        sure = semantics.confidence(score[sel])
        return [Suggestion(x, y, round(s, 6), r, round(p, 4))
                for x, y, s, r, p in zip(f.ids[ai].tolist(), f.ids[bj].tolist(),
                                         score[sel].tolist(), reasons, sure.tolist(),
                                         strict=True)]


# Pairs whose explanation is read at a time (``explained``): the parts it reads are copied
# for them, and at 100,000 members (1.3 million pairs to read) the copies and what
# ``evidence.says_something`` derives from them were some 100 MB of the allocation's peak,
# the cycle's highest.
EXPLAIN_CHUNK = 262_144


def _score_promising(f: Features, hk: HistoryKeys, i: np.ndarray, j: np.ndarray,
                     c1: np.ndarray, c2: np.ndarray, w: Weights
                     ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(indices of the pairs kept, their scores, their parts): ``_score`` of the pairs, a
    chunk at a time, keeping only the ``_promising`` ones (each pair is scored and judged
    on its own: the same as scoring them all, then choosing)."""
    kept: list[tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]] = []
    for s in range(0, max(len(i), 1), SCORE_CHUNK):
        e = s + SCORE_CHUNK
        score, parts = _score_chunk(f, hk, i[s:e], j[s:e], c1[s:e], c2[s:e], w)
        at = np.flatnonzero(_promising(f, i[s:e], j[s:e], score, parts, w))
        kept.append((s + at, score[at], {k: v[at] for k, v in parts.items()}))
        del score, parts, at
    at = np.concatenate([a for a, _s, _p in kept])
    score = np.concatenate([sc for _a, sc, _p in kept])
    out: dict[str, np.ndarray] = {}
    for k in list(kept[0][2]):
        out[k] = np.concatenate([p.pop(k) for _a, _s, p in kept])
    return at, score, out


def _promising(f: Features, i: np.ndarray, j: np.ndarray, score: np.ndarray,
               parts: dict[str, np.ndarray], weights: Weights) -> np.ndarray:
    """The pairs that may be suggested if they can be explained: above the minimum score
    and the floor, confirmed or backed."""
    sure = semantics.confirmed(parts["k1"], parts["k2"])
    # Without a confirming concept: texts sharing specific words, or members who sat in the
    # same meetups and never spoke, or one asked to meet their own industry (said by a reason).
    vague = semantics.generic_only(f.meaning(), f.wrote)
    backed = (semantics.fallback_ok(parts["c1"], parts["c2"]) | (parts["met"] > 0)
              | (parts["same_ind_flag"] & ~vague[i] & ~vague[j]))
    return (score >= weights.min_score) & (sure | backed) \
        & semantics.above_floor(f.meaning(), i, j, score)


def _suggestible(f: Features, i: np.ndarray, j: np.ndarray, score: np.ndarray,
                 parts: dict[str, np.ndarray], weights: Weights) -> np.ndarray:
    """The pairs that may be suggested: ``_promising`` and explained."""
    # Whether a pair can be explained is read only for the pairs that could be suggested
    # (above the minimum score, confirmed or backed): the others are never allocated.
    ok = _promising(f, i, j, score, parts, weights)
    at = np.flatnonzero(ok)
    for s in range(0, len(at), EXPLAIN_CHUNK):     # each pair is read on its own
        some = at[s:s + EXPLAIN_CHUNK]
        ok[some] = explained(f, i[some], {k: parts[k][some] for k in EXPLAINING}, weights,
                             j[some])
    del at
    give_back_memory(len(f))
    return ok


def _allocated(f: Features, i: np.ndarray, j: np.ndarray, score: np.ndarray,
               parts: dict[str, np.ndarray], weights: Weights, room: np.ndarray,
               held: np.ndarray, rank_of: np.ndarray, ok: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """(chosen pairs, pairs allowed): the explained pairs above the minimum score
    (``_suggestible``, or ``ok`` when the caller has read them), allocated in fair rounds;
    pairs listed and members ranked by id, so that ties do not depend on the members'
    order."""
    # Pairs come in order of positions (lower first), and positions usually in order of
    # ids: then the pairs are already listed by id.
    listed = bool((i < j).all() and (np.diff(f.ids) > 0).all()
                  and (len(i) < 2 or (np.diff(position_keys(len(f), i, j)) > 0).all()))
    if listed:
        by_id = np.arange(len(i))
    else:
        lo, hi = np.minimum(f.ids[i], f.ids[j]), np.maximum(f.ids[i], f.ids[j])
        by_id = np.lexsort((hi, lo))
        del lo, hi
    if ok is None:
        ok = _suggestible(f, i, j, score, parts, weights)
    sure = semantics.confirmed(parts["k1"], parts["k2"])
    vague = semantics.generic_only(f.meaning(), f.wrote)
    backed = (semantics.fallback_ok(parts["c1"], parts["c2"]) | (parts["met"] > 0)
              | (parts["same_ind_flag"] & ~vague[i] & ~vague[j]))
    # Confirmed pairs whose texts prove nothing a reason may say (the concept met by a word
    # that fits either side, explained by a wished industry alone) are a member's only
    # suggestion at most (``_unproved_extras``).
    told = np.flatnonzero(ok & sure)
    mute = np.zeros(len(i), bool)
    mute[told] = ~evidence.says_something(f, i[told], j[told])
    good = np.flatnonzero((ok & sure)[by_id])
    fallback = np.flatnonzero((ok & ~sure & backed)[by_id])
    strong = semantics.confirmed(parts["k1"], parts["k2"], semantics.STRONG)
    preferred = np.flatnonzero((ok & strong)[by_id])
    if listed:
        chosen = allocation.allocate(len(f), i, j, score, good, room, held, rank_of,
                                     fallback, preferred)
    else:
        chosen = allocation.allocate(len(f), i[by_id], j[by_id], score[by_id], good, room,
                                     held, rank_of, fallback, preferred)
    sel = by_id[chosen]
    if mute[sel].any():
        sel = sel[_unproved_extras(len(f), i, j, score, sel, mute, held)]
    return sel, np.r_[good, fallback]


def _unproved_extras(n: int, i: np.ndarray, j: np.ndarray, score: np.ndarray,
                     sel: np.ndarray, mute: np.ndarray, held: np.ndarray) -> np.ndarray:
    """Which of the chosen pairs ``sel`` to keep: a pair whose texts prove nothing (``mute``:
    a concept confirmed it, but no reason may say so) is dropped, the lowest score first,
    where each of its members holds another suggestion (pending ones count). Such pairs are
    good matches less often than the others: of those a cycle chose on the quality
    benchmark (300 and 1,000 members, seeds 1-3), 0.75 against 0.96 on the dev phrasings
    and 0.73 against 0.89 on the fresh ones. Keeping them as the only suggestion of a
    member who has nothing else keeps the coverage; serving them after the confirmed pairs
    instead (as fallback pairs) lost it: 0.96 → 0.94 at 300 members."""
    count = (held + np.bincount(np.r_[i[sel], j[sel]], minlength=n)).tolist()
    keep = np.ones(len(sel), bool)
    order = np.argsort(score[sel], kind="stable")
    order = order[mute[sel[order]]]
    for k, a, b in zip(order.tolist(), i[sel[order]].tolist(), j[sel[order]].tolist(),
                       strict=True):
        if count[a] >= 2 and count[b] >= 2:
            keep[k] = False
            count[a] -= 1
            count[b] -= 1
    return keep


def _pending(f: Features, history: History) -> np.ndarray:
    """Suggestions each position still has pending from earlier cycles."""
    held = np.zeros(len(f), np.int64)
    for member, count in history.pending.items():
        at = f.position.get(int(member))
        if at is not None:
            held[at] = max(int(count), 0)
    return held


def rank_among(features: Features, history: History, member_ids: Sequence[int], *,
               top: int = 3, weights: Weights = DEFAULT_WEIGHTS) -> dict[int, list[Suggestion]]:
    """For each of ``member_ids``, its best ``top`` partners among ``member_ids`` (no caps).
    Consent and exclusions apply, except that a CONNECTED pair may come back ("meet again",
    slightly down-weighted). ``a`` is the member the list belongs to."""
    f = features
    result: dict[int, list[Suggestion]] = {int(m): [] for m in member_ids}
    pos = _eligible_positions(f, member_ids)
    if len(pos) < 2 or top <= 0:
        return result
    hk = HistoryKeys.build(f, history)
    i, j, c1, c2 = _pairs(f, hk, pos, max(TOP_K, 4 * top), allow_connected=True,
                          stage=StageClock())
    score, parts = _score(f, hk, i, j, c1, c2, weights)
    good = np.flatnonzero(score >= weights.min_score)
    idx = np.concatenate([good, good])
    me = np.concatenate([i[good], j[good]])
    other = np.concatenate([j[good], i[good]])
    order = np.lexsort((f.ids[other], -score[idx], f.ids[me]))
    me_sorted = me[order]
    first = np.r_[0, np.flatnonzero(me_sorted[1:] != me_sorted[:-1]) + 1] if len(order) \
        else np.zeros(0, np.int64)
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    take = order[rank < top]
    sel, ai, bj = idx[take], me[take], other[take]
    swap = ai != i[sel]
    reasons = build_reasons(f, ai, bj, {k: v[sel] for k, v in parts.items()}, swap, weights)
    for x, y, s, r in zip(f.ids[ai].tolist(), f.ids[bj].tolist(), score[sel].tolist(),
                          reasons, strict=True):
        result[x].append(Suggestion(x, y, round(s, 6), r))
    return result
