"""Send outbox messages over SMTP, or capture them, recording the result on each row.

The delivery contract: **at most once**. A message is never sent twice, even when a worker is
killed mid-batch and restarted; the price is that a message whose worker died while the SMTP
server was receiving it is not retried automatically (it is marked FAILED, saying why, and an
operator can decide). Step by step:

1. *Claim*: ``UPDATE outbox_messages SET status='sending', claimed_at=now WHERE id=:id AND
   status='pending'``, committed. Only the worker whose update changed the row sends it (on
   PostgreSQL a concurrent update waits for the first to commit, then sees the row is no
   longer pending). A retried or duplicated job finds the row claimed or sent and does nothing.
2. *Connect* (or reuse the batch's connection).
3. *Hand over*: ``message_id`` (the stable Message-ID) is written and committed right before
   the message goes to the SMTP server. A row in SENDING with an empty ``message_id`` was never
   handed over; one with it set may have been delivered.
4. *Send* over SMTP (or, in capture mode, do not: the message stays viewable at /dev/mail).
5. *Record*: SENT with ``sent_at``; or, on an SMTP error the worker saw, ``last_error`` and
   ``attempts + 1``, the hand-over mark cleared (the server answered, so the outcome is known),
   back to PENDING (RQ's retry or the sweep sends it again later), or FAILED on a permanent
   (5xx) refusal or once ``max_attempts`` is reached.

A batch claims all its messages at once (one statement) and commits each message's result
together with the next one's hand-over, so a message costs one commit. If the job stops with
an error (its time limit), what it never handed over goes back to PENDING at once.

If the worker dies between 1 and 5 (SIGKILL, out of memory, a lost machine), the row stays in
SENDING, and so do the rest of its batch, which were claimed but never handed over. Once the
claim is older than the stale timeout (longer than any job may run, see ``claim_timeout``),
``sweep`` (both in joren/platform/mail/recovery.py) decides: never handed over (died in
1-2) -> back to PENDING and sent again, safely; handed over (died in 4-5, or before the next
hand-over committed the result) -> FAILED, not resent, because the server may have accepted
it and there is no way to ask. That window is one message per killed worker; everything else
in the batch is either SENT (skipped on restart) or never handed over (sent after the sweep),
so a restart sends nothing twice.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from blinker import signal
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.mail.mime import build_message
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.transport import connections
from joren.platform.smtp import SMTPSettings, parse_smtp_url

log = logging.getLogger("joren.mail")

# Sent after each failed attempt with ``outcome`` "failed" (given up) or "retry" (metrics count it).
send_failed = signal("joren.mail.send_failed")

DEFAULT_MAX_ATTEMPTS = 5
MAX_ERROR_LENGTH = 2000
UNCERTAIN_ERROR = ("the worker stopped while the SMTP server was receiving this message; it may "
                   "have been delivered, so it is not sent again")


@dataclass(frozen=True)
class Transport:
    """Where and as whom mail is sent; ``smtp`` None means capture mode."""

    mail_from: str
    smtp: SMTPSettings | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    @property
    def capture(self) -> bool:
        return self.smtp is None

    @property
    def envelope_from(self) -> str:
        return parseaddr(self.mail_from)[1]


def transport_from_config(config: Mapping[str, Any]) -> Transport:
    """Build the transport from app config (MAIL_CAPTURE, SMTP_URL, MAIL_FROM)."""
    capture = bool(config.get("MAIL_CAPTURE")) or not config.get("SMTP_URL")
    return Transport(
        mail_from=config["MAIL_FROM"],
        smtp=None if capture else parse_smtp_url(config["SMTP_URL"]),
        max_attempts=int(config.get("MAIL_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS),
    )


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


class MailDeferred(RuntimeError):
    """Some messages could not be sent yet; raising it lets RQ retry the job with back-off."""


def claim(session: Session, message_id: int, now: datetime) -> bool:
    """Atomically move one PENDING message to SENDING and commit; True if this caller won."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _classify(exc: BaseException) -> tuple[bool, bool, str]:
    """(permanent, connection_broken, error text) for an exception raised while sending."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        text = "; ".join(f"{code} {_text(msg)}" for code, msg in exc.recipients.values())
        return bool(codes) and all(code >= 500 for code in codes), False, text
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return False, True, f"disconnected: {exc}"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        # Refused credentials or sender are a configuration problem, not this message's fault.
        own_fault = isinstance(exc, smtplib.SMTPDataError)
        return own_fault and exc.smtp_code >= 500, False, text
    if isinstance(exc, smtplib.SMTPNotSupportedError | UnicodeError):
        return True, False, f"cannot be sent to this address: {exc}"
    if isinstance(exc, OSError | smtplib.SMTPException):
        return False, True, f"{type(exc).__name__}: {exc}"
    return False, True, f"{type(exc).__name__}: {exc}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _record_sent(message: OutboxMessage, message_id: str, now: datetime) -> None:
    message.attempts += 1
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.message_id = message_id
    message.last_error = ""


def _hand_over(session: Session, message: OutboxMessage, message_id: str) -> None:
    """Commit that this message is about to reach the SMTP server (see the module docstring)."""
    message.message_id = message_id
    session.commit()


def _record_failure(message: OutboxMessage, error: str, permanent: bool, max_attempts: int) -> None:
    message.attempts += 1
    message.message_id = ""  # the server answered (or was never reached): nothing uncertain
    message.last_error = error[:MAX_ERROR_LENGTH]
    out_of_attempts = message.attempts >= max_attempts
    message.status = OutboxStatus.FAILED if permanent or out_of_attempts else OutboxStatus.PENDING


class _Link:
    """A batch's SMTP connection: taken from the per-process holder on first use."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.conn: smtplib.SMTP | None = None
        self.broken = False

    def connect(self) -> None:
        settings = self.transport.smtp
        if settings is None or self.conn is not None:
            return  # capture mode, or connected already
        self.broken = True  # until connected: a failure here ends the batch
        self.conn = connections.get(settings)
        self.broken = False

    def send(self, email: EmailMessage, to: str) -> None:
        if self.transport.smtp is None:
            return  # capture mode: the outbox row is the copy
        self.connect()
        assert self.conn is not None
        self.conn.send_message(email, from_addr=self.transport.envelope_from, to_addrs=[to])

    def drop(self) -> None:
        connections.discard()
        self.conn = None
        self.broken = True


