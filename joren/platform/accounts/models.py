"""The global account: one per person, whatever communities they belong to."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import String
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

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def __repr__(self) -> str:
        return f"<Account {self.id}>"
