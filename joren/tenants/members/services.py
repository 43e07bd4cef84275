"""Member services: the member list, profile edits, roles and statuses."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from joren.platform.membership.capabilities import Capability, has_capability
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.names import (
    normalise,
    romaji_search_key,
    search_key_patterns,
    to_katakana,
)
from joren.platform.pagination import Page

PER_PAGE = 50
PROFILE_FIELDS = {
    "family_name": 60, "given_name": 60, "family_name_kana": 60, "given_name_kana": 60,
    "company": 120, "title": 80, "industry": 80,
}


class MemberError(ValueError):
    """A change to a member was refused; ``code`` says why (views turn it into words)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- the member list ---------------------------------------------------------------------

@dataclass
class MemberPage(Page[Member]):
    status_counts: dict[MemberStatus, int] = field(default_factory=dict)


def reading_order() -> tuple:  # type: ignore[type-arg]
    """Sort by reading (セイ, メイ); rows without a reading (fresh invitations) come last."""
    return (
        case((Member.family_name_kana == "", 1), else_=0),
        Member.family_name_kana, Member.given_name_kana, Member.family_name, Member.id,
    )


def matching_ids(query: str) -> Select | None:  # type: ignore[type-arg]
    """The ids of the members whose name, reading, romaji or company contains ``query``
    (kanji, kana typed either way, romaji; with or without spaces), or None for an empty
    query: one LIKE per form of the query on the indexed ``Member.search_key``."""
    patterns = search_key_patterns(query)
    if not patterns:
        return None
    return select(Member.id).where(or_(*(Member.search_key.like(p, escape="\\")
                                         for p in patterns)))


