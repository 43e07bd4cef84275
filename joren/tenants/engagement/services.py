"""Compute and store members' engagement from the attendance register.

``recompute_member`` refreshes one member (after a check-in or a register change);
``recompute_community`` refreshes everyone in a handful of statements. Both build each
member's sequence with the same function, so they always agree.

Counted occurrences are the community's non-cancelled meetups that have started. A meetup
still under way counts only for the people already checked in; once it has ended, everyone
who was not there (and not excused) missed it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import has_app_context
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.jobs import enqueue_after_commit
from joren.platform.membership.models import Member
from joren.platform.tenancy import current_tenant_id
from joren.tenants.engagement.levels import DEFAULTS, Thresholds, summarize
from joren.tenants.engagement.models import EngagementSettings, MemberEngagement
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Meetup,
    MeetupStatus,
    Registration,
    RegistrationStatus,
)

RECOMPUTE_MEMBER_JOB = "joren.workers.engagement_jobs.recompute_member"
RECOMPUTE_COMMUNITY_JOB = "joren.workers.engagement_jobs.recompute_community"
REFRESH_ROLLUPS_JOB = "joren.workers.engagement_jobs.refresh_rollups"
LIMITS = {"regular_min": (1, 52), "regular_window": (1, 52), "one_time_misses": (1, 24),
          "lapsed_misses": (1, 24)}


class SettingsError(ValueError):
    """Thresholds that make no sense; ``field`` and ``code`` say which and why."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Occurrence:
    id: int
    starts_at: datetime
    ends_at: datetime


def request_member_recompute(session: Session, tenant_id: int, member_id: int) -> None:
    """After the register changes: recompute the member once the change is committed.

    Code running without an application (scripts, unit tests of the register) has no queue;
    the daily full recompute catches up with what it changed.
    """
    if has_app_context():
        enqueue_after_commit(session, RECOMPUTE_MEMBER_JOB, tenant_id, member_id)


# -- settings ----------------------------------------------------------------------------

def get_settings(session: Session) -> EngagementSettings | None:
    return session.scalar(select(EngagementSettings))


def thresholds(session: Session) -> Thresholds:
    found = get_settings(session)
    return found.thresholds() if found else DEFAULTS


def update_settings(session: Session, **values: int) -> EngagementSettings:
    """Validate and save the thresholds; a full recompute runs once the change is committed."""
    for field, (low, high) in LIMITS.items():
        value = values.get(field)
        if not isinstance(value, int) or not low <= value <= high:
            raise SettingsError(field, "range")
    if values["regular_min"] > values["regular_window"]:
        raise SettingsError("regular_min", "above_window")
    found = get_settings(session) or EngagementSettings()
    changed = any(getattr(found, f) != values[f] for f in LIMITS)
    for field in LIMITS:
        setattr(found, field, values[field])
    session.add(found)
    session.flush()
    if changed:
        enqueue_after_commit(session, RECOMPUTE_COMMUNITY_JOB, current_tenant_id(session))
    return found


# -- reading the register ----------------------------------------------------------------

def occurrences(session: Session, now: datetime) -> list[Occurrence]:
    """The community's counted occurrences, oldest first."""
    rows = session.execute(
        select(Meetup.id, Meetup.starts_at, Meetup.ends_at)
        .where(Meetup.status != MeetupStatus.CANCELLED, Meetup.starts_at <= now)
        .order_by(Meetup.starts_at, Meetup.id)
    )
    return [Occurrence(*row) for row in rows]


def build_sequence(occs: list[Occurrence], statuses: Mapping[int, AttendanceStatus],
                   now: datetime) -> tuple[list[bool], list[Occurrence]]:
    """The member's attended/missed sequence and the occurrence of each entry."""
    seq: list[bool] = []
    used: list[Occurrence] = []
    for occ in occs:
        status = statuses.get(occ.id)
        if status in ATTENDED:
            seq.append(True)
        elif occ.ends_at > now or status == AttendanceStatus.EXCUSED:
            continue
        else:
            seq.append(False)
        used.append(occ)
    return seq, used


