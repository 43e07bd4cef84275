"""Offers: communities that have a person's verified address on their list, waiting for an
answer (accept or decline on the account page). Part of membership, so accounts can use it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.identity.account import Account
from joren.platform.identity.community import Community
from joren.platform.membership.models import Invitation, Member, Role
from joren.platform.tenancy import set_tenant, unscoped


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
