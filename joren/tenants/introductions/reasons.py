"""Why a pair was suggested: building the reasons (engine side, batched) and rendering them as
plain sentences in the reader's language (Flask-Babel; needs an app context).

A reason is ``{"code": ..., "params": {...}}``; member ids are under ``"a"``/``"b"``; text
snippets are the members' own words, cut short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from flask_babel import force_locale, gettext

from joren.tenants.introductions import evidence
from joren.tenants.introductions import text as textmod
from joren.tenants.introductions.features import Features, Reason, Weights
from joren.tenants.members import vocabulary
from joren.tenants.members.industries import (
    COMPANY_SIZES,
    INDUSTRIES,
    PREFECTURE_REGION,
    PREFECTURES,
    REGIONS,
)

SNIPPET = 40           # characters of a Japanese snippet
SNIPPET_LATIN = 60     # of an English one (words are longer than kanji)


def cut_snippet(line: str) -> str:
    """A matched line cut short for a reason: Japanese after ``SNIPPET`` characters; English
    (mostly ASCII) after ``SNIPPET_LATIN``, on a word boundary, never inside a word."""
    line = line.strip(" 、。,.")
    latin = sum(ch.isascii() for ch in line) * 2 > len(line)
    if not latin:
        return textmod.cut(line, SNIPPET)
    if len(line) <= SNIPPET_LATIN:
        return line
    head = line[:SNIPPET_LATIN]
    if not line[SNIPPET_LATIN].isspace():
        space = head.rfind(" ")
        if space >= SNIPPET_LATIN // 2:
            head = head[:space]
    return head.rstrip(" ,;:-") + "…"


_STRUCTURED = ("ind_ij", "ind_ji", "size_ij", "size_ji", "same_ind_flag", "regulars",
               "welcome", "connected")
# The scoring parts ``explained`` reads.
EXPLAINING = (*_STRUCTURED, "same_pref", "same_region", "met", "c1", "c2")


def _places(f: Features, a: np.ndarray, parts: dict[str, np.ndarray]
            ) -> tuple[np.ndarray, np.ndarray]:
    """Whether the same prefecture (or else region block) is said. Where most of the
    community shares it, saying so explains nothing: the bonus still counts, the sentence is
    left out."""
    members = max(int(f.eligible.sum()), 1)
    common_pref = np.bincount(f.prefecture[f.eligible], minlength=48) * 2 > members
    common_region = np.bincount(f.region[f.eligible], minlength=16) * 2 > members
    say_pref = parts["same_pref"].astype(bool) & ~common_pref[f.prefecture[a]]
    say_region = (~say_pref & parts["same_region"].astype(bool)
                  & ~common_region[f.region[a]])
    return say_pref, say_region


def explained(f: Features, i: np.ndarray, parts: dict[str, np.ndarray], w: Weights,
              j: np.ndarray | None = None) -> np.ndarray:
    """Pairs (i, j) that carry at least one reason (``build_reasons`` would say something):
    any part said besides the text (fit, place, engagement, meetups together), or texts
    matched from ``text_common`` on that prove something (``evidence.says_something``: a
    concept on both sides, or a specific word in common). A pair explained by nothing is not
    suggested: its sentence would be made up. Without ``j`` any text match counts."""
    out = np.zeros(len(i), bool)
    for key in _STRUCTURED:
        out = out | parts[key].astype(bool)
    say_pref, say_region = _places(f, i, parts)
    out = out | say_pref | say_region | (parts["met"] > 0)
    text = ~out & (np.maximum(parts["c1"], parts["c2"]) >= w.text_common)
    if j is None:
        return out | text
    at = np.flatnonzero(text)
    out[at] = evidence.says_something(f, i[at], j[at])
    return out


def _oriented(parts: dict[str, np.ndarray], swap: np.ndarray,
              w: Weights) -> dict[str, np.ndarray]:
    """The scoring parts in (a, b) order, and whether the texts were matched at all
    (``quoted``: a direction from ``text_common`` on, as ``explained`` reads it)."""
    o = {
        "c_ab": np.where(swap, parts["c2"], parts["c1"]),
        "c_ba": np.where(swap, parts["c1"], parts["c2"]),
        "ind_ab": np.where(swap, parts["ind_ji"], parts["ind_ij"]),
        "ind_ba": np.where(swap, parts["ind_ij"], parts["ind_ji"]),
        "size_ab": np.where(swap, parts["size_ji"], parts["size_ij"]),
        "size_ba": np.where(swap, parts["size_ij"], parts["size_ji"]),
    }
    o["quoted"] = np.maximum(o["c_ab"], o["c_ba"]) >= w.text_common
    return o


def _stated(f: Features, a: np.ndarray, b: np.ndarray
            ) -> tuple[list[evidence.Stated | None], list[evidence.Stated | None]]:
    """For each pair, what may be stated of its a→b and b→a directions (``evidence``); a
    direction shared by two pairs is judged once."""
    givers, askers = np.r_[a, b], np.r_[b, a]
    keys, at = np.unique(givers * len(f) + askers, return_inverse=True)
    found = evidence.stated_directions(f, keys // len(f), keys % len(f))
    both = [found[u] for u in at.tolist()]
    return both[:len(a)], both[len(a):]


def _concept_reason(code: str, giver: int, asker: int, stated: evidence.Stated) -> Reason:
    label = vocabulary.concepts()[stated.concept].label("ja")
    return Reason(code, {"a": giver, "b": asker, "offer": cut_snippet(stated.offer or label),
                         "ask": cut_snippet(stated.ask or label), "concept": stated.concept})


def _text_reasons(f: Features, x: int, y: int, c_ab: float, c_ba: float,
                  st_ab: evidence.Stated | None, st_ba: evidence.Stated | None,
                  quoted: bool) -> list[Reason]:
    """What the two texts prove, for the pair of positions (x, y) (``evidence``): each
    direction whose words say it on both sides ("A offers X, which may help B with Y"), or
    where they only name the same concept, that A's offer and B's need are both about it
    (``shared_concept``), the stronger direction first (a tie: x→y first); when neither
    direction names one and the texts were matched (``quoted``), the specific word both
    contain (``shared_words``); else nothing.

    The engine's strengths (``c_ab``/``c_ba``) only order what is said. Stating directions
    from them made one stated direction in six false on the quality benchmark: the reverse
    of a good pair, two offers of one service, a word of two meanings, a service merely
    mentioned in a need."""
    ix, iy = int(f.ids[x]), int(f.ids[y])
    dirs = [(ix, iy, st_ab, c_ab, x, y), (iy, ix, st_ba, c_ba, y, x)]
    if c_ba > c_ab:
        dirs.reverse()
    said = [_concept_reason("offers_for_ask" if s.direction else "shared_concept", g, a, s)
            for g, a, s, *_r in dirs if s is not None]
    if said:
        return sorted(said, key=lambda r: r.code != "offers_for_ask")
    if not quoted:
        return []
    for g, a, _s, _c, pg, pa in dirs:
        word = evidence.shared_term(f, pg, pa)
        if word:
            return [Reason("shared_words", {"a": g, "b": a, "word": cut_snippet(word)})]
    return []


def build_reasons(f: Features, a: np.ndarray, b: np.ndarray, parts: dict[str, np.ndarray],
                  swap: np.ndarray, w: Weights) -> list[tuple[Reason, ...]]:
    """Reasons for pairs (a[k], b[k]) (positions); ``parts`` come from the engine's scoring
    of the same pairs in (b, a) order where ``swap`` is True. Everything per pair is read from
    plain lists: the one loop over pairs builds the ``Reason`` objects and nothing else."""
    o = _oriented(parts, swap, w)
    st_ab, st_ba = _stated(f, a, b)
    # The pairs whose texts only a word in common may explain look for it first in the
    # stronger direction (``_text_reasons``): those texts are cleaned in one pass.
    wordy = [k for k, (q, s1, s2) in enumerate(zip(o["quoted"].tolist(), st_ab, st_ba,
                                                   strict=True))
             if q and s1 is None and s2 is None]
    ab_first = o["c_ba"][wordy] <= o["c_ab"][wordy]
    evidence.read_terms(f, np.where(ab_first, a[wordy], b[wordy]).tolist(),
                        np.where(ab_first, b[wordy], a[wordy]).tolist())
    say_pref, say_region = _places(f, a, parts)
    rows = zip(a.tolist(), b.tolist(), f.ids[a].tolist(), f.ids[b].tolist(),
               o["c_ab"].tolist(), o["c_ba"].tolist(), st_ab, st_ba,
               o["quoted"].tolist(),
               o["ind_ab"].tolist(), o["ind_ba"].tolist(), parts["same_ind_flag"].tolist(),
               o["size_ab"].tolist(), o["size_ba"].tolist(), parts["met"].tolist(),
               parts["regulars"].tolist(), parts["welcome"].tolist(),
               (f.level[a] == 3).tolist(), say_pref.tolist(), say_region.tolist(),
               parts["connected"].tolist(), strict=True)
    profiles = f.profiles
    out = []
    for (x, y, ix, iy, c_ab, c_ba, s_ab, s_ba, quoted, ind_ab, ind_ba, same_ind, size_ab, size_ba,
         met, regulars, welcome, x_regular, pref, region, connected) in rows:
        reasons = _text_reasons(f, x, y, c_ab, c_ba, s_ab, s_ba, quoted)
        if ind_ab:
            reasons.append(Reason("fits_target_industry",
                                  {"a": ix, "b": iy, "industry": profiles[y].industry}))
        if ind_ba:
            reasons.append(Reason("fits_target_industry",
                                  {"a": iy, "b": ix, "industry": profiles[x].industry}))
        if same_ind:
            reasons.append(Reason("same_industry_partners",
                                  {"a": ix, "b": iy, "industry": profiles[x].industry}))
        if size_ab:
            reasons.append(Reason("fits_target_size",
                                  {"a": ix, "b": iy, "size": profiles[y].company_size}))
        if size_ba:
            reasons.append(Reason("fits_target_size",
                                  {"a": iy, "b": ix, "size": profiles[x].company_size}))
        if met > 0:
            reasons.append(Reason("met_not_spoken", {"a": ix, "b": iy, "meetups": int(met)}))
        if regulars:
            reasons.append(Reason("regulars", {"a": ix, "b": iy}))
        if welcome:
            regular, newcomer = (ix, iy) if x_regular else (iy, ix)
            reasons.append(Reason("welcome_first_timer", {"a": regular, "b": newcomer}))
        if pref:
            reasons.append(Reason("same_region",
                                  {"a": ix, "b": iy, "prefecture": profiles[x].prefecture}))
        elif region:
            reasons.append(Reason("same_region", {
                "a": ix, "b": iy, "region": PREFECTURE_REGION[profiles[x].prefecture]}))
        if connected:
            reasons.append(Reason("meet_again", {"a": ix, "b": iy}))
        out.append(tuple(reasons))
    return out


def _concept(code: object, language: str) -> str:
    concept = vocabulary.concepts().get(str(code or ""))
    return concept.label(language) if concept else str(code or "")


def _label(table: Mapping, code: object, language: str) -> str:
    label = table.get(str(code or ""))
    return label(language) if label else str(code or "")


def _sentence(code: str, p: Mapping, names: Mapping[int, str], language: str) -> str | None:
    def name(key: str) -> str:
        value = p.get(key)
        found = names.get(value) if value is not None else None
        if found is None and value is not None:
            found = names.get(str(value))  # type: ignore[call-overload]
        return found or gettext("a member")

    a, b = name("a"), name("b")
    if code == "offers_for_ask" and p.get("concept") in vocabulary.concepts():
        return gettext("%(a)s offers “%(offer)s” (%(concept)s), which may help %(b)s with "
                       "“%(ask)s”.", a=a, b=b, offer=p.get("offer", ""), ask=p.get("ask", ""),
                       concept=vocabulary.concepts()[p["concept"]].label(language))
    if code == "offers_for_ask":
        return gettext("%(a)s offers “%(offer)s”, which may help %(b)s with “%(ask)s”.",
                       a=a, b=b, offer=p.get("offer", ""), ask=p.get("ask", ""))
    if code == "shared_concept":
        return gettext("%(a)s's “%(offer)s” and %(b)s's “%(ask)s” are both about "
                       "%(concept)s.", a=a, b=b, offer=p.get("offer", ""),
                       ask=p.get("ask", ""), concept=_concept(p.get("concept"), language))
    if code == "shared_words":
        return gettext("%(a)s and %(b)s both mention “%(word)s”.", a=a, b=b,
                       word=p.get("word", ""))
    if code == "common_ground":
        return gettext("%(a)s's “%(offer)s” and %(b)s's “%(ask)s” touch on the same subject.",
                       a=a, b=b, offer=p.get("offer", ""), ask=p.get("ask", ""))
    if code == "fits_target_industry":
        return gettext("%(b)s works in %(industry)s, an industry %(a)s would like to meet.",
                       a=a, b=b, industry=_label(INDUSTRIES, p.get("industry"), language))
    if code == "fits_target_size":
        return gettext("%(b)s's company size (%(size)s) is one %(a)s is looking for.",
                       a=a, b=b, size=_label(COMPANY_SIZES, p.get("size"), language))
    if code == "same_industry_partners":
        return gettext("%(a)s and %(b)s both work in %(industry)s and welcome partners from "
                       "the same industry.", a=a, b=b,
                       industry=_label(INDUSTRIES, p.get("industry"), language))
    if code == "met_not_spoken":
        return gettext("%(a)s and %(b)s have been at the same meetups (%(count)s times) but "
                       "have not talked yet.", a=a, b=b, count=p.get("meetups", 0))
    if code == "regulars":
        return gettext("%(a)s and %(b)s are both regulars.", a=a, b=b)
    if code == "welcome_first_timer":
        return gettext("%(b)s is new to the meetup, and %(a)s is a regular who can help them "
                       "feel at home.", a=a, b=b)
    if code == "same_region":
        place = (_label(PREFECTURES, p["prefecture"], language) if p.get("prefecture")
                 else _label(REGIONS, p.get("region"), language))
        return gettext("%(a)s and %(b)s are both based in %(place)s.", a=a, b=b, place=place)
    if code == "meet_again":
        return gettext("%(a)s and %(b)s are already connected: a good chance to meet again.",
                       a=a, b=b)
    return None


def render(reasons: Iterable[Reason | dict], names: Mapping[int, str],
           language: str) -> list[str]:
    """Plain sentences in ``language`` ("ja"/"en") for the reasons (unknown codes skipped)."""
    out = []
    with force_locale(language or "ja"):
        for reason in reasons:
            if isinstance(reason, dict):
                code, params = reason.get("code", ""), reason.get("params") or {}
            else:
                code, params = reason.code, reason.params
            sentence = _sentence(str(code), params, names, language or "ja")
            if sentence:
                out.append(sentence)
    return out
