"""Server-side sign-in sessions: one AccountSession row per signed-in browser.

The session cookie and the remember cookie carry ``"<id>:<secret>"``; the row keeps a
SHA-256 of the secret. A row is live while it is not revoked and not expired:

- a remembered session ends ``remember_for`` after sign-in (the remember cookie's lifetime,
  REMEMBER_COOKIE_DURATION, 30 days);
- any other session ends after ``idle_for`` without a request (ACCOUNT_SESSION_IDLE_TIMEOUT)
  and, whatever the activity, ``remember_for`` after sign-in.

``last_seen_at`` is written at most once per ``SEEN_EVERY``, so a busy page does not write on
every request (and idle expiry is as precise as that). Plain functions on an explicit
session and ``now``: no Flask here.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from joren.platform.identity.account import Account, AccountSession, new_session_token

SEEN_EVERY = timedelta(minutes=5)
# How many devices the account page lists (this one first, then the most recently seen);
# the others are counted, and one button signs them all out.
DEVICES_SHOWN = 20


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(session: Session, account: Account, *, now: datetime, remember: bool,
                  user_agent: str = "", ip_address: str = "") -> str:
    """Record a new signed-in session; return the ``"id:secret"`` its cookies will carry."""
    secret = secrets.token_urlsafe(32)
    record = AccountSession(
        account_id=account.id, token_hash=digest(secret), created_at=now, last_seen_at=now,
        user_agent=describe_user_agent(user_agent), ip_address=(ip_address or "")[:45],
        is_remembered=remember,
    )
    session.add(record)
    session.flush()
    login_id = f"{record.id}:{secret}"
    account.login_id, account.current_session_id = login_id, record.id
    return login_id


class SessionTimes(Protocol):
    """An ``AccountSession``, or the columns of it a request reads (accounts.signed_in)."""

    @property
    def created_at(self) -> datetime: ...
    @property
    def last_seen_at(self) -> datetime: ...
    @property
    def revoked_at(self) -> datetime | None: ...
    @property
    def is_remembered(self) -> bool: ...


def is_live(record: SessionTimes, now: datetime, *, remember_for: timedelta,
            idle_for: timedelta) -> bool:
    if record.revoked_at is not None or now >= record.created_at + remember_for:
        return False
    return record.is_remembered or now < record.last_seen_at + idle_for


def seen_is_due(record: SessionTimes, now: datetime) -> bool:
    return now - record.last_seen_at >= SEEN_EVERY


def mark_seen(session: Session, session_id: int, now: datetime) -> None:
    """Move ``last_seen_at`` forward (an UPDATE; the caller commits its own short session)."""
    session.execute(update(AccountSession).where(AccountSession.id == session_id)
                    .values(last_seen_at=now))


def revoke_session(session: Session, account: Account, session_id: int,
                   now: datetime) -> bool:
    """End one of the account's sessions; False when it is not theirs or not live."""
    record = session.get(AccountSession, session_id)
    if record is None or record.account_id != account.id or record.revoked_at is not None:
        return False
    record.revoked_at = now
    session.flush()
    return True


def revoke_all(session: Session, account: Account, now: datetime,
               keep: int | None = None) -> int:
    """End every session of the account except ``keep``; unused magic links die too."""
    stmt = (update(AccountSession)
            .where(AccountSession.account_id == account.id, AccountSession.revoked_at.is_(None))
            .values(revoked_at=now))
    if keep is not None:
        stmt = stmt.where(AccountSession.id != keep)
    result = session.execute(stmt.execution_options(synchronize_session="fetch"))
    account.session_token = new_session_token()
    account.login_nonce = new_session_token()
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class ActiveSession:
    id: int
    device: str
    ip_address: str
    created_at: datetime
    last_seen_at: datetime
    is_remembered: bool
    is_current: bool


@dataclass(frozen=True)
class Devices:
    """The devices the account page lists and how many live sessions there are in all."""

    shown: list[ActiveSession]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.shown)

    @property
    def others(self) -> int:
        """Live sessions other than this browser's."""
        return self.total - sum(1 for d in self.shown if d.is_current)


# Built once (the account, the moments and the limit are bound parameters).
_RECENT = (
    select(AccountSession, func.count().over().label("total"))
    .where(AccountSession.account_id == bindparam("account_id"),
           AccountSession.revoked_at.is_(None),
           AccountSession.created_at > bindparam("created_after"),
           or_(AccountSession.is_remembered.is_(True),
               AccountSession.last_seen_at > bindparam("seen_after")))
    .order_by(case((AccountSession.id == bindparam("current_id"), 0), else_=1),
              AccountSession.last_seen_at.desc(), AccountSession.id.desc())
    .limit(bindparam("limit"))
)


def recent_sessions(session: Session, account: Account, *, now: datetime,
                    remember_for: timedelta, idle_for: timedelta,
                    current_id: int | None = None, limit: int = DEVICES_SHOWN) -> Devices:
    """The account's live sessions (``is_live`` in SQL): this one first, then the most
    recently seen, at most ``limit``, with the number of them all, in one statement whatever
    the number of sign-ins."""
    rows = session.execute(_RECENT, {
        "account_id": account.id, "current_id": current_id or 0,
        "created_after": now - remember_for, "seen_after": now - idle_for, "limit": limit,
    }).all()
    shown = [
        ActiveSession(id=r.id, device=r.user_agent, ip_address=r.ip_address,
                      created_at=r.created_at, last_seen_at=r.last_seen_at,
                      is_remembered=r.is_remembered, is_current=r.id == current_id)
        for r, _ in rows
    ]
    return Devices(shown=shown, total=rows[0].total if rows else 0)


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
            ("Windows", "Windows"), ("Mac OS X", "Mac"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))
_SAFE = re.compile(r"[^\w ./()-]")


def describe_user_agent(user_agent: str) -> str:
    """A short "browser on system" summary (e.g. "Chrome on Windows") of a User-Agent."""
    user_agent = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} / {system}"
    if browser or system:
        return browser or system
    return _SAFE.sub("", user_agent)[:60]
