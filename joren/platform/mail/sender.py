"""Send outbox messages over SMTP, or capture them, recording the results in batches.

The delivery contract: **at most once**. A message is never sent twice, even when a worker is
killed mid-batch and restarted; the price is that a message that may have reached the SMTP
server when its worker died is not retried automatically (it is marked FAILED, saying why, and
the platform admin can send it again). Every message is, at every moment, in exactly one of
three durable states, and the sweep (joren/platform/mail/recovery.py) acts on each:

- *claimed, not handed over* (SENDING, empty ``message_id``): the SMTP server has never seen
  it. A stale one goes back to PENDING and is sent again: safe.
- *handed over* (SENDING, ``message_id`` set): it may have been delivered. A stale one becomes
  FAILED and is never sent again.
- *settled*: SENT with ``sent_at``; or, after an SMTP answer the worker saw, PENDING again
  (retried later, ``attempts + 1``) or FAILED (a permanent 5xx refusal, or out of attempts),
  with ``last_error`` and the hand-over mark cleared (the server answered: nothing uncertain).

The one invariant that makes it at most once: **a message's hand-over mark is committed before
the end of its DATA** (the final ``.`` that makes the server accept it). So whatever the server
may have accepted reads "handed over" or "settled" in the database, never "claimed", and a row
that reads "claimed" is one the server never saw.

How a batch runs (``send_messages``), with its statements:

1. *Claim* the batch: one ``UPDATE ... WHERE id IN (...) AND status = 'pending' RETURNING id``,
   committed. Only the worker whose update changed a row sends it (on PostgreSQL a concurrent
   claimer waits for the first to commit, then sees the row is no longer pending). A retried or
   duplicated job finds its rows claimed or sent and does nothing. One SELECT loads them.
2. Take the worker's SMTP connection (kept open between batches and jobs,
   joren.platform.mail.transport), then for each *window* of ``handover_window`` messages:
   render and build them; *hand them over*: one commit that writes their ``message_id`` (the
   stable Message-ID) together with the results of the window before; then send them one
   after the other over that connection.
3. *Record* the last window's results: one commit.

So a batch of N costs 2 + N / window commits (not one per message), and the results of a
window are written in one statement per kind (sent, failed) while the next window is handed
over. A per-recipient refusal (``SMTPRecipientsRefused``: the server said no to the address,
the connection is fine) settles that message and the batch goes on. A broken connection stops
the batch: the messages of the window not yet tried have their hand-over mark cleared (this
worker is alive and knows the server never saw them), and they and the rest of the batch go
back to PENDING for RQ's retry, with no attempt spent. So does an interrupted batch (a job
timeout), except that the message interrupted mid-send is marked as possibly delivered.

What a SIGKILL costs (a killed process runs nothing; the sweep settles its rows once the claim
is older than ``claim_timeout``): the messages of the current window, which are "handed over"
but not settled, become FAILED as possibly delivered, although the server accepted the ones
before the one in flight and never saw the ones after it; the batch's later windows were never
handed over and are sent after the sweep. A restart sends nothing twice whatever the window.
The window trades that loss against commits: ``MAIL_HANDOVER_WINDOW=1`` hands over one message
at a time (one commit per message, at most one message left uncertain per killed worker);
the default, ``DEFAULT_HANDOVER_WINDOW``, is what lets one worker keep up with a local SMTP
relay (deploy/OPERATIONS.md, "The mail worker"). Nothing narrower than a window can be known
without a durable write before every message's final ``.``: there is no way to ask an SMTP
server whether it accepted a message.
"""

from __future__ import annotations

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
from joren.platform.mail.mime import build_message, message_id_for, wire_message
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.transport import connections
from joren.platform.smtp import SMTPSettings, parse_smtp_url

log = logging.getLogger("joren.mail")

