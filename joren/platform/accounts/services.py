"""Account services: sign-up, passwords, the three emailed links, and the person's communities.

Functions take an explicit session and account; they never read the request or the signed-in
user, and they never commit (the caller does, which is also when queued emails go out).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joren.platform.accounts import sessions, tokens
from joren.platform.db import utcnow
from joren.platform.identity.account import Account, new_session_token
from joren.platform.jobs import TRANSACTIONAL_QUEUE, enqueue_after_commit
from joren.platform.mail.models import OutboxMessage
from joren.platform.mail.outbox import queue_email
from joren.platform.membership.models import Invitation
from joren.platform.membership.offers import offer_memberships
from joren.platform.security import hash_password, password_needs_rehash, verify_password
from joren.platform.signing import LinkInvalid, LinkKind
from joren.platform.urls import external_url

# The one job that sends every email an anonymous request can ask for (see request_email).
ACCOUNT_EMAIL_JOB = "joren.workers.account_jobs.send_account_email"
EMAIL_KINDS = ("verify", "signup_exists", "verify_again", "reset", "magic")

LinkProblem = Literal["invalid", "expired", "used"]


class WrongPassword(ValueError):
    """The current password given does not match."""


class LinkError(ValueError):
    """An emailed link cannot be used: forged, expired, or already used."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem)
        self.problem: LinkProblem = problem


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_account(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == normalize_email(email)))


@functools.cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


# Sign-up and sign-in ---------------------------------------------------------------------------

def sign_up(
    session: Session, *, email: str, display_name: str, password: str, language: str
) -> tuple[Account | None, str]:
    """Create an unverified account unless the address has one: (new account or None, kind
    of email to send: "verify" or "signup_exists").

    Both paths do the same slow work (one argon2 hash) and the caller answers the same page
    either way (issue 11, finding 8): only the email tells an existing owner what happened.
    """
    email = normalize_email(email)
    password_hash = hash_password(password)
    if find_account(session, email) is not None:
        return None, "signup_exists"
    account = Account(email=email, display_name=display_name.strip(),
                      password_hash=password_hash, language=language)
    try:
        with session.begin_nested():
            session.add(account)
            session.flush()
    except IntegrityError:  # a concurrent sign-up with the same address won the race
        return None, "signup_exists"
    return account, "verify"


