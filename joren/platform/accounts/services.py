"""Account services: sign-up, passwords, the three emailed links, and the person's communities.

Functions take an explicit session and account; they never read the request or the signed-in
user, and they never commit (the caller does, which is also when queued emails go out).
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joren.platform.accounts import tokens
from joren.platform.accounts.models import Account, new_session_token
from joren.platform.communities.models import Community
from joren.platform.db import utcnow
from joren.platform.mail.models import OutboxMessage
from joren.platform.mail.outbox import queue_email
from joren.platform.security import (
    TokenInvalid,
    hash_password,
    password_needs_rehash,
    read_token,
    verify_password,
)
from joren.platform.tenancy import unscoped
from joren.tenants.members.models import Member, MemberStatus, Role
from joren.tenants.members.services import claim_memberships

LinkProblem = Literal["invalid", "expired", "used"]


class EmailTaken(ValueError):
    """An account with this email address already exists."""


class WrongPassword(ValueError):
    """The current password given does not match."""


class LinkError(ValueError):
    """An emailed link cannot be used: forged, expired, or already used."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem)
        self.problem: LinkProblem = problem


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


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_account(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == normalize_email(email)))


@functools.cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


# Sign-up and sign-in ---------------------------------------------------------------------------

def register_account(
    session: Session, *, email: str, display_name: str, password: str, language: str
) -> Account:
    """Create an unverified account; raise EmailTaken if the address is already registered."""
    email = normalize_email(email)
    if find_account(session, email) is not None:
        raise EmailTaken(email)
    account = Account(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        language=language,
    )
    try:
        with session.begin_nested():
            session.add(account)
            session.flush()
    except IntegrityError as exc:  # a concurrent sign-up with the same address won the race
        raise EmailTaken(email) from exc
    return account


def authenticate(session: Session, email: str, password: str) -> Account | None:
    """The account for this email and password, or None (the same for both failures).

    An unknown address still costs one argon2 verification, so timing does not tell
    which addresses have accounts. A hash made with old parameters is upgraded.
    """
    account = find_account(session, email)
    if account is None or not account.password_hash:
        verify_password(_decoy_hash(), password)
        return None
    if not verify_password(account.password_hash, password):
        return None
    if password_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


def mark_verified(session: Session, account: Account) -> list[Member]:
    """Record that the person owns the address, and attach member rows imported with it."""
    if account.email_verified_at is None:
        account.email_verified_at = utcnow()
    return claim_memberships(session, account)


def set_password(account: Account, password: str) -> None:
    """Store a new password; every session, remember cookie and magic link stops working."""
    account.password_hash = hash_password(password)
    sign_out_everywhere(account)


def change_password(account: Account, current: str, new: str) -> None:
    """Change the password after checking the current one (if the account has one)."""
    if account.password_hash and not verify_password(account.password_hash, current):
        raise WrongPassword()
    set_password(account, new)


def sign_out_everywhere(account: Account) -> None:
    """Invalidate every session, remember cookie and unused magic link of this account."""
    account.session_token = new_session_token()
    account.login_nonce = new_session_token()


def update_profile(account: Account, *, display_name: str, language: str) -> None:
    account.display_name = display_name.strip()
    account.language = language


# Emails ----------------------------------------------------------------------------------------

def _email_link(session: Session, account: Account, *, kind: str, endpoint: str, token: str,
                lifetime_purpose: str, language: str) -> OutboxMessage:
    """Queue one of the account emails that carry a signed link (a new link every time)."""
    return queue_email(
        session,
        to=account.email,
        template=f"accounts/{kind}",
        context={
            "display_name": account.display_name,
            "url": tokens.external_url(endpoint, token=token),
            "lifetime": tokens.token_lifetime(lifetime_purpose),
        },
        language=account.language or language,
        idempotency_key=f"{kind}:{account.id}:{secrets.token_hex(8)}",
    )


def send_verification(session: Session, account: Account, language: str) -> OutboxMessage:
    """Queue the 'confirm your email address' message."""
    return _email_link(session, account, kind="verify", endpoint="accounts.verify",
                       token=tokens.verify_token(account), lifetime_purpose=tokens.VERIFY,
                       language=language)


def request_password_reset(session: Session, email: str, language: str) -> OutboxMessage | None:
    """Email a reset link if an account has this address; otherwise do nothing, silently."""
    account = find_account(session, email)
    if account is None:
        return None
    return _email_link(session, account, kind="reset", endpoint="accounts.reset_password",
                       token=tokens.reset_token(account), lifetime_purpose=tokens.RESET,
                       language=language)


def request_magic_link(
    session: Session, email: str, language: str, next_url: str | None = None
) -> OutboxMessage | None:
    """Email a one-time sign-in link if an account has this address; create nothing otherwise."""
    account = find_account(session, email)
    if account is None:
        return None
    return _email_link(session, account, kind="magic", endpoint="accounts.magic_login",
                       token=tokens.magic_token(account, next_url), lifetime_purpose=tokens.MAGIC,
                       language=language)


# Links -----------------------------------------------------------------------------------------

def _read(purpose: str, token: str) -> dict[str, object]:
    try:
        return read_token(purpose, token)
    except TokenInvalid as exc:
        raise LinkError("expired" if exc.expired else "invalid") from exc


def _account_of(session: Session, payload: dict[str, object]) -> Account:
    account_id = payload.get("a")
    if not isinstance(account_id, int):
        raise LinkError("invalid")
    account = session.get(Account, account_id)
    if account is None:
        raise LinkError("invalid")
    return account


def verify_email(session: Session, token: str) -> tuple[Account, list[Member], bool]:
    """Use a verification link: (account, member rows claimed, whether it was already verified)."""
    payload = _read(tokens.VERIFY, token)
    account = _account_of(session, payload)
    if payload.get("e") != account.email:
        raise LinkError("invalid")
    already = account.is_verified
    return account, mark_verified(session, account), already


def check_reset_link(session: Session, token: str) -> Account:
    """The account a reset link is for, if the link is still good."""
    payload = _read(tokens.RESET, token)
    account = _account_of(session, payload)
    if payload.get("f") != tokens.password_fingerprint(account.password_hash):
        raise LinkError("used")
    return account


def reset_password(session: Session, token: str, password: str) -> tuple[Account, list[Member]]:
    """Set a new password through a reset link; the link proves the email, so it verifies it."""
    account = check_reset_link(session, token)
    set_password(account, password)
    return account, mark_verified(session, account)


def check_magic_link(session: Session, token: str) -> tuple[Account, str | None]:
    """The account and safe ``next`` of a magic link, if the link is still good."""
    payload = _read(tokens.MAGIC, token)
    account = _account_of(session, payload)
    if payload.get("e") != account.email:
        raise LinkError("invalid")
    if not isinstance(payload.get("n"), str) or not secrets.compare_digest(
        str(payload["n"]), account.login_nonce
    ):
        raise LinkError("used")
    next_url = payload.get("next")
    return account, next_url if isinstance(next_url, str) else None


def consume_magic_link(
    session: Session, token: str
) -> tuple[Account, str | None, list[Member]]:
    """Use a magic link once: rotate the nonce, verify the email, claim memberships."""
    account, next_url = check_magic_link(session, token)
    account.login_nonce = new_session_token()
    return account, next_url, mark_verified(session, account)


# The person's communities ----------------------------------------------------------------------

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