def engagement_row(member_id: int, occs: list[Occurrence],
                   statuses: Mapping[int, AttendanceStatus], going: Iterable[int],
                   t: Thresholds, now: datetime) -> dict[str, Any]:
    """Every stored figure for one member, as column values."""
    seq, used = build_sequence(occs, statuses, now)
    summary = summarize(seq, t)
    attended_dates = [occ.starts_at for occ, came in zip(used, seq, strict=True) if came]
    ended = {occ.id for occ in occs if occ.ends_at <= now}
    going_ended = [m for m in going if m in ended]
    no_shows = sum(1 for m in going_ended
                   if statuses.get(m) in (None, AttendanceStatus.ABSENT))
    return {
        "member_id": member_id, "level": summary.level, "attended_count": summary.attended,
        "attended_in_window": summary.attended_in_window, "window_size": summary.window_size,
        "current_streak": summary.current_streak, "longest_streak": summary.longest_streak,
        "attendance_rate": summary.attendance_rate, "no_show_count": no_shows,
        "going_count": len(going_ended),
        "no_show_rate": no_shows / len(going_ended) if going_ended else None,
        "first_attended_at": attended_dates[0] if attended_dates else None,
        "last_attended_at": attended_dates[-1] if attended_dates else None,
        "computed_at": now,
    }


# -- recomputing -------------------------------------------------------------------------

def recompute_member(session: Session, member_id: int,
                     now: datetime | None = None) -> MemberEngagement | None:
    """Refresh one member's stored figures (None when the member is not in this community)."""
    now = now or utcnow()
    if session.get(Member, member_id) is None:
        return None
    occs = occurrences(session, now)
    statuses = dict(session.execute(
        select(Attendance.meetup_id, Attendance.status).where(Attendance.member_id == member_id)
    ).all())
    going = session.scalars(select(Registration.meetup_id).where(
        Registration.member_id == member_id, Registration.status == RegistrationStatus.GOING))
    values = engagement_row(member_id, occs, statuses, list(going), thresholds(session), now)
    row = session.scalar(select(MemberEngagement).where(MemberEngagement.member_id == member_id))
    if row is None:
        row = MemberEngagement(**values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    return row


def recompute_community(session: Session, now: datetime | None = None) -> int:
    """Refresh every member of the community in five statements; return how many rows."""
    now = now or utcnow()
    tenant_id = current_tenant_id(session)
    t = thresholds(session)
    occs = occurrences(session, now)
    statuses: dict[int, dict[int, AttendanceStatus]] = defaultdict(dict)
    for member_id, meetup_id, status in session.execute(
            select(Attendance.member_id, Attendance.meetup_id, Attendance.status)):
        statuses[member_id][meetup_id] = status
    going: dict[int, list[int]] = defaultdict(list)
    for member_id, meetup_id in session.execute(
            select(Registration.member_id, Registration.meetup_id)
            .where(Registration.status == RegistrationStatus.GOING)):
        going[member_id].append(meetup_id)
    rows = [
        {"tenant_id": tenant_id,
         **engagement_row(member_id, occs, statuses.get(member_id, {}),
                          going.get(member_id, ()), t, now)}
        for member_id in session.scalars(select(Member.id).order_by(Member.id))
    ]
    session.execute(delete(MemberEngagement))
    if rows:
        session.execute(insert(MemberEngagement), rows)
    return len(rows)


def engagement_of(session: Session, member_id: int) -> MemberEngagement | None:
    return session.scalar(select(MemberEngagement).where(MemberEngagement.member_id == member_id))


def history(session: Session, member_id: int, now: datetime | None = None,
            limit: int = 50) -> list[tuple[Meetup, AttendanceStatus | None]]:
    """The member's past meetups (newest first) with their attendance status, one statement."""
    now = now or utcnow()
    rows = session.execute(
        select(Meetup, Attendance.status)
        .outerjoin(Attendance, (Attendance.meetup_id == Meetup.id)
                   & (Attendance.member_id == member_id))
        .outerjoin(Registration, (Registration.meetup_id == Meetup.id)
                   & (Registration.member_id == member_id))
        .where(Meetup.status != MeetupStatus.CANCELLED, Meetup.starts_at <= now,
               (Attendance.id.is_not(None)) | (Registration.id.is_not(None)))
        .order_by(Meetup.starts_at.desc(), Meetup.id.desc())
        .limit(limit)
    ).all()
    return list(rows)
