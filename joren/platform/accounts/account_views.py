"""The account page: profile and language, password, devices signed in, and the
communities that have the person on their list (answered in communities.views)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required, logout_user
from markupsafe import Markup

from joren.platform import pagecache
from joren.platform.accounts import limits, pages, services, sessions, switcher
from joren.platform.accounts.account_page import devices_and_offers
from joren.platform.accounts.forms import ChangePasswordForm, ProfileForm
from joren.platform.accounts.signin import lifetimes
from joren.platform.db import db, utcnow
from joren.platform.i18n import current_language
from joren.platform.membership.labels import ROLE_LABELS, STATUS_LABELS


def _render_account(profile: ProfileForm | None = None,
                    password: ChangePasswordForm | None = None) -> Any:
    account = pages.me()
    memberships = switcher.every_membership(db.session, account.id)
    # The devices and the offers (read across communities) in one statement of their own
    # when it can be (account_page).
    devices, offers = devices_and_offers(db.session, account, now=utcnow(),
                                         current_id=account.current_session_id,
                                         limit=sessions.DEVICES_SHOWN, **lifetimes())
    language = account.language or current_language()

    def body() -> str:
        return render_template(
            "accounts/_account_body.html",
            profile_form=profile or ProfileForm(
                formdata=None, display_name=account.display_name, language=language),
            password_form=password or ChangePasswordForm(
                formdata=None, needs_current=bool(account.password_hash)),
            memberships=memberships, role_labels=ROLE_LABELS, status_labels=STATUS_LABELS,
            offers=offers, devices=devices)

    if profile is None and password is None:
        # Everything the body shows, read on every view: rendered once per distinct inputs
        # (issue 14). The forms are the account's own values; a refused form is rendered.
        body_html = pagecache.html_by_inputs("accounts.account", (
            account.id, account.email, bool(account.is_verified),
            bool(account.password_hash), account.deletion_requested_at is not None,
            account.display_name, language, repr(memberships), repr(devices), repr(offers),
        ), body)
    else:
        body_html = Markup(body())  # noqa: S704 - Jinja's autoescaped output
    return render_template("accounts/account.html", body_html=body_html)


@login_required
def account() -> Any:
    if request.method == "GET":
        return _render_account()
    form = ProfileForm()
    if not form.validate():
        return _render_account(profile=form)
    services.update_profile(pages.me(), display_name=form.display_name.data,
                            language=form.language.data)
    db.session.commit()
    session["language"] = form.language.data
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("accounts.account"))


@login_required
# A borrowed session must not guess passwords.
@limits.limited_per_ip_and_email(limits.account_email_key)
def change_password() -> Any:
    account = pages.me()
    form = ChangePasswordForm(needs_current=bool(account.password_hash))
    if not form.validate():
        return _render_account(password=form)
    current = form.current_password.data if form.needs_current else ""
    try:
        services.change_password(db.session, account, current, form.password.data,
                                 keep_session=account.current_session_id)
    except services.WrongPassword:
        form.current_password.errors.append(_("Your current password is not correct."))
        return _render_account(password=form)
    db.session.commit()
    flash(_("Your password is changed. Other devices have been signed out."), "success")
    return redirect(url_for("accounts.account"))


@login_required
def sign_out_everywhere() -> Any:
    services.sign_out_everywhere(db.session, pages.me())
    db.session.commit()
    logout_user()
    flash(_("You are signed out on every device, including this one."), "info")
    return redirect(url_for("accounts.login"))


@login_required
def sign_out_other_devices() -> Any:
    """Every session of the account but this browser's ends (as a password change does)."""
    account = pages.me()
    if account.current_session_id is None:  # no record to keep: nothing tells this one apart
        abort(400)
    count = sessions.revoke_all(db.session, account, utcnow(), keep=account.current_session_id)
    db.session.commit()
    flash(ngettext("%(num)d other device is signed out.",
                   "%(num)d other devices are signed out.", count), "success")
    return redirect(url_for("accounts.account", _anchor="devices"))


@login_required
def revoke_session(session_id: int) -> Any:
    """Sign one of the person's devices out; another account's session answers 404."""
    account = pages.me()
    if not sessions.revoke_session(db.session, account, session_id, utcnow()):
        abort(404)
    db.session.commit()
    if session_id == account.current_session_id:
        logout_user()
        flash(_("You are signed out."), "info")
        return redirect(url_for("accounts.login"))
    flash(_("That device is signed out."), "success")
    return redirect(url_for("accounts.account", _anchor="devices"))


def register(bp: Blueprint) -> None:
    """Add these pages to the accounts blueprint (views.py)."""
    bp.add_url_rule("/account", view_func=account, methods=["GET", "POST"])
    bp.add_url_rule("/account/password", view_func=change_password, methods=["POST"])
    bp.add_url_rule("/account/sign-out-everywhere", view_func=sign_out_everywhere, methods=["POST"])
    bp.add_url_rule("/account/sessions/sign-out-others", view_func=sign_out_other_devices,
                    methods=["POST"])
    bp.add_url_rule("/account/sessions/<int:session_id>/revoke", view_func=revoke_session,
                    methods=["POST"])
