"""Platform pages that belong to no feature: landing, language switch, health and errors."""

from __future__ import annotations

import contextlib
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from joren.platform.db import db
from joren.platform.i18n import LANGUAGES
from joren.platform.security import is_safe_next

bp = Blueprint("web", __name__)


@bp.get("/")
def landing() -> Any:
    return render_template("public/landing.html")


@bp.post("/language")
def switch_language() -> Any:
    """Remember the chosen language: on the account when signed in, else in the session."""
    language = request.form.get("language", "")
    if language in LANGUAGES:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.language = language
            db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if is_safe_next(target) else url_for("web.landing"))


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Any:
    """Ready when the database answers. Redis is reported but does not decide: without it
    sign-in, registration and everything else still work (rate limits fall back to memory, jobs
    wait in the database), so a Redis outage must not pull every web process out of service."""
    database = _database_check()
    redis = _redis_check()
    ok = database == "ok"
    status = ("ok" if redis in {"ok", "embedded"} else "degraded") if ok else "unavailable"
    return jsonify(status=status, checks={"database": database, "redis": redis}), (
        200 if ok else 503)


@bp.get("/readyz/redis")
def readyz_redis() -> Any:
    """Redis alone, for a monitor (or a worker's probe) that cares about the queues."""
    redis = _redis_check()
    ok = redis in {"ok", "embedded"}
    return jsonify(status="ok" if ok else "unavailable", checks={"redis": redis}), (
        200 if ok else 503)


def _database_check() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure
        return type(exc).__name__
    return "ok"


def _redis_check() -> str:
    try:
        current_app.extensions["rq"].get_queue().connection.ping()
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__
    return "ok" if current_app.config["REDIS_URL"] else "embedded"


ERROR_TITLES = {
    400: lambda: _("The request could not be understood"),
    403: lambda: _("You do not have access to this page"),
    404: lambda: _("Page not found"),
    405: lambda: _("This action is not allowed here"),
    413: lambda: _("The upload is too large"),
    429: lambda: _("Too many attempts. Please wait a moment and try again."),
    500: lambda: _("Something went wrong on our side"),
}


def _render_error(code: int, detail: str | None = None) -> Any:
    title = ERROR_TITLES.get(code, ERROR_TITLES[500])()
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        return _render_error(
            400, _("This form has expired or was not sent from Joren. Please go back, "
                   "reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if request.path.startswith(("/healthz", "/readyz")) or request.accept_mimetypes.best == (
            "application/json"
        ):
            return jsonify(error=error.name), error.code
        return _render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("unhandled error on %s", request.path)
        with contextlib.suppress(Exception):  # the error page must render regardless
            db.session.rollback()
        g.pop("community", None)
        return _render_error(500)