def _filtered(stmt: Select, query: str, role: Role | None, status: MemberStatus | None) -> Select:  # type: ignore[type-arg]
    if role is not None:
        stmt = stmt.where(Member.role == role)
    if status is not None:
        stmt = stmt.where(Member.status == status)
    patterns = search_key_patterns(query)
    if patterns:
        # name, reading, romaji and company: the stored search key (matching_ids); and email
        stmt = stmt.where(or_(*(Member.search_key.like(p, escape="\\") for p in patterns),
                              Member.email.ilike(f"%{_escape_like(normalise(query))}%",
                                                 escape="\\")))
    return stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_members(
    session: Session,
    *,
    query: str = "",
    role: Role | None = None,
    status: MemberStatus | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> MemberPage:
    """One page of the community's members sorted by reading, with counts by status.

    The reading order puts members without a reading (fresh invitations) last; a CASE in the
    ORDER BY would make the database sort every member for each page, so the page is read as
    two slices that each walk the reading index (ix_members_tenant_reading): the members with
    a reading, then those without. Three statements (four when a page straddles the two
    slices): the totals, the page and the counts by status. Without a search or a role, the
    totals come from the counts by status (two statements, three when the page straddles).
    A search (a LIKE no index answers under row-level security) reads its matches once:
    the page with the total beside each row, then the counts by status (``_searched``).
    """
    if search_key_patterns(query):
        return _searched(session, query, role, status, page, per_page)
    if role is None:
        by_status = _counts_by_status(session)
        counts = {s: n for s, (n, _) in by_status.items()}
        chosen = [status] if status is not None else list(by_status)
        total = sum(by_status[s][0] for s in chosen)
        unread = sum(by_status[s][1] for s in chosen)
    else:
        total, unread = session.execute(_filtered(
            select(func.count(), func.count().filter(Member.family_name_kana == ""))
            .select_from(Member),
            query, role, status)).one()
        total, unread = total or 0, unread or 0
        counts = status_counts(session)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    start, read = (page - 1) * per_page, total - unread
    order = (Member.family_name_kana, Member.given_name_kana, Member.family_name, Member.id)
    items: list[Member] = []
    if start < read:
        items += session.scalars(
            _filtered(select(Member), query, role, status)
            .where(Member.family_name_kana != "")
            .order_by(*order).limit(per_page).offset(start)
        ).unique().all()
    if len(items) < per_page and unread:
        items += session.scalars(
            _filtered(select(Member), query, role, status)
            .where(Member.family_name_kana == "")
            .order_by(*order).limit(per_page - len(items)).offset(max(0, start - read))
        ).unique().all()
    return MemberPage(items=items, total=total, page=page, per_page=per_page,
                      status_counts=counts)


def _searched(session: Session, query: str, role: Role | None, status: MemberStatus | None,
              page: int, per_page: int) -> MemberPage:
    """``search_members`` with a search: the matches are few, so they are sorted whole (the
    reading order's CASE) and the page is read with the total beside each row, in one pass
    over the members; a page past the end reads the total, then the last page."""
    def read(number: int) -> list[Any]:
        return list(session.execute(
            _filtered(select(Member, func.count().over()), query, role, status)
            .order_by(*reading_order()).limit(per_page).offset((number - 1) * per_page)
        ).unique().all())

    page = max(1, page)
    rows = read(page)
    if rows:
        total = rows[0][1]
    else:
        total = session.scalar(_filtered(select(func.count()).select_from(Member),
                                         query, role, status)) or 0
        last = max(1, math.ceil(total / per_page))
        if total and page > last:
            page = last
            rows = read(page)
    return MemberPage(items=[row[0] for row in rows], total=total,
                      page=min(page, max(1, math.ceil(total / per_page))), per_page=per_page,
                      status_counts=status_counts(session))


def _counts_by_status(session: Session) -> dict[MemberStatus, tuple[int, int]]:
    """Per status: how many members, and how many of them have no reading yet (one grouped
    query that ix_members_tenant_status_reading answers alone)."""
    rows = session.execute(
        select(Member.status, func.count(), func.count().filter(Member.family_name_kana == ""))
        .select_from(Member).group_by(Member.status))
    counts = dict.fromkeys(MemberStatus, (0, 0))
    for status, count, unread in rows:
        counts[MemberStatus(status)] = (count, unread or 0)
    return counts


def status_counts(session: Session) -> dict[MemberStatus, int]:
    """How many members have each status (one grouped query)."""
    # count(*), not count(id): the (tenant, status, role) index answers it alone.
    rows = session.execute(select(Member.status, func.count()).select_from(Member)
                           .group_by(Member.status))
    counts = dict.fromkeys(MemberStatus, 0)
    for status, count in rows:
        counts[MemberStatus(status)] = count
    return counts


# -- editing -----------------------------------------------------------------------------

def can_edit_profile(actor: Member, member: Member) -> bool:
    """Organizers keep guests' rows and unclaimed rows up to date; members own theirs."""
    if actor.status == MemberStatus.INACTIVE or not actor.is_organizer:
        return False
    return member.account_id is None or member.status == MemberStatus.GUEST


def update_profile(session: Session, actor: Member, member: Member, **fields: str) -> Member:
    """Change a member's name, readings and work details; the romaji search key follows."""
    if not can_edit_profile(actor, member):
        raise MemberError("forbidden")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise MemberError("unknown_field")
    for key, value in fields.items():
        value = " ".join((value or "").split())
        if key.endswith("_kana"):
            value = to_katakana(value)
        if len(value) > PROFILE_FIELDS[key]:
            raise MemberError("too_long")
        setattr(member, key, value)
    member.name_romaji = romaji_search_key(member.family_name_kana, member.given_name_kana)
    session.flush()
    return member


def role_change_problem(
    session: Session, actor: Member, member: Member, role: Role, status: MemberStatus
) -> str | None:
    """Why ``actor`` may not give ``member`` this role and status, or None when allowed."""
    if role == member.role and status == member.status:
        return None
    if member.role == Role.OWNER and (role != Role.OWNER or status == MemberStatus.INACTIVE):
        other_owners = session.scalar(
            select(func.count(Member.id)).where(
                Member.role == Role.OWNER,
                Member.status != MemberStatus.INACTIVE,
                Member.id != member.id,
            )
        )
        if not other_owners:
            return "last_owner"
    if actor.id == member.id:
        return "self"
    if actor.status == MemberStatus.INACTIVE or not actor.is_organizer:
        return "forbidden"
    touches_leaders = member.role.at_least(Role.ORGANIZER) or role.at_least(Role.ORGANIZER)
    if touches_leaders and not has_capability(actor, Capability.MANAGE_LEADERS):
        return "owner_only"
    return None


def change_role_and_status(
    session: Session, actor: Member, member: Member, role: Role, status: MemberStatus
) -> Member:
    """Give ``member`` a new role and status, following the rules of ``role_change_problem``."""
    problem = role_change_problem(session, actor, member, Role(role), MemberStatus(status))
    if problem:
        raise MemberError(problem)
    member.role = Role(role)
    member.status = MemberStatus(status)
    session.flush()
    return member
