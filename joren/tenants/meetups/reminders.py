"""Reminder emails before each occurrence, and the signed links they carry.

Each occurrence has a schedule of reminders: ``reminder_days`` before the start (same local
wall-clock time, so DST does not shift it) and, with ``reminder_morning_of``, 08:00 local time
on the day (a meetup that starts before 10:00 gets that one at 20:00 the evening before).
One-off meetups use the defaults: 2 days before and the morning of.

A periodic job calls ``send_due_reminders`` every 15 minutes. Only the latest reminder that is
due is sent (a job that was down for two days sends "the morning of", not both), and each is
queued with an idempotency key per (registration, reminder), so running again, or two runs
overlapping, sends nothing twice. They are in the "reminders" mail category: a member who
turned them off (email preferences, or the List-Unsubscribe link) gets none; the message is
stored as suppressed, so turning them on again brings back the next reminder, not this one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from joren.platform.db import utcnow
from joren.platform.i18n import format_local
from joren.platform.identity.community import Community
from joren.platform.mail.models import OutboxMessage
from joren.platform.mail.outbox import Attachment, queue_email
from joren.platform.membership.language import recipient_language
from joren.platform.membership.models import MemberStatus
from joren.platform.urls import external_url, site_host
from joren.tenants.meetups.calendar import ical, links
from joren.tenants.meetups.models import (
    Meetup,
    MeetupSeries,
    MeetupStatus,
    Registration,
    RegistrationStatus,
)

log = logging.getLogger("joren.reminders")

TEMPLATE = "meetups/reminder"
CATEGORY = "reminders"   # members turn them off in their email preferences
DEFAULT_DAYS = (2,)
MORNING_HOUR = 8
EVENING_BEFORE_HOUR = 20
EARLY_START_HOUR = 10
# Occurrences further ahead than this get no reminder yet (the job runs again later).
LOOKAHEAD = timedelta(days=31)
MORNING = "morning"
DATE_FORMATS = {"ja": "yyyy年M月d日(EEE) H:mm", "en": "EEE, MMMM d, yyyy, h:mm a"}
TIME_FORMATS = {"ja": "H:mm", "en": "h:mm a"}


@dataclass(frozen=True)
class DueReminder:
    registration: Registration
    meetup: Meetup
    kind: str  # "days-2", "morning"
    send_at: datetime


def reminder_schedule(
    meetup: Meetup, series: MeetupSeries | None, zone: ZoneInfo
) -> list[tuple[str, datetime]]:
    """(kind, UTC send time) of every reminder of this occurrence, earliest first."""
    days = DEFAULT_DAYS if series is None else tuple(series.reminder_days or ())
    morning = True if series is None else series.reminder_morning_of
    local_start = meetup.starts_at.astimezone(zone)
    wall = local_start.replace(tzinfo=None)
    schedule: list[tuple[str, datetime]] = []
    for n in sorted({int(d) for d in days if isinstance(d, int) and 0 < d <= LOOKAHEAD.days}):
        schedule.append((f"days-{n}", _utc(wall - timedelta(days=n), zone)))
    if morning:
        if local_start.hour >= EARLY_START_HOUR:
            at = wall.replace(hour=MORNING_HOUR, minute=0, second=0, microsecond=0)
        else:
            at = (wall - timedelta(days=1)).replace(
                hour=EVENING_BEFORE_HOUR, minute=0, second=0, microsecond=0)
        schedule.append((MORNING, _utc(at, zone)))
    schedule.sort(key=lambda item: item[1])
    return schedule


def _utc(wall: datetime, zone: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=zone).astimezone(UTC)


def latest_due(schedule: list[tuple[str, datetime]], now: datetime,
               starts_at: datetime) -> tuple[str, datetime] | None:
    """The most recent reminder whose time has come, while the meetup has not started."""
    if now >= starts_at:
        return None
    due = [item for item in schedule if item[1] <= now]
    return due[-1] if due else None


def reminder_key(registration: Registration, kind: str) -> str:
    return f"meetup-reminder:{registration.tenant_id}:{registration.id}:{kind}"


def due_reminders(session: Session, community: Community, now: datetime) -> list[DueReminder]:
    """Reminders due now in this community (session scoped to it) and not queued before."""
    meetups = session.scalars(
        select(Meetup)
        .options(selectinload(Meetup.series))
        .where(Meetup.status == MeetupStatus.SCHEDULED, Meetup.starts_at > now,
               Meetup.starts_at <= now + LOOKAHEAD)
    ).all()
    zone = community.zone
    kinds: dict[int, tuple[str, datetime]] = {}
    for meetup in meetups:
        due = latest_due(reminder_schedule(meetup, meetup.series, zone), now, meetup.starts_at)
        if due is not None:
            kinds[meetup.id] = due
    if not kinds:
        return []
    registrations = session.scalars(
        select(Registration)
        .options(selectinload(Registration.meetup), selectinload(Registration.member))
        .where(Registration.meetup_id.in_(kinds), Registration.status == RegistrationStatus.GOING,
               Registration.confirmed_at.is_not(None))
        .order_by(Registration.meetup_id, Registration.id)
    ).all()
    candidates = [
        DueReminder(r, r.meetup, *kinds[r.meetup_id]) for r in registrations
        if r.member.email and r.member.status != MemberStatus.INACTIVE
    ]
    keys = [reminder_key(c.registration, c.kind) for c in candidates]
    queued = set(session.scalars(
        select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(keys))
    )) if keys else set()
    return [c for c, key in zip(candidates, keys, strict=True) if key not in queued]


def send_due_reminders(session: Session, community: Community,
                       now: datetime | None = None) -> int:
    """Queue every due reminder email (each at most once); return how many were queued."""
    now = now or utcnow()
    due = due_reminders(session, community, now)
    for reminder in due:
        queue_reminder(session, community, reminder, now)
    if due:
        log.info("community %s: %d meetup reminders queued", community.id, len(due))
    return len(due)


def queue_reminder(session: Session, community: Community, reminder: DueReminder,
                   now: datetime) -> OutboxMessage:
    registration, meetup = reminder.registration, reminder.meetup
    member = registration.member
    language = recipient_language(member, community)
    meetup_url = meetup_link(community, meetup)
    attachment = Attachment(
        filename=ical.ATTACHMENT_FILENAME,
        content_type=ical.ATTACHMENT_CONTENT_TYPE,
        content=ical.meetup_ics(meetup, calendar_name=community.name,
                                timezone=community.timezone, host=site_host(),
                                url=meetup_url, now=now),
    )
    return queue_email(
        session,
        to=member.email or "",
        template=TEMPLATE,
        context=reminder_context(community, reminder, language, meetup_url),
        language=language,
        idempotency_key=reminder_key(registration, reminder.kind),
        community_id=community.id,
        category=CATEGORY,
        attachments=[attachment],
    )


def reminder_context(community: Community, reminder: DueReminder, language: str,
                     meetup_url: str) -> dict[str, Any]:
    meetup, registration = reminder.meetup, reminder.registration
    zone = community.zone
    return {
        "community_name": community.name,
        "member_name": registration.member.display_name,
        "meetup": meetup,
        "kind": reminder.kind,
        "is_today": reminder.kind == MORNING,
        "starts": format_local(meetup.starts_at, zone, language, DATE_FORMATS),
        "ends": format_local(meetup.ends_at, zone, language, TIME_FORMATS),
        "timezone": community.timezone,
        "location": ical.location(meetup),
        "map_url": ical.map_link(meetup),
        "meetup_url": meetup_url,
        "ticket_url": external_url("community.feeds.ticket", slug=community.slug,
                                   token=registration.checkin_token),
        "cant_make_it_url": external_url("community.feeds.cant_make_it", slug=community.slug,
                                         token=links.cant_make_it_token(registration)),
    }


def meetup_link(community: Community, meetup: Meetup) -> str:
    return external_url("community.meetups.portal_detail", slug=community.slug,
                        meetup_id=meetup.id)
