"""Reasons as their reader hears them: "you" for the reader, the other member by name.

The engine's reasons (``reasons.render``) name both members in the third person, which is
right for the organizer's queue and wrong in a message to one of the two: 「山本 翔太さんの…」
in a mail to 山本さん. Here each known reason code has a sentence for either side of it;
a code this module does not know yet is rendered by the engine's own sentences (``fallback``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import force_locale, gettext

from joren.tenants.members import vocabulary
from joren.tenants.members.industries import COMPANY_SIZES, INDUSTRIES, PREFECTURES, REGIONS

Fallback = Callable[[list[Any]], list[str]]


def _label(table: Mapping, code: object, language: str) -> str:
    label = table.get(str(code or ""))
    return label(language) if label else str(code or "")


def _concept(p: Mapping, language: str) -> str | None:
    concept = vocabulary.concepts().get(str(p.get("concept") or ""))
    return concept.label(language) if concept else None


def _place(p: Mapping, language: str) -> str:
    if p.get("prefecture"):
        return _label(PREFECTURES, p["prefecture"], language)
    return _label(REGIONS, p.get("region"), language)


def _pair_sentence(code: str, p: Mapping, other: str, language: str) -> str | None:
    """Sentences that say the same of both sides ("you and ...")."""
    if code == "same_industry_partners":
        return gettext("You and %(other)s both work in %(industry)s and welcome partners from "
                       "the same industry.", other=other,
                       industry=_label(INDUSTRIES, p.get("industry"), language))
    if code == "met_not_spoken":
        return gettext("You and %(other)s have been at the same meetups (%(count)s times) but "
                       "have not talked yet.", other=other, count=p.get("meetups", 0))
    if code == "regulars":
        return gettext("You and %(other)s are both regulars.", other=other)
    if code == "same_region":
        return gettext("You and %(other)s are both based in %(place)s.", other=other,
                       place=_place(p, language))
    if code == "meet_again":
        return gettext("You and %(other)s are already connected: a good chance to meet again.",
                       other=other)
    if code == "shared_words":
        return gettext("You and %(other)s both mention “%(word)s”.", other=other,
                       word=p.get("word", ""))
    return None


def _as_a(code: str, p: Mapping, other: str, language: str) -> str | None:
    """The reader is side ``a`` (the giver, the one looking, the regular)."""
    concept = _concept(p, language)
    if code == "offers_for_ask" and concept:
        return gettext("You offer “%(offer)s” (%(concept)s), which may help %(other)s with "
                       "“%(ask)s”.", other=other, offer=p.get("offer", ""),
                       ask=p.get("ask", ""), concept=concept)
    if code == "offers_for_ask":
        return gettext("You offer “%(offer)s”, which may help %(other)s with “%(ask)s”.",
                       other=other, offer=p.get("offer", ""), ask=p.get("ask", ""))
    if code == "shared_concept" and concept:
        return gettext("Your “%(offer)s” and %(other)s's “%(ask)s” are both about "
                       "%(concept)s.", other=other, offer=p.get("offer", ""),
                       ask=p.get("ask", ""), concept=concept)
    if code == "common_ground":
        return gettext("Your “%(offer)s” and %(other)s's “%(ask)s” touch on the same "
                       "subject.", other=other, offer=p.get("offer", ""), ask=p.get("ask", ""))
    if code == "fits_target_industry":
        return gettext("%(other)s works in %(industry)s, an industry you would like to meet.",
                       other=other, industry=_label(INDUSTRIES, p.get("industry"), language))
    if code == "fits_target_size":
        return gettext("%(other)s's company size (%(size)s) is one you are looking for.",
                       other=other, size=_label(COMPANY_SIZES, p.get("size"), language))
    if code == "welcome_first_timer":
        return gettext("%(other)s is new to the meetup, and you are a regular who can help "
                       "them feel at home.", other=other)
    return _pair_sentence(code, p, other, language)


def _as_b(code: str, p: Mapping, other: str, language: str) -> str | None:
    """The reader is side ``b`` (the one helped, the one looked for, the newcomer)."""
    concept = _concept(p, language)
    if code == "offers_for_ask" and concept:
        return gettext("%(other)s offers “%(offer)s” (%(concept)s), which may help you with "
                       "“%(ask)s”.", other=other, offer=p.get("offer", ""),
                       ask=p.get("ask", ""), concept=concept)
    if code == "offers_for_ask":
        return gettext("%(other)s offers “%(offer)s”, which may help you with “%(ask)s”.",
                       other=other, offer=p.get("offer", ""), ask=p.get("ask", ""))
    if code == "shared_concept" and concept:
        return gettext("%(other)s's “%(offer)s” and your “%(ask)s” are both about "
                       "%(concept)s.", other=other, offer=p.get("offer", ""),
                       ask=p.get("ask", ""), concept=concept)
    if code == "common_ground":
        return gettext("%(other)s's “%(offer)s” and your “%(ask)s” touch on the same "
                       "subject.", other=other, offer=p.get("offer", ""), ask=p.get("ask", ""))
    if code == "fits_target_industry":
        return gettext("You work in %(industry)s, an industry %(other)s would like to meet.",
                       other=other, industry=_label(INDUSTRIES, p.get("industry"), language))
    if code == "fits_target_size":
        return gettext("Your company size (%(size)s) is one %(other)s is looking for.",
                       other=other, size=_label(COMPANY_SIZES, p.get("size"), language))
    if code == "welcome_first_timer":
        return gettext("You are new to the meetup, and %(other)s is a regular who can help "
                       "you feel at home.", other=other)
    return _pair_sentence(code, p, other, language)


def _side(value: Any, reader_id: int) -> bool:
    return value is not None and str(value) == str(reader_id)


def render_for_reader(reasons: Iterable[Any], reader_id: int, names: Mapping[int, str],
                      language: str, fallback: Fallback) -> list[str]:
    """Sentences in ``language`` for a reader who is one of the pair: "you" for them, the
    other member by name. Reasons about neither side as "a"/"b", or with a code this module
    does not know, are left to ``fallback`` (the engine's third-person sentences)."""
    out: list[str] = []
    with force_locale(language or "ja"):
        for reason in reasons:
            code, params = _parts(reason)
            a, b = params.get("a"), params.get("b")
            sentence = None
            if _side(a, reader_id) or _side(b, reader_id):
                other_id = b if _side(a, reader_id) else a
                other = _name(names, other_id)
                write = _as_a if _side(a, reader_id) else _as_b
                sentence = write(code, params, other, language or "ja")
            if sentence is None:
                out.extend(fallback([reason]))
            else:
                out.append(sentence)
    return out


def _parts(reason: Any) -> tuple[str, Mapping]:
    if isinstance(reason, Mapping):
        return str(reason.get("code", "")), reason.get("params") or {}
    return str(reason.code), reason.params


def _name(names: Mapping[int, str], member_id: Any) -> str:
    found = names.get(member_id) if member_id is not None else None
    if found is None and member_id is not None:
        found = names.get(str(member_id))  # type: ignore[call-overload]
        if found is None and str(member_id).isdigit():
            found = names.get(int(member_id))
    return found or gettext("a member")
