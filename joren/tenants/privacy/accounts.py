"""Deleting an account (issue 17), with a grace period the person can cancel.

A person asks; the account keeps working for ``GRACE`` and a banner says when it goes. When
the grace period has passed, a daily job removes the person from every community they belong
to (erasure.py: personal data erased, counts kept, payments kept for tax law), then deletes
the account, its devices, its account-wide emails and email preferences.

A person who is the only owner of a community cannot ask: the community would be left with
nobody to run it, so they hand it over (or delete the community) first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from joren.platform.identity.account import Account, AccountSession
from joren.platform.identity.community import Community
from joren.platform.mail.models import EmailUnsubscribe, OutboxMessage
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.tenancy import unscoped

GRACE = timedelta(days=30)


class OnlyOwner(Exception):
    """The account is the only owner of these communities (names)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


def sole_ownerships(session: Session, account: Account) -> list[str]:
    """Names of the communities where ``account`` is the only active owner."""
    with unscoped(session):
        mine = select(Member.tenant_id).where(
            Member.account_id == account.id, Member.role == Role.OWNER,
            Member.status != MemberStatus.INACTIVE)
        owners = (select(Member.tenant_id, func.count().label("owners"))
                  .where(Member.role == Role.OWNER, Member.status != MemberStatus.INACTIVE,
                         Member.tenant_id.in_(mine))
                  .group_by(Member.tenant_id).subquery())
        return list(session.scalars(
            select(Community.name).join(owners, owners.c.tenant_id == Community.id)
            .where(owners.c.owners == 1).order_by(Community.name)))


def deletion_due_at(account: Account) -> datetime | None:
    if account.deletion_requested_at is None:
        return None
    return account.deletion_requested_at + GRACE


def request_deletion(session: Session, account: Account, now: datetime) -> datetime:
    """Schedule the account's deletion; returns when it happens. Asking twice keeps the
    first date."""
    names = sole_ownerships(session, account)
    if names:
        raise OnlyOwner(names)
    if account.deletion_requested_at is None:
        account.deletion_requested_at = now
    session.flush()
    return deletion_due_at(account)  # type: ignore[return-value]


def cancel_deletion(session: Session, account: Account) -> None:
    account.deletion_requested_at = None
    session.flush()


def due_for_deletion(session: Session, now: datetime) -> list[int]:
    """Accounts whose grace period has passed."""
    return list(session.scalars(select(Account.id).where(
        Account.deletion_requested_at.is_not(None),
        Account.deletion_requested_at <= now - GRACE).order_by(Account.id)))


def memberships_of(session: Session, account_id: int) -> list[tuple[int, int]]:
    """(community id, member id) of each membership the account still has."""
    with unscoped(session):
        return [(row.tenant_id, row.id) for row in session.execute(
            select(Member.tenant_id, Member.id).where(Member.account_id == account_id))]


def delete_account(session: Session, account_id: int, now: datetime) -> bool:
    """The last step, once every membership is erased: the account, its devices, its
    account-wide emails and preferences. False when it is gone or was cancelled meanwhile."""
    account = session.get(Account, account_id)
    if account is None or account.deletion_requested_at is None:
        return False
    if account.deletion_requested_at > now - GRACE:
        return False
    email = account.email.lower()
    with unscoped(session):
        if session.scalar(select(func.count()).select_from(Member)
                          .where(Member.account_id == account_id)):
            return False  # a membership is left: the job erases it first
        session.execute(delete(OutboxMessage).where(
            OutboxMessage.community_id.is_(None), func.lower(OutboxMessage.to_email) == email))
        session.execute(delete(EmailUnsubscribe).where(
            EmailUnsubscribe.community_id.is_(None), func.lower(EmailUnsubscribe.email) == email))
        session.execute(delete(AccountSession).where(AccountSession.account_id == account_id))
        session.delete(account)
        session.flush()
    return True
