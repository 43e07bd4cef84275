"""Sign up, sign in (password or emailed link), sign out, password reset and the account page."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    abort,
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
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.local import LocalProxy

from joren.platform.accounts import services, sessions
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
from joren.platform.accounts.signin import lifetimes, sign_in, sign_out
from joren.platform.communities.models import Community
from joren.platform.db import db, utcnow
from joren.platform.extensions import limiter
from joren.platform.i18n import current_language
from joren.platform.membership.invitations import InvitationError, accept_invitation
from joren.platform.membership.labels import ROLE_LABELS, STATUS_LABELS
from joren.platform.membership.models import Invitation
from joren.platform.membership.offers import (
    decline_offer,
    offered_invitation,
    pending_offers,
)
from joren.platform.security import is_safe_next

bp = Blueprint("accounts", __name__)

PER_EMAIL_LIMIT = "5 per minute;30 per hour"
# A secret of the browser that signed up (in its signed session cookie): a verification link
# opened in that browser keeps the password chosen there (services.confirm_address).
SIGNUP_KEY = "signup_key"
SIGNUP_EMAIL = "signup_email"
# Wrong passwords for one address from one client address.
FAILURES_PER_ADDRESS_AND_IP = "5 per minute;30 per hour"


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


def _failures_per_address() -> str:
    return str(current_app.config["LOGIN_FAILURES_PER_ADDRESS"])


def _password_failed(_response: Any) -> bool:
    return bool(g.get("password_failed"))


def _with_client_address(key_func: Any) -> Any:
    return lambda: f"{key_func()}|ip:{get_remote_address()}"


def _limited_password_guesses(key_func: Any = _submitted_email_key) -> Any:
    """Every POST counts against the client address (LOGIN_RATE_LIMIT); only wrong passwords
    count against the account's address, per client address and (much higher) overall.

    So someone guessing another person's password locks out themselves, not the owner, who
    signs in with the right password from their own address; a guesser spread over many
    addresses still stops at LOGIN_FAILURES_PER_ADDRESS (the emailed sign-in link still works).
    A view marks a wrong password with ``g.password_failed = True``.
    """

    def decorate(view: Any) -> Any:
        view = limiter.limit(_failures_per_address, key_func=key_func, methods=["POST"],
                             deduct_when=_password_failed)(view)
        view = limiter.limit(FAILURES_PER_ADDRESS_AND_IP, key_func=_with_client_address(key_func),
                             methods=["POST"], deduct_when=_password_failed)(view)
        return limiter.limit(_login_rate_limit, methods=["POST"])(view)

    return decorate


# Helpers ---------------------------------------------------------------------------------------

def _me() -> Account:
    """The signed-in account itself, not flask-login's proxy (which must not be stored)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _requested_next() -> str | None:
    value = request.values.get("next")
    return value if is_safe_next(value) else None


def _destination(account: Account, next_url: str | None = None,
                 offers: list[Invitation] | None = None) -> str:
    if is_safe_next(next_url):
        return str(next_url)
    if offers:
        return url_for("accounts.account", _anchor="invitations")
    memberships = services.list_memberships(db.session, account.id)
    endpoint, values = services.landing_after_sign_in(memberships, account)
    return url_for(endpoint, **values)


def _flash_offers(offers: list[Invitation]) -> None:
    """Say which communities have the person on their list (they answer on the account page)."""
    if not offers:
        return
    names = services.offer_community_names(db.session, offers)
    for name in names:
        flash(_("%(name)s has added you as a member. Accept or decline on your account page.",
                name=name), "info")


def _after_proving_address(account: Account, had_password: bool, offers: list[Invitation],
                           next_url: str | None = None) -> Any:
    """Where a link that proved the address leads: the account page to set a password when
    one chosen before the proof was removed (issue 11, #2), else the usual destination."""
    _flash_offers(offers)
    if had_password and not account.password_hash:
        flash(_("To protect your account, a password chosen before your address was confirmed "
                "has been removed. Set a new one below."), "warning")
        return redirect(url_for("accounts.account", _anchor="password"))
    return redirect(_destination(account, next_url, offers))


