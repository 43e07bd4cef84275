"""What the account pages share: the signed-in account, where a person lands after signing
in or proving their address, the language of account emails and the answer to a bad link."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from joren.platform.accounts.memberships import (
    landing_after_sign_in,
    list_memberships,
    offer_community_names,
)
from joren.platform.db import db
from joren.platform.i18n import current_language
from joren.platform.identity.account import Account
from joren.platform.membership.models import Invitation
from joren.platform.security import is_safe_next


def me() -> Account:
    """The signed-in account itself, not flask-login's proxy (which must not be stored)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def requested_next() -> str | None:
    value = request.values.get("next")
    return value if is_safe_next(value) else None


def destination(account: Account, next_url: str | None = None,
                offers: list[Invitation] | None = None) -> str:
    if is_safe_next(next_url):
        return str(next_url)
    if offers:
        return url_for("accounts.account", _anchor="invitations")
    memberships = list_memberships(db.session, account.id)
    endpoint, values = landing_after_sign_in(memberships, account)
    return url_for(endpoint, **values)


def flash_offers(offers: list[Invitation]) -> None:
    """Say which communities have the person on their list (they answer on the account page)."""
    if not offers:
        return
    names = offer_community_names(db.session, offers)
    for name in names:
        flash(_("%(name)s has added you as a member. Accept or decline on your account page.",
                name=name), "info")


def after_proving_address(account: Account, had_password: bool, offers: list[Invitation],
                          next_url: str | None = None) -> Any:
    """Where a link that proved the address leads: the account page to set a password when
    one chosen before the proof was removed (issue 11, #2), else the usual destination."""
    flash_offers(offers)
    if had_password and not account.password_hash:
        flash(_("To protect your account, a password chosen before your address was confirmed "
                "has been removed. Set a new one below."), "warning")
        return redirect(url_for("accounts.account", _anchor="password"))
    return redirect(destination(account, next_url, offers))


def email_language(account: Account | None = None) -> str:
    return (account.language if account and account.language else None) or current_language()


def link_problem(problem: str, kind: str, status: int = 400) -> Any:
    return render_template("accounts/link_problem.html", problem=problem, kind=kind), status


def remember_cookie_present() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
