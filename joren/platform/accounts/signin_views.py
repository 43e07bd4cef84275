"""Signing in and out: with a password, or with a sign-in link sent by email."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from joren.platform.accounts import limits, pages, services
from joren.platform.accounts.forms import EmailOnlyForm, LoginForm, MagicConfirmForm
from joren.platform.accounts.signin import sign_in, sign_out
from joren.platform.db import db


@limits.limited_password_guesses()
def login() -> Any:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(pages.destination(pages.me(), pages.requested_next()))
    form = LoginForm(next=pages.requested_next(), email=request.args.get("email", "")[:320])
    unverified = False
    if form.validate_on_submit():
        account = services.authenticate(db.session, form.email.data, form.password.data)
        if account is not None and not account.is_verified:
            # Only someone who knows the password gets here, so this tells nobody else
            # anything; the password counts once the address is confirmed (issue 11, #2).
            db.session.commit()  # a rehashed password is kept
            unverified = True
            form.form_errors.append(_(
                "Please confirm your email address first: open the link we sent to "
                "%(email)s. We can send it again, or email you a sign-in link.",
                email=account.email))
        elif account is not None:
            offers = services.offers_at_sign_in(db.session, account)
            sign_in(account, remember=form.remember.data)
            db.session.commit()
            pages.flash_offers(offers)
            return redirect(pages.destination(account, form.safe_next(), offers))
        else:
            g.password_failed = True
            form.form_errors.append(_("The email address or password is not correct."))
    return render_template("accounts/login.html", form=form, unverified=unverified)


def logout() -> Any:
    if current_user.is_authenticated:
        sign_out()
        flash(_("You are signed out."), "info")
    return redirect(pages.requested_next() or url_for("web.landing"))


@limits.limited_per_ip_and_email()
def magic_request() -> Any:
    form = EmailOnlyForm(next=pages.requested_next(), email=request.args.get("email", "")[:320])
    if form.validate_on_submit():
        services.request_email(db.session, "magic", form.email.data, pages.email_language(),
                               next_url=form.safe_next())
        db.session.commit()
        return render_template("accounts/link_sent.html", kind="magic", email=form.email.data)
    return render_template("accounts/magic_request.html", form=form)


def magic_login(token: str) -> Any:
    # GET only shows a button: mail scanners fetch links, and must not use them up.
    form = MagicConfirmForm()
    try:
        if form.validate_on_submit():
            before = services.check_magic_link(db.session, token)[0]
            had_password = bool(before.password_hash)
            account, next_url, offers = services.consume_magic_link(db.session, token)
        else:
            account, _next = services.check_magic_link(db.session, token)
            return render_template("accounts/magic_confirm.html", form=form, account=account)
    except services.LinkError as error:
        return pages.link_problem(error.problem, "magic")
    sign_in(account, remember=form.remember.data)
    db.session.commit()
    flash(_("You are signed in."), "success")
    return pages.after_proving_address(account, had_password, offers, next_url)


def register(bp: Blueprint) -> None:
    """Add these pages to the accounts blueprint (views.py)."""
    bp.add_url_rule("/login", view_func=login, methods=["GET", "POST"])
    bp.add_url_rule("/logout", view_func=logout, methods=["POST"])
    bp.add_url_rule("/login/email", view_func=magic_request, methods=["GET", "POST"])
    bp.add_url_rule("/login/email/<token>", view_func=magic_login, methods=["GET", "POST"])
