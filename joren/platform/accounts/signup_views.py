"""Sign-up and confirming the address: the emailed verification link."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from joren.platform.accounts import limits, pages, services
from joren.platform.accounts.forms import EmailOnlyForm, MagicConfirmForm, SignupForm
from joren.platform.accounts.signin import sign_in
from joren.platform.db import db
from joren.platform.i18n import current_language

# A secret of the browser that signed up (in its signed session cookie): a verification link
# opened in that browser keeps the password chosen there (services.confirm_address).
SIGNUP_KEY = "signup_key"
SIGNUP_EMAIL = "signup_email"


def signup_key() -> str:
    key = session.get(SIGNUP_KEY)
    if not isinstance(key, str) or not key:
        key = secrets.token_urlsafe(24)
        session[SIGNUP_KEY] = key
    return key


@limits.limited_per_ip_and_email()
def signup() -> Any:
    """The answer is the same whether or not the address has an account (issue 11, #8)."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(pages.destination(pages.me(), pages.requested_next()))
    form = SignupForm(language=current_language(), next=pages.requested_next())
    if form.validate_on_submit():
        _account, kind = services.sign_up(
            db.session, email=form.email.data, display_name=form.display_name.data,
            password=form.password.data, language=form.language.data,
        )
        services.request_email(db.session, kind, form.email.data, form.language.data,
                               browser=services.browser_tag(signup_key()))
        db.session.commit()
        session[SIGNUP_EMAIL] = form.email.data
        return redirect(url_for("accounts.check_email", next=form.safe_next()))
    return render_template("accounts/signup.html", form=form)


def check_email() -> Any:
    if current_user.is_authenticated and current_user.is_verified:
        return redirect(pages.destination(pages.me(), pages.requested_next()))
    email = current_user.email if current_user.is_authenticated else session.get(SIGNUP_EMAIL)
    form = EmailOnlyForm(formdata=None, email=email or "", next=pages.requested_next())
    return render_template("accounts/check_email.html", next_url=pages.requested_next(),
                           email=email, form=form)


@limits.limited_per_ip_and_email()
def resend_signup() -> Any:
    """Send the confirmation link again to an address (same answer for any address)."""
    form = EmailOnlyForm()
    if not form.validate():
        flash(_("Enter a valid email address, like name@example.com."), "danger")
        return redirect(url_for("accounts.check_email", next=form.safe_next()))
    services.request_email(db.session, "verify_again", form.email.data, pages.email_language(),
                           browser=services.browser_tag(signup_key()))
    db.session.commit()
    session[SIGNUP_EMAIL] = form.email.data
    flash(_("If %(email)s has an account waiting for confirmation, we sent it a new link.",
            email=form.email.data), "success")
    return redirect(url_for("accounts.check_email", next=form.safe_next()))


def verify(token: str) -> Any:
    """Confirm an address. Opened in the browser that signed up, the link works at once and
    keeps the password chosen there; anywhere else it asks for a click (mail scanners fetch
    links), then removes any password set before confirmation and ends every session."""
    form = MagicConfirmForm()
    try:
        account, by_registrant = services.check_verify_link(db.session, token,
                                                            session.get(SIGNUP_KEY))
    except services.LinkError as error:
        return pages.link_problem(error.problem, "verify")
    if account.is_verified:
        flash(_("Your email address was already confirmed."), "info")
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", email=account.email))
        if current_user.id != account.id:
            return redirect(url_for("accounts.account"))
        return redirect(pages.destination(account))
    if not by_registrant and not form.validate_on_submit():
        return render_template("accounts/verify_confirm.html", form=form, account=account)
    had_password = bool(account.password_hash)
    offers = services.mark_verified(db.session, account, by_registrant=by_registrant)
    sign_in(account, remember=bool(form.remember.data))
    db.session.commit()
    session.pop(SIGNUP_KEY, None)
    flash(_("Thank you. Your email address is confirmed."), "success")
    return pages.after_proving_address(account, had_password, offers)


@login_required
@limits.limited_per_ip_and_email(limits.account_email_key)
def resend_verification() -> Any:
    if current_user.is_verified:
        flash(_("Your email address is already confirmed."), "info")
    else:
        account = pages.me()
        services.send_verification(db.session, account, pages.email_language(account))
        db.session.commit()
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email),
              "success")
    return redirect(pages.requested_next() or url_for("accounts.check_email"))


def register(bp: Blueprint) -> None:
    """Add these pages to the accounts blueprint (views.py)."""
    bp.add_url_rule("/signup", view_func=signup, methods=["GET", "POST"])
    bp.add_url_rule("/signup/check-email", view_func=check_email, methods=["GET"])
    bp.add_url_rule("/signup/resend", view_func=resend_signup, methods=["POST"])
    bp.add_url_rule("/verify/<token>", view_func=verify, methods=["GET", "POST"])
    bp.add_url_rule("/account/verify/resend", view_func=resend_verification, methods=["POST"])
