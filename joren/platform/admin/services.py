"""What the platform admin sees: every community with its size, accounts and the mail outbox.

These are the deliberate cross-community reads that ``unscoped`` exists for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joren.platform.accounts.forms import PASSWORD_MAX, PASSWORD_MIN
from joren.platform.accounts.services import set_password
from joren.platform.db import utcnow
from joren.platform.identity.account import Account
from joren.platform.identity.community import Community, CommunityKind
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.tenancy import unscoped

PER_PAGE = 50
MAX_PAGE = 100_000


@dataclass(frozen=True)
class CommunityRow:
    id: int
    slug: str
    name: str
    kind: CommunityKind
    created_at: datetime
    members: int
    active_members: int


@dataclass
class Overview:
    communities: list[CommunityRow]
    community_total: int
    page: int
    per_page: int
    accounts: int
    verified_accounts: int
    platform_admins: int
    outbox: dict[OutboxStatus, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.community_total / self.per_page))


def platform_overview(session: Session, page: int = 1, per_page: int | None = None) -> Overview:
    """Communities (newest first, one page) with member counts, plus account and outbox totals."""
    page = min(max(1, page), MAX_PAGE)
    per_page = per_page or PER_PAGE
    return Overview(
        communities=_community_rows(session, page, per_page),
        community_total=int(session.scalar(select(func.count(Community.id))) or 0),
        page=page,
        per_page=per_page,
        **_account_counts(session),
        outbox=_outbox_counts(session),
    )


def _community_rows(session: Session, page: int, per_page: int) -> list[CommunityRow]:
    active = func.count(Member.id).filter(Member.status != MemberStatus.INACTIVE)
    query = (
        select(Community, func.count(Member.id), active)
        .outerjoin(Member, Member.tenant_id == Community.id)
        .group_by(Community.id)
        .order_by(Community.created_at.desc(), Community.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    with unscoped(session):
        rows = session.execute(query).all()
    return [
        CommunityRow(id=c.id, slug=c.slug, name=c.name, kind=c.kind, created_at=c.created_at,
                     members=int(total), active_members=int(active_count))
        for c, total, active_count in rows
    ]


def _account_counts(session: Session) -> dict[str, int]:
    row = session.execute(
        select(
            func.count(Account.id),
            func.count(Account.email_verified_at),
            func.count(Account.id).filter(Account.is_platform_admin.is_(True)),
        )
    ).one()
    return {"accounts": int(row[0]), "verified_accounts": int(row[1]),
            "platform_admins": int(row[2])}


def _outbox_counts(session: Session) -> dict[OutboxStatus, int]:
    counts = {status: 0 for status in OutboxStatus}
    query = select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
        OutboxMessage.status)
    for status, count in session.execute(query):
        counts[OutboxStatus(status)] = int(count)
    return counts


class AdminError(ValueError):
    """A platform admin could not be created; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalized_email(email: str) -> str:
    """The address as accounts store it; AdminError("invalid_email") if it is not one."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AdminError("invalid_email") from exc


def make_platform_admin(session: Session, email: str, password: str | None) -> tuple[Account, bool]:
    """Create a verified platform admin account, or promote the existing one.

    Returns the account and whether it was created. A new account needs a password; an
    existing one keeps its password unless a new one is given.
    """
    email = normalized_email(email)
    if password is not None and not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise AdminError("password_length")
    account = session.scalar(select(Account).where(Account.email == email))
    created = account is None
    if account is None:
        if password is None:
            raise AdminError("password_required")
        account = Account(email=email, display_name="", language=None)
        session.add(account)
    if password is not None:
        session.flush()
        set_password(session, account, password)
    if account.email_verified_at is None:
        account.email_verified_at = utcnow()
    account.is_platform_admin = True
    session.flush()
    return account, created