Prepare = Callable[[OutboxMessage], None]


def _send_claimed(
    session: Session, message: OutboxMessage, link: _Link, now: Callable[[], datetime],
    prepare: Prepare | None = None,
) -> str:
    """Send one claimed message and record the outcome; return 'sent', 'failed' or 'retry'.

    A success is committed with the next message's hand-over (or at the end of the batch):
    one commit per message. Until then the row reads "handed over", which is what it is.
    """
    transport = link.transport
    if message.render_context is not None:
        # Stored for rendering now (see outbox.queue_email's render_with); the rendered text is
        # committed with the hand-over, so a message is rendered once however often it is tried.
        if prepare is None:
            return _fail(session, message, "stored unrendered and no renderer given", False,
                         transport)
        try:
            prepare(message)
        except LookupError as exc:
            return _fail(session, message, f"cannot render the message: {exc}", True, transport)
    try:
        email = build_message(message, transport.mail_from, now())
    except (ValueError, TypeError, MessageError) as exc:
        return _fail(session, message, f"cannot build the message: {exc}", True, transport)
    handed_over = False
    try:
        link.connect()
        _hand_over(session, message, str(email["Message-ID"]))
        handed_over = True
        link.send(email, message.to_email)
    except Exception as exc:
        permanent, broken, error = _classify(exc)
        if broken or link.broken:
            link.drop()
        expected = isinstance(exc, OSError | smtplib.SMTPException | UnicodeError)
        if handed_over and not expected:
            # Interrupted mid-transaction (a job timeout): as uncertain as a killed worker.
            error, permanent = f"{UNCERTAIN_ERROR} ({error})", True
        outcome = _fail(session, message, error, permanent, transport)
        if not expected:
            raise  # a bug or a job timeout: the row is recorded, let RQ see the error
        return outcome
    _record_sent(message, str(email["Message-ID"]), now())
    log.debug("outbox message %s %s", message.id, "captured" if transport.capture else "sent")
    return "sent"