def authenticate(session: Session, email: str, password: str) -> Account | None:
    """The account for this email and password, or None (the same for both failures).

    An unknown address still costs one argon2 verification, so timing does not tell
    which addresses have accounts. A hash made with old parameters is upgraded.
    Callers refuse password sign-in to an unverified account (see confirm_address).
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


def confirm_address(session: Session, account: Account, *, now: datetime,
                    by_registrant: bool = False, keep_session: int | None = None) -> bool:
    """Record that the person owns the account's address (an emailed link was used).

    Decision (issue 11, finding 2, account takeover by registering someone's address
    first): whoever chose the password of an unverified account may not own the address.
    So when a link sent to the address (verification, magic link, invitation) verifies
    an account that was not verified yet:

    - the password set before verification is removed — unless the link was opened in the
      very browser that registered the account (``by_registrant``: a digest of its sign-up key
      is in the verification link), which proves that one person chose the password and
      reads the mail; the person sets a new one on the account page or by a reset link;
    - every session of the account except ``keep_session`` ends, and unused magic links
      stop working.

    Password sign-in to an unverified account is refused (views.login offers to send the
    confirmation link again, or a sign-in link), so a squatter never holds a session that
    survives the owner's confirmation. A reset link sets a new password itself and ends every
    session (set_password). Returns True when a password was removed.
    """
    if account.email_verified_at is not None:
        return False
    account.email_verified_at = now
    removed = bool(account.password_hash) and not by_registrant
    if removed:
        account.password_hash = None
    sessions.revoke_all(session, account, now, keep=keep_session)
    return removed


def mark_verified(session: Session, account: Account, *, now: datetime | None = None,
                  by_registrant: bool = False,
                  keep_session: int | None = None) -> list[Invitation]:
    """Confirm the address (see confirm_address) and offer the memberships imported with it."""
    now = now or utcnow()
    confirm_address(session, account, now=now, by_registrant=by_registrant,
                    keep_session=keep_session)
    return offer_memberships(session, account, now=now, lifetime=_offer_lifetime())


def _offer_lifetime() -> timedelta:
    return timedelta(seconds=tokens.token_lifetime(tokens.INVITE_LINK))


def offers_at_sign_in(session: Session, account: Account) -> list[Invitation]:
    """Offer a verified account the memberships organizers imported with its address."""
    if not account.is_verified:
        return []
    return offer_memberships(session, account, now=utcnow(), lifetime=_offer_lifetime())


def set_password(session: Session, account: Account, password: str,
                 keep_session: int | None = None) -> None:
    """Store a new password; every other session and every unused magic link stops working."""
    account.password_hash = hash_password(password)
    sessions.revoke_all(session, account, utcnow(), keep=keep_session)


def change_password(session: Session, account: Account, current: str, new: str,
                    keep_session: int | None = None) -> None:
    """Change the password after checking the current one (if the account has one)."""
    if account.password_hash and not verify_password(account.password_hash, current):
        raise WrongPassword()
    set_password(session, account, new, keep_session=keep_session)


def sign_out_everywhere(session: Session, account: Account) -> None:
    """End every session of this account (this browser's too) and its unused magic links."""
    sessions.revoke_all(session, account, utcnow())


def update_profile(account: Account, *, display_name: str, language: str) -> None:
    account.display_name = display_name.strip()
    account.language = language


# Emails ----------------------------------------------------------------------------------------

def _email_link(session: Session, account: Account, *, kind: str, endpoint: str, token: str,
                lifetime_purpose: LinkKind, language: str, key: str | None = None) -> OutboxMessage:
    """Queue one of the account emails that carry a signed link (a new link every time)."""
    return queue_email(
        session,
        to=account.email,
        template=f"accounts/{kind}",
        context={
            "display_name": account.display_name,
            "url": external_url(endpoint, token=token),
            "lifetime": tokens.token_lifetime(lifetime_purpose),
        },
        language=account.language or language,
        idempotency_key=f"{kind}:{account.id}:{key or secrets.token_hex(8)}",
    )


def browser_tag(signup_key: str | None) -> str | None:
    """What a verification link carries of the sign-up browser's secret key (a digest)."""
    if not signup_key:
        return None
    return hashlib.sha256(f"joren-signup:{signup_key}".encode()).hexdigest()[:24]


def send_verification(session: Session, account: Account, language: str,
                      browser: str | None = None, key: str | None = None) -> OutboxMessage:
    """Queue the 'confirm your email address' message."""
    return _email_link(session, account, kind="verify", endpoint="accounts.verify",
                       token=tokens.verify_token(account, browser),
                       lifetime_purpose=tokens.VERIFY, language=language, key=key)


def request_email(session: Session, kind: str, email: str, language: str, *,
                  next_url: str | None = None, browser: str | None = None) -> None:
    """Queue the job that decides and sends an account email; the same work for any address.

    Sign-up, "send the confirmation again", forgot-password and magic-link requests all end
    here, so a request takes as long, and answers the same, whether or not the address has
    an account (issue 11, finding 8): looking the account up, making its token, rendering
    and queueing the message happen in the job (send_account_email).
    """
    if kind not in EMAIL_KINDS:
        raise ValueError(kind)
    enqueue_after_commit(session, ACCOUNT_EMAIL_JOB, kind, normalize_email(email)[:320],
                         language, next_url, browser, secrets.token_hex(8),
                         queue=TRANSACTIONAL_QUEUE)


def send_account_email(session: Session, kind: str, email: str, language: str,
                       next_url: str | None, browser: str | None,
                       key: str) -> OutboxMessage | None:
    """The job's side of request_email: queue the right message for this address, if any.

    ``key`` comes from the request, so a retried job finds its message instead of sending
    another one.
    """
    account = find_account(session, email)
    if account is None:
        return None
    if kind == "verify" or (kind == "verify_again" and not account.is_verified):
        return send_verification(session, account, language, browser, key=key)
    if kind == "signup_exists":
        return queue_email(
            session, to=account.email, template="accounts/signup_exists",
            context={"display_name": account.display_name,
                     "login_url": external_url("accounts.login", email=account.email),
                     "reset_url": external_url("accounts.forgot_password",
                                               email=account.email)},
            language=account.language or language,
            idempotency_key=f"signup_exists:{account.id}:{key}",
        )
    if kind == "reset":
        return _email_link(session, account, kind="reset", endpoint="accounts.reset_password",
                           token=tokens.reset_token(account), lifetime_purpose=tokens.RESET,
                           language=language, key=key)
    if kind == "magic":
        return _email_link(session, account, kind="magic", endpoint="accounts.magic_login",
                           token=tokens.magic_token(account, next_url),
                           lifetime_purpose=tokens.MAGIC, language=language, key=key)
    return None


# Links -----------------------------------------------------------------------------------------

def _read(kind: LinkKind, token: str) -> dict[str, object]:
    try:
        return kind.read(token, valid=lambda data: isinstance(data, dict))  # type: ignore[no-any-return]
    except LinkInvalid as exc:
        raise LinkError("expired" if exc.expired else "invalid") from exc


def _account_of(session: Session, payload: dict[str, object]) -> Account:
    account_id = payload.get("a")
    if not isinstance(account_id, int):
        raise LinkError("invalid")
    account = session.get(Account, account_id)
    if account is None:
        raise LinkError("invalid")
    return account


def check_verify_link(session: Session, token: str,
                      signup_key: str | None = None) -> tuple[Account, bool]:
    """The account a verification link is for, and whether this browser registered it."""
    payload = _read(tokens.VERIFY, token)
    account = _account_of(session, payload)
    if payload.get("e") != account.email:
        raise LinkError("invalid")
    tag, mine = payload.get("b"), browser_tag(signup_key)
    by_registrant = isinstance(tag, str) and mine is not None and secrets.compare_digest(tag,
                                                                                        mine)
    return account, by_registrant


def check_reset_link(session: Session, token: str) -> Account:
    """The account a reset link is for, if the link is still good."""
    payload = _read(tokens.RESET, token)
    account = _account_of(session, payload)
    if payload.get("f") != tokens.password_fingerprint(account.password_hash):
        raise LinkError("used")
    return account


def reset_password(session: Session, token: str,
                   password: str) -> tuple[Account, list[Invitation]]:
    """Set a new password through a reset link; the link proves the email, so it verifies it.

    Every session ends (a new one is started by the caller).
    """
    account = check_reset_link(session, token)
    offers = mark_verified(session, account, by_registrant=True)
    set_password(session, account, password)
    return account, offers


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
) -> tuple[Account, str | None, list[Invitation]]:
    """Use a magic link once: rotate the nonce, verify the email, offer memberships."""
    account, next_url = check_magic_link(session, token)
    account.login_nonce = new_session_token()
    offers = mark_verified(session, account) if not account.is_verified else \
        offers_at_sign_in(session, account)
    return account, next_url, offers
