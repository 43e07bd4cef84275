"""FAILED outbox messages for the platform admin: list them, and send them again.

Resending puts a message back to PENDING with fresh attempts and hands it to the normal send
path (the mail queue's batch job, after commit). The change is conditional on the row still
being FAILED, so a double click or two admins at once requeue a message once; and the send
job claims each message before sending, so it is never sent twice by the same resend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from joren.platform.identity.community import Community
from joren.platform.jobs import enqueue_batch_after_commit
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.outbox import MAIL_QUEUE, SEND_BATCH_JOB
from joren.platform.pagination import Page

PER_PAGE = 50
MAX_PAGE = 100_000
RESEND_ALL_LIMIT = 5000  # per click; the page says when more are left


@dataclass(frozen=True)
class FailedMessage:
    id: int
    recipient: str  # masked
    subject: str
    community_name: str | None
    community_slug: str | None
    error: str
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None


def mask_email(address: str) -> str:
    """``hanako.yamada@example.jp`` -> ``ha***@example.jp``: enough to recognise, not to copy."""
    local, at, domain = address.rpartition("@")
    if not at:
        return address[:2] + "***"
    return f"{local[:2]}***@{domain}"


def failed_messages(session: Session, page: int = 1,
                    per_page: int = PER_PAGE) -> Page[FailedMessage]:
    """One page of FAILED messages, newest first, with their community."""
    page = min(max(1, page), MAX_PAGE)
    failed = OutboxMessage.status == OutboxStatus.FAILED
    total = int(session.scalar(select(func.count(OutboxMessage.id)).where(failed)) or 0)
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.to_email, OutboxMessage.subject,
               Community.name, Community.slug, OutboxMessage.last_error,
               OutboxMessage.attempts, OutboxMessage.created_at, OutboxMessage.claimed_at)
        .outerjoin(Community, Community.id == OutboxMessage.community_id)
        .where(failed)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    messages = [
        FailedMessage(id=r[0], recipient=mask_email(r[1]), subject=r[2], community_name=r[3],
                      community_slug=r[4], error=r[5], attempts=r[6], created_at=r[7],
                      last_attempt_at=r[8])
        for r in rows
    ]
    return Page(items=messages, total=total, page=page, per_page=per_page)


def resend(session: Session, message_ids: list[int]) -> list[int]:
    """Requeue these messages if they are still FAILED; return the ids requeued.

    The caller commits; the send jobs are enqueued after the commit.
    """
    if not message_ids:
        return []
    requeued = list(session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, claimed_at=None, message_id="")
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ))
    for message_id in sorted(requeued):
        enqueue_batch_after_commit(session, SEND_BATCH_JOB, message_id, queue=MAIL_QUEUE)
    return requeued


def resend_all_failed(session: Session, limit: int = RESEND_ALL_LIMIT) -> list[int]:
    """Requeue up to ``limit`` FAILED messages, oldest first; return the ids requeued."""
    ids = list(session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.created_at, OutboxMessage.id).limit(limit)
    ))
    return resend(session, ids)


def failed_count(session: Session) -> int:
    return int(session.scalar(select(func.count(OutboxMessage.id))
                              .where(OutboxMessage.status == OutboxStatus.FAILED)) or 0)
