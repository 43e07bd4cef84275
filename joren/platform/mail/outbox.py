"""Render an email in the recipient's language and store it in the outbox, sent after commit."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.jobs import enqueue_after_commit
from joren.platform.mail.models import EmailUnsubscribe, OutboxMessage, OutboxStatus
from joren.platform.mail.tokens import unsubscribe_url

SEND_JOB = "joren.workers.jobs.send_outbox_message"
TRANSACTIONAL = "transactional"


def render_email(template: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Return (subject, text, html) for ``templates/emails/<template>.*`` in ``language``."""
    with force_locale(language):
        subject = render_template(f"emails/{template}.subject.txt", **context)
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", **context)
    return " ".join(subject.split()), text, html


def is_unsubscribed(session: Session, email: str, category: str, community_id: int | None) -> bool:
    if category == TRANSACTIONAL:
        return False
    stmt = select(EmailUnsubscribe.id).where(
        EmailUnsubscribe.email == email.lower(),
        EmailUnsubscribe.category.in_([category, "all"]),
        (EmailUnsubscribe.community_id == community_id) | EmailUnsubscribe.community_id.is_(None),
    )
    return session.scalar(stmt.limit(1)) is not None


def queue_email(
    session: Session,
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str,
    idempotency_key: str,
    community_id: int | None = None,
    category: str = TRANSACTIONAL,
) -> OutboxMessage:
    """Store one message (once per idempotency key) and send it after the transaction commits.

    Calling again with the same key returns the stored message and sends nothing more.
    """
    existing = session.scalar(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
    )
    if existing is not None:
        return existing
    to = to.strip().lower()
    headers: dict[str, str] = {}
    unsubscribe = None
    if category != TRANSACTIONAL:
        unsubscribe = unsubscribe_url(to, category, community_id)
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    base_url = current_app.config["BASE_URL"]
    context = {**context, "unsubscribe_url": unsubscribe, "base_url": base_url}
    subject, text, html = render_email(template, language, context)
    message = OutboxMessage(
        idempotency_key=idempotency_key,
        community_id=community_id,
        category=category,
        template=template,
        to_email=to,
        language=language,
        subject=subject,
        text_body=text,
        html_body=html,
        headers=headers,
        status=OutboxStatus.PENDING,
    )
    if is_unsubscribed(session, to, category, community_id):
        message.status = OutboxStatus.SUPPRESSED
        session.add(message)
        session.flush()
        return message
    session.add(message)
    session.flush()
    enqueue_after_commit(session, SEND_JOB, message.id, queue="mail")
    return message
