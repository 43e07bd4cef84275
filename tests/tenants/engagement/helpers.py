"""Attendance histories for the engagement tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from joren.models import Attendance, AttendanceStatus, Meetup, Registration, RegistrationStatus
from joren.platform.tenancy import unscoped

NOW = datetime(2026, 6, 20, 3, 0, tzinfo=UTC)


def past_meetups(session: Session, community, count: int, *, now: datetime = NOW,  # type: ignore[no-untyped-def]
                 **fields) -> list[Meetup]:  # type: ignore[no-untyped-def]
    """``count`` meetups a week apart, the latest ended a day before ``now``; oldest first."""
    rows = []
    with unscoped(session):
        for i in range(count):
            starts = now - timedelta(days=1 + 7 * (count - 1 - i), hours=3)
            rows.append(Meetup(tenant_id=community.id, title=f"第{i + 1}回", starts_at=starts,
                               ends_at=starts + timedelta(hours=2), **fields))
        session.add_all(rows)
        session.flush()
    return rows


def record(session: Session, meetups: list[Meetup], member, pattern: str) -> None:  # type: ignore[no-untyped-def]
    """One character per meetup: x present, l late, w walk-in, a absent, e excused,
    s substitute, '.' or n nothing recorded; upper case also registers the member as going."""
    codes = {"x": AttendanceStatus.PRESENT, "l": AttendanceStatus.LATE,
             "w": AttendanceStatus.WALK_IN, "a": AttendanceStatus.ABSENT,
             "e": AttendanceStatus.EXCUSED, "s": AttendanceStatus.SUBSTITUTE}
    attendances, registrations = [], []
    for meetup, char in zip(meetups, pattern, strict=False):
        status = codes.get(char.lower())
        if status is not None:
            attendances.append({"tenant_id": meetup.tenant_id, "meetup_id": meetup.id,
                                "member_id": member.id, "status": status})
        if char.isupper():
            registrations.append({"tenant_id": meetup.tenant_id, "meetup_id": meetup.id,
                                  "member_id": member.id, "status": RegistrationStatus.GOING})
    with unscoped(session):
        if attendances:
            session.execute(insert(Attendance), attendances)
        if registrations:
            session.execute(insert(Registration), registrations)
