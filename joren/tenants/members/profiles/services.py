"""Member profiles: validating and saving edits, who sees which field group, the directory."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from joren.platform.membership.models import Member, MemberStatus, ProfileVisibility
from joren.platform.names import romaji_search_key, search_terms, to_katakana
from joren.platform.pagination import Page
from joren.tenants.members import vocabulary
from joren.tenants.members.industries import (
    COMPANY_SIZES,
    INDUSTRIES,
    PREFECTURES,
    industry_codes_matching,
)
from joren.tenants.members.services import can_edit_profile, reading_order
from joren.tenants.members.signals import MemberLevels, profile_changed

DIRECTORY_PER_PAGE = 30
MAX_OFFERS = 3

# Single-line text fields and their longest allowed value.
LINE_FIELDS = {
    "family_name": 60, "given_name": 60, "family_name_kana": 60, "given_name_kana": 60,
    "company": 120, "department": 80, "title": 80,
}
# Multi-line free text.
TEXT_FIELDS = {
    "business_description": 1000, "ask_description": 1000, "challenges": 1000,
    "goal_meetup": 500, "goal_midterm": 500, "goal_year": 500,
}
OFFER_LENGTH = 200
WEBSITE_LENGTH = 300
CHOICE_FIELDS = {"industry_code": INDUSTRIES, "company_size": COMPANY_SIZES,
                 "prefecture": PREFECTURES}
FLAG_FIELDS = ("seeks_same_industry", "accepts_introductions")
CONCEPT_FIELDS = ("offer_concepts", "need_concepts")
VISIBILITY_FIELDS = {"contact": "contact_visibility", "work": "work_visibility",
                     "give_ask": "give_ask_visibility", "goals": "goals_visibility"}

# Which fields each privacy group hides from other members.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "contact": ("email", "website"),
    "work": ("company", "department", "title", "industry_code", "business_description",
             "company_size", "prefecture", "seeks_same_industry"),
    "give_ask": ("offers", "ask_industries", "ask_company_sizes", "ask_description",
                 "offer_concepts", "need_concepts"),
    "goals": ("challenges", "goal_meetup", "goal_midterm", "goal_year"),
}


class ProfileInvalid(ValueError):
    """Some values were refused; ``errors`` maps a field to (code, parameters)."""

    def __init__(self, errors: dict[str, tuple[str, dict[str, Any]]]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


class ProfileForbidden(PermissionError):
    """The actor may not edit this member's profile."""


# -- editing -------------------------------------------------------------------------------

def may_edit(actor: Member, member: Member) -> bool:
    """Members edit their own profile; organizers edit guests' rows and unclaimed rows."""
    if actor.status == MemberStatus.INACTIVE:
        return False
    return actor.id == member.id or can_edit_profile(actor, member)


def _line(value: Any) -> str:
    return " ".join(str(value or "").split())


