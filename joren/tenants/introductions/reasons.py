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

from joren.tenants.introductions import text as textmod
from joren.tenants.introductions.candidates import rowdot
from joren.tenants.introductions.features import Features, Reason, Weights
from joren.tenants.members.industries import (
    COMPANY_SIZES,
    INDUSTRIES,
    PREFECTURE_REGION,
    PREFECTURES,
    REGIONS,
)

SNIPPET = 40


def _lines(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        out.extend(textmod.sentences(t))
    return out


def _snippets(f: Features, directions: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """For each (giver position, asker position): the giver's offer line and the asker's ask
    sentence that match best (batched: one vectorisation, one chunked row-dot)."""
    if not directions:
        return []
    _offer, _ask, model = f.text()
    givers = sorted({g for g, _ in directions})
    askers = sorted({a for _, a in directions})
    g_lines = {g: _lines(f.profiles[g].offers) or [""] for g in givers}
    a_lines = {a: _lines(f.profiles[a].asks) or [""] for a in askers}
    g_start, flat_g = {}, []
    for g in givers:
        g_start[g] = len(flat_g)
        flat_g.extend(g_lines[g])
    a_start, flat_a = {}, []
    for a in askers:
        a_start[a] = len(flat_a)
        flat_a.extend(a_lines[a])
    gv, av = model.transform(flat_g), model.transform(flat_a)
    ng = np.array([len(g_lines[g]) for g, _ in directions])
    na = np.array([len(a_lines[a]) for _, a in directions])
    gs = np.array([g_start[g] for g, _ in directions])
    as_ = np.array([a_start[a] for _, a in directions])
    combos = ng * na
    d = np.repeat(np.arange(len(directions)), combos)
    t = np.arange(combos.sum()) - np.repeat(np.cumsum(combos) - combos, combos)
    gi = gs[d] + t // na[d]
    ai = as_[d] + t % na[d]
    vals = rowdot(gv, av, gi, ai)
    order = np.lexsort((np.arange(len(d)), -vals, d))
    first = order[np.r_[0, np.flatnonzero(d[order][1:] != d[order][:-1]) + 1]]
    return [(textmod.snippet(flat_g[gi[k]], SNIPPET), textmod.snippet(flat_a[ai[k]], SNIPPET))
            for k in first]


def _oriented(parts: dict[str, np.ndarray], swap: np.ndarray,
              w: Weights) -> dict[str, np.ndarray]:
    """The scoring parts in (a, b) order, and which text directions are given as reasons.

    A direction is given as a reason from ``text_reason`` on; the stronger direction also
    when nothing else explains the pair (every suggestion carries at least one reason)."""
    o = {
        "c_ab": np.where(swap, parts["c2"], parts["c1"]),
        "c_ba": np.where(swap, parts["c1"], parts["c2"]),
        "ind_ab": np.where(swap, parts["ind_ji"], parts["ind_ij"]),
        "ind_ba": np.where(swap, parts["ind_ij"], parts["ind_ji"]),
        "size_ab": np.where(swap, parts["size_ji"], parts["size_ij"]),
        "size_ba": np.where(swap, parts["size_ij"], parts["size_ji"]),
    }
    other = np.zeros(len(swap), bool)
    for key in ("ind_ij", "ind_ji", "size_ij", "size_ji", "same_ind_flag", "regulars",
                "welcome", "same_pref", "same_region", "connected"):
        other |= parts[key].astype(bool)
    other |= parts["met"] > 0
    c_ab, c_ba = o["c_ab"], o["c_ba"]
    floor_ab = np.where(~other & (c_ab >= c_ba) & (c_ab > 0), 0.0, w.text_reason)
    floor_ba = np.where(~other & (c_ba > c_ab) & (c_ba > 0), 0.0, w.text_reason)
    o["give_ab"] = (c_ab >= floor_ab) & (c_ab > 0)
    o["give_ba"] = (c_ba >= floor_ba) & (c_ba > 0)
    return o


def _direction_snippets(f: Features, a: np.ndarray, b: np.ndarray, o: dict[str, np.ndarray]
                        ) -> dict[tuple[int, int], tuple[str, str]]:
    """(offer, ask) snippets of every text direction given as a reason, by (giver, asker)."""
    directions: list[tuple[int, int]] = []
    for k in range(len(a)):
        if o["give_ab"][k]:
            directions.append((int(a[k]), int(b[k])))
        if o["give_ba"][k]:
            directions.append((int(b[k]), int(a[k])))
    return dict(zip(directions, _snippets(f, directions), strict=True))


def _pair_reasons(f: Features, k: int, x: int, y: int, o: dict[str, np.ndarray],
                  parts: dict[str, np.ndarray], snippets: Mapping[tuple[int, int], Any],
                  common: tuple[np.ndarray, np.ndarray]) -> tuple[Reason, ...]:
    """The reasons of pair ``k`` (positions x, y), in the order they are shown."""
    ids, profiles = f.ids, f.profiles
    ix, iy = int(ids[x]), int(ids[y])
    reasons = []
    text_dirs = sorted(((o["c_ab"][k], o["give_ab"][k], x, y),
                        (o["c_ba"][k], o["give_ba"][k], y, x)), key=lambda r: -r[0])
    for _c, give, giver, asker in text_dirs:
        if give:
            offer, ask = snippets[(giver, asker)]
            reasons.append(Reason("offers_for_ask", {
                "a": int(ids[giver]), "b": int(ids[asker]), "offer": offer, "ask": ask}))
    for fits, s, t in ((o["ind_ab"][k], x, y), (o["ind_ba"][k], y, x)):
        if fits:
            reasons.append(Reason("fits_target_industry", {
                "a": int(ids[s]), "b": int(ids[t]), "industry": profiles[t].industry}))
    if parts["same_ind_flag"][k]:
        reasons.append(Reason("same_industry_partners",
                              {"a": ix, "b": iy, "industry": profiles[x].industry}))
    for fits, s, t in ((o["size_ab"][k], x, y), (o["size_ba"][k], y, x)):
        if fits:
            reasons.append(Reason("fits_target_size", {
                "a": int(ids[s]), "b": int(ids[t]), "size": profiles[t].company_size}))
    if parts["met"][k] > 0:
        reasons.append(Reason("met_not_spoken",
                              {"a": ix, "b": iy, "meetups": int(parts["met"][k])}))
    if parts["regulars"][k]:
        reasons.append(Reason("regulars", {"a": ix, "b": iy}))
    if parts["welcome"][k]:
        regular, newcomer = (ix, iy) if f.level[x] == 3 else (iy, ix)
        reasons.append(Reason("welcome_first_timer", {"a": regular, "b": newcomer}))
    common_pref, common_region = common
    if parts["same_pref"][k] and not common_pref[f.prefecture[x]]:
        reasons.append(Reason("same_region",
                              {"a": ix, "b": iy, "prefecture": profiles[x].prefecture}))
    elif parts["same_region"][k] and not common_region[f.region[x]]:
        reasons.append(Reason("same_region", {
            "a": ix, "b": iy, "region": PREFECTURE_REGION[profiles[x].prefecture]}))
    if parts["connected"][k]:
        reasons.append(Reason("meet_again", {"a": ix, "b": iy}))
    return tuple(reasons)


def build_reasons(f: Features, a: np.ndarray, b: np.ndarray, parts: dict[str, np.ndarray],
                  swap: np.ndarray, w: Weights) -> list[tuple[Reason, ...]]:
    """Reasons for pairs (a[k], b[k]) (positions); ``parts`` come from the engine's scoring
    of the same pairs in (b, a) order where ``swap`` is True."""
    o = _oriented(parts, swap, w)
    snippets = _direction_snippets(f, a, b, o)
    # Where most of the community shares a prefecture (or region block), saying so explains
    # nothing: the bonus still counts, the sentence is left out.
    members = max(int(f.eligible.sum()), 1)
    common = (np.bincount(f.prefecture[f.eligible], minlength=48) * 2 > members,
              np.bincount(f.region[f.eligible], minlength=16) * 2 > members)
    return [_pair_reasons(f, k, int(a[k]), int(b[k]), o, parts, snippets, common)
            for k in range(len(a))]


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
    if code == "offers_for_ask":
        return gettext("%(a)s offers “%(offer)s”, which may help %(b)s with “%(ask)s”.",
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