def _signup_key() -> str:
    key = session.get(SIGNUP_KEY)
    if not isinstance(key, str) or not key:
        key = secrets.token_urlsafe(24)
        session[SIGNUP_KEY] = key
    return key


def _email_language(account: Account | None = None) -> str:
    return (account.language if account and account.language else None) or current_language()


def _link_problem(problem: str, kind: str, status: int = 400) -> Any:
    return render_template("accounts/link_problem.html", problem=problem, kind=kind), status


def _remember_cookie_present() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


# Sign up and verification ----------------------------------------------------------------------

@bp.route("/signup", methods=["GET", "POST"])
@_limited_per_ip_and_email()
def signup() -> Any:
    """The answer is the same whether or not the address has an account (issue 11, #8)."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_destination(_me(), _requested_next()))
    form = SignupForm(language=current_language(), next=_requested_next())
    if form.validate_on_submit():
        _account, kind = services.sign_up(
            db.session, email=form.email.data, display_name=form.display_name.data,
            password=form.password.data, language=form.language.data,
        )
        services.request_email(db.session, kind, form.email.data, form.language.data,
                               browser=services.browser_tag(_signup_key()))
        db.session.commit()
        session[SIGNUP_EMAIL] = form.email.data
        return redirect(url_for("accounts.check_email", next=form.safe_next()))
    return render_template("accounts/signup.html", form=form)


@bp.get("/signup/check-email")
def check_email() -> Any:
    if current_user.is_authenticated and current_user.is_verified:
        return redirect(_destination(_me(), _requested_next()))
    email = current_user.email if current_user.is_authenticated else session.get(SIGNUP_EMAIL)
    form = EmailOnlyForm(formdata=None, email=email or "", next=_requested_next())
    return render_template("accounts/check_email.html", next_url=_requested_next(),
                           email=email, form=form)


@bp.post("/signup/resend")
@_limited_per_ip_and_email()
def resend_signup() -> Any:
    """Send the confirmation link again to an address (same answer for any address)."""
    form = EmailOnlyForm()
    if not form.validate():
        flash(_("Enter a valid email address, like name@example.com."), "danger")
        return redirect(url_for("accounts.check_email", next=form.safe_next()))
    services.request_email(db.session, "verify_again", form.email.data, _email_language(),
                           browser=services.browser_tag(_signup_key()))
    db.session.commit()
    session[SIGNUP_EMAIL] = form.email.data
    flash(_("If %(email)s has an account waiting for confirmation, we sent it a new link.",
            email=form.email.data), "success")
    return redirect(url_for("accounts.check_email", next=form.safe_next()))


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str) -> Any:
    """Confirm an address. Opened in the browser that signed up, the link works at once and
    keeps the password chosen there; anywhere else it asks for a click (mail scanners fetch
    links), then removes any password set before confirmation and ends every session."""
    form = MagicConfirmForm()
    try:
        account, by_registrant = services.check_verify_link(db.session, token,
                                                            session.get(SIGNUP_KEY))
    except services.LinkError as error:
        return _link_problem(error.problem, "verify")
    if account.is_verified:
        flash(_("Your email address was already confirmed."), "info")
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", email=account.email))
        if current_user.id != account.id:
            return redirect(url_for("accounts.account"))
        return redirect(_destination(account))
    if not by_registrant and not form.validate_on_submit():
        return render_template("accounts/verify_confirm.html", form=form, account=account)
    had_password = bool(account.password_hash)
    offers = services.mark_verified(db.session, account, by_registrant=by_registrant)
    sign_in(account, remember=bool(form.remember.data))
    db.session.commit()
    session.pop(SIGNUP_KEY, None)
    flash(_("Thank you. Your email address is confirmed."), "success")
    return _after_proving_address(account, had_password, offers)


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
@_limited_password_guesses()
def login() -> Any:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_destination(_me(), _requested_next()))
    form = LoginForm(next=_requested_next(), email=request.args.get("email", "")[:320])
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
            _flash_offers(offers)
            return redirect(_destination(account, form.safe_next(), offers))
        else:
            g.password_failed = True
            form.form_errors.append(_("The email address or password is not correct."))
    return render_template("accounts/login.html", form=form, unverified=unverified)


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
        services.request_email(db.session, "magic", form.email.data, _email_language(),
                               next_url=form.safe_next())
        db.session.commit()
        return render_template("accounts/link_sent.html", kind="magic", email=form.email.data)
    return render_template("accounts/magic_request.html", form=form)


@bp.route("/login/email/<token>", methods=["GET", "POST"])
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
        return _link_problem(error.problem, "magic")
    sign_in(account, remember=form.remember.data)
    db.session.commit()
    flash(_("You are signed in."), "success")
    return _after_proving_address(account, had_password, offers, next_url)


# Forgotten password ----------------------------------------------------------------------------

@bp.route("/password/forgot", methods=["GET", "POST"])
@_limited_per_ip_and_email()
def forgot_password() -> Any:
    email = request.args.get("email", "")[:320]
    if current_user.is_authenticated and not email:
        email = current_user.email
    form = EmailOnlyForm(email=email)
    if form.validate_on_submit():
        services.request_email(db.session, "reset", form.email.data, _email_language())
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
        account, offers = services.reset_password(db.session, token, form.password.data)
        sign_in(account, remember=_remember_cookie_present())
        db.session.commit()
        flash(_("Your new password is saved, and you are signed in."), "success")
        _flash_offers(offers)
        return redirect(_destination(account, None, offers))
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
    now = utcnow()
    return render_template(
        "accounts/account.html", profile_form=profile, password_form=password,
        memberships=memberships, role_labels=ROLE_LABELS, status_labels=STATUS_LABELS,
        offers=pending_offers(db.session, account, now),
        devices=sessions.active_sessions(db.session, account, now=now,
                                         current_id=account.current_session_id, **lifetimes()),
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
        services.change_password(db.session, account, current, form.password.data,
                                 keep_session=account.current_session_id)
    except services.WrongPassword:
        form.current_password.errors.append(_("Your current password is not correct."))
        return _render_account(password=form)
    db.session.commit()
    flash(_("Your password is changed. Other devices have been signed out."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Any:
    services.sign_out_everywhere(db.session, _me())
    db.session.commit()
    logout_user()
    flash(_("You are signed out on every device, including this one."), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/account/sessions/<int:session_id>/revoke")
@login_required
def revoke_session(session_id: int) -> Any:
    """Sign one of the person's devices out; another account's session answers 404."""
    account = _me()
    if not sessions.revoke_session(db.session, account, session_id, utcnow()):
        abort(404)
    db.session.commit()
    if session_id == account.current_session_id:
        logout_user()
        flash(_("You are signed out."), "info")
        return redirect(url_for("accounts.login"))
    flash(_("That device is signed out."), "success")
    return redirect(url_for("accounts.account", _anchor="devices"))


@bp.post("/account/invitations/<int:invitation_id>/<any(accept, decline):answer>")
@login_required
def answer_invitation(invitation_id: int, answer: str) -> Any:
    """Accept or decline a community that has the person on its list (issue 11, #3)."""
    account = _me()
    invitation = offered_invitation(db.session, account, invitation_id, utcnow())
    if invitation is None:
        abort(404)
    name, slug = invitation_community(invitation)
    if answer == "decline":
        decline_offer(db.session, invitation, utcnow())
        db.session.commit()
        flash(_("You declined the invitation from %(name)s.", name=name), "info")
        return redirect(url_for("accounts.account", _anchor="invitations"))
    try:
        _account, member = accept_invitation(db.session, invitation, current_language(),
                                             signed_in=account)
    except InvitationError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(_("Welcome to %(name)s!", name=name), "success")
    endpoint = "community.console.dashboard" if member.is_staff else "community.portal.home"
    return redirect(url_for(endpoint, slug=slug))


def invitation_community(invitation: Invitation) -> tuple[str, str]:
    community = db.session.get(Community, invitation.tenant_id)
    return (community.name, community.slug) if community else ("", "")


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

