"""Sign up, sign in (password or emailed link), sign out, password reset and the account page."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.local import LocalProxy

from joren.platform.accounts import services
from joren.platform.accounts.forms import (
    ChangePasswordForm,
    EmailOnlyForm,
    LoginForm,
    MagicConfirmForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from joren.platform.accounts.models import Account
from joren.platform.accounts.signin import sign_in, sign_out
from joren.platform.db import db
from joren.platform.extensions import limiter
from joren.platform.i18n import current_language
from joren.platform.security import is_safe_next
from joren.tenants.members.labels import ROLE_LABELS, STATUS_LABELS
from joren.tenants.members.models import Member

bp = Blueprint("accounts", __name__)

PER_EMAIL_LIMIT = "5 per minute;30 per hour"
# Pages whose URL carries a secret: never cached, never sent on as a Referer.
TOKEN_ENDPOINTS = {"accounts.verify", "accounts.reset_password", "accounts.magic_login"}


# Rate limits -----------------------------------------------------------------------------------

def _login_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _submitted_email_key() -> str:
    email = services.normalize_email(request.form.get("email", ""))[:320]
    return f"email:{email}" if email else f"ip:{get_remote_address()}"


def _account_email_key() -> str:
    if current_user.is_authenticated:
        return f"email:{current_user.email}"
    return f"ip:{get_remote_address()}"


def _limited_per_ip_and_email(key_func: Any = _submitted_email_key) -> Any:
    """Per-IP limit (config LOGIN_RATE_LIMIT) plus a per-address limit, on POST only."""

    def decorate(view: Any) -> Any:
        view = limiter.limit(PER_EMAIL_LIMIT, key_func=key_func, methods=["POST"])(view)
        return limiter.limit(_login_rate_limit, methods=["POST"])(view)

    return decorate


# Helpers ---------------------------------------------------------------------------------------

def _me() -> Account:
    """The signed-in account itself, not flask-login's proxy (which must not be stored)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _requested_next() -> str | None:
    value = request.values.get("next")
    return value if is_safe_next(value) else None


def _destination(account: Account, next_url: str | None = None) -> str:
    if is_safe_next(next_url):
        return str(next_url)
    memberships = services.list_memberships(db.session, account.id)
    endpoint, values = services.landing_after_sign_in(memberships, account)
    return url_for(endpoint, **values)


def _flash_claimed(claimed: list[Member]) -> None:
    if claimed:
        flash(ngettext("You joined %(num)d community.", "You joined %(num)d communities.",
                       len(claimed)), "success")


def _email_language(account: Account | None = None) -> str:
    return (account.language if account and account.language else None) or current_language()


def _link_problem(problem: str, kind: str, status: int = 400) -> Any:
    return render_template("accounts/link_problem.html", problem=problem, kind=kind), status


def _remember_cookie_present() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


@bp.after_request
def _protect_token_pages(response: Any) -> Any:
    if request.endpoint in TOKEN_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


# Sign up and verification ----------------------------------------------------------------------

@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Any:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_destination(_me(), _requested_next()))
    form = SignupForm(language=current_language(), next=_requested_next())
    email_taken = False
    if form.validate_on_submit():
        try:
            account = services.register_account(
                db.session, email=form.email.data, display_name=form.display_name.data,
                password=form.password.data, language=form.language.data,
            )
        except services.EmailTaken:
            email_taken = True
            form.email.errors.append(_("An account with this email address already exists. "
                                       "Sign in, or reset your password if you forgot it."))
        else:
            services.send_verification(db.session, account, _email_language(account))
            sign_in(account)
            db.session.commit()
            return redirect(url_for("accounts.check_email", next=form.safe_next()))
    return render_template("accounts/signup.html", form=form, email_taken=email_taken)


@bp.get("/signup/check-email")
@login_required
def check_email() -> Any:
    if current_user.is_verified:
        return redirect(_destination(_me(), _requested_next()))
    return render_template("accounts/check_email.html", next_url=_requested_next())


@bp.get("/verify/<token>")
def verify(token: str) -> Any:
    try:
        account, claimed, already = services.verify_email(db.session, token)
    except services.LinkError as error:
        return _link_problem(error.problem, "verify")
    db.session.commit()
    if already:
        flash(_("Your email address was already confirmed."), "info")
    else:
        flash(_("Thank you. Your email address is confirmed."), "success")
    _flash_claimed(claimed)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", email=account.email))
    if current_user.id != account.id:  # confirmed someone else's address from this browser
        return redirect(url_for("accounts.account"))
    return redirect(_destination(account))


@bp.post("/account/verify/resend")
@login_required
@_limited_per_ip_and_email(_account_email_key)
def resend_verification() -> Any:
    if current_user.is_verified:
        flash(_("Your email address is already confirmed."), "info")
    else:
        account = _me()
        services.send_verification(db.session, account, _email_language(account))
        db.session.commit()
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email),
              "success")
    return redirect(_requested_next() or url_for("accounts.check_email"))


