"""Member services: claiming rows by verified email (more arrive with invitations)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.accounts.models import Account
from joren.platform.tenancy import unscoped
from joren.tenants.members.models import Member


def claim_memberships(session: Session, account: Account) -> list[Member]:
    """Attach member rows that carry this account's verified email and no account yet.

    Runs across communities (a person imported into several lists claims them all at once),
    so it is one of the few deliberate ``unscoped`` reads. Unverified accounts claim nothing.
    """
    if not account.is_verified:
        return []
    with unscoped(session):
        already = set(
            session.scalars(select(Member.tenant_id).where(Member.account_id == account.id))
        )
        rows = session.scalars(
            select(Member).where(Member.email == account.email.lower(), Member.account_id.is_(None))
        ).all()
        claimed = []
        for row in rows:
            if row.tenant_id in already:
                continue
            row.account_id = account.id
            already.add(row.tenant_id)
            claimed.append(row)
        session.flush()
    return claimed