def _text(value: Any) -> str:
    lines = str(value or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def is_valid_website(url: str) -> bool:
    """An absolute http(s) address with a dotted host and no spaces."""
    if not url or any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and "." in host and not host.endswith(".")


def _codes(values: Any, allowed: dict[str, Any], name: str,
           errors: dict[str, tuple[str, dict[str, Any]]]) -> str:
    codes = [str(v).strip() for v in (values or []) if str(v).strip()]
    if any(code not in allowed for code in codes):
        errors[name] = ("unknown_choice", {})
        return ""
    return ",".join(dict.fromkeys(codes))


def _concepts(values: Any, name: str, errors: dict[str, tuple[str, dict[str, Any]]]) -> str:
    """Picked vocabulary concepts: known, specific ones, at most ``vocabulary.MAX_PICKS``."""
    allowed = {code for code, concept in vocabulary.concepts().items() if not concept.generic}
    codes = list(dict.fromkeys(str(v).strip() for v in (values or []) if str(v).strip()))
    if any(code not in allowed for code in codes):
        errors[name] = ("unknown_choice", {})
        return ""
    if len(codes) > vocabulary.MAX_PICKS:
        errors[name] = ("too_many_concepts", {"max": vocabulary.MAX_PICKS})
        return ""
    return ",".join(codes)


def clean_profile(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check every submitted value; raise ProfileInvalid listing all problems."""
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    clean: dict[str, Any] = {}
    for name, limit in {**LINE_FIELDS, **TEXT_FIELDS}.items():
        if name not in data:
            continue
        value = _line(data[name]) if name in LINE_FIELDS else _text(data[name])
        if name.endswith("_kana"):
            value = to_katakana(value)
        if len(value) > limit:
            errors[name] = ("too_long", {"max": limit})
        clean[name] = value
    for name, allowed in CHOICE_FIELDS.items():
        if name in data:
            value = str(data[name] or "").strip()
            if value and value not in allowed:
                errors[name] = ("unknown_choice", {})
            clean[name] = value
    if "website" in data:
        website = str(data["website"] or "").strip()
        if len(website) > WEBSITE_LENGTH:
            errors["website"] = ("too_long", {"max": WEBSITE_LENGTH})
        elif website and not is_valid_website(website):
            errors["website"] = ("bad_url", {})
        clean["website"] = website
    if "offers" in data:
        offers = [_line(v) for v in data["offers"] or [] if _line(v)]
        if len(offers) > MAX_OFFERS:
            errors["offers"] = ("too_many_offers", {"max": MAX_OFFERS})
        elif any(len(offer) > OFFER_LENGTH for offer in offers):
            errors["offers"] = ("too_long", {"max": OFFER_LENGTH})
        offers += [""] * (MAX_OFFERS - len(offers))
        clean.update(offer_1=offers[0], offer_2=offers[1], offer_3=offers[2])
    if "ask_industries" in data:
        clean["ask_industries"] = _codes(data["ask_industries"], INDUSTRIES, "ask_industries",
                                         errors)
    if "ask_company_sizes" in data:
        clean["ask_company_sizes"] = _codes(data["ask_company_sizes"], COMPANY_SIZES,
                                            "ask_company_sizes", errors)
    for name in CONCEPT_FIELDS:
        if name in data:
            clean[name] = _concepts(data[name], name, errors)
    for name in FLAG_FIELDS:
        if name in data:
            clean[name] = bool(data[name])
    for column in VISIBILITY_FIELDS.values():
        if column in data:
            try:
                clean[column] = ProfileVisibility(data[column])
            except ValueError:
                errors[column] = ("unknown_choice", {})
    if errors:
        raise ProfileInvalid(errors)
    return clean


def update_member_profile(session: Session, actor: Member, member: Member,
                          data: dict[str, Any]) -> Member:
    """Check every value, then save them all (or nothing); the romaji search key follows
    the readings."""
    if not may_edit(actor, member):
        raise ProfileForbidden()
    clean = clean_profile(data)
    changed = frozenset(name for name, value in clean.items() if getattr(member, name) != value)
    for name, value in clean.items():
        setattr(member, name, value)
    member.name_romaji = romaji_search_key(member.family_name_kana, member.given_name_kana)
    session.flush()
    if changed:
        profile_changed.send(session, tenant_id=member.tenant_id, member_id=member.id,
                             fields=changed)
    return member


# -- reading -------------------------------------------------------------------------------

def visible_groups(viewer: Member, member: Member, own: bool = True) -> frozenset[str]:
    """The field groups ``viewer`` may see on ``member``'s profile (with ``own`` False, the
    viewer's own profile as other members see it)."""
    if (own and viewer.id == member.id) or viewer.is_organizer:
        return frozenset(FIELD_GROUPS)
    return frozenset(group for group, column in VISIBILITY_FIELDS.items()
                     if getattr(member, column) == ProfileVisibility.MEMBERS)


@dataclass(frozen=True)
class ProfileView:
    """What one viewer may see of one member: hidden groups are simply absent, so a page
    built from this cannot leak them."""

    member_id: int
    display_name: str
    reading: str
    groups: frozenset[str]
    email: str = ""
    website: str = ""
    company: str = ""
    department: str = ""
    title: str = ""
    industry_code: str = ""
    business_description: str = ""
    company_size: str = ""
    prefecture: str = ""
    seeks_same_industry: bool = False
    offers: tuple[str, ...] = ()
    ask_industries: tuple[str, ...] = ()
    ask_company_sizes: tuple[str, ...] = ()
    offer_concepts: tuple[str, ...] = ()
    need_concepts: tuple[str, ...] = ()
    ask_description: str = ""
    challenges: str = ""
    goal_meetup: str = ""
    goal_midterm: str = ""
    goal_year: str = ""
    accepts_introductions: bool = False


def _field_value(member: Member, name: str) -> Any:
    if name == "email":
        return member.email or ""
    if name == "offers":
        return tuple(o for o in (member.offer_1, member.offer_2, member.offer_3) if o)
    if name in ("ask_industries", "ask_company_sizes"):
        return tuple(code for code in getattr(member, name).split(",") if code)
    if name in CONCEPT_FIELDS:
        return vocabulary.parse_picks(getattr(member, name))
    return getattr(member, name)


def _public_name(member: Member, groups: frozenset[str]) -> str:
    """The member's name; never the email address unless contact details are visible."""
    name = f"{member.family_name} {member.given_name}".strip()
    if not name and member.account is not None:
        name = member.account.display_name or ""
    if not name and "contact" in groups:
        name = member.email or ""
    return name


def profile_view(viewer: Member, member: Member, own: bool = True) -> ProfileView:
    """The profile of ``member`` as ``viewer`` may see it (``own``: see visible_groups)."""
    groups = visible_groups(viewer, member, own)
    values = {name: _field_value(member, name)
              for group in groups for name in FIELD_GROUPS[group]}
    return ProfileView(member_id=member.id, display_name=_public_name(member, groups),
                       reading=member.reading, groups=groups,
                       accepts_introductions=member.accepts_introductions, **values)


def directory_member(session: Session, member_id: int) -> Member | None:
    """An active member listed in the directory, or None."""
    member = session.get(Member, member_id)
    if member is None or member.status != MemberStatus.MEMBER:
        return None
    return member


# -- the directory ---------------------------------------------------------------------------

@dataclass
class DirectoryPage(Page[ProfileView]):
    levels: dict[int, Any] = field(default_factory=dict)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _shown(column: Any, sees_all: bool) -> Any:
    return true() if sees_all else column == ProfileVisibility.MEMBERS


def directory_conditions(query: str, sees_all: bool) -> list[Any]:
    """Search by name (kanji, kana, romaji), company, industry and offers; company, industry
    and offers only match where the member shows that group to members."""
    conditions: list[Any] = []
    work = _shown(Member.work_visibility, sees_all)
    give = _shown(Member.give_ask_visibility, sees_all)
    for term in search_terms(query):
        pattern = _like(term)
        compact = _like("".join(term.split()))
        if compact != pattern:
            # A term with a space: each part of the name on its own too. Without one, the
            # joined name (never NULL) contains every match of either part.
            conditions += [
                Member.family_name.ilike(pattern, escape="\\"),
                Member.given_name.ilike(pattern, escape="\\"),
                Member.family_name_kana.ilike(pattern, escape="\\"),
                Member.given_name_kana.ilike(pattern, escape="\\"),
            ]
        conditions += [
            (Member.family_name + Member.given_name).ilike(compact, escape="\\"),
            (Member.family_name_kana + Member.given_name_kana).ilike(compact, escape="\\"),
            Member.name_romaji.ilike(pattern, escape="\\"),
            and_(work, or_(Member.company.ilike(pattern, escape="\\"),
                           Member.business_description.ilike(pattern, escape="\\"))),
            and_(give, or_(Member.offer_1.ilike(pattern, escape="\\"),
                           Member.offer_2.ilike(pattern, escape="\\"),
                           Member.offer_3.ilike(pattern, escape="\\"))),
        ]
        codes = industry_codes_matching(term)
        if codes:
            conditions.append(and_(work, Member.industry_code.in_(codes)))
    return conditions


def search_directory(session: Session, viewer: Member, *, query: str = "",
                     industry: str = "", level: str = "", levels: MemberLevels | None = None,
                     page: int = 1, per_page: int = DIRECTORY_PER_PAGE,
                     own: bool = True) -> DirectoryPage:
    """One page of active members sorted by reading, as ``viewer`` may see them; with
    ``levels`` (a feature's level per member), filtered by ``level`` and with each member's.
    With ``own`` False the viewer's own row is shown as other members see it: the page is
    then the same for every viewer of the same role (the page cache shares it).

    One statement whatever the page size: the page with the total beside each row (the level
    read along); a page past the end costs two more (the total, then the last page).
    """
    sees_all = viewer.is_organizer
    where: list[Any] = [Member.status == MemberStatus.MEMBER]
    conditions = directory_conditions(query, sees_all)
    if query.strip() and not conditions:
        conditions = [false()]
    if conditions:
        where.append(or_(*conditions))
    if industry:
        where += [Member.industry_code == industry, _shown(Member.work_visibility, sees_all)]
    if level and levels is not None:
        where.append(levels.level_of == level if level in levels.labels else false())

    # The page's ids and the total (a window over every match, counted before the limit) in
    # one narrow pass over the members, the page's members and levels read by those ids in the
    # same statement; a page past the end reads the total alone, then shows the last page.
    def read(number: int) -> list[Any]:
        ids = (select(Member.id.label("id"), func.count().over().label("total"))
               .where(*where).order_by(*reading_order())
               .limit(per_page).offset((number - 1) * per_page).subquery("listed"))
        columns = ((Member, levels.level_of, ids.c.total) if levels is not None
                   else (Member, ids.c.total))
        return list(session.execute(select(*columns).join(ids, ids.c.id == Member.id)
                                    .order_by(*reading_order())).unique().all())

    page = max(1, page)
    result = read(page)
    if result:
        total = result[0][-1]
    else:
        total = session.scalar(select(func.count(Member.id)).where(*where)) or 0
        last = max(1, math.ceil(total / per_page))
        if total and page > last:
            page = last
            result = read(page)
    page = min(page, max(1, math.ceil(total / per_page)))
    rows = [(row[0], row[1] if len(row) > 2 else None) for row in result]
    items = [profile_view(viewer, member, own) for member, _level in rows]
    levels_shown = {member.id: lvl for member, lvl in rows if lvl is not None}
    return DirectoryPage(items=items, total=total, page=page, per_page=per_page,
                         levels=levels_shown)
