"""A forgotten password: asking for a reset link and setting a new password with it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from joren.platform.accounts import limits, pages, services
from joren.platform.accounts.forms import EmailOnlyForm, ResetPasswordForm
from joren.platform.accounts.signin import sign_in
from joren.platform.db import db


@limits.limited_per_ip_and_email()
def forgot_password() -> Any:
    email = request.args.get("email", "")[:320]
    if current_user.is_authenticated and not email:
        email = current_user.email
    form = EmailOnlyForm(email=email)
    if form.validate_on_submit():
        services.request_email(db.session, "reset", form.email.data, pages.email_language())
        db.session.commit()
        return render_template("accounts/link_sent.html", kind="reset", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


def reset_password(token: str) -> Any:
    try:
        account = services.check_reset_link(db.session, token)
    except services.LinkError as error:
        return pages.link_problem(error.problem, "reset")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        account, offers = services.reset_password(db.session, token, form.password.data)
        sign_in(account, remember=pages.remember_cookie_present())
        db.session.commit()
        flash(_("Your new password is saved, and you are signed in."), "success")
        pages.flash_offers(offers)
        return redirect(pages.destination(account, None, offers))
    return render_template("accounts/reset_password.html", form=form, account=account)


def register(bp: Blueprint) -> None:
    """Add these pages to the accounts blueprint (views.py)."""
    bp.add_url_rule("/password/forgot", view_func=forgot_password, methods=["GET", "POST"])
    bp.add_url_rule("/password/reset/<token>", view_func=reset_password, methods=["GET", "POST"])
