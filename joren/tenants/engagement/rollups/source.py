"""What each member adds to the analytics, computed from the attendance register itself.

This is the one place that reads the raw register for the analytics: a full rebuild runs it
for everyone, an update after a check-in for the members concerned, and the page runs it when
its rollups are out of date (so what it shows is never stale). The rules are the dashboard's:

- the *counted occurrences* are the community's meetups that were not cancelled and have
  started, numbered 1.. oldest first (``position``);
- at each occurrence they attended (present, late, walk-in), a member is a first-timer on
  their first visit, a regular when at least ``regular_min`` of their last ``regular_window``
  counted occurrences (those they were excused from left out) were attended, else returning;
- their first and second visits, the local calendar months they came in (retention), whether
  they walked in on their first visit (guests);
- at each ended occurrence they were registered as going to: a no-show when absent or never
  checked in (excused and substitutes are not).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.engagement.levels import Thresholds
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Meetup,
    MeetupStatus,
    Registration,
    RegistrationStatus,
)

KINDS = ("first_timers", "returners", "regulars")
COUNTERS = (*KINDS, "going", "no_shows")
GUEST_SOURCE = "guest"


@dataclass(frozen=True)
class Occurrence:
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime


@dataclass
class Contribution:
    """One member's part of the rollups (see the module docstring)."""

    member_id: int
    first_at: datetime | None = None
    first_month: int | None = None
    first_position: int | None = None
    second_position: int | None = None
    first_walk_in: bool = False
    # counter name → meetup ids where this member adds one to it
    meetups: dict[str, list[int]] = field(default_factory=dict)
    months: list[int] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.meetups

    def cells(self) -> list[tuple[int, int]]:
        """The (first month, month) retention cells this member counts in."""
        if self.first_month is None:
            return []
        return [(self.first_month, month) for month in self.months]

    def as_json(self) -> dict[str, Any]:
        return {"meetups": self.meetups, "months": self.months}


def month_number(moment: datetime, zone: ZoneInfo) -> int:
    """The local calendar month of ``moment`` as year * 12 + month - 1."""
    local = moment.astimezone(zone)
    return local.year * 12 + local.month - 1


def counted_occurrences(session: Session, now: datetime) -> list[Occurrence]:
    """The counted occurrences at ``now``, oldest first."""
    rows = session.execute(
        select(Meetup.id, Meetup.title, Meetup.starts_at, Meetup.ends_at)
        .where(Meetup.status != MeetupStatus.CANCELLED, Meetup.starts_at <= now)
        .order_by(Meetup.starts_at, Meetup.id))
    return [Occurrence(*row) for row in rows]


def contributions(session: Session, occs: list[Occurrence], ended: set[int], t: Thresholds,
                  zone: ZoneInfo, member_ids: Iterable[int] | None = None,
                  ) -> dict[int, Contribution]:
    """Each member's contribution (only members who add something), for everyone or for
    ``member_ids``; ``ended`` are the occurrences whose no-shows count."""
    position = {occ.id: n for n, occ in enumerate(occs, start=1)}
    wanted = None if member_ids is None else sorted(set(member_ids))
    marks: dict[int, dict[int, AttendanceStatus]] = defaultdict(dict)
    stmt = select(Attendance.member_id, Attendance.meetup_id, Attendance.status)
    going_stmt = select(Registration.member_id, Registration.meetup_id).where(
        Registration.status == RegistrationStatus.GOING)
    if wanted is not None:
        if not wanted:
            return {}
        stmt = stmt.where(Attendance.member_id.in_(wanted))
        going_stmt = going_stmt.where(Registration.member_id.in_(wanted))
    for member_id, meetup_id, status in session.execute(stmt):
        if meetup_id in position:
            marks[member_id][meetup_id] = status
    going: dict[int, list[int]] = defaultdict(list)
    for member_id, meetup_id in session.execute(going_stmt):
        if meetup_id in ended:
            going[member_id].append(meetup_id)
    starts = {occ.id: occ.starts_at for occ in occs}
    found = {}
    for member_id in sorted(set(marks) | set(going)):
        c = _contribution(member_id, marks.get(member_id, {}), going.get(member_id, []),
                          position, starts, t, zone)
        if not c.is_empty:
            found[member_id] = c
    return found


def _contribution(member_id: int, marks: dict[int, AttendanceStatus], going: list[int],
                  position: dict[int, int], starts: dict[int, datetime], t: Thresholds,
                  zone: ZoneInfo) -> Contribution:
    c = Contribution(member_id)
    came = _visits(marks, position)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for (meetup_id, kind) in _classify(came, t):
        by_kind[kind].append(meetup_id)
    if came:
        first = came[0]
        c.first_at = starts[first[1]]
        c.first_month = month_number(c.first_at, zone)
        c.first_position = position[first[1]]
        c.second_position = position[came[1][1]] if len(came) > 1 else None
        c.first_walk_in = marks[first[1]] == AttendanceStatus.WALK_IN
        c.months = sorted({month_number(starts[meetup_id], zone) for _pos, meetup_id in came})
    for meetup_id in sorted(going):
        by_kind["going"].append(meetup_id)
        if marks.get(meetup_id) in (None, AttendanceStatus.ABSENT):
            by_kind["no_shows"].append(meetup_id)
    c.meetups = {name: ids for name, ids in by_kind.items() if ids}
    return c


def _visits(marks: dict[int, AttendanceStatus], position: dict[int, int]) -> list[tuple[int, int]]:
    """(place in the member's own sequence, meetup id) of each attended occurrence, in order:
    the place is the occurrence's position less the occurrences excused so far."""
    came, excused = [], 0
    for meetup_id in sorted(marks, key=position.__getitem__):
        status = marks[meetup_id]
        if status == AttendanceStatus.EXCUSED:
            excused += 1
        elif status in ATTENDED:
            came.append((position[meetup_id] - excused, meetup_id))
    return came


def _classify(came: list[tuple[int, int]], t: Thresholds) -> list[tuple[int, str]]:
    """Each visit's kind: the first one a first-timer; later ones regular when at least
    ``regular_min`` visits fall within the last ``regular_window`` places."""
    kinds, low = [], 0
    for i, (place, meetup_id) in enumerate(came):
        while came[low][0] < place - (t.regular_window - 1):
            low += 1
        recent = i - low + 1
        if i == 0:
            kinds.append((meetup_id, "first_timers"))
        elif recent >= t.regular_min:
            kinds.append((meetup_id, "regulars"))
        else:
            kinds.append((meetup_id, "returners"))
    return kinds


def statuses_and_guest_forms(session: Session) -> tuple[dict[int, MemberStatus], set[int]]:
    """For the page read from the register: each member's status now, and who registered
    through the public guest form."""
    statuses = dict(session.execute(select(Member.id, Member.status)).all())
    via_form = set(session.scalars(select(Registration.member_id).where(
        Registration.source == GUEST_SOURCE).distinct()))
    return statuses, via_form
