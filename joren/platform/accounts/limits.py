"""Rate limits of the account pages: per client address, per submitted address, and wrong
passwords counted so that a guesser locks out themselves rather than the owner."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from joren.platform.accounts import services
from joren.platform.extensions import limiter

PER_EMAIL_LIMIT = "5 per minute;30 per hour"
# Wrong passwords for one address from one client address.
FAILURES_PER_ADDRESS_AND_IP = "5 per minute;30 per hour"


def _login_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _submitted_email_key() -> str:
    email = services.normalize_email(request.form.get("email", ""))[:320]
    return f"email:{email}" if email else f"ip:{get_remote_address()}"


def account_email_key() -> str:
    if current_user.is_authenticated:
        return f"email:{current_user.email}"
    return f"ip:{get_remote_address()}"


def limited_per_ip_and_email(key_func: Any = _submitted_email_key) -> Any:
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


def limited_password_guesses(key_func: Any = _submitted_email_key) -> Any:
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