# Sign in and out -------------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@_limited_per_ip_and_email()
def login() -> Any:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_destination(_me(), _requested_next()))
    form = LoginForm(next=_requested_next(), email=request.args.get("email", "")[:320])
    if form.validate_on_submit():
        account = services.authenticate(db.session, form.email.data, form.password.data)
        if account is not None:
            sign_in(account, remember=form.remember.data)
            db.session.commit()
            return redirect(_destination(account, form.safe_next()))
        form.form_errors.append(_("The email address or password is not correct."))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Any:
    if current_user.is_authenticated:
        sign_out()
        flash(_("You are signed out."), "info")
    return redirect(_requested_next() or url_for("web.landing"))


@bp.route("/login/email", methods=["GET", "POST"])
@_limited_per_ip_and_email()
def magic_request() -> Any:
    form = EmailOnlyForm(next=_requested_next(), email=request.args.get("email", "")[:320])
    if form.validate_on_submit():
        services.request_magic_link(db.session, form.email.data, _email_language(),
                                    form.safe_next())
        db.session.commit()
        return render_template("accounts/link_sent.html", kind="magic", email=form.email.data)
    return render_template("accounts/magic_request.html", form=form)


@bp.route("/login/email/<token>", methods=["GET", "POST"])
def magic_login(token: str) -> Any:
    # GET only shows a button: mail scanners fetch links, and must not use them up.
    form = MagicConfirmForm()
    try:
        if form.validate_on_submit():
            account, next_url, claimed = services.consume_magic_link(db.session, token)
        else:
            account, _next = services.check_magic_link(db.session, token)
            return render_template("accounts/magic_confirm.html", form=form, account=account)
    except services.LinkError as error:
        return _link_problem(error.problem, "magic")
    sign_in(account, remember=form.remember.data)
    db.session.commit()
    flash(_("You are signed in."), "success")
    _flash_claimed(claimed)
    return redirect(_destination(account, next_url))


# Forgotten password ----------------------------------------------------------------------------

@bp.route("/password/forgot", methods=["GET", "POST"])
@_limited_per_ip_and_email()
def forgot_password() -> Any:
    email = request.args.get("email", "")[:320]
    if current_user.is_authenticated and not email:
        email = current_user.email
    form = EmailOnlyForm(email=email)
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.email.data, _email_language())
        db.session.commit()
        return render_template("accounts/link_sent.html", kind="reset", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    try:
        account = services.check_reset_link(db.session, token)
    except services.LinkError as error:
        return _link_problem(error.problem, "reset")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        account, claimed = services.reset_password(db.session, token, form.password.data)
        sign_in(account, remember=_remember_cookie_present())
        db.session.commit()
        flash(_("Your new password is saved, and you are signed in."), "success")
        _flash_claimed(claimed)
        return redirect(_destination(account))
    return render_template("accounts/reset_password.html", form=form, account=account)


# The account page ------------------------------------------------------------------------------

def _render_account(profile: ProfileForm | None = None,
                    password: ChangePasswordForm | None = None) -> Any:
    account = _me()
    profile = profile or ProfileForm(
        formdata=None, display_name=account.display_name,
        language=account.language or current_language(),
    )
    password = password or ChangePasswordForm(
        formdata=None, needs_current=bool(account.password_hash)
    )
    memberships = services.list_memberships(db.session, account.id)
    return render_template(
        "accounts/account.html", profile_form=profile, password_form=password,
        memberships=memberships, role_labels=ROLE_LABELS, status_labels=STATUS_LABELS,
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Any:
    if request.method == "GET":
        return _render_account()
    form = ProfileForm()
    if not form.validate():
        return _render_account(profile=form)
    services.update_profile(_me(), display_name=form.display_name.data,
                            language=form.language.data)
    db.session.commit()
    session["language"] = form.language.data
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/password")
@login_required
@_limited_per_ip_and_email(_account_email_key)  # a borrowed session must not guess passwords
def change_password() -> Any:
    account = _me()
    form = ChangePasswordForm(needs_current=bool(account.password_hash))
    if not form.validate():
        return _render_account(password=form)
    current = form.current_password.data if form.needs_current else ""
    try:
        services.change_password(account, current, form.password.data)
    except services.WrongPassword:
        form.current_password.errors.append(_("Your current password is not correct."))
        return _render_account(password=form)
    sign_in(account, remember=_remember_cookie_present())
    db.session.commit()
    flash(_("Your password is changed. Other devices have been signed out."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Any:
    services.sign_out_everywhere(_me())
    db.session.commit()
    sign_out()
    flash(_("You are signed out on every device, including this one."), "info")
    return redirect(url_for("accounts.login"))


# The community switcher in the navbar ----------------------------------------------------------

def _my_communities() -> list[services.Membership]:
    """The signed-in person's active communities, loaded on first use and kept for the request.

    A separate short-lived session keeps this cross-community read away from the request's
    own session, which the edge may have bound to one community.
    """
    if "my_communities" not in g:
        if not current_user.is_authenticated:
            g.my_communities = []
        else:
            try:
                with db.sessionmaker() as own:
                    g.my_communities = [
                        m for m in services.list_memberships(own, current_user.id) if m.is_active
                    ]
            except SQLAlchemyError:  # the navbar must not take the page (or error page) down
                current_app.logger.exception("could not list the communities for the navbar")
                g.my_communities = []
    return g.my_communities


@bp.app_context_processor
def _inject_my_communities() -> dict[str, Any]:
    return {"my_communities": LocalProxy(_my_communities)}

