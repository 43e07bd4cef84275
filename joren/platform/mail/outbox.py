"""Render an email in the recipient's language and store it in the outbox, sent after commit."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joren.platform.db import db
from joren.platform.jobs import (
    BULK_MAIL_QUEUE,
    TRANSACTIONAL_QUEUE,
    enqueue_batch_after_commit,
)
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.sender_identity import sender_headers
from joren.platform.mail.tokens import unsubscribe_url
from joren.platform.mail.unsubscribes import (
    TRANSACTIONAL,
    is_unsubscribed,
    unsubscribed_among,
)
from joren.platform.tenancy import set_tenant

SEND_JOB = "joren.workers.jobs.send_outbox_message"
SEND_BATCH_JOB = "joren.workers.jobs.send_outbox_batch"
MAIL_QUEUE = BULK_MAIL_QUEUE
SEND_BATCH_SIZE = 50
# Where each message's send job goes remembers it, so the sweep re-enqueues only lost ones.
TRACK_PREFIX = "joren:outbox:job:"
# Mail a person is waiting for to go on: it goes on the transactional queue, which every worker
# serves first and which nothing else shares (see joren.platform.jobs.QUEUES).
URGENT_TEMPLATES = frozenset({
    "accounts/magic", "accounts/reset", "accounts/verify", "accounts/signup_exists",
    "meetups/registrations/guest_confirm",
})
KEY_LENGTH = 200
SUBJECT_LENGTH = 300

__all__ = ["SEND_BATCH_JOB", "SEND_JOB", "TRANSACTIONAL", "Attachment", "Email",
           "is_unsubscribed", "mail_queue_for", "queue_email", "queue_emails", "render_email",
           "render_stored"]


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email (e.g. a calendar invitation, ``text/calendar``)."""

    filename: str
    content_type: str
    content: bytes

    def to_json(self) -> dict[str, str]:
        return {"filename": self.filename, "content_type": self.content_type,
                "content_b64": base64.b64encode(self.content).decode("ascii")}


def mail_queue_for(template: str) -> str:
    """The queue a message's send job goes on: transactional when someone waits for it."""
    return TRANSACTIONAL_QUEUE if template in URGENT_TEMPLATES else BULK_MAIL_QUEUE


def email_template(key: str, suffix: str) -> str:
    """The template of an email key: ``"<package>/<name>"`` lives in that package's
    templates as ``<package>/emails/<name><suffix>`` (e.g. ``meetups/registrations/offer`` →
    ``joren/tenants/meetups/templates/emails/registrations/offer.html``)."""
    package, _, name = key.partition("/")
    return f"{package}/emails/{name}{suffix}"


