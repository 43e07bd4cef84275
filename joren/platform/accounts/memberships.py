"""The person's communities: which ones an account belongs to (one query across communities,
plain values only), the names behind membership offers, and where a person lands after
signing in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.identity.account import Account
from joren.platform.identity.community import Community
from joren.platform.membership.models import Invitation, Member, MemberStatus, Role
from joren.platform.tenancy import unscoped


@dataclass(frozen=True)
class Membership:
    """One of the person's communities, as plain data (never an ORM row of another tenant)."""

    community_id: int
    slug: str
    name: str
    member_id: int
    role: Role
    status: MemberStatus

    @property
    def is_active(self) -> bool:
        return self.status != MemberStatus.INACTIVE

    @property
    def is_staff(self) -> bool:
        return self.role.at_least(Role.STAFF)


def list_memberships(session: Session, account_id: int) -> list[Membership]:
    """Every community this account belongs to, in one query across communities.

    Only plain values are selected, so no other community's rows enter the session's
    identity map: calling this on a tenant-bound session leaks nothing into later queries.
    """
    stmt = (
        select(Community.id, Community.slug, Community.name, Member.id, Member.role,
               Member.status)
        .join(Member, Member.tenant_id == Community.id)
        .where(Member.account_id == account_id)
        .order_by(Community.name, Community.id)
    )
    with unscoped(session):
        rows = session.execute(stmt).all()
    return [
        Membership(community_id=cid, slug=slug, name=name, member_id=mid, role=role,
                   status=status)
        for cid, slug, name, mid, role, status in rows
    ]


def offer_community_names(session: Session, offers: list[Invitation]) -> list[str]:
    """The names of the communities behind ``offers``, for the messages after sign-in."""
    ids = sorted({offer.tenant_id for offer in offers})
    if not ids:
        return []
    return list(session.scalars(select(Community.name).where(Community.id.in_(ids))
                                .order_by(Community.name)))


def landing_after_sign_in(
    memberships: list[Membership], account: Account
) -> tuple[str, dict[str, str]]:
    """Where a person goes after signing in when no ``next`` was given: (endpoint, values)."""
    active = [m for m in memberships if m.is_active]
    if len(active) == 1:
        only = active[0]
        endpoint = "community.console.dashboard" if only.is_staff else "community.portal.home"
        return endpoint, {"slug": only.slug}
    if not active and account.is_verified:
        return "communities.new", {}
    return "accounts.account", {}
