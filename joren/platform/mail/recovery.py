"""What the outbox sends again: messages a killed worker left claimed, and pending messages
whose send job was lost, once their back-off has passed (the ``sweep_outbox`` job).

The at-most-once contract is the sender's (joren/platform/mail/sender.py, module docstring):
a message that may have reached the SMTP server is never sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.sender import DEFAULT_MAX_ATTEMPTS, UNCERTAIN_ERROR

log = logging.getLogger("joren.mail")

ABANDONED_ERROR = "the worker stopped while sending (killed or timed out)"


def claim_timeout(config: Mapping[str, Any]) -> timedelta:
    """How old a claim must be before the sweep takes it for abandoned.

    Longer than any job may run (RQ stops a job at JOB_TIMEOUT), plus a minute of slack.
    """
    seconds = config.get("MAIL_CLAIM_TIMEOUT")
    if seconds is None:
        seconds = int(config.get("JOB_TIMEOUT") or 300) + 60
    return timedelta(seconds=int(seconds))


def retry_delay(attempts: int) -> timedelta:
    """How long the sweep waits after a failed attempt: 1, 2, 4, 8 ... minutes, at most an hour."""
    if attempts <= 0:
        return timedelta(0)
    return timedelta(seconds=min(60 * 2 ** (attempts - 1), 3600))


def sweep(
    session: Session,
    *,
    now: datetime,
    stale_after: timedelta,
    pending_after: timedelta = timedelta(minutes=1),
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    limit: int = 500,
) -> list[int]:
    """Find what must be sent again and return those ids (the caller enqueues them).

    Messages stuck in SENDING with a claim older than ``stale_after`` were left by a killed
    worker. Those never handed to the SMTP server go back to PENDING (counted as an attempt),
    or FAILED when out of attempts; those handed over may have been delivered, so they become
    FAILED and are not sent again (at most once; see the sender's module docstring).
    PENDING messages older than ``pending_after`` whose send job was lost (Redis restarted, an
    enqueue failed after commit, a job gave up) are due again once their back-off has passed.
    """
    abandoned, due = _release_abandoned(session, now - stale_after, max_attempts, limit)
    already = set(due)
    due += [message_id for message_id in _pending_due(session, now, pending_after, limit)
            if message_id not in already]
    if abandoned or due:
        log.info("outbox sweep: %d abandoned, %d due again", abandoned, len(due))
    return due


def _release_abandoned(session: Session, cutoff: datetime, max_attempts: int,
                       limit: int) -> tuple[int, list[int]]:
    """Settle the claims older than ``cutoff``: how many there were, and those back in
    PENDING (never handed over, attempts left), which are due now."""
    stale = session.execute(
        select(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.message_id)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < cutoff)
        .order_by(OutboxMessage.claimed_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    due: list[int] = []
    for message_id, attempts, handed_over in stale:
        uncertain = bool(handed_over)
        give_up = uncertain or attempts + 1 >= max_attempts
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.claimed_at < cutoff,
            )
            .values(
                status=OutboxStatus.FAILED if give_up else OutboxStatus.PENDING,
                attempts=OutboxMessage.attempts + 1,
                last_error=UNCERTAIN_ERROR if uncertain else ABANDONED_ERROR,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1 and not give_up:  # type: ignore[attr-defined]
            due.append(message_id)
    return len(stale), due


def _pending_due(session: Session, now: datetime, pending_after: timedelta,
                 limit: int) -> list[int]:
    """Pending messages older than ``pending_after`` whose back-off has passed."""
    pending = session.execute(
        select(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.claimed_at)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.created_at < now - pending_after,
        )
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    return [message_id for message_id, attempts, claimed_at in pending
            if claimed_at is None or claimed_at <= now - retry_delay(attempts)]