def render_email(template: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Return (subject, text, html) of the email ``template`` (a key, see email_template)."""
    with force_locale(language):
        subject = render_template(email_template(template, ".subject.txt"), **context)
        text = render_template(email_template(template, ".txt"), **context)
        html = render_template(email_template(template, ".html"), **context)
    return " ".join(subject.split()), text, html


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
    attachments: list[Attachment] | None = None,
    render_with: str | None = None,
) -> OutboxMessage:
    """Store one message (once per idempotency key) and send it after the transaction commits.

    Calling again with the same key returns the stored message and sends nothing more.
    Non-transactional categories carry List-Unsubscribe with one-click (RFC 8058); a message
    to an address that opted out of its category is stored as SUPPRESSED and never sent.
    Messages queued in one transaction are sent together, over one SMTP connection; those a
    person is waiting for (``URGENT_TEMPLATES``) go on the transactional queue.

    With ``render_with`` (a ``context_builder`` name) nothing is rendered now: ``context``
    (plain JSON values only) is stored with the row, which is recorded in this transaction all
    the same, and the sender renders it right before sending, in ``language``, with the context
    the builder returns for ``(session, context)`` (the session is scoped to ``community_id``). For
    callers that hold a lock other transactions wait for (a meetup's seats).
    """
    idempotency_key = _fit_key(idempotency_key)
    existing = _find(session, idempotency_key)
    if existing is not None:
        return existing
    to = to.strip().lower()
    unsubscribe, headers = _unsubscribe_headers(to, category, community_id, language)
    headers = {**sender_headers(session, community_id), **headers}
    subject, text, html, stored = _contents(template, language, context, unsubscribe,
                                            render_with)
    message = OutboxMessage(
        idempotency_key=idempotency_key,
        community_id=community_id,
        category=category,
        template=template,
        to_email=to,
        language=language,
        subject=subject[:SUBJECT_LENGTH],
        text_body=text,
        html_body=html,
        headers=headers,
        attachments=[a.to_json() for a in attachments or ()],
        render_context=stored,
        status=OutboxStatus.PENDING,
    )
    if is_unsubscribed(session, to, category, community_id):
        message.status = OutboxStatus.SUPPRESSED
    stored_message = _store_once(session, message)
    if stored_message is message and message.status == OutboxStatus.PENDING:
        enqueue_batch_after_commit(session, SEND_BATCH_JOB, message.id,
                                   queue=mail_queue_for(template), size=SEND_BATCH_SIZE,
                                   track=TRACK_PREFIX)
    return stored_message


@dataclass(frozen=True)
class Email:
    """One message for ``queue_emails`` (the arguments of ``queue_email``)."""

    to: str
    template: str
    context: dict[str, Any]
    language: str
    idempotency_key: str


def queue_emails(session: Session, emails: list[Email], *, community_id: int | None,
                 category: str = TRANSACTIONAL) -> None:
    """``queue_email`` for many messages of one community and category, in a few statements:
    the keys already stored and the opted-out addresses are read once each, and the new rows
    are inserted together. If another transaction stored one of the keys a moment ago, the
    messages are queued one by one instead (the same result, more statements)."""
    keyed = {_fit_key(e.idempotency_key): e for e in emails}
    if not keyed:
        return
    stored = set(session.scalars(select(OutboxMessage.idempotency_key).where(
        OutboxMessage.idempotency_key.in_(sorted(keyed)))))
    fresh = {k: e for k, e in keyed.items() if k not in stored}
    opted_out = unsubscribed_among(session, (e.to.strip() for e in fresh.values()), category,
                                   community_id)
    rows = []
    for key, email in fresh.items():
        to = email.to.strip().lower()
        unsubscribe, headers = _unsubscribe_headers(to, category, community_id, email.language)
        subject, text, html = render_email(email.template, email.language,
                                           _full(email.context, unsubscribe))
        rows.append({
            "idempotency_key": key, "community_id": community_id, "category": category,
            "template": email.template, "to_email": to, "language": email.language,
            "subject": subject[:SUBJECT_LENGTH], "text_body": text, "html_body": html,
            "headers": headers, "attachments": [], "render_context": None,
            "status": OutboxStatus.SUPPRESSED if to in opted_out else OutboxStatus.PENDING})
    try:
        with session.begin_nested():
            # One INSERT for all rows (ids matched back by their unique key, so the
            # database may return them in any order).
            stored_ids = session.execute(
                insert(OutboxMessage).returning(OutboxMessage.idempotency_key,
                                                OutboxMessage.id), rows).all()
    except IntegrityError:
        for email in fresh.values():
            queue_email(session, to=email.to, template=email.template, context=email.context,
                        language=email.language, idempotency_key=email.idempotency_key,
                        community_id=community_id, category=category)
        return
    ids = dict(stored_ids)
    for row in rows:
        if row["status"] == OutboxStatus.PENDING:
            enqueue_batch_after_commit(session, SEND_BATCH_JOB, ids[row["idempotency_key"]],
                                       queue=mail_queue_for(row["template"]),
                                       size=SEND_BATCH_SIZE, track=TRACK_PREFIX)


def _unsubscribe_headers(to: str, category: str, community_id: int | None,
                         language: str) -> tuple[str | None, dict[str, str]]:
    """The one-click unsubscribe link (RFC 8058) and its headers; none for transactional mail."""
    if category == TRANSACTIONAL:
        return None, {}
    unsubscribe = unsubscribe_url(to, category, community_id, language)
    return unsubscribe, {"List-Unsubscribe": f"<{unsubscribe}>",
                         "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _contents(template: str, language: str, context: dict[str, Any], unsubscribe: str | None,
              render_with: str | None) -> tuple[str, str, str, dict[str, object] | None]:
    """(subject, text, html, stored context): rendered now, or stored for the sender to
    render (``render_with``), with empty texts until then."""
    if render_with is None:
        subject, text, html = render_email(template, language, _full(context, unsubscribe))
        return subject, text, html, None
    _builder(render_with)  # a typo fails here, in the caller's tests, not in the worker
    return "", "", "", {"builder": render_with, "values": context,
                        "unsubscribe_url": unsubscribe}


def _store_once(session: Session, message: OutboxMessage) -> OutboxMessage:
    """Add the message in a savepoint; if another transaction stored the same key a moment
    ago, that message is the one (and this one is not added)."""
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        existing = _find(session, message.idempotency_key)
        if existing is None:
            raise
        return existing
    return message


def _full(context: dict[str, Any], unsubscribe: str | None) -> dict[str, Any]:
    return {**context, "unsubscribe_url": unsubscribe, "base_url": current_app.config["BASE_URL"]}


# Context builders by name: a message stored for rendering later names its builder, and a name
# survives the builder's module moving (a module path stored in a row would not).
ContextBuilder = Callable[[Session, dict[str, Any]], dict[str, Any]]
_BUILDERS: dict[str, ContextBuilder] = {}


def context_builder(name: str) -> Callable[[ContextBuilder], ContextBuilder]:
    """Register a function that turns a stored message's values into its template context;
    ``queue_email(..., render_with=name)`` stores the name. Never rename a shipped one
    (rows waiting to be sent carry it): migrate the rows as 0007 did."""
    def register(function: ContextBuilder) -> ContextBuilder:
        if _BUILDERS.setdefault(name, function) is not function:
            raise ValueError(f"two context builders named {name!r}")
        return function
    return register


def _builder(name: str) -> ContextBuilder:
    try:
        return _BUILDERS[name]
    except KeyError:
        raise ValueError(f"not a context builder: {name!r}") from None


def render_stored(message: OutboxMessage) -> None:
    """Render a message stored with ``render_with`` (see ``queue_email``) onto the row.

    Runs in the send job, outside the transaction that stored it, in a session of its own
    scoped to the message's community (row-level security lets it read that community's rows
    only). Raises LookupError when what the message is about is gone.
    """
    stored = message.render_context
    if stored is None:
        return
    session = db.sessionmaker()
    try:
        if message.community_id is not None:
            set_tenant(session, message.community_id)
        context = _builder(str(stored["builder"]))(session, dict(stored["values"]))  # type: ignore[call-overload]
        subject, text, html = render_email(
            message.template, message.language,
            _full(context, stored.get("unsubscribe_url")))  # type: ignore[arg-type]
        session.rollback()  # read only
    finally:
        session.close()
    message.subject = subject[:SUBJECT_LENGTH]
    message.text_body = text
    message.html_body = html
    message.render_context = None


def _find(session: Session, idempotency_key: str) -> OutboxMessage | None:
    return session.scalar(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
    )


def _fit_key(key: str) -> str:
    """Keys longer than the column are replaced by their digest (still unique, still stable)."""
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
