"""Start and end a signed-in session (the Flask side of accounts)."""

from __future__ import annotations

from flask import session as flask_session
from flask_login import login_user, logout_user

from joren.platform.accounts.models import Account
from joren.platform.db import utcnow


def sign_in(account: Account, remember: bool = False) -> None:
    """Sign ``account`` in on this browser; the caller commits the session."""
    login_user(account, remember=remember)
    account.last_login_at = utcnow()
    if account.language:
        flask_session["language"] = account.language


def sign_out() -> None:
    logout_user()
