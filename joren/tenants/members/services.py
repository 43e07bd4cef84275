"""Member services: the member list, profile edits, roles and statuses, offers by email."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from joren.platform.accounts.models import Account
from joren.platform.communities.models import Community
from joren.platform.names import romaji_search_key, search_terms, to_katakana
from joren.platform.pagination import Page
from joren.platform.tenancy import set_tenant, unscoped
from joren.tenants.members.capabilities import Capability, has_capability
from joren.tenants.members.models import Invitation, Member, MemberStatus, Role

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


def offer_memberships(session: Session, account: Account, *, now: datetime,
                      lifetime: timedelta) -> list[Invitation]:
    """Turn member rows that carry this account's verified email into invitations to accept.

    Issue 11, finding 3: an organizer's list must not make a person a member (or tell the
    organizer the address has an account). So a row imported with the address and no
    account is never attached here: it gets an invitation (``invited_by_id`` NULL, never
    emailed, not listed in the console) that the person accepts or declines on the account
    page (accept_offer / decline_offer). A row that already has a pending invitation is
    offered through that one; a declined (or revoked) one is not offered again.

    Runs across communities on purpose — one of the few deliberate ``unscoped`` reads — and
    only ever with the account's own verified address. Unverified accounts get nothing.
    """
    if not account.is_verified:
        return []
    email = account.email.lower()
    with unscoped(session):
        already = set(
            session.scalars(select(Member.tenant_id).where(Member.account_id == account.id))
        )
        rows = session.scalars(
            select(Member).where(Member.email == email, Member.account_id.is_(None))
        ).all()
        offers: list[Invitation] = []
        for row in rows:
            if row.tenant_id in already:
                continue
            earlier = session.scalars(
                select(Invitation).where(Invitation.tenant_id == row.tenant_id,
                                         Invitation.member_id == row.id)
            ).all()
            if any(i.revoked_at is not None for i in earlier):
                continue  # declined, or the organizer withdrew it
            pending = [i for i in earlier if i.accepted_at is None and i.expires_at > now]
            if pending:
                offers.append(pending[-1])
                continue
            offer = Invitation(tenant_id=row.tenant_id, member_id=row.id, invited_by_id=None,
                               email=email, role=row.role, nonce=secrets.token_urlsafe(24),
                               expires_at=now + lifetime, sent_count=0)
            session.add(offer)
            offers.append(offer)
        session.flush()
    return offers


@dataclass(frozen=True)
class Offer:
    """A community that has the person on its list, waiting for an answer (plain data)."""

    invitation_id: int
    community_name: str
    community_slug: str
    role: Role


def pending_offers(session: Session, account: Account, now: datetime) -> list[Offer]:
    """The invitations waiting for this verified account's answer, across communities."""
    if not account.is_verified:
        return []
    stmt = (
        select(Invitation.id, Community.name, Community.slug, Invitation.role)
        .join(Community, Community.id == Invitation.tenant_id)
        .join(Member, (Member.tenant_id == Invitation.tenant_id)
              & (Member.id == Invitation.member_id))
        .where(Invitation.email == account.email.lower(), Invitation.accepted_at.is_(None),
               Invitation.revoked_at.is_(None), Invitation.expires_at > now,
               Member.account_id.is_(None))
        .order_by(Community.name, Invitation.id)
    )
    with unscoped(session):
        rows = session.execute(stmt).all()
    seen: set[str] = set()
    offers = []
    for invitation_id, name, slug, role in rows:
        if slug not in seen:
            seen.add(slug)
            offers.append(Offer(invitation_id, name, slug, role))
    return offers


def offered_invitation(session: Session, account: Account, invitation_id: int,
                       now: datetime) -> Invitation | None:
    """The pending invitation ``invitation_id`` if it is addressed to this verified account.

    Read unscoped by id (the account page has no community), then the session is bound to
    the invitation's community; anyone else's invitation answers None (the view's 404).
    """
    if not account.is_verified:
        return None
    with unscoped(session):
        invitation = session.get(Invitation, invitation_id)
    if (invitation is None or invitation.email.lower() != account.email.lower()
            or invitation.accepted_at is not None or invitation.revoked_at is not None
            or invitation.expires_at <= now):
        return None
    set_tenant(session, invitation.tenant_id)
    return invitation


def decline_offer(session: Session, invitation: Invitation, now: datetime) -> None:
    """The person says no: the organizer's row stays as it was, without an account."""
    invitation.revoked_at = now
    session.flush()


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


def name_search_conditions(query: str, include_email: bool = False) -> list[Any]:
    """Conditions matching a typed name: kanji, kana (hiragana typed matches the katakana
    readings, with or without the space), romaji, company and optionally email."""
    conditions: list[Any] = []
    for term in search_terms(query):
        pattern = f"%{_escape_like(term)}%"
        compact = f"%{_escape_like(''.join(term.split()))}%"
        conditions += [
            Member.family_name.ilike(pattern, escape="\\"),
            Member.given_name.ilike(pattern, escape="\\"),
            (Member.family_name + Member.given_name).ilike(compact, escape="\\"),
            Member.family_name_kana.ilike(pattern, escape="\\"),
            Member.given_name_kana.ilike(pattern, escape="\\"),
            (Member.family_name_kana + Member.given_name_kana).ilike(compact, escape="\\"),
            Member.name_romaji.ilike(pattern, escape="\\"),
            Member.company.ilike(pattern, escape="\\"),
        ]
        if include_email:
            conditions.append(Member.email.ilike(pattern, escape="\\"))
    return conditions


def _filtered(stmt: Select, query: str, role: Role | None, status: MemberStatus | None) -> Select:  # type: ignore[type-arg]
    if role is not None:
        stmt = stmt.where(Member.role == role)
    if status is not None:
        stmt = stmt.where(Member.status == status)
    conditions = name_search_conditions(query, include_email=True)
    if conditions:
        stmt = stmt.where(or_(*conditions))
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

    Three statements whatever the page size: the total, the page (accounts joined in) and
    the counts by status.
    """
    total = session.scalar(_filtered(select(func.count(Member.id)), query, role, status)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    items = session.scalars(
        _filtered(select(Member), query, role, status)
        .order_by(*reading_order())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).unique().all()
    return MemberPage(items=list(items), total=total, page=page, per_page=per_page,
                      status_counts=status_counts(session))


def status_counts(session: Session) -> dict[MemberStatus, int]:
    """How many members have each status (one grouped query)."""
    rows = session.execute(select(Member.status, func.count(Member.id)).group_by(Member.status))
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
