"""Announcements: write, preview, schedule, cancel, and send in batches.

Sending starts when the announcement's time has come (``send_due``, from the cron sweep every
five minutes, or at once after "send now"): the segment is fixed as recipient rows in one
statement, then each batch of ``BATCH`` recipients gets its email queued in the outbox (in its
own transaction), with an idempotency key per announcement and member, so a sweep that runs
again, or twice at once, sends nothing twice. Emails go in the ``announcements`` category: a
member who unsubscribed from announcements is stored suppressed and never sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.jobs import enqueue_after_commit
from joren.platform.mail.outbox import queue_email
from joren.platform.membership.language import recipient_language
from joren.platform.membership.models import Member
from joren.platform.urls import external_url
from joren.tenants.announcements import segments
from joren.tenants.announcements.models import (
    Announcement,
    AnnouncementRecipient,
    AnnouncementStatus,
    Segment,
)
from joren.tenants.meetups.models import Meetup

TEMPLATE = "announcements/announcement"
CATEGORY = "announcements"
BATCH = 500
SEND_JOB = "joren.workers.announcement_jobs.send_announcements"
SUBJECT_LIMIT = 200
BODY_LIMIT = 10_000
EDITABLE = (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED)


class AnnouncementError(ValueError):
    """Something the organizer must correct; ``message`` says what (lazily translated)."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def save(session: Session, *, announcement: Announcement | None = None, subject: str,
         body: str, segment: str, meetup_id: int | None, author: Member) -> Announcement:
    """Create a draft, or change one not yet sent."""
    subject = " ".join(subject.split())
    body = body.strip()
    if not subject or not body:
        raise AnnouncementError(_l("Enter a subject and a message."))
    if len(subject) > SUBJECT_LIMIT or len(body) > BODY_LIMIT:
        raise AnnouncementError(_l("The subject or the message is too long."))
    try:
        chosen = Segment(segment)
    except ValueError:
        raise AnnouncementError(_l("Choose who receives the announcement.")) from None
    if chosen.needs_meetup:
        if meetup_id is None or session.get(Meetup, meetup_id) is None:
            raise AnnouncementError(_l("Choose the meetup."))
    else:
        meetup_id = None
    if announcement is None:
        announcement = Announcement(created_by_name=author.display_name)
        session.add(announcement)
    elif announcement.status not in EDITABLE:
        raise AnnouncementError(_l("This announcement has already been sent."))
    announcement.subject = subject
    announcement.body = body
    announcement.segment = chosen
    announcement.meetup_id = meetup_id
    session.flush()
    return announcement


def schedule(session: Session, announcement: Announcement, send_at: datetime | None,
             now: datetime | None = None) -> Announcement:
    """Send at ``send_at`` (None: now, the job is enqueued when the transaction commits)."""
    now = now or utcnow()
    if announcement.status not in EDITABLE:
        raise AnnouncementError(_l("This announcement can no longer be scheduled."))
    community = session.get(Community, announcement.tenant_id)
    if community is not None and community.is_closing and send_at is not None:
        # A closing community may still tell its members so, now; nothing is sent later.
        raise AnnouncementError(_l("This community is closing for deletion: an announcement "
                                   "can be sent now, not scheduled."))
    if send_at is not None and send_at <= now:
        raise AnnouncementError(_l("Choose a time in the future, or send it now."))
    announcement.status = AnnouncementStatus.SCHEDULED
    announcement.send_at = send_at or now
    session.flush()
    if send_at is None:
        enqueue_after_commit(session, SEND_JOB, announcement.tenant_id)
    return announcement


def cancel(session: Session, announcement: Announcement) -> Announcement:
    """Stop a scheduled announcement before it goes (a draft is simply cancelled too)."""
    if announcement.status not in EDITABLE:
        raise AnnouncementError(_l("Sending has started: it can no longer be cancelled."))
    announcement.status = AnnouncementStatus.CANCELLED
    session.flush()
    return announcement


def _next(session: Session, now: datetime) -> Announcement | None:
    return session.scalar(
        select(Announcement).where(
            (Announcement.status == AnnouncementStatus.SENDING)
            | ((Announcement.status == AnnouncementStatus.SCHEDULED)
               & (Announcement.send_at <= now)))
        .order_by(Announcement.status.desc(), Announcement.send_at, Announcement.id).limit(1)
        # Two runs at once (the sweep and "send now"): the second skips the row the first
        # holds for its step (PostgreSQL; SQLite writes one at a time anyway).
        .with_for_update(skip_locked=True))


def fix_recipients(session: Session, announcement: Announcement) -> int:
    """Store the segment as it is now as the announcement's recipients (set-based)."""
    ids = list(session.scalars(segments.member_ids(announcement.segment,
                                                   announcement.meetup_id)))
    for start in range(0, len(ids), 1000):
        session.execute(insert(AnnouncementRecipient), [
            {"tenant_id": announcement.tenant_id, "announcement_id": announcement.id,
             "member_id": member_id} for member_id in ids[start:start + 1000]])
    announcement.recipient_count = len(ids)
    announcement.status = AnnouncementStatus.SENDING
    session.flush()
    return len(ids)


def announcement_key(announcement: Announcement, member_id: int) -> str:
    return f"announcement:{announcement.tenant_id}:{announcement.id}:{member_id}"


def send_batch(session: Session, community: Community, now: datetime | None = None,
               size: int = BATCH) -> int:
    """One step of sending: fix the recipients of an announcement due now, or queue the next
    ``size`` emails of one being sent, or mark it sent. Returns 0 when nothing is left to do
    (the caller commits after each step)."""
    now = now or utcnow()
    announcement = _next(session, now)
    if announcement is None:
        return 0
    if announcement.status == AnnouncementStatus.SCHEDULED:
        return fix_recipients(session, announcement) or _finish(session, announcement, now)
    waiting = list(session.execute(
        select(AnnouncementRecipient, Member)
        .join(Member, (Member.tenant_id == AnnouncementRecipient.tenant_id)
              & (Member.id == AnnouncementRecipient.member_id))
        .where(AnnouncementRecipient.announcement_id == announcement.id,
               AnnouncementRecipient.outbox_message_id.is_(None))
        .order_by(AnnouncementRecipient.id).limit(size)
        .options(selectinload(Member.account))).all())
    if not waiting:
        return _finish(session, announcement, now)
    for recipient, member in waiting:
        if not member.email:  # the address was removed since: nobody to write to
            session.delete(recipient)
            continue
        language = recipient_language(member, community)
        message = queue_email(
            session, to=member.email, template=TEMPLATE, language=language,
            context=email_context(community, announcement, member.display_name),
            idempotency_key=announcement_key(announcement, member.id),
            community_id=community.id, category=CATEGORY)
        recipient.outbox_message_id = message.id
    session.flush()
    return len(waiting)


def _finish(session: Session, announcement: Announcement, now: datetime) -> int:
    announcement.status = AnnouncementStatus.SENT
    announcement.sent_at = now
    session.flush()
    return 1


def email_context(community: Community, announcement: Announcement,
                  member_name: str) -> dict[str, Any]:
    paragraphs = [p.strip() for p in announcement.body.replace("\r\n", "\n").split("\n\n")
                  if p.strip()]
    return {
        "community_name": community.name,
        "member_name": member_name,
        "subject": announcement.subject,
        "paragraphs": paragraphs,
        "organizer_name": announcement.created_by_name,
        "portal_url": external_url("community.portal.home", slug=community.slug),
    }
