"""What a habit email shows of another member: only what they show to members.

A profile has four privacy groups (``members.profiles.FIELD_GROUPS``); an email is read by a
member, so only groups the other member shows to members appear (whatever the reader's role),
never contact details. The matching engine's reasons quote profile text and fields, so each
reason is kept only when everything it reveals about the other member is visible too: an
offer or ask snippet must come from a field the member shows, an industry, size or region
needs their work details shown, a target picture needs their give/ask shown. Reasons built
from attendance alone (regulars, met but not spoken, ...) are always kept; unknown kinds of
reason are dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from joren.platform.identity.community import Community
from joren.platform.membership.models import Member, MemberStatus, ProfileVisibility
from joren.platform.urls import external_url
from joren.tenants.members.industries import INDUSTRIES

ATTENDANCE_REASONS = frozenset({"met_not_spoken", "regulars", "welcome_first_timer",
                                "meet_again"})
WORK_REASONS = frozenset({"same_industry_partners", "same_region"})
TARGET_REASONS = frozenset({"fits_target_industry", "fits_target_size"})


@dataclass
class Person:
    """What an email shows of another member: only the fields they show to members."""

    member_id: int
    name: Any  # str, or a lazily translated "A member"
    company: str = ""
    title: str = ""
    industry: str = ""
    offers: tuple[str, ...] = ()
    reasons: list[str] = field(default_factory=list)
    why: tuple[Any, ...] = ()  # WHY_LABELS, lazily translated
    log_url: str = ""
    profile_url: str = ""


def public_name(member: Member) -> str:
    """The member's name; never the email address (contact details are not shown here)."""
    name = f"{member.family_name} {member.given_name}".strip()
    if not name and member.account is not None:
        name = member.account.display_name or ""
    return name or member.reading


def person(member: Member, language: str, community: Community) -> Person:
    card = Person(member_id=member.id, name=public_name(member) or _l("A member"),
                  profile_url=external_url("community.profiles.show", slug=community.slug,
                                           member_id=member.id))
    if member.work_visibility == ProfileVisibility.MEMBERS:
        card.company, card.title = member.company, member.title
        label = INDUSTRIES.get(member.industry_code)
        card.industry = label(language) if label is not None else ""
    if member.give_ask_visibility == ProfileVisibility.MEMBERS:
        card.offers = tuple(o for o in (member.offer_1, member.offer_2, member.offer_3) if o)
    return card


def _shows(member: Member, column: str) -> bool:
    return getattr(member, column) == ProfileVisibility.MEMBERS


def _flat(text: str) -> str:
    return " ".join((text or "").split())


def _quoted_from(snippet: str, texts: Iterable[str]) -> bool:
    """Whether the engine's snippet (maybe cut short with "…") comes from one of ``texts``."""
    quoted = _flat(snippet).rstrip("…").strip()
    return bool(quoted) and any(quoted in _flat(t) for t in texts if t)


def _mentions(word: str, texts: Iterable[str]) -> bool:
    """Whether ``word`` (as the engine normalised it: NFKC, lower case) is in one of
    ``texts``."""
    word = unicodedata.normalize("NFKC", word).lower().rstrip("…").strip()
    return bool(word) and any(word in unicodedata.normalize("NFKC", t).lower()
                              for t in texts if t)


def _visible_offers(member: Member) -> list[str]:
    texts = [member.offer_1, member.offer_2, member.offer_3] if _shows(
        member, "give_ask_visibility") else []
    if _shows(member, "work_visibility"):
        texts.append(member.business_description)
    return texts


def _visible_asks(member: Member) -> list[str]:
    texts = [member.ask_description] if _shows(member, "give_ask_visibility") else []
    if _shows(member, "goals_visibility"):
        texts += [member.challenges, member.goal_meetup, member.goal_midterm, member.goal_year]
    return texts


def _params(reason: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(reason, dict):
        return str(reason.get("code", "")), dict(reason.get("params") or {})
    return str(reason.code), dict(reason.params)


def shown_reasons(reasons: Iterable[Any], other: Member) -> list[Any]:
    """The reasons that reveal nothing about ``other`` they do not show to members."""
    kept = []
    for reason in reasons:
        code, p = _params(reason)
        is_a, is_b = p.get("a") == other.id, p.get("b") == other.id
        if code in ATTENDANCE_REASONS:
            ok = True
        elif code in ("offers_for_ask", "shared_concept"):
            ok = ((not is_a or _quoted_from(str(p.get("offer", "")), _visible_offers(other)))
                  and (not is_b or _quoted_from(str(p.get("ask", "")), _visible_asks(other))))
        elif code == "shared_words":  # the word is in a's offers and in b's asks
            word = str(p.get("word", ""))
            ok = ((not is_a or _mentions(word, _visible_offers(other)))
                  and (not is_b or _mentions(word, _visible_asks(other))))
        elif code in TARGET_REASONS:  # a looks for what b is
            ok = ((not is_a or _shows(other, "give_ask_visibility"))
                  and (not is_b or _shows(other, "work_visibility")))
        elif code in WORK_REASONS:
            ok = _shows(other, "work_visibility")
        else:
            ok = False
        if ok:
            kept.append(reason)
    return kept


def reachable(member: Member) -> bool:
    return bool(member.email) and member.status != MemberStatus.INACTIVE
