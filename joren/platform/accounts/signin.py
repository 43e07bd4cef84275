"""Start and end a signed-in session (the Flask side of accounts and accounts.sessions)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request
from flask import session as flask_session
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import Session

from joren.platform.accounts import sessions
from joren.platform.db import db, utcnow
from joren.platform.identity.account import Account


def lifetimes() -> dict[str, timedelta]:
    """The ``remember_for`` and ``idle_for`` of accounts.sessions, from the config."""
    return {"remember_for": current_app.config["REMEMBER_COOKIE_DURATION"],
            "idle_for": current_app.config["ACCOUNT_SESSION_IDLE_TIMEOUT"]}


def sign_in(account: Account, remember: bool = False) -> None:
    """Sign ``account`` in on this browser with a new session record; the caller commits.

    A browser already signed in (as anyone) gives up its previous session record first.
    """
    end_current_session(db.session)
    sessions.start_session(
        db.session, account, now=utcnow(), remember=remember,
        user_agent=request.headers.get("User-Agent", ""), ip_address=request.remote_addr or "",
    )
    login_user(account, remember=remember)
    account.last_login_at = utcnow()
    if account.language:
        flask_session["language"] = account.language


def end_current_session(session: Session) -> None:
    """Revoke the session record this browser is signed in with, if any (no commit)."""
    if current_user.is_authenticated and current_user.current_session_id:
        sessions.revoke_session(session, current_user._get_current_object(),
                                current_user.current_session_id, utcnow())


def sign_out() -> None:
    """Sign this browser out and revoke its session record, so a copied cookie stops working."""
    end_current_session(db.session)
    db.session.commit()
    logout_user()
