"""The global account: one per person, whatever communities they belong to."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class Account(Timestamped, Base):
    __tablename__ = "accounts"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(5))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Rotated to sign the person out everywhere: it is part of the flask-login id, so every
    # session and remember cookie that carries the old value stops being accepted.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # Rotated whenever a magic link is used, so each emailed link works once.
    login_nonce: Mapped[str] = mapped_column(String(64), default=new_session_token)
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The person asked to delete the account (tenants/privacy/accounts.py): it is deleted
    # when the grace period has passed, unless they cancel first.
    deletion_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    # The signed-in session this object was loaded for (set by the login code and the
    # user_loader, never stored): flask-login's id is that AccountSession's "id:secret".
    login_id = None  # str | None (unannotated: not a mapped column)
    current_session_id = None  # int | None

    def get_id(self) -> str:
        # Without a session record (accounts.signin.sign_in makes one) the id names no
        # session, and the user_loader turns it down.
        return self.login_id or f"no-session:{self.id}"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def __repr__(self) -> str:
        return f"<Account {self.id}>"


class AccountSession(Base):
    """One signed-in browser: what the session and remember cookies point to.

    The cookies carry ``"<id>:<secret>"``; only a SHA-256 of the secret is stored, so a
    copy of this table signs nobody in. Signing out revokes the row, which is what makes a
    copied cookie stop working. A platform table: an account spans communities.
    """

    __tablename__ = "account_sessions"

    id: Mapped[intpk]
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_agent: Mapped[str] = mapped_column(String(120), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    is_remembered: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<AccountSession {self.id} of account {self.account_id}>"