# Sent after each failed attempt with ``outcome`` "failed" (given up) or "retry" (metrics count it).
send_failed = signal("joren.mail.send_failed")

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_HANDOVER_WINDOW = 10
MAX_ERROR_LENGTH = 2000
UNCERTAIN_ERROR = ("the worker stopped while the SMTP server was receiving this message; it may "
                   "have been delivered, so it is not sent again")
# What an SMTP exchange can raise when the server or the network says no; anything else (a job
# timeout, a bug) interrupts the batch.
SMTP_ERRORS = (OSError, smtplib.SMTPException, UnicodeError)


@dataclass(frozen=True)
class Transport:
    """Where and as whom mail is sent; ``smtp`` None means capture mode."""

    mail_from: str
    smtp: SMTPSettings | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    handover_window: int = DEFAULT_HANDOVER_WINDOW

    @property
    def capture(self) -> bool:
        return self.smtp is None

    @property
    def envelope_from(self) -> str:
        return parseaddr(self.mail_from)[1]


def transport_from_config(config: Mapping[str, Any]) -> Transport:
    """Build the transport from app config (MAIL_CAPTURE, SMTP_URL, MAIL_FROM, ...)."""
    capture = bool(config.get("MAIL_CAPTURE")) or not config.get("SMTP_URL")
    return Transport(
        mail_from=config["MAIL_FROM"],
        smtp=None if capture else parse_smtp_url(config["SMTP_URL"]),
        max_attempts=int(config.get("MAIL_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS),
        handover_window=max(1, int(config.get("MAIL_HANDOVER_WINDOW")
                                   or DEFAULT_HANDOVER_WINDOW)),
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
    return claim_many(session, [message_id], now) == [message_id]


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
    _give_back(session, message_ids, handed_over=False)
    session.commit()


def _give_back(session: Session, message_ids: list[int], *, handed_over: bool) -> None:
    """Claimed messages the server never saw go back to PENDING, no attempt spent. With
    ``handed_over`` their hand-over marks are cleared too: only for messages this living
    worker handed over and knows it never started to send."""
    if not message_ids:
        return
    condition = [OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.SENDING]
    if not handed_over:
        condition.append(OutboxMessage.message_id == "")
    session.execute(
        update(OutboxMessage).where(*condition)
        .values(status=OutboxStatus.PENDING, message_id="")
        .execution_options(synchronize_session=False)
    )


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
    return False, True, f"{type(exc).__name__}: {exc}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class _Link:
    """A batch's SMTP connection: taken from the per-process holder on first use."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.conn: smtplib.SMTP | None = None

    def connect(self) -> None:
        settings = self.transport.smtp
        if settings is None or self.conn is not None:
            return  # capture mode, or connected already
        self.conn = connections.get(settings)

    def send(self, email: Email, to: str) -> None:
        if self.transport.smtp is None:
            return  # capture mode: the outbox row is the copy
        self.connect()
        assert self.conn is not None
        if isinstance(email, bytes):
            self.conn.sendmail(self.transport.envelope_from, [to], email)
        else:
            self.conn.send_message(email, from_addr=self.transport.envelope_from, to_addrs=[to])

    def drop(self) -> None:
        connections.discard()
        self.conn = None


Prepare = Callable[[OutboxMessage], None]
# A message ready to go: its wire form, or (attachments, unusual addresses) the email package's.
Email = bytes | EmailMessage
Ready = tuple[OutboxMessage, Email, str]  # the row, the message, its Message-ID


class _Ledger:
    """What a batch has learnt and not yet written: results and hand-overs, written in one
    statement per kind and committed together (see the module docstring)."""

    def __init__(self, session: Session, transport: Transport, report: SendReport) -> None:
        self.session = session
        self.transport = transport
        self.report = report
        self.results: list[dict[str, Any]] = []
        self.handovers: list[dict[str, Any]] = []
        self.failures: list[tuple[int, str]] = []

    def sent(self, message: OutboxMessage, message_id: str, at: datetime) -> None:
        self.results.append({"id": message.id, "status": OutboxStatus.SENT,
                             "attempts": message.attempts + 1, "sent_at": at,
                             "message_id": message_id, "last_error": ""})
        self.report.sent.append(message.id)
        log.debug("outbox message %s %s", message.id,
                  "captured" if self.transport.capture else "sent")

    def failed(self, message: OutboxMessage, error: str, permanent: bool) -> None:
        attempts = message.attempts + 1
        give_up = permanent or attempts >= self.transport.max_attempts
        status = OutboxStatus.FAILED if give_up else OutboxStatus.PENDING
        self.results.append({"id": message.id, "status": status, "attempts": attempts,
                             "sent_at": None, "message_id": "",
                             "last_error": error[:MAX_ERROR_LENGTH]})
        outcome = "failed" if give_up else "retry"
        getattr(self.report, outcome).append(message.id)
        self.failures.append((message.id, outcome))
        log.warning("outbox message %s not sent (%s): %s", message.id, status.value, error)

    def hand_over(self, ready: list[Ready]) -> None:
        self.handovers.extend({"id": message.id, "message_id": message_id}
                              for message, _, message_id in ready)

    def write(self) -> None:
        """Write what is pending, committed by the caller (or with ``commit``)."""
        for params in (self.results, self.handovers):
            if params:
                self.session.execute(update(OutboxMessage), params)
        self.results, self.handovers = [], []

    def commit(self) -> None:
        self.write()
        self.session.commit()
        failures, self.failures = self.failures, []
        for message_id, outcome in failures:
            send_failed.send(message_id, outcome=outcome)


class _Broken(Exception):
    """The SMTP connection failed: the batch stops and gives back what it did not try."""


def send_messages(
    session: Session,
    message_ids: Iterable[int],
    transport: Transport,
    now: Callable[[], datetime] = utcnow,
    prepare: Prepare | None = None,
) -> SendReport:
    """Send these messages over one SMTP connection, each at most once (see module docstring).

    ``prepare`` renders the messages stored unrendered (``outbox.render_stored``).

    The batch is claimed in one statement and loaded in one query; its results are written in
    one commit per hand-over window. A connection-level failure stops the batch; the messages
    not yet tried go back to PENDING and are reported in ``retry`` with the ones that failed
    temporarily. So does an interrupted batch (a job timeout): a retry sends exactly what is
    left.
    """
    # The claimed rows are this batch's alone and are written with UPDATE statements, not
    # through the objects: commits here keep the loaded state, which is expired at the end.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    loaded: list[OutboxMessage] = []
    try:
        return _send_batch(session, list(message_ids), transport, now, prepare, loaded)
    finally:
        session.expire_on_commit = expire_on_commit
        for message in loaded:
            if message in session:
                session.expire(message)


def _send_batch(
    session: Session, ids: list[int], transport: Transport, now: Callable[[], datetime],
    prepare: Prepare | None, loaded: list[OutboxMessage],
) -> SendReport:
    report = SendReport()
    won = set(claim_many(session, list(dict.fromkeys(ids)), now()))
    loaded.extend(session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(won))
        .execution_options(populate_existing=True)
    ).all() if won else [])
    messages = {row.id: row for row in loaded}
    order: list[OutboxMessage] = []
    for message_id in ids:  # skipped: someone else's, done, deleted, or a repeat
        message = messages.pop(message_id, None)
        if message is None:
            report.skipped.append(message_id)
        else:
            order.append(message)
    ledger = _Ledger(session, transport, report)
    batch = _Batch(ledger, _Link(transport), now, prepare)
    try:
        batch.run(order)
    except _Broken:
        batch.give_back()
    except (Exception, SystemExit, KeyboardInterrupt):
        # A job timeout, a bug, the database failing, or a forced stop (RQ's cold shutdown
        # raises SystemExit here): keep what was learnt, give back what the server never saw.
        # A killed process runs nothing; the sweep covers it.
        batch.interrupted()
        raise
    return report


class _Batch:
    """One batch's way through its hand-over windows (see the module docstring)."""

    def __init__(self, ledger: _Ledger, link: _Link, now: Callable[[], datetime],
                 prepare: Prepare | None) -> None:
        self.ledger = ledger
        self.link = link
        self.now = now
        self.prepare = prepare
        self.waiting: list[OutboxMessage] = []  # this window's, not tried yet
        self.later: list[OutboxMessage] = []    # the next windows' (claimed, not handed over)
        self.in_flight: OutboxMessage | None = None

    @property
    def untried(self) -> list[int]:
        return [message.id for message in self.waiting + self.later]

    def run(self, order: list[OutboxMessage]) -> None:
        window = self.ledger.transport.handover_window
        self.later = list(order)
        while self.later:
            self.waiting, self.later = self.later[:window], self.later[window:]
            ready = [built for message in list(self.waiting)
                     if (built := self._build(message)) is not None]
            if not ready:
                continue
            self._connect(ready[0][0])
            self.ledger.hand_over(ready)
            self.ledger.commit()  # the window before's results with this one's hand-over
            for message, email, message_id in ready:
                self._send(message, email, message_id)
        self.ledger.commit()

    def _build(self, message: OutboxMessage) -> Ready | None:
        """Render (if stored unrendered) and build the MIME message; None if it cannot be,
        which settles it as failed for good."""
        if message.render_context is not None:
            # Stored for rendering now (see outbox.queue_email's render_with): the rendered
            # text is flushed with the hand-over, so a message is rendered once however often
            # it is tried.
            if self.prepare is None:
                return self._fail(message, "stored unrendered and no renderer given", True)
            try:
                self.prepare(message)
            except LookupError as exc:
                return self._fail(message, f"cannot render the message: {exc}", True)
        mail_from = self.ledger.transport.mail_from
        try:
            email: Email | None = wire_message(message, mail_from, self.now())
            if email is None:
                email = build_message(message, mail_from, self.now())
            return message, email, message.message_id or message_id_for(message, mail_from)
        except (ValueError, TypeError, MessageError) as exc:
            return self._fail(message, f"cannot build the message: {exc}", True)

    def _fail(self, message: OutboxMessage, error: str, permanent: bool) -> None:
        self.waiting.remove(message)
        self.ledger.failed(message, error, permanent)

    def _connect(self, first: OutboxMessage) -> None:
        """Connect before handing anything over; a failure counts as the first one's."""
        try:
            self.link.connect()
        except SMTP_ERRORS as exc:
            self.link.drop()
            self._fail(first, _classify(exc)[2], False)
            raise _Broken from exc

    def _send(self, message: OutboxMessage, email: Email, message_id: str) -> None:
        self.waiting.remove(message)
        self.in_flight = message
        try:
            self.link.send(email, message.to_email)
        except SMTP_ERRORS as exc:
            self.in_flight = None
            permanent, broken, error = _classify(exc)
            self.ledger.failed(message, error, permanent)
            if broken:
                self.link.drop()
                raise _Broken from exc
            return
        self.in_flight = None
        self.ledger.sent(message, message_id, self.now())

    def give_back(self) -> None:
        """After a broken connection: record what is known; what was not tried goes back to
        PENDING (its hand-over mark cleared: this worker knows the server never saw it)."""
        untried = self.untried
        self.ledger.write()
        _give_back(self.ledger.session, untried, handed_over=True)
        self.ledger.commit()
        self.ledger.report.retry.extend(untried)

    def interrupted(self) -> None:
        """After an unexpected error: as ``give_back``, but the message interrupted mid-send
        is as uncertain as one whose worker was killed. If the database is what failed, the
        sweep settles it all later."""
        session = self.ledger.session
        if self.in_flight is not None:
            self.link.drop()
            self.ledger.failed(self.in_flight, UNCERTAIN_ERROR, True)
            self.in_flight = None
        try:
            session.rollback()  # whatever statement was interrupted
            self.ledger.write()
            _give_back(session, self.untried, handed_over=True)
            self.ledger.commit()
        except Exception:
            session.rollback()
            log.exception("could not record an interrupted outbox batch")


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