def _fail(
    session: Session, message: OutboxMessage, error: str, permanent: bool, transport: Transport
) -> str:
    _record_failure(message, error, permanent, transport.max_attempts)
    session.commit()
    log.warning("outbox message %s not sent (%s): %s", message.id, message.status.value, error)
    outcome = "failed" if message.status == OutboxStatus.FAILED else "retry"
    send_failed.send(message.id, outcome=outcome)
    return outcome


def claim_many(session: Session, message_ids: list[int], now: datetime) -> list[int]:
    """Move the PENDING ones of these messages to SENDING in one statement and commit; return
    the ids this caller won (a concurrent claimer re-checks the status and skips them)."""
    if not message_ids:
        return []
    won = session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, claimed_at=now)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    return list(won)


def release(session: Session, message_ids: list[int]) -> None:
    """Give claimed messages that were never handed over back to PENDING (no attempt spent)."""
    if not message_ids:
        return
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.SENDING,
               OutboxMessage.message_id == "")
        .values(status=OutboxStatus.PENDING)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def send_messages(
    session: Session,
    message_ids: Iterable[int],
    transport: Transport,
    now: Callable[[], datetime] = utcnow,
    prepare: Prepare | None = None,
) -> SendReport:
    """Send these messages over one SMTP connection, each at most once (see module docstring).

    ``prepare`` renders the messages stored unrendered (``outbox.render_stored``).

    The batch is claimed in one statement and loaded in one query; each message then costs one
    commit. A connection-level failure stops the batch; the messages not yet tried go back to
    PENDING and are reported in ``retry`` with the ones that failed temporarily. So does an
    interrupted batch (a job timeout): a retry sends exactly what is left.
    """
    # The claimed rows are this batch's alone: reloading them after every commit would cost a
    # SELECT per message, so commits here keep the loaded state.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        return _send_batch(session, list(message_ids), transport, now, prepare)
    finally:
        session.expire_on_commit = expire_on_commit


def _send_batch(
    session: Session, ids: list[int], transport: Transport, now: Callable[[], datetime],
    prepare: Prepare | None = None,
) -> SendReport:
    report = SendReport()
    won = set(claim_many(session, list(dict.fromkeys(ids)), now()))
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(won))
        .execution_options(populate_existing=True)
    ).all() if won else []
    messages = {row.id: row for row in rows}
    order: list[int] = []
    for message_id in ids:  # skipped: someone else's, done, deleted, or a repeat
        if message_id in messages and message_id not in order:
            order.append(message_id)
        else:
            report.skipped.append(message_id)
    link = _Link(transport)
    position = 0
    try:
        for position, message_id in enumerate(order):  # noqa: B007 - read in finally
            outcome = _send_claimed(session, messages[message_id], link, now, prepare)
            getattr(report, outcome).append(message_id)
            if link.broken:
                position += 1
                release(session, order[position:])
                report.retry.extend(order[position:])
                return report
        session.commit()
    except Exception:
        # A job timeout or a bug (a killed process runs nothing; the sweep covers it).
        # Keep what was recorded (a success waits for the next commit) and give back what was
        # never handed over; if the database is what failed, the sweep does both later.
        with contextlib.suppress(Exception):
            try:
                session.commit()
            except Exception:
                session.rollback()
                raise
            release(session, order[position:])
        raise
    return report


def send_pending(
    session: Session,
    transport: Transport,
    batch: int = 50,
    now: Callable[[], datetime] = utcnow,
    prepare: Prepare | None = None,
) -> SendReport:
    """Send up to ``batch`` pending messages, oldest first, over one SMTP connection."""
    ids = session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(batch)
    ).all()
    return send_messages(session, ids, transport, now, prepare)
