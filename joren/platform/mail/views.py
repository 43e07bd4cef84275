"""Unsubscribe pages (RFC 8058 one-click included) and the captured-mail viewer for local runs."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from joren.platform.config import DEV_ENVIRONMENTS
from joren.platform.extensions import csrf, db
from joren.platform.i18n import LANGUAGES
from joren.platform.identity.community import Community
from joren.platform.inputs import int_arg
from joren.platform.mail.categories import category_label
from joren.platform.mail.mime import build_message
from joren.platform.mail.models import OutboxMessage
from joren.platform.mail.tokens import read_unsubscribe_token
from joren.platform.mail.unsubscribes import is_unsubscribed, record_unsubscribe

bp = Blueprint("mail", __name__)

PER_PAGE = 50
URL_PATTERN = re.compile(r"https?://[^\s<>\"']+")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients POST "List-Unsubscribe=One-Click" with no session and no token
def unsubscribe(token: str) -> Any:
    """GET: ask to confirm. POST (the button, or a mail client's one-click): stop the mail."""
    wanted = read_unsubscribe_token(token)
    if wanted is None:
        return render_template("mail/unsubscribe_invalid.html"), 404
    community = (
        db.session.get(Community, wanted.community_id) if wanted.community_id is not None else None
    )
    if request.method == "POST":
        record_unsubscribe(db.session, wanted.email, wanted.category, wanted.community_id)
        db.session.commit()
        state = "done"
    elif is_unsubscribed(db.session, wanted.email, wanted.category, wanted.community_id):
        state = "already"
    else:
        state = "confirm"
    with _in_language(wanted.language):
        return render_template(
            "mail/unsubscribe.html",
            state=state,
            email=wanted.email,
            what=category_label(wanted.category),
            community_name=community.name if community else None,
            token=token,
        )


def _in_language(language: str | None) -> AbstractContextManager[Any]:
    """The email's language, unless the visitor chose one (signed in, or with the switch)."""
    chosen = current_user.is_authenticated or session.get("language") in LANGUAGES
    if language in LANGUAGES and not chosen:
        return force_locale(language)
    return nullcontext()


def status_labels() -> dict[str, str]:
    return {
        "pending": _("Waiting"),
        "sending": _("Sending"),
        "sent": _("Sent"),
        "failed": _("Failed"),
        "suppressed": _("Not sent (unsubscribed)"),
    }


def _require_capture_viewer() -> None:
    """Captured mail holds sign-in links: shown only in development, and only in capture mode."""
    config = current_app.config
    if not config.get("MAIL_CAPTURE") or config.get("JOREN_ENV") not in DEV_ENVIRONMENTS:
        abort(404)


@bp.get("/dev/mail")
def captured() -> Any:
    """Every stored message, newest first."""
    _require_capture_viewer()
    page = int_arg("page", 1)
    total = db.session.scalar(select(func.count(OutboxMessage.id))) or 0
    rows = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.to_email,
            OutboxMessage.subject,
            OutboxMessage.status,
            OutboxMessage.category,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return render_template("mail/captured.html", rows=rows, page=page, pages=pages, total=total,
                           status_labels=status_labels())


@bp.get("/dev/mail/<int:message_id>")
def captured_message(message_id: int) -> Any:
    """One message as it would be sent: headers, the text part and the HTML part."""
    _require_capture_viewer()
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    email = build_message(
        message, current_app.config["MAIL_FROM"], message.sent_at or message.created_at
    )
    return render_template(
        "mail/captured_message.html",
        message=message,
        headers=[(name, str(value)) for name, value in email.items()],
        text_html=linkify(message.text_body),
        html_document=links_open_on_top(message.html_body),
        status_labels=status_labels(),
    )


def linkify(text: str) -> Markup:
    """Escape plain text and make its web addresses clickable (a magic link, for one)."""
    link = Markup('<a href="{0}" target="_top" rel="noreferrer">{0}</a>')
    parts: list[Markup | str] = []
    position = 0
    for match in URL_PATTERN.finditer(text):
        parts.append(text[position:match.start()])
        parts.append(link.format(match.group(0)))
        position = match.end()
    parts.append(text[position:])
    return Markup("").join(parts)


def links_open_on_top(html: str) -> str:
    """Make links in the sandboxed preview open in the page itself, not inside the frame."""
    base = '<base target="_top">'
    match = re.search(r"<head[^>]*>", html, flags=re.IGNORECASE)
    if match:
        return html[:match.end()] + base + html[match.end():]
    return base + html
