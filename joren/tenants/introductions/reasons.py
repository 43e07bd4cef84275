"""Why a pair was suggested: building the reasons (engine side, batched) and rendering them as
plain sentences in the reader's language (Flask-Babel; needs an app context).

A reason is ``{"code": ..., "params": {...}}``; member ids are under ``"a"``/``"b"``; text
snippets are the members' own words, cut short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from flask_babel import force_locale, gettext

from joren.tenants.introductions import semantics
from joren.tenants.introductions import text as textmod
from joren.tenants.introductions.candidates import rowdot
from joren.tenants.introductions.features import Features, Reason, Weights
from joren.tenants.members import vocabulary
from joren.tenants.members.industries import (
    COMPANY_SIZES,
    INDUSTRIES,
    PREFECTURE_REGION,
    PREFECTURES,
    REGIONS,
)

DIRECTION_RATIO = 0.5  # the weaker text direction is stated from this share of the stronger
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


def _member_lines(f: Features, members: np.ndarray, side: str
                  ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The sentences of each member's ``side`` ("offers" or "asks"), flattened: (lines, index
    of each member's first line, how many). A member without any has one empty line."""
    fields: list[str] = []
    owner: list[int] = []
    for k, m in enumerate(members.tolist()):
        texts = getattr(f.profiles[m], side)
        fields.extend(texts)
        owner.extend([k] * len(texts))
    lines, field_of = textmod.sentence_table(fields)
    line_owner = np.asarray(owner, np.int64)[field_of]
    counts = np.bincount(line_owner, minlength=len(members))
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    bare = np.flatnonzero(counts == 0)
    starts[bare] = len(lines) + np.arange(len(bare))
    counts[bare] = 1
    return lines + [""] * len(bare), starts, counts


def _snippets(f: Features, givers: np.ndarray, askers: np.ndarray) -> list[tuple[str, str]]:
    """For each direction (giver position, asker position): the giver's offer line and the
    asker's ask sentence that match best (ties: the earlier pair of lines). Each member's
    sentences are cut and vectorised once, all directions are scored in one chunked row-dot."""
    if not len(givers):
        return []
    _offer, _ask, model = f.text()
    members_g, g_of = np.unique(givers, return_inverse=True)
    members_a, a_of = np.unique(askers, return_inverse=True)
    flat_g, g_start, g_count = _member_lines(f, members_g, "offers")
    flat_a, a_start, a_count = _member_lines(f, members_a, "asks")
    gv, av = model.transform(flat_g), model.transform(flat_a)
    ng, na = g_count[g_of], a_count[a_of]
    combos = ng * na
    d = np.repeat(np.arange(len(givers)), combos)
    t = np.arange(combos.sum()) - np.repeat(np.cumsum(combos) - combos, combos)
    gi = g_start[g_of][d] + t // na[d]
    ai = a_start[a_of][d] + t % na[d]
    vals = rowdot(gv, av, gi, ai)
    order = np.lexsort((np.arange(len(d)), -vals, d))
    first = order[np.r_[0, np.flatnonzero(d[order][1:] != d[order][:-1]) + 1]]
    cut_g: dict[int, str] = {}
    cut_a: dict[int, str] = {}
    out = []
    for x, y in zip(gi[first].tolist(), ai[first].tolist(), strict=True):
        if x not in cut_g:
            cut_g[x] = cut_snippet(flat_g[x])
        if y not in cut_a:
            cut_a[y] = cut_snippet(flat_a[y])
        out.append((cut_g[x], cut_a[y]))
    return out


def _sentence_with(line: str, side: str, code: str) -> str:
    """The first sentence of ``line`` that names the concept (the line if none does)."""
    for sentence in textmod.sentences(line):
        if vocabulary.evidence(sentence, side, code):
            return sentence
    return line


def _concept_snippets(f: Features, givers: np.ndarray, askers: np.ndarray,
                      found: list[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Where a direction rests on a concept of the vocabulary (the giver offers it, the
    asker needs it), the words that say so on each side and the concept's code: the reason
    then reads "A offers 記帳代行 (bookkeeping), which may help B with 請求書の処理" even when
    the two share no word. A side that only picked the concept shows its label."""
    best = semantics.best_concepts(f.meaning(), givers, askers)
    codes = vocabulary.codes()
    out: list[tuple[str, ...]] = list(found)
    for k in np.flatnonzero(best >= 0).tolist():
        code = codes[int(best[k])]
        giver, asker = f.profiles[int(givers[k])], f.profiles[int(askers[k])]
        offer = _sentence_with(vocabulary.evidence("\n".join(giver.offers), "offer", code),
                               "offer", code)
        ask = _sentence_with(vocabulary.evidence("\n".join(asker.asks), "need", code),
                             "need", code)
        label = vocabulary.concepts()[code].label("ja")
        out[k] = (cut_snippet(offer or label), cut_snippet(ask or label), code)
    return out


_STRUCTURED = ("ind_ij", "ind_ji", "size_ij", "size_ji", "same_ind_flag", "regulars",
               "welcome", "connected")


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


def explained(f: Features, i: np.ndarray, parts: dict[str, np.ndarray],
              w: Weights) -> np.ndarray:
    """Pairs that carry at least one reason (``build_reasons`` would say something): text in
    common from ``text_common`` on, or any other part said (fit, place, engagement, meetups
    together). A pair explained by nothing is not suggested: its sentence would be made up."""
    out = np.maximum(parts["c1"], parts["c2"]) >= w.text_common
    for key in _STRUCTURED:
        out = out | parts[key].astype(bool)
    say_pref, say_region = _places(f, i, parts)
    return out | say_pref | say_region | (parts["met"] > 0)


def _oriented(parts: dict[str, np.ndarray], swap: np.ndarray,
              w: Weights) -> dict[str, np.ndarray]:
    """The scoring parts in (a, b) order, and which text directions are quoted
    (``give_ab``/``give_ba``): from ``text_common`` on, and the weaker one only when nearly as
    strong as the other (a good pair's reverse direction is usually the echo of the one that
    holds: its words shared back). ``_text_reasons`` then states a quoted direction only from
    ``text_reason`` on."""
    o = {
        "c_ab": np.where(swap, parts["c2"], parts["c1"]),
        "c_ba": np.where(swap, parts["c1"], parts["c2"]),
        "ind_ab": np.where(swap, parts["ind_ji"], parts["ind_ij"]),
        "ind_ba": np.where(swap, parts["ind_ij"], parts["ind_ji"]),
        "size_ab": np.where(swap, parts["size_ji"], parts["size_ij"]),
        "size_ba": np.where(swap, parts["size_ij"], parts["size_ji"]),
    }
    strong = np.maximum(o["c_ab"], o["c_ba"]) * DIRECTION_RATIO
    o["give_ab"] = (o["c_ab"] >= w.text_common) & (o["c_ab"] >= strong)
    o["give_ba"] = (o["c_ba"] >= w.text_common) & (o["c_ba"] >= strong)
    return o


def _direction_snippets(f: Features, a: np.ndarray, b: np.ndarray, o: dict[str, np.ndarray]
                        ) -> tuple[list[Any], list[Any]]:
    """For each pair, the (offer, ask) snippets of its a→b and b→a directions where they are
    given as reasons (None where not); a direction shared by two pairs is matched once."""
    ab, ba = np.flatnonzero(o["give_ab"]), np.flatnonzero(o["give_ba"])
    givers, askers = np.r_[a[ab], b[ba]], np.r_[b[ab], a[ba]]
    keys, at = np.unique(givers * len(f) + askers, return_inverse=True)
    found = _concept_snippets(f, keys // len(f), keys % len(f),
                              _snippets(f, keys // len(f), keys % len(f)))
    snip_ab: list[Any] = [None] * len(a)
    snip_ba: list[Any] = [None] * len(a)
    for k, u in zip(ab.tolist(), at[:len(ab)].tolist(), strict=True):
        snip_ab[k] = found[u]
    for k, u in zip(ba.tolist(), at[len(ab):].tolist(), strict=True):
        snip_ba[k] = found[u]
    return snip_ab, snip_ba


def _text_reasons(ix: int, iy: int, c_ab: float, c_ba: float, snip_ab: Any, snip_ba: Any,
                  side_min: float) -> list[Reason]:
    """The quoted text directions from ``side_min`` on, stated ("A's offer may help with B's
    need"), the stronger first (a tie: a→b first). When none is that strong, only that the
    two texts touch on the same subject (the stronger one's lines), which is true of any
    two texts sharing words.

    Calibrated on the quality benchmark (tests/perf/test_matching_quality_perf.py prints the
    table). Stating any direction from a cosine of 0 when nothing else explained the pair,
    and the reverse direction of a good pair (the echo of its words), made 20–35% of good
    pairs carry a false sentence; without them, 10% at ``text_reason`` 0.1 (2% at 0.3, where
    a true direction between two short profiles, 0.1, would no longer be stated). What stays
    false comes from generic words, which no threshold on this cosine separates (two
    generic sentences score 1.0): the specificity of words removes it."""
    dirs = [(ix, iy, snip_ab, c_ab), (iy, ix, snip_ba, c_ba)]
    if c_ba > c_ab:
        dirs.reverse()
    quoted = [(g, a, s) for g, a, s, _c in dirs if s is not None]
    stated = [Reason("offers_for_ask", {"a": g, "b": a, "offer": s[0], "ask": s[1],
                                        **({"concept": s[2]} if len(s) > 2 else {})})
              for g, a, s, c in dirs if s is not None and c >= side_min]
    if stated or not quoted:
        return stated
    g, a, s = quoted[0]
    return [Reason("common_ground", {"a": g, "b": a, "offer": s[0], "ask": s[1]})]


def build_reasons(f: Features, a: np.ndarray, b: np.ndarray, parts: dict[str, np.ndarray],
                  swap: np.ndarray, w: Weights) -> list[tuple[Reason, ...]]:
    """Reasons for pairs (a[k], b[k]) (positions); ``parts`` come from the engine's scoring
    of the same pairs in (b, a) order where ``swap`` is True. Everything per pair is read from
    plain lists: the one loop over pairs builds the ``Reason`` objects and nothing else."""
    o = _oriented(parts, swap, w)
    snip_ab, snip_ba = _direction_snippets(f, a, b, o)
    say_pref, say_region = _places(f, a, parts)
    rows = zip(a.tolist(), b.tolist(), f.ids[a].tolist(), f.ids[b].tolist(),
               o["c_ab"].tolist(), o["c_ba"].tolist(), snip_ab, snip_ba,
               o["ind_ab"].tolist(), o["ind_ba"].tolist(), parts["same_ind_flag"].tolist(),
               o["size_ab"].tolist(), o["size_ba"].tolist(), parts["met"].tolist(),
               parts["regulars"].tolist(), parts["welcome"].tolist(),
               (f.level[a] == 3).tolist(), say_pref.tolist(), say_region.tolist(),
               parts["connected"].tolist(), strict=True)
    profiles = f.profiles
    out = []
    for (x, y, ix, iy, c_ab, c_ba, s_ab, s_ba, ind_ab, ind_ba, same_ind, size_ab, size_ba,
         met, regulars, welcome, x_regular, pref, region, connected) in rows:
        reasons = _text_reasons(ix, iy, c_ab, c_ba, s_ab, s_ba, w.text_reason)
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
